/**
 * Test support: a real idpool server on 127.0.0.1 and a free port, on a temporary SQLite
 * file (or the database its config names), and official SDK clients pointed at it.
 *
 * Most suites want exactly one thing: "a server and a client" for the tests of a `describe`.
 * That is {@link useServer}, called inside the `describe`:
 *
 * ```ts
 * describe("DescribeIdentityPool (JS v3 SDK)", () => {
 *   const t = useServer({ config: { maxTags: 5 } });
 *   test("...", async () => {
 *     await t.client.send(new CreateIdentityPoolCommand({ ... }));
 *     await t.app.send(new GetIdCommand({ ... })); // unsigned, as an application calls
 *     const other = t.sdk({ accessKeyId: "other", secretAccessKey: "other-secret" });
 *     await t.restart(); // a new server on the same database: read t.url, t.client again
 *   });
 * });
 * ```
 *
 * It registers its own `before` (start the server) and `after` (destroy every
 * client it made, stop the server, remove the temporary database), so a suite has no
 * lifecycle code of its own. Options may be a function, called in that `before`, for settings
 * that only exist once earlier hooks ran (an identity-provider double's URL, a PostgreSQL
 * schema). {@link withServer} is the same for the body of one test (a server of its own).
 *
 * {@link startServer} and {@link sdkClient} are the parts it is made of, for the few tests
 * that need servers the fixture does not describe (two servers started at once on one
 * database).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before } from "node:test";
import {
	CognitoIdentityClient,
	type Credentials,
} from "@aws-sdk/client-cognito-identity";
import { STSClient } from "@aws-sdk/client-sts";
import type { AccountCredential } from "../../src/auth/credentials.ts";
import { defaultConfig } from "../../src/config/load.ts";
import type { Config } from "../../src/config/schema.ts";
import type { CallObserver } from "../../src/dispatch/dispatcher.ts";
import type { SigningKeyRecord } from "../../src/domain/records.ts";
import type { Clock } from "../../src/lib/clock.ts";
import {
	createServer,
	type IdpoolServer,
} from "../../src/server/create-server.ts";
import type { PurgerOptions } from "../../src/server/pool-purger.ts";
import type { Store } from "../../src/store/store.ts";
import {
	generateSigningKey,
	type SigningKeyGenerator,
	type TokenAlgorithm,
} from "../../src/tokens/keys.ts";

export interface TestServer {
	server: IdpoolServer;
	url: string;
	dbPath: string;
	/** Stops the server; `keepData` leaves the database file for a restart. */
	stop(options?: { keepData?: boolean }): Promise<void>;
}

export const TEST_ACCOUNT = "000000000000";

/** How a test server is made (every field optional). */
export interface ServerOptions {
	/** Settings over the test defaults (port 0, a temporary SQLite file, silent logs). */
	config?: Partial<Config>;
	/** The server's clock (default: the system clock). */
	clock?: Clock;
	/** The accounts it knows (default: `test`/`test` in {@link TEST_ACCOUNT}). */
	credentials?: AccountCredential[];
	/** A store to use instead of opening `config.db` (a store made to fail, say). */
	store?: Store;
	/** Where the server's log lines go (with `config.logLevel`); by default nowhere. */
	logStream?: { write(line: string): void };
	/** Told of every call (src/dispatch/dispatcher.ts). */
	observers?: readonly CallObserver[];
	/** The built web console to serve (test/support/console.ts), instead of dist/console/. */
	consoleDir?: string;
	/** How long a live view's stream lasts (src/server/console.ts; default 10 minutes). */
	liveViewLifetimeMs?: number;
	/** How the purger of deleted pools works (src/server/pool-purger.ts). */
	purge?: PurgerOptions;
}

/** How a client of {@link sdkClient} or {@link ServerFixture.sdk} signs (default test/test). */
export interface ClientOptions {
	region?: string;
	accessKeyId?: string;
	secretAccessKey?: string;
}

/**
 * The temporary folders created for databases. A restart reuses its predecessor's file
 * (`dbPath`), so whichever server on that file stops last without `keepData` removes it.
 */
const createdDirs = new Set<string>();
// A server a test never stopped (or one that failed to start) leaves no folder behind.
process.once("exit", () => {
	for (const dir of createdDirs) rmSync(dir, { recursive: true, force: true });
});

/** The first key of every test server's new database, by algorithm: see {@link testKeys}. */
const firstKeys = new Map<TokenAlgorithm, Promise<SigningKeyRecord>>();

/**
 * What makes the test servers' signing keys: the first key of a new database (the one that
 * signs at once) is made once per test process and given to every server of the process, since
 * an RSA key takes about 0.2 s of CPU to generate and the suites start a few hundred servers;
 * every later key (a rotation, a switch of algorithm: one that signs later) is generated as in
 * production. Servers of one process then publish the same first key; each still signs with
 * its own issuer, which is what verifiers of its tokens check besides the signature.
 */
