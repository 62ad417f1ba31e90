/**
 * @module server/open-store
 * Chooses the store implementation from a `--db` value: a `postgres://` or `postgresql://`
 * URL selects PostgreSQL (shared by several instances), anything else is a SQLite file path or
 * `:memory:`. The PostgreSQL engine, and its driver, are loaded only when a PostgreSQL URL is
 * given, so a server on SQLite never loads `pg`.
 */
import { ConfigError } from "../config/load.ts";
import { type Config, isPostgresUrl } from "../config/schema.ts";
import type { Clock } from "../lib/clock.ts";
import type { Metrics } from "../lib/metrics.ts";
import type { CheckpointerOptions } from "../store/sqlite/checkpointer.ts";
import { openSqliteStore } from "../store/sqlite/sqlite-store.ts";
import type { Store } from "../store/store.ts";

/** Tuning that applies to the engines that have it. */
export interface OpenStoreOptions {
	/** PostgreSQL: connections at most per instance (default 10). SQLite ignores it. */
	poolSize?: number;
	/**
	 * SQLite: run checkpoints on a worker thread, off the event loop (a server wants this; a
	 * command that opens the file for a moment does not). PostgreSQL ignores it.
	 */
	backgroundCheckpoints?: boolean | CheckpointerOptions;
	/** The clock of the times a store records itself (its migrations). */
	clock?: Clock;
	/** SQLite: told once when the store stops writing (its file was deleted or replaced). */
	onFailure?: (message: string) => void;
	/** Told what only the engine knows: PostgreSQL's retries, SQLite's group commits. */
	metrics?: Metrics;
}

/** A `--db` value that names no database idpool can open (the message says why). */
export class StoreLocationError extends Error {
	override readonly name = "StoreLocationError";
}

/**
 * Opens the store named by a `--db` value (nothing connects yet: `migrate()` does).
 * @throws StoreLocationError for a PostgreSQL URL that cannot be used
 */
export async function openStore(
	db: string,
	options: OpenStoreOptions = {},
): Promise<Store> {
	if (isPostgresUrl(db)) {
		const { openPostgresStore } = await import(
			"../store/postgres/postgres-store.ts"
		);
		try {
			return openPostgresStore(db, {
				...(options.poolSize === undefined
					? {}
					: { poolSize: options.poolSize }),
				...(options.clock ? { clock: options.clock } : {}),
				...(options.metrics ? { metrics: options.metrics } : {}),
			});
		} catch (err) {
			// Only the URL is checked here: a bad one is a setting error.
			throw new StoreLocationError((err as Error).message, { cause: err });
		}
	}
	return openSqliteStore(db, {
		...(options.backgroundCheckpoints === undefined
			? {}
			: { backgroundCheckpoints: options.backgroundCheckpoints }),
		...(options.clock ? { clock: options.clock } : {}),
		...(options.onFailure ? { onFailure: options.onFailure } : {}),
		...(options.metrics ? { metrics: options.metrics } : {}),
	});
}

/**
 * Opens the store `config.db` names; a location that cannot be used is a setting error of
 * `--db` (for the CLI, a one-line message).
 */
export async function openConfiguredStore(
	config: Config,
	options: OpenStoreOptions = {},
): Promise<Store> {
	try {
		return await openStore(config.db, {
			poolSize: config.dbPoolSize,
			...options,
		});
	} catch (err) {
		if (err instanceof StoreLocationError) {
			throw new ConfigError(`--db: ${err.message}`);
		}
		throw err;
	}
}
