import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
	type CognitoIdentityClient,
	CreateIdentityPoolCommand,
	GetIdentityPoolRolesCommand,
	type RoleMapping,
	SetIdentityPoolRolesCommand,
	UpdateIdentityPoolCommand,
} from "@aws-sdk/client-cognito-identity";
import { TWO_ACCOUNTS } from "../support/identities.ts";
import { rejectsWith, useServer, withServer } from "../support/server.ts";

const AUTH = "arn:aws:iam::000000000000:role/Cognito_Auth_Role";
const UNAUTH = "arn:aws:iam::000000000000:role/Cognito_Unauth_Role";
const USER_POOL = "cognito-idp.us-east-1.amazonaws.com/us-east-1_Abc";
const OIDC = "arn:aws:iam::000000000000:oidc-provider/oidc.example.com";
const SAML = "arn:aws:iam::000000000000:saml-provider/corp";

const TOKEN: RoleMapping = { Type: "Token", AmbiguousRoleResolution: "Deny" };

function rules(n: number): RoleMapping {
	return {
		Type: "Rules",
		AmbiguousRoleResolution: "AuthenticatedRole",
		RulesConfiguration: {
			Rules: Array.from({ length: n }, (_, i) => ({
				Claim: "sub",
				MatchType: "Equals" as const,
				Value: `user-${i}`,
				RoleARN: `arn:aws:iam::000000000000:role/R${i}`,
			})),
		},
	};
}

