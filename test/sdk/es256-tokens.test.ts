/**
 * `--token-algorithm ES256` end to end (docs/keys.md#es256), through the official SDK clients
 * on a real socket, on each store engine: the tokens of GetOpenIdTokenForDeveloperIdentity and
 * GetOpenIdToken verified by jose against the live JWKS, the EC key it publishes, discovery,
 * the STS endpoint and GetCredentialsForIdentity accepting them, the metrics' label; and a
 * switch from RS512 to ES256 across a restart on the same database.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
	CreateIdentityPoolCommand,
	GetCredentialsForIdentityCommand,
	GetIdCommand,
	GetOpenIdTokenCommand,
	GetOpenIdTokenForDeveloperIdentityCommand,
	SetIdentityPoolRolesCommand,
} from "@aws-sdk/client-cognito-identity";
import {
	AssumeRoleWithWebIdentityCommand,
	GetCallerIdentityCommand,
} from "@aws-sdk/client-sts";
import {
	calculateJwkThumbprint,
	createRemoteJWKSet,
	decodeProtectedHeader,
	jwtVerify,
} from "jose";
import { FakeClock } from "../../src/lib/clock.ts";
import { scrape } from "../support/metrics.ts";
import { freshSchema } from "../support/postgres.ts";
import {
	type ServerFixture,
	type ServerOptions,
	stsClient,
	useServer,
} from "../support/server.ts";
import {
	describeForEngine,
	STORE_ENGINES,
	type StoreEngine,
} from "../support/stores.ts";

const DEV = "login.example.app";
const AUTH = "arn:aws:iam::000000000000:role/Cognito_Auth";
const UNAUTH = "arn:aws:iam::000000000000:role/Cognito_Unauth";

/** A server on `engine` with `options` (a fresh PostgreSQL schema, dropped afterwards). */
function serverOn(engine: StoreEngine, options: ServerOptions): ServerFixture {
	let schema: Awaited<ReturnType<typeof freshSchema>> | undefined;
	const t = useServer(async () => {
		if (engine === "sqlite") return options;
		schema = await freshSchema();
		return { ...options, config: { ...options.config, db: schema.url } };
	});
	after(() => schema?.drop());
	return t;
}

async function newPool(t: ServerFixture): Promise<string> {
	const pool = await t.client.send(
		new CreateIdentityPoolCommand({
			IdentityPoolName: "es256",
			AllowUnauthenticatedIdentities: true,
			DeveloperProviderName: DEV,
		}),
	);
	const poolId = pool.IdentityPoolId as string;
	await t.client.send(
		new SetIdentityPoolRolesCommand({
			IdentityPoolId: poolId,
			Roles: { authenticated: AUTH, unauthenticated: UNAUTH },
		}),
	);
	return poolId;
}

function developerToken(t: ServerFixture, poolId: string, user: string) {
	return t.client.send(
		new GetOpenIdTokenForDeveloperIdentityCommand({
			IdentityPoolId: poolId,
			Logins: { [DEV]: user },
		}),
	);
}

/** Verifies as a relying party does: the live JWKS (fetched anew), issuer, audience. */
function verify(
	t: ServerFixture,
	token: string,
	poolId: string,
	algorithms = ["ES256"],
	issuer = t.url,
) {
	return jwtVerify(
		token,
		createRemoteJWKSet(new URL("/.well-known/jwks_uri", t.url)),
		{ issuer, audience: poolId, algorithms },
	);
}

async function getJson(url: string): Promise<Record<string, unknown>> {
	const response = await fetch(url);
	assert.equal(response.status, 200);
	return (await response.json()) as Record<string, unknown>;
}

