/**
 * @module store/sqlite/sqlite-store
 * The embedded default store: one SQLite file through better-sqlite3 12 in WAL mode. Every
 * store method is one synchronous better-sqlite3 transaction, so it is atomic and isolated
 * from every other call in this process; SQLite's file lock (with a busy timeout) serialises
 * writers of other processes on the same file. Every write goes through the group commit of
 * identity changes (SqliteIdentities.write and exclusive), which holds them while the
 * checkpoint worker holds the write lock to restart the WAL: none waits for that lock on the
 * event loop.
 *
 * The file holds the private signing keys and the secret keys of issued credentials, so it is
 * kept from other users of the machine, whatever the process's umask: a folder the store
 * creates is made 0700, and a database file it creates is made 0600 before SQLite opens it.
 * SQLite's unix VFS creates the `-wal` and `-shm` files with the permissions of the database
 * file (whoever opens it, the checkpoint worker included), so they are 0600 too; no umask is
 * changed (`process.umask()` is process-wide and refused in worker threads). Files that
 * existed before keep their permissions: {@link Store.warnings} names those other users can
 * read or write.
 */

import {
	chmodSync,
	closeSync,
	constants,
	fchmodSync,
	mkdirSync,
	openSync,
	rmSync,
	statSync,
} from "node:fs";
import { dirname, resolve } from "node:path";
import Database from "better-sqlite3";
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
import {
	InternalErrorException,
	LimitExceededException,
} from "../../errors/service-errors.ts";
import { type Clock, systemClock } from "../../lib/clock.ts";
import { type Metrics, noMetrics } from "../../lib/metrics.ts";
import { throughBatches } from "../sql/batches.ts";
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
	type AppliedMigration,
	refuseNewerSchema,
	requireCurrentSchema,
} from "../sql/schema-version.ts";
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
	PING_PAYLOAD_BYTES,
	type PoolRepository,
	type PoolSummary,
	type RowBatch,
	SECRETS_BATCH,
	type SigningKeyRepository,
	type Store,
} from "../store.ts";
import { type CheckpointerOptions, WalCheckpointer } from "./checkpointer.ts";
import {
	type GroupCommitTiming,
	SqliteIdentities,
	type Writer,
} from "./identities.ts";
import { MIGRATIONS } from "./migrations.ts";
import { PoolCache } from "./pool-cache.ts";

/**
 * Switches the file to WAL mode. SQLite answers SQLITE_BUSY to that switch without waiting
 * when another connection holds the file, which happens when several processes open a new
 * file together; the switch is then retried for up to five seconds (it is persistent, so
 * usually the other process has done it already).
 */
function enableWal(db: Database.Database): void {
	const deadline = performance.now() + 5000;
	for (;;) {
		try {
			db.pragma("journal_mode = WAL");
			return;
		} catch (err) {
			if (
				(err as { code?: string }).code !== "SQLITE_BUSY" ||
				performance.now() > deadline
			)
				throw err;
			Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
		}
	}
}

/** How a SQLite store runs. */
export interface SqliteStoreOptions {
	/**
	 * Run checkpoints on a worker thread (checkpointer.ts) once migrated, so that their fsyncs
	 * never stop the event loop: for a server. Ignored for `:memory:`.
	 */
	backgroundCheckpoints?: boolean | CheckpointerOptions;
	/** Where the time recorded with each migration comes from (default: the system clock). */
	clock?: Clock;
	/**
	 * Told, once, when the store stops writing because its file was deleted or replaced (the
	 * server logs it as an error).
	 */
	onFailure?: (message: string) => void;
	/** Told the size of each group commit (docs/operating.md#metrics). */
	metrics?: Metrics;
	/**
	 * The group commit's timing (identities.ts), for tests that must not depend on the
	 * machine's speed; a server keeps the defaults.
	 */
	groupCommit?: GroupCommitTiming;
}

/** Permission bits that let the group or other users read or write a file (or list a folder). */
const OPEN_TO_OTHERS = 0o066;

/**
 * Creates the folders missing on the way to `dir` as 0700 (owner only, whatever the umask).
 */
function makePrivateFolder(dir: string): void {
	const created = mkdirSync(dir, { recursive: true, mode: 0o700 });
	if (created === undefined) return;
	// The umask may have taken bits off the mode: set it exactly on each folder created, from
	// the innermost up to the first one created.
	const first = resolve(created);
	for (let d = resolve(dir); ; d = dirname(d)) {
		chmodSync(d, 0o700);
		if (d === first || dirname(d) === d) break;
	}
}

