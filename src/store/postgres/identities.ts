/**
 * @module store/postgres/identities
 * Identities and their logins on PostgreSQL. `change` reads its snapshot, runs the planner
 * and applies the change in one SERIALIZABLE transaction. Unlike SQLite no lock is held
 * from the start, so two first logins of one user may both see the login as free: the
 * loser fails on the unique login index (or as a serialization failure) and the transaction
 * helper runs it again, snapshot and planner included, which then finds the winner's
 * identity. Reads are single statements that fetch each identity with its logins at once,
 * so a record is never assembled from two different moments.
 */

import { poolNotFound } from "../../domain/pools.ts";
import {
	type IdentityChange,
	type IdentityRecord,
	type IdentitySnapshot,
	type IdentityState,
	type LoginRef,
	loginKey,
	type Planned,
	type PoolKey,
} from "../../domain/records.ts";
import { seqCursor } from "../sql/rows.ts";
import {
	type DeleteOutcome,
	type IdentityQuery,
	type IdentityRepository,
	type Page,
	StalePoolError,
} from "../store.ts";
import type { Database, Sql } from "./database.ts";

/** An identity row with its logins aggregated (`[provider, subject, kind]`, link order). */
interface IdentityRow {
	seq: string;
	identity_id: string;
	pool_id: string;
	account_id: string;
	region: string;
	state: string;
	authenticated: boolean;
	created_at: string;
	updated_at: string;
	logins: [string, string, string][];
}

interface LoginRow {
	seq: string;
	provider: string;
	subject: string;
	kind: string;
}

/**
 * Selects identities (alias `i`) with their logins. BIGINT columns come back as strings
 * (pg keeps 64-bit integers exact); the record converts the times, which are safe integers.
 */
const IDENTITY_COLUMNS = `i.seq, i.identity_id, i.pool_id, i.account_id, i.region, i.state,
		i.authenticated, i.created_at, i.updated_at,
		COALESCE(
			(SELECT json_agg(json_build_array(l.provider, l.subject, l.kind) ORDER BY l.seq)
				FROM identity_logins l WHERE l.identity_id = i.identity_id),
			'[]'::json
		) AS logins`;
const SELECT_IDENTITY = `
	SELECT ${IDENTITY_COLUMNS}
	FROM identities i`;

/**
 * The holders of the logins given as two arrays (providers, subjects) within a pool: the
 * statement parameters that hold them are named by the caller.
 *
 * Each login is looked up on its own, by the whole unique key (pool, provider, subject): the
 * `LIMIT 1` keeps the planner from turning the lookups into a join, which it may plan as
 * reading every login of the pool. That happened: a connection that prepared the statement
 * while the tables were empty (a new database, not yet analysed) cached a generic plan that
 * hashed the logins given against all the pool's logins, found by `pool_id` alone, and kept
 * it while the pool grew (docs/benchmarks.md, PostgreSQL).
 */
const OWNERS = (pool: string, providers: string, subjects: string) => `
			SELECT q.provider, q.subject, l.identity_id
			FROM unnest(${providers}::text[], ${subjects}::text[]) AS q (provider, subject)
			CROSS JOIN LATERAL (
				SELECT identity_id FROM identity_logins
				WHERE pool_id = ${pool} AND provider = q.provider AND subject = q.subject
				LIMIT 1
			) l
		`;

/**
 * The identities of a pool (statement parameter `pool`) whose ids the `identity_id` column of
 * the CTE `source` lists, with their logins, as one JSON array (NULL when none): each looked
 * up by its id, for the reason given at {@link OWNERS} (a join could find them among all the
 * pool's identities).
 */
const IDENTITIES_LISTED = (source: string, pool: string) => `(
			SELECT json_agg(found) FROM (
				SELECT f.* FROM (SELECT DISTINCT identity_id FROM ${source}) v
				CROSS JOIN LATERAL (${SELECT_IDENTITY}
					WHERE i.identity_id = v.identity_id AND i.pool_id = ${pool}
					LIMIT 1
				) f
			) found
		)`;

/**
 * An identity of a pool not deleted, with its logins and the pool's version (postgres-store.ts,
 * FIND_POOL), in one statement; the pool found by its id (see {@link OWNERS} on why not a join).
 */
