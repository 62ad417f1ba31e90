/**
 * `--token-algorithm ES256` with the built binary (docs/keys.md#es256), on each store engine:
 * EC keys encrypted at rest like RSA keys (and rewrapped), `idpool keys list` naming each
 * key's algorithm, `idpool keys rotate` making a key of the configured kind, a restart with
 * ES256 on a database of RS512 keys switching by rotation, and a bad value refused.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import {
	CreateIdentityPoolCommand,
	GetOpenIdTokenForDeveloperIdentityCommand,
} from "@aws-sdk/client-cognito-identity";
import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from "jose";
import { type RunningIdpool, runIdpool, serveIdpool } from "../support/cli.ts";
import { sqliteScratch } from "../support/files.ts";
import { freshSchema } from "../support/postgres.ts";
import { sdkClient } from "../support/server.ts";
import {
	describeForEngine,
	STORE_ENGINES,
	type StoreEngine,
} from "../support/stores.ts";

const { dir } = sqliteScratch("es256");
const ISSUER = "https://idpool.test";
const DEVELOPER = "login.es256.test";

/** A developer token of a new pool of the server, verified against the server's JWKS. */
async function verifiedToken(
	s: RunningIdpool,
): Promise<{ alg: string; kid: string; jwks: JSONWebKeySet }> {
	const client = sdkClient(s.url);
	try {
		const pool = await client.send(
			new CreateIdentityPoolCommand({
				IdentityPoolName: "es256",
				AllowUnauthenticatedIdentities: false,
				DeveloperProviderName: DEVELOPER,
			}),
		);
		const { Token } = await client.send(
			new GetOpenIdTokenForDeveloperIdentityCommand({
				IdentityPoolId: pool.IdentityPoolId,
				Logins: { [DEVELOPER]: "user-1" },
			}),
		);
		const jwks = (await (
			await fetch(new URL("/.well-known/jwks_uri", s.url))
		).json()) as JSONWebKeySet;
		const { protectedHeader } = await jwtVerify(
			Token as string,
			createLocalJWKSet(jwks),
			{
				issuer: ISSUER,
				audience: pool.IdentityPoolId as string,
				algorithms: ["RS512", "ES256"],
			},
		);
		return {
			alg: protectedHeader.alg,
			kid: protectedHeader.kid as string,
			jwks,
		};
	} finally {
		client.destroy();
	}
}

/** A database of `engine` for one test: a SQLite file under `name`, or a fresh schema. */
async function database(engine: StoreEngine, name: string): Promise<string> {
	if (engine === "sqlite") return join(dir, `${name}.db`);
	const schema = await freshSchema();
	after(() => schema.drop());
	return schema.url;
}

async function keysList(db: string, env: Record<string, string> = {}) {
	const r = await runIdpool(["keys", "list", "--db", db], { env });
	assert.equal(r.code, 0, r.stderr);
	return r.stdout.trim().split("\n");
}

