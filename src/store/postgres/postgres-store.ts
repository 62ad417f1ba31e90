/**
 * @module store/postgres/postgres-store
 * The shared store for several server instances: PostgreSQL through a `pg` connection
 * pool. Each store method is one transaction. Methods that read and then write on what
 * they read (the pool quota, `update`'s `apply`, the first signing key, rotation, identity
 * changes and deletes) run SERIALIZABLE and are retried whole on conflict, so concurrent
 * instances keep the same invariants SQLite keeps with its single writer;
 * `setPrincipalTagMap` instead locks its pool's row (READ COMMITTED, `FOR UPDATE`), so its
 * writers queue; everything else is a single statement. A `schema` parameter of the URL
 * puts every table in that schema.
 */

import { poolBeingPurged } from "../../domain/pools.ts";
import type {
	IssuedCredentialRecord,
	PoolKey,
	PoolRecord,
	PoolSettings,
	PrincipalTagMapRecord,
	RoleMappingDoc,
	SigningKeyRecord,
} from "../../domain/records.ts";
import { LimitExceededException } from "../../errors/service-errors.ts";
import { type Clock, systemClock } from "../../lib/clock.ts";
import type { Metrics } from "../../lib/metrics.ts";
import { throughBatches } from "../sql/batches.ts";
import { deepFreeze } from "../sql/deep-freeze.ts";
import {
	type CredentialRow,
	credentialParams,
	newPoolRecord,
	type PoolRow,
	type SigningKeyRow,
	seqCursor,
	setRolesParams,
	toCredential,
	toPool,
	toSigningKey,
} from "../sql/rows.ts";
import {
	batchQuery,
	dumpTables,
	loadBatches,
	TABLES,
	TargetNotEmptyError,
} from "../sql/tables.ts";
import {
	type CachedPool,
	type CopiedRows,
	type CredentialRepository,
	type IdentityRepository,
	type NewPool,
	type Page,
	type PoolRepository,
	type PoolSummary,
	type RowBatch,
	SECRETS_BATCH,
	type SigningKeyRepository,
	type Store,
} from "../store.ts";
import { Database, type Sql } from "./database.ts";
import { PostgresIdentities } from "./identities.ts";
import { applyMigrations, checkMigrations, MIGRATIONS } from "./migrations.ts";

/** Tuning of {@link openPostgresStore}. */
export interface PostgresStoreOptions {
	/** Connections at most (default 10). */
	poolSize?: number;
	/** Bound on opening a connection or waiting for a free one, ms (default 5000). */
	connectTimeoutMs?: number;
	/** Bound on one statement, ms (default 10000). */
	queryTimeoutMs?: number;
	/** Where the time recorded with each migration comes from (default: the system clock). */
	clock?: Clock;
	/** Told of every transaction run again (docs/operating.md#metrics). */
	metrics?: Metrics;
}

/** Schema names accepted in the URL: plain identifiers, so they need no escaping anywhere. */
const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * Splits idpool's own parameters off a `postgres://` URL: `schema` (not a libpq parameter,
 * so pg must not see it; checked to be a plain identifier) and `options` (merged with the
 * `search_path` the store sets). Also for the tools that reach the same database directly
 * (the test suites' bulk writer, `npm run bench:million`).
 */
export function parsePostgresUrl(url: string): {
	connectionString: string;
	schema: string | undefined;
	extraOptions: string | undefined;
} {
	const parsed = new URL(url);
	const schema = parsed.searchParams.get("schema") ?? undefined;
	const extraOptions = parsed.searchParams.get("options") ?? undefined;
	parsed.searchParams.delete("schema");
	parsed.searchParams.delete("options");
	if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
		throw new Error(
			`invalid schema "${schema}" in the PostgreSQL URL: use letters, digits and _ (at most 63, not starting with a digit)`,
		);
	}
	return { connectionString: parsed.href, schema, extraOptions };
}

