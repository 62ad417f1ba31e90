/**
 * The retries of PostgreSQL transactions, as `idpool_store_transaction_retries_total` counts
 * them (docs/operating.md#metrics): a transaction that meets a real unique violation (another
 * connection committed the same key first) is run again, and the retry is told with its
 * reason; a transaction that fails for another reason is not retried and tells nothing.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import pg from "pg";
import type { RetryReason } from "../../src/lib/metrics.ts";
import { Database } from "../../src/store/postgres/database.ts";
import { freshSchema, POSTGRES_URL } from "../support/postgres.ts";
import { describeForEngine } from "../support/stores.ts";

describeForEngine("postgres", "retries of PostgreSQL transactions", () => {
	let schema: Awaited<ReturnType<typeof freshSchema>>;
	let other: pg.Client;
	let db: Database;
	const retries: RetryReason[] = [];

	before(async () => {
		schema = await freshSchema();
		other = new pg.Client({ connectionString: POSTGRES_URL });
		await other.connect();
		await other.query(`CREATE SCHEMA ${schema.schema}`);
		await other.query(
			`CREATE TABLE ${schema.schema}.claims (id int PRIMARY KEY)`,
		);
		db = new Database({
			connectionString: POSTGRES_URL,
			schema: schema.schema,
			poolSize: 2,
			connectTimeoutMs: 5000,
			queryTimeoutMs: 10_000,
			extraOptions: undefined,
			onRetry: (reason) => retries.push(reason),
		});
	});
	after(async () => {
		await db?.close();
		await other?.end();
		await schema?.drop();
	});

	test("a unique violation runs the transaction again and is told as such", async () => {
		retries.length = 0;
		let attempts = 0;
		const claimed = await db.transaction("READ COMMITTED", async (sql) => {
			attempts++;
			const [free] = await sql.rows<{ id: number }>(
				"SELECT coalesce(max(id), 0) + 1 AS id FROM claims",
			);
			if (attempts === 1) {
				// Another connection takes the same key between the read and the write.
				await other.query(
					`INSERT INTO ${schema.schema}.claims (id) VALUES ($1)`,
					[free?.id],
				);
			}
			await sql.count("INSERT INTO claims (id) VALUES ($1)", [free?.id]);
			return free?.id;
		});
		assert.equal(attempts, 2);
		assert.equal(claimed, 2);
		assert.deepEqual(retries, ["unique_violation"]);
	});

	test("another failure is not retried and tells nothing", async () => {
		retries.length = 0;
		let attempts = 0;
		await assert.rejects(
			db.transaction("READ COMMITTED", async (sql) => {
				attempts++;
				await sql.count("INSERT INTO claims (id) VALUES (NULL)");
			}),
			/null value/,
		);
		assert.equal(attempts, 1);
		assert.deepEqual(retries, []);
	});
});