/**
 * Creates `path` as an empty file of mode 0600 (exactly, whatever the umask) unless it
 * exists. An empty file is a valid new SQLite database.
 */
function createPrivateFile(path: string): void {
	let fd: number;
	try {
		fd = openSync(
			path,
			constants.O_CREAT | constants.O_EXCL | constants.O_RDWR,
			0o600,
		);
	} catch (err) {
		if ((err as NodeJS.ErrnoException).code === "EEXIST") return;
		throw err;
	}
	try {
		fchmodSync(fd, 0o600);
	} finally {
		closeSync(fd);
	}
}

/**
 * The database's files and folder that the group or other users may read or write, as
 * `path (mode)`: the folder, the database file, its `-wal` and `-shm` (those that exist).
 */
function filesOpenToOthers(path: string): string[] {
	const open: string[] = [];
	for (const file of [dirname(path), path, `${path}-wal`, `${path}-shm`]) {
		let mode: number;
		try {
			mode = statSync(file).mode & 0o777;
		} catch {
			continue;
		}
		if (mode & OPEN_TO_OTHERS) {
			open.push(`${file} (${mode.toString(8).padStart(4, "0")})`);
		}
	}
	return open;
}

/** Opens (creating if needed) a SQLite database; `path` may be `:memory:`. */
export function openSqliteStore(
	path: string,
	options: SqliteStoreOptions = {},
): Store {
	if (path !== ":memory:") {
		makePrivateFolder(dirname(path));
		createPrivateFile(path);
	}
	// The busy timeout comes first: switching a new file to WAL takes a lock that another
	// process opening the same file at the same moment must wait for, not fail on.
	const db = new Database(path, { timeout: 5000 });
	// On a new file (no table yet) this is how it will be made: its free pages can then be
	// given back while a server runs (`reclaimSpace`). A file made before keeps its mode until
	// `idpool vacuum` rewrites it; on it the setting does nothing.
	db.pragma("auto_vacuum = INCREMENTAL");
	enableWal(db);
	db.pragma("synchronous = NORMAL");
	db.pragma("foreign_keys = ON");
	const background = options.backgroundCheckpoints;
	const checkpoints =
		path === ":memory:" || !background
			? undefined
			: background === true
				? {}
				: background;
	const file =
		path === ":memory:" ? undefined : statSync(path, { throwIfNoEntry: false });
	return new SqliteStore(db, checkpoints, {
		clock: options.clock ?? systemClock,
		file: file && { dev: file.dev, ino: file.ino },
		onFailure: options.onFailure,
		metrics: options.metrics ?? noMetrics,
		groupCommit: options.groupCommit ?? {},
	});
}

class SqliteStore implements Store {
	readonly engine = "sqlite";
	readonly #db: Database.Database;
	// Repositories prepare their statements, so they exist only once the schema does.
	#pools: PoolRepository | undefined;
	#signingKeys: SigningKeyRepository | undefined;
	#identities: SqliteIdentities | undefined;
	#credentials: CredentialRepository | undefined;
	readonly #checkpoints: CheckpointerOptions | undefined;
	readonly #clock: Clock;
	#checkpointer: WalCheckpointer | undefined;
	/** The identity of the file opened (device and inode); none for `:memory:`. */
	readonly #file: { dev: number; ino: number } | undefined;
	readonly #onFailure: ((message: string) => void) | undefined;
	readonly #metrics: Metrics;
	readonly #groupCommit: GroupCommitTiming;
	/** Why the store no longer writes, once it does not. */
	#failure: string | undefined;

	constructor(
		db: Database.Database,
		checkpoints: CheckpointerOptions | undefined,
		options: {
			clock: Clock;
			file: { dev: number; ino: number } | undefined;
			onFailure: ((message: string) => void) | undefined;
			metrics: Metrics;
			groupCommit: GroupCommitTiming;
		},
	) {
		this.#db = db;
		this.#checkpoints = checkpoints;
		this.#clock = options.clock;
		this.#file = options.file;
		this.#onFailure = options.onFailure;
		this.#metrics = options.metrics;
		this.#groupCommit = options.groupCommit;
	}