/** Opens a pool on a `postgres://` URL. Nothing connects until the first call. */
export function openPostgresStore(
	url: string,
	options: PostgresStoreOptions = {},
): Store {
	const { connectionString, schema, extraOptions } = parsePostgresUrl(url);
	const db = new Database({
		connectionString,
		schema,
		extraOptions,
		poolSize: options.poolSize ?? 10,
		connectTimeoutMs: options.connectTimeoutMs ?? 5000,
		queryTimeoutMs: options.queryTimeoutMs ?? 10_000,
		...(options.metrics
			? { onRetry: (reason) => options.metrics?.storeRetry(reason) }
			: {}),
	});
	return new PostgresStore(db, options.clock ?? systemClock);
}

class PostgresStore implements Store {
	readonly engine = "postgres";
	readonly #db: Database;
	readonly pools: PoolRepository;
	readonly signingKeys: SigningKeyRepository;
	readonly identities: IdentityRepository;
	readonly credentials: CredentialRepository;
	readonly #clock: Clock;

	constructor(db: Database, clock: Clock) {
		this.#db = db;
		this.#clock = clock;
		this.pools = new PostgresPools(db);
		this.signingKeys = new PostgresSigningKeys(db);
		this.identities = new PostgresIdentities(db);
		this.credentials = new PostgresCredentials(db);
	}

	migrate(options: { readOnly?: boolean } = {}): Promise<void> {
		return options.readOnly
			? checkMigrations(this.#db, MIGRATIONS)
			: applyMigrations(this.#db, MIGRATIONS, this.#clock);
	}

	async dump(write: (batch: RowBatch) => Promise<void>): Promise<void> {
		await this.#db.session(async (sql) => {
			// One snapshot for every table, however long the writes take.
			await sql.count("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
			try {
				await dumpTables(
					async (table, after) =>
						(
							await sql.rows<Record<string, unknown>>(
								batchQuery(table, (i) => `$${i}`, after !== undefined),
								[...(after ?? [])],
							)
						).map((r) => table.columns.map((column) => r[column])),
					async () => {
						const handedOut = new Map<string, number>();
						for (const table of TABLES) {
							if (!table.sequence) continue;
							// NULL for a sequence that never handed a number out.
							const [row] = await sql.rows<{ last: string | null }>(
								"SELECT pg_sequence_last_value(pg_get_serial_sequence($1, 'seq')::regclass)::text AS last",
								[table.name],
							);
							if (row?.last != null)
								handedOut.set(table.name, Number(row.last));
						}
						return handedOut;
					},
					write,
				);
			} finally {
				await sql.count("COMMIT").catch(() => {});
			}
		});
	}

	async load(
		produce: (write: (batch: RowBatch) => Promise<void>) => Promise<void>,
	): Promise<CopiedRows> {
		return this.#db.session(async (sql) => {
			await sql.count("BEGIN");
			try {
				for (const table of TABLES) {
					// Servers may be starting on this database: none writes until the copy is done.
					await sql.count(`LOCK TABLE ${table.name} IN EXCLUSIVE MODE`);
					const [any] = await sql.rows(`SELECT 1 FROM ${table.name} LIMIT 1`);
					if (any) throw new TargetNotEmptyError(table.name);
				}
				const { copied, sequences } = await loadBatches(
					produce,
					async (table, rows) => {
						const width = table.columns.length;
						await sql.count(
							`INSERT INTO ${table.name} (${table.columns.join(", ")}) VALUES ${rows
								.map(
									(_, r) =>
										`(${table.columns.map((_c, c) => `$${r * width + c + 1}`).join(", ")})`,
								)
								.join(", ")}`,
							rows.flat(),
						);
					},
				);
				for (const table of TABLES) {
					if (!table.sequence) continue;
					// Past the rows written and the source's last number; a table that never
					// handed one out starts at 1.
					await sql.rows(
						`SELECT CASE WHEN n > 0 THEN setval(pg_get_serial_sequence('${table.name}', 'seq'), n, true) END FROM (SELECT GREATEST(COALESCE((SELECT MAX(seq) FROM ${table.name}), 0), $1::bigint) AS n) AS last`,
						[sequences.get(table.name) ?? 0],
					);
				}
				await sql.count("COMMIT");
				return copied;
			} catch (err) {
				await sql.count("ROLLBACK").catch(() => {});
				throw err;
			}
		});
	}

	/**
	 * Commits a row written and deleted (so a transaction id, WAL records and a commit record):
	 * a server in recovery, a read-only one, or one that cannot write its WAL fails it.
	 */
	async ping(_payloadBytes?: number): Promise<void> {
		await this.#db.transaction("READ COMMITTED", async (sql) => {
			await sql.count(
				"INSERT INTO health_probe (id, payload) VALUES (1, '\\x00') ON CONFLICT (id) DO UPDATE SET payload = excluded.payload",
			);
			await sql.count("DELETE FROM health_probe");
		});
	}

	/** A round trip to the server (`SELECT 1`), nothing written. */
	async checkDatabase(): Promise<void> {
		await this.#db.rows("SELECT 1");
	}

	close(): Promise<void> {
		return this.#db.close();
	}
}

