/**
 * The tables `idpool copy` carries (src/store/sql/tables.ts) are every table of both engines'
 * schemas but the two it leaves out on purpose, each with every column: a migration that adds
 * a table or a column without adding it there fails here, rather than copies losing it; and
 * each column's kind (flag, integer, text) is the one the spec converts it as.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import Database from "better-sqlite3";
import pg from "pg";
import { openStore } from "../../src/server/open-store.ts";
import { TABLES } from "../../src/store/sql/tables.ts";
import { freshSchema, POSTGRES_URL } from "../support/postgres.ts";
import { engineSkipReason } from "../support/stores.ts";

/** Tables left out of copies: each store records its own migrations; the probe is scratch. */
const LEFT_OUT = ["health_probe", "schema_migrations"];

/** The spec's tables and columns, sorted, as the schemas are compared with it. */
function specified(): Record<string, string[]> {
	return Object.fromEntries(TABLES.map((t) => [t.name, [...t.columns].sort()]));
}

function sortedSchema(columns: { table: string; column: string }[]) {
	const tables: Record<string, string[]> = {};
	for (const { table, column } of columns) {
		if (LEFT_OUT.includes(table)) continue;
		tables[table] = [...(tables[table] ?? []), column];
	}
	return Object.fromEntries(
		Object.entries(tables).map(([t, c]) => [t, c.sort()]),
	);
}

test("SQLite: every table and column is copied", {
	skip: engineSkipReason("sqlite"),
}, async () => {
	const dir = mkdtempSync(join(tmpdir(), "idpool-tables-"));
	try {
		const file = join(dir, "t.db");
		const store = await openStore(file);
		await store.migrate();
		await store.close();
		const db = new Database(file, { readonly: true });
		try {
			const names = (
				db
					.prepare(
						"SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
					)
					.all() as { name: string }[]
			).map((r) => r.name);
			const columns = names.flatMap((table) =>
				(db.pragma(`table_info(${table})`) as { name: string }[]).map((c) => ({
					table,
					column: c.name,
				})),
			);
			assert.deepEqual(sortedSchema(columns), specified());
		} finally {
			db.close();
		}
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});

test("PostgreSQL: every table and column is copied", {
	skip: engineSkipReason("postgres"),
}, async () => {
	const schema = await freshSchema();
	try {
		const store = await openStore(schema.url);
		await store.migrate();
		await store.close();
		const client = new pg.Client({ connectionString: POSTGRES_URL });
		await client.connect();
		try {
			const { rows } = await client.query<{ table: string; column: string }>(
				"SELECT table_name AS table, column_name AS column FROM information_schema.columns WHERE table_schema = $1",
				[schema.schema],
			);
			assert.deepEqual(sortedSchema(rows), specified());
			// Each column's kind is the spec's: flags convert between 0/1 and booleans, integers
			// between numbers and PostgreSQL's text for BIGINT.
			const { rows: types } = await client.query<{
				table: string;
				column: string;
				type: string;
			}>(
				"SELECT table_name AS table, column_name AS column, data_type AS type FROM information_schema.columns WHERE table_schema = $1",
				[schema.schema],
			);
			for (const spec of TABLES) {
				const of = (kind: (type: string) => boolean) =>
					types
						.filter((t) => t.table === spec.name && kind(t.type))
						.map((t) => t.column)
						.sort();
				assert.deepEqual(
					of((t) => t === "boolean"),
					[...spec.booleans].sort(),
					`${spec.name}: flags`,
				);
				assert.deepEqual(
					of((t) => t === "bigint" || t === "integer"),
					[...spec.integers].sort(),
					`${spec.name}: integers`,
				);
			}
		} finally {
			await client.end();
		}
	} finally {
		await schema.drop();
	}
});
