/**
 * GetOpenIdToken (classic flow) and GetCredentialsForIdentity (enhanced flow) with federated
 * logins, through the official JS v3 client against a real server: the token's `amr` per
 * provider (docs/behaviour.md#amr) and its 10-minute lifetime, verified through the server's live
 * JWKS; the authenticated role and the stored credentials record (docs/behaviour.md#credentials); the proof an
 * identity with logins needs (docs/behaviour.md#getcredentialsforidentity and docs/behaviour.md#getopenidtoken).
 */
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import {
	GetCredentialsForIdentityCommand,
	GetOpenIdTokenCommand,
	GetOpenIdTokenForDeveloperIdentityCommand,
	SetIdentityPoolRolesCommand,
} from "@aws-sdk/client-cognito-identity";
import {
	fromCognitoIdentity,
	fromCognitoIdentityPool,
} from "@aws-sdk/credential-provider-cognito-identity";
import { createRemoteJWKSet, type JWTPayload, jwtVerify } from "jose";
import {
	AMAZON,
	AMAZON_APP,
	AUTH_ROLE,
	DEV,
	FACEBOOK,
	FACEBOOK_APP,
	GOOGLE,
	GOOGLE_CLIENT,
	MESSAGES,
	OIDC_ARN,
	OIDC_KEY,
	TWITTER,
	TWITTER_CONSUMER_KEY,
	UNAUTH_ROLE,
	useFederation,
} from "../support/federation.ts";
import { listAllIdentities } from "../support/identities.ts";
import { rejectsWith } from "../support/server.ts";

const NA = "NotAuthorizedException";