const GET_WITH_POOL_VERSION = {
	name: "idpool_get_with_pool_version",
	text: `SELECT ${IDENTITY_COLUMNS}, p.version AS pool_version
	FROM identities i
	CROSS JOIN LATERAL (
		SELECT xmin::text AS version FROM identity_pools
		WHERE pool_id = i.pool_id AND deleted_at IS NULL
		LIMIT 1
	) p
	WHERE i.identity_id = $1`,
} as const;

/** The owner of a login and the pool's version (postgres-store.ts, FIND_POOL), in one statement. */
const OWNER_OF = {
	name: "idpool_owner_of",
	text: `SELECT
		(SELECT xmin::text FROM identity_pools WHERE pool_id = $1 AND deleted_at IS NULL) AS pool_version,
		(SELECT identity_id FROM identity_logins
			WHERE pool_id = $1 AND provider = $2 AND subject = $3) AS identity_id`,
} as const;

/**
 * A change's snapshot in one statement: the pool's version, the owners of the logins
 * ($2, $3: providers and subjects) and the identities named ($4) or owning them, each with its
 * logins. One row, whatever was found.
 */
const SNAPSHOT = {
	name: "idpool_identity_snapshot",
	text: `WITH owners AS (${OWNERS("$1", "$2", "$3")}),
		involved AS (
			SELECT unnest($4::text[]) AS identity_id
			UNION SELECT identity_id FROM owners
		)
		SELECT
			(SELECT xmin::text FROM identity_pools WHERE pool_id = $1 AND deleted_at IS NULL) AS pool_version,
			(SELECT json_agg(json_build_array(provider, subject, identity_id)) FROM owners) AS owners,
			${IDENTITIES_LISTED("involved", "$1")} AS identities`,
} as const;

/**
 * Finds or creates, in one statement: the owners of the logins ($7, $8: providers and
 * subjects) with their identities, and, only when none of them is linked and the pool is at
 * version $9 (or whatever its version, when $9 is NULL), a new identity ($1, authenticated
 * $5) with the logins $10-$12 (providers, subjects, kinds, in link order). Answers the pool's
 * version (NULL: no pool), how many identities were created, and the owners and their
 * identities (as SNAPSHOT). A login linked by a transaction still running when the statement
 * started fails the whole statement on the unique login index, once that one commits.
 */
const FIND_OR_CREATE = {
	name: "idpool_find_or_create_identity",
	text: `WITH pool AS (
			SELECT xmin::text AS version FROM identity_pools WHERE pool_id = $2 AND deleted_at IS NULL
		),
		owners AS (${OWNERS("$2", "$7", "$8")}),
		created AS (
			INSERT INTO identities (identity_id, pool_id, account_id, region, state, authenticated, created_at, updated_at)
			SELECT $1, $2, $3, $4, 'active', $5, $6, $6 FROM pool
			WHERE ($9::text IS NULL OR pool.version = $9::text)
				AND NOT EXISTS (SELECT 1 FROM owners)
			RETURNING identity_id
		),
		linked AS (
			INSERT INTO identity_logins (pool_id, provider, subject, kind, identity_id, created_at)
			SELECT $2, l.provider, l.subject, l.kind, c.identity_id, $6
			FROM created c,
				unnest($10::text[], $11::text[], $12::text[]) WITH ORDINALITY AS l (provider, subject, kind, n)
			ORDER BY l.n
			RETURNING 1
		)
		SELECT
			(SELECT version FROM pool) AS pool_version,
			(SELECT count(*)::int FROM created) AS created,
			(SELECT json_agg(json_build_array(provider, subject, identity_id)) FROM owners) AS owners,
			${IDENTITIES_LISTED("owners", "$2")} AS identities`,
} as const;

const LOCK_IDENTITIES = {
	name: "idpool_lock_identities",
	text: "SELECT identity_id FROM identities WHERE identity_id = ANY($1::text[]) ORDER BY identity_id FOR UPDATE",
} as const;

/** What SNAPSHOT and FIND_OR_CREATE answer: one row. */
interface SnapshotRow {
	pool_version: string | null;
	/** `[provider, subject, identity_id]` of each login linked. */
	owners: [string, string, string][] | null;
	identities: IdentityRow[] | null;
}

const EMPTY_SNAPSHOT: IdentitySnapshot = {
	identities: new Map(),
	owners: new Map(),
};

