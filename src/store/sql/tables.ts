/**
 * @module store/sql/tables
 * The tables that hold idpool's data, the same on both engines, as `idpool copy` reads them
 * from one store and writes them into another (`Store.dump`, `Store.load`): in an order that
 * satisfies their foreign keys, each in batches along a unique key. Values cross between the
 * engines in one neutral form: integers as numbers (epoch milliseconds and sequence numbers
 * are well within 2^53), flags as booleans, text as strings, `null` as `null`.
 * Left out: `schema_migrations` (each store records its own) and `health_probe` (scratch).
 * `test/store/tables.test.ts` checks that every column of both engines' schemas is here.
 */
import type { CopiedRows, Row, RowBatch } from "../store.ts";

/** A table as it is copied. */
export interface TableSpec {
	readonly name: string;
	/** Every column, in the order rows carry them. */
	readonly columns: readonly string[];
	/** The unique key the batches follow, in order. */
	readonly order: readonly string[];
	/** The columns of integers (BIGINT on PostgreSQL, which answers them as text). */
	readonly integers: readonly string[];
	/** The columns of flags (0/1 on SQLite, BOOLEAN on PostgreSQL). */
	readonly booleans: readonly string[];
	/** Whether `seq` is its sequence, to be set past the rows copied. */
	readonly sequence: boolean;
}

/**
 * The batch that follows the tables: the last number each table's sequence handed out, as
 * rows `[table, number]` (tables whose sequence never handed one out are left out). A copy
 * takes them over, so that numbers of rows deleted before the copy are not handed out again.
 */
export const SEQUENCES = "#sequences";

/** How many rows a batch holds at most. */
export const COPY_BATCH = 500;

export const TABLES: readonly TableSpec[] = [
	{
		name: "identity_pools",
		columns: [
			"seq",
			"pool_id",
			"account_id",
			"region",
			"settings",
			"tags",
			"created_at",
			"updated_at",
			"roles",
			"role_mappings",
			"deleted_at",
		],
		order: ["seq"],
		integers: ["seq", "created_at", "updated_at", "deleted_at"],
		booleans: [],
		sequence: true,
	},
	{
		name: "principal_tag_maps",
		columns: ["pool_id", "provider_name", "use_defaults", "principal_tags"],
		order: ["pool_id", "provider_name"],
		integers: [],
		booleans: ["use_defaults"],
		sequence: false,
	},
	{
		name: "identities",
		columns: [
			"seq",
			"identity_id",
			"pool_id",
			"account_id",
			"region",
			"state",
			"authenticated",
			"created_at",
			"updated_at",
		],
		order: ["seq"],
		integers: ["seq", "created_at", "updated_at"],
		booleans: ["authenticated"],
		sequence: true,
	},
	{
		name: "identity_logins",
		columns: [
			"seq",
			"pool_id",
			"provider",
			"subject",
			"kind",
			"identity_id",
			"created_at",
		],
		order: ["seq"],
		integers: ["seq", "created_at"],
		booleans: [],
		sequence: true,
	},
	{
		name: "signing_keys",
		columns: [
			"seq",
			"kid",
			"alg",
			"public_jwk",
			"private_key_pem",
			"created_at",
			"activates_at",
			"retired_at",
		],
		order: ["seq"],
		integers: ["seq", "created_at", "activates_at", "retired_at"],
		booleans: [],
		sequence: true,
	},
	{
		name: "issued_credentials",
		columns: [
			"seq",
			"access_key_id",
			"secret_access_key",
			"session_token",
			"identity_id",
			"pool_id",
			"account_id",
			"region",
			"role_arn",
			"principal_tags",
			"created_at",
			"expires_at",
		],
		order: ["seq"],
		integers: ["seq", "created_at", "expires_at"],
		booleans: [],
		sequence: true,
	},
];

