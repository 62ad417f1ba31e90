/**
 * Pools declared in the configuration file (docs/configuration-as-code.md), over the wire with
 * the official JS SDK, on each store engine: a server started with the file has the pools with
 * their fixed ids, settings, roles, mappings, tags and principal tags; a reload applies an
 * edited file (and only what changed); identities survive; servers starting together on one
 * database create each pool once.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import {
	DeleteIdentityPoolCommand,
	DescribeIdentityPoolCommand,
	GetIdCommand,
	GetIdentityPoolRolesCommand,
	GetPrincipalTagAttributeMapCommand,
	ListIdentitiesCommand,
	ListTagsForResourceCommand,
} from "@aws-sdk/client-cognito-identity";
import { ConfigError, loadConfig } from "../../src/config/load.ts";
import { insertIdentities } from "../support/bulk.ts";
import { startFakeOidc } from "../support/fake-idp.ts";
import { freshSchema } from "../support/postgres.ts";
import {
	rejectsWith,
	sdkClient,
	startServer,
	TEST_ACCOUNT,
	useServer,
	withServer,
} from "../support/server.ts";
import { describeForEngine, STORE_ENGINES } from "../support/stores.ts";

const dir = mkdtempSync(join(tmpdir(), "idpool-config-pools-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const OTHER_ACCOUNT = "111111111111";
const CREDENTIALS = [
	{ accessKeyId: "test", secretAccessKey: "test", accountId: TEST_ACCOUNT },
	{ accessKeyId: "other", secretAccessKey: "other", accountId: OTHER_ACCOUNT },
];
const APP = "us-east-1:0a0a0a0a-1111-4222-8333-444444444444";
const ADMIN = "eu-west-1:0b0b0b0b-1111-4222-8333-444444444444";
const AUTH = `arn:aws:iam::${TEST_ACCOUNT}:role/Auth`;
const GUEST = `arn:aws:iam::${TEST_ACCOUNT}:role/Guest`;
const GOOGLE = "accounts.google.com";

function declaration(overrides: Record<string, unknown> = {}) {
	return {
		pools: [
			{
				IdentityPoolId: APP,
				IdentityPoolName: "App",
				AllowUnauthenticatedIdentities: true,
				SupportedLoginProviders: { [GOOGLE]: "client-1" },
				DeveloperProviderName: "login.app",
				IdentityPoolTags: { team: "web" },
				Roles: { authenticated: AUTH, unauthenticated: GUEST },
				RoleMappings: {
					[GOOGLE]: { Type: "Token", AmbiguousRoleResolution: "Deny" },
				},
				PrincipalTags: { [GOOGLE]: { PrincipalTags: { dept: "hd" } } },
				...overrides,
			},
			{
				IdentityPoolId: ADMIN,
				IdentityPoolName: "Admin",
				AllowUnauthenticatedIdentities: false,
				AccountId: OTHER_ACCOUNT,
			},
		],
	};
}

let files = 0;
function writeConfig(doc: unknown, path = join(dir, `c${files++}.json`)) {
	writeFileSync(path, JSON.stringify(doc));
	return path;
}

for (const engine of STORE_ENGINES) {
	describeForEngine(
		engine,
		`pools of the configuration file (${engine})`,
		() => {
			let schema: Awaited<ReturnType<typeof freshSchema>> | undefined;
			const file = writeConfig(declaration());
			const db = async () => {
				if (engine === "sqlite") return {};
				schema ??= await freshSchema();
				return { db: schema.url };
			};
			const t = useServer(async () => {
				const { pools, configFile } = loadConfig({ config: file }, {});
				return {
					config: { pools, configFile, ...(await db()) },
					credentials: CREDENTIALS,
				};
			});
			after(() => schema?.drop());

			test("a server started with the file has its pools, with their fixed ids and everything they declare", async () => {
				assert.deepEqual(
					t.server.seeded.map((c) => [c.poolId, c.accountId, c.outcome]),
					[
						[APP, TEST_ACCOUNT, "created"],
						[ADMIN, OTHER_ACCOUNT, "created"],
					],
				);
				const pool = await t.client.send(
					new DescribeIdentityPoolCommand({ IdentityPoolId: APP }),
				);
				assert.equal(pool.IdentityPoolName, "App");
				assert.equal(pool.AllowUnauthenticatedIdentities, true);
				assert.deepEqual(pool.SupportedLoginProviders, {
					[GOOGLE]: "client-1",
				});
				assert.equal(pool.DeveloperProviderName, "login.app");
				assert.deepEqual(pool.IdentityPoolTags, { team: "web" });
				const roles = await t.client.send(
					new GetIdentityPoolRolesCommand({ IdentityPoolId: APP }),
				);
				assert.deepEqual(roles.Roles, {
					authenticated: AUTH,
					unauthenticated: GUEST,
				});
				assert.deepEqual(roles.RoleMappings, {
					[GOOGLE]: { Type: "Token", AmbiguousRoleResolution: "Deny" },
				});
				const tags = await t.client.send(
					new ListTagsForResourceCommand({
						ResourceArn: `arn:aws:cognito-identity:us-east-1:${TEST_ACCOUNT}:identitypool/${APP}`,
					}),
				);
				assert.deepEqual(tags.Tags, { team: "web" });
				const map = await t.client.send(
					new GetPrincipalTagAttributeMapCommand({
						IdentityPoolId: APP,
						IdentityProviderName: GOOGLE,
					}),
				);
				assert.equal(map.UseDefaults, false);
				assert.deepEqual(map.PrincipalTags, { dept: "hd" });
				// The other account's pool is that account's, in the region of its id.
				const other = t.sdk({
					accessKeyId: "other",
					secretAccessKey: "other",
					region: "eu-west-1",
				});
				const admin = await other.send(
					new DescribeIdentityPoolCommand({ IdentityPoolId: ADMIN }),
				);
				assert.equal(admin.IdentityPoolName, "Admin");
				await rejectsWith(
					t
						.sdk({ region: "eu-west-1" })
						.send(new DescribeIdentityPoolCommand({ IdentityPoolId: ADMIN })),
					"ResourceNotFoundException",
				);
			});

			test("a reload applies what the edited file changed, keeps the identities, and applying again changes nothing", async () => {
				const { IdentityId } = await t.app.send(
					new GetIdCommand({ IdentityPoolId: APP }),
				);
				writeConfig(
					declaration({
						IdentityPoolName: "App2",
						IdentityPoolTags: { team: "api" },
						Roles: { authenticated: AUTH },
						RoleMappings: undefined,
						PrincipalTags: { [GOOGLE]: { UseDefaults: true } },
					}),
					file,
				);
				const changes = await t.server.reload(loadConfig({ config: file }, {}));
				assert.deepEqual(
					changes.map((c) => [c.poolId, c.outcome, c.members]),
					[
						[
							APP,
							"updated",
							[
								"IdentityPoolName",
								"IdentityPoolTags",
								"Roles",
								"RoleMappings",
								`PrincipalTags[${GOOGLE}]`,
							],
						],
						[ADMIN, "unchanged", []],
					],
				);
				const pool = await t.client.send(
					new DescribeIdentityPoolCommand({ IdentityPoolId: APP }),
				);
				assert.equal(pool.IdentityPoolName, "App2");
				assert.deepEqual(pool.IdentityPoolTags, { team: "api" });
				const roles = await t.client.send(
					new GetIdentityPoolRolesCommand({ IdentityPoolId: APP }),
				);
				assert.deepEqual(roles.Roles, { authenticated: AUTH });
				assert.equal(roles.RoleMappings, undefined);
				const map = await t.client.send(
					new GetPrincipalTagAttributeMapCommand({
						IdentityPoolId: APP,
						IdentityProviderName: GOOGLE,
					}),
				);
				assert.equal(map.UseDefaults, true);
				const listed = await t.client.send(
					new ListIdentitiesCommand({ IdentityPoolId: APP, MaxResults: 10 }),
				);
				assert.deepEqual(
					listed.Identities?.map((i) => i.IdentityId),
					[IdentityId],
				);
				const again = await t.server.reload(loadConfig({ config: file }, {}));
				assert.deepEqual(
					again.map((c) => c.outcome),
					["unchanged", "unchanged"],
				);
			});

			test("a file that cannot be applied changes nothing", async () => {
				const before = await t.client.send(
					new DescribeIdentityPoolCommand({ IdentityPoolId: APP }),
				);
				const bad = writeConfig({
					pools: [
						{
							IdentityPoolId: APP,
							IdentityPoolName: "Changed",
							AllowUnauthenticatedIdentities: true,
						},
						{
							// Taken by the other account: refused before anything is written.
							IdentityPoolId: ADMIN,
							IdentityPoolName: "Admin",
							AllowUnauthenticatedIdentities: false,
						},
					],
				});
				await assert.rejects(
					t.server.reload(loadConfig({ config: bad }, {})),
					(err: Error) =>
						err instanceof ConfigError &&
						err.message ===
							`config file ${bad}: pools[1].IdentityPoolId: ${ADMIN} is a pool of account ${OTHER_ACCOUNT}, not ${TEST_ACCOUNT}`,
				);
				const changedDeveloper = writeConfig({
					pools: [
						{
							IdentityPoolId: APP,
							IdentityPoolName: "Changed",
							AllowUnauthenticatedIdentities: true,
							DeveloperProviderName: "another.name",
						},
					],
				});
				await assert.rejects(
					t.server.reload(loadConfig({ config: changedDeveloper }, {})),
					/pools\[0\]\.DeveloperProviderName: The developer provider name cannot be changed once set/,
				);
				// Over the quota: refused before the first pool is created.
				const NEW = "us-east-1:0e0e0e0e-1111-4222-8333-444444444444";
				const overQuota = writeConfig({
					pools: [
						...declaration().pools.slice(0, 1),
						{
							IdentityPoolId: NEW,
							IdentityPoolName: "New",
							AllowUnauthenticatedIdentities: true,
						},
						{
							IdentityPoolId: "us-east-1:0f0f0f0f-1111-4222-8333-444444444444",
							IdentityPoolName: "New2",
							AllowUnauthenticatedIdentities: true,
						},
					],
				});
				await assert.rejects(
					t.server.reload(
						loadConfig({ config: overQuota }, { IDPOOL_MAX_POOLS: "2" }),
					),
					(err: Error) =>
						err.message ===
						`config file ${overQuota}: pools[1]: account ${TEST_ACCOUNT} has 1 pools in us-east-1; 2 more would exceed maxPools (2)`,
				);
				await rejectsWith(
					t.client.send(
						new DescribeIdentityPoolCommand({ IdentityPoolId: NEW }),
					),
					"ResourceNotFoundException",
				);
				const after = await t.client.send(
					new DescribeIdentityPoolCommand({ IdentityPoolId: APP }),
				);
				assert.deepEqual(after, {
					...after,
					...before,
					$metadata: after.$metadata,
				});
			});

			test("servers starting together on one database with the same file create each pool once", async () => {
				const shared = writeConfig({
					pools: [
						{
							IdentityPoolId: "us-east-1:0c0c0c0c-1111-4222-8333-444444444444",
							IdentityPoolName: "Shared",
							AllowUnauthenticatedIdentities: true,
							Roles: { unauthenticated: GUEST },
						},
					],
				});
				const { pools } = loadConfig({ config: shared }, {});
				const target =
					engine === "sqlite"
						? { dbPath: t.dbPath }
						: { config: { db: schema?.url } };
				const servers = await Promise.all(
					Array.from({ length: 3 }, () =>
						startServer({
							...target,
							config: { ...(target.config ?? {}), pools },
							credentials: CREDENTIALS,
						}),
					),
				);
				try {
					const outcomes = servers.map((s) => s.server.seeded[0]?.outcome);
					assert.equal(outcomes.filter((o) => o === "created").length, 1);
					// The others found it; one may have found it before its roles were set, and set them
					// to the same values.
					for (const o of outcomes.filter((o) => o !== "created")) {
						assert.ok(o === "unchanged" || o === "updated", o);
					}
					for (const s of servers) {
						const client = sdkClient(s.url);
						const roles = await client.send(
							new GetIdentityPoolRolesCommand({
								IdentityPoolId:
									"us-east-1:0c0c0c0c-1111-4222-8333-444444444444",
							}),
						);
						assert.deepEqual(roles.Roles, { unauthenticated: GUEST });
						client.destroy();
					}
				} finally {
					for (const s of servers) await s.stop({ keepData: true });
				}
			});

			test("a declared pool deleted through the API is created anew, empty, by the next reload, its identities purged first", async () => {
				// The server's own purger stops: the deleted pool's identities wait for the reload.
				await t.server.purger.stop();
				await insertIdentities(
					t.dbPath,
					{ poolId: APP, accountId: TEST_ACCOUNT, region: "us-east-1" },
					2500,
				);
				await t.client.send(
					new DeleteIdentityPoolCommand({ IdentityPoolId: APP }),
				);
				assert.deepEqual(await t.server.store.pools.awaitingPurge(), [APP]);
				const changes = await t.server.reload(loadConfig({ config: file }, {}));
				assert.deepEqual(
					changes.map((c) => [c.poolId, c.outcome]),
					[
						[APP, "created"],
						[ADMIN, "unchanged"],
					],
				);
				assert.deepEqual(await t.server.store.pools.awaitingPurge(), []);
				const listed = await t.client.send(
					new ListIdentitiesCommand({ IdentityPoolId: APP, MaxResults: 10 }),
				);
				assert.deepEqual(listed.Identities, []);
			});
		},
	);
}

describe("providers of the configuration, reloaded", () => {
	test("a provider added to the file, or given in IDPOOL_PROVIDERS, is in force after a reload", async () => {
		const idp = await startFakeOidc({ issuerPath: "realms/reload" });
		const poolId = "us-east-1:0d0d0d0d-1111-4222-8333-444444444444";
		const declared = (providers: Record<string, unknown>) =>
			writeConfig(
				{
					providers,
					pools: [
						{
							IdentityPoolId: poolId,
							IdentityPoolName: "Reload",
							AllowUnauthenticatedIdentities: false,
							OpenIdConnectProviderARNs: [
								`arn:aws:iam::${TEST_ACCOUNT}:oidc-provider/${idp.host}`,
							],
						},
					],
				},
				join(dir, "providers.json"),
			);
		const file = declared({});
		try {
			const first = loadConfig({ config: file }, {});
			await withServer(
				{ config: { pools: first.pools, providers: first.providers } },
				async (t) => {
					const login = async () =>
						t.app.send(
							new GetIdCommand({
								IdentityPoolId: poolId,
								Logins: {
									[idp.host]: await idp.mint({ sub: "u1", aud: "reload-app" }),
								},
							}),
						);
					await rejectsWith(login(), "NotAuthorizedException");
					declared({ [idp.host]: { clientIds: ["reload-app"] } });
					await t.server.reload(loadConfig({ config: file }, {}));
					const { IdentityId } = await login();
					assert.match(IdentityId ?? "", /^us-east-1:/);

					// The variable replaces the file's table: without the client id, refused again.
					await t.server.reload(
						loadConfig(
							{ config: file },
							{ IDPOOL_PROVIDERS: `{"${idp.host}": {"clientIds": ["other"]}}` },
						),
					);
					await rejectsWith(login(), "NotAuthorizedException");
					await t.server.reload(
						loadConfig(
							{ config: file },
							{
								IDPOOL_PROVIDERS: `{"${idp.host}": {"clientIds": ["reload-app"]}}`,
							},
						),
					);
					assert.equal((await login()).IdentityId, IdentityId);
				},
			);
		} finally {
			await idp.close();
		}
	});
});