describe("SetIdentityPoolRoles (JS v3 SDK)", () => {
	const t = useServer({
		config: { maxUserPoolProviders: 20 },
		credentials: TWO_ACCOUNTS,
	});

	/** A pool with a provider of every kind. */
	async function fullPool(): Promise<string> {
		const out = await t.client.send(
			new CreateIdentityPoolCommand({
				IdentityPoolName: "roles",
				AllowUnauthenticatedIdentities: true,
				SupportedLoginProviders: {
					"graph.facebook.com": "7346241598935555",
					"accounts.google.com": "google-client.apps.googleusercontent.com",
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

	async function bare(): Promise<string> {
		const out = await t.client.send(
			new CreateIdentityPoolCommand({
				IdentityPoolName: "bare",
				AllowUnauthenticatedIdentities: false,
			}),
		);
		return out.IdentityPoolId as string;
	}

	function set(
		poolId: string,
		roles: Record<string, string>,
		mappings?: Record<string, RoleMapping>,
		c: CognitoIdentityClient = t.client,
	) {
		return c.send(
			new SetIdentityPoolRolesCommand({
				IdentityPoolId: poolId,
				Roles: roles,
				...(mappings === undefined ? {} : { RoleMappings: mappings }),
			}),
		);
	}

	async function get(poolId: string) {
		const { $metadata: _, ...out } = await t.client.send(
			new GetIdentityPoolRolesCommand({ IdentityPoolId: poolId }),
		);
		return out;
	}

	test("answers {} and stores the roles", async () => {
		const id = await bare();
		const out = await set(id, { authenticated: AUTH, unauthenticated: UNAUTH });
		assert.deepEqual(Object.keys(out), ["$metadata"]);
		assert.equal(out.$metadata.httpStatusCode, 200);
		assert.deepEqual(await get(id), {
			IdentityPoolId: id,
			Roles: { authenticated: AUTH, unauthenticated: UNAUTH },
		});
	});

	test("accepts every key form of a configured provider", async () => {
		const id = await fullPool();
		const mappings: Record<string, RoleMapping> = {
			"graph.facebook.com": rules(1),
			"accounts.google.com": rules(2),
			[`${USER_POOL}:client1`]: TOKEN,
			[`${USER_POOL}:client2`]: rules(3),
			[OIDC]: rules(1),
			[SAML]: { ...rules(2), AmbiguousRoleResolution: "Deny" },
		};
		await set(id, { authenticated: AUTH }, mappings);
		assert.deepEqual(await get(id), {
			IdentityPoolId: id,
			Roles: { authenticated: AUTH },
			RoleMappings: mappings,
		});
	});

	test("a key that names no configured provider is InvalidParameterException with AWS's message", async () => {
		const id = await fullPool();
		for (const key of [
			// Not configured on the pool.
			"www.amazon.com",
			// The aws-cdk#22951 mistake: a URL instead of the domain.
			"https://accounts.google.com",
			// A user pool without its app client, with another client, or another pool.
			USER_POOL,
			`${USER_POOL}:client3`,
			"cognito-idp.us-east-1.amazonaws.com/us-east-1_Other:client1",
			// An OIDC provider by its issuer host instead of its ARN; an unlisted ARN.
			"oidc.example.com",
			"arn:aws:iam::000000000000:oidc-provider/other.example.com",
			"arn:aws:iam::000000000000:saml-provider/other",
			// The developer provider never has a mapping.
			"login.example.app",
			// Keys are exact.
			"Graph.Facebook.com",
		]) {
			await rejectsWith(
				set(id, { authenticated: AUTH }, { [key]: TOKEN }),
				"InvalidParameterException",
				`${key} is not a valid RoleMapping ProviderName or is not a configured provider.`,
			);
		}
		// A pool without providers accepts no mapping at all.
		const plain = await bare();
		await rejectsWith(
			set(plain, {}, { "graph.facebook.com": TOKEN }),
			"InvalidParameterException",
			"graph.facebook.com is not a valid RoleMapping ProviderName or is not a configured provider.",
		);
	});

	test("AmbiguousRoleResolution is required for both types", async () => {
		const id = await fullPool();
		await rejectsWith(
			set(id, {}, { "graph.facebook.com": { Type: "Token" } }),
			"InvalidParameterException",
			"AmbiguousRoleResolution is required for the RoleMapping of graph.facebook.com.",
		);
		const { AmbiguousRoleResolution: _, ...noResolution } = rules(1);
		await rejectsWith(
			set(id, {}, { [OIDC]: noResolution }),
			"InvalidParameterException",
			`AmbiguousRoleResolution is required for the RoleMapping of ${OIDC}.`,
		);
	});

	test("RulesConfiguration is required for Rules and not allowed for Token", async () => {
		const id = await fullPool();
		await rejectsWith(
			set(
				id,
				{},
				{
					"accounts.google.com": {
						Type: "Rules",
						AmbiguousRoleResolution: "Deny",
					},
				},
			),
			"InvalidParameterException",
			"RulesConfiguration is required for the RoleMapping of accounts.google.com: its Type is Rules.",
		);
		await rejectsWith(
			set(
				id,
				{},
				{
					[`${USER_POOL}:client1`]: {
						...rules(1),
						Type: "Token",
					},
				},
			),
			"InvalidParameterException",
			`RulesConfiguration must not be set for the RoleMapping of ${USER_POOL}:client1: its Type is Token.`,
		);
	});

	test("at most 25 rules per provider", async () => {
		const id = await fullPool();
		await set(id, {}, { [OIDC]: rules(25) });
		assert.equal(
			(await get(id)).RoleMappings?.[OIDC]?.RulesConfiguration?.Rules?.length,
			25,
		);
		await rejectsWith(
			set(id, {}, { [OIDC]: rules(26) }),
			"InvalidParameterException",
			`The RoleMapping of ${OIDC} has 26 rules; at most 25 rules are allowed per provider.`,
		);
		// An empty rule list is refused by the model.
		await rejectsWith(
			set(id, {}, { [OIDC]: rules(0) }),
			"ValidationException",
			/rulesConfiguration\.rules' failed to satisfy constraint: Member must have length greater than or equal to 1/,
		);
	});

	test("the rule and mapping quotas are settings", async () => {
		await withServer(
			{
				config: { maxMappingRules: 2, maxRoleMappings: 1 },
			},
			async (t) => {
				const created = await t.client.send(
					new CreateIdentityPoolCommand({
						IdentityPoolName: "quotas",
						AllowUnauthenticatedIdentities: false,
						OpenIdConnectProviderARNs: [OIDC],
						CognitoIdentityProviders: [
							{ ProviderName: USER_POOL, ClientId: "c" },
						],
					}),
				);
				const setOn = (RoleMappings: Record<string, RoleMapping>) =>
					t.client.send(
						new SetIdentityPoolRolesCommand({
							IdentityPoolId: created.IdentityPoolId,
							Roles: {},
							RoleMappings,
						}),
					);
				await setOn({ [OIDC]: rules(2) });
				await rejectsWith(
					setOn({ [OIDC]: rules(3) }),
					"InvalidParameterException",
					`The RoleMapping of ${OIDC} has 3 rules; at most 2 rules are allowed per provider.`,
				);
				await rejectsWith(
					setOn({ [OIDC]: rules(1), [`${USER_POOL}:c`]: TOKEN }),
					"InvalidParameterException",
					"At most 1 providers can have a RoleMapping; the input has 2.",
				);
				const stored = await t.client.send(
					new GetIdentityPoolRolesCommand({
						IdentityPoolId: created.IdentityPoolId,
					}),
				);
				assert.equal(
					stored.RoleMappings?.[OIDC]?.RulesConfiguration?.Rules?.length,
					2,
				);
				assert.deepEqual(Object.keys(stored.RoleMappings ?? {}), [OIDC]);
			},
		);
	});

	test("at most 10 mappings (model)", async () => {
		const created = await t.client.send(
			new CreateIdentityPoolCommand({
				IdentityPoolName: "many",
				AllowUnauthenticatedIdentities: false,
				CognitoIdentityProviders: Array.from({ length: 11 }, (_, i) => ({
					ProviderName: USER_POOL,
					ClientId: `client${i}`,
				})),
			}),
		);
		const id = created.IdentityPoolId as string;
		const mappings = (n: number) =>
			Object.fromEntries(
				Array.from({ length: n }, (_, i) => [`${USER_POOL}:client${i}`, TOKEN]),
			);
		await set(id, {}, mappings(10));
		assert.equal(Object.keys((await get(id)).RoleMappings ?? {}).length, 10);
		await rejectsWith(
			set(id, {}, mappings(11)),
			"ValidationException",
			/^1 validation error detected: Value '.*' at 'roleMappings' failed to satisfy constraint: Member must have length less than or equal to 10$/,
		);
		assert.equal(Object.keys((await get(id)).RoleMappings ?? {}).length, 10);
	});

	test("Roles keys are only authenticated and unauthenticated; values are ARN strings (model)", async () => {
		const id = await bare();
		await rejectsWith(
			set(id, { guest: AUTH }),
			"ValidationException",
			/at 'roles' failed to satisfy constraint: Map keys must satisfy constraint: .*Member must satisfy regular expression pattern: \(un\)\?authenticated\]/,
		);
		await rejectsWith(
			set(id, { authenticated: "arn:short" }),
			"ValidationException",
			/at 'roles' failed to satisfy constraint: Map value must satisfy constraint: .*greater than or equal to 20/,
		);
		await rejectsWith(
			t.client.send(
				new SetIdentityPoolRolesCommand({
					IdentityPoolId: id,
				} as never),
			),
			"ValidationException",
			"1 validation error detected: Value null at 'roles' failed to satisfy constraint: Member must not be null",
		);
	});

	test("the mapping Type is required and an enum (model)", async () => {
		const id = await fullPool();
		await rejectsWith(
			set(id, {}, {
				"graph.facebook.com": { AmbiguousRoleResolution: "Deny" },
			} as never),
			"ValidationException",
			"1 validation error detected: Value null at 'roleMappings.graph.facebook.com.member.type' failed to satisfy constraint: Member must not be null",
		);
		await rejectsWith(
			set(id, {}, {
				"graph.facebook.com": {
					Type: "Claims",
					AmbiguousRoleResolution: "Deny",
				},
			} as never),
			"ValidationException",
			"1 validation error detected: Value 'Claims' at 'roleMappings.graph.facebook.com.member.type' failed to satisfy constraint: Member must satisfy enum value set: [Token, Rules]",
		);
	});

	test("replace semantics: Roles replaces, omitted RoleMappings clears, Roles {} clears", async () => {
		const id = await fullPool();
		await set(
			id,
			{ authenticated: AUTH, unauthenticated: UNAUTH },
			{ "graph.facebook.com": rules(1), [OIDC]: rules(2) },
		);
		// Replaced whole: the unauthenticated role and the Facebook mapping go.
		await set(id, { authenticated: UNAUTH }, { [OIDC]: TOKEN });
		assert.deepEqual(await get(id), {
			IdentityPoolId: id,
			Roles: { authenticated: UNAUTH },
			RoleMappings: { [OIDC]: TOKEN },
		});
		// RoleMappings omitted: cleared.
		await set(id, { unauthenticated: UNAUTH });
		assert.deepEqual(await get(id), {
			IdentityPoolId: id,
			Roles: { unauthenticated: UNAUTH },
		});
		// Roles {}: cleared.
		await set(id, {}, { [SAML]: TOKEN });
		assert.deepEqual(await get(id), {
			IdentityPoolId: id,
			Roles: {},
			RoleMappings: { [SAML]: TOKEN },
		});
	});

	test("terraform's delete (Roles {}, RoleMappings {}) clears everything", async () => {
		const id = await fullPool();
		await set(
			id,
			{ authenticated: AUTH, unauthenticated: UNAUTH },
			{ [`${USER_POOL}:client1`]: TOKEN, "accounts.google.com": rules(3) },
		);
		const out = await set(id, {}, {});
		assert.equal(out.$metadata.httpStatusCode, 200);
		assert.deepEqual(await get(id), { IdentityPoolId: id, Roles: {} });
	});

	test("a refused call changes nothing", async () => {
		const id = await fullPool();
		const mappings = { [OIDC]: rules(2) };
		await set(id, { authenticated: AUTH }, mappings);
		// The first key is fine, the second is not: nothing at all is stored.
		await rejectsWith(
			set(
				id,
				{ unauthenticated: UNAUTH },
				{
					"graph.facebook.com": TOKEN,
					"www.amazon.com": TOKEN,
				},
			),
			"InvalidParameterException",
		);
		await rejectsWith(
			set(id, {}, { [OIDC]: rules(26) }),
			"InvalidParameterException",
		);
		assert.deepEqual(await get(id), {
			IdentityPoolId: id,
			Roles: { authenticated: AUTH },
			RoleMappings: mappings,
		});
	});

	test("updating the pool keeps its roles and mappings", async () => {
		const id = await fullPool();
		await set(id, { authenticated: AUTH }, { [OIDC]: TOKEN });
		const updated = await t.client.send(
			new UpdateIdentityPoolCommand({
				IdentityPoolId: id,
				IdentityPoolName: "renamed",
				AllowUnauthenticatedIdentities: true,
				OpenIdConnectProviderARNs: [OIDC],
			}),
		);
		assert.equal(updated.IdentityPoolName, "renamed");
		assert.equal("Roles" in updated, false);
		assert.deepEqual(await get(id), {
			IdentityPoolId: id,
			Roles: { authenticated: AUTH },
			RoleMappings: { [OIDC]: TOKEN },
		});
	});

	test("an unknown pool is ResourceNotFoundException with AWS's message", async () => {
		const id = "us-east-1:00000000-0000-4000-8000-000000000000";
		await rejectsWith(
			set(id, { authenticated: AUTH }),
			"ResourceNotFoundException",
			`IdentityPool '${id}' not found.`,
		);
		// Not found comes before the checks of the mappings.
		await rejectsWith(
			set(id, {}, { "www.amazon.com": { Type: "Token" } }),
			"ResourceNotFoundException",
			`IdentityPool '${id}' not found.`,
		);
	});

	test("a pool of another account or region is not found, and is left alone", async () => {
		const id = await bare();
		await set(id, { authenticated: AUTH });
		const other = t.sdk({
			accessKeyId: "other",
			secretAccessKey: "other-secret",
		});
		const eu = t.sdk({ region: "eu-west-1" });
		for (const c of [other, eu]) {
			await rejectsWith(
				set(id, { authenticated: UNAUTH }, undefined, c),
				"ResourceNotFoundException",
				`IdentityPool '${id}' not found.`,
			);
		}

		assert.deepEqual(await get(id), {
			IdentityPoolId: id,
			Roles: { authenticated: AUTH },
		});
	});

	test("a malformed pool id is ValidationException", async () => {
		await rejectsWith(
			set("eu*******q6", {}),
			"ValidationException",
			"1 validation error detected: Value 'eu*******q6' at 'identityPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+:[0-9a-f-]+",
		);
	});
});
