import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { describe, test } from "node:test";
import pg from "pg";
import { freshSchema, POSTGRES_URL } from "../support/postgres.ts";
import { engineSkipReason } from "../support/stores.ts";

const BIN = new URL("../../bin/idpool.js", import.meta.url).pathname;

function run(args: string[], env: Record<string, string> = {}) {
	return new Promise<{ code: number; stdout: string; stderr: string }>(
		(resolve) => {
			execFile(
				process.execPath,
				[BIN, ...args],
				{ env: { PATH: process.env.PATH, ...env } },
				(error, stdout, stderr) =>
					resolve({ code: error ? (error.code as number) : 0, stdout, stderr }),
			);
		},
	);
}

describe("idpool migrate (the built binary)", () => {
	test("applies every migration to a PostgreSQL schema, once, even when run twice at the same time", {
		skip: engineSkipReason("postgres"),
	}, async () => {
		const schema = await freshSchema();
		try {
			const [first, second] = await Promise.all([
				run(["migrate"], { IDPOOL_DB: schema.url }),
				run(["migrate", "--db", schema.url]),
			]);
			assert.equal(first.code, 0, first.stderr);
			assert.equal(second.code, 0, second.stderr);
			assert.match(first.stdout, /the postgres database is up to date/);
			const client = new pg.Client({ connectionString: POSTGRES_URL });
			await client.connect();
			try {
				const { rows } = await client.query(
					`SELECT version FROM ${schema.schema}.schema_migrations ORDER BY version`,
				);
				const versions = rows.map((r) => Number(r.version));
				assert.deepEqual(
					versions,
					[...new Set(versions)].sort((a, b) => a - b),
				);
				assert.ok(versions.length >= 3);
			} finally {
				await client.end();
			}
		} finally {
			await schema.drop();
		}
	});

	test("an unreachable database is a one-line error, not a hang or a stack trace", async () => {
		const r = await run([
			"migrate",
			"--db",
			"postgres://root@127.0.0.1:1/test",
		]);
		assert.notEqual(r.code, 0);
		assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
		assert.doesNotMatch(r.stderr, /\n\s+at /);
	});
});