for (const engine of STORE_ENGINES) {
	describeForEngine(engine, `ES256 keys (the built binary, ${engine})`, () => {
		test("EC keys are encrypted at rest, listed as ES256, rewrapped, and rotated as ES256", async () => {
			const db = await database(engine, "sealed-ec");
			const kek1 = randomBytes(32).toString("base64");
			const args = ["--port", "0", "--issuer", ISSUER, "--db", db];
			const s = await serveIdpool([...args, "--token-algorithm", "ES256"], {
				env: { IDPOOL_KEY_ENCRYPTION_KEY: kek1 },
			});
			assert.match(s.stdout(), /\n {2}tokens: +signed ES256 /);
			const first = await verifiedToken(s);
			assert.equal(first.alg, "ES256");
			assert.equal(await s.stop(), 0);
			if (engine === "sqlite") {
				assert.equal(readFileSync(db).includes("PRIVATE KEY"), false);
			}
			const [line, ...rest] = await keysList(db);
			assert.deepEqual(rest, []);
			assert.match(
				line as string,
				new RegExp(
					`^${first.kid} +ES256 +signing .* at rest: encrypted with key-encryption key [0-9a-f]{16}$`,
				),
			);

			// Rewrapped under a new key-encryption key, the EC key still signs.
			const kek2 = randomBytes(32).toString("base64");
			const rewrapped = await runIdpool(["keys", "rewrap", "--db", db], {
				env: { IDPOOL_KEY_ENCRYPTION_KEY: `${kek2},${kek1}` },
			});
			assert.equal(rewrapped.code, 0, rewrapped.stderr);
			assert.match(rewrapped.stdout, /^rewrapped: 1 signing key re-encrypted/);
			const again = await serveIdpool(args, {
				env: {
					IDPOOL_KEY_ENCRYPTION_KEY: kek2,
					IDPOOL_TOKEN_ALGORITHM: "ES256",
				},
			});
			const second = await verifiedToken(again);
			assert.deepEqual([second.alg, second.kid], ["ES256", first.kid]);
			assert.equal(await again.stop(), 0);

			// `keys rotate` makes a key of the configured kind.
			const rotated = await runIdpool(
				["keys", "rotate", "--db", db, "--token-algorithm", "ES256"],
				{ env: { IDPOOL_KEY_ENCRYPTION_KEY: kek2 } },
			);
			assert.equal(rotated.code, 0, rotated.stderr);
			assert.match(
				rotated.stdout,
				/^rotated: new key [\w-]{43}\n {2}ES256 \(--token-algorithm\); published now; signs from /,
			);
			const listed = await keysList(db);
			assert.equal(listed.length, 2);
			assert.match(
				listed[0] as string,
				/^[\w-]{43} +ES256 +signing .* retired /,
			);
			assert.match(
				listed[1] as string,
				/^[\w-]{43} +ES256 +pending .* at rest: encrypted with key-encryption key /,
			);
		});

		test("a restart with ES256 on RS512 keys rotates in an EC key; `keys rotate` with the default goes back to RS512", async () => {
			const db = await database(engine, "switch");
			const args = ["--port", "0", "--issuer", ISSUER, "--db", db];
			const rsa = await serveIdpool(args);
			assert.doesNotMatch(rsa.stdout(), /tokens:/);
			const before = await verifiedToken(rsa);
			assert.equal(before.alg, "RS512");
			assert.equal(await rsa.stop(), 0);

			const ec = await serveIdpool([...args, "--log-level", "info"], {
				env: { IDPOOL_TOKEN_ALGORITHM: "ES256" },
			});
			// Said in the log (at level info, before the banner).
			assert.match(ec.stdout(), /another algorithm than --token-algorithm/);
			// The EC key is published now and signs after the rotation delay: RS512 meanwhile.
			const during = await verifiedToken(ec);
			assert.deepEqual([during.alg, during.kid], ["RS512", before.kid]);
			assert.deepEqual(
				during.jwks.keys.map((k) => [k.kty, k.alg]),
				[
					["RSA", "RS512"],
					["EC", "ES256"],
				],
			);
			assert.equal(await ec.stop(), 0);
			const listed = await keysList(db);
			assert.match(
				listed[0] as string,
				/^[\w-]{43} +RS512 +signing .* retired /,
			);
			assert.match(listed[1] as string, /^[\w-]{43} +ES256 +pending /);

			const back = await runIdpool(["keys", "rotate", "--db", db]);
			assert.equal(back.code, 0, back.stderr);
			const now = await keysList(db);
			assert.equal(now.length, 3);
			assert.match(now[2] as string, /^[\w-]{43} +RS512 +pending /);
		});
	});
}

test("a token algorithm other than RS512 or ES256 is a one-line setting error", async () => {
	const r = await runIdpool([
		"serve",
		"--port",
		"0",
		"--db",
		":memory:",
		"--token-algorithm",
		"HS256",
	]);
	assert.equal(r.code, 2, r.stderr);
	assert.equal(
		r.stderr,
		"idpool: token algorithm must be RS512 or ES256, got 'HS256'\n",
	);
});
