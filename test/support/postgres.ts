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

/** A TCP proxy to `target` that can be cut (connections refused and dropped) and restored. */
export class CuttableProxy {
	readonly #target: { host: string; port: number };
	readonly #sockets = new Set<Socket>();
	#server: Server | undefined;
	port = 0;

	constructor(target: { host: string; port: number }) {
		this.#target = target;
	}

	/** Starts listening (on the same port again after a cut). */
	async open(): Promise<void> {
		const server = createServer((client) => {
			const upstream = connect(this.#target.port, this.#target.host);
			for (const s of [client, upstream]) {
				this.#sockets.add(s);
				s.on("close", () => this.#sockets.delete(s));
				s.on("error", () => {
					client.destroy();
					upstream.destroy();
				});
			}
			client.pipe(upstream);
			upstream.pipe(client);
		});
		await new Promise<void>((resolve) =>
			server.listen(this.port, "127.0.0.1", resolve),
		);
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
		const target = new URL(POSTGRES_URL);
		proxy = new CuttableProxy({
			host: target.hostname,
			port: Number(target.port || 5432),
		});
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
