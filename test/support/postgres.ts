/**
 * Test support: a PostgreSQL schema of its own for each test (on the machine's server at
 * 127.0.0.1:5432, or IDPOOL_TEST_POSTGRES_URL), dropped afterwards; and a TCP proxy in front
 * of the database that a test can cut and restore to make an outage it owns.
 */
import { randomBytes } from "node:crypto";
import { connect, createServer, type Server, type Socket } from "node:net";
import { after, before } from "node:test";
import pg from "pg";

export const POSTGRES_URL =
	process.env.IDPOOL_TEST_POSTGRES_URL ?? "postgres://root@127.0.0.1:5432/test";

/** A new schema name and the `--db` URL that uses it; `drop()` removes it. */
export async function freshSchema(base = POSTGRES_URL): Promise<{
	url: string;
	schema: string;
	drop(): Promise<void>;
}> {
	const schema = `idpool_test_${randomBytes(6).toString("hex")}`;
	const client = new pg.Client({
		connectionString: base,
		connectionTimeoutMillis: 5000,
	});
	try {
		await client.connect();
		await client.query("SELECT 1");
	} catch (err) {
		throw new Error(
			`PostgreSQL is not reachable at ${base} (${(err as Error).message}); these tests need it (set IDPOOL_TEST_POSTGRES_URL)`,
		);
	} finally {
		await client.end().catch(() => {});
	}
	const sep = base.includes("?") ? "&" : "?";
	return {
		url: `${base}${sep}schema=${schema}`,
		schema,
		async drop() {
			const c = new pg.Client({ connectionString: base });
			await c.connect();
			try {
				await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
			} finally {
				await c.end();
			}
		},
	};
}

/**
 * A proxy to the database's TCP port `target` that can be cut (connections refused and
 * dropped) and restored. It listens on a port of 127.0.0.1, or on the Unix socket
 * `socketPath` when one is given.
 */
export class CuttableProxy {
	readonly #target: { host: string; port: number };
	readonly #socketPath: string | undefined;
	readonly #sockets = new Set<Socket>();
	#server: Server | undefined;
	port = 0;
	/** Connections made to the proxy so far. */
	connections = 0;

	constructor(
		target: { host: string; port: number } = postgresTarget(),
		options: { socketPath?: string } = {},
	) {
		this.#target = target;
		this.#socketPath = options.socketPath;
	}

	/**
	 * Carries what a client sends to the database; a proxy that reads it (counting round
	 * trips, say) replaces it. Answers the function that takes each chunk.
	 */
	protected clientStream(upstream: Socket): (chunk: Buffer) => void {
		return (chunk) => upstream.write(chunk);
	}