	/**
	 * Lets a write through only while the file opened is still the one at its path: a file
	 * deleted (or replaced) under a running server would take every later write with it when
	 * the server stops, signing keys included. Once that is seen, nothing is written any more,
	 * the reason is told once, and every write and `ping` fails with it.
	 * @throws InternalErrorException once the file is gone or replaced
	 */
	readonly #guard = (): void => {
		if (this.#failure === undefined && this.#file) {
			const now = statSync(this.#db.name, { throwIfNoEntry: false });
			if (!now || now.dev !== this.#file.dev || now.ino !== this.#file.ino) {
				this.#failure = `the database file ${this.#db.name} was ${now ? "replaced by another file" : "deleted"} while the server ran: nothing more is written to it; restart the server once the file is back`;
				this.#onFailure?.(this.#failure);
			}
		}
		if (this.#failure !== undefined) {
			throw new InternalErrorException(
				"The server cannot store data: see its log.",
				{ cause: new Error(this.#failure) },
			);
		}
	};

	/** The checkpoint worker, when one was asked for (tests look at it). */
	get checkpointer(): WalCheckpointer | undefined {
		return this.#checkpointer;
	}

	get pools(): PoolRepository {
		if (!this.#pools) throw new Error("store used before migrate()");
		return this.#pools;
	}

	get identities(): IdentityRepository {
		if (!this.#identities) throw new Error("store used before migrate()");
		return this.#identities;
	}

	get signingKeys(): SigningKeyRepository {
		if (!this.#signingKeys) throw new Error("store used before migrate()");
		return this.#signingKeys;
	}

	get credentials(): CredentialRepository {
		if (!this.#credentials) throw new Error("store used before migrate()");
		return this.#credentials;
	}

	async migrate(options: { readOnly?: boolean } = {}): Promise<void> {
		const db = this.#db;
		const applied = (): AppliedMigration[] =>
			db
				.prepare("SELECT version, name FROM schema_migrations")
				.all() as AppliedMigration[];
		if (options.readOnly) {
			// Nothing written, not even the table of migrations: a look takes no write lock.
			const recorded = db
				.prepare(
					"SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'",
				)
				.get();
			requireCurrentSchema(recorded ? applied() : [], MIGRATIONS);
		} else {
			db.exec(
				"CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)",
			);
			// BEGIN IMMEDIATE takes the write lock first, so two processes opening the same new
			// file cannot both apply a migration: the second waits, then sees it recorded.
			const applyPending = db.transaction(() => {
				const recorded = applied();
				refuseNewerSchema(recorded, MIGRATIONS);
				const done = new Set(recorded.map((r) => r.version));
				for (const m of MIGRATIONS) {
					if (done.has(m.version)) continue;
					db.exec(m.sql);
					db.prepare(
						"INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
					).run(m.version, m.name, this.#clock.now());
				}
			}).immediate;
			applyPending();
		}
		// Every write of this connection goes through the group commit (held during a WAL
		// restart), which lets it through only while the file guard does: identity changes
		// once a group commit, every other write once a call.
		this.#identities ??= new SqliteIdentities(db, {
			...this.#groupCommit,
			metrics: this.#metrics,
			mayWrite: this.#guard,
		});
		const identities = this.#identities;
		const write: Writer = (w) => identities.write(w);
		this.#pools ??= new SqlitePools(db, write, (w) => identities.exclusive(w));
		this.#signingKeys ??= new SqliteSigningKeys(db, write);
		this.#credentials ??= new SqliteCredentials(db, write);
		if (this.#checkpoints && !this.#checkpointer) {
			this.#checkpointer = await WalCheckpointer.start(
				db,
				db.name,
				this.#identities,
				this.#checkpoints,
			);
		}
	}

	/**
	 * Commits a write that leaves nothing behind (a row of `payloadBytes` random bytes, by
	 * default the size of a large request, inserted and deleted): it goes to the WAL and the
	 * disk like any other, so a full disk, a read-only or failing file, or a lock held too long
	 * fails it, and when it passes with the default size, requests' writes fit too.
	 */
	async ping(payloadBytes = PING_PAYLOAD_BYTES): Promise<void> {
		const identities = this.#identities;
		if (!identities) throw new Error("store used before migrate()");
		await identities.write(() => this.#probe(payloadBytes));
	}

	/** The file at the path is still the one opened (a stat, nothing written). */
	async checkDatabase(): Promise<void> {
		this.#guard();
	}

	#probeTx: ((payloadBytes: number) => void) | undefined;

	get #probe(): (payloadBytes: number) => void {
		if (!this.#probeTx) {
			const db = this.#db;
			const insert = db.prepare(
				"INSERT OR REPLACE INTO health_probe (id, payload) VALUES (1, randomblob(?))",
			);
			const remove = db.prepare("DELETE FROM health_probe");
			this.#probeTx = db.transaction((payloadBytes: number) => {
				insert.run(payloadBytes);
				remove.run();
			}).immediate;
		}
		return this.#probeTx;
	}

	/**
	 * One `PRAGMA incremental_vacuum` of at most `maxPages` pages, through the group commit
	 * (SqliteIdentities.exclusive); nothing on a file without `auto_vacuum = INCREMENTAL`.
	 */
	async reclaimSpace(maxPages: number): Promise<number> {
		const identities = this.#identities;
		if (!identities) throw new Error("store used before migrate()");
		return identities.exclusive(() => {
			const db = this.#db;
			if (db.pragma("auto_vacuum", { simple: true }) !== 2) return 0;
			db.exec(
				`PRAGMA incremental_vacuum(${Math.max(1, Math.floor(maxPages))})`,
			);
			return db.pragma("freelist_count", { simple: true }) as number;
		});
	}

	async backup(destination: string): Promise<number> {
		// The file is made first, empty and 0600 (VACUUM INTO takes an empty file), so that the
		// copy of the keys is never readable by others, whatever the umask; `wx` refuses one
		// that exists.
		closeSync(openSync(destination, "wx", 0o600));
		try {
			this.#db.prepare("VACUUM INTO ?").run(destination);
		} catch (err) {
			rmSync(destination, { force: true });
			throw err;
		}
		return statSync(destination).size;
	}

	async dump(write: (batch: RowBatch) => Promise<void>): Promise<void> {
		const db = this.#db;
		// One read transaction: a snapshot of the file however long the writes take.
		db.exec("BEGIN");
		try {
			await dumpTables(
				async (table, after) =>
					db
						.prepare(batchQuery(table, () => "?", after !== undefined))
						.raw()
						.all(...(after ?? [])) as unknown[][],
				async () =>
					new Map(
						(
							db.prepare("SELECT name, seq FROM sqlite_sequence").all() as {
								name: string;
								seq: number;
							}[]
						).map((r) => [r.name, Number(r.seq)]),
					),
				write,
			);
		} finally {
			db.exec("COMMIT");
		}
	}

	async load(
		produce: (write: (batch: RowBatch) => Promise<void>) => Promise<void>,
	): Promise<CopiedRows> {
		this.#guard();
		const db = this.#db;
		db.exec("BEGIN IMMEDIATE");
		try {
			for (const table of TABLES) {
				if (db.prepare(`SELECT 1 FROM ${table.name} LIMIT 1`).get()) {
					throw new TargetNotEmptyError(table.name);
				}
			}
			const inserts = new Map(
				TABLES.map((table) => [
					table.name,
					db.prepare(
						`INSERT INTO ${table.name} (${table.columns.join(", ")}) VALUES (${table.columns.map(() => "?").join(", ")})`,
					),
				]),
			);
			const { copied, sequences } = await loadBatches(
				produce,
				async (table, rows) => {
					const insert = inserts.get(table.name) as Database.Statement;
					for (const row of rows) {
						// better-sqlite3 binds no booleans: flags are 0 and 1.
						insert.run(
							...row.map((v) => (typeof v === "boolean" ? Number(v) : v)),
						);
					}
				},
			);
			// AUTOINCREMENT tables set their sequence past any `seq` inserted; past the source's
			// last number too:
			const update = db.prepare(
				"UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = ?",
			);
			const insert = db.prepare(
				"INSERT INTO sqlite_sequence (name, seq) SELECT ?, ? WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = ?)",
			);
			for (const [name, last] of sequences) {
				update.run(last, name);
				insert.run(name, last, name);
			}
			db.exec("COMMIT");
			return copied;
		} catch (err) {
			if (db.inTransaction) db.exec("ROLLBACK");
			throw err;
		}
	}

	/** `VACUUM` with `auto_vacuum = INCREMENTAL` (which only a VACUUM switches on an existing file). */
	async vacuum(): Promise<{ beforeBytes: number; afterBytes: number }> {
		this.#guard();
		const db = this.#db;
		const size = () =>
			(db.pragma("page_count", { simple: true }) as number) *
			(db.pragma("page_size", { simple: true }) as number);
		const beforeBytes = size();
		db.pragma("auto_vacuum = INCREMENTAL");
		db.exec("VACUUM");
		return { beforeBytes, afterBytes: size() };
	}

	warnings(): string[] {
		if (this.#db.memory) return [];
		const open = filesOpenToOthers(this.#db.name);
		if (open.length === 0) return [];
		return [
			`other users of this machine can read or write the database, which holds the signing keys and issued secret keys: ${open.join(", ")}; chmod 600 the files and 700 the folder (docs/deployment.md#files-and-keys-at-rest)`,
		];
	}

	describe(): string | undefined {
		// No worker asked for, or not started yet (before migrate()): nothing to tell.
		if (!this.#checkpointer) return undefined;
		return this.#checkpointer.running
			? "checkpoints on a worker thread"
			: "checkpoints on the server's connection: the worker failed, see the log";
	}

	async close(): Promise<void> {
		if (!this.#db.open) return;
		try {
			// The worker first: it may hold the write lock, and it pauses the group commit.
			await this.#checkpointer?.stop();
			// Changes already asked for are committed (and answered) first.
			this.#identities?.flush();
		} finally {
			// Whatever failed before, the file is let go (a file system gone read-only must
			// still be unmountable once the server stops).
			this.#db.close();
		}
	}
}

class SqlitePools implements PoolRepository {
	readonly #db: Database.Database;
	readonly #get: Database.Statement<[string, string, string], PoolRow>;
	readonly #findById: Database.Statement<[string], PoolRow>;
	readonly #count: Database.Statement<[string, string], { n: number }>;
	readonly #insert: Database.Statement<unknown[]>;
	readonly #update: Database.Statement<unknown[]>;
	readonly #setRoles: Database.Statement<unknown[]>;
	readonly #list: Database.Statement<[string, string, number, number], PoolRow>;
	readonly #upsertTagMap: Database.Statement<unknown[]>;
	readonly #touch: Database.Statement<[number, string]>;
	readonly #getTagMap: Database.Statement<
		[string, string, string, string],
		{ use_defaults: number; principal_tags: string }
	>;

	readonly #cache: PoolCache;
	/** Runs a call's write now, or once a paused group commit resumes (SqliteIdentities.write). */
	readonly #write: Writer;
	/** Runs a piece of background work at the next group commit (SqliteIdentities.exclusive). */
	readonly #exclusive: Writer;
	readonly #markDeleted: Database.Statement<[number, string, string, string]>;
	readonly #deleteTagMaps: Database.Statement<[string]>;
	readonly #awaitingPurge: Database.Statement<[], string>;
	readonly #isDeleted: Database.Statement<[string], number>;
	readonly #purgeIdentities: Database.Statement<[string, number]>;
	readonly #removePool: Database.Statement<[string]>;
	readonly #idTaken: Database.Statement<[string], number>;
	readonly #tenants: Database.Statement<
		[],
		{ account_id: string; region: string }
	>;

	// Every read of pools leaves out the deleted ones (`deleted_at`), which stay until purged.
	constructor(db: Database.Database, write: Writer, exclusive: Writer) {
		this.#db = db;
		this.#write = write;
		this.#exclusive = exclusive;
		this.#cache = new PoolCache(db);
		this.#get = db.prepare(
			"SELECT * FROM identity_pools WHERE account_id = ? AND region = ? AND pool_id = ? AND deleted_at IS NULL",
		);
		this.#findById = db.prepare(
			"SELECT * FROM identity_pools WHERE pool_id = ? AND deleted_at IS NULL",
		);
		this.#count = db.prepare(
			"SELECT count(*) AS n FROM identity_pools WHERE account_id = ? AND region = ? AND deleted_at IS NULL",
		);
		this.#markDeleted = db.prepare(
			"UPDATE identity_pools SET deleted_at = ? WHERE account_id = ? AND region = ? AND pool_id = ? AND deleted_at IS NULL",
		);
		this.#deleteTagMaps = db.prepare(
			"DELETE FROM principal_tag_maps WHERE pool_id = ?",
		);
		this.#awaitingPurge = db
			.prepare<[], string>(
				"SELECT pool_id FROM identity_pools WHERE deleted_at IS NOT NULL ORDER BY seq",
			)
			.pluck();
		this.#isDeleted = db
			.prepare<[string], number>(
				"SELECT 1 FROM identity_pools WHERE pool_id = ? AND deleted_at IS NOT NULL",
			)
			.pluck();
		// The oldest first, through the index on (pool_id, seq); their logins go with them (the
		// foreign key cascades).
		this.#purgeIdentities = db.prepare(
			"DELETE FROM identities WHERE seq IN (SELECT seq FROM identities WHERE pool_id = ? ORDER BY seq LIMIT ?)",
		);
		this.#removePool = db.prepare(
			"DELETE FROM identity_pools WHERE pool_id = ? AND deleted_at IS NOT NULL",
		);
		this.#idTaken = db
			.prepare<[string], number>(
				"SELECT 1 FROM identity_pools WHERE pool_id = ?",
			)
			.pluck();
		this.#insert = db.prepare(
			"INSERT INTO identity_pools (pool_id, account_id, region, settings, tags, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
		);
		this.#update = db.prepare(
			"UPDATE identity_pools SET settings = ?, tags = ?, updated_at = ? WHERE pool_id = ?",
		);
		this.#setRoles = db.prepare(
			"UPDATE identity_pools SET roles = ?, role_mappings = ?, updated_at = ? WHERE account_id = ? AND region = ? AND pool_id = ? AND deleted_at IS NULL",
		);
		this.#list = db.prepare(
			"SELECT * FROM identity_pools WHERE account_id = ? AND region = ? AND seq > ? AND deleted_at IS NULL ORDER BY seq LIMIT ?",
		);
		this.#tenants = db.prepare(
			"SELECT DISTINCT account_id, region FROM identity_pools WHERE deleted_at IS NULL ORDER BY account_id, region",
		);
		this.#upsertTagMap = db.prepare(
			"INSERT INTO principal_tag_maps (pool_id, provider_name, use_defaults, principal_tags) VALUES (?, ?, ?, ?) ON CONFLICT (pool_id, provider_name) DO UPDATE SET use_defaults = excluded.use_defaults, principal_tags = excluded.principal_tags",
		);
		this.#touch = db.prepare(
			"UPDATE identity_pools SET updated_at = ? WHERE pool_id = ?",
		);
		// Through the pool, so that a map is found only in its pool's account and region.
		this.#getTagMap = db.prepare(
			"SELECT m.use_defaults, m.principal_tags FROM principal_tag_maps m JOIN identity_pools p ON p.pool_id = m.pool_id WHERE p.account_id = ? AND p.region = ? AND p.pool_id = ? AND m.provider_name = ? AND p.deleted_at IS NULL",
		);
	}

	async create(pool: NewPool, maxPools: number): Promise<PoolRecord> {
		await this.#write(() =>
			this.#db.transaction(() => this.#createIn(pool, maxPools)).immediate(),
		);
		return newPoolRecord(pool);
	}

	/** The quota check and the insert of a new pool, inside the caller's transaction. */
	#createIn(pool: NewPool, maxPools: number): void {
		const { n } = this.#count.get(pool.accountId, pool.region) as {
			n: number;
		};
		if (n >= maxPools) {
			throw new LimitExceededException(
				`The number of identity pools in this account and region has reached the limit of ${maxPools}.`,
			);
		}
		this.#insert.run(
			pool.poolId,
			pool.accountId,
			pool.region,
			JSON.stringify(pool.settings),
			JSON.stringify(pool.tags),
			pool.now,
			pool.now,
		);
	}

	async ensure(
		pool: NewPool,
		maxPools: number,
	): Promise<{ pool: PoolRecord; created: boolean }> {
		// The write lock is held from the read on: no other writer can insert the id between
		// the look and the insert.
		const run = this.#db.transaction(() => {
			const row = this.#findById.get(pool.poolId);
			if (row) return row;
			if (this.#idTaken.get(pool.poolId)) throw poolBeingPurged(pool.poolId);
			this.#createIn(pool, maxPools);
			return undefined;
		}).immediate;
		const existing = await this.#write(run);
		if (existing) return { pool: toPool(existing), created: false };
		return { pool: newPoolRecord(pool), created: true };
	}

	async get(key: PoolKey): Promise<PoolRecord | undefined> {
		const pool = await this.findById(key.poolId);
		return pool?.accountId === key.accountId && pool.region === key.region
			? pool
			: undefined;
	}

	async findById(poolId: string): Promise<PoolRecord | undefined> {
		const cached = this.#cache.lookup(poolId);
		if (cached) return cached;
		const row = this.#findById.get(poolId);
		return row ? this.#cache.remember(toPool(row)) : undefined;
	}

	/** Never stale: {@link findById} checks `data_version` at every read; versions are ignored. */
	async cached(poolId: string): Promise<CachedPool | undefined> {
		const pool = await this.findById(poolId);
		return pool ? { pool, version: "", cached: false } : undefined;
	}

	async update(
		key: PoolKey,
		apply: (current: PoolRecord) => {
			settings: PoolSettings;
			tags: Record<string, string>;
		},
		now: number,
	): Promise<PoolRecord | undefined> {
		const run = this.#db.transaction((): PoolRecord | undefined => {
			const row = this.#get.get(key.accountId, key.region, key.poolId);
			if (!row) return undefined;
			const current = toPool(row);
			const next = apply(current);
			this.#update.run(
				JSON.stringify(next.settings),
				JSON.stringify(next.tags),
				now,
				key.poolId,
			);
			return {
				...current,
				settings: next.settings,
				tags: next.tags,
				updatedAt: now,
			};
		}).immediate;
		return this.#write(() => {
			this.#cache.forget(key.poolId);
			return run();
		});
	}

	async setRoles(
		key: PoolKey,
		roles: Record<string, string>,
		roleMappings: Record<string, RoleMappingDoc> | undefined,
		now: number,
		check?: (current: PoolRecord) => void,
	): Promise<boolean> {
		const params = setRolesParams(key, roles, roleMappings, now);
		// Without a check, one statement: atomic on its own.
		if (!check) {
			return this.#write(() => {
				this.#cache.forget(key.poolId);
				return this.#setRoles.run(...params).changes > 0;
			});
		}
		return this.#checkedWrite(key, check, () => this.#setRoles.run(...params));
	}

	async setPrincipalTagMap(
		key: PoolKey,
		providerName: string,
		map: PrincipalTagMapRecord,
		now: number,
		check: (current: PoolRecord) => void,
	): Promise<boolean> {
		return this.#checkedWrite(key, check, () => {
			this.#upsertTagMap.run(
				key.poolId,
				providerName,
				map.useDefaults ? 1 : 0,
				JSON.stringify(map.principalTags),
			);
			this.#touch.run(now, key.poolId);
		});
	}

	/**
	 * Runs `check` on the pool as stored, then `write`, in one write transaction through the
	 * group commit; answers false (and runs neither) when the pool does not exist.
	 */
	#checkedWrite(
		key: PoolKey,
		check: (current: PoolRecord) => void,
		write: () => void,
	): Promise<boolean> {
		return this.#write(() => {
			this.#cache.forget(key.poolId);
			return this.#db
				.transaction((): boolean => {
					const row = this.#get.get(key.accountId, key.region, key.poolId);
					if (!row) return false;
					check(toPool(row));
					write();
					return true;
				})
				.immediate();
		});
	}

	async getPrincipalTagMap(
		key: PoolKey,
		providerName: string,
	): Promise<PrincipalTagMapRecord | undefined> {
		const row = this.#getTagMap.get(
			key.accountId,
			key.region,
			key.poolId,
			providerName,
		);
		return row
			? {
					useDefaults: row.use_defaults !== 0,
					principalTags: JSON.parse(row.principal_tags) as Record<
						string,
						string
					>,
				}
			: undefined;
	}

	async delete(key: PoolKey, now: number): Promise<boolean> {
		// The row stays, marked, until its identities are purged (in short transactions, by
		// purge): the mark hides it from every read at once.
		return this.#write(() => {
			this.#cache.forget(key.poolId);
			return this.#db
				.transaction((): boolean => {
					const marked =
						this.#markDeleted.run(now, key.accountId, key.region, key.poolId)
							.changes > 0;
					if (marked) this.#deleteTagMaps.run(key.poolId);
					return marked;
				})
				.immediate();
		});
	}

	async awaitingPurge(): Promise<string[]> {
		return this.#awaitingPurge.all();
	}

	purge(
		poolId: string,
		limit: number,
	): Promise<{ removed: number; done: boolean }> {
		return this.#exclusive(() =>
			this.#db
				.transaction((): { removed: number; done: boolean } => {
					if (!this.#isDeleted.get(poolId)) return { removed: 0, done: true };
					const removed = this.#purgeIdentities.run(poolId, limit).changes;
					if (removed >= limit) return { removed, done: false };
					this.#removePool.run(poolId);
					return { removed, done: true };
				})
				.immediate(),
		);
	}

	async list(
		tenant: { accountId: string; region: string },
		options: { limit: number; after?: string },
	): Promise<Page<PoolSummary>> {
		// One row more than asked tells whether another page exists.
		const rows = this.#list.all(
			tenant.accountId,
			tenant.region,
			seqCursor(options.after),
			options.limit + 1,
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
		return this.#tenants
			.all()
			.map((r) => ({ accountId: r.account_id, region: r.region }));
	}
}

