/**
 * `idpool export` with the built binary (docs/configuration-as-code.md#idpool-export): the
 * pools made through the API (settings, tags, roles, role mappings, principal tag maps, in
 * two accounts and two regions) are printed as a configuration file that `idpool apply`
 * takes back: applied to a new database, a server on it answers every pool as the first
 * does (through the JS SDK); applied to the same database, it changes nothing. Deleted pools
 * are left out. On each engine (the copy is always a SQLite file: moving between engines).
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import {
	type CognitoIdentityClient,
	CreateIdentityPoolCommand,
	DeleteIdentityPoolCommand,
	DescribeIdentityPoolCommand,
	GetIdentityPoolRolesCommand,
	GetPrincipalTagAttributeMapCommand,
	SetIdentityPoolRolesCommand,
	SetPrincipalTagAttributeMapCommand,
} from "@aws-sdk/client-cognito-identity";
import { BIN, runIdpool, serveIdpool } from "../support/cli.ts";
import { freshSchema, POSTGRES_URL } from "../support/postgres.ts";
import { sdkClient } from "../support/server.ts";
import { describeForEngine, engineSkipReason } from "../support/stores.ts";

const dir = mkdtempSync(join(tmpdir(), "idpool-export-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const FIRST = { accessKeyId: "FIRST", secretAccessKey: "first-secret" };
const SECOND = { accessKeyId: "SECOND", secretAccessKey: "second-secret" };
const KEYS = join(dir, "keys.json");
writeFileSync(
	KEYS,
	JSON.stringify([
		{ ...FIRST, accountId: "111111111111" },
		{ ...SECOND, accountId: "222222222222" },
	]),
);
const OIDC = "arn:aws:iam::111111111111:oidc-provider/oidc.example.com";
const GOOGLE = "accounts.google.com";

/** Makes the pools of the test through the API; answers the ids kept, by key. */
async function makePools(url: string) {
	const first = sdkClient(url, FIRST);
	const second = sdkClient(url, SECOND);
	try {
		const app = await first.send(
			new CreateIdentityPoolCommand({
				IdentityPoolName: "App",
				AllowUnauthenticatedIdentities: true,
				AllowClassicFlow: true,
				SupportedLoginProviders: { [GOOGLE]: "client-1" },
				DeveloperProviderName: "login.app",
				OpenIdConnectProviderARNs: [OIDC],
				IdentityPoolTags: { team: "web" },
			}),
		);
		await first.send(
			new SetIdentityPoolRolesCommand({
				IdentityPoolId: app.IdentityPoolId,
				Roles: { authenticated: "arn:aws:iam::111111111111:role/User" },
				RoleMappings: {
					[OIDC]: {
						Type: "Rules",
						AmbiguousRoleResolution: "Deny",
						RulesConfiguration: {
							Rules: [
								{
									Claim: "groups",
									MatchType: "Contains",
									Value: "admin",
									RoleARN: "arn:aws:iam::111111111111:role/Admin",
								},
							],
						},
					},
				},
			}),
		);
		await first.send(
			new SetPrincipalTagAttributeMapCommand({
				IdentityPoolId: app.IdentityPoolId,
				IdentityProviderName: GOOGLE,
				UseDefaults: true,
			}),
		);
		await first.send(
			new SetPrincipalTagAttributeMapCommand({
				IdentityPoolId: app.IdentityPoolId,
				IdentityProviderName: OIDC,
				PrincipalTags: { department: "dept" },
			}),
		);
		const gone = await first.send(
			new CreateIdentityPoolCommand({
				IdentityPoolName: "Gone",
				AllowUnauthenticatedIdentities: false,
			}),
		);
		await first.send(
			new DeleteIdentityPoolCommand({ IdentityPoolId: gone.IdentityPoolId }),
		);
		const admin = await sdkClient(url, { ...SECOND, region: "eu-west-1" }).send(
			new CreateIdentityPoolCommand({
				IdentityPoolName: "Admin",
				AllowUnauthenticatedIdentities: false,
				DeveloperProviderName: "login.admin",
			}),
		);
		return {
			app: app.IdentityPoolId as string,
			admin: admin.IdentityPoolId as string,
			gone: gone.IdentityPoolId as string,
		};
	} finally {
		first.destroy();
		second.destroy();
	}
}

