/**
 * @module store/postgres/migrations
 * The PostgreSQL schema, as ordered migrations with the same versions, names, tables and
 * meaning as SQLite's (`src/store/sqlite/migrations.ts`), in PostgreSQL's types: BIGSERIAL
 * keyset sequences, BIGINT epoch-millisecond times, BOOLEAN flags. JSON documents (pool
 * settings, tags, public keys) are TEXT holding the JSON written by the store, as on
 * SQLite: JSONB would reorder object keys, and maps such as `SupportedLoginProviders` and
 * tags would then come back in another order than on SQLite; nothing queries inside them.
 * Migrations are applied under a session-level advisory lock, so several instances starting
 * together on one database migrate exactly once; each runs in its own transaction and is
 * recorded in `schema_migrations`. Never edit a migration that has shipped: add a new one.
 */
import type { Clock } from "../../lib/clock.ts";
import {
	type AppliedMigration,
	refuseNewerSchema,
	requireCurrentSchema,
} from "../sql/schema-version.ts";
import { type Database, quoteIdentifier } from "./database.ts";

export interface Migration {
	version: number;
	name: string;
	sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
	{
		version: 1,
		name: "identity-pools",
		sql: `
			CREATE TABLE identity_pools (
				seq BIGSERIAL PRIMARY KEY,
				pool_id TEXT NOT NULL UNIQUE,
				account_id TEXT NOT NULL,
				region TEXT NOT NULL,
				settings TEXT NOT NULL,
				tags TEXT NOT NULL,
				created_at BIGINT NOT NULL,
				updated_at BIGINT NOT NULL
			);
			CREATE INDEX identity_pools_tenant ON identity_pools (account_id, region, seq);
		`,
	},
	{
		version: 2,
		name: "signing-keys",
		sql: `
			CREATE TABLE signing_keys (
				seq BIGSERIAL PRIMARY KEY,
				kid TEXT NOT NULL UNIQUE,
				alg TEXT NOT NULL,
				public_jwk TEXT NOT NULL,
				private_key_pem TEXT NOT NULL,
				created_at BIGINT NOT NULL,
				activates_at BIGINT NOT NULL,
				retired_at BIGINT
			);
		`,
	},
	{
		version: 3,
		name: "identities",
		sql: `
			CREATE TABLE identities (
				seq BIGSERIAL PRIMARY KEY,
				identity_id TEXT NOT NULL UNIQUE,
				pool_id TEXT NOT NULL REFERENCES identity_pools (pool_id) ON DELETE CASCADE,
				account_id TEXT NOT NULL,
				region TEXT NOT NULL,
				state TEXT NOT NULL,
				authenticated BOOLEAN NOT NULL,
				created_at BIGINT NOT NULL,
				updated_at BIGINT NOT NULL
			);
			CREATE INDEX identities_pool ON identities (pool_id, seq);
			CREATE TABLE identity_logins (
				seq BIGSERIAL PRIMARY KEY,
				pool_id TEXT NOT NULL,
				provider TEXT NOT NULL,
				subject TEXT NOT NULL,
				kind TEXT NOT NULL,
				identity_id TEXT NOT NULL REFERENCES identities (identity_id) ON DELETE CASCADE,
				created_at BIGINT NOT NULL,
				UNIQUE (pool_id, provider, subject)
			);
			CREATE INDEX identity_logins_identity ON identity_logins (identity_id, seq);
		`,
	},
	// Roles and role mappings live with their pool (and go with it). Issued credentials have
	// no foreign key: like STS credentials on AWS they stay valid until they expire, whatever
	// becomes of their pool or identity; `credentials.prune` removes them.
	{
		version: 4,
		name: "roles-and-credentials",
		sql: `
			ALTER TABLE identity_pools
				ADD COLUMN roles TEXT NOT NULL DEFAULT '{}',
				ADD COLUMN role_mappings TEXT;
			CREATE TABLE issued_credentials (
				seq BIGSERIAL PRIMARY KEY,
				access_key_id TEXT NOT NULL UNIQUE,
				secret_access_key TEXT NOT NULL,
				session_token TEXT NOT NULL,
				identity_id TEXT NOT NULL,
				pool_id TEXT NOT NULL,
				account_id TEXT NOT NULL,
				region TEXT NOT NULL,
				role_arn TEXT NOT NULL,
				principal_tags TEXT NOT NULL,
				created_at BIGINT NOT NULL,
				expires_at BIGINT NOT NULL
			);
			CREATE INDEX issued_credentials_expiry ON issued_credentials (expires_at);
		`,
	},
	// Principal tag attribute maps (SetPrincipalTagAttributeMap), one per provider of a pool,
	// live with their pool and go with it.
	{
		version: 5,
		name: "principal-tag-maps",
		sql: `
			CREATE TABLE principal_tag_maps (
				pool_id TEXT NOT NULL REFERENCES identity_pools (pool_id) ON DELETE CASCADE,
				provider_name TEXT NOT NULL,
				use_defaults BOOLEAN NOT NULL,
				principal_tags TEXT NOT NULL,
				PRIMARY KEY (pool_id, provider_name)
			);
		`,
	},
	// The scratch row of the health probe (`ping`): written and deleted in one commit.
	{
		version: 6,
		name: "health-probe",
		sql: `
			CREATE TABLE health_probe (id INTEGER PRIMARY KEY, payload BYTEA NOT NULL);
		`,
	},
	// DeleteIdentityPool marks its pool deleted (`deleted_at`) in one short transaction: every
	// read leaves the pool out at once, and its identities are removed afterwards in bounded
	// batches (`pools.purge`) before the row itself goes.
	{
		version: 7,
		name: "pool-purges",
		sql: `
			ALTER TABLE identity_pools ADD COLUMN deleted_at BIGINT;
			CREATE INDEX identity_pools_deleted ON identity_pools (deleted_at) WHERE deleted_at IS NOT NULL;
		`,
	},
];