/** The quota check and the insert of a new pool, inside the caller's transaction. */
async function insertPool(
	sql: Sql,
	pool: NewPool,
	maxPools: number,
): Promise<void> {
	const [row] = await sql.rows<{ n: string }>(
		"SELECT count(*) AS n FROM identity_pools WHERE account_id = $1 AND region = $2 AND deleted_at IS NULL",
		[pool.accountId, pool.region],
	);
	if (Number(row?.n ?? 0) >= maxPools) {
		throw new LimitExceededException(
			`The number of identity pools in this account and region has reached the limit of ${maxPools}.`,
		);
	}
	await sql.count(
		"INSERT INTO identity_pools (pool_id, account_id, region, settings, tags, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)",
		[
			pool.poolId,
			pool.accountId,
			pool.region,
			JSON.stringify(pool.settings),
			JSON.stringify(pool.tags),
			pool.now,
		],
	);
}

// Every read of pools leaves out the deleted ones (`deleted_at`), which stay until purged.
const GET_POOL =
	"SELECT * FROM identity_pools WHERE account_id = $1 AND region = $2 AND pool_id = $3 AND deleted_at IS NULL";

/**
 * A pool by id with its version: the row's `xmin`, the transaction that wrote this version of
 * the row, which every UPDATE changes (kept as written when the row is frozen, PostgreSQL 9.4
 * on) and the identity statements compare (identities.ts).
 */
const FIND_POOL = {
	name: "idpool_find_pool",
	// Columns named, not `*`: a prepared statement whose result columns changed (a migration
	// run by a newer server) would fail with "cached plan must not change result type".
	text: `SELECT seq, pool_id, account_id, region, settings, roles, role_mappings, tags,
		created_at, updated_at, xmin::text AS version
		FROM identity_pools WHERE pool_id = $1 AND deleted_at IS NULL`,
} as const;

/** How many pools a server keeps in memory; the oldest is dropped beyond. */
const POOL_CACHE_LIMIT = 1024;

class PostgresPools implements PoolRepository {
	readonly #db: Database;
	/**
	 * Pools read by this server, by id, with their versions. Entries are never trusted alone:
	 * the identity statements check the version (src/store/store.ts, `cached`).
	 */
	readonly #cache = new Map<string, { pool: PoolRecord; version: string }>();

	constructor(db: Database) {
		this.#db = db;
	}

	async cached(poolId: string, fresh = false): Promise<CachedPool | undefined> {
		const kept = fresh ? undefined : this.#cache.get(poolId);
		if (kept) return { ...kept, cached: true };
		const read = await this.#read(poolId);
		return read && { ...read, cached: false };
	}

