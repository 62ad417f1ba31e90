/**
 * @module store/store
 * The storage port. Everything the server keeps goes through this interface; no SQL and no
 * database driver appear outside `src/store/<engine>/`. Each method is one whole domain
 * operation and runs atomically (one transaction): callers never compose transactions, so
 * the same contract can be met by a synchronous engine (better-sqlite3) and an asynchronous
 * one (PostgreSQL). Methods that need a domain decision inside the transaction take a pure,
 * synchronous function (`apply`) that computes the new state from the current one; it must
 * not perform I/O.
 *
 * Times are milliseconds since the epoch. Errors thrown are `ServiceError`s where the
 * contract names one; anything else is a fault of the store.
 */

import type {
	IdentityRecord,
	IdentitySnapshot,
	IssuedCredentialRecord,
	LoginRef,
	Planned,
	PoolKey,
	PoolRecord,
	PoolSettings,
	PrincipalTagMapRecord,
	RoleMappingDoc,
	SigningKeyRecord,
} from "../domain/records.ts";

/**
 * A row of a data table in the form both engines read and write (`idpool copy`): integers as
 * numbers, flags as booleans, text as strings, `null`; in the order of the table's columns
 * (store/sql/tables.ts).
 */
export type Row = readonly (string | number | boolean | null)[];

/** Rows of one table, for {@link Store.dump} and {@link Store.load}. */
export interface RowBatch {
	readonly table: string;
	readonly rows: readonly Row[];
}

/** What {@link Store.load} wrote: rows by table. */
export type CopiedRows = Record<string, number>;

/** What {@link PoolRepository.create} stores. */
export interface NewPool extends PoolKey {
	settings: PoolSettings;
	tags: Record<string, string>;
	now: number;
}

/** One page of a keyset listing. */
export interface Page<T> {
	items: T[];
	/** The cursor after the last item, present only when more items may follow. */
	next?: string;
}

/** A pool as listed by ListIdentityPools. */
export interface PoolSummary {
	poolId: string;
	name: string;
}

/**
 * A pool as {@link PoolRepository.cached} answers it: `version` names the stored state it was
 * read from (opaque; it changes with every write of the pool), `cached` tells whether it came
 * from the server's memory (and may therefore be stale) rather than from the database just now.
 */
export interface CachedPool {
	pool: PoolRecord;
	version: string;
	cached: boolean;
}

/**
 * Thrown, with nothing written, by an identity method given the version of the pool its
 * caller decided on ({@link IdentityRepository.ownerOf}, {@link IdentityRepository.change})
 * when the pool is no longer at that version (changed or deleted since): the caller decides
 * again on the pool read afresh.
 */
export class StalePoolError extends Error {
	constructor(poolId: string) {
		super(`the identity pool ${poolId} changed since it was read`);
		this.name = "StalePoolError";
	}
}

