import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
	type CognitoIdentityClient,
	CreateIdentityPoolCommand,
	DeleteIdentityPoolCommand,
	GetPrincipalTagAttributeMapCommand,
	type GetPrincipalTagAttributeMapInput,
	SetPrincipalTagAttributeMapCommand,
} from "@aws-sdk/client-cognito-identity";
import { TWO_ACCOUNTS } from "../support/identities.ts";
import { raw } from "../support/raw.ts";
import { rejectsWith, useServer, withServer } from "../support/server.ts";

const USER_POOL = "cognito-idp.us-east-1.amazonaws.com/us-east-1_Abc";
const OIDC = "arn:aws:iam::000000000000:oidc-provider/oidc.example.com";
const SAML = "arn:aws:iam::000000000000:saml-provider/corp";
const FACEBOOK = "graph.facebook.com";
const AMAZON = "www.amazon.com";
const NAMES = [FACEBOOK, AMAZON, USER_POOL, OIDC, SAML];

describe("GetPrincipalTagAttributeMap (JS v3 SDK)", () => {
	const t = useServer({
		credentials: TWO_ACCOUNTS,
	});

	async function fullPool(
		c: CognitoIdentityClient = t.client,
	): Promise<string> {
		const out = await c.send(
			new CreateIdentityPoolCommand({
				IdentityPoolName: "tags",
				AllowUnauthenticatedIdentities: true,
				SupportedLoginProviders: {
					[FACEBOOK]: "7346241598935555",
					[AMAZON]: "amzn1.application.0123",
				},
				DeveloperProviderName: "login.example.app",
				CognitoIdentityProviders: [
					{ ProviderName: USER_POOL, ClientId: "client1" },
				],
				OpenIdConnectProviderARNs: [OIDC],
				SamlProviderARNs: [SAML],
			}),
		);
		return out.IdentityPoolId as string;
	}

	async function get(
		poolId: string,
		provider: string,
		c: CognitoIdentityClient = t.client,
	) {
		const { $metadata, ...out } = await c.send(
			new GetPrincipalTagAttributeMapCommand({
				IdentityPoolId: poolId,
				IdentityProviderName: provider,
			}),
		);
		assert.equal($metadata.httpStatusCode, 200);
		return out;
	}

	function set(
		poolId: string,
		provider: string,
		useDefaults: boolean | undefined,
		tags?: Record<string, string>,
	) {
		return t.client.send(
			new SetPrincipalTagAttributeMapCommand({
				IdentityPoolId: poolId,
				IdentityProviderName: provider,
				...(useDefaults === undefined ? {} : { UseDefaults: useDefaults }),
				...(tags === undefined ? {} : { PrincipalTags: tags }),
			}),
		);
	}

	test("a configured provider never set is inactive: UseDefaults false, PrincipalTags {}", async () => {
		const id = await fullPool();
		for (const name of NAMES) {
			assert.deepEqual(await get(id, name), {
				IdentityPoolId: id,
				IdentityProviderName: name,
				UseDefaults: false,
				PrincipalTags: {},
			});
		}
	});

	test("the wire answer has exactly the four members", async () => {
		const id = await fullPool();
		const res = await raw(t.url, {
			target: "AWSCognitoIdentityService.GetPrincipalTagAttributeMap",
			body: JSON.stringify({
				IdentityPoolId: id,
				IdentityProviderName: FACEBOOK,
			}),
			sign: true,
		});
		assert.equal(res.status, 200);
		assert.equal(
			res.text,
			JSON.stringify({
				IdentityPoolId: id,
				IdentityProviderName: FACEBOOK,
				UseDefaults: false,
				PrincipalTags: {},
			}),
		);
	});

	test("defaults are reported populated; Amazon's with user_id", async () => {
		const id = await fullPool();
		for (const name of NAMES) await set(id, name, true);
		for (const name of NAMES) {
			assert.deepEqual(await get(id, name), {
				IdentityPoolId: id,
				IdentityProviderName: name,
				UseDefaults: true,
				PrincipalTags:
					name === AMAZON
						? { username: "user_id", client: "aud" }
						: { username: "sub", client: "aud" },
			});
		}
	});

	test("a custom map is answered as set, in its order", async () => {
		const id = await fullPool();
		const tags = { z: "custom:z", a: "sub", m: "email" };
		await set(id, SAML, false, tags);
		const out = await get(id, SAML);
		assert.deepEqual(out.PrincipalTags, tags);
		assert.deepEqual(Object.keys(out.PrincipalTags ?? {}), ["z", "a", "m"]);
		assert.equal(out.UseDefaults, false);
	});

	test("maps belong to their pool", async () => {
		const a = await fullPool();
		const b = await fullPool();
		await set(a, USER_POOL, false, { tenant: "custom:tenant" });
		assert.deepEqual((await get(b, USER_POOL)).PrincipalTags, {});
		assert.deepEqual((await get(a, USER_POOL)).PrincipalTags, {
			tenant: "custom:tenant",
		});
	});

	test("a provider that is not configured on the pool is ResourceNotFoundException", async () => {
		const id = await fullPool();
		for (const name of [
			"login.example.app",
			"cognito-identity.amazonaws.com",
			`${USER_POOL}:client1`,
			"oidc.example.com",
			"accounts.google.com",
			"https://graph.facebook.com",
			"WWW.AMAZON.COM",
		]) {
			await rejectsWith(
				get(id, name),
				"ResourceNotFoundException",
				`Identity provider '${name}' is not configured for identity pool '${id}'.`,
			);
		}
	});

	test("an unknown or deleted pool is ResourceNotFoundException with AWS's message", async () => {
		const unknown = "us-east-1:00000000-0000-4000-8000-000000000000";
		await rejectsWith(
			get(unknown, FACEBOOK),
			"ResourceNotFoundException",
			`IdentityPool '${unknown}' not found.`,
		);
		const id = await fullPool();
		await set(id, FACEBOOK, true);
		await t.client.send(new DeleteIdentityPoolCommand({ IdentityPoolId: id }));
		await rejectsWith(
			get(id, FACEBOOK),
			"ResourceNotFoundException",
			`IdentityPool '${id}' not found.`,
		);
	});

	test("a pool of another account or region is not found", async () => {
		const id = await fullPool();
		await set(id, OIDC, false, { repo: "repository" });
		const other = t.sdk({
			accessKeyId: "other",
			secretAccessKey: "other-secret",
		});
		const eu = t.sdk({ region: "eu-west-1" });
		for (const c of [other, eu]) {
			await rejectsWith(
				get(id, OIDC, c),
				"ResourceNotFoundException",
				`IdentityPool '${id}' not found.`,
			);
		}
	});

	test("IdentityProviderName is required; the pool id must be well formed (model)", async () => {
		const id = await fullPool();
		await rejectsWith(
			t.client.send(
				new GetPrincipalTagAttributeMapCommand({
					IdentityPoolId: id,
				} as GetPrincipalTagAttributeMapInput),
			),
			"ValidationException",
			"1 validation error detected: Value null at 'identityProviderName' failed to satisfy constraint: Member must not be null",
		);
		await rejectsWith(
			get("eu*******q6", FACEBOOK),
			"ValidationException",
			"1 validation error detected: Value 'eu*******q6' at 'identityPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+:[0-9a-f-]+",
		);
	});

	test("maps survive a restart", async () => {
		await withServer(async (t) => {
			const id = await fullPool(t.client);
			await t.client.send(
				new SetPrincipalTagAttributeMapCommand({
					IdentityPoolId: id,
					IdentityProviderName: USER_POOL,
					PrincipalTags: { tenant: "custom:tenant", who: "sub" },
				}),
			);
			await t.client.send(
				new SetPrincipalTagAttributeMapCommand({
					IdentityPoolId: id,
					IdentityProviderName: AMAZON,
					UseDefaults: true,
				}),
			);
			await t.restart();
			assert.deepEqual((await get(id, USER_POOL, t.client)).PrincipalTags, {
				tenant: "custom:tenant",
				who: "sub",
			});
			assert.deepEqual(await get(id, AMAZON, t.client), {
				IdentityPoolId: id,
				IdentityProviderName: AMAZON,
				UseDefaults: true,
				PrincipalTags: { username: "user_id", client: "aud" },
			});
		});
	});
});
