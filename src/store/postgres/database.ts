/**
 * @module store/postgres/database
 * The connection pool under the PostgreSQL store and the two ways the store talks through
 * it: a single statement (its own implicit transaction) and a whole transaction at a chosen
 * isolation level, retried on the errors that only mean "another transaction got there
 * first". It also owns the failure policy that keeps a lost database from crashing or
 * hanging the process: every wait is bounded, every `error` event is listened to, and a
 * connection that failed below SQL (socket closed, read timeout) is destroyed instead of
 * being handed out again, so the pool reconnects by itself when the database returns.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { DatabaseError, Pool, type PoolClient, type QueryResultRow } from "pg";
import type { RetryReason } from "../../lib/metrics.ts";

/** Transaction isolation levels the store uses. */
export type Isolation = "READ COMMITTED" | "SERIALIZABLE";

/**
 * A statement: its text, or a prepared one (`name` unique per text), which each connection
 * parses and plans once, on first use, and then only binds and runs (the hot statements).
 */
export type Statement =
	| string
	| { readonly name: string; readonly text: string };

/** Runs statements inside a transaction (or outside one, for single statements). */
export interface Sql {
	/** Runs one statement; answers its rows. */
	rows<R extends QueryResultRow>(
		statement: Statement,
		params?: unknown[],
	): Promise<R[]>;
	/** Runs one statement; answers how many rows it affected. */
	count(statement: Statement, params?: unknown[]): Promise<number>;
}

/** Settings of {@link Database}. */
export interface DatabaseOptions {
	/** A `postgres://` URL without idpool's own parameters. */
	connectionString: string;
	/** The `search_path` of every connection, when the URL named a schema. */
	schema: string | undefined;
	poolSize: number;
	connectTimeoutMs: number;
	queryTimeoutMs: number;
	/** An `options` startup parameter already carried by the URL, kept alongside ours. */
	extraOptions: string | undefined;
	/** Told each time a transaction is run again, with why (for the metrics). */
	onRetry?: (reason: RetryReason) => void;
}

/**
 * SQLSTATEs after which re-running the whole transaction on a fresh snapshot can succeed:
 * serialization failure, deadlock, and unique violation (two first logins of one user both
 * saw the login as free; the loser must re-read and find the winner's identity).
 */
const RETRYABLE: ReadonlyMap<string, RetryReason> = new Map<
	string,
	RetryReason
>([
	["40001", "serialization_failure"],
	["40P01", "deadlock"],
	["23505", "unique_violation"],
]);

/** Attempts of one transaction before its last error is thrown. */
const MAX_ATTEMPTS = 10;

/** Pause after failed attempt `n`: random (to break lock-step), growing, capped at 100 ms. */
function backoffMs(n: number): number {
	return Math.random() * Math.min(2 ** (n + 1), 100);
}

/** Whether `err` is an error the server answered (the connection itself is fine then). */
function isServerError(err: unknown): err is DatabaseError {
	return err instanceof DatabaseError;
}

/**
 * Drops what of PostgreSQL's error may quote the values of a row (`detail`: `Failing row
 * contains (...)`, `Key (...)=(...) already exists`; `where` and `internalQuery`, which may
 * quote a statement's data): such an error ends in the log, and a row may hold a user's
 * identifier or a secret. The SQLSTATE, message, constraint, table and column stay, which
 * say what failed (docs/operating.md#logs).
 */
function withoutValues(err: DatabaseError): void {
	err.detail = undefined;
	err.where = undefined;
	err.internalQuery = undefined;
}

/** Why re-running the whole transaction may succeed where this attempt failed, if it may. */
function retryReason(err: unknown): RetryReason | undefined {
	return isServerError(err) && err.code !== undefined
		? RETRYABLE.get(err.code)
		: undefined;
}

