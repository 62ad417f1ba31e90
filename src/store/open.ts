/**
 * @module store/open
 * Chooses the store implementation from the `--db` setting: a `postgres://` or
 * `postgresql://` URL selects PostgreSQL (shared by several instances), anything else is a
 * SQLite file path or `:memory:`.
 */
import { ConfigError } from "../config/load.ts";
import { openPostgresStore } from "./postgres/postgres-store.ts";
import type { CheckpointerOptions } from "./sqlite/checkpointer.ts";
import { openSqliteStore } from "./sqlite/sqlite-store.ts";
import type { Store } from "./store.ts";

/** Tuning that applies to the engines that have it. */
export interface OpenStoreOptions {
	/** PostgreSQL: connections at most per instance (default 10). SQLite ignores it. */
	poolSize?: number;
	/**
	 * SQLite: run checkpoints on a worker thread, off the event loop (a server wants this; a
	 * command that opens the file for a moment does not). PostgreSQL ignores it.
	 */
	backgroundCheckpoints?: boolean | CheckpointerOptions;
}

/** Whether a `--db` value names a PostgreSQL database (else it is a SQLite path). */
export function isPostgresUrl(db: string): boolean {
	return /^postgres(ql)?:\/\//i.test(db);
}

/** Opens the store named by a `--db` value. */
export function openStore(db: string, options: OpenStoreOptions = {}): Store {
	if (isPostgresUrl(db)) {
		try {
			return openPostgresStore(
				db,
				options.poolSize === undefined ? {} : { poolSize: options.poolSize },
			);
		} catch (err) {
			// Only the URL is checked here (nothing connects yet): a bad one is a setting error.
			throw new ConfigError(`--db: ${(err as Error).message}`);
		}
	}
	return openSqliteStore(
		db,
		options.backgroundCheckpoints === undefined
			? {}
			: { backgroundCheckpoints: options.backgroundCheckpoints },
	);
}