/** Identity pools. */
export interface PoolRepository {
	/**
	 * Stores a new pool.
	 * @throws LimitExceededException when the tenant already has `maxPools` pools; the count and
	 *   the insert are one transaction, so concurrent creates never exceed the quota.
	 */
	create(pool: NewPool, maxPools: number): Promise<PoolRecord>;
	/**
	 * Stores `pool` with its given id unless a pool with that id already exists, in whatever
	 * account and region (the pools a configuration file declares, docs/configuration-as-code.md).
	 * Answers the pool now stored under the id and whether this call created it. Concurrent
	 * calls for one id, from this process or another on the same database, create it once: the
	 * others answer the stored pool with `created: false`.
	 * @throws LimitExceededException when the pool is missing and the tenant already has
	 *   `maxPools` pools (counted in the same transaction as the insert)
	 * @throws ResourceConflictException when the id is that of a deleted pool not purged yet
	 *   ({@link purge} it first)
	 */
	ensure(
		pool: NewPool,
		maxPools: number,
	): Promise<{ pool: PoolRecord; created: boolean }>;
	/** The pool, or `undefined` when it does not exist in that account and region. */
	get(key: PoolKey): Promise<PoolRecord | undefined>;
	/**
	 * The pool with this id in whatever account and region (ids are unique): the public
	 * operations find pools by id alone (docs/behaviour.md#accounts-and-regions).
	 */
	findById(poolId: string): Promise<PoolRecord | undefined>;
	/**
	 * The pool with this id (whatever account and region) and its version: from this server's
	 * memory when it holds the pool and `fresh` is not set (no round trip), else read, and
	 * remembered. A cached answer may be stale (another server may have changed the pool): a
	 * caller that decides on it passes `version` to the identity method that does its work,
	 * which confirms the version in the same statement or throws {@link StalePoolError}, and
	 * re-decides on a fresh read any answer that no such method confirmed (an error). Cached
	 * pools are deeply frozen. An engine whose answers are never stale (SQLite checks
	 * `data_version` at every read) may answer `cached: false` and ignore versions.
	 */
	cached(poolId: string, fresh?: boolean): Promise<CachedPool | undefined>;
	/**
	 * Replaces a pool's settings and tags with what `apply` computes from the stored pool, in
	 * one transaction. `apply` may throw a `ServiceError` to refuse the change; nothing is
	 * written then. Answers `undefined` when the pool does not exist.
	 */
	update(
		key: PoolKey,
		apply: (current: PoolRecord) => {
			settings: PoolSettings;
			tags: Record<string, string>;
		},
		now: number,
	): Promise<PoolRecord | undefined>;
	/**
	 * Replaces the pool's roles and role mappings (`undefined` clears the mappings) and sets
	 * `updatedAt` to `now`, atomically. `check`, when given, runs first, inside the
	 * transaction, on the pool as stored (e.g. that every mapping names a provider the pool
	 * still has); it may throw a `ServiceError` to refuse, and nothing is written then.
	 * Answers whether the pool exists in that account and region (nothing is written, and
	 * `check` does not run, when it does not).
	 */
	setRoles(
		key: PoolKey,
		roles: Record<string, string>,
		roleMappings: Record<string, RoleMappingDoc> | undefined,
		now: number,
		check?: (current: PoolRecord) => void,
	): Promise<boolean>;
	/**
	 * Stores `map` as the principal tag attribute map of the provider `providerName` of the
	 * pool, replacing the one stored for that provider (maps of other providers are kept), and
	 * sets the pool's `updatedAt` to `now`, in one transaction. `check` runs first, inside the
	 * transaction, on the pool as stored; it may throw a `ServiceError` to refuse (e.g. the
	 * provider is not configured on the pool); nothing is written then. The map lives with the
	 * pool: deleting the pool deletes it. Answers whether the pool exists in that account and
	 * region (nothing is written, and `check` does not run, when it does not).
	 */
	setPrincipalTagMap(
		key: PoolKey,
		providerName: string,
		map: PrincipalTagMapRecord,
		now: number,
		check: (current: PoolRecord) => void,
	): Promise<boolean>;
	/**
	 * The principal tag attribute map stored for the provider `providerName` of the pool, or
	 * `undefined` when none was ever set or the pool does not exist in that account and region.
	 * Provider names are compared exactly (case-sensitive).
	 */
	getPrincipalTagMap(
		key: PoolKey,
		providerName: string,
	): Promise<PrincipalTagMapRecord | undefined>;
	/**
	 * Deletes a pool, in one short transaction, whatever the number of its identities: from
	 * its commit on, no read of the port finds the pool (`get`, `findById`, `list`, the quota of
	 * `create`, its principal tag maps, which go with it) nor its identities through
	 * {@link IdentityRepository.get} and {@link IdentityRepository.delete}, and
	 * {@link IdentityRepository.change} refuses it. Its identities and their logins stay until
	 * {@link purge} removes them (the pool is then {@link awaitingPurge}); the reads by pool id
	 * (`identities.ownerOf`, `findByLogin`, `list`, `developerLogins`), which serve callers that
	 * found the pool, may still see them meanwhile. Answers whether the pool existed (a pool
	 * already deleted does not). `now` is the time of the deletion.
	 */
	delete(key: PoolKey, now: number): Promise<boolean>;
	/** The ids of the deleted pools not purged yet, in the order they were created. */
	awaitingPurge(): Promise<string[]>;
	/**
	 * Removes at most `limit` identities (with their logins) of the deleted pool `poolId`, in one
	 * transaction; once it finds fewer than `limit`, it also removes what is left of the pool,
	 * which is then no longer {@link awaitingPurge}. Answers how many identities it removed and
	 * whether the pool is gone. Several callers (several servers) may purge one pool at once:
	 * each batch takes identities no other batch holds, and none fails for the others. A pool
	 * that is not deleted (live, or unknown) is left alone: `{ removed: 0, done: true }`.
	 */
	purge(
		poolId: string,
		limit: number,
	): Promise<{ removed: number; done: boolean }>;
	/**
	 * The tenant's pools in creation order, `limit` at most, strictly after the cursor `after`
	 * (from a previous page's `next`). Pools created or deleted between pages never cause a
	 * pool that existed throughout to be skipped or repeated.
	 */
	list(
		tenant: { accountId: string; region: string },
		options: { limit: number; after?: string },
	): Promise<Page<PoolSummary>>;
	/**
	 * The accounts and regions that hold at least one pool (deleted ones aside), ordered by
	 * account, then region: with {@link list}, every pool of the database (`idpool export`).
	 */
	tenants(): Promise<{ accountId: string; region: string }[]>;
}