const testKeys: SigningKeyGenerator = async (now, activatesAt, alg) => {
	if (activatesAt !== now) return generateSigningKey(now, activatesAt, alg);
	let first = firstKeys.get(alg);
	if (!first) {
		first = generateSigningKey(0, 0, alg);
		firstKeys.set(alg, first);
	}
	return { ...(await first), createdAt: now, activatesAt };
};

/** Starts a server on a free port. `dbPath` reuses a database (for restart tests). */
export async function startServer(
	options: ServerOptions & { dbPath?: string } = {},
): Promise<TestServer> {
	const dir = options.dbPath
		? undefined
		: mkdtempSync(join(tmpdir(), "idpool-test-"));
	const dbPath = options.dbPath ?? join(dir as string, "idpool.db");
	if (dir) createdDirs.add(dir);
	const config = defaultConfig({
		port: 0,
		db: dbPath,
		logLevel: "silent",
		...options.config,
	});
	const server = await createServer(config, {
		...(options.clock ? { clock: options.clock } : {}),
		...(options.credentials ? { credentials: options.credentials } : {}),
		...(options.store ? { store: options.store } : {}),
		...(options.logStream ? { logStream: options.logStream } : {}),
		...(options.observers ? { observers: options.observers } : {}),
		...(options.consoleDir ? { consoleDir: options.consoleDir } : {}),
		...(options.liveViewLifetimeMs
			? { liveViewLifetimeMs: options.liveViewLifetimeMs }
			: {}),
		...(options.purge ? { purge: options.purge } : {}),
		generateKey: testKeys,
	});
	const url = await server.listen();
	return {
		server,
		url,
		dbPath,
		async stop({ keepData = false } = {}) {
			await server.close();
			const folder = dirname(dbPath);
			if (!keepData && createdDirs.delete(folder)) {
				rmSync(folder, { recursive: true, force: true });
			}
		},
	};
}

/** An official JS v3 client for `url`, signing with the given (default: test/test) keys. */
export function sdkClient(
	url: string,
	options: ClientOptions = {},
): CognitoIdentityClient {
	return new CognitoIdentityClient({
		endpoint: url,
		region: options.region ?? "us-east-1",
		credentials: {
			accessKeyId: options.accessKeyId ?? "test",
			secretAccessKey: options.secretAccessKey ?? "test",
		},
		maxAttempts: 1,
	});
}

/** An official JS v3 client for `url` with no credentials: it sends unsigned requests. */
export function appClient(
	url: string,
	options: { region?: string } = {},
): CognitoIdentityClient {
	return new CognitoIdentityClient({
		endpoint: url,
		region: options.region ?? "us-east-1",
		maxAttempts: 1,
	});
}

/** A running test server and its clients: what {@link useServer} and {@link withServer} give. */
export interface ServerFixture {
	/** The base URL, `http://127.0.0.1:<port>` (a new port after {@link restart}). */
	readonly url: string;
	/** The server itself (its store, keys, config...). */
	readonly server: IdpoolServer;
	/** The database: the temporary SQLite file, or what `config.db` named. */
	readonly dbPath: string;
	/** A signed client (`test`/`test`, us-east-1), destroyed when the fixture stops. */
	readonly client: CognitoIdentityClient;
	/** An unsigned client (us-east-1), as an application calls the public operations. */
	readonly app: CognitoIdentityClient;
	/**
	 * One more client, destroyed with the fixture (or at a restart): signed with `options`,
	 * or unsigned with `unsigned: true`.
	 */
	sdk(options?: ClientOptions & { unsigned?: boolean }): CognitoIdentityClient;
	/**
	 * Stops the server, keeping its database, and starts a new one on it with the same options
	 * (`changes` over them: its `config` is merged into theirs). Clients made before are
	 * destroyed: read {@link url}, {@link client}, {@link app} again, make others anew.
	 */
	restart(changes?: ServerOptions): Promise<void>;
}

/** Options, or a function answering them when the server starts (after earlier hooks). */
export type ServerOptionsSource =
	| ServerOptions
	| (() => ServerOptions | Promise<ServerOptions>);

class RunningServer implements ManagedServer {
	readonly #source: ServerOptionsSource | undefined;
	#options: ServerOptions = {};
	#ts: TestServer | undefined;
	#client: CognitoIdentityClient | undefined;
	#app: CognitoIdentityClient | undefined;
	#clients: CognitoIdentityClient[] = [];

	constructor(source: ServerOptionsSource | undefined) {
		this.#source = source;
	}