/** The neutral form of a value read from `column` of `table` (either engine's form). */
function neutral(
	table: TableSpec,
	column: string,
	value: unknown,
): string | number | boolean | null {
	if (value === null || value === undefined) return null;
	if (table.booleans.includes(column)) return value === true || value === 1;
	if (table.integers.includes(column)) return Number(value);
	return String(value);
}

/** The statement that reads the batch after `last` (the order key of the batch before). */
export function batchQuery(
	table: TableSpec,
	placeholder: (index: number) => string,
	after: boolean,
): string {
	const key = table.order.join(", ");
	const where = after
		? ` WHERE (${key}) > (${table.order.map((_, i) => placeholder(i + 1)).join(", ")})`
		: "";
	return `SELECT ${table.columns.join(", ")} FROM ${table.name}${where} ORDER BY ${key} LIMIT ${COPY_BATCH}`;
}

/** The order key of `row` (the values of `table.order`). */
function orderKey(table: TableSpec, row: Row): Row {
	return table.order.map((c) => row[table.columns.indexOf(c)] ?? null);
}

/** A store to load into that holds data already: nothing was written. */
export class TargetNotEmptyError extends Error {
	override readonly name = "TargetNotEmptyError";

	/** @param table the first table found holding a row */
	constructor(table: string) {
		super(
			`the database to copy into holds data already (${table}): copy into a new database`,
		);
	}
}

/**
 * Reads every table in batches along its order key, handing each batch to `write` (awaited
 * before the next read), then the sequences' last numbers: `Store.dump`, for an engine whose
 * `read` answers the raw values of at most {@link COPY_BATCH} rows of `table` after the order
 * key `after` (from its first row when `undefined`), in the order of its columns, and whose
 * `sequences` answers the last numbers its tables' sequences handed out.
 */
export async function dumpTables(
	read: (table: TableSpec, after: Row | undefined) => Promise<unknown[][]>,
	sequences: () => Promise<Map<string, number>>,
	write: (batch: RowBatch) => Promise<void>,
): Promise<void> {
	for (const table of TABLES) {
		let after: Row | undefined;
		for (;;) {
			const rows = (await read(table, after)).map((values) =>
				table.columns.map((column, i) => neutral(table, column, values[i])),
			);
			if (rows.length === 0) break;
			await write({ table: table.name, rows });
			if (rows.length < COPY_BATCH) break;
			after = orderKey(table, rows[rows.length - 1] as Row);
		}
	}
	const handedOut = await sequences();
	// In the tables' order, whatever the engine.
	const last = TABLES.flatMap((t): Row[] => {
		const n = handedOut.get(t.name);
		return t.sequence && n !== undefined ? [[t.name, n]] : [];
	});
	if (last.length > 0) await write({ table: SEQUENCES, rows: last });
}

/**
 * Takes the batches `produce` hands over, each to `insert` with its table's spec, and answers
 * the rows written by table and the source's sequences' last numbers (the `SEQUENCES` batch):
 * `Store.load`'s work between its check that the target is empty and its commit.
 */
export async function loadBatches(
	produce: (write: (batch: RowBatch) => Promise<void>) => Promise<void>,
	insert: (table: TableSpec, rows: readonly Row[]) => Promise<void>,
): Promise<{ copied: CopiedRows; sequences: Map<string, number> }> {
	const specs = new Map(TABLES.map((t) => [t.name, t]));
	const copied: CopiedRows = Object.fromEntries(TABLES.map((t) => [t.name, 0]));
	const sequences = new Map<string, number>();
	await produce(async ({ table: name, rows }) => {
		if (name === SEQUENCES) {
			for (const [table, last] of rows) {
				if (specs.get(String(table))?.sequence) {
					sequences.set(String(table), Number(last));
				}
			}
			return;
		}
		const table = specs.get(name);
		if (!table) throw new Error(`no table ${name} to copy into`);
		await insert(table, rows);
		copied[name] = (copied[name] ?? 0) + rows.length;
	});
	return { copied, sequences };
}