/** What {@link IdentityRepository.change} reads: identities by id, and the owners of logins. */
export interface IdentityQuery {
	identityIds: string[];
	logins: { provider: string; subject: string }[];
}

/** The outcome of deleting one identity. */
export type DeleteOutcome = "deleted" | "not-found" | "access-denied";

/** Identities and their logins. */
export interface IdentityRepository {
	/**
	 * The identity with this id, in whatever pool, account or region; callers check tenancy.
	 * Identities of a deleted pool are not found.
	 */
	get(identityId: string): Promise<IdentityRecord | undefined>;
	/**
	 * {@link get}, with the version of the identity's pool (as {@link PoolRepository.cached}
	 * answers it) read in the same statement: a caller that holds the pool at that version
	 * needs no other read. An engine without versions answers `""`.
	 */
	getWithPoolVersion(
		identityId: string,
	): Promise<{ identity: IdentityRecord; poolVersion: string } | undefined>;
	/**
	 * The id of the identity of the pool that holds `login`, if any: one indexed read, for
	 * callers that need no more than the id (a returning developer user). With `poolVersion`,
	 * {@link StalePoolError} when the pool is no longer at that version.
	 */
	ownerOf(
		poolId: string,
		login: { provider: string; subject: string },
		poolVersion?: string,
	): Promise<string | undefined>;
	/** The identity of the pool that holds `login`, if any. */
	findByLogin(
		poolId: string,
		login: { provider: string; subject: string },
	): Promise<IdentityRecord | undefined>;
	/**
	 * Reads a snapshot of the identities named (by id, and as owners of `logins`), lets
	 * `plan` decide, and applies its change, all in one transaction. Logins stay unique per
	 * pool: if a concurrent change linked one of them first, the transaction is retried with
	 * a fresh snapshot, so concurrent first logins of one user create one identity. `plan`
	 * may throw a ServiceError to refuse; nothing is written then. A pool deleted since the
	 * caller read it is ResourceNotFoundException (`IdentityPool '<id>' not found.`), and nothing
	 * is written.
	 * @param now time of the change (creation and modification dates)
	 * @param poolVersion the version of the pool the caller decided on
	 *   ({@link PoolRepository.cached}): {@link StalePoolError}, nothing written, when the pool
	 *   is no longer at that version
	 */
	change<T>(
		pool: PoolKey,
		query: IdentityQuery,
		plan: (snapshot: IdentitySnapshot) => Planned<T>,
		now: number,
		poolVersion?: string,
	): Promise<T>;
	/**
	 * The pool's identities in creation order, strictly after the cursor `after`;
	 * `hideDisabled` leaves out disabled and inaccessible ones.
	 */
	list(
		poolId: string,
		options: { limit: number; after?: string; hideDisabled: boolean },
	): Promise<Page<IdentityRecord>>;
	/**
	 * The developer logins of one identity of the pool in the order they were linked, after
	 * the cursor `after`.
	 */
	developerLogins(
		poolId: string,
		identityId: string,
		options: { limit: number; after?: string },
	): Promise<Page<LoginRef>>;
	/**
	 * Deletes identities (with their logins) of `accountId`. Unknown ids, ids of other
	 * regions and ids of a deleted pool are `not-found`; ids of another account are
	 * `access-denied` and kept.
	 */
	delete(
		tenant: { accountId: string; region: string },
		identityIds: string[],
	): Promise<DeleteOutcome[]>;
}