/** The plan of `snapshot`, or undefined when the planner refuses it. */
function planOrUndefined<T>(
	plan: (snapshot: IdentitySnapshot) => Planned<T>,
	snapshot: IdentitySnapshot,
): Planned<T> | undefined {
	try {
		return plan(snapshot);
	} catch {
		return undefined;
	}
}

/** The snapshot a SNAPSHOT or FIND_OR_CREATE row holds for `query`. */
function toSnapshot(
	row: SnapshotRow | undefined,
	query: IdentityQuery,
): IdentitySnapshot {
	const found = new Map(
		(row?.owners ?? []).map(([provider, subject, identityId]) => [
			loginKey({ provider, subject }),
			identityId,
		]),
	);
	// Ids named first, then owners in the order of the logins, as on SQLite.
	const owners = new Map<string, string>();
	const ids = new Set(query.identityIds);
	for (const login of query.logins) {
		const owner = found.get(loginKey(login));
		if (owner !== undefined) {
			owners.set(loginKey(login), owner);
			ids.add(owner);
		}
	}
	const byId = new Map((row?.identities ?? []).map((r) => [r.identity_id, r]));
	const identities = new Map<string, IdentityRecord>();
	for (const id of ids) {
		const record = byId.get(id);
		if (record) identities.set(id, toRecord(record));
	}
	return { identities, owners };
}

/** Whether a plan changes nothing. */
function isEmptyChange(change: IdentityChange): boolean {
	return (
		!change.create &&
		!change.merge?.length &&
		!change.unlink?.length &&
		!change.link?.length &&
		!change.state?.length
	);
}

/** Whether a plan only creates an identity and links logins to it. */
function onlyCreates(change: IdentityChange): boolean {
	const identityId = change.create?.identityId;
	return (
		identityId !== undefined &&
		!change.merge?.length &&
		!change.unlink?.length &&
		!change.state?.length &&
		(change.link ?? []).every((l) => l.identityId === identityId)
	);
}

/** Leaves out the identities (alias `i`) of a deleted pool, which stay until purged. */
const POOL_NOT_DELETED =
	"NOT EXISTS (SELECT 1 FROM identity_pools dp WHERE dp.pool_id = i.pool_id AND dp.deleted_at IS NOT NULL)";

function toRecord(row: IdentityRow): IdentityRecord {
	return {
		identityId: row.identity_id,
		poolId: row.pool_id,
		accountId: row.account_id,
		region: row.region,
		state: row.state as IdentityState,
		authenticated: row.authenticated,
		logins: row.logins.map(([provider, subject, kind]) => ({
			provider,
			subject,
			kind: kind as LoginRef["kind"],
		})),
		createdAt: Number(row.created_at),
		updatedAt: Number(row.updated_at),
	};
}

/** Cuts a page asked with `limit + 1` rows; `next` is the last item's `seq`. */
function toPage<R extends { seq: string }, T>(
	rows: R[],
	limit: number,
	map: (row: R) => T,
): Page<T> {
	const page = rows.slice(0, limit);
	const items = page.map(map);
	const last = page.at(-1);
	return rows.length > limit && last ? { items, next: last.seq } : { items };
}

export class PostgresIdentities implements IdentityRepository {
	readonly #db: Database;

	constructor(db: Database) {
		this.#db = db;
	}

