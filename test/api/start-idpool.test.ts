/**
 * The programmatic API (`import { startIdpool } from "idpool"`, src/api/index.ts), in the
 * repository: a quiet server on a free port and in memory by default, options that are the
 * settings of a configuration file (merged over the file `configFile` names), the accounts,
 * and a stop that leaves the process as it found it. test/package/pack.test.ts runs it again
 * from the packed tarball; docs-example.test.ts runs the example of docs/testing-with-idpool.md.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import {
	CognitoIdentityClient,
	CreateIdentityPoolCommand,
	DescribeIdentityPoolCommand,
	GetIdCommand,
	GetIdentityPoolRolesCommand,
	GetOpenIdTokenCommand,
	ListIdentityPoolsCommand,
} from "@aws-sdk/client-cognito-identity";
import { decodeJwt } from "jose";
import {
	ConfigError,
	type RunningIdpool,
	startIdpool,
} from "../../src/api/index.ts";
import { listedPoolIds } from "../support/package.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const API = new URL("../../src/api/index.ts", import.meta.url).href;
const dir = mkdtempSync(join(tmpdir(), "idpool-api-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function clientOf(idpool: RunningIdpool, region = idpool.region) {
	return new CognitoIdentityClient({
		endpoint: idpool.endpoint,
		region,
		credentials: idpool.credentials,
	});
}

const execFileAsync = promisify(execFile);

/**
 * Runs `code` (an ES module importing startIdpool as `api`) in a process of its own, whose
 * whole output the test then sees: nothing but what the code itself prints.
 */
async function runModule(
	code: string,
): Promise<{ stdout: string; stderr: string }> {
	const file = join(dir, `module-${Math.random().toString(36).slice(2)}.mts`);
	writeFileSync(file, `import * as api from ${JSON.stringify(API)};\n${code}`);
	return execFileAsync(process.execPath, ["--import", "tsx", file], {
		cwd: ROOT,
		timeout: 60_000,
	});
}