/** What a server answers of one pool, through the API. */
async function poolAsAnswered(client: CognitoIdentityClient, poolId: string) {
	const strip = <T extends { $metadata?: unknown }>({
		$metadata,
		...rest
	}: T) => rest;
	const described = strip(
		await client.send(
			new DescribeIdentityPoolCommand({ IdentityPoolId: poolId }),
		),
	);
	const maps = [];
	for (const provider of [GOOGLE, OIDC]) {
		if (
			provider in (described.SupportedLoginProviders ?? {}) ||
			described.OpenIdConnectProviderARNs?.includes(provider)
		) {
			maps.push(
				strip(
					await client.send(
						new GetPrincipalTagAttributeMapCommand({
							IdentityPoolId: poolId,
							IdentityProviderName: provider,
						}),
					),
				),
			);
		}
	}
	return {
		described,
		roles: strip(
			await client.send(
				new GetIdentityPoolRolesCommand({ IdentityPoolId: poolId }),
			),
		),
		maps,
	};
}

for (const engine of ["sqlite", "postgres"] as const) {
	describeForEngine(
		engine,
		`idpool export (${engine}, the built binary)`,
		() => {
			test("prints the pools as a file that apply takes back: a new database answers them alike, the same one is unchanged", async () => {
				const schema = engine === "postgres" ? await freshSchema() : undefined;
				const db = schema?.url ?? join(dir, "source.db");
				const copyDb = join(dir, `copy-${engine}.db`);
				const source = await serveIdpool([
					"--port",
					"0",
					"--db",
					db,
					"--credentials",
					KEYS,
				]);
				let copy: Awaited<ReturnType<typeof serveIdpool>> | undefined;
				try {
					const ids = await makePools(source.url);
					const exported = await runIdpool([
						"export",
						"--db",
						db,
						"--credentials",
						KEYS,
					]);
					assert.equal(exported.code, 0, exported.stderr);
					assert.equal(exported.stderr, "");
					const file = JSON.parse(exported.stdout) as {
						pools: Record<string, unknown>[];
					};
					// By account, then region; the deleted pool left out; the account said only
					// where it is not the default (the first key's).
					assert.deepEqual(
						file.pools.map((p) => [p.IdentityPoolId, p.AccountId]),
						[
							[ids.app, undefined],
							[ids.admin, "222222222222"],
						],
					);
					const path = join(dir, `exported-${engine}.json`);
					writeFileSync(path, exported.stdout);

					const again = await runIdpool([
						"apply",
						path,
						"--db",
						db,
						"--credentials",
						KEYS,
					]);
					assert.equal(again.code, 0, again.stderr);
					assert.deepEqual(
						again.stdout
							.trim()
							.split("\n")
							.map((l) => l.replace(/.*: /, "")),
						["unchanged", "unchanged"],
					);

					const applied = await runIdpool([
						"apply",
						path,
						"--db",
						copyDb,
						"--credentials",
						KEYS,
					]);
					assert.equal(applied.code, 0, applied.stderr);
					assert.match(applied.stdout, /App, account 111111111111\): created/);
					copy = await serveIdpool([
						"--port",
						"0",
						"--db",
						copyDb,
						"--credentials",
						KEYS,
					]);
					for (const [poolId, keys, region] of [
						[ids.app, FIRST, "us-east-1"],
						[ids.admin, SECOND, "eu-west-1"],
					] as const) {
						const there = sdkClient(source.url, { ...keys, region });
						const here = sdkClient(copy.url, { ...keys, region });
						try {
							assert.deepEqual(
								await poolAsAnswered(here, poolId),
								await poolAsAnswered(there, poolId),
							);
						} finally {
							there.destroy();
							here.destroy();
						}
					}
					// What was compared holds what the test made (no pool compared empty to empty).
					const client = sdkClient(copy.url, FIRST);
					try {
						const app = await poolAsAnswered(client, ids.app);
						assert.equal(app.maps.length, 2, "both principal tag maps");
						assert.ok(app.roles.RoleMappings, "the role mappings");
						assert.deepEqual(app.described.IdentityPoolTags, { team: "web" });
					} finally {
						client.destroy();
					}
				} finally {
					assert.equal(await source.stop(), 0);
					if (copy) assert.equal(await copy.stop(), 0);
					await schema?.drop();
				}
			});
		},
	);
}

