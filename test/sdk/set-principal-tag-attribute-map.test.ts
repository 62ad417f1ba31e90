import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
	type CognitoIdentityClient,
	CreateIdentityPoolCommand,
	GetPrincipalTagAttributeMapCommand,
	SetPrincipalTagAttributeMapCommand,
	type SetPrincipalTagAttributeMapInput,
	UpdateIdentityPoolCommand,
} from "@aws-sdk/client-cognito-identity";
import { TWO_ACCOUNTS } from "../support/identities.ts";
import { rejectsWith, useServer } from "../support/server.ts";

const USER_POOL = "cognito-idp.us-east-1.amazonaws.com/us-east-1_Abc";
const OIDC = "arn:aws:iam::000000000000:oidc-provider/oidc.example.com";
const SAML = "arn:aws:iam::000000000000:saml-provider/corp";
const GOOGLE = "accounts.google.com";
const AMAZON = "www.amazon.com";
const DEFAULTS = { username: "sub", client: "aud" };

describe("SetPrincipalTagAttributeMap (JS v3 SDK)", () => {
	const t = useServer({
		credentials: TWO_ACCOUNTS,
	});

	/** A pool with a provider of every kind that can have a map. */
	async function fullPool(): Promise<string> {
		const out = await t.client.send(
			new CreateIdentityPoolCommand({
				IdentityPoolName: "tags",
				AllowUnauthenticatedIdentities: false,
				SupportedLoginProviders: {
					[GOOGLE]: "google-client.apps.googleusercontent.com",
					[AMAZON]: "amzn1.application.0123",
				},
				DeveloperProviderName: "login.example.app",
				CognitoIdentityProviders: [
					{ ProviderName: USER_POOL, ClientId: "client1" },
					{ ProviderName: USER_POOL, ClientId: "client2" },
				],
				OpenIdConnectProviderARNs: [OIDC],
				SamlProviderARNs: [SAML],
			}),
		);
		return out.IdentityPoolId as string;
	}

	async function set(
		input: Omit<SetPrincipalTagAttributeMapInput, "IdentityPoolId"> & {
			IdentityPoolId: string;
		},
		c: CognitoIdentityClient = t.client,
	) {
		const { $metadata, ...out } = await c.send(
			new SetPrincipalTagAttributeMapCommand(input),
		);
		assert.equal($metadata.httpStatusCode, 200);
		return out;
	}

	async function get(poolId: string, provider: string) {
		const { $metadata: _, ...out } = await t.client.send(
			new GetPrincipalTagAttributeMapCommand({
				IdentityPoolId: poolId,
				IdentityProviderName: provider,
			}),
		);
		return out;
	}

	test("a custom map is stored and answered as now in force, in the caller's order", async () => {
		const id = await fullPool();
		const tags = { tenant: "custom:tenant", actor: "sub", email: "email" };
		const out = await set({
			IdentityPoolId: id,
			IdentityProviderName: USER_POOL,
			UseDefaults: false,
			PrincipalTags: tags,
		});
		const expected = {
			IdentityPoolId: id,
			IdentityProviderName: USER_POOL,
			UseDefaults: false,
			PrincipalTags: tags,
		};
		assert.deepEqual(out, expected);
		assert.deepEqual(Object.keys(out.PrincipalTags ?? {}), Object.keys(tags));
		assert.deepEqual(await get(id, USER_POOL), expected);
	});

	test("every name (docs/behaviour.md#federation) of a configured provider is accepted, each with its own map", async () => {
		const id = await fullPool();
		const names = [GOOGLE, AMAZON, USER_POOL, OIDC, SAML];
		for (const [i, name] of names.entries()) {
			await set({
				IdentityPoolId: id,
				IdentityProviderName: name,
				PrincipalTags: { [`tag${i}`]: `claim${i}` },
			});
		}
		for (const [i, name] of names.entries()) {
			assert.deepEqual(await get(id, name), {
				IdentityPoolId: id,
				IdentityProviderName: name,
				UseDefaults: false,
				PrincipalTags: { [`tag${i}`]: `claim${i}` },
			});
		}
	});

	test("UseDefaults true answers the default map; Amazon's uses user_id", async () => {
		const id = await fullPool();
		for (const name of [GOOGLE, USER_POOL, OIDC, SAML]) {
			const out = await set({
				IdentityPoolId: id,
				IdentityProviderName: name,
				UseDefaults: true,
			});
			assert.deepEqual(out, {
				IdentityPoolId: id,
				IdentityProviderName: name,
				UseDefaults: true,
				PrincipalTags: DEFAULTS,
			});
			assert.deepEqual(await get(id, name), out);
		}
		const amazon = await set({
			IdentityPoolId: id,
			IdentityProviderName: AMAZON,
			UseDefaults: true,
		});
		assert.deepEqual(amazon.PrincipalTags, {
			username: "user_id",
			client: "aud",
		});
		assert.deepEqual(await get(id, AMAZON), amazon);
	});

	test("UseDefaults true with a custom map keeps the defaults in force and drops the map", async () => {
		const id = await fullPool();
		const out = await set({
			IdentityPoolId: id,
			IdentityProviderName: OIDC,
			UseDefaults: true,
			PrincipalTags: { tenant: "custom:tenant" },
		});
		assert.equal(out.UseDefaults, true);
		assert.deepEqual(out.PrincipalTags, DEFAULTS);
		// Switching the defaults off again does not bring the dropped map back.
		const off = await set({
			IdentityPoolId: id,
			IdentityProviderName: OIDC,
			UseDefaults: false,
		});
		assert.deepEqual(off.PrincipalTags, {});
	});

	test("Terraform's delete (UseDefaults true, PrincipalTags {}) is accepted", async () => {
		const id = await fullPool();
		await set({
			IdentityPoolId: id,
			IdentityProviderName: USER_POOL,
			PrincipalTags: { a: "b" },
		});
		const out = await set({
			IdentityPoolId: id,
			IdentityProviderName: USER_POOL,
			UseDefaults: true,
			PrincipalTags: {},
		});
		assert.deepEqual(out.PrincipalTags, DEFAULTS);
	});

	test("UseDefaults false with {} (or both omitted) makes the provider inactive again", async () => {
		const id = await fullPool();
		for (const inactive of [
			{ UseDefaults: false, PrincipalTags: {} },
			{ UseDefaults: false },
			{ PrincipalTags: {} },
			{},
		]) {
			await set({
				IdentityPoolId: id,
				IdentityProviderName: GOOGLE,
				PrincipalTags: { a: "sub" },
			});
			const out = await set({
				IdentityPoolId: id,
				IdentityProviderName: GOOGLE,
				...inactive,
			});
			const expected = {
				IdentityPoolId: id,
				IdentityProviderName: GOOGLE,
				UseDefaults: false,
				PrincipalTags: {},
			};
			assert.deepEqual(out, expected);
			assert.deepEqual(await get(id, GOOGLE), expected);
		}
	});

	test("a set replaces that provider's map whole and leaves the others", async () => {
		const id = await fullPool();
		await set({
			IdentityPoolId: id,
			IdentityProviderName: SAML,
			PrincipalTags: { a: "x", b: "y" },
		});
		await set({
			IdentityPoolId: id,
			IdentityProviderName: GOOGLE,
			UseDefaults: true,
		});
		await set({
			IdentityPoolId: id,
			IdentityProviderName: SAML,
			PrincipalTags: { c: "z" },
		});
		assert.deepEqual((await get(id, SAML)).PrincipalTags, { c: "z" });
		assert.deepEqual(await get(id, GOOGLE), {
			IdentityPoolId: id,
			IdentityProviderName: GOOGLE,
			UseDefaults: true,
			PrincipalTags: DEFAULTS,
		});
	});

	test("a provider that is not configured on the pool is ResourceNotFoundException", async () => {
		const id = await fullPool();
		for (const name of [
			// The developer provider and this server's own issuer have no map.
			"login.example.app",
			"cognito-identity.amazonaws.com",
			// A user pool is named without its client; another user pool.
			`${USER_POOL}:client1`,
			"cognito-idp.us-east-1.amazonaws.com/us-east-1_Other",
			// OIDC by its issuer host instead of its ARN; an unlisted ARN.
			"oidc.example.com",
			"arn:aws:iam::000000000000:oidc-provider/other.example.com",
			"arn:aws:iam::000000000000:saml-provider/other",
			// Not configured; a URL; names are exact.
			"graph.facebook.com",
			"https://accounts.google.com",
			"Accounts.google.com",
		]) {
			await rejectsWith(
				set({
					IdentityPoolId: id,
					IdentityProviderName: name,
					UseDefaults: true,
				}),
				"ResourceNotFoundException",
				`Identity provider '${name}' is not configured for identity pool '${id}'.`,
			);
		}
	});

	test("an unknown pool is ResourceNotFoundException with AWS's message", async () => {
		const id = "us-east-1:00000000-0000-4000-8000-000000000000";
		await rejectsWith(
			set({
				IdentityPoolId: id,
				IdentityProviderName: GOOGLE,
				UseDefaults: true,
			}),
			"ResourceNotFoundException",
			`IdentityPool '${id}' not found.`,
		);
	});

	test("a pool of another account or region is not found, and is left alone", async () => {
		const id = await fullPool();
		await set({
			IdentityPoolId: id,
			IdentityProviderName: GOOGLE,
			PrincipalTags: { mine: "sub" },
		});
		const other = t.sdk({
			accessKeyId: "other",
			secretAccessKey: "other-secret",
		});
		const eu = t.sdk({ region: "eu-west-1" });
		for (const c of [other, eu]) {
			await rejectsWith(
				set(
					{
						IdentityPoolId: id,
						IdentityProviderName: GOOGLE,
						UseDefaults: true,
					},
					c,
				),
				"ResourceNotFoundException",
				`IdentityPool '${id}' not found.`,
			);
		}

		assert.deepEqual((await get(id, GOOGLE)).PrincipalTags, { mine: "sub" });
	});

	test("a refused call changes nothing", async () => {
		const id = await fullPool();
		await set({
			IdentityPoolId: id,
			IdentityProviderName: OIDC,
			PrincipalTags: { a: "sub" },
		});
		await rejectsWith(
			set({
				IdentityPoolId: id,
				IdentityProviderName: OIDC,
				PrincipalTags: { ["k".repeat(129)]: "sub" },
			}),
			"ValidationException",
		);
		assert.deepEqual((await get(id, OIDC)).PrincipalTags, { a: "sub" });
	});

	test("size limits: tag keys 1..128, claim names 1..256, at most 50 entries (model)", async () => {
		const id = await fullPool();
		// The largest map the model allows is accepted whole.
		const largest = Object.fromEntries(
			Array.from({ length: 50 }, (_, i) => [
				`${String(i).padStart(2, "0")}${"k".repeat(126)}`,
				`${String(i).padStart(2, "0")}${"c".repeat(254)}`,
			]),
		);
		const out = await set({
			IdentityPoolId: id,
			IdentityProviderName: USER_POOL,
			PrincipalTags: largest,
		});
		assert.deepEqual(out.PrincipalTags, largest);
		assert.deepEqual((await get(id, USER_POOL)).PrincipalTags, largest);
		const refused = async (
			tags: Record<string, string>,
			message: RegExp,
		): Promise<void> => {
			await rejectsWith(
				set({
					IdentityPoolId: id,
					IdentityProviderName: USER_POOL,
					PrincipalTags: tags,
				}),
				"ValidationException",
				message,
			);
		};
		await refused(
			{ ["k".repeat(129)]: "sub" },
			/at 'principalTags' failed to satisfy constraint: Map keys must satisfy constraint: .*Member must have length less than or equal to 128/,
		);
		await refused(
			{ tag: "c".repeat(257) },
			/at 'principalTags' failed to satisfy constraint: Map value must satisfy constraint: .*Member must have length less than or equal to 256/,
		);
		await refused(
			{ tag: "" },
			/at 'principalTags' failed to satisfy constraint: Map value must satisfy constraint: .*Member must have length greater than or equal to 1/,
		);
		await refused(
			{ "": "sub" },
			/at 'principalTags' failed to satisfy constraint: Map keys must satisfy constraint: .*Member must have length greater than or equal to 1/,
		);
		await refused(
			Object.fromEntries(
				Array.from({ length: 51 }, (_, i) => [`t${i}`, `c${i}`]),
			),
			/at 'principalTags' failed to satisfy constraint: Member must have length less than or equal to 50$/,
		);
		assert.deepEqual((await get(id, USER_POOL)).PrincipalTags, largest);
	});

	test("IdentityProviderName is required and at most 128 characters (model)", async () => {
		const id = await fullPool();
		await rejectsWith(
			t.client.send(
				new SetPrincipalTagAttributeMapCommand({
					IdentityPoolId: id,
				} as SetPrincipalTagAttributeMapInput),
			),
			"ValidationException",
			"1 validation error detected: Value null at 'identityProviderName' failed to satisfy constraint: Member must not be null",
		);
		await rejectsWith(
			set({
				IdentityPoolId: id,
				IdentityProviderName: "p".repeat(129),
				UseDefaults: true,
			}),
			"ValidationException",
			/at 'identityProviderName' failed to satisfy constraint: Member must have length less than or equal to 128$/,
		);
	});

	test("a malformed pool id is ValidationException", async () => {
		await rejectsWith(
			set({
				IdentityPoolId: "eu*******q6",
				IdentityProviderName: GOOGLE,
			}),
			"ValidationException",
			"1 validation error detected: Value 'eu*******q6' at 'identityPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+:[0-9a-f-]+",
		);
	});

	test("the call must be signed with a known key", async () => {
		const id = await fullPool();
		const stranger = t.sdk({
			accessKeyId: "unknown",
			secretAccessKey: "whatever",
		});
		await rejectsWith(
			set(
				{
					IdentityPoolId: id,
					IdentityProviderName: GOOGLE,
					UseDefaults: true,
				},
				stranger,
			),
			"UnrecognizedClientException",
		);

		assert.deepEqual((await get(id, GOOGLE)).UseDefaults, false);
	});

	test("a provider removed from the pool is not found; configured again, its map is back", async () => {
		const id = await fullPool();
		await set({
			IdentityPoolId: id,
			IdentityProviderName: OIDC,
			PrincipalTags: { repo: "repository" },
		});
		await t.client.send(
			new UpdateIdentityPoolCommand({
				IdentityPoolId: id,
				IdentityPoolName: "tags",
				AllowUnauthenticatedIdentities: false,
			}),
		);
		await rejectsWith(
			set({
				IdentityPoolId: id,
				IdentityProviderName: OIDC,
				UseDefaults: true,
			}),
			"ResourceNotFoundException",
			`Identity provider '${OIDC}' is not configured for identity pool '${id}'.`,
		);
		await t.client.send(
			new UpdateIdentityPoolCommand({
				IdentityPoolId: id,
				IdentityPoolName: "tags",
				AllowUnauthenticatedIdentities: false,
				OpenIdConnectProviderARNs: [OIDC],
			}),
		);
		assert.deepEqual((await get(id, OIDC)).PrincipalTags, {
			repo: "repository",
		});
	});
});