/** Token-signing keys. */
export interface SigningKeyRepository {
	/** Every key, oldest first. */
	list(): Promise<SigningKeyRecord[]>;
	/**
	 * Stores `key` only if there is no key at all, atomically: several servers starting on one
	 * new database end up with exactly one first key. Answers whether `key` was stored.
	 */
	insertFirst(key: SigningKeyRecord): Promise<boolean>;
	/**
	 * Adds `key` and retires every key not yet retired at `key.activatesAt`, in one
	 * transaction: until then the previous key keeps signing, afterwards the new one does.
	 */
	rotate(key: SigningKeyRecord): Promise<void>;
	/** Deletes keys retired before `before`. Answers how many were deleted. */
	prune(before: number): Promise<number>;
	/**
	 * Replaces the stored private key (`privateKeyPem`, an opaque string to the store) of each
	 * key for which `apply` answers a string, in one transaction; `apply` sees every key as
	 * stored and answers `undefined` to leave it. `apply` may throw to refuse: nothing is
	 * written then. Answers how many keys were changed.
	 */
	updatePrivateKeys(
		apply: (key: SigningKeyRecord) => string | undefined,
	): Promise<number>;
}

/**
 * Issued credentials. They are independent of their pool and identity (like STS credentials
 * on AWS, they stay valid until they expire): deleting either keeps them; `prune` removes them.
 */
export interface CredentialRepository {
	/** Stores credentials (access key ids are unique). */
	insert(credential: IssuedCredentialRecord): Promise<void>;
	/** The credentials with this access key id, expired or not. */
	get(accessKeyId: string): Promise<IssuedCredentialRecord | undefined>;
	/** Deletes credentials that expired before `before`. Answers how many. */
	prune(before: number): Promise<number>;
	/**
	 * Replaces the stored secret key (`secretAccessKey`, an opaque string to the store) of each
	 * credential not expired at `now` for which `apply` answers a string; `apply` sees each as
	 * stored and answers `undefined` to leave it. Credentials are independent of each other:
	 * they are gone through in batches of {@link SECRETS_BATCH}, each batch in a transaction
	 * of its own, so that a table of many live credentials is neither read at once nor
	 * locked for long. `apply` may throw to stop: the batches before it stay written. Answers
	 * how many credentials were changed.
	 */
	updateSecrets(
		now: number,
		apply: (credential: IssuedCredentialRecord) => string | undefined,
	): Promise<number>;
}

/** Credentials {@link CredentialRepository.updateSecrets} reads and writes a transaction. */
export const SECRETS_BATCH = 500;

/** The size of the row `Store.ping` writes by default: that of a large request. */
export const PING_PAYLOAD_BYTES = 64 * 1024;

