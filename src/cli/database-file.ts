/**
 * @module cli/database-file
 * The check the commands that work on an existing database (`keys list`, `keys rewrap`,
 * `vacuum`, `backup`) make before they open it: opening a SQLite path creates the file, so a
 * mistyped `--db` would otherwise leave an empty database behind and report on it.
 * Loaded without the store modules: a refusal costs no database driver.
 */
import { statSync } from "node:fs";
import { ConfigError } from "../config/load.ts";
import { isPostgresUrl } from "../config/schema.ts";

/**
 * Refuses a `--db` that names no existing SQLite database: a path with no file, or
 * `:memory:` (a database no other process holds). A PostgreSQL URL passes: its server says
 * whether the database is there.
 * @param remedy what creates one, said after the refusal (for example "`idpool serve` creates one")
 * @throws ConfigError `--db: no database at <db>`
 */
export function requireExistingDatabase(db: string, remedy?: string): void {
	if (isPostgresUrl(db)) return;
	if (db !== ":memory:" && statSync(db, { throwIfNoEntry: false })) return;
	throw new ConfigError(
		`--db: no database at ${db}${remedy === undefined ? "" : ` (${remedy})`}`,
	);
}
