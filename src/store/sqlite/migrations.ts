/**
 * @module store/sqlite/migrations
 * The SQLite schema, as ordered migrations. Each runs once, in its own transaction, and is
 * recorded in `schema_migrations`. Never edit a migration that has shipped: add a new one.
 */

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
				seq INTEGER PRIMARY KEY AUTOINCREMENT,
				pool_id TEXT NOT NULL UNIQUE,
				account_id TEXT NOT NULL,
				region TEXT NOT NULL,
				settings TEXT NOT NULL,
				tags TEXT NOT NULL,
				created_at INTEGER NOT NULL,
				updated_at INTEGER NOT NULL
			);
			CREATE INDEX identity_pools_tenant ON identity_pools (account_id, region, seq);
		`,
	},
	{
		version: 2,
		name: "signing-keys",
		sql: `
			CREATE TABLE signing_keys (
				seq INTEGER PRIMARY KEY AUTOINCREMENT,
				kid TEXT NOT NULL UNIQUE,
				alg TEXT NOT NULL,
				public_jwk TEXT NOT NULL,
				private_key_pem TEXT NOT NULL,
				created_at INTEGER NOT NULL,
				activates_at INTEGER NOT NULL,
				retired_at INTEGER
			);
		`,
	},
	{
		version: 3,
		name: "identities",
		sql: `
			CREATE TABLE identities (
				seq INTEGER PRIMARY KEY AUTOINCREMENT,
				identity_id TEXT NOT NULL UNIQUE,
				pool_id TEXT NOT NULL REFERENCES identity_pools (pool_id) ON DELETE CASCADE,
				account_id TEXT NOT NULL,
				region TEXT NOT NULL,
				state TEXT NOT NULL,
				authenticated INTEGER NOT NULL,
				created_at INTEGER NOT NULL,
				updated_at INTEGER NOT NULL
			);
			CREATE INDEX identities_pool ON identities (pool_id, seq);
			CREATE TABLE identity_logins (
				seq INTEGER PRIMARY KEY AUTOINCREMENT,
				pool_id TEXT NOT NULL,
				provider TEXT NOT NULL,
				subject TEXT NOT NULL,
				kind TEXT NOT NULL,
				identity_id TEXT NOT NULL REFERENCES identities (identity_id) ON DELETE CASCADE,
				created_at INTEGER NOT NULL,
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
			ALTER TABLE identity_pools ADD COLUMN roles TEXT NOT NULL DEFAULT '{}';
			ALTER TABLE identity_pools ADD COLUMN role_mappings TEXT;
			CREATE TABLE issued_credentials (
				seq INTEGER PRIMARY KEY AUTOINCREMENT,
				access_key_id TEXT NOT NULL UNIQUE,
				secret_access_key TEXT NOT NULL,
				session_token TEXT NOT NULL,
				identity_id TEXT NOT NULL,
				pool_id TEXT NOT NULL,
				account_id TEXT NOT NULL,
				region TEXT NOT NULL,
				role_arn TEXT NOT NULL,
				principal_tags TEXT NOT NULL,
				created_at INTEGER NOT NULL,
				expires_at INTEGER NOT NULL
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
				use_defaults INTEGER NOT NULL,
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
			CREATE TABLE health_probe (id INTEGER PRIMARY KEY, payload BLOB NOT NULL);
		`,
	},
	// DeleteIdentityPool marks its pool deleted (`deleted_at`) in one short transaction: every
	// read leaves the pool out at once, and its identities are removed afterwards in bounded
	// batches (`pools.purge`) before the row itself goes.
	{
		version: 7,
		name: "pool-purges",
		sql: `
			ALTER TABLE identity_pools ADD COLUMN deleted_at INTEGER;
			CREATE INDEX identity_pools_deleted ON identity_pools (deleted_at) WHERE deleted_at IS NOT NULL;
		`,
	},
];
