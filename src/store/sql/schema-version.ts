/**
 * @module store/sql/schema-version
 * The refusal of a database that a newer idpool migrated (both engines): a server knows the
 * schema up to its own last migration, and one that wrote to tables changed after it could
 * lose or spoil what the newer servers keep there. Read before any migration is applied.
 * And the refusal, by the commands that only read, of a database with migrations still to
 * apply: migrating it is a step of an upgrade, never a side effect of a look at it.
 */

/** A migration the database records, as `schema_migrations` holds it. */
export interface AppliedMigration {
	version: number;
	name: string;
}

/** The database records migrations this idpool does not know: a newer idpool migrated it. */
export class SchemaTooNewError extends Error {
	override readonly name = "SchemaTooNewError";
}

/**
 * @param applied the migrations the database records
 * @param known the versions of this idpool's migrations
 * @throws SchemaTooNewError naming the newest migration unknown here
 */
export function refuseNewerSchema(
	applied: readonly AppliedMigration[],
	known: readonly { version: number }[],
): void {
	const versions = new Set(known.map((m) => m.version));
	const unknown = applied
		.filter((m) => !versions.has(m.version))
		.sort((a, b) => b.version - a.version);
	const newest = unknown[0];
	if (newest === undefined) return;
	const last = Math.max(0, ...versions);
	throw new SchemaTooNewError(
		`the database was migrated by a newer idpool (schema version ${newest.version}, "${newest.name}"; this idpool knows up to ${last}): run that idpool or a newer one, or restore the backup taken before the upgrade (docs/deployment.md#upgrading)`,
	);
}

/** The database lacks migrations of this idpool, and the caller only reads it. */
export class SchemaOutdatedError extends Error {
	override readonly name = "SchemaOutdatedError";
	/** Whether it records no migration at all: no idpool database is there. */
	readonly empty: boolean;

	constructor(message: string, empty: boolean) {
		super(message);
		this.empty = empty;
	}
}

/**
 * What the commands that only read require: a database at exactly this idpool's schema.
 * @param applied the migrations the database records
 * @param known this idpool's migrations, in order
 * @throws SchemaTooNewError naming the newest migration unknown here
 * @throws SchemaOutdatedError naming the first migration the database lacks
 */
export function requireCurrentSchema(
	applied: readonly AppliedMigration[],
	known: readonly AppliedMigration[],
): void {
	refuseNewerSchema(applied, known);
	const versions = new Set(applied.map((m) => m.version));
	const pending = known.filter((m) => !versions.has(m.version));
	const first = pending[0];
	if (first === undefined) return;
	if (applied.length === 0) {
		// A mistyped path or `?schema=`: nothing to upgrade, nothing of idpool's there.
		throw new SchemaOutdatedError(
			"no idpool database there (it records no migration): check --db",
			true,
		);
	}
	throw new SchemaOutdatedError(
		`the database's schema is older than this idpool's (it lacks migration ${first.version}, "${first.name}"${pending.length > 1 ? `, and ${pending.length - 1} more` : ""}): run \`idpool migrate\` on it first, once no server of an older idpool uses it (docs/deployment.md#upgrading)`,
		false,
	);
}