class SqliteSigningKeys implements SigningKeyRepository {
	readonly #db: Database.Database;
	readonly #list: Database.Statement<[], SigningKeyRow>;
	readonly #count: Database.Statement<[], { n: number }>;
	readonly #insert: Database.Statement<unknown[]>;
	readonly #retireAll: Database.Statement<[number]>;
	readonly #prune: Database.Statement<[number]>;
	readonly #setPrivateKey: Database.Statement<[string, string]>;
	readonly #write: Writer;

	constructor(db: Database.Database, write: Writer) {
		this.#db = db;
		this.#write = write;
		this.#list = db.prepare("SELECT * FROM signing_keys ORDER BY seq");
		this.#count = db.prepare("SELECT count(*) AS n FROM signing_keys");
		this.#insert = db.prepare(
			"INSERT INTO signing_keys (kid, alg, public_jwk, private_key_pem, created_at, activates_at, retired_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
		);
		this.#retireAll = db.prepare(
			"UPDATE signing_keys SET retired_at = ? WHERE retired_at IS NULL",
		);
		this.#prune = db.prepare(
			"DELETE FROM signing_keys WHERE retired_at IS NOT NULL AND retired_at < ?",
		);
		this.#setPrivateKey = db.prepare(
			"UPDATE signing_keys SET private_key_pem = ? WHERE kid = ?",
		);
	}

	#insertKey(key: SigningKeyRecord): void {
		this.#insert.run(
			key.kid,
			key.alg,
			JSON.stringify(key.publicJwk),
			key.privateKeyPem,
			key.createdAt,
			key.activatesAt,
			key.retiredAt ?? null,
		);
	}

	async list(): Promise<SigningKeyRecord[]> {
		return this.#list.all().map(toSigningKey);
	}

	async insertFirst(key: SigningKeyRecord): Promise<boolean> {
		return this.#write(() =>
			this.#db
				.transaction((): boolean => {
					if ((this.#count.get() as { n: number }).n > 0) return false;
					this.#insertKey(key);
					return true;
				})
				.immediate(),
		);
	}

	async rotate(key: SigningKeyRecord): Promise<void> {
		await this.#write(() =>
			this.#db
				.transaction(() => {
					this.#retireAll.run(key.activatesAt);
					this.#insertKey(key);
				})
				.immediate(),
		);
	}

	async prune(before: number): Promise<number> {
		return this.#write(() => this.#prune.run(before).changes);
	}

	async updatePrivateKeys(
		apply: (key: SigningKeyRecord) => string | undefined,
	): Promise<number> {
		return this.#write(() =>
			this.#db
				.transaction((): number => {
					let changed = 0;
					for (const key of this.#list.all().map(toSigningKey)) {
						const next = apply(key);
						if (next === undefined) continue;
						changed += this.#setPrivateKey.run(next, key.kid).changes;
					}
					return changed;
				})
				.immediate(),
		);
	}
}