	/** Reads the pool and remembers it (or forgets it, when it is gone). */
	async #read(
		poolId: string,
	): Promise<{ pool: PoolRecord; version: string } | undefined> {
		const [row] = await this.#db.rows<PoolRow & { version: string }>(
			FIND_POOL,
			[poolId],
		);
		this.#cache.delete(poolId);
		if (!row) return undefined;
		if (this.#cache.size >= POOL_CACHE_LIMIT) {
			const oldest = this.#cache.keys().next();
			if (!oldest.done) this.#cache.delete(oldest.value);
		}
		const read = { pool: deepFreeze(toPool(row)), version: row.version };
		this.#cache.set(poolId, read);
		return read;
	}

	async create(pool: NewPool, maxPools: number): Promise<PoolRecord> {
		// SERIALIZABLE makes the count and the insert one decision: of two creates that both
		// counted below the quota, one fails to commit and is retried on a fresh count.
		await this.#db.transaction("SERIALIZABLE", (sql) =>
			insertPool(sql, pool, maxPools),
		);
		return newPoolRecord(pool);
	}

	async ensure(
		pool: NewPool,
		maxPools: number,
	): Promise<{ pool: PoolRecord; created: boolean }> {
		// SERIALIZABLE again: of two servers inserting the same id at once, one commits and the
		// other is retried, and then finds the pool (or a unique violation re-runs it alike).
		const existing = await this.#db.transaction("SERIALIZABLE", async (sql) => {
			const [row] = await sql.rows<PoolRow & { deleted_at: string | null }>(
				"SELECT * FROM identity_pools WHERE pool_id = $1",
				[pool.poolId],
			);
			if (row?.deleted_at != null) throw poolBeingPurged(pool.poolId);
			if (row) return row;
			await insertPool(sql, pool, maxPools);
			return undefined;
		});
		return existing
			? { pool: toPool(existing), created: false }
			: { pool: newPoolRecord(pool), created: true };
	}

	async get(key: PoolKey): Promise<PoolRecord | undefined> {
		const [row] = await this.#db.rows<PoolRow>(GET_POOL, [
			key.accountId,
			key.region,
			key.poolId,
		]);
		return row ? toPool(row) : undefined;
	}

	async findById(poolId: string): Promise<PoolRecord | undefined> {
		return (await this.#read(poolId))?.pool;
	}

	update(
		key: PoolKey,
		apply: (current: PoolRecord) => {
			settings: PoolSettings;
			tags: Record<string, string>;
		},
		now: number,
	): Promise<PoolRecord | undefined> {
		// Other servers find out through the version; this one need not try its stale copy.
		this.#cache.delete(key.poolId);
		return this.#db.transaction(
			"SERIALIZABLE",
			async (sql): Promise<PoolRecord | undefined> => {
				const [row] = await sql.rows<PoolRow>(GET_POOL, [
					key.accountId,
					key.region,
					key.poolId,
				]);
				if (!row) return undefined;
				const current = toPool(row);
				const next = apply(current);
				await sql.count(
					"UPDATE identity_pools SET settings = $1, tags = $2, updated_at = $3 WHERE pool_id = $4",
					[
						JSON.stringify(next.settings),
						JSON.stringify(next.tags),
						now,
						key.poolId,
					],
				);
				return {
					...current,
					settings: next.settings,
					tags: next.tags,
					updatedAt: now,
				};
			},
		);
	}

	async setRoles(
		key: PoolKey,
		roles: Record<string, string>,
		roleMappings: Record<string, RoleMappingDoc> | undefined,
		now: number,
		check?: (current: PoolRecord) => void,
	): Promise<boolean> {
		this.#cache.delete(key.poolId);
		const update =
			"UPDATE identity_pools SET roles = $1, role_mappings = $2, updated_at = $3 WHERE account_id = $4 AND region = $5 AND pool_id = $6 AND deleted_at IS NULL";
		const params = setRolesParams(key, roles, roleMappings, now);
		// Without a check, one statement: atomic on its own, and it reads nothing to decide on.
		if (!check) return (await this.#db.count(update, params)) > 0;
		return this.#checkedWrite(key, check, async (sql) => {
			await sql.count(update, params);
		});
	}

	async setPrincipalTagMap(
		key: PoolKey,
		providerName: string,
		map: PrincipalTagMapRecord,
		now: number,
		check: (current: PoolRecord) => void,
	): Promise<boolean> {
		this.#cache.delete(key.poolId);
		return this.#checkedWrite(key, check, async (sql) => {
			await sql.count(
				"INSERT INTO principal_tag_maps (pool_id, provider_name, use_defaults, principal_tags) VALUES ($1, $2, $3, $4) ON CONFLICT (pool_id, provider_name) DO UPDATE SET use_defaults = excluded.use_defaults, principal_tags = excluded.principal_tags",
				[
					key.poolId,
					providerName,
					map.useDefaults,
					JSON.stringify(map.principalTags),
				],
			);
			await sql.count(
				"UPDATE identity_pools SET updated_at = $1 WHERE pool_id = $2",
				[now, key.poolId],
			);
		});
	}

	/**
	 * Runs `check` on the pool as stored, then `write`, in one transaction; answers false (and
	 * runs neither) when the pool does not exist. READ COMMITTED with the pool's row locked:
	 * `check` decides on the latest committed settings, and no update or delete of the pool can
	 * commit until this transaction has (a concurrent SERIALIZABLE update then fails and is
	 * retried on a fresh read). A pool deleted first is simply not found. Writers of one pool
	 * queue instead of failing.
	 */
	#checkedWrite(
		key: PoolKey,
		check: (current: PoolRecord) => void,
		write: (sql: Sql) => Promise<void>,
	): Promise<boolean> {
		return this.#db.transaction("READ COMMITTED", async (sql) => {
			const [row] = await sql.rows<PoolRow>(`${GET_POOL} FOR UPDATE`, [
				key.accountId,
				key.region,
				key.poolId,
			]);
			if (!row) return false;
			check(toPool(row));
			await write(sql);
			return true;
		});
	}

	async getPrincipalTagMap(
		key: PoolKey,
		providerName: string,
	): Promise<PrincipalTagMapRecord | undefined> {
		// Through the pool, so that a map is found only in its pool's account and region.
		const [row] = await this.#db.rows<{
			use_defaults: boolean;
			principal_tags: string;
		}>(
			"SELECT m.use_defaults, m.principal_tags FROM principal_tag_maps m JOIN identity_pools p ON p.pool_id = m.pool_id WHERE p.account_id = $1 AND p.region = $2 AND p.pool_id = $3 AND m.provider_name = $4 AND p.deleted_at IS NULL",
			[key.accountId, key.region, key.poolId, providerName],
		);
		return row
			? {
					useDefaults: row.use_defaults,
					principalTags: JSON.parse(row.principal_tags) as Record<
						string,
						string
					>,
				}
			: undefined;
	}

	delete(key: PoolKey, now: number): Promise<boolean> {
		// The row stays, marked, until its identities are purged (in short transactions, by
		// purge): the mark hides it from every read at once. The update locks the row, so a
		// concurrent delete waits and then finds it marked.
		// This server's copy goes at once; other servers' copies fail the version check of the
		// identity statements (the mark changes the row's xmin, and they read live pools only).
		this.#cache.delete(key.poolId);
		return this.#db.transaction("READ COMMITTED", async (sql) => {
			const marked = await sql.count(
				"UPDATE identity_pools SET deleted_at = $1 WHERE account_id = $2 AND region = $3 AND pool_id = $4 AND deleted_at IS NULL",
				[now, key.accountId, key.region, key.poolId],
			);
			if (marked === 0) return false;
			await sql.count("DELETE FROM principal_tag_maps WHERE pool_id = $1", [
				key.poolId,
			]);
			return true;
		});
	}

	async awaitingPurge(): Promise<string[]> {
		const rows = await this.#db.rows<{ pool_id: string }>(
			"SELECT pool_id FROM identity_pools WHERE deleted_at IS NOT NULL ORDER BY seq",
		);
		return rows.map((r) => r.pool_id);
	}

	purge(
		poolId: string,
		limit: number,
	): Promise<{ removed: number; done: boolean }> {
		// READ COMMITTED: each batch locks the identities it deletes and skips those another
		// batch (another server's) holds, so batches of several purgers never wait for each
		// other nor fail. Their logins go with them (the foreign key cascades). The pool's row
		// goes once a batch finds fewer than asked and no identity is left: one still there is
		// held by another purger's batch, which counts it (were the row deleted now, its
		// cascade would take that identity uncounted). The row's cascade still takes any
		// identity created by a change that read the pool before it was deleted and has not
		// committed yet, waiting for that change.
		return this.#db.transaction("READ COMMITTED", async (sql) => {
			const [deleted] = await sql.rows(
				"SELECT 1 FROM identity_pools WHERE pool_id = $1 AND deleted_at IS NOT NULL",
				[poolId],
			);
			if (!deleted) return { removed: 0, done: true };
			const removed = await sql.count(
				`DELETE FROM identities WHERE seq IN (
					SELECT seq FROM identities WHERE pool_id = $1 ORDER BY seq LIMIT $2
					FOR UPDATE SKIP LOCKED)`,
				[poolId, limit],
			);
			if (removed >= limit) return { removed, done: false };
			const [left] = await sql.rows(
				"SELECT 1 FROM identities WHERE pool_id = $1 LIMIT 1",
				[poolId],
			);
			if (left) return { removed, done: false };
			await sql.count(
				"DELETE FROM identity_pools WHERE pool_id = $1 AND deleted_at IS NOT NULL",
				[poolId],
			);
			return { removed, done: true };
		});
	}

	async list(
		tenant: { accountId: string; region: string },
		options: { limit: number; after?: string },
	): Promise<Page<PoolSummary>> {
		// One row more than asked tells whether another page exists.
		const rows = await this.#db.rows<PoolRow>(
			"SELECT seq, pool_id, settings FROM identity_pools WHERE account_id = $1 AND region = $2 AND seq > $3 AND deleted_at IS NULL ORDER BY seq LIMIT $4",
			[
				tenant.accountId,
				tenant.region,
				seqCursor(options.after),
				options.limit + 1,
			],
		);
		const page = rows.slice(0, options.limit);
		const items = page.map((r) => ({
			poolId: r.pool_id,
			name: (JSON.parse(r.settings) as PoolSettings).IdentityPoolName,
		}));
		const last = page.at(-1);
		return rows.length > options.limit && last
			? { items, next: String(last.seq) }
			: { items };
	}

	async tenants(): Promise<{ accountId: string; region: string }[]> {
		const rows = await this.#db.rows<{ account_id: string; region: string }>(
			"SELECT DISTINCT account_id, region FROM identity_pools WHERE deleted_at IS NULL ORDER BY account_id, region",
		);
		return rows.map((r) => ({ accountId: r.account_id, region: r.region }));
	}
}

