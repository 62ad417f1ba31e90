/**
 * GetId with federated logins through the official JS v3 client (unsigned), against a real
 * server whose providers are the doubles of test/support/fake-idp.ts: for each provider, the
 * same user finds the same identity, a new user gets a new authenticated identity, and
 * DescribeIdentity names the provider (docs/behaviour.md#getid and docs/behaviour.md#federation).
 */
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { ListIdentitiesCommand } from "@aws-sdk/client-cognito-identity";
import { startFakeOidc } from "../support/fake-idp.ts";
import {
	AMAZON,
	AMAZON_CLIENT,
	FACEBOOK,
	GOOGLE,
	OIDC_CLIENT,
	OIDC_KEY,
	TWITTER,
	USER_POOL_CLIENT,
	useFederation,
	withFederation,
} from "../support/federation.ts";

describe("GetId with federated logins (JS v3 SDK, unsigned)", () => {
	const f = useFederation();
	let poolId: string;
	before(async () => {
		poolId = await f.pool();
	});

	/** Every provider: its `Logins` key and a fresh login value for a user. */
	const providers = (): [
		string,
		(user: string) => Promise<string> | string,
	][] => [
		[OIDC_KEY, (u) => f.tokens.oidc(u)],
		[f.userPool.providerName, (u) => f.tokens.userPool(u)],
		[GOOGLE, (u) => f.tokens.google(u)],
		[FACEBOOK, (u) => f.tokens.facebook(u)],
		[AMAZON, (u) => f.tokens.amazon(`amzn1.account.${u}`)],
		[TWITTER, (u) => f.tokens.twitter(u.replace(/\D/g, "") || "42")],
	];

	test("each provider: the same user finds the same identity, another user a new one", async () => {
		const seen = new Set<string>();
		for (const [key, login] of providers()) {
			const first = await f.getId(poolId, { [key]: await login("1001") });
			assert.match(first, /^us-east-1:[0-9a-f-]{36}$/, key);
			// A new token of the same user (every double issues a fresh one).
			const again = await f.getId(poolId, { [key]: await login("1001") });
			assert.equal(again, first, `${key}: same user, same identity`);
			const other = await f.getId(poolId, { [key]: await login("2002") });
			assert.notEqual(other, first, `${key}: another user, another identity`);
			assert.deepEqual(await f.loginsOf(first), [key]);
			assert.deepEqual(await f.loginsOf(other), [key]);
			for (const id of [first, other]) {
				assert.ok(!seen.has(id), `${key}: identities are not shared`);
				seen.add(id);
			}
		}
		// Twelve authenticated identities, all active.
		const listed = await f.admin.send(
			new ListIdentitiesCommand({
				IdentityPoolId: poolId,
				MaxResults: 60,
				HideDisabled: true,
			}),
		);
		assert.deepEqual(
			new Set(listed.Identities?.map((i) => i.IdentityId)),
			seen,
		);
	});

	test("the same user of one provider in two pools has one identity per pool", async () => {
		const other = await f.pool();
		const token = await f.tokens.oidc("shared-user");
		const a = await f.getId(poolId, { [OIDC_KEY]: token });
		const b = await f.getId(other, { [OIDC_KEY]: token });
		assert.notEqual(a, b);
		assert.equal(a.split(":")[0], "us-east-1");
	});

	test("a user pool token's subject, not its username, names the user", async () => {
		const a = await f.getId(poolId, {
			[f.userPool.providerName]: await f.tokens.userPool("sub-a", {
				username: "alice",
			}),
		});
		const b = await f.getId(poolId, {
			[f.userPool.providerName]: await f.tokens.userPool("sub-a", {
				username: "alice-renamed",
			}),
		});
		assert.equal(a, b);
	});

	test("an OpenID Connect provider whose token's azp names the client is accepted whatever aud says", async () => {
		const id = await f.getId(poolId, {
			[OIDC_KEY]: await f.tokens.oidc("azp-user", {
				aud: ["some-api", "another-api"],
				azp: OIDC_CLIENT,
			}),
		});
		assert.deepEqual(await f.loginsOf(id), [OIDC_KEY]);
	});

	test("a user pool listed with two app clients accepts the ID tokens of both", async () => {
		const twoClients = await f.pool({
			CognitoIdentityProviders: [
				{ ProviderName: f.userPool.providerName, ClientId: USER_POOL_CLIENT },
				{ ProviderName: f.userPool.providerName, ClientId: "secondclient" },
			],
		});
		const a = await f.getId(twoClients, {
			[f.userPool.providerName]: await f.tokens.userPool("two-clients"),
		});
		const b = await f.getId(twoClients, {
			[f.userPool.providerName]: await f.tokens.userPool("two-clients", {
				aud: "secondclient",
			}),
		});
		assert.equal(a, b);
	});

	test("Login with Amazon: the pool may name the client id instead of the app id", async () => {
		const byClient = await f.pool({
			SupportedLoginProviders: { [AMAZON]: AMAZON_CLIENT },
		});
		const a = await f.getId(byClient, {
			[AMAZON]: f.tokens.amazon("amzn1.account.by-client"),
		});
		assert.deepEqual(await f.loginsOf(a), [AMAZON]);
	});

	test("an OpenID Connect token with several audiences, one of them the client", async () => {
		const id = await f.getId(poolId, {
			[OIDC_KEY]: await f.tokens.oidc("multi-aud", {
				aud: ["other-api", OIDC_CLIENT],
			}),
		});
		assert.deepEqual(await f.loginsOf(id), [OIDC_KEY]);
	});

	test("Google's bare issuer form accounts.google.com is accepted too", async () => {
		const a = await f.getId(poolId, {
			[GOOGLE]: await f.tokens.google("g-bare", { iss: "accounts.google.com" }),
		});
		const b = await f.getId(poolId, {
			[GOOGLE]: await f.tokens.google("g-bare"),
		});
		assert.equal(a, b);
	});
});

describe("GetId with an OpenID Connect provider found through its discovery document", () => {
	test("a loopback issuer configured with client ids only: discovery, then its JWKS", async () => {
		const local = await startFakeOidc({ issuerPath: "realms/dev" });
		try {
			await withFederation(
				{ extraProviders: { [local.host]: { clientIds: ["dev-app"] } } },
				async (f) => {
					const poolId = await f.pool({
						OpenIdConnectProviderARNs: [
							`arn:aws:iam::000000000000:oidc-provider/${local.host}`,
						],
					});
					const token = await local.mint({ sub: "kc-user", aud: "dev-app" });
					const a = await f.getId(poolId, { [local.host]: token });
					const b = await f.getId(poolId, {
						[local.host]: await local.mint({ sub: "kc-user", aud: "dev-app" }),
					});
					assert.equal(a, b);
					assert.deepEqual(await f.loginsOf(a), [local.host]);
					const paths = local.requests.map((r) => r.split("?")[0]);
					assert.ok(
						paths.includes("/realms/dev/.well-known/openid-configuration"),
					);
					assert.ok(paths.includes("/realms/dev/.well-known/jwks.json"));
				},
			);
		} finally {
			await local.close();
		}
	});
});
