import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { ConfigError, loadConfig } from "./load.ts";

const dir = mkdtempSync(join(tmpdir(), "idpool-pools-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const ID = "us-east-1:11111111-2222-4333-8444-555555555555";
const OTHER_ID = "eu-west-1:99999999-8888-4777-8666-555555555555";
const AUTH = "arn:aws:iam::000000000000:role/Auth";

let files = 0;
/** The configuration of a file holding `doc`, with the environment `env`. */
function load(doc: unknown, env: Record<string, string> = {}) {
	const path = join(dir, `config-${files++}.json`);
	writeFileSync(path, JSON.stringify(doc));
	return { path, config: () => loadConfig({ config: path }, env) };
}

/** The one-line message of the ConfigError the file `doc` is refused with. */
function refusal(doc: unknown, env: Record<string, string> = {}): string {
	const { path, config } = load(doc, env);
	try {
		config();
	} catch (err) {
		assert.ok(err instanceof ConfigError, String(err));
		assert.doesNotMatch(err.message, /\n/);
		return err.message.replace(`config file ${path}: `, "");
	}
	assert.fail("the file was accepted");
}

const minimal = {
	IdentityPoolId: ID,
	IdentityPoolName: "App",
	AllowUnauthenticatedIdentities: false,
};

describe("pools of the configuration file", () => {
	test("a file without pools declares none", () => {
		assert.deepEqual(load({ port: 9000 }).config().pools, []);
		assert.deepEqual(loadConfig({}, {}).pools, []);
	});

	test("every member is taken in the API's words and stored as the operations store it", () => {
		const [pool] = load({
			pools: [
				{
					...minimal,
					AllowClassicFlow: true,
					SupportedLoginProviders: { "accounts.google.com": "client-1" },
					DeveloperProviderName: "login.app",
					OpenIdConnectProviderARNs: [
						"arn:aws:iam::000000000000:oidc-provider/issuer.example",
					],
					CognitoIdentityProviders: [
						{
							ProviderName: "cognito-idp.us-east-1.amazonaws.com/us-east-1_abc",
							ClientId: "client",
						},
					],
					SamlProviderARNs: [],
					IdentityPoolTags: { team: "web" },
					Roles: { authenticated: AUTH },
					RoleMappings: {
						"accounts.google.com": {
							Type: "Token",
							AmbiguousRoleResolution: "AuthenticatedRole",
						},
					},
					PrincipalTags: {
						"accounts.google.com": { UseDefaults: true },
						"arn:aws:iam::000000000000:oidc-provider/issuer.example": {
							PrincipalTags: { dept: "department" },
						},
					},
					AccountId: "111111111111",
				},
			],
		}).config().pools;
		assert.ok(pool);
		assert.equal(pool.poolId, ID);
		assert.equal(pool.region, "us-east-1");
		assert.equal(pool.accountId, "111111111111");
		assert.deepEqual(pool.settings, {
			IdentityPoolName: "App",
			AllowUnauthenticatedIdentities: false,
			AllowClassicFlow: true,
			SupportedLoginProviders: { "accounts.google.com": "client-1" },
			DeveloperProviderName: "login.app",
			OpenIdConnectProviderARNs: [
				"arn:aws:iam::000000000000:oidc-provider/issuer.example",
			],
			// As CreateIdentityPool stores it: ServerSideTokenCheck false when omitted.
			CognitoIdentityProviders: [
				{
					ProviderName: "cognito-idp.us-east-1.amazonaws.com/us-east-1_abc",
					ClientId: "client",
					ServerSideTokenCheck: false,
				},
			],
		});
		assert.deepEqual(pool.tags, { team: "web" });
		assert.deepEqual(pool.roles, {
			roles: { authenticated: AUTH },
			roleMappings: {
				"accounts.google.com": {
					Type: "Token",
					AmbiguousRoleResolution: "AuthenticatedRole",
				},
			},
		});
		assert.deepEqual(pool.principalTags, [
			["accounts.google.com", { useDefaults: true, principalTags: {} }],
			[
				"arn:aws:iam::000000000000:oidc-provider/issuer.example",
				{ useDefaults: false, principalTags: { dept: "department" } },
			],
		]);
	});

	test("members left out are kept as stored: no tags, roles or principal tags to apply", () => {
		const [pool] = load({ pools: [minimal] }).config().pools;
		assert.equal(pool?.tags, undefined);
		assert.equal(pool?.roles, undefined);
		assert.deepEqual(pool?.principalTags, []);
		assert.equal(pool?.accountId, undefined);
	});

	test("the pool id must be a pool id of a region", () => {
		assert.equal(
			refusal({ pools: [{ ...minimal, IdentityPoolId: "nope" }] }),
			"pools[0].IdentityPoolId: 1 validation error detected: Value 'nope' at 'identityPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+:[0-9a-f-]+",
		);
		assert.match(
			refusal({
				pools: [
					{
						...minimal,
						IdentityPoolId: "mars-north-1:11111111-2222-4333-8444-555555555555",
					},
				],
			}),
			/^pools\[0\]\.IdentityPoolId: 'mars-north-1:.*' is not a pool id: <region>:<lowercase UUID>/,
		);
		assert.match(
			refusal({
				pools: [{ ...minimal, IdentityPoolId: "us-east-1:1234" }],
			}),
			/^pools\[0\]\.IdentityPoolId: 'us-east-1:1234' is not a pool id/,
		);
		assert.equal(
			refusal({ pools: [{ ...minimal, IdentityPoolId: undefined }] }),
			"pools[0].IdentityPoolId is required",
		);
	});

	test("a pool declared twice is refused", () => {
		assert.equal(
			refusal({ pools: [minimal, { ...minimal, IdentityPoolName: "B" }] }),
			`pools[1].IdentityPoolId: ${ID} is declared already by pools[0]`,
		);
	});

	test("the model's constraints name the member, with the API's message", () => {
		assert.equal(
			refusal({
				pools: [
					{ ...minimal, IdentityPoolId: OTHER_ID },
					{ ...minimal, IdentityPoolName: "bad/name" },
				],
			}),
			"pools[1].IdentityPoolName: 1 validation error detected: Value 'bad/name' at 'identityPoolName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+",
		);
		assert.equal(
			refusal({
				pools: [{ ...minimal, AllowUnauthenticatedIdentities: "yes" }],
			}),
			"pools[0].AllowUnauthenticatedIdentities: STRING_VALUE can not be converted to a Boolean",
		);
	});

	test("a bad role names its key", () => {
		assert.match(
			refusal({
				pools: [{ ...minimal, Roles: { authenticated: AUTH, admin: AUTH } }],
			}),
			/^pools\[0\]\.Roles\.admin: 1 validation error detected: .*\(un\)\?authenticated/,
		);
	});

	test("a role mapping of a provider the pool does not have names it, as SetIdentityPoolRoles does", () => {
		assert.equal(
			refusal({
				pools: [
					{
						...minimal,
						RoleMappings: {
							"graph.facebook.com": {
								Type: "Token",
								AmbiguousRoleResolution: "Deny",
							},
						},
					},
				],
			}),
			'pools[0].RoleMappings["graph.facebook.com"]: graph.facebook.com is not a valid RoleMapping ProviderName or is not a configured provider.',
		);
	});

	test("the domain's rules name the list element at fault", () => {
		assert.equal(
			refusal({
				pools: [
					{
						...minimal,
						OpenIdConnectProviderARNs: [
							"arn:aws:iam::000000000000:oidc-provider/ok",
							"arn:aws:iam::000000000000:role/not-a-provider",
						],
					},
				],
			}),
			"pools[0].OpenIdConnectProviderARNs[1]: Invalid OpenIdConnectProviderARN: arn:aws:iam::000000000000:role/not-a-provider",
		);
		assert.equal(
			refusal({
				pools: [{ ...minimal, IdentityPoolTags: { "aws:x": "y" } }],
			}),
			"pools[0].IdentityPoolTags[\"aws:x\"]: Tag keys starting with 'aws:' are reserved for AWS use: aws:x",
		);
	});

	test("the limits of the settings apply, as they do to the operations", () => {
		assert.match(
			refusal(
				{ pools: [{ ...minimal, IdentityPoolTags: { a: "1", b: "2" } }] },
				{ IDPOOL_MAX_TAGS: "1" },
			),
			/^pools\[0\]\.IdentityPoolTags: A resource can have at most 1 tags\.$/,
		);
	});

	test("principal tags need a provider of the pool and the members of SetPrincipalTagAttributeMap", () => {
		assert.equal(
			refusal({
				pools: [
					{
						...minimal,
						PrincipalTags: { "accounts.google.com": { UseDefaults: true } },
					},
				],
			}),
			`pools[0].PrincipalTags["accounts.google.com"]: Identity provider 'accounts.google.com' is not configured for identity pool '${ID}'.`,
		);
		assert.equal(
			refusal({
				pools: [
					{
						...minimal,
						SupportedLoginProviders: { "accounts.google.com": "c" },
						PrincipalTags: { "accounts.google.com": { Defaults: true } },
					},
				],
			}),
			"pools[0].PrincipalTags[\"accounts.google.com\"]: unknown member 'Defaults' (expected any of UseDefaults, PrincipalTags)",
		);
	});

	test("unknown members, a wrong account id and a pools member that is not a list are refused", () => {
		assert.match(
			refusal({ pools: [{ ...minimal, IdentityPoolNme: "x" }] }),
			/^pools\[0\]: unknown member 'IdentityPoolNme' \(expected any of IdentityPoolId, /,
		);
		assert.equal(
			refusal({ pools: [{ ...minimal, AccountId: "42" }] }),
			'pools[0].AccountId must be a 12-digit account id, got "42"',
		);
		assert.match(refusal({ pools: { a: 1 } }), /^pools must be an array/);
		assert.equal(refusal({ pools: [7] }), "pools[0] must be an object");
	});
});

describe("IDPOOL_PROVIDERS", () => {
	test("gives the providers as JSON, replacing the file's", () => {
		const { config } = load(
			{ providers: { "file.example.com": { clientIds: ["a"] } } },
			{ IDPOOL_PROVIDERS: '{"env.example.com": {"clientIds": ["b"]}}' },
		);
		assert.deepEqual(Object.keys(config().providers), ["env.example.com"]);
		assert.deepEqual(
			Object.keys(
				load({
					providers: { "file.example.com": { clientIds: ["a"] } },
				}).config().providers,
			),
			["file.example.com"],
		);
	});

	test("is checked as the file's providers are, in one line naming the variable", () => {
		assert.throws(
			() => loadConfig({}, { IDPOOL_PROVIDERS: "{nope" }),
			(err: Error) =>
				err instanceof ConfigError &&
				/^IDPOOL_PROVIDERS is not valid JSON: /.test(err.message),
		);
		assert.throws(
			() =>
				loadConfig(
					{},
					{
						IDPOOL_PROVIDERS: '{"https://x.example.com": {"clientIds": ["a"]}}',
					},
				),
			(err: Error) =>
				err instanceof ConfigError &&
				err.message.startsWith(
					'IDPOOL_PROVIDERS: providers["https://x.example.com"]: the key must be the provider name',
				),
		);
	});
});