/** A checked-out connection, with the bookkeeping that decides its fate on release. */
class Lease implements Sql {
	readonly #client: PoolClient;
	/** Set once the connection failed below SQL: it must be destroyed, not reused. */
	broken: Error | undefined;
	readonly #onError = (err: Error): void => {
		// A checked-out pg client emits `error` when its socket dies between queries; with no
		// listener that event would crash the process. The next query fails on its own.
		this.broken ??= err;
	};

	constructor(client: PoolClient) {
		this.#client = client;
		client.on("error", this.#onError);
	}

	async #query<R extends QueryResultRow>(
		statement: Statement,
		params?: unknown[],
	) {
		try {
			return typeof statement === "string"
				? await this.#client.query<R>(statement, params)
				: await this.#client.query<R>({
						name: statement.name,
						text: statement.text,
						...(params ? { values: params } : {}),
					});
		} catch (err) {
			// Anything but a server answer (read timeout, closed socket) leaves the connection in
			// an unknown state, possibly with a statement still running.
			if (!isServerError(err)) this.broken ??= err as Error;
			else withoutValues(err);
			throw err;
		}
	}

	async rows<R extends QueryResultRow>(
		statement: Statement,
		params?: unknown[],
	): Promise<R[]> {
		return (await this.#query<R>(statement, params)).rows;
	}

	async count(statement: Statement, params?: unknown[]): Promise<number> {
		return (await this.#query(statement, params)).rowCount ?? 0;
	}

	/** Hands the connection back, destroying it if it broke. */
	release(): void {
		this.#client.removeListener("error", this.#onError);
		this.#client.release(this.broken ?? false);
	}
}

/** A pool of connections to one database (and schema). */
export class Database {
	readonly #pool: Pool;
	readonly schema: string | undefined;
	readonly #onRetry: (reason: RetryReason) => void;
	#closed = false;

	constructor(options: DatabaseOptions) {
		this.schema = options.schema;
		this.#onRetry = options.onRetry ?? (() => {});
		const startup = [
			// No JIT compilation: idpool's statements are short index lookups, for which compiling
			// costs milliseconds and gains nothing. PostgreSQL decides on JIT from the planner's
			// estimate, so without this a table whose statistics are stale (not yet analysed)
			// could make every call pay the compiler (docs/deployment.md#postgresql).
			"-c jit=off",
			options.extraOptions,
			// Set at connection start-up, so no statement can ever run on another schema.
			options.schema === undefined
				? undefined
				: `-c search_path=${quoteIdentifier(options.schema)}`,
		].filter((o): o is string => o !== undefined && o !== "");
		this.#pool = new Pool({
			connectionString: options.connectionString,
			max: options.poolSize,
			// Bounds both opening a connection and waiting for a free one from the pool.
			connectionTimeoutMillis: options.connectTimeoutMs,
			// The server cancels a slow statement itself (a clean 57014); the client-side read
			// timeout, a little longer, covers a server or network that stopped answering.
			statement_timeout: options.queryTimeoutMs,
			query_timeout: options.queryTimeoutMs + 1000,
			// A transaction is never idle for long by design (planners are synchronous); this
			// frees its locks if the process holding it freezes.
			idle_in_transaction_session_timeout: Math.max(
				options.queryTimeoutMs,
				10_000,
			),
			// Detects a peer that vanished without closing the socket on idle connections.
			keepAlive: true,
			application_name: "idpool",
			...(startup.length > 0 ? { options: startup.join(" ") } : {}),
		});
		// Idle connections whose socket dies emit `error` on the pool; pg-pool has already
		// dropped them, and the next checkout opens a new connection. Unhandled, the event
		// would crash the process; there is nothing else to do with it.
		this.#pool.on("error", () => {});
	}

	async #lease(): Promise<Lease> {
		if (this.#closed) throw new Error("the PostgreSQL store is closed");
		return new Lease(await this.#pool.connect());
	}

	/** Runs `body` on one connection outside any explicit transaction. */
	async session<T>(body: (sql: Sql) => Promise<T>): Promise<T> {
		const lease = await this.#lease();
		try {
			return await body(lease);
		} finally {
			lease.release();
		}
	}

	/** Runs one statement (one implicit transaction); answers its rows. */
	rows<R extends QueryResultRow>(
		statement: Statement,
		params?: unknown[],
	): Promise<R[]> {
		return this.session((sql) => sql.rows<R>(statement, params));
	}

	/** Runs one statement (one implicit transaction); answers how many rows it affected. */
	count(statement: Statement, params?: unknown[]): Promise<number> {
		return this.session((sql) => sql.count(statement, params));
	}

	/**
	 * Runs `body` as one transaction at `isolation`. On a serialization failure, a deadlock
	 * or a unique violation the whole transaction, `body` included, is run again after a
	 * short random pause, up to {@link MAX_ATTEMPTS} times; `body` must therefore re-read
	 * what it decides on and have no effect outside the transaction. Any other error (a
	 * ServiceError from a planner, a connection lost mid-transaction) is thrown at once after
	 * rolling back; only a connection found dead at `BEGIN` is replaced once, silently.
	 */
	async transaction<T>(
		isolation: Isolation,
		body: (sql: Sql) => Promise<T>,
	): Promise<T> {
		let staleRetried = false;
		for (let attempt = 1; ; attempt++) {
			const lease = await this.#lease();
			let begun = false;
			let pause = 0;
			try {
				await lease.count(`BEGIN ISOLATION LEVEL ${isolation}`);
				begun = true;
				const result = await body(lease);
				await lease.count("COMMIT");
				return result;
			} catch (err) {
				if (!lease.broken) {
					// A failed ROLLBACK means the connection is unusable; destroying it ends the
					// transaction on the server just as well.
					await lease.count("ROLLBACK").catch((e: unknown) => {
						lease.broken ??= e as Error;
					});
				}
				if (attempt >= MAX_ATTEMPTS) throw err;
				const reason = retryReason(err);
				if (!begun && lease.broken && !staleRetried) {
					// A pooled connection that died while idle (the database restarted): nothing
					// ran on it, so one more try on a fresh connection is safe, and spares the
					// caller an error for a database that is back.
					staleRetried = true;
					this.#onRetry("stale_connection");
				} else if (reason) {
					pause = backoffMs(attempt);
					this.#onRetry(reason);
				} else {
					throw err;
				}
			} finally {
				lease.release();
			}
			if (pause > 0) await sleep(pause);
		}
	}

	/**
	 * Tells the metrics of a retry made outside {@link transaction}: a single statement run
	 * again (or followed by a transaction) after it lost a race.
	 */
	retried(reason: RetryReason): void {
		this.#onRetry(reason);
	}

	/** Closes every connection. Closing twice is harmless. */
	async close(): Promise<void> {
		if (this.#closed) return;
		this.#closed = true;
		await this.#pool.end();
	}
}

/** Quotes an SQL identifier (the schema name). */
export function quoteIdentifier(name: string): string {
	return `"${name.replaceAll('"', '""')}"`;
}