/** The whole store. */
export interface Store {
	/** Which engine this is, for logs and `/health`. */
	readonly engine: string;
	readonly pools: PoolRepository;
	readonly signingKeys: SigningKeyRepository;
	readonly identities: IdentityRepository;
	readonly credentials: CredentialRepository;
	/**
	 * Applies pending schema migrations, and readies the store. Safe to call at every start.
	 * With `readOnly`, applies none: a database that lacks some is refused (for the commands
	 * that only read it).
	 * @throws SchemaTooNewError when a newer idpool migrated the database
	 * @throws SchemaOutdatedError with `readOnly`, when migrations are pending
	 */
	migrate(options?: { readOnly?: boolean }): Promise<void>;
	/**
	 * Commits a write that changes nothing, for `/health` and `/health/ready`: resolves when
	 * the store can commit now; rejects with the reason otherwise (a full disk, a read-only
	 * database, a database file deleted or replaced under a running server, a database that
	 * cannot be reached). `payloadBytes` is the size of the row written and deleted (default
	 * {@link PING_PAYLOAD_BYTES}, the size of a large request); an engine may write less.
	 */
	ping(payloadBytes?: number): Promise<void>;
	/**
	 * For `/health/ready`, writing nothing: resolves while the database the store opened is
	 * still the one its location names (a SQLite file still at its path, not deleted or
	 * replaced; a PostgreSQL server that answers a round trip); rejects with the reason
	 * otherwise. A SQLite file found deleted or replaced stops the store's writes, as a write
	 * would have found.
	 */
	checkDatabase(): Promise<void>;
	/**
	 * Gives back to the file system at most `maxPages` free pages of the database, in one short
	 * transaction, where the engine can do so while it serves (SQLite with `auto_vacuum =
	 * INCREMENTAL`); answers how many free pages it could still give back (0: nothing left, or
	 * nothing this way). Engines that reclaim space by themselves (PostgreSQL's autovacuum)
	 * leave it out.
	 */
	reclaimSpace?(maxPages: number): Promise<number>;
	/**
	 * Rewrites the whole database so that it holds no free space and can give space back from
	 * then on (SQLite: `VACUUM`, switching on `auto_vacuum = INCREMENTAL`), for `idpool vacuum`
	 * while no server uses the database. Answers the database's size before and after, in
	 * bytes. Engines without such a step leave it out.
	 */
	vacuum?(): Promise<{ beforeBytes: number; afterBytes: number }>;
	/**
	 * Writes a consistent copy of the whole database, as of one moment, to the new file
	 * `destination` (created readable and writable by its owner only; an existing file is
	 * refused), while servers go on using the database (SQLite: `VACUUM INTO` in one read
	 * transaction), for `idpool backup`. Answers the copy's size in bytes. Engines whose
	 * backups their own tools make (PostgreSQL's `pg_dump`) leave it out.
	 */
	backup?(destination: string): Promise<number>;
	/**
	 * Reads every row of the data tables (`TABLES` of store/sql/tables.ts, in their order),
	 * then their sequences' last numbers (`SEQUENCES`), as of one moment (one read
	 * transaction), handing each batch to `write` and waiting for it before reading on:
	 * `idpool copy`'s source.
	 */
	dump(write: (batch: RowBatch) => Promise<void>): Promise<void>;
	/**
	 * Writes the batches `produce` hands to its `write` into this store, in one transaction (all
	 * or nothing), then sets each table's sequence past the rows written and past the number
	 * the source's had handed out: `idpool copy`'s target. Answers the rows written by table.
	 * @throws TargetNotEmptyError when the store holds any row of a data table (nothing written)
	 */
	load(
		produce: (write: (batch: RowBatch) => Promise<void>) => Promise<void>,
	): Promise<CopiedRows>;
	/** How the store runs where that is worth telling an operator (the startup banner), else undefined. */
	describe?(): string | undefined;
	/**
	 * What an operator must be warned about at start, one line each (e.g. database files
	 * other users of the machine can read); empty when nothing.
	 */
	warnings?(): string[];
	/** Closes the database. */
	close(): Promise<void>;
}