async function insertKey(sql: Sql, key: SigningKeyRecord): Promise<void> {
	await sql.count(
		"INSERT INTO signing_keys (kid, alg, public_jwk, private_key_pem, created_at, activates_at, retired_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
		[
			key.kid,
			key.alg,
			JSON.stringify(key.publicJwk),
			key.privateKeyPem,
			key.createdAt,
			key.activatesAt,
			key.retiredAt ?? null,
		],
	);
}

class PostgresSigningKeys implements SigningKeyRepository {
	readonly #db: Database;

	constructor(db: Database) {
		this.#db = db;
	}

	async list(): Promise<SigningKeyRecord[]> {
		const rows = await this.#db.rows<SigningKeyRow>(
			"SELECT * FROM signing_keys ORDER BY seq",
		);
		return rows.map(toSigningKey);
	}

	insertFirst(key: SigningKeyRecord): Promise<boolean> {
		// SERIALIZABLE: of several instances that all found no key, one commits; the others
		// are retried, find its key and answer false.
		return this.#db.transaction("SERIALIZABLE", async (sql) => {
			const [row] = await sql.rows<{ any: boolean }>(
				"SELECT EXISTS (SELECT 1 FROM signing_keys) AS any",
			);
			if (row?.any) return false;
			await insertKey(sql, key);
			return true;
		});
	}

	async rotate(key: SigningKeyRecord): Promise<void> {
		await this.#db.transaction("SERIALIZABLE", async (sql) => {
			await sql.count(
				"UPDATE signing_keys SET retired_at = $1 WHERE retired_at IS NULL",
				[key.activatesAt],
			);
			await insertKey(sql, key);
		});
	}

	prune(before: number): Promise<number> {
		return this.#db.count(
			"DELETE FROM signing_keys WHERE retired_at IS NOT NULL AND retired_at < $1",
			[before],
		);
	}

	updatePrivateKeys(
		apply: (key: SigningKeyRecord) => string | undefined,
	): Promise<number> {
		// SERIALIZABLE: a key rotated in or rewritten meanwhile re-runs the whole pass.
		return this.#db.transaction("SERIALIZABLE", async (sql) => {
			const rows = await sql.rows<SigningKeyRow>(
				"SELECT * FROM signing_keys ORDER BY seq",
			);
			let changed = 0;
			for (const key of rows.map(toSigningKey)) {
				const next = apply(key);
				if (next === undefined) continue;
				changed += await sql.count(
					"UPDATE signing_keys SET private_key_pem = $1 WHERE kid = $2",
					[next, key.kid],
				);
			}
			return changed;
		});
	}
}