/**
 * The advisory lock key taken while migrating ("idpool" in ASCII). It is one key for the
 * whole database, not per schema: instances on different schemas merely take turns.
 */
const MIGRATION_LOCK_KEY = 0x6964706f6f6c;

/**
 * Refuses a database that lacks some of `migrations`, or has some this idpool does not know,
 * and changes nothing (for the commands that only read).
 */
export async function checkMigrations(
	db: Database,
	migrations: readonly Migration[],
): Promise<void> {
	const [table] = await db.rows<{ found: string | null }>(
		"SELECT to_regclass('schema_migrations')::text AS found",
	);
	const applied = table?.found
		? await db.rows<AppliedMigration>(
				"SELECT version, name FROM schema_migrations",
			)
		: [];
	requireCurrentSchema(applied, migrations);
}

/**
 * Creates the schema if the URL named one, then applies the pending migrations. The lock is
 * a session lock on one connection, held across the per-migration transactions; if that
 * connection is lost the server releases the lock with it.
 */
export async function applyMigrations(
	db: Database,
	migrations: readonly Migration[],
	clock: Clock,
): Promise<void> {
	await db.session(async (sql) => {
		await sql.rows("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
		try {
			if (db.schema !== undefined) {
				await sql.count(
					`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(db.schema)}`,
				);
			}
			await sql.count(
				"CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
			);
			// Read under the lock: whatever another instance applied before is seen here.
			const applied = await sql.rows<AppliedMigration>(
				"SELECT version, name FROM schema_migrations",
			);
			refuseNewerSchema(applied, migrations);
			const done = new Set(applied.map((r) => r.version));
			for (const m of migrations) {
				if (done.has(m.version)) continue;
				await sql.count("BEGIN");
				try {
					await sql.count(m.sql);
					await sql.count(
						"INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
						[m.version, m.name, clock.now()],
					);
					await sql.count("COMMIT");
				} catch (err) {
					await sql.count("ROLLBACK").catch(() => {});
					throw err;
				}
			}
		} finally {
			// Best effort: on a broken connection the lock goes with the session anyway.
			await sql
				.rows("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY])
				.catch(() => {});
		}
	});
}
