/**
 * @module store/sqlite/identities
 * Identities and their logins on SQLite. `change` reads its snapshot, runs the planner and
 * applies the change inside one `BEGIN IMMEDIATE` transaction, which holds SQLite's write
 * lock throughout: no other writer can link a login between the read and the write, so
 * the uniqueness of logins per pool is kept without retries.
 *
 * Group commit: the changes asked for during one turn of the event loop (and, while the
 * store is busy, during the next few milliseconds) are committed together, in one
 * transaction where each change runs in a savepoint of its own. A change
 * that fails (its plan refuses, a constraint) is rolled back alone and fails alone; the
 * others commit. Each caller is answered after the commit that holds its change. A commit
 * costs a lock, a WAL header and the pages every new identity shares (table ends, sequence),
 * so first logins arriving together cost less each.
 */

import type Database from "better-sqlite3";
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
import { type Metrics, noMetrics } from "../../lib/metrics.ts";
import { seqCursor } from "../sql/rows.ts";
import type {
	DeleteOutcome,
	IdentityQuery,
	IdentityRepository,
	Page,
} from "../store.ts";

interface IdentityRow {
	seq: number;
	identity_id: string;
	pool_id: string;
	account_id: string;
	region: string;
	state: string;
	authenticated: number;
	created_at: number;
	updated_at: number;
}

interface LoginRow {
	seq: number;
	provider: string;
	subject: string;
	kind: string;
	identity_id: string;
}

function toLogin(row: LoginRow): LoginRef {
	return {
		provider: row.provider,
		subject: row.subject,
		kind: row.kind as LoginRef["kind"],
	};
}

/** A change waiting for the next group commit, and its caller. */
interface PendingChange {
	pool: PoolKey;
	query: IdentityQuery;
	plan: (snapshot: IdentitySnapshot) => Planned<unknown>;
	now: number;
	resolve(result: unknown): void;
	reject(error: unknown): void;
}

type Outcome = { ok: true; result: unknown } | { ok: false; error: unknown };

/**
 * Runs a synchronous write (a transaction of its own) and answers what it returned:
 * {@link SqliteIdentities.write} or {@link SqliteIdentities.exclusive}, which every write of
 * the server's connection goes through.
 */
export type Writer = <T>(write: () => T) => Promise<T>;

/** A write of its own waiting for the next group commit (see {@link SqliteIdentities.exclusive}). */
interface PendingTask {
	run(): unknown;
	resolve(result: unknown): void;
	reject(error: unknown): void;
}

/** Puts `write` at the end of `queue`; answers what it will answer once run. */
function queued<T>(queue: PendingTask[], write: () => T): Promise<T> {
	return new Promise<T>((resolve, reject) => {
		queue.push({
			run: write,
			resolve: resolve as (result: unknown) => void,
			reject,
		});
	});
}

/** Runs each task's write, settling its promise with what it answered or threw. */
function runTasks(tasks: readonly PendingTask[]): void {
	for (const task of tasks) {
		try {
			task.resolve(task.run());
		} catch (error) {
			task.reject(error);
		}
	}
}

/** How long a busy group commit waits for more changes. */
const GROUP_WINDOW_MS = 4;
/** A commit less than this long ago means the store is busy. */
const BUSY_GAP_MS = 20;

/** How {@link SqliteIdentities} commits, and what it tells. */
export interface GroupCommitOptions {
	/** Told the size of each group commit. */
	metrics?: Metrics;
	/**
	 * Asked before every write of the connection runs, and throws when the store may not
	 * write: once before each group commits, for all its changes (one check for a group of
	 * any size), and once before each write of {@link SqliteIdentities.write} and
	 * {@link SqliteIdentities.exclusive}.
	 */
	mayWrite?: () => void;
	/** How long a busy group commit waits for more changes (default {@link GROUP_WINDOW_MS}). */
	groupWindowMs?: number;
	/** A commit less than this long ago means the store is busy (default {@link BUSY_GAP_MS}). */
	busyGapMs?: number;
}

/** The group commit's timing alone (tests set it; a server keeps the defaults). */
export type GroupCommitTiming = Pick<
	GroupCommitOptions,
	"groupWindowMs" | "busyGapMs"