describe("startIdpool", () => {
	test("without options: a server on a free port of 127.0.0.1, in memory, that the SDK reaches with the credentials it answers", async () => {
		const idpool = await startIdpool();
		after(() => idpool.stop());
		const client = clientOf(idpool);
		const pool = await client.send(
			new CreateIdentityPoolCommand({
				IdentityPoolName: "api",
				AllowUnauthenticatedIdentities: true,
			}),
		);
		const { IdentityId } = await client.send(
			new GetIdCommand({ IdentityPoolId: pool.IdentityPoolId }),
		);
		const { Token } = await client.send(
			new GetOpenIdTokenCommand({ IdentityId }),
		);
		assert.equal(decodeJwt(Token ?? "").iss, idpool.issuer);
		assert.match(pool.IdentityPoolId ?? "", /^us-east-1:/);
		client.destroy();
		assert.match(idpool.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
		assert.notEqual(idpool.endpoint, "http://127.0.0.1:8700");
		assert.equal(idpool.issuer, idpool.endpoint);
		assert.equal(idpool.region, "us-east-1");
		assert.equal(idpool.credentials.accessKeyId, "test");
		assert.equal(idpool.credentials.secretAccessKey, "test");
		assert.equal(idpool.accountId, "000000000000");
		assert.equal(idpool.devIssuer, undefined);
		await idpool.stop();
		await idpool.stop(); // again: the same stop
		await assert.rejects(fetch(`${idpool.endpoint}/health`));

		// A new server starts afresh: nothing was kept.
		const next = await startIdpool();
		after(() => next.stop());
		const nextClient = clientOf(next);
		const list = await nextClient.send(
			new ListIdentityPoolsCommand({ MaxResults: 10 }),
		);
		assert.deepEqual(list.IdentityPools, []);
		nextClient.destroy();
		await next.stop();
	});

	test("logs nothing, installs no signal handler, and lets the process end once stopped", async () => {
		const { stdout, stderr } = await runModule(`
const signals = () => ["SIGTERM", "SIGINT", "SIGHUP"].map((s) => process.listenerCount(s)).join();
const before = signals();
const idpool = await api.startIdpool({ db: ${JSON.stringify(join(dir, "quiet.db"))} });
const health = await fetch(idpool.endpoint + "/health");
const during = signals();
await idpool.stop();
console.log(JSON.stringify({ status: health.status, before, during }));
`);
		// Only what the module printed: no log line, no banner; and it ended by itself.
		assert.equal(stderr, "");
		const lines = stdout.trim().split("\n");
		assert.equal(lines.length, 1, stdout);
		const { status, before, during } = JSON.parse(lines[0] ?? "");
		assert.equal(status, 200);
		assert.equal(during, before);
	});

	test("options are the settings of a configuration file, over the file configFile names; the region is the clients'", async () => {
		const file = join(dir, "idpool.json");
		// The file's db and logLevel win over startIdpool's own defaults.
		const db = join(dir, "from-file.db");
		writeFileSync(
			file,
			JSON.stringify({ maxPools: 5, maxTags: 3, db, logLevel: "silent" }),
		);
		const idpool = await startIdpool({
			configFile: file,
			maxPools: 1,
			devIssuer: true,
			corsOrigins: ["https://app.example.com"],
			region: "eu-west-1",
		});
		try {
			const client = clientOf(idpool);
			const pool = await client.send(
				new CreateIdentityPoolCommand({
					IdentityPoolName: "first",
					AllowUnauthenticatedIdentities: false,
					IdentityPoolTags: { a: "1", b: "2", c: "3" },
				}),
			);
			assert.match(pool.IdentityPoolId ?? "", /^eu-west-1:/);
			// maxPools from the options, maxTags from the file.
			await assert.rejects(
				client.send(
					new CreateIdentityPoolCommand({
						IdentityPoolName: "second",
						AllowUnauthenticatedIdentities: false,
					}),
				),
				{ name: "LimitExceededException" },
			);
			client.destroy();
			assert.equal(idpool.devIssuer?.url, `${idpool.issuer}/dev-issuer`);
			assert.ok(existsSync(db), "the file's database is used");
			const preflight = await fetch(idpool.endpoint, {
				method: "OPTIONS",
				headers: {
					origin: "https://app.example.com",
					"access-control-request-method": "POST",
				},
			});
			assert.equal(
				preflight.headers.get("access-control-allow-origin"),
				"https://app.example.com",
			);
		} finally {
			await idpool.stop();
		}
	});

	test("accounts given as credentials: the first is answered, each signs for its own account", async () => {
		const idpool = await startIdpool({
			credentials: [
				{
					accessKeyId: "AKIDFIRST",
					secretAccessKey: "first-secret",
					accountId: "111111111111",
				},
				{
					accessKeyId: "AKIDSECOND",
					secretAccessKey: "second-secret",
					accountId: "222222222222",
				},
			],
		});
		try {
			assert.deepEqual(idpool.credentials, {
				accessKeyId: "AKIDFIRST",
				secretAccessKey: "first-secret",
			});
			assert.equal(idpool.accountId, "111111111111");
			const first = clientOf(idpool);
			await first.send(
				new CreateIdentityPoolCommand({
					IdentityPoolName: "mine",
					AllowUnauthenticatedIdentities: false,
				}),
			);
			const second = new CognitoIdentityClient({
				endpoint: idpool.endpoint,
				region: idpool.region,
				credentials: {
					accessKeyId: "AKIDSECOND",
					secretAccessKey: "second-secret",
				},
			});
			const list = await second.send(
				new ListIdentityPoolsCommand({ MaxResults: 10 }),
			);
			assert.deepEqual(list.IdentityPools, []);
			first.destroy();
			second.destroy();
		} finally {
			await idpool.stop();
		}
	});

	test("a SQLite file keeps the data from one server to the next", async () => {
		const db = join(dir, "kept.db");
		const one = await startIdpool({ db });
		const client = clientOf(one);
		const pool = await client.send(
			new CreateIdentityPoolCommand({
				IdentityPoolName: "kept",
				AllowUnauthenticatedIdentities: false,
			}),
		);
		client.destroy();
		await one.stop();
		await using two = await startIdpool({ db });
		const again = clientOf(two);
		assert.deepEqual(await listedPoolIds(again), [pool.IdentityPoolId]);
		again.destroy();
	});

	test("a bad option is refused with a message naming it, and nothing is left listening", async () => {
		await assert.rejects(startIdpool({ maxPools: 0 }), (err: Error) => {
			assert.ok(err instanceof ConfigError);
			assert.match(err.message, /'maxPools' in the options of startIdpool/);
			return true;
		});
		await assert.rejects(
			// @ts-expect-error: not a setting, as TypeScript says too
			startIdpool({ maxPool: 3 }),
			/unknown setting 'maxPool'/,
		);
		await assert.rejects(
			startIdpool({
				credentials: [
					{ accessKeyId: "AKID", secretAccessKey: "s", accountId: "12" },
				],
			}),
			/the options of startIdpool: credentials.*accountId/,
		);
		await assert.rejects(
			startIdpool({ configFile: join(dir, "missing.json") }),
			/cannot read config file .*missing\.json: ENOENT/,
		);
	});

	test("pools declared in the options are there with their fixed ids, roles and tags", async () => {
		const IdentityPoolId = "us-east-1:0b6e9a52-2f4f-4d8e-9f4e-3c1a7d2b5e60";
		await using idpool = await startIdpool({
			pools: [
				{
					IdentityPoolId,
					IdentityPoolName: "Seeded",
					AllowUnauthenticatedIdentities: true,
					IdentityPoolTags: { team: "web" },
					Roles: { unauthenticated: "arn:aws:iam::000000000000:role/Guest" },
				},
			],
		});
		const client = clientOf(idpool);
		const described = await client.send(
			new DescribeIdentityPoolCommand({ IdentityPoolId }),
		);
		assert.equal(described.IdentityPoolName, "Seeded");
		assert.deepEqual(described.IdentityPoolTags, { team: "web" });
		const roles = await client.send(
			new GetIdentityPoolRolesCommand({ IdentityPoolId }),
		);
		assert.deepEqual(roles.Roles, {
			unauthenticated: "arn:aws:iam::000000000000:role/Guest",
		});
		client.destroy();
	});
});