	#running(): TestServer {
		if (!this.#ts) {
			throw new Error(
				"the test server is not running: use the fixture inside a test, or in a hook registered after useServer()",
			);
		}
		return this.#ts;
	}

	get url(): string {
		return this.#running().url;
	}

	get server(): IdpoolServer {
		return this.#running().server;
	}

	get dbPath(): string {
		const ts = this.#running();
		return this.#options.config?.db ?? ts.dbPath;
	}

	get client(): CognitoIdentityClient {
		this.#client ??= this.sdk();
		return this.#client;
	}

	get app(): CognitoIdentityClient {
		this.#app ??= this.sdk({ unsigned: true });
		return this.#app;
	}

	sdk(
		options: ClientOptions & { unsigned?: boolean } = {},
	): CognitoIdentityClient {
		const { unsigned, ...signing } = options;
		const client = unsigned
			? appClient(this.url, signing)
			: sdkClient(this.url, signing);
		this.#clients.push(client);
		return client;
	}

	async start(): Promise<void> {
		const source = this.#source;
		this.#options =
			(typeof source === "function" ? await source() : source) ?? {};
		this.#ts = await startServer(this.#options);
	}

	async restart(changes: ServerOptions = {}): Promise<void> {
		const previous = this.#running();
		this.#destroyClients();
		await previous.stop({ keepData: true });
		this.#ts = undefined;
		this.#options = {
			...this.#options,
			...changes,
			config: { ...this.#options.config, ...changes.config },
		};
		this.#ts = await startServer({ ...this.#options, dbPath: previous.dbPath });
	}

	async stop(): Promise<void> {
		this.#destroyClients();
		const ts = this.#ts;
		this.#ts = undefined;
		await ts?.stop();
	}

	#destroyClients(): void {
		for (const client of this.#clients) client.destroy();
		this.#clients = [];
		this.#client = undefined;
		this.#app = undefined;
	}
}

/** A fixture that the caller starts and stops: what {@link useServer} and {@link withServer} use. */
export interface ManagedServer extends ServerFixture {
	/** Resolves the options (calling them if a function) and starts the server. */
	start(): Promise<void>;
	/** Destroys every client made, stops the server and removes its temporary database. */
	stop(): Promise<void>;
}

/** A fixture for helpers that manage their own lifecycle (see test/support/federation.ts). */
export function serverFixture(options?: ServerOptionsSource): ManagedServer {
	return new RunningServer(options);
}

/**
 * A server (and clients) for the tests of the enclosing `describe`: started in a `before`,
 * stopped in an `after`, both registered here. `options` may be a function (called in that
 * `before`, after the hooks registered earlier).
 */
export function useServer(options?: ServerOptionsSource): ServerFixture {
	const fixture = new RunningServer(options);
	before(() => fixture.start());
	after(() => fixture.stop());
	return fixture;
}

/**
 * Runs `body` with a server of its own (for one test), then stops it and destroys its
 * clients, whatever `body` did: `test("...", () => withServer({ clock }, async (t) => {...}))`.
 */
export function withServer<T>(
	body: (t: ServerFixture) => Promise<T>,
): Promise<T>;
export function withServer<T>(
	options: ServerOptions,
	body: (t: ServerFixture) => Promise<T>,
): Promise<T>;
export async function withServer<T>(
	...args:
		| [body: (t: ServerFixture) => Promise<T>]
		| [options: ServerOptions, body: (t: ServerFixture) => Promise<T>]
): Promise<T> {
	const [options, body] = args.length === 1 ? [{}, args[0]] : args;
	const fixture = new RunningServer(options);
	await fixture.start();
	try {
		return await body(fixture);
	} finally {
		await fixture.stop();
	}
}

/** Asserts that `promise` rejects with an SDK error of `name` (HTTP status and message too). */
export async function rejectsWith(
	promise: Promise<unknown>,
	name: string,
	message?: string | RegExp,
	status = 400,
): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
	try {
		await promise;
	} catch (err) {
		const e = err as Error & { $metadata?: { httpStatusCode?: number } };
		if (e.name !== name) {
			throw new Error(`expected ${name}, got ${e.name}: ${e.message}`, {
				cause: err,
			});
		}
		if (e.$metadata?.httpStatusCode !== status) {
			throw new Error(
				`expected HTTP ${status}, got ${e.$metadata?.httpStatusCode}`,
			);
		}
		if (typeof message === "string" && e.message !== message) {
			throw new Error(
				`expected message ${JSON.stringify(message)}, got ${JSON.stringify(e.message)}`,
			);
		}
		if (message instanceof RegExp && !message.test(e.message)) {
			throw new Error(
				`expected message matching ${message}, got ${JSON.stringify(e.message)}`,
			);
		}
		return e;
	}
	throw new Error(`expected ${name}, but the call succeeded`);
}

/** A server's log lines, parsed, for a server made with its `stream` as `logStream`. */
export function capturedLog(): {
	lines: { level: number; msg: string; [field: string]: unknown }[];
	stream: { write(line: string): void };
} {
	const lines: { level: number; msg: string }[] = [];
	return {
		lines,
		stream: { write: (line: string) => lines.push(JSON.parse(line)) },
	};
}

/**
 * An official STS client for the STS endpoint at `url`, signing with credentials that
 * GetCredentialsForIdentity issued (`issued`), or else with the server's key test/test.
 */
export function stsClient(
	url: string,
	options: { region?: string; issued?: Credentials } = {},
): STSClient {
	const { issued } = options;
	return new STSClient({
		endpoint: url,
		region: options.region ?? "us-east-1",
		maxAttempts: 1,
		credentials: issued
			? {
					accessKeyId: issued.AccessKeyId as string,
					secretAccessKey: issued.SecretKey as string,
					sessionToken: issued.SessionToken as string,
				}
			: { accessKeyId: "test", secretAccessKey: "test" },
	});
}
