/**
 * @module store/open
 * Chooses the store implementation from the `--db` setting: a `postgres://` URL selects
 * PostgreSQL (not available yet), anything else is a SQLite file path or `:memory:`.
 */
import { ConfigError } from "../config/load.ts";
import { openSqliteStore } from "./sqlite/sqlite-store.ts";
import type { Store } from "./store.ts";

/** Opens the store named by a `--db` value. */
export function openStore(db: string): Store {
	if (/^postgres(ql)?:\/\//i.test(db)) {
		throw new ConfigError(
			"PostgreSQL storage is not available in this version yet; use a SQLite path",
		);
	}
	return openSqliteStore(db);
}