	async get(identityId: string): Promise<IdentityRecord | undefined> {
		const [row] = await this.#db.rows<IdentityRow>(
			`${SELECT_IDENTITY} WHERE i.identity_id = $1 AND ${POOL_NOT_DELETED}`,
			[identityId],
		);
		return row ? toRecord(row) : undefined;
	}

	async getWithPoolVersion(
		identityId: string,
	): Promise<{ identity: IdentityRecord; poolVersion: string } | undefined> {
		const [row] = await this.#db.rows<IdentityRow & { pool_version: string }>(
			GET_WITH_POOL_VERSION,
			[identityId],
		);
		return row && { identity: toRecord(row), poolVersion: row.pool_version };
	}

	async ownerOf(
		poolId: string,
		login: { provider: string; subject: string },
		poolVersion?: string,
	): Promise<string | undefined> {
		const [row] = await this.#db.rows<{
			identity_id: string | null;
			pool_version: string | null;
		}>(OWNER_OF, [poolId, login.provider, login.subject]);
		if (poolVersion !== undefined && row?.pool_version !== poolVersion) {
			throw new StalePoolError(poolId);
		}
		return row?.identity_id ?? undefined;
	}

	async findByLogin(
		poolId: string,
		login: { provider: string; subject: string },
	): Promise<IdentityRecord | undefined> {
		const [row] = await this.#db.rows<IdentityRow>(
			`${SELECT_IDENTITY}
			JOIN identity_logins o ON o.identity_id = i.identity_id
			WHERE o.pool_id = $1 AND o.provider = $2 AND o.subject = $3`,
			[poolId, login.provider, login.subject],
		);
		return row ? toRecord(row) : undefined;
	}

	async change<T>(
		pool: PoolKey,
		query: IdentityQuery,
		plan: (snapshot: IdentitySnapshot) => Planned<T>,
		now: number,
		poolVersion?: string,
	): Promise<T> {
		try {
			// The common cases in one statement, outside any explicit transaction: a returning
			// user (the plan changes nothing: a read of one MVCC snapshot is all it needs) and a
			// new one (an identity created with its new logins, when none of them is linked).
			// Everything else (links to existing identities, merges, unlinks, states) goes to the
			// locking transaction, as does a second lost race for a new login.
			for (let attempt = 1; attempt <= 2; attempt++) {
				// Without identities named, a plan on an empty snapshot says what a new user needs;
				// the statement then checks that none of the logins is linked, and, if some are,
				// answers the snapshot instead (a returning user, still one round trip).
				const guess =
					query.identityIds.length === 0
						? planOrUndefined(plan, EMPTY_SNAPSHOT)
						: undefined;
				let snapshot: IdentitySnapshot;
				if (guess?.change.create && onlyCreates(guess.change)) {
					const found = await this.#findOrCreate(
						pool,
						query,
						guess.change,
						now,
						poolVersion,
					);
					if (found === "created") return guess.result;
					if (found === "raced") continue;
					snapshot = found;
				} else {
					snapshot = await this.#snapshot(this.#db, pool, query, poolVersion);
				}
				const planned = plan(snapshot);
				const { change } = planned;
				if (isEmptyChange(change)) return planned.result;
				if (snapshot.identities.size > 0 || !onlyCreates(change)) break;
				const found = await this.#findOrCreate(
					pool,
					query,
					change,
					now,
					poolVersion,
				);
				if (found === "created") return planned.result;
			}
			return await this.#changeLocked(pool, query, plan, now, poolVersion);
		} catch (error) {
			// The pool was deleted after the caller read it (foreign_key_violation): its
			// identities cannot be written.
			if ((error as { code?: string }).code === "23503") {
				throw poolNotFound(pool.poolId);
			}
			throw error;
		}
	}

	/**
	 * Runs FIND_OR_CREATE for a change that only creates an identity with logins: answers
	 * `created`, or the snapshot of the logins' owners when some are linked (nothing written),
	 * or `raced` when a login was linked by a transaction that committed meanwhile (nothing
	 * written). {@link StalePoolError} when the pool is not at `poolVersion`,
	 * ResourceNotFoundException when it is gone.
	 */
	async #findOrCreate(
		pool: PoolKey,
		query: IdentityQuery,
		change: IdentityChange,
		now: number,
		poolVersion: string | undefined,
	): Promise<"created" | "raced" | IdentitySnapshot> {
		const create = change.create as NonNullable<IdentityChange["create"]>;
		const links = change.link ?? [];
		let row: SnapshotRow & { created: number };
		try {
			[row] = (await this.#db.rows(FIND_OR_CREATE, [
				create.identityId,
				pool.poolId,
				pool.accountId,
				pool.region,
				create.authenticated,
				now,
				query.logins.map((l) => l.provider),
				query.logins.map((l) => l.subject),
				poolVersion ?? null,
				links.map((l) => l.login.provider),
				links.map((l) => l.login.subject),
				links.map((l) => l.login.kind),
			])) as [SnapshotRow & { created: number }];
		} catch (error) {
			if ((error as { code?: string }).code === "23505") {
				this.#db.retried("unique_violation");
				return "raced";
			}
			throw error;
		}
		if (row.pool_version === null) throw poolNotFound(pool.poolId);
		if (poolVersion !== undefined && row.pool_version !== poolVersion) {
			throw new StalePoolError(pool.poolId);
		}
		return row.created > 0 ? "created" : toSnapshot(row, query);
	}

	/**
	 * The general path: READ COMMITTED with row locks rather than SERIALIZABLE (SERIALIZABLE's
	 * predicate locks on the login index make concurrent first logins of *different* users
	 * conflict and retry). The identities involved are locked (FOR UPDATE, in id order) and
	 * the snapshot read again until every identity it involves is locked: nobody else can then
	 * move, add or remove their logins. A login linked concurrently by another transaction
	 * fails the unique constraint, and the whole transaction is retried.
	 */
	#changeLocked<T>(
		pool: PoolKey,
		query: IdentityQuery,
		plan: (snapshot: IdentitySnapshot) => Planned<T>,
		now: number,
		poolVersion: string | undefined,
	): Promise<T> {
		return this.#db.transaction("READ COMMITTED", async (sql) => {
			const locked = new Set<string>();
			for (;;) {
				const snapshot = await this.#snapshot(sql, pool, query, poolVersion);
				const unlocked = [...snapshot.identities.keys()].filter(
					(id) => !locked.has(id),
				);
				if (unlocked.length === 0) {
					const { change, result } = plan(snapshot);
					await this.#apply(sql, pool, change, now);
					return result;
				}
				unlocked.sort();
				await sql.rows(LOCK_IDENTITIES, [unlocked]);
				for (const id of unlocked) locked.add(id);
			}
		});
	}

	/**
	 * The identities named (by id, and as owners of the logins) with their logins, and the
	 * pool's version, in one statement. With `poolVersion`, {@link StalePoolError} when the
	 * pool is no longer at that version.
	 */
	async #snapshot(
		sql: Sql,
		pool: PoolKey,
		query: IdentityQuery,
		poolVersion: string | undefined,
	): Promise<IdentitySnapshot> {
		const [row] = await sql.rows<SnapshotRow>(SNAPSHOT, [
			pool.poolId,
			query.logins.map((l) => l.provider),
			query.logins.map((l) => l.subject),
			query.identityIds,
		]);
		if (poolVersion !== undefined && row?.pool_version !== poolVersion) {
			throw new StalePoolError(pool.poolId);
		}
		return toSnapshot(row, query);
	}

	async #apply(
		sql: Sql,
		pool: PoolKey,
		change: IdentityChange,
		now: number,
	): Promise<void> {
		// Only in a pool not deleted (its row stays, marked, until it is purged): checked by the
		// insert of a new identity itself, else by a read before any other write.
		if (
			!change.create &&
			(change.merge?.length ||
				change.unlink?.length ||
				change.link?.length ||
				change.state?.length)
		) {
			const [live] = await sql.rows(
				"SELECT 1 FROM identity_pools WHERE pool_id = $1 AND deleted_at IS NULL",
				[pool.poolId],
			);
			if (!live) throw poolNotFound(pool.poolId);
		}
		if (change.create) {
			const created = await sql.count(
				"INSERT INTO identities (identity_id, pool_id, account_id, region, state, authenticated, created_at, updated_at) SELECT $1, $2, $3, $4, 'active', $5, $6, $6 FROM identity_pools WHERE pool_id = $2 AND deleted_at IS NULL",
				[
					change.create.identityId,
					pool.poolId,
					pool.accountId,
					pool.region,
					change.create.authenticated,
					now,
				],
			);
			if (created === 0) throw poolNotFound(pool.poolId);
		}
		for (const { from, into } of change.merge ?? []) {
			await sql.count(
				"UPDATE identity_logins SET identity_id = $1 WHERE identity_id = $2",
				[into, from],
			);
			await sql.count(
				"UPDATE identities SET state = 'disabled', updated_at = $1 WHERE identity_id = $2",
				[now, from],
			);
			// The target now holds logins: it is authenticated (and modified) from now on.
			await this.#authenticate(sql, into, now);
		}
		for (const login of change.unlink ?? []) {
			const removed = await sql.rows<{ identity_id: string }>(
				"DELETE FROM identity_logins WHERE pool_id = $1 AND provider = $2 AND subject = $3 RETURNING identity_id",
				[pool.poolId, login.provider, login.subject],
			);
			for (const { identity_id } of removed) {
				await sql.count(
					"UPDATE identities SET updated_at = $1 WHERE identity_id = $2",
					[now, identity_id],
				);
			}
		}
		const links = change.link ?? [];
		if (links.length > 0) {
			// One statement for every new login (round trips dominate on PostgreSQL).
			await sql.count(
				`INSERT INTO identity_logins (pool_id, provider, subject, kind, identity_id, created_at)
				SELECT $1, provider, subject, kind, identity_id, $2
				FROM unnest($3::text[], $4::text[], $5::text[], $6::text[]) AS l (provider, subject, kind, identity_id)`,
				[
					pool.poolId,
					now,
					links.map((l) => l.login.provider),
					links.map((l) => l.login.subject),
					links.map((l) => l.login.kind),
					links.map((l) => l.identityId),
				],
			);
			// A target created just now as authenticated needs no update.
			const created = change.create?.authenticated
				? change.create.identityId
				: undefined;
			for (const id of new Set(links.map((l) => l.identityId))) {
				if (id !== created) await this.#authenticate(sql, id, now);
			}
		}
		for (const { identityId, state } of change.state ?? []) {
			await sql.count(
				"UPDATE identities SET state = $1, updated_at = $2 WHERE identity_id = $3",
				[state, now, identityId],
			);
		}
	}

	async #authenticate(
		sql: Sql,
		identityId: string,
		now: number,
	): Promise<void> {
		await sql.count(
			"UPDATE identities SET authenticated = TRUE, updated_at = $1 WHERE identity_id = $2",
			[now, identityId],
		);
	}

	async list(
		poolId: string,
		options: { limit: number; after?: string; hideDisabled: boolean },
	): Promise<Page<IdentityRecord>> {
		const rows = await this.#db.rows<IdentityRow>(
			`${SELECT_IDENTITY}
			WHERE i.pool_id = $1 AND i.seq > $2 ${options.hideDisabled ? "AND i.state = 'active'" : ""}
			ORDER BY i.seq LIMIT $3`,
			// One row more than asked tells whether another page exists.
			[poolId, seqCursor(options.after), options.limit + 1],
		);
		return toPage(rows, options.limit, toRecord);
	}

	async developerLogins(
		poolId: string,
		identityId: string,
		options: { limit: number; after?: string },
	): Promise<Page<LoginRef>> {
		// The join checks that the identity is of the pool in the same statement.
		const rows = await this.#db.rows<LoginRow>(
			`SELECT l.seq, l.provider, l.subject, l.kind
			FROM identity_logins l JOIN identities i ON i.identity_id = l.identity_id
			WHERE l.identity_id = $1 AND i.pool_id = $2 AND l.kind = 'developer' AND l.seq > $3
			ORDER BY l.seq LIMIT $4`,
			[identityId, poolId, seqCursor(options.after), options.limit + 1],
		);
		return toPage(rows, options.limit, (r) => ({
			provider: r.provider,
			subject: r.subject,
			kind: r.kind as LoginRef["kind"],
		}));
	}

	async delete(
		tenant: { accountId: string; region: string },
		identityIds: string[],
	): Promise<DeleteOutcome[]> {
		if (identityIds.length === 0) return [];
		return this.#db.transaction("SERIALIZABLE", async (sql) => {
			const rows = await sql.rows<{
				identity_id: string;
				account_id: string;
				region: string;
			}>(
				`SELECT identity_id, account_id, region FROM identities i WHERE identity_id = ANY($1::text[]) AND ${POOL_NOT_DELETED}`,
				[identityIds],
			);
			const byId = new Map(rows.map((r) => [r.identity_id, r]));
			const deleted = new Set<string>();
			const outcomes = identityIds.map((id): DeleteOutcome => {
				const row = byId.get(id);
				// An id named twice is gone by its second mention, as on SQLite.
				if (!row || deleted.has(id) || row.region !== tenant.region)
					return "not-found";
				if (row.account_id !== tenant.accountId) return "access-denied";
				deleted.add(id);
				return "deleted";
			});
			if (deleted.size > 0) {
				await sql.count(
					"DELETE FROM identities WHERE identity_id = ANY($1::text[])",
					[[...deleted]],
				);
			}
			return outcomes;
		});
	}
}
