import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
	type CognitoIdentityClient,
	CreateIdentityPoolCommand,
	DeleteIdentityPoolCommand,
	GetIdentityPoolRolesCommand,
	type RoleMapping,
	SetIdentityPoolRolesCommand,
} from "@aws-sdk/client-cognito-identity";
import { TWO_ACCOUNTS } from "../support/identities.ts";
import { raw } from "../support/raw.ts";
import { rejectsWith, useServer, withServer } from "../support/server.ts";

const AUTH = "arn:aws:iam::000000000000:role/Cognito_Auth_Role";
const UNAUTH = "arn:aws:iam::000000000000:role/Cognito_Unauth_Role";
const USER_POOL = "cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Xyz";
const OIDC = "arn:aws:iam::000000000000:oidc-provider/token.example.com";
const SAML = "arn:aws:iam::000000000000:saml-provider/corp";

/** Every match type, with user-pool, custom and array claims. */
const RULES: RoleMapping = {
	Type: "Rules",
	AmbiguousRoleResolution: "Deny",
	RulesConfiguration: {
		Rules: [
			{
				Claim: "cognito:groups",
				MatchType: "Equals",
				Value: "admins",
				RoleARN: "arn:aws:iam::000000000000:role/Admin",
			},
			{
				Claim: "custom:department",
				MatchType: "Contains",
				Value: "eng",
				RoleARN: "arn:aws:iam::000000000000:role/Engineering",
			},
			{
				Claim: "email",
				MatchType: "StartsWith",
				Value: "ops@",
				RoleARN: "arn:aws:iam::000000000000:role/Ops",
			},
			{
				Claim: "custom:tier",
				MatchType: "NotEqual",
				Value: "free",
				RoleARN: "arn:aws:iam::000000000000:role/Paid",
			},
		],
	},
};
const TOKEN_AUTH: RoleMapping = {
	Type: "Token",
	AmbiguousRoleResolution: "AuthenticatedRole",
};
const TOKEN_DENY: RoleMapping = {
	Type: "Token",
	AmbiguousRoleResolution: "Deny",
};

async function createPool(client: CognitoIdentityClient): Promise<string> {
	const out = await client.send(
		new CreateIdentityPoolCommand({
			IdentityPoolName: "get-roles",
			AllowUnauthenticatedIdentities: true,
			SupportedLoginProviders: {
				"www.amazon.com": "amzn1.application.1",
				"appleid.apple.com": "com.example.app",
			},
			CognitoIdentityProviders: [
				{ ProviderName: USER_POOL, ClientId: "webclient" },
			],
			OpenIdConnectProviderARNs: [OIDC],
			SamlProviderARNs: [SAML],
		}),
	);
	return out.IdentityPoolId as string;
}

/** Every key form, both mapping types, every match type. */
const ALL_MAPPINGS: Record<string, RoleMapping> = {
	[`${USER_POOL}:webclient`]: TOKEN_DENY,
	[OIDC]: RULES,
	"www.amazon.com": TOKEN_AUTH,
	[SAML]: {
		...RULES,
		AmbiguousRoleResolution: "AuthenticatedRole",
	},
	"appleid.apple.com": {
		Type: "Rules",
		AmbiguousRoleResolution: "AuthenticatedRole",
		RulesConfiguration: {
			Rules: [
				{
					Claim: "aud",
					MatchType: "Equals",
					Value: "com.example.app",
					RoleARN: AUTH,
				},
			],
		},
	},
};

