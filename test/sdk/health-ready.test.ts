/**
 * `/health/live` answers while the process does, touching nothing; `/health/ready` answers
 * 200 only while every check passes (the database opened is still the one at its location,
 * the store commits a small write, a signing key is loaded that can sign) and 503 otherwise,
 * with the list of checks and, for a failure, a reason that is an error code or a fixed
 * sentence: never a path, a message or a stack trace. A change of a check's outcome is
 * logged once. The disk-level failures (a full disk, a file system turned read-only) are in
 * health.test.ts, which checks both endpoints.
 */
import assert from "node:assert/strict";
import { copyFileSync, renameSync, unlinkSync } from "node:fs";
import { describe, test } from "node:test";
import {
	type CognitoIdentityClient,
	CreateIdentityPoolCommand,
} from "@aws-sdk/client-cognito-identity";
import Database from "better-sqlite3";
import { openStore } from "../../src/server/open-store.ts";
import { useCuttablePostgres } from "../support/postgres.ts";
import { capturedLog, useServer, withServer } from "../support/server.ts";
import { describeForEngine, storeWith } from "../support/stores.ts";

interface Report {
	status: string;
	checks: { name: string; status: string; detail?: string }[];
}

async function get(url: string, path: string) {
	const response = await fetch(new URL(path, url));
	const text = await response.text();
	return {
		status: response.status,
		type: response.headers.get("content-type"),
		text,
		body: JSON.parse(text) as Report,
	};
}

/** The outcome of each check by name: `ok`, or `fail: <detail>`. */
function outcomes(report: Report): Record<string, string> {
	return Object.fromEntries(
		report.checks.map((c) => [
			c.name,
			c.status === "ok" ? "ok" : `fail: ${c.detail ?? ""}`,
		]),
	);
}

/**
 * `/health/ready`, asked until it answers `status` and, if given, `checks` says so of the
 * checks' outcomes (at most 10 s: the store's write is run at most once a second, so its
 * outcome may lag by that much), then answered.
 */
async function readyUntil(
	url: string,
	status: number,
	checks: (outcomes: Record<string, string>) => boolean = () => true,
) {
	const done = (a: Awaited<ReturnType<typeof get>>) =>
		a.status === status && checks(outcomes(a.body));
	let answer = await get(url, "/health/ready");
	for (let i = 0; i < 100 && !done(answer); i++) {
		await new Promise((r) => setTimeout(r, 100));
		answer = await get(url, "/health/ready");
	}
	return answer;
}

const storeFails = (o: Record<string, string>) => o.store !== "ok";

const createPool = (client: CognitoIdentityClient) =>
	client.send(
		new CreateIdentityPoolCommand({
			IdentityPoolName: "ready",
			AllowUnauthenticatedIdentities: true,
		}),
	);

describe("/health/live and /health/ready", () => {
	const t = useServer();

	test("a server that can serve: live 200, ready 200 with every check ok", async () => {
		const live = await get(t.url, "/health/live");
		assert.equal(live.status, 200);
		assert.match(live.type ?? "", /^application\/json/);
		assert.deepEqual(live.body, { status: "ok", checks: [] });
		const ready = await get(t.url, "/health/ready");
		assert.equal(ready.status, 200);
		assert.match(ready.type ?? "", /^application\/json/);
		assert.deepEqual(ready.body, {
			status: "ok",
			checks: [
				{ name: "database", status: "ok" },
				{ name: "store", status: "ok" },
				{ name: "signing-keys", status: "ok" },
			],
		});
		// /health stays as it was for those who use it.
		const health = await fetch(new URL("/health", t.url));
		assert.deepEqual(await health.json(), { status: "ok", store: "sqlite" });
	});

	test("probes together share one run of the checks and all answer 200", async () => {
		const answers = await Promise.all(
			Array.from({ length: 20 }, () => get(t.url, "/health/ready")),
		);
		for (const a of answers) assert.equal(a.status, 200);
	});
});