class PostgresCredentials implements CredentialRepository {
	readonly #db: Database;

	constructor(db: Database) {
		this.#db = db;
	}

	async insert(c: IssuedCredentialRecord): Promise<void> {
		// A single statement, not a retried transaction: a second insert of one access key id
		// fails at once on the UNIQUE constraint.
		await this.#db.count(
			"INSERT INTO issued_credentials (access_key_id, secret_access_key, session_token, identity_id, pool_id, account_id, region, role_arn, principal_tags, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
			credentialParams(c),
		);
	}

	async get(accessKeyId: string): Promise<IssuedCredentialRecord | undefined> {
		const [row] = await this.#db.rows<CredentialRow>(
			"SELECT * FROM issued_credentials WHERE access_key_id = $1",
			[accessKeyId],
		);
		return row ? toCredential(row) : undefined;
	}

	prune(before: number): Promise<number> {
		return this.#db.count(
			"DELETE FROM issued_credentials WHERE expires_at < $1",
			[before],
		);
	}

	updateSecrets(
		now: number,
		apply: (credential: IssuedCredentialRecord) => string | undefined,
	): Promise<number> {
		// Each batch reads and writes its rows in one transaction; a row that an `idpool keys`
		// command elsewhere changed meanwhile makes it run again (SERIALIZABLE).
		return throughBatches(SECRETS_BATCH, (after) =>
			this.#db.transaction("SERIALIZABLE", async (sql) => {
				const rows = await sql.rows<CredentialRow>(
					"SELECT * FROM issued_credentials WHERE expires_at >= $1 AND access_key_id > $2 ORDER BY access_key_id LIMIT $3",
					[now, after, SECRETS_BATCH],
				);
				let changed = 0;
				for (const credential of rows.map(toCredential)) {
					const next = apply(credential);
					if (next === undefined) continue;
					changed += await sql.count(
						"UPDATE issued_credentials SET secret_access_key = $1 WHERE access_key_id = $2",
						[next, credential.accessKeyId],
					);
				}
				return { keys: rows.map((r) => r.access_key_id), changed };
			}),
		);
	}
}
