/**
 * @module store/sqlite/pool-cache
 * Parsed identity pools of one SQLite connection. Every request of the identity operations
 * reads its pool; parsing the row's JSON columns costs more than the read of the identity.
 * A cached pool is answered only while nothing can have changed it:
 * - `PRAGMA data_version` changes when another connection commits (another process on the
 *   file: a second server, `idpool keys`, `idpool migrate`); the whole cache is dropped then;
 * - this connection's own pool writes drop their pool before they run ({@link PoolCache.forget}).
 * Cached pools are deeply frozen: a caller that tried to change one would throw rather than
 * change what the next request reads.
 */
import type Database from "better-sqlite3";
import type { PoolRecord } from "../../domain/records.ts";
import { deepFreeze } from "../sql/deep-freeze.ts";

/** How many pools are kept; the oldest is dropped beyond. */
const DEFAULT_LIMIT = 1024;

export class PoolCache {
	readonly #dataVersion: Database.Statement<[], number>;
	readonly #pools = new Map<string, PoolRecord>();
	readonly #limit: number;
	#version: number | undefined;

	constructor(db: Database.Database, limit = DEFAULT_LIMIT) {
		this.#dataVersion = db.prepare<[], number>("PRAGMA data_version").pluck();
		this.#limit = limit;
	}

	/** The cached pool `poolId`, or undefined; first drops everything if another connection committed. */
	lookup(poolId: string): PoolRecord | undefined {
		const version = this.#dataVersion.get();
		if (version !== this.#version) {
			this.#pools.clear();
			this.#version = version;
			return undefined;
		}
		return this.#pools.get(poolId);
	}

	/** Keeps `pool` (read just now, after {@link lookup}) and answers it, frozen. */
	remember(pool: PoolRecord): PoolRecord {
		if (this.#pools.size >= this.#limit) {
			const oldest = this.#pools.keys().next();
			if (!oldest.done) this.#pools.delete(oldest.value);
		}
		this.#pools.set(pool.poolId, deepFreeze(pool));
		return pool;
	}

	/** Drops `poolId`: this connection is about to write it. */
	forget(poolId: string): void {
		this.#pools.delete(poolId);
	}
}
