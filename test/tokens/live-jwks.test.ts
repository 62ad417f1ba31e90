import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
	CreateIdentityPoolCommand,
	GetOpenIdTokenForDeveloperIdentityCommand,
} from "@aws-sdk/client-cognito-identity";
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { keysCommand } from "../../src/cli/keys.ts";
import { defaultConfig } from "../../src/config/load.ts";
import { FakeClock } from "../../src/lib/clock.ts";
import { type ServerFixture, withServer } from "../support/server.ts";

const DEV = "login.example.app";
const quiet = { out: () => {}, err: () => {} };

async function setup({ client }: ServerFixture) {
	const pool = await client.send(
		new CreateIdentityPoolCommand({
			IdentityPoolName: "tokens",
			AllowUnauthenticatedIdentities: false,
			DeveloperProviderName: DEV,
		}),
	);
	const poolId = pool.IdentityPoolId as string;
	const mint = async (user: string) =>
		(
			await client.send(
				new GetOpenIdTokenForDeveloperIdentityCommand({
					IdentityPoolId: poolId,
					Logins: { [DEV]: user },
				}),
			)
		).Token as string;
	return { poolId, mint };
}

describe("tokens through the live JWKS endpoint", () => {
	test("discovery names the issuer and the JWKS; both JWKS paths serve RFC 7517 keys with cache headers", async () => {
		await withServer(async (ts) => {
			const res = await fetch(
				new URL("/.well-known/openid-configuration", ts.url),
			);
			assert.equal(res.status, 200);
			const doc = (await res.json()) as Record<string, unknown>;
			assert.equal(doc.issuer, ts.url);
			assert.equal(doc.jwks_uri, `${ts.url}/.well-known/jwks_uri`);
			assert.deepEqual(doc.id_token_signing_alg_values_supported, ["RS512"]);
			for (const path of ["/.well-known/jwks_uri", "/.well-known/jwks.json"]) {
				const jwks = await fetch(new URL(path, ts.url));
				assert.equal(jwks.status, 200);
				assert.match(jwks.headers.get("cache-control") ?? "", /max-age=\d+/);
				const body = (await jwks.json()) as { keys: Record<string, string>[] };
				assert.equal(body.keys.length, 1);
				const key = body.keys[0] as Record<string, string>;
				assert.equal(key.kty, "RSA");
				assert.equal(key.alg, "RS512");
				assert.equal(key.use, "sig");
				assert.match(key.n as string, /^[A-Za-z0-9_-]+$/); // base64url, unpadded
				assert.equal(key.e, "AQAB");
				assert.equal(key.d, undefined); // never the private part
			}
		});
	});

	test("an explicit --issuer is the iss of every token and the discovery document", async () => {
		await withServer(
			{ config: { issuer: "https://id.example.com/" } },
			async (ts) => {
				const { mint } = await setup(ts);
				const jwt = await mint("u");
				const payload = JSON.parse(
					Buffer.from(jwt.split(".")[1] as string, "base64url").toString(),
				);
				assert.equal(payload.iss, "https://id.example.com");
				const doc = (await (
					await fetch(new URL("/.well-known/openid-configuration", ts.url))
				).json()) as {
					issuer: string;
					jwks_uri: string;
				};
				assert.equal(doc.issuer, "https://id.example.com");
				assert.equal(
					doc.jwks_uri,
					"https://id.example.com/.well-known/jwks_uri",
				);
			},
		);
	});

	test("keys and identities survive a restart: old tokens still verify, the same user keeps its identity", async () => {
		await withServer(async (t) => {
			const { mint } = await setup(t);
			const before = await mint("persisted-user");
			const kid = decodeProtectedHeader(before).kid;
			const beforeSub = JSON.parse(
				Buffer.from(before.split(".")[1] as string, "base64url").toString(),
			).sub;
			// Same port, so the default issuer (and the iss of the old token) is unchanged.
			await t.restart({ config: { port: Number(new URL(t.url).port) } });
			const jwks = createRemoteJWKSet(new URL("/.well-known/jwks_uri", t.url));
			const { payload } = await jwtVerify(before, jwks, {
				issuer: t.url,
				algorithms: ["RS512"],
			});
			assert.equal(payload.sub, beforeSub);
			const again = await t.client.send(
				new GetOpenIdTokenForDeveloperIdentityCommand({
					IdentityPoolId: payload.aud as string,
					Logins: { [DEV]: "persisted-user" },
				}),
			);
			assert.equal(again.IdentityId, beforeSub);
			assert.equal(decodeProtectedHeader(again.Token as string).kid, kid);
		});
	});

	test("after `keys rotate` the new key is published, then signs; tokens of the old key verify until they expire", async () => {
		const clock = new FakeClock(Date.now());
		await withServer({ clock }, async (ts) => {
			const { mint, poolId } = await setup(ts);
			const jwks = createRemoteJWKSet(
				new URL("/.well-known/jwks_uri", ts.url),
				{ cooldownDuration: 0 },
			);
			const verify = (jwt: string) =>
				jwtVerify(jwt, jwks, {
					issuer: ts.url,
					audience: poolId,
					algorithms: ["RS512"],
				});
			const old = await mint("rotating-user");
			const oldKid = decodeProtectedHeader(old).kid;
			await verify(old);

			// Another process rotates the keys in the same database.
			await keysCommand(
				"rotate",
				defaultConfig({ db: ts.dbPath, logLevel: "silent" }),
				quiet,
			);

			// Past the rotation delay (2 × 30 s) every server has reloaded and signs with the new key.
			// The rotation read the system clock, which ran on while the server's clock stood
			// still: count the delay from the system's time, however long the steps above took.
			clock.set(Math.max(clock.now(), Date.now()) + 61_000);
			const published = (await (
				await fetch(new URL("/.well-known/jwks_uri", ts.url))
			).json()) as {
				keys: { kid: string }[];
			};
			assert.equal(published.keys.length, 2);
			const fresh = await mint("rotating-user");
			const newKid = decodeProtectedHeader(fresh).kid;
			assert.notEqual(newKid, oldKid);
			assert.ok(published.keys.some((k) => k.kid === newKid));
			await verify(fresh);
			await verify(old);

			// A day later the retired key is no longer published.
			clock.advanceBy(24 * 3600_000 + 1000);
			const later = (await (
				await fetch(new URL("/.well-known/jwks_uri", ts.url))
			).json()) as {
				keys: { kid: string }[];
			};
			assert.deepEqual(
				later.keys.map((k) => k.kid),
				[newKid],
			);
		});
	});
});