describe("/health/ready fails on a broken store", () => {
	test("the database file deleted under the server: 503 (database and store), logged once; live stays 200", async () => {
		const log = capturedLog();
		await withServer(
			{ config: { logLevel: "info" }, logStream: log.stream },
			async (t) => {
				await createPool(t.client);
				assert.equal((await get(t.url, "/health/ready")).status, 200);
				unlinkSync(t.dbPath);
				const ready = await readyUntil(t.url, 503, storeFails);
				assert.equal(ready.status, 503);
				assert.deepEqual(ready.body.status, "fail");
				assert.deepEqual(outcomes(ready.body), {
					database: "fail: the database file was deleted or replaced",
					store: "fail: the database file was deleted or replaced",
					"signing-keys": "ok",
				});
				assert.ok(!ready.text.includes(t.dbPath), "no path in the answer");
				// Asked again (after the store check's reuse window): still failing, not logged again.
				await new Promise((r) => setTimeout(r, 1100));
				assert.equal((await get(t.url, "/health/ready")).status, 503);
				assert.equal((await get(t.url, "/health/live")).status, 200);
				const told = log.lines.filter(
					(l) => l.check === "database" && l.msg.includes("fails"),
				);
				assert.equal(told.length, 1, "a check's failure is told once");
				assert.equal(told[0]?.level, 50, "at error level");
			},
		);
	});

	test("the database file replaced by a copy under the server: 503", async () => {
		await withServer(async (t) => {
			await createPool(t.client);
			const other = `${t.dbPath}.other`;
			copyFileSync(t.dbPath, other);
			renameSync(other, t.dbPath);
			const ready = await get(t.url, "/health/ready");
			assert.equal(ready.status, 503);
			assert.equal(
				outcomes(ready.body).database,
				"fail: the database file was deleted or replaced",
			);
		});
	});

	test("a store that fails its write, and one that does not answer: 503 with the error code and a timeout, no message, path or stack", async () => {
		const real = await openStore(":memory:");
		let mode: "fail" | "hang" | "ok" = "ok";
		const failing = storeWith(real, {
			async ping(bytes) {
				if (mode === "fail") {
					throw Object.assign(
						new Error("disk I/O error writing /secret/path/idpool.db-wal"),
						{ code: "SQLITE_IOERR_WRITE" },
					);
				}
				if (mode === "hang") return new Promise<void>(() => {});
				return real.ping(bytes);
			},
			async checkDatabase() {
				if (mode === "fail") throw new Error("at /secret/path: ENOENT");
				if (mode === "hang") return new Promise<void>(() => {});
			},
		});
		await withServer({ store: failing }, async (t) => {
			assert.equal((await get(t.url, "/health/ready")).status, 200);
			mode = "fail";
			const broken = await readyUntil(t.url, 503, storeFails);
			assert.equal(broken.status, 503);
			assert.deepEqual(outcomes(broken.body), {
				database: "fail: the database did not answer",
				store: "fail: SQLITE_IOERR_WRITE",
				"signing-keys": "ok",
			});
			assert.doesNotMatch(broken.text, /secret|disk I\/O|ENOENT|\n\s+at /);
			mode = "hang";
			const hung = await readyUntil(
				t.url,
				503,
				(o) => o.store === "fail: no answer within 2 s",
			);
			assert.equal(hung.status, 503);
			assert.deepEqual(outcomes(hung.body), {
				database: "fail: no answer within 2 s",
				store: "fail: no answer within 2 s",
				"signing-keys": "ok",
			});
			mode = "ok";
			assert.equal((await readyUntil(t.url, 200)).status, 200);
		});
	});

	test("no signing key left in the database once the keys are reloaded: 503 (signing-keys)", async () => {
		await withServer(async (t) => {
			assert.equal((await get(t.url, "/health/ready")).status, 200);
			const db = new Database(t.dbPath);
			try {
				db.prepare("DELETE FROM signing_keys").run();
			} finally {
				db.close();
			}
			await t.server.keys.reload();
			const ready = await get(t.url, "/health/ready");
			assert.equal(ready.status, 503);
			assert.deepEqual(outcomes(ready.body), {
				database: "ok",
				store: "ok",
				"signing-keys": "fail: no signing key is loaded that can sign",
			});
		});
	});
});

describeForEngine(
	"postgres",
	"/health/ready on PostgreSQL",
	{ timeout: 120_000 },
	() => {
		const database = useCuttablePostgres();
		const t = useServer(() => ({ config: { db: database.db() } }));

		test("200 while the database answers, 503 while it is away, 200 again when it is back", async () => {
			const ready = await get(t.url, "/health/ready");
			assert.equal(ready.status, 200, ready.text);
			await database.proxy().cut();
			const away = await readyUntil(t.url, 503, storeFails);
			assert.equal(away.status, 503);
			const checks = outcomes(away.body);
			assert.match(checks.database ?? "", /^fail: /);
			assert.match(checks.store ?? "", /^fail: /);
			assert.equal(checks["signing-keys"], "ok");
			assert.doesNotMatch(away.text, /127\.0\.0\.1|postgres:\/\//);
			await database.proxy().restore();
			assert.equal((await readyUntil(t.url, 200)).status, 200);
		});
	},
);