for (const engine of STORE_ENGINES) {
	describeForEngine(engine, `ES256 tokens (${engine})`, () => {
		const t = serverOn(engine, { config: { tokenAlgorithm: "ES256" } });
		let poolId: string;
		before(async () => {
			poolId = await newPool(t);
		});

		test("the JWKS holds one P-256 key with alg ES256; discovery lists ES256 only", async () => {
			const jwks = await getJson(`${t.url}/.well-known/jwks_uri`);
			const keys = jwks.keys as Record<string, string>[];
			assert.equal(keys.length, 1);
			const [key] = keys;
			assert.ok(key);
			assert.deepEqual(Object.keys(key).sort(), [
				"alg",
				"crv",
				"kid",
				"kty",
				"use",
				"x",
				"y",
			]);
			assert.equal(key.kty, "EC");
			assert.equal(key.crv, "P-256");
			assert.equal(key.alg, "ES256");
			assert.equal(key.use, "sig");
			assert.equal(
				key.kid,
				await calculateJwkThumbprint({
					kty: "EC",
					crv: key.crv,
					x: key.x as string,
					y: key.y as string,
				}),
			);
			assert.deepEqual(await getJson(`${t.url}/.well-known/jwks.json`), jwks);
			const discovery = await getJson(
				`${t.url}/.well-known/openid-configuration`,
			);
			assert.deepEqual(discovery.id_token_signing_alg_values_supported, [
				"ES256",
			]);
		});

		test("GetOpenIdTokenForDeveloperIdentity's token is ES256, kid the thumbprint, verified by jose", async () => {
			const out = await developerToken(t, poolId, "alice");
			const { payload, protectedHeader } = await verify(
				t,
				out.Token as string,
				poolId,
			);
			const jwks = await getJson(`${t.url}/.well-known/jwks_uri`);
			const [key] = jwks.keys as { kid: string }[];
			assert.deepEqual(protectedHeader, {
				kid: key?.kid,
				typ: "JWS",
				alg: "ES256",
			});
			assert.equal(payload.sub, out.IdentityId);
			assert.equal(payload.aud, poolId);
			assert.equal((payload.amr as string[])[0], "authenticated");
			// The same token is refused by a verifier that accepts RS512 only.
			await assert.rejects(
				verify(t, out.Token as string, poolId, ["RS512"]),
				/alg/,
			);
		});

		test("GetOpenIdToken's token is ES256 and verified by jose", async () => {
			const { IdentityId } = await t.app.send(
				new GetIdCommand({ IdentityPoolId: poolId }),
			);
			const { Token } = await t.app.send(
				new GetOpenIdTokenCommand({ IdentityId }),
			);
			const { payload, protectedHeader } = await verify(
				t,
				Token as string,
				poolId,
			);
			assert.equal(protectedHeader.alg, "ES256");
			assert.equal(payload.sub, IdentityId);
			assert.deepEqual(payload.amr, ["unauthenticated"]);
		});

		test("the STS endpoint's AssumeRoleWithWebIdentity accepts an ES256 token", async () => {
			const out = await developerToken(t, poolId, "bob");
			const sts = stsClient(t.url);
			try {
				const assumed = await sts.send(
					new AssumeRoleWithWebIdentityCommand({
						RoleArn: AUTH,
						RoleSessionName: "es256-session",
						WebIdentityToken: out.Token as string,
					}),
				);
				assert.equal(assumed.SubjectFromWebIdentityToken, out.IdentityId);
				const client = stsClient(t.url, {
					issued: {
						AccessKeyId: assumed.Credentials?.AccessKeyId,
						SecretKey: assumed.Credentials?.SecretAccessKey,
						SessionToken: assumed.Credentials?.SessionToken,
					},
				});
				const me = await client.send(new GetCallerIdentityCommand({}));
				client.destroy();
				assert.equal(
					me.Arn,
					"arn:aws:sts::000000000000:assumed-role/Cognito_Auth/es256-session",
				);
			} finally {
				sts.destroy();
			}
		});

		test("GetCredentialsForIdentity accepts the ES256 token as its cognito-identity.amazonaws.com login", async () => {
			const out = await developerToken(t, poolId, "carol");
			const { Credentials, IdentityId } = await t.app.send(
				new GetCredentialsForIdentityCommand({
					IdentityId: out.IdentityId,
					Logins: { "cognito-identity.amazonaws.com": out.Token as string },
				}),
			);
			assert.equal(IdentityId, out.IdentityId);
			assert.match(Credentials?.AccessKeyId ?? "", /^ASIA/);
		});

		test("the metrics count and time the tokens under alg ES256, none under RS512", async () => {
			const m = await scrape(t.url);
			const es256 = m.value("idpool_tokens_issued_total", { alg: "ES256" });
			assert.ok(es256 !== undefined && es256 >= 4, `ES256 count ${es256}`);
			assert.equal(
				m.value("idpool_token_signing_seconds_count", { alg: "ES256" }),
				es256,
			);
			assert.equal(
				m.value("idpool_tokens_issued_total", { alg: "RS512" }),
				undefined,
			);
		});
	});

	describeForEngine(
		engine,
		`RS512 to ES256 across a restart (${engine})`,
		() => {
			// The key ring's time: the switch's key signs a rotation delay (twice the reload
			// interval, 60 s) after the restart, which the test reaches by moving this clock.
			const clock = new FakeClock();
			// A fixed issuer: a restart listens on another port.
			const issuer = "https://idpool.example.test";
			const t = serverOn(engine, { clock, config: { issuer } });

			test("old tokens keep verifying, both keys are published, new tokens are ES256 once the new key activates", async () => {
				const poolId = await newPool(t);
				const before = await developerToken(t, poolId, "dave");
				const oldHeader = decodeProtectedHeader(before.Token as string);
				assert.equal(oldHeader.alg, "RS512");

				await t.restart({ config: { tokenAlgorithm: "ES256" } });

				const jwks = await getJson(`${t.url}/.well-known/jwks_uri`);
				const keys = jwks.keys as { kid: string; kty: string; alg: string }[];
				assert.deepEqual(
					keys.map((k) => [k.kty, k.alg]),
					[
						["RSA", "RS512"],
						["EC", "ES256"],
					],
				);
				assert.equal(keys[0]?.kid, oldHeader.kid);
				const discovery = await getJson(
					`${t.url}/.well-known/openid-configuration`,
				);
				assert.deepEqual(discovery.id_token_signing_alg_values_supported, [
					"RS512",
					"ES256",
				]);
				// The token issued before the restart verifies against the live JWKS.
				const old = await verify(
					t,
					before.Token as string,
					poolId,
					["RS512"],
					issuer,
				);
				assert.equal(old.payload.sub, before.IdentityId);

				// Until the EC key activates (verifiers caching the JWKS must see it first), the
				// RSA key still signs.
				const during = await developerToken(t, poolId, "dave");
				assert.equal(
					decodeProtectedHeader(during.Token as string).alg,
					"RS512",
				);

				clock.advanceBy(61_000);
				const after = await developerToken(t, poolId, "dave");
				const { protectedHeader } = await verify(
					t,
					after.Token as string,
					poolId,
					["ES256"],
					issuer,
				);
				assert.equal(protectedHeader.alg, "ES256");
				assert.equal(protectedHeader.kid, keys[1]?.kid);
				assert.equal(after.IdentityId, before.IdentityId);
				// Both kinds stay published: the RSA key until its last token has expired.
				const later = await getJson(`${t.url}/.well-known/jwks_uri`);
				assert.equal((later.keys as unknown[]).length, 2);
				await verify(t, before.Token as string, poolId, ["RS512"], issuer);

				// A second restart with ES256 finds the switch done: no further key.
				await t.restart();
				const again = await getJson(`${t.url}/.well-known/jwks_uri`);
				assert.equal((again.keys as unknown[]).length, 2);
			});
		},
	);
}
