/**
 * Test support: many identities at once, written straight into a server's database (a SQLite
 * file, or the schema a PostgreSQL URL names) in one statement each for identities and their
 * logins, for tests of large pools that would otherwise make thousands of calls. Each
 * identity gets one developer login (provider `login.example.app`, subject `bulk-<n>`).
 */
import Database from "better-sqlite3";
import pg from "pg";
import { isPostgresUrl } from "../../src/config/schema.ts";
import { parsePostgresUrl } from "../../src/store/postgres/postgres-store.ts";

/** A pool's key, as the store knows it. */
export interface BulkPool {
	poolId: string;
	accountId: string;
	region: string;
}

/** The provider of every login written by {@link insertIdentities}. */
export const BULK_PROVIDER = "login.example.app";

/** Inserts `count` identities, each with a developer login, into `pool` of the database `db`. */
export async function insertIdentities(
	db: string,
	pool: BulkPool,
	count: number,
	now = Date.now(),
): Promise<void> {
	if (isPostgresUrl(db)) return insertIntoPostgres(db, pool, count, now);
	const sqlite = new Database(db, { timeout: 10_000 });
	try {
		sqlite
			.transaction(() => {
				sqlite
					.prepare(
						`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
						INSERT INTO identities (identity_id, pool_id, account_id, region, state, authenticated, created_at, updated_at)
						SELECT ? || ':' || lower(hex(randomblob(16))), ?, ?, ?, 'active', 1, ?, ? FROM n`,
					)
					.run(
						count,
						pool.region,
						pool.poolId,
						pool.accountId,
						pool.region,
						now,
						now,
					);
				sqlite
					.prepare(
						`INSERT INTO identity_logins (pool_id, provider, subject, kind, identity_id, created_at)
						SELECT pool_id, ?, 'bulk-' || seq, 'developer', identity_id, created_at FROM identities i WHERE pool_id = ?
						AND NOT EXISTS (SELECT 1 FROM identity_logins l WHERE l.identity_id = i.identity_id)`,
					)
					.run(BULK_PROVIDER, pool.poolId);
			})
			.immediate();
	} finally {
		sqlite.close();
	}
}

async function insertIntoPostgres(
	url: string,
	pool: BulkPool,
	count: number,
	now: number,
): Promise<void> {
	const { connectionString, schema, extraOptions } = parsePostgresUrl(url);
	const client = new pg.Client({
		connectionString,
		...(extraOptions === undefined ? {} : { options: extraOptions }),
	});
	await client.connect();
	try {
		if (schema) await client.query(`SET search_path = "${schema}"`);
		await client.query("BEGIN");
		await client.query(
			`INSERT INTO identities (identity_id, pool_id, account_id, region, state, authenticated, created_at, updated_at)
			SELECT $1 || ':' || gen_random_uuid(), $2, $3, $1, 'active', TRUE, $4, $4 FROM generate_series(1, $5)`,
			[pool.region, pool.poolId, pool.accountId, now, count],
		);
		await client.query(
			`INSERT INTO identity_logins (pool_id, provider, subject, kind, identity_id, created_at)
			SELECT pool_id, $1, 'bulk-' || seq, 'developer', identity_id, created_at FROM identities i WHERE pool_id = $2
			AND NOT EXISTS (SELECT 1 FROM identity_logins l WHERE l.identity_id = i.identity_id)`,
			[BULK_PROVIDER, pool.poolId],
		);
		await client.query("COMMIT");
	} finally {
		await client.end();
	}
}