class SqliteCredentials implements CredentialRepository {
	readonly #insert: Database.Statement<unknown[]>;
	readonly #get: Database.Statement<[string], CredentialRow>;
	readonly #prune: Database.Statement<[number]>;
	readonly #live: Database.Statement<[number, string, number], CredentialRow>;
	readonly #setSecret: Database.Statement<[string, string]>;
	readonly #db: Database.Database;
	readonly #write: Writer;

	constructor(db: Database.Database, write: Writer) {
		this.#db = db;
		this.#write = write;
		this.#live = db.prepare(
			"SELECT * FROM issued_credentials WHERE expires_at >= ? AND access_key_id > ? ORDER BY access_key_id LIMIT ?",
		);
		this.#setSecret = db.prepare(
			"UPDATE issued_credentials SET secret_access_key = ? WHERE access_key_id = ?",
		);
		this.#insert = db.prepare(
			"INSERT INTO issued_credentials (access_key_id, secret_access_key, session_token, identity_id, pool_id, account_id, region, role_arn, principal_tags, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		);
		this.#get = db.prepare(
			"SELECT * FROM issued_credentials WHERE access_key_id = ?",
		);
		this.#prune = db.prepare(
			"DELETE FROM issued_credentials WHERE expires_at < ?",
		);
	}

	async insert(c: IssuedCredentialRecord): Promise<void> {
		// A second insert of one access key id fails on the UNIQUE constraint.
		await this.#write(() => this.#insert.run(...credentialParams(c)));
	}

	async get(accessKeyId: string): Promise<IssuedCredentialRecord | undefined> {
		const row = this.#get.get(accessKeyId);
		return row ? toCredential(row) : undefined;
	}

	async prune(before: number): Promise<number> {
		return this.#write(() => this.#prune.run(before).changes);
	}

	updateSecrets(
		now: number,
		apply: (credential: IssuedCredentialRecord) => string | undefined,
	): Promise<number> {
		return throughBatches(SECRETS_BATCH, (after) =>
			this.#write(() =>
				this.#db
					.transaction(() => {
						const rows = this.#live.all(now, after, SECRETS_BATCH);
						let changed = 0;
						for (const credential of rows.map(toCredential)) {
							const next = apply(credential);
							if (next === undefined) continue;
							changed += this.#setSecret.run(
								next,
								credential.accessKeyId,
							).changes;
						}
						return { keys: rows.map((r) => r.access_key_id), changed };
					})
					.immediate(),
			),
		);
	}
}
