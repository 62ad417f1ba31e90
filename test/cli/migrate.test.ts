import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import Database from "better-sqlite3";
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
				// A server that starts where it should refuse is stopped, and the test fails.
				{ env: { PATH: process.env.PATH, ...env }, timeout: 30_000 },
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

/** Runs one statement on the SQLite file `file` (its own connection); answers the rows read. */
function sqliteStatements(file: string) {
	return async (statement: string): Promise<unknown[]> => {
		const db = new Database(file);
		try {
			const prepared = db.prepare(statement);
			if (prepared.reader) return prepared.all();
			prepared.run();
			return [];
		} finally {
			db.close();
		}
	};
}

/** The one line a command prints for a database a newer idpool migrated. */
const TOO_NEW =
	/^idpool: the database was migrated by a newer idpool \(schema version 999, "from-a-newer-idpool"; this idpool knows up to \d+\): run that idpool or a newer one, or restore the backup taken before the upgrade \(docs\/deployment\.md#upgrading\)\n$/;

describe("a database a newer idpool migrated (the built binary)", () => {
	/**
	 * Migrates `db`, records a migration this idpool does not know, and checks that `serve`,
	 * `migrate` and `keys list` refuse it in one line with exit code 2, leaving what `rows`
	 * reads of it as it was.
	 */
	async function refused(
		db: string,
		sql: (statement: string) => Promise<unknown[]>,
	): Promise<void> {
		const migrated = await run(["migrate", "--db", db]);
		assert.equal(migrated.code, 0, migrated.stderr);
		await sql(
			"INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'from-a-newer-idpool', 0)",
		);
		const before = JSON.stringify(
			await sql("SELECT version, name FROM schema_migrations ORDER BY version"),
		);
		for (const args of [
			["serve", "--port", "0"],
			["migrate"],
			["keys", "list"],
		]) {
			const r = await run([...args, "--db", db]);
			assert.equal(r.code, 2, `${args[0]}: ${r.stderr}`);
			assert.match(r.stderr, TOO_NEW);
			assert.equal(r.stdout, "");
		}
		assert.equal(
			JSON.stringify(
				await sql(
					"SELECT version, name FROM schema_migrations ORDER BY version",
				),
			),
			before,
		);
		// Nothing was written: `serve` makes the first signing key of a new database.
		assert.deepEqual(await sql("SELECT kid FROM signing_keys"), []);
	}

	test("SQLite: serve, migrate and keys refuse it in one line, and change nothing", {
		skip: engineSkipReason("sqlite"),
	}, async () => {
		const dir = mkdtempSync(join(tmpdir(), "idpool-newer-"));
		try {
			const file = join(dir, "idpool.db");
			await refused(file, sqliteStatements(file));
			// The way back starts from a copy: `backup` copies such a database as any other.
			const copy = await run(["backup", join(dir, "copy.db"), "--db", file]);
			assert.equal(copy.code, 0, copy.stderr);
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});

	test("PostgreSQL: serve, migrate and keys refuse it in one line, and change nothing", {
		skip: engineSkipReason("postgres"),
	}, async () => {
		const schema = await freshSchema();
		const client = new pg.Client({ connectionString: POSTGRES_URL });
		await client.connect();
		try {
			await refused(schema.url, async (statement) => {
				await client.query(`SET search_path TO ${schema.schema}`);
				return (await client.query(statement)).rows;
			});
		} finally {
			await client.end();
			await schema.drop();
		}
	});
});

describe("a database with migrations still to apply, for the commands that only read it (the built binary)", () => {
	/**
	 * Migrates `db`, takes the record of its last migration away (as a database of an older
	 * idpool lacks it), and checks that `keys list`, `export` and `copy` refuse it in one line
	 * with exit code 2 and migrate nothing.
	 */
	async function leftAsItWas(
		db: string,
		copyTo: string,
		sql: (statement: string) => Promise<unknown[]>,
	): Promise<void> {
		const migrated = await run(["migrate", "--db", db]);
		assert.equal(migrated.code, 0, migrated.stderr);
		const [last] = (await sql(
			"SELECT version, name FROM schema_migrations ORDER BY version DESC LIMIT 1",
		)) as { version: number; name: string }[];
		const version = Number(last?.version);
		await sql(`DELETE FROM schema_migrations WHERE version = ${version}`);
		for (const args of [["keys", "list"], ["export"], ["copy", copyTo]]) {
			const r = await run([...args, "--db", db]);
			assert.equal(r.code, 2, `${args[0]}: ${r.stderr}`);
			assert.match(
				r.stderr,
				new RegExp(
					`^idpool: the database's schema is older than this idpool's \\(it lacks migration ${version}, "[a-z-]+"\\): run \`idpool migrate\` on it first, once no server of an older idpool uses it \\(docs/deployment\\.md#upgrading\\)\\n$`,
				),
			);
			assert.equal(
				(
					await sql(
						`SELECT version FROM schema_migrations WHERE version = ${version}`,
					)
				).length,
				0,
				`${args[0]} migrated nothing`,
			);
		}
		// The record back (its change is still in the schema): the same commands read it.
		await sql(
			`INSERT INTO schema_migrations (version, name, applied_at) VALUES (${version}, '${last?.name}', 0)`,
		);
		const listed = await run(["keys", "list", "--db", db]);
		assert.equal(listed.code, 0, listed.stderr);
	}

	test("SQLite", { skip: engineSkipReason("sqlite") }, async () => {
		const dir = mkdtempSync(join(tmpdir(), "idpool-older-"));
		try {
			const file = join(dir, "idpool.db");
			await leftAsItWas(file, join(dir, "copy.db"), sqliteStatements(file));
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});

	test("PostgreSQL", { skip: engineSkipReason("postgres") }, async () => {
		const schema = await freshSchema();
		const client = new pg.Client({ connectionString: POSTGRES_URL });
		await client.connect();
		const dir = mkdtempSync(join(tmpdir(), "idpool-older-"));
		try {
			await leftAsItWas(schema.url, join(dir, "copy.db"), async (statement) => {
				await client.query(`SET search_path TO ${schema.schema}`);
				return (await client.query(statement)).rows;
			});
		} finally {
			await client.end();
			await schema.drop();
			rmSync(dir, { recursive: true, force: true });
		}
	});
});