describe("GetIdentityPoolRoles (JS v3 SDK)", () => {
	const t = useServer({
		credentials: TWO_ACCOUNTS,
	});

	async function get(poolId: string, c: CognitoIdentityClient = t.client) {
		const { $metadata: _, ...out } = await c.send(
			new GetIdentityPoolRolesCommand({ IdentityPoolId: poolId }),
		);
		return out;
	}

	test("a pool without roles answers Roles {} and no RoleMappings", async () => {
		const id = await createPool(t.client);
		assert.deepEqual(await get(id), { IdentityPoolId: id, Roles: {} });
		// On the wire: exactly these members, Roles present though empty (docs/behaviour.md#wire-protocol).
		const res = await raw(t.url, {
			target: "AWSCognitoIdentityService.GetIdentityPoolRoles",
			body: JSON.stringify({ IdentityPoolId: id }),
		});
		assert.equal(res.status, 200);
		assert.equal(res.text, JSON.stringify({ IdentityPoolId: id, Roles: {} }));
	});

	test("SetIdentityPoolRoles answers {} on the wire", async () => {
		const id = await createPool(t.client);
		const res = await raw(t.url, {
			target: "AWSCognitoIdentityService.SetIdentityPoolRoles",
			body: JSON.stringify({ IdentityPoolId: id, Roles: {} }),
		});
		assert.equal(res.status, 200);
		assert.equal(res.text, "{}");
		assert.equal(res.headers.get("content-type"), "application/x-amz-json-1.1");
	});

	test("round trip: roles only (the aws-cli sample shape)", async () => {
		const id = await createPool(t.client);
		await t.client.send(
			new SetIdentityPoolRolesCommand({
				IdentityPoolId: id,
				Roles: { authenticated: AUTH, unauthenticated: UNAUTH },
			}),
		);
		assert.deepEqual(await get(id), {
			IdentityPoolId: id,
			Roles: { authenticated: AUTH, unauthenticated: UNAUTH },
		});
	});

	test("round trip: Token and Rules mappings with every match type and every key form", async () => {
		const id = await createPool(t.client);
		await t.client.send(
			new SetIdentityPoolRolesCommand({
				IdentityPoolId: id,
				Roles: { authenticated: AUTH },
				RoleMappings: ALL_MAPPINGS,
			}),
		);
		const out = await get(id);
		assert.deepEqual(out, {
			IdentityPoolId: id,
			Roles: { authenticated: AUTH },
			RoleMappings: ALL_MAPPINGS,
		});
		// The order of mappings and of rules is the caller's.
		assert.deepEqual(
			Object.keys(out.RoleMappings ?? {}),
			Object.keys(ALL_MAPPINGS),
		);
		assert.deepEqual(
			out.RoleMappings?.[OIDC]?.RulesConfiguration?.Rules?.map(
				(r) => r.MatchType,
			),
			["Equals", "Contains", "StartsWith", "NotEqual"],
		);
	});

	test("unknown members of a mapping are dropped, not stored", async () => {
		const id = await createPool(t.client);
		const res = await raw(t.url, {
			target: "AWSCognitoIdentityService.SetIdentityPoolRoles",
			body: JSON.stringify({
				IdentityPoolId: id,
				Roles: {},
				RoleMappings: {
					"www.amazon.com": {
						Type: "Token",
						AmbiguousRoleResolution: "Deny",
						Extra: "dropped",
					},
				},
			}),
		});
		assert.equal(res.status, 200);
		assert.deepEqual(await get(id), {
			IdentityPoolId: id,
			Roles: {},
			RoleMappings: { "www.amazon.com": TOKEN_DENY },
		});
	});

	test("an unknown or deleted pool is ResourceNotFoundException with AWS's message", async () => {
		const unknown = "us-east-1:00000000-0000-4000-8000-000000000000";
		await rejectsWith(
			get(unknown),
			"ResourceNotFoundException",
			`IdentityPool '${unknown}' not found.`,
		);
		const id = await createPool(t.client);
		await t.client.send(
			new SetIdentityPoolRolesCommand({
				IdentityPoolId: id,
				Roles: { authenticated: AUTH },
				RoleMappings: ALL_MAPPINGS,
			}),
		);
		await t.client.send(new DeleteIdentityPoolCommand({ IdentityPoolId: id }));
		await rejectsWith(
			get(id),
			"ResourceNotFoundException",
			`IdentityPool '${id}' not found.`,
		);
	});

	test("a pool of another account or region is not found", async () => {
		const id = await createPool(t.client);
		await t.client.send(
			new SetIdentityPoolRolesCommand({
				IdentityPoolId: id,
				Roles: { authenticated: AUTH },
			}),
		);
		const other = t.sdk({
			accessKeyId: "other",
			secretAccessKey: "other-secret",
		});
		const eu = t.sdk({ region: "eu-west-1" });
		for (const c of [other, eu]) {
			await rejectsWith(
				get(id, c),
				"ResourceNotFoundException",
				`IdentityPool '${id}' not found.`,
			);
		}
	});

	test("a malformed pool id is ValidationException", async () => {
		await rejectsWith(
			get("eu*******q6"),
			"ValidationException",
			"1 validation error detected: Value 'eu*******q6' at 'identityPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+:[0-9a-f-]+",
		);
	});

	test("an unsigned call is refused", async () => {
		const id = await createPool(t.client);
		const res = await raw(t.url, {
			target: "AWSCognitoIdentityService.GetIdentityPoolRoles",
			body: JSON.stringify({ IdentityPoolId: id }),
			sign: false,
		});
		assert.equal(res.status, 400);
		assert.equal(res.json?.__type, "MissingAuthenticationTokenException");
	});
});

describe("roles across a restart (JS v3 SDK)", () => {
	test("roles and mappings survive stopping and starting the server on the same file", async () => {
		await withServer(async (t) => {
			const id = await createPool(t.client);
			const bare = await createPool(t.client);
			await t.client.send(
				new SetIdentityPoolRolesCommand({
					IdentityPoolId: id,
					Roles: { authenticated: AUTH, unauthenticated: UNAUTH },
					RoleMappings: ALL_MAPPINGS,
				}),
			);
			await t.restart();
			const { $metadata: _a, ...out } = await t.client.send(
				new GetIdentityPoolRolesCommand({ IdentityPoolId: id }),
			);
			assert.deepEqual(out, {
				IdentityPoolId: id,
				Roles: { authenticated: AUTH, unauthenticated: UNAUTH },
				RoleMappings: ALL_MAPPINGS,
			});
			const { $metadata: _b, ...untouched } = await t.client.send(
				new GetIdentityPoolRolesCommand({ IdentityPoolId: bare }),
			);
			assert.deepEqual(untouched, { IdentityPoolId: bare, Roles: {} });
		});
	});
});
