/**
 * `idpool vacuum` (the built binary): a SQLite file made before incremental auto-vacuum is
 * rewritten without its free pages and gives space back from then on; a missing file is a
 * one-line error that creates nothing; on PostgreSQL there is nothing to do.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import Database from "better-sqlite3";
import { runIdpool } from "../support/cli.ts";
import { freshSchema } from "../support/postgres.ts";
import { engineSkipReason } from "../support/stores.ts";

const dir = mkdtempSync(join(tmpdir(), "idpool-vacuum-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function pragmas(file: string) {
	const db = new Database(file, { readonly: true });
	try {
		return {
			autoVacuum: db.pragma("auto_vacuum", { simple: true }) as number,
			free: db.pragma("freelist_count", { simple: true }) as number,
		};
	} finally {
		db.close();
	}
}

describe("idpool vacuum", () => {
	test("rewrites a SQLite file of an earlier version without its free pages, with incremental auto-vacuum on", async () => {
		const file = join(dir, "old.db");
		// A file with a table before idpool's first open: SQLite's default mode (none).
		const old = new Database(file);
		old.exec("CREATE TABLE made_before (x BLOB)");
		old.close();
		const migrated = await runIdpool(["migrate", "--db", file]);
		assert.equal(migrated.code, 0, migrated.stderr);
		// Rows written and deleted: their pages stay free inside the file.
		const db = new Database(file);
		db.exec(
			"INSERT INTO made_before SELECT randomblob(4000) FROM (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500) SELECT i FROM n); DELETE FROM made_before;",
		);
		db.close();
		const before = pragmas(file);
		assert.equal(before.autoVacuum, 0);
		assert.ok(before.free > 400, `${before.free} free pages`);

		const r = await runIdpool(["vacuum", "--db", file]);
		assert.equal(r.code, 0, r.stderr);
		assert.match(
			r.stdout,
			/^idpool: vacuumed .*old\.db: \d+\.\d MiB before, \d+\.\d MiB after; servers give free space back by themselves from now on\n$/,
		);
		assert.deepEqual(pragmas(file), { autoVacuum: 2, free: 0 });
	});

	test("a missing SQLite file is a one-line error, and none is created", async () => {
		const file = join(dir, "nowhere.db");
		const r = await runIdpool(["vacuum", "--db", file]);
		assert.notEqual(r.code, 0);
		assert.match(r.stderr, /no database at .*nowhere\.db/);
		assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
		assert.equal(existsSync(file), false);
	});

	test(":memory: is refused: there is no database to vacuum", async () => {
		const r = await runIdpool(["vacuum", "--db", ":memory:"]);
		assert.equal(r.code, 2, r.stderr);
		assert.equal(r.stderr, "idpool: --db: no database at :memory:\n");
	});

	test("on PostgreSQL there is nothing to do", {
		skip: engineSkipReason("postgres"),
	}, async () => {
		const schema = await freshSchema();
		try {
			const r = await runIdpool(["vacuum", "--db", schema.url]);
			assert.equal(r.code, 0, r.stderr);
			assert.match(r.stdout, /reclaims the space of deleted rows by itself/);
		} finally {
			await schema.drop();
		}
	});
});