test("a large export arrives whole through a pipe whose reader is slow", async () => {
	// 400 pools, ~100 KiB of JSON: past what a pipe holds (64 KiB), so the process must wait
	// for its reader before it exits.
	const db = join(dir, "many.db");
	const declared = join(dir, "many.json");
	writeFileSync(
		declared,
		JSON.stringify({
			pools: Array.from({ length: 400 }, (_, i) => ({
				IdentityPoolId: `us-east-1:${randomUUID()}`,
				IdentityPoolName: `Pool${i}`,
				AllowUnauthenticatedIdentities: true,
				IdentityPoolTags: { team: "web", index: String(i) },
			})),
		}),
	);
	const applied = await runIdpool(["apply", declared, "--db", db]);
	assert.equal(applied.code, 0, applied.stderr);
	// Through a shell's pipe (pipe(2), as `idpool export | jq` or `docker exec` give), whose
	// reader starts a second late; the shell answers the exporter's exit code.
	const { stdout: out, code } = await new Promise<{
		stdout: string;
		code: number | null;
	}>((resolve) => {
		execFile(
			"/bin/bash",
			[
				"-c",
				'set -o pipefail; "$0" "$1" export --db "$2" | { sleep 1; cat; }',
				process.execPath,
				BIN,
				db,
			],
			{ maxBuffer: 16 * 1024 * 1024 },
			(error, stdout) =>
				resolve({
					stdout,
					code: error ? ((error.code as number | undefined) ?? null) : 0,
				}),
		);
	});
	assert.equal(code, 0);
	assert.ok(out.length > 65_536, `${out.length} bytes`);
	assert.equal((JSON.parse(out) as { pools: unknown[] }).pools.length, 400);

	// A reader that stops early (`| head`) is no failure: no crash, no stack, exit code 0.
	const cut = await new Promise<{ stderr: string; code: number | null }>(
		(resolve) => {
			execFile(
				"/bin/bash",
				[
					"-c",
					'set -o pipefail; "$0" "$1" export --db "$2" | head -c 10 > /dev/null',
					process.execPath,
					BIN,
					db,
				],
				(error, _stdout, stderr) =>
					resolve({
						stderr,
						code: error ? ((error.code as number | undefined) ?? null) : 0,
					}),
			);
		},
	);
	assert.deepEqual(cut, { stderr: "", code: 0 });
});

test("a place that holds no idpool database (a mistyped schema, another file) is said to hold none", async () => {
	const other = join(dir, "other.db");
	writeFileSync(other, "");
	const places = [other];
	if (!engineSkipReason("postgres")) {
		places.push(
			`${POSTGRES_URL}?schema=idpool_no_such_${randomUUID().slice(0, 8)}`,
		);
	}
	for (const db of places) {
		const r = await runIdpool(["export", "--db", db]);
		assert.equal(r.code, 2, r.stderr);
		assert.equal(
			r.stderr,
			"idpool: no idpool database there (it records no migration): check --db\n",
		);
	}
});

test("a database that does not exist is refused in one line, and none is made", async () => {
	const r = await runIdpool(["export", "--db", join(dir, "nowhere.db")]);
	assert.equal(r.code, 2);
	assert.match(r.stderr, /^idpool: --db: no database at .*nowhere\.db /);
	assert.equal(r.stdout, "");
});
