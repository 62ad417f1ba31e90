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
import type {
	DeleteOutcome,
	IdentityQuery,
	IdentityRepository,
	Page,
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
const SELECT_IDENTITY = `
	SELECT i.seq, i.identity_id, i.pool_id, i.account_id, i.region, i.state,
		i.authenticated, i.created_at, i.updated_at,
		COALESCE(
			(SELECT json_agg(json_build_array(l.provider, l.subject, l.kind) ORDER BY l.seq)
				FROM identity_logins l WHERE l.identity_id = i.identity_id),
			'[]'::json
		) AS logins
	FROM identities i`;

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

	async ownerOf(
		poolId: string,
		login: { provider: string; subject: string },
	): Promise<string | undefined> {
		const [row] = await this.#db.rows<{ identity_id: string }>(
			"SELECT identity_id FROM identity_logins WHERE pool_id = $1 AND provider = $2 AND subject = $3",
			[poolId, login.provider, login.subject],
		);
		return row?.identity_id;
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
	): Promise<T> {
		// READ COMMITTED with row locks rather than SERIALIZABLE: SERIALIZABLE's predicate locks
		// on the login index make concurrent first logins of *different* users conflict and
		// retry. Instead the identities involved are locked (FOR UPDATE, in id order) and the
		// snapshot read again until every identity it involves is locked: nobody else can then
		// move, add or remove their logins. A login linked concurrently by another transaction
		// fails the unique constraint, and the whole transaction is retried.
		return this.#db
			.transaction("READ COMMITTED", async (sql) => {
				const locked = new Set<string>();
				for (;;) {
					const snapshot = await this.#snapshot(sql, pool, query);
					const unlocked = [...snapshot.identities.keys()].filter(
						(id) => !locked.has(id),
					);
					if (unlocked.length === 0) {
						const { change, result } = plan(snapshot);
						await this.#apply(sql, pool, change, now);
						return result;
					}
					unlocked.sort();
					await sql.rows(
						"SELECT identity_id FROM identities WHERE identity_id = ANY($1::text[]) ORDER BY identity_id FOR UPDATE",
						[unlocked],
					);
					for (const id of unlocked) locked.add(id);
				}
			})
			.catch((error: unknown) => {
				// The pool was deleted after the caller read it (foreign_key_violation): its
				// identities cannot be written.
				if ((error as { code?: string }).code === "23503") {
					throw poolNotFound(pool.poolId);
				}
				throw error;
			});
	}

	async #snapshot(
		sql: Sql,
		pool: PoolKey,
		query: IdentityQuery,
	): Promise<IdentitySnapshot> {
		const owners = new Map<string, string>();
		// Ids named first, then owners in the order of the logins, as on SQLite.
		const ids = new Set(query.identityIds);
		if (query.logins.length > 0) {
			const rows = await sql.rows<{
				provider: string;
				subject: string;
				identity_id: string;
			}>(
				`SELECT l.provider, l.subject, l.identity_id
				FROM identity_logins l
				JOIN unnest($2::text[], $3::text[]) AS q (provider, subject)
					ON l.provider = q.provider AND l.subject = q.subject
				WHERE l.pool_id = $1`,
				[
					pool.poolId,
					query.logins.map((l) => l.provider),
					query.logins.map((l) => l.subject),
				],
			);
			const found = new Map(rows.map((r) => [loginKey(r), r.identity_id]));
			for (const login of query.logins) {
				const owner = found.get(loginKey(login));
				if (owner !== undefined) {
					owners.set(loginKey(login), owner);
					ids.add(owner);
				}
			}
		}
		const identities = new Map<string, IdentityRecord>();
		if (ids.size > 0) {
			const rows = await sql.rows<IdentityRow>(
				`${SELECT_IDENTITY} WHERE i.identity_id = ANY($1::text[]) AND i.pool_id = $2`,
				[[...ids], pool.poolId],
			);
			const byId = new Map(rows.map((r) => [r.identity_id, r]));
			for (const id of ids) {
				const row = byId.get(id);
				if (row) identities.set(id, toRecord(row));
			}
		}
		return { identities, owners };
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