	/** Starts listening (on the same port again after a cut). */
	async open(): Promise<void> {
		const server = createServer((client) => {
			this.connections++;
			const upstream = connect(this.#target.port, this.#target.host);
			for (const s of [client, upstream]) {
				this.#sockets.add(s);
				s.on("close", () => this.#sockets.delete(s));
				s.on("error", () => {
					client.destroy();
					upstream.destroy();
				});
			}
			client.on("data", this.clientStream(upstream));
			client.on("end", () => upstream.end());
			upstream.pipe(client);
		});
		await new Promise<void>((resolve) => {
			if (this.#socketPath) server.listen(this.#socketPath, resolve);
			else server.listen(this.port, "127.0.0.1", resolve);
		});
		const address = server.address();
		if (typeof address === "object" && address) this.port = address.port;
		this.#server = server;
	}

	/** Drops every connection and refuses new ones: the database is gone. */
	async cut(): Promise<void> {
		const server = this.#server;
		this.#server = undefined;
		for (const s of this.#sockets) s.destroy();
		this.#sockets.clear();
		if (server)
			await new Promise<void>((resolve) => server.close(() => resolve()));
	}

	/** The database is back. */
	restore(): Promise<void> {
		return this.open();
	}

	/** `url` with its host and port replaced by this proxy's. */
	via(url: string): string {
		const u = new URL(url);
		u.host = `127.0.0.1:${this.port}`;
		return u.toString();
	}
}

/**
 * For the suite it is called in: a fresh schema reached through a {@link CuttableProxy}
 * (opened in a `before`; cut and the schema dropped in an `after`). `db()` is the `--db` URL
 * through the proxy, for a server made in a later hook; `proxy()` the proxy, to cut and
 * restore.
 */
export function useCuttablePostgres(): {
	db(): string;
	proxy(): CuttableProxy;
} {
	let schema: Awaited<ReturnType<typeof freshSchema>> | undefined;
	let proxy: CuttableProxy | undefined;
	before(async () => {
		schema = await freshSchema();
		proxy = new CuttableProxy();
		await proxy.open();
	});
	after(async () => {
		await proxy?.cut();
		await schema?.drop();
	});
	const opened = () => {
		if (!proxy || !schema) throw new Error("the proxy is not open yet");
		return { proxy, schema };
	};
	return {
		db: () => {
			const { proxy, schema } = opened();
			return proxy.via(schema.url);
		},
		proxy: () => opened().proxy,
	};
}

/**
 * A TCP proxy to PostgreSQL that counts the round trips its clients make: it reads the
 * frontend protocol (after the start-up message, each message is a type byte and a length)
 * and counts the messages that end one: `Q` (a simple query, as pg sends a statement without
 * parameters: BEGIN, COMMIT) and `S` (the Sync that ends an extended-protocol exchange, as pg
 * sends a statement with parameters, named or not). Start-up and authentication are not
 * counted. Deterministic, unlike timing: point a server's `--db` at {@link RoundTripProxy.via}.
 */
export class RoundTripProxy extends CuttableProxy {
	/** Round trips since the start (or the last {@link reset}). */
	count = 0;
	/** The text of the statements parsed or sent since the last reset (named ones once per connection). */
	statements: string[] = [];

	protected override clientStream(upstream: Socket): (chunk: Buffer) => void {
		let buffered = Buffer.alloc(0);
		let started = false;
		return (chunk) => {
			upstream.write(chunk);
			buffered = Buffer.concat([buffered, chunk]);
			for (;;) {
				if (!started) {
					if (buffered.length < 8) return;
					const length = buffered.readInt32BE(0);
					if (buffered.length < length) return;
					// An SSLRequest (code 80877103) is followed by the real start-up message.
					started = buffered.readInt32BE(4) !== 80877103;
					buffered = buffered.subarray(length);
					continue;
				}
				if (buffered.length < 5) return;
				const length = buffered.readInt32BE(1);
				if (buffered.length < length + 1) return;
				const type = String.fromCharCode(buffered[0] as number);
				const body = buffered.subarray(5, length + 1);
				if (type === "Q" || type === "S") this.count++;
				if (type === "Q") this.statements.push(cString(body, 0));
				if (type === "P") {
					// Parse: a statement name, then its text.
					const name = cString(body, 0);
					this.statements.push(
						cString(body, Buffer.byteLength(name) + 1).trim(),
					);
				}
				buffered = buffered.subarray(length + 1);
			}
		};
	}

	/** Starts counting afresh; answers the count before. */
	reset(): number {
		const n = this.count;
		this.count = 0;
		this.statements = [];
		return n;
	}

	/** Stops the proxy. */
	close(): Promise<void> {
		return this.cut();
	}
}

/** The zero-terminated string at `offset` of `buffer`. */
function cString(buffer: Buffer, offset: number): string {
	const end = buffer.indexOf(0, offset);
	return buffer.toString("utf8", offset, end < 0 ? buffer.length : end);
}

/** The host and port of {@link POSTGRES_URL}. */
export function postgresTarget(): { host: string; port: number } {
	const u = new URL(POSTGRES_URL);
	return { host: u.hostname, port: Number(u.port || 5432) };
}