describe("GetOpenIdToken and GetCredentialsForIdentity with federated logins (JS v3 SDK)", () => {
	const f = useFederation();
	let poolId: string;
	let verify: (token: string, audience?: string) => Promise<JWTPayload>;
	before(async () => {
		poolId = await f.pool();
		const jwks = createRemoteJWKSet(new URL("/.well-known/jwks_uri", f.ts.url));
		verify = async (token, audience = poolId) =>
			(
				await jwtVerify(token, jwks, {
					issuer: f.ts.url,
					audience,
					algorithms: ["RS512"],
				})
			).payload;
	});

	describe("GetOpenIdToken", () => {
		test("each provider: a 10-minute token whose amr names the provider and the user", async () => {
			const up = f.userPool.providerName;
			// Every double's tokens can be presented again until they expire.
			const cases: [string, string, string][] = [
				[
					OIDC_KEY,
					await f.tokens.oidc("oidc-sub-1"),
					`${OIDC_ARN}:OIDC:oidc-sub-1`,
				],
				[
					up,
					await f.tokens.userPool("up-sub-1"),
					`${up}:CognitoSignIn:up-sub-1`,
				],
				[
					GOOGLE,
					await f.tokens.google("g-1"),
					`${GOOGLE}:${GOOGLE_CLIENT}:g-1`,
				],
				[
					FACEBOOK,
					f.tokens.facebook("fb-1"),
					`${FACEBOOK}:${FACEBOOK_APP}:fb-1`,
				],
				[
					AMAZON,
					f.tokens.amazon("amzn1.account.one"),
					`${AMAZON}:${AMAZON_APP}:amzn1.account.one`,
				],
				[
					TWITTER,
					f.tokens.twitter("4242"),
					`${TWITTER}:${TWITTER_CONSUMER_KEY}:4242`,
				],
			];
			for (const [key, login, qualified] of cases) {
				const id = await f.getId(poolId, { [key]: login });
				const out = await f.app.send(
					new GetOpenIdTokenCommand({
						IdentityId: id,
						Logins: { [key]: login },
					}),
				);
				assert.equal(out.IdentityId, id);
				const payload = await verify(out.Token as string);
				assert.equal(payload.sub, id, key);
				assert.deepEqual(payload.amr, ["authenticated", key, qualified], key);
				assert.equal((payload.exp as number) - (payload.iat as number), 600);
				assert.ok(
					Math.abs((payload.iat as number) * 1000 - Date.now()) < 10_000,
				);
				assert.equal(
					payload["https://cognito-identity.amazonaws.com/identity-pool-arn"],
					`arn:aws:cognito-identity:us-east-1:000000000000:identitypool/${poolId}`,
				);
			}
		});

		test("several logins: each adds its entries, in the order presented", async () => {
			const up = f.userPool.providerName;
			const id = await f.getId(poolId, {
				[up]: await f.tokens.userPool("multi-up"),
				[OIDC_KEY]: await f.tokens.oidc("multi-o"),
			});
			const out = await f.app.send(
				new GetOpenIdTokenCommand({
					IdentityId: id,
					Logins: {
						[OIDC_KEY]: await f.tokens.oidc("multi-o"),
						[up]: await f.tokens.userPool("multi-up"),
					},
				}),
			);
			const payload = await verify(out.Token as string);
			assert.deepEqual(payload.amr, [
				"authenticated",
				OIDC_KEY,
				`${OIDC_ARN}:OIDC:multi-o`,
				up,
				`${up}:CognitoSignIn:multi-up`,
			]);
		});

		test("an identity with logins: none of them presented is 'Logins don't match'; none at all is forbidden", async () => {
			const id = await f.getId(poolId, {
				[OIDC_KEY]: await f.tokens.oidc("proof-o"),
			});
			const other = await f.getId(poolId, {
				[GOOGLE]: await f.tokens.google("proof-g"),
			});
			for (const logins of [
				{ [GOOGLE]: await f.tokens.google("proof-new") },
				// Linked, but to another identity: not a proof, and no merge happens.
				{ [GOOGLE]: await f.tokens.google("proof-g") },
			]) {
				await rejectsWith(
					f.app.send(
						new GetOpenIdTokenCommand({ IdentityId: id, Logins: logins }),
					),
					NA,
					MESSAGES.loginsDontMatch,
				);
				await rejectsWith(
					f.app.send(
						new GetCredentialsForIdentityCommand({
							IdentityId: id,
							Logins: logins,
						}),
					),
					NA,
					MESSAGES.loginsDontMatch,
				);
			}
			assert.deepEqual(await f.loginsOf(id), [OIDC_KEY]);
			assert.deepEqual(await f.loginsOf(other), [GOOGLE]);
			const active = await listAllIdentities(f.admin, poolId, {
				hideDisabled: true,
			});
			assert.ok(active.some((i) => i.IdentityId === other));
			await rejectsWith(
				f.app.send(new GetOpenIdTokenCommand({ IdentityId: id })),
				NA,
				MESSAGES.forbidden(id),
			);
		});

		test("a guest's token says unauthenticated; after signing in, authenticated", async () => {
			const guest = await f.getId(poolId);
			const before = await f.app.send(
				new GetOpenIdTokenCommand({ IdentityId: guest }),
			);
			assert.deepEqual((await verify(before.Token as string)).amr, [
				"unauthenticated",
			]);
			const out = await f.app.send(
				new GetOpenIdTokenCommand({
					IdentityId: guest,
					Logins: { [FACEBOOK]: f.tokens.facebook("guest-fb") },
				}),
			);
			assert.equal(out.IdentityId, guest);
			assert.deepEqual((await verify(out.Token as string)).amr, [
				"authenticated",
				FACEBOOK,
				`${FACEBOOK}:${FACEBOOK_APP}:guest-fb`,
			]);
		});
	});

	describe("GetCredentialsForIdentity", () => {
		test("each provider: one-hour credentials for the authenticated role, recorded with the identity", async () => {
			for (const [key, login] of [
				[OIDC_KEY, () => f.tokens.oidc("cred-o")],
				[f.userPool.providerName, () => f.tokens.userPool("cred-up")],
				[GOOGLE, () => f.tokens.google("cred-g")],
				[FACEBOOK, () => f.tokens.facebook("cred-fb")],
				[AMAZON, () => f.tokens.amazon("amzn1.account.cred")],
				[TWITTER, () => f.tokens.twitter("777")],
			] as const) {
				const id = await f.getId(poolId, { [key]: await login() });
				const out = await f.app.send(
					new GetCredentialsForIdentityCommand({
						IdentityId: id,
						Logins: { [key]: await login() },
					}),
				);
				assert.equal(out.IdentityId, id, key);
				const c = out.Credentials;
				assert.match(c?.AccessKeyId ?? "", /^ASIA[A-Z2-7]{16}$/);
				const expires = c?.Expiration?.getTime() ?? 0;
				assert.ok(Math.abs(expires - (Date.now() + 3600_000)) < 10_000);
				const stored = await f.ts.server.store.credentials.get(
					c?.AccessKeyId as string,
				);
				assert.ok(stored, key);
				assert.equal(stored.roleArn, AUTH_ROLE, key);
				assert.equal(stored.identityId, id);
				assert.equal(stored.poolId, poolId);
				assert.equal(stored.accountId, "000000000000");
				assert.equal(stored.region, "us-east-1");
				assert.equal(stored.secretAccessKey, c?.SecretKey);
				assert.equal(stored.sessionToken, c?.SessionToken);
				assert.equal(stored.expiresAt, expires);
			}
		});

		test("an identity with logins and none presented: forbidden", async () => {
			const id = await f.getId(poolId, {
				[OIDC_KEY]: await f.tokens.oidc("no-logins"),
			});
			for (const input of [
				{ IdentityId: id },
				{ IdentityId: id, Logins: {} },
			]) {
				await rejectsWith(
					f.app.send(new GetCredentialsForIdentityCommand(input)),
					NA,
					MESSAGES.forbidden(id),
				);
			}
		});

		test("federated users of a pool without guests, and with the classic flow off", async () => {
			const noGuests = await f.pool({
				AllowUnauthenticatedIdentities: false,
				AllowClassicFlow: false,
			});
			const token = await f.tokens.oidc("enhanced-only");
			const id = await f.getId(noGuests, { [OIDC_KEY]: token });
			const out = await f.app.send(
				new GetCredentialsForIdentityCommand({
					IdentityId: id,
					Logins: { [OIDC_KEY]: token },
				}),
			);
			assert.equal(out.IdentityId, id);
			await rejectsWith(
				f.app.send(
					new GetOpenIdTokenCommand({
						IdentityId: id,
						Logins: { [OIDC_KEY]: token },
					}),
				),
				"InvalidParameterException",
				"Basic (classic) flow is not enabled, please use enhanced flow.",
			);
		});

		test("no authenticated role: InvalidIdentityPoolConfigurationException", async () => {
			const pool = await f.pool();
			await f.admin.send(
				new SetIdentityPoolRolesCommand({
					IdentityPoolId: pool,
					Roles: { unauthenticated: UNAUTH_ROLE },
				}),
			);
			const token = await f.tokens.google("no-role");
			const id = await f.getId(pool, { [GOOGLE]: token });
			await rejectsWith(
				f.app.send(
					new GetCredentialsForIdentityCommand({
						IdentityId: id,
						Logins: { [GOOGLE]: token },
					}),
				),
				"InvalidIdentityPoolConfigurationException",
				"Invalid identity pool configuration. Check assigned IAM roles for this pool.",
			);
		});

		test("this server's developer token proves the identity, and an external login presented with it is linked", async () => {
			const { IdentityId, Token } = await f.admin.send(
				new GetOpenIdTokenForDeveloperIdentityCommand({
					IdentityPoolId: poolId,
					Logins: { [DEV]: "dev-with-oidc" },
				}),
			);
			const out = await f.app.send(
				new GetCredentialsForIdentityCommand({
					IdentityId,
					Logins: {
						"cognito-identity.amazonaws.com": Token as string,
						[OIDC_KEY]: await f.tokens.oidc("dev-with-oidc"),
					},
				}),
			);
			assert.equal(out.IdentityId, IdentityId);
			assert.deepEqual(
				await f.loginsOf(IdentityId as string),
				[DEV, OIDC_KEY].sort(),
			);
			assert.equal(
				await f.getId(poolId, {
					[OIDC_KEY]: await f.tokens.oidc("dev-with-oidc"),
				}),
				IdentityId,
			);
		});

		test("the SDK's own credential providers with an external login", async () => {
			const clientConfig = { endpoint: f.ts.url, region: "us-east-1" };
			// The whole enhanced flow: GetId, then GetCredentialsForIdentity.
			const token = await f.tokens.userPool("sdk-provider");
			const fromPool = await fromCognitoIdentityPool({
				clientConfig,
				identityPoolId: poolId,
				logins: { [f.userPool.providerName]: token },
			})();
			assert.match(fromPool.accessKeyId, /^ASIA/);
			const id = fromPool.identityId;
			assert.equal(
				await f.getId(poolId, { [f.userPool.providerName]: token }),
				id,
			);
			const stored = await f.ts.server.store.credentials.get(
				fromPool.accessKeyId,
			);
			assert.equal(stored?.roleArn, AUTH_ROLE);
			assert.equal(stored?.identityId, id);
			const fromId = await fromCognitoIdentity({
				clientConfig,
				identityId: id,
				logins: { [f.userPool.providerName]: token },
			})();
			assert.equal(fromId.identityId, id);
			assert.ok(fromId.sessionToken);
		});
	});
});