>;

export class SqliteIdentities implements IdentityRepository {
	readonly #db: Database.Database;
	readonly #get: Database.Statement<[string], IdentityRow>;
	/** {@link #get}, leaving out the identities of a deleted pool. */
	readonly #getLive: Database.Statement<[string], IdentityRow>;
	readonly #poolLive: Database.Statement<[string], { live: number }>;
	readonly #loginsOf: Database.Statement<[string], LoginRow>;
	readonly #owner: Database.Statement<
		[string, string, string],
		{ identity_id: string }
	>;
	readonly #insertIdentity: Database.Statement<unknown[]>;
	readonly #moveLogins: Database.Statement<[string, string]>;
	readonly #setState: Database.Statement<[string, number, string]>;
	readonly #touch: Database.Statement<[number, string]>;
	readonly #authenticate: Database.Statement<[number, string]>;
	readonly #unlink: Database.Statement<[string, string, string]>;
	readonly #link: Database.Statement<unknown[]>;
	readonly #list: Database.Statement<[string, number, number], IdentityRow>;
	readonly #listActive: Database.Statement<
		[string, number, number],
		IdentityRow
	>;
	readonly #devLogins: Database.Statement<[string, number, number], LoginRow>;
	readonly #delete: Database.Statement<[string]>;
	/** Built once: making a better-sqlite3 transaction function costs more than running it. */
	readonly #changeTx: Database.Transaction<
		(
			pool: PoolKey,
			query: IdentityQuery,
			plan: (snapshot: IdentitySnapshot) => Planned<unknown>,
			now: number,
		) => unknown
	>;

	/** One transaction for a group of changes, each in a savepoint (a nested #changeTx). */
	readonly #groupTx: Database.Transaction<
		(changes: PendingChange[]) => Outcome[]
	>;
	#pending: PendingChange[] = [];
	#tasks: PendingTask[] = [];
	/** Calls' writes ({@link write}) held by a pause: they go first when it ends. */
	#held: PendingTask[] = [];
	/** While the WAL is restarted (checkpointer.ts), changes wait instead of committing. */
	#paused = false;
	/** When the last group committed (`performance.now()`). */
	#lastFlush = Number.NEGATIVE_INFINITY;
	/** Group commits run so far (for tests and diagnostics). */
	commits = 0;
	readonly #metrics: Metrics;
	/** Throws when the store may no longer write (sqlite-store.ts's file guard). */
	readonly #mayWrite: () => void;
	readonly #groupWindowMs: number;
	readonly #busyGapMs: number;

