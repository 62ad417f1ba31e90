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

/** Identifies a pool within its tenant (DECISIONS 8: pools live in an account and a region). */
export interface PoolKey {
	accountId: string;
	region: string;
	poolId: string;
}

/** A Cognito user pool configured as a provider of an identity pool. */
export interface CognitoProviderSettings {
	ProviderName?: string;
	ClientId?: string;
	ServerSideTokenCheck?: boolean;
}

/**
 * The configurable members of an identity pool, in their wire form. Optional members that
 * are unset are absent (not `undefined`-valued) so that they are omitted from answers.
 */
export interface PoolSettings {
	IdentityPoolName: string;
	AllowUnauthenticatedIdentities: boolean;
	AllowClassicFlow?: boolean;
	SupportedLoginProviders?: Record<string, string>;
	DeveloperProviderName?: string;
	OpenIdConnectProviderARNs?: string[];
	CognitoIdentityProviders?: CognitoProviderSettings[];
	SamlProviderARNs?: string[];
}

/** A stored identity pool. */
export interface PoolRecord extends PoolKey {
	settings: PoolSettings;
	/** Resource tags (`IdentityPoolTags`, TagResource). */
	tags: Record<string, string>;
	createdAt: number;
	updatedAt: number;
}

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

/** Identity pools. */
export interface PoolRepository {
	/**
	 * Stores a new pool.
	 * @throws LimitExceededException when the tenant already has `maxPools` pools; the count and
	 *   the insert are one transaction, so concurrent creates never exceed the quota.
	 */
	create(pool: NewPool, maxPools: number): Promise<PoolRecord>;
	/** The pool, or `undefined` when it does not exist in that account and region. */
	get(key: PoolKey): Promise<PoolRecord | undefined>;
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
	/** Deletes a pool and everything it holds. Answers whether it existed. */
	delete(key: PoolKey): Promise<boolean>;
	/**
	 * The tenant's pools in creation order, `limit` at most, strictly after the cursor `after`
	 * (from a previous page's `next`). Pools created or deleted between pages never cause a
	 * pool that existed throughout to be skipped or repeated.
	 */
	list(
		tenant: { accountId: string; region: string },
		options: { limit: number; after?: string },
	): Promise<Page<PoolSummary>>;
}

/** The whole store. */
export interface Store {
	/** Which engine this is, for logs and `/health`. */
	readonly engine: string;
	readonly pools: PoolRepository;
	/** Applies pending schema migrations. Safe to call at every start. */
	migrate(): Promise<void>;
	/** Cheap round trip to the database, for `/health`. */
	ping(): Promise<void>;
	/** Closes the database. */
	close(): Promise<void>;
}