	constructor(db: Database.Database, options: GroupCommitOptions = {}) {
		this.#db = db;
		this.#metrics = options.metrics ?? noMetrics;
		this.#mayWrite = options.mayWrite ?? (() => {});
		this.#groupWindowMs = options.groupWindowMs ?? GROUP_WINDOW_MS;
		this.#busyGapMs = options.busyGapMs ?? BUSY_GAP_MS;
		this.#get = db.prepare("SELECT * FROM identities WHERE identity_id = ?");
		this.#getLive = db.prepare(
			"SELECT i.* FROM identities i JOIN identity_pools p ON p.pool_id = i.pool_id WHERE i.identity_id = ? AND p.deleted_at IS NULL",
		);
		this.#poolLive = db.prepare(
			"SELECT 1 AS live FROM identity_pools WHERE pool_id = ? AND deleted_at IS NULL",
		);
		this.#loginsOf = db.prepare(
			"SELECT * FROM identity_logins WHERE identity_id = ? ORDER BY seq",
		);
		this.#owner = db.prepare(
			"SELECT identity_id FROM identity_logins WHERE pool_id = ? AND provider = ? AND subject = ?",
		);
		this.#insertIdentity = db.prepare(
			"INSERT INTO identities (identity_id, pool_id, account_id, region, state, authenticated, created_at, updated_at) VALUES (?, ?, ?, ?, 'active', ?, ?, ?)",
		);
		this.#moveLogins = db.prepare(
			"UPDATE identity_logins SET identity_id = ? WHERE identity_id = ?",
		);
		this.#setState = db.prepare(
			"UPDATE identities SET state = ?, updated_at = ? WHERE identity_id = ?",
		);
		this.#touch = db.prepare(
			"UPDATE identities SET updated_at = ? WHERE identity_id = ?",
		);
		this.#authenticate = db.prepare(
			"UPDATE identities SET authenticated = 1, updated_at = ? WHERE identity_id = ?",
		);
		this.#unlink = db.prepare(
			"DELETE FROM identity_logins WHERE pool_id = ? AND provider = ? AND subject = ?",
		);
		this.#link = db.prepare(
			"INSERT INTO identity_logins (pool_id, provider, subject, kind, identity_id, created_at) VALUES (?, ?, ?, ?, ?, ?)",
		);
		this.#list = db.prepare(
			"SELECT * FROM identities WHERE pool_id = ? AND seq > ? ORDER BY seq LIMIT ?",
		);
		this.#listActive = db.prepare(
			"SELECT * FROM identities WHERE pool_id = ? AND seq > ? AND state = 'active' ORDER BY seq LIMIT ?",
		);
		this.#devLogins = db.prepare(
			"SELECT * FROM identity_logins WHERE identity_id = ? AND kind = 'developer' AND seq > ? ORDER BY seq LIMIT ?",
		);
		this.#delete = db.prepare("DELETE FROM identities WHERE identity_id = ?");
		this.#changeTx = db.transaction((pool, query, plan, now) =>
			this.#changeNow(pool, query, plan, now),
		);
		this.#groupTx = db.transaction((changes: PendingChange[]) =>
			changes.map((c): Outcome => {
				try {
					return {
						ok: true,
						result: this.#changeTx(c.pool, c.query, c.plan, c.now),
					};
				} catch (error) {
					// Some errors (I/O, full disk) make SQLite roll the whole transaction back:
					// then the changes before this one are gone too, and the group must fail.
					if (!this.#db.inTransaction) throw error;
					return { ok: false, error };
				}
			}),
		);
	}

	#record(row: IdentityRow): IdentityRecord {
		return {
			identityId: row.identity_id,
			poolId: row.pool_id,
			accountId: row.account_id,
			region: row.region,
			state: row.state as IdentityState,
			authenticated: row.authenticated === 1,
			logins: this.#loginsOf.all(row.identity_id).map(toLogin),
			createdAt: row.created_at,
			updatedAt: row.updated_at,
		};
	}

	async get(identityId: string): Promise<IdentityRecord | undefined> {
		const row = this.#getLive.get(identityId);
		return row ? this.#record(row) : undefined;
	}

	async getWithPoolVersion(
		identityId: string,
	): Promise<{ identity: IdentityRecord; poolVersion: string } | undefined> {
		const identity = await this.get(identityId);
		return identity && { identity, poolVersion: "" };
	}

	async ownerOf(
		poolId: string,
		login: { provider: string; subject: string },
	): Promise<string | undefined> {
		return this.#owner.get(poolId, login.provider, login.subject)?.identity_id;
	}

	async findByLogin(
		poolId: string,
		login: { provider: string; subject: string },
	): Promise<IdentityRecord | undefined> {
		const owner = await this.ownerOf(poolId, login);
		return owner === undefined ? undefined : this.get(owner);
	}

	async change<T>(
		pool: PoolKey,
		query: IdentityQuery,
		plan: (snapshot: IdentitySnapshot) => Planned<T>,
		now: number,
	): Promise<T> {
		return new Promise<T>((resolve, reject) => {
			this.#pending.push({
				pool,
				query,
				plan,
				now,
				resolve: resolve as (result: unknown) => void,
				reject,
			});
			if (this.#pending.length === 1 && !this.#paused) this.#schedule();
		});
	}

	/**
	 * When the group commits. Idle (no commit in the last {@link BUSY_GAP_MS}): after the I/O
	 * of this turn, so every change asked for during it joins the group. Busy: after
	 * {@link GROUP_WINDOW_MS}, so that the changes of the next few turns join too. Under load
	 * requests arrive one at a time as signatures finish, and a group of one costs a commit of
	 * its own (the pages every new identity shares, a WAL write) for one identity.
	 */
	#schedule(): void {
		const now = performance.now();
		if (now - this.#lastFlush > this.#busyGapMs)
			setImmediate(() => this.flush());
		else setTimeout(() => this.flush(), this.#groupWindowMs);
	}

	/** Holds the group commit: changes wait until {@link resume}. */
	pause(): void {
		this.#paused = true;
	}

	/** Lets the group commit go on, committing what waited. */
	resume(): void {
		if (!this.#paused) return;
		this.#paused = false;
		if (
			this.#pending.length > 0 ||
			this.#tasks.length > 0 ||
			this.#held.length > 0
		)
			setImmediate(() => this.flush());
	}

	/**
	 * Runs `write` (a synchronous transaction of its own) at the next group commit, after the
	 * changes waiting then: the long background work of the store (a pool's purge, the
	 * incremental vacuum), cut into short transactions, goes through the same writer as the
	 * requests' changes. It therefore waits while the commits are paused (a WAL restart,
	 * checkpointer.ts) instead of waiting for SQLite's write lock on the event loop, and each
	 * piece is one turn of the event loop among the requests'.
	 */
	exclusive<T>(write: () => T): Promise<T> {
		const done = queued(this.#tasks, this.#guarded(write));
		if (this.#tasks.length === 1 && this.#pending.length === 0 && !this.#paused)
			this.#schedule();
		return done;
	}

	/**
	 * Runs `write` (a synchronous transaction of its own) now, or, while the commits are paused,
	 * once they resume (first, before the changes and the background work that waited). Every
	 * write of the server's connection other than the identity changes and the background work
	 * goes through it (pools, identity deletions, issued credentials, signing keys, the health
	 * probe). While the commits are paused the checkpoint worker holds SQLite's write lock to
	 * restart the WAL; a write that asked for the lock then would wait in SQLite's busy
	 * handler, and the whole event loop with it.
	 */
	write<T>(write: () => T): Promise<T> {
		const guarded = this.#guarded(write);
		if (this.#paused) return queued(this.#held, guarded);
		try {
			return Promise.resolve(guarded());
		} catch (error) {
			return Promise.reject(error);
		}
	}

	/** `write`, run only once {@link GroupCommitOptions.mayWrite} lets it (else it throws). */
	#guarded<T>(write: () => T): () => T {
		return () => {
			this.#mayWrite();
			return write();
		};
	}

	/**
	 * Runs the calls' writes a pause held, commits the changes waiting for the group commit,
	 * then runs the writes waiting in {@link exclusive} (also before the store closes).
	 */
	flush(): void {
		if (this.#paused) return;
		const held = this.#held;
		this.#held = [];
		runTasks(held);
		this.#commitPending();
		const tasks = this.#tasks;
		this.#tasks = [];
		runTasks(tasks);
	}

	#commitPending(): void {
		const changes = this.#pending;
		if (changes.length === 0) return;
		this.#pending = [];
		this.#lastFlush = performance.now();
		let outcomes: Outcome[];
		try {
			this.#mayWrite();
			this.commits++;
			this.#metrics.groupCommit(changes.length);
			outcomes = this.#commit(changes);
		} catch (error) {
			// Nothing of the group was committed.
			for (const c of changes) c.reject(error);
			return;
		}
		changes.forEach((c, i) => {
			const outcome = outcomes[i] as Outcome;
			if (outcome.ok) c.resolve(outcome.result);
			else c.reject(outcome.error);
		});
	}

	/** Commits `changes`: one alone in a transaction of its own, several in one with a savepoint each. */
	#commit(changes: PendingChange[]): Outcome[] {
		if (changes.length > 1) return this.#groupTx.immediate(changes);
		const [c] = changes as [PendingChange];
		return [
			{
				ok: true,
				result: this.#changeTx.immediate(c.pool, c.query, c.plan, c.now),
			},
		];
	}

	/** Snapshot, plan and write of {@link change}: the body of its transaction. */
	#changeNow(
		pool: PoolKey,
		query: IdentityQuery,
		plan: (snapshot: IdentitySnapshot) => Planned<unknown>,
		now: number,
	): unknown {
		// A pool deleted since the caller read it (its row stays until it is purged).
		if (!this.#poolLive.get(pool.poolId)) throw poolNotFound(pool.poolId);
		const owners = new Map<string, string>();
		const ids = new Set(query.identityIds);
		for (const login of query.logins) {
			const owner = this.#owner.get(pool.poolId, login.provider, login.subject);
			if (owner) {
				owners.set(loginKey(login), owner.identity_id);
				ids.add(owner.identity_id);
			}
		}
		const identities = new Map<string, IdentityRecord>();
		for (const id of ids) {
			const row = this.#get.get(id);
			if (row && row.pool_id === pool.poolId)
				identities.set(id, this.#record(row));
		}
		const { change, result } = plan({ identities, owners });
		try {
			this.#apply(pool, change, now);
		} catch (error) {
			// The pool was deleted after the caller read it: its identities cannot be written.
			if (
				(error as { code?: string }).code === "SQLITE_CONSTRAINT_FOREIGNKEY"
			) {
				throw poolNotFound(pool.poolId);
			}
			throw error;
		}
		return result;
	}

	#apply(pool: PoolKey, change: IdentityChange, now: number): void {
		if (change.create) {
			this.#insertIdentity.run(
				change.create.identityId,
				pool.poolId,
				pool.accountId,
				pool.region,
				change.create.authenticated ? 1 : 0,
				now,
				now,
			);
		}
		for (const { from, into } of change.merge ?? []) {
			this.#moveLogins.run(into, from);
			this.#setState.run("disabled", now, from);
			// The target now holds logins: it is authenticated (and modified) from now on.
			this.#authenticate.run(now, into);
		}
		for (const login of change.unlink ?? []) {
			const owner = this.#owner.get(pool.poolId, login.provider, login.subject);
			this.#unlink.run(pool.poolId, login.provider, login.subject);
			if (owner) this.#touch.run(now, owner.identity_id);
		}
		// A target created just now as authenticated needs no update.
		const created = change.create?.authenticated
			? change.create.identityId
			: undefined;
		for (const { identityId, login } of change.link ?? []) {
			this.#link.run(
				pool.poolId,
				login.provider,
				login.subject,
				login.kind,
				identityId,
				now,
			);
			if (identityId !== created) this.#authenticate.run(now, identityId);
		}
		for (const { identityId, state } of change.state ?? []) {
			this.#setState.run(state, now, identityId);
		}
	}

	async list(
		poolId: string,
		options: { limit: number; after?: string; hideDisabled: boolean },
	): Promise<Page<IdentityRecord>> {
		const statement = options.hideDisabled ? this.#listActive : this.#list;
		const rows = statement.all(
			poolId,
			seqCursor(options.after),
			options.limit + 1,
		);
		const page = rows.slice(0, options.limit);
		const items = page.map((r) => this.#record(r));
		const last = page.at(-1);
		return rows.length > options.limit && last
			? { items, next: String(last.seq) }
			: { items };
	}

	async developerLogins(
		poolId: string,
		identityId: string,
		options: { limit: number; after?: string },
	): Promise<Page<LoginRef>> {
		const row = this.#get.get(identityId);
		if (!row || row.pool_id !== poolId) return { items: [] };
		const rows = this.#devLogins.all(
			identityId,
			seqCursor(options.after),
			options.limit + 1,
		);
		const page = rows.slice(0, options.limit);
		const last = page.at(-1);
		const items = page.map(toLogin);
		return rows.length > options.limit && last
			? { items, next: String(last.seq) }
			: { items };
	}

	async delete(
		tenant: { accountId: string; region: string },
		identityIds: string[],
	): Promise<DeleteOutcome[]> {
		return this.write(() =>
			this.#db
				.transaction((): DeleteOutcome[] =>
					identityIds.map((id) => {
						const row = this.#getLive.get(id);
						if (!row || row.region !== tenant.region) return "not-found";
						if (row.account_id !== tenant.accountId) return "access-denied";
						this.#delete.run(id);
						return "deleted";
					}),
				)
				.immediate(),
		);
	}
}
