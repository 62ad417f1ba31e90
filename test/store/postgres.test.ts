/**
 * @module test/store/postgres.test
 * The PostgreSQL store: the conformance suite, each store on a schema of its own (dropped
 * when the store closes, and at the end whatever is left), then what only PostgreSQL has:
 * several instances (pools of connections, as several servers) on one schema, and bounded
 * failures when the database is unreachable, stops answering, or drops its connections,
 * with recovery when it returns. PostgreSQL must be running (IDPOOL_TEST_POSTGRES_URL,
 * default the local server): without it these tests fail, they are never skipped.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { connect, createServer, type Server, type Socket } from "node:net";
import { after, before, test } from "node:test";
import pg from "pg";
import {
	ResourceNotFoundException,
	ServiceError,
} from "../../src/errors/service-errors.ts";
import { openStore } from "../../src/server/open-store.ts";
import { MIGRATIONS } from "../../src/store/postgres/migrations.ts";
import { openPostgresStore } from "../../src/store/postgres/postgres-store.ts";
import { MIGRATIONS as SQLITE_MIGRATIONS } from "../../src/store/sqlite/migrations.ts";
import type { Store } from "../../src/store/store.ts";
import { dev, signIn } from "../support/logins.ts";
import { POSTGRES_URL } from "../support/postgres.ts";
import {
	describeForEngine,
	engineSkipReason,
	storeWith,
} from "../support/stores.ts";
import {
	createPool,
	newPoolKey,
	purgeAll,
	T0,
} from "./conformance/builders.ts";
import { describeStoreConformance } from "./conformance/index.ts";
import {
	assertPurgesUpgrade,
	assertRolesUpgrade,
	assertTagMapsUpgrade,
	BEFORE_PURGES,
	BEFORE_ROLES,
	BEFORE_TAG_MAPS,
	type OldPool,
} from "./upgrades.ts";

const BASE_URL = POSTGRES_URL;

/** Administrative connections of the test itself (schema checks and drops). */
let admin: pg.Pool | undefined;
/** Every schema a test created and has not dropped yet. */
const schemas = new Set<string>();

function adminPool(): pg.Pool {
	admin ??= new pg.Pool({
		connectionString: BASE_URL,
		max: 2,
		connectionTimeoutMillis: 5000,
	});
	return admin;
}

// Only when this run covers PostgreSQL (IDPOOL_TEST_STORES): the suites below say so otherwise.
const covered = engineSkipReason("postgres") === undefined;

before(async () => {
	if (!covered) return;
	try {
		await adminPool().query("SELECT 1");
	} catch (err) {
		throw new Error(
			`PostgreSQL is not reachable at ${BASE_URL} (${(err as Error).message}). These tests need a running server; set IDPOOL_TEST_POSTGRES_URL to point at one.`,
		);
	}
});

after(async () => {
	try {
		for (const schema of schemas) await dropSchema(schema);
	} finally {
		await admin?.end();
	}
});

function newSchema(): string {
	const schema = `idpool_test_${randomBytes(6).toString("hex")}`;
	schemas.add(schema);
	return schema;
}

async function dropSchema(schema: string): Promise<void> {
	await adminPool().query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
	schemas.delete(schema);
}

/** `url` with the `schema` parameter set. */
function withSchema(schema: string, url = BASE_URL): string {
	const u = new URL(url);
	u.searchParams.set("schema", schema);
	return u.href;
}

/** `store`, whose `close()` also drops `schema`. */
function droppingOnClose(store: Store, schema: string): Store {
	return storeWith(store, {
		close: async () => {
			await store.close();
			await dropSchema(schema);
		},
	});
}

describeStoreConformance("postgres", async () => {
	const schema = newSchema();
	return droppingOnClose(openPostgresStore(withSchema(schema)), schema);
});

/** Runs `body` with `count` stores on one new schema (as many servers), then cleans up. */
async function withInstances(
	count: number,
	body: (stores: Store[], schema: string) => Promise<void>,
	options: { migrate?: boolean } = {},
): Promise<void> {
	const schema = newSchema();
	const stores = Array.from({ length: count }, () =>
		openPostgresStore(withSchema(schema), { poolSize: 5 }),
	);
	try {
		if (options.migrate !== false)
			for (const store of stores) await store.migrate();
		await body(stores, schema);
	} finally {
		for (const store of stores) await store.close();
		await dropSchema(schema);
	}
}

/**
 * Asserts that `promise` rejects with an error whose message matches `reason`: which of the
 * bounded failures (refused, connect timeout, query read timeout) ended the call.
 */
async function failsWith(
	promise: Promise<unknown>,
	reason: RegExp,
): Promise<void> {
	await assert.rejects(promise, (err: Error) => {
		assert.match(err.message, reason);
		return true;
	});
}

/**
 * A TCP proxy to the test database whose behaviour a test switches: `forward` (a healthy
 * database), `silent` (connections accepted and open, nothing ever answered: a hung server
 * or a network that drops packets) and `refuse` (every connection dropped at once: the
 * server is down).
 */
class FaultyProxy {
	mode: "forward" | "silent" | "refuse" = "forward";
	readonly #server: Server;
	readonly #sockets = new Set<Socket>();
	readonly #target: URL;

	constructor(target: string) {
		this.#target = new URL(target);
		this.#server = createServer((client) => this.#accept(client));
	}

	#accept(client: Socket): void {
		if (this.mode === "refuse") {
			client.destroy();
			return;
		}
		this.#track(client);
		if (this.mode === "silent") return;
		const upstream = connect(
			Number(this.#target.port || 5432),
			this.#target.hostname || "127.0.0.1",
		);
		this.#track(upstream);
		client.on("data", (d) => {
			if (this.mode === "forward") upstream.write(d);
		});
		upstream.on("data", (d) => {
			if (this.mode === "forward") client.write(d);
		});
		client.on("close", () => upstream.destroy());
		upstream.on("close", () => client.destroy());
	}

	#track(socket: Socket): void {
		this.#sockets.add(socket);
		socket.on("error", () => socket.destroy());
		socket.on("close", () => this.#sockets.delete(socket));
	}

	/** Drops every open connection (both sides). */
	dropAll(): void {
		for (const s of this.#sockets) s.destroy();
	}

	async listen(): Promise<string> {
		await new Promise<void>((resolve) =>
			this.#server.listen(0, "127.0.0.1", resolve),
		);
		const address = this.#server.address();
		assert.ok(address && typeof address === "object");
		const url = new URL(BASE_URL);
		url.host = `127.0.0.1:${address.port}`;
		return url.href;
	}

	async close(): Promise<void> {
		this.dropAll();
		await new Promise<void>((resolve) => this.#server.close(() => resolve()));
	}
}

describeForEngine("postgres", "postgres store: engine specifics", () => {
	test("engine, schema parameter, and the tables in that schema only", async () => {
		await withInstances(1, async ([store], schema) => {
			assert.ok(store);
			assert.equal(store.engine, "postgres");
			await store.ping();
			const { rows } = await adminPool().query<{ table_name: string }>(
				"SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name",
				[schema],
			);
			assert.deepEqual(
				rows.map((r) => r.table_name),
				[
					"health_probe",
					"identities",
					"identity_logins",
					"identity_pools",
					"issued_credentials",
					"principal_tag_maps",
					"schema_migrations",
					"signing_keys",
				],
			);
			const { rows: versions } = await adminPool().query<{ version: number }>(
				`SELECT version FROM "${schema}".schema_migrations ORDER BY version`,
			);
			assert.deepEqual(
				versions.map((v) => v.version),
				MIGRATIONS.map((m) => m.version),
			);
		});
	});

	test("openStore picks PostgreSQL for postgres:// and postgresql:// URLs", async () => {
		for (const scheme of ["postgres", "postgresql"]) {
			const schema = newSchema();
			const url = withSchema(schema).replace(/^postgres(ql)?:/, `${scheme}:`);
			const store = await openStore(url, { poolSize: 2 });
			try {
				assert.equal(store.engine, "postgres");
				await store.migrate();
				await store.ping();
			} finally {
				await store.close();
				await store.close(); // closing twice is harmless
				await dropSchema(schema);
			}
		}
		await assert.rejects(
			() => openStore(withSchema("bad name; DROP")),
			/invalid schema/,
		);
	});

	test("several instances migrating together apply each migration once", async () => {
		await withInstances(
			4,
			async (stores, schema) => {
				await Promise.all(stores.map((s) => s.migrate()));
				// And again: already applied, nothing to do.
				await Promise.all(stores.map((s) => s.migrate()));
				const { rows } = await adminPool().query<{ version: number }>(
					`SELECT version FROM "${schema}".schema_migrations ORDER BY version`,
				);
				assert.deepEqual(
					rows.map((r) => r.version),
					MIGRATIONS.map((m) => m.version),
				);
				for (const store of stores) await store.ping();
			},
			{ migrate: false },
		);
	});

	test("migrations have the same versions and names as SQLite's", () => {
		assert.deepEqual(
			MIGRATIONS.map((m) => [m.version, m.name]),
			SQLITE_MIGRATIONS.map((m) => [m.version, m.name]),
		);
	});

	/** A new schema with the migrations before `old.before` applied and `old`'s pool row. */
	async function schemaWithOldPool(old: OldPool): Promise<string> {
		const schema = newSchema();
		const db = adminPool();
		await db.query(`CREATE SCHEMA "${schema}"`);
		await db.query(
			`CREATE TABLE "${schema}".schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`,
		);
		const client = await db.connect();
		try {
			await client.query(`SET search_path = "${schema}"`);
			for (const m of MIGRATIONS.filter((m) => m.version < old.before)) {
				await client.query(m.sql);
				await client.query(
					"INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
					[m.version, m.name, T0],
				);
			}
			await client.query(
				"INSERT INTO identity_pools (pool_id, account_id, region, settings, tags, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)",
				[
					old.key.poolId,
					old.key.accountId,
					old.key.region,
					JSON.stringify(old.settings),
					"{}",
					T0,
				],
			);
		} finally {
			client.release();
		}
		return schema;
	}

	test("migration 4 gives pools stored before it no roles and no mappings", async () => {
		const schema = await schemaWithOldPool(BEFORE_ROLES);
		const store = openPostgresStore(withSchema(schema), { poolSize: 2 });
		try {
			await store.migrate();
			await assertRolesUpgrade(store, T0 + 1);
		} finally {
			await store.close();
			await dropSchema(schema);
		}
	});

	test("migration 5 gives pools stored before it no principal tag maps, and deletes maps with their pool", async () => {
		const schema = await schemaWithOldPool(BEFORE_TAG_MAPS);
		const store = openPostgresStore(withSchema(schema), { poolSize: 2 });
		try {
			await store.migrate();
			await assertTagMapsUpgrade(store, T0 + 1);
			const { rows } = await adminPool().query<{ n: string }>(
				`SELECT count(*) AS n FROM "${schema}".principal_tag_maps`,
			);
			assert.equal(rows[0]?.n, "0");
		} finally {
			await store.close();
			await dropSchema(schema);
		}
	});

	test("migration 7 leaves pools stored before it undeleted; deleted afterwards, they are purged", async () => {
		const schema = await schemaWithOldPool(BEFORE_PURGES);
		const store = openPostgresStore(withSchema(schema), { poolSize: 2 });
		try {
			await store.migrate();
			await assertPurgesUpgrade(store, T0 + 1);
		} finally {
			await store.close();
			await dropSchema(schema);
		}
	});

	test("20 concurrent first logins of one developer user through two instances give one identity", async () => {
		await withInstances(2, async ([a, b]) => {
			assert.ok(a && b);
			const pool = await createPool(a);
			const answers = await Promise.all(
				Array.from({ length: 20 }, (_, i) =>
					signIn(i % 2 === 0 ? a : b, pool, dev("racer"), T0 + i),
				),
			);
			assert.equal(new Set(answers.map((r) => r.identityId)).size, 1);
			assert.equal(answers.filter((r) => r.created).length, 1);
			const listed = await b.identities.list(pool.poolId, {
				limit: 100,
				hideDisabled: false,
			});
			assert.equal(listed.items.length, 1);
			assert.deepEqual(listed.items[0]?.logins, [dev("racer")]);
		});
	});

	test("two instances purging one deleted pool at once remove each identity once; a new instance takes a purge cut short up", async () => {
		await withInstances(2, async ([a, b], schema) => {
			assert.ok(a && b);
			const pool = await createPool(a);
			for (let i = 0; i < 120; i += 20) {
				await Promise.all(
					Array.from({ length: 20 }, (_, j) =>
						signIn(j % 2 === 0 ? a : b, pool, dev(`u-${i + j}`), T0),
					),
				);
			}
			await a.pools.delete(pool, T0 + 1);
			// A purge cut short (its server stopped after one batch) ...
			assert.deepEqual(await a.pools.purge(pool.poolId, 10), {
				removed: 10,
				done: false,
			});
			// ... is found by another instance opened afterwards, and two purge it together.
			const c = openPostgresStore(withSchema(schema), { poolSize: 5 });
			try {
				await c.migrate();
				assert.deepEqual(await c.pools.awaitingPurge(), [pool.poolId]);
				const runs = await Promise.all([
					purgeAll(b, pool.poolId, 7),
					purgeAll(c, pool.poolId, 7),
				]);
				const removed = runs.flat().reduce((x, y) => x + y, 0);
				assert.equal(removed, 110);
				// Both took part.
				assert.ok(runs.every((r) => r.some((n) => n > 0)));
				assert.deepEqual(await a.pools.awaitingPurge(), []);
				const { rows } = await adminPool().query<{ n: string }>(
					`SELECT (SELECT count(*) FROM "${schema}".identities) + (SELECT count(*) FROM "${schema}".identity_logins) AS n`,
				);
				assert.equal(rows[0]?.n, "0");
			} finally {
				await c.close();
			}
		});
	});

	test("concurrent pool creates through two instances respect the quota", async () => {
		await withInstances(2, async ([a, b]) => {
			assert.ok(a && b);
			const max = 5;
			const results = await Promise.allSettled(
				Array.from({ length: 20 }, (_, i) =>
					createPool(i % 2 === 0 ? a : b, { quota: max }),
				),
			);
			const rejected = results.filter(
				(r): r is PromiseRejectedResult => r.status === "rejected",
			);
			for (const r of rejected) {
				assert.ok(r.reason instanceof ServiceError, String(r.reason));
				assert.equal(r.reason.name, "LimitExceededException");
			}
			assert.equal(results.length - rejected.length, max);
			const listed = await a.pools.list(
				{ accountId: "111111111111", region: "us-east-1" },
				{ limit: 100 },
			);
			assert.equal(listed.items.length, max);
		});
	});

	test("principal tag maps set through one instance while another removes the providers: check decides on committed settings", async () => {
		await withInstances(2, async ([a, b]) => {
			assert.ok(a && b);
			const key = newPoolKey();
			const providers = Array.from(
				{ length: 10 },
				(_, i) => `provider-${i}.example`,
			);
			await a.pools.create(
				{
					...key,
					settings: {
						IdentityPoolName: "racing",
						AllowUnauthenticatedIdentities: false,
						SupportedLoginProviders: Object.fromEntries(
							providers.map((p) => [p, "app"]),
						),
					},
					tags: {},
					now: T0,
				},
				1000,
			);
			const check = (provider: string) => (current: { settings: object }) => {
				const { SupportedLoginProviders } = current.settings as {
					SupportedLoginProviders?: Record<string, string>;
				};
				if (
					!SupportedLoginProviders ||
					!(provider in SupportedLoginProviders)
				) {
					throw new ResourceNotFoundException(`${provider} is gone`);
				}
			};
			const sets = providers.map((p, i) =>
				a.pools.setPrincipalTagMap(
					key,
					p,
					{ useDefaults: true, principalTags: {} },
					T0 + 1000 + i,
					check(p),
				),
			);
			const removal = b.pools.update(
				key,
				() => ({
					settings: {
						IdentityPoolName: "racing",
						AllowUnauthenticatedIdentities: false,
					},
					tags: {},
				}),
				T0 + 500,
			);
			const results = await Promise.allSettled([...sets, removal]);
			const pool = await a.pools.get(key);
			assert.ok(pool);
			// The removal committed last: any set after it found the providers gone.
			assert.equal(pool.updatedAt, T0 + 500);
			assert.equal("SupportedLoginProviders" in pool.settings, false);
			for (const [i, p] of providers.entries()) {
				const r = results[i];
				const stored = await a.pools.getPrincipalTagMap(key, p);
				if (r?.status === "fulfilled") {
					assert.equal(r.value, true);
					assert.deepEqual(stored, { useDefaults: true, principalTags: {} });
				} else {
					assert.ok(r?.reason instanceof ServiceError, String(r?.reason));
					assert.equal(r.reason.name, "ResourceNotFoundException");
					assert.equal(stored, undefined);
				}
			}
		});
	});

	test("concurrent first signing keys through two instances store one", async () => {
		await withInstances(2, async ([a, b]) => {
			assert.ok(a && b);
			const key = (n: number) => ({
				kid: `kid-${n}`,
				alg: "RS512",
				publicJwk: { kty: "RSA", n: `n${n}`, e: "AQAB" },
				privateKeyPem: `pem-${n}`,
				createdAt: T0,
				activatesAt: T0,
			});
			const inserted = await Promise.all(
				Array.from({ length: 6 }, (_, i) =>
					(i % 2 === 0 ? a : b).signingKeys.insertFirst(key(i)),
				),
			);
			assert.equal(inserted.filter(Boolean).length, 1);
			assert.equal((await b.signingKeys.list()).length, 1);
		});
	});

	test("an unreachable database fails calls within the connect timeout", async () => {
		const store = openPostgresStore("postgres://root@127.0.0.1:1/test", {
			connectTimeoutMs: 1000,
		});
		try {
			const refused = /ECONNREFUSED/;
			await failsWith(store.ping(), refused);
			await failsWith(store.migrate(), refused);
			await failsWith(store.pools.get(newPoolKey()), refused);
		} finally {
			await store.close();
		}
	});

	test("a server that accepts but never answers fails calls within the connect timeout", async () => {
		const proxy = new FaultyProxy(BASE_URL);
		proxy.mode = "silent";
		const url = await proxy.listen();
		const store = openPostgresStore(url, { connectTimeoutMs: 500 });
		try {
			await failsWith(store.ping(), /connection timeout/);
		} finally {
			await store.close();
			await proxy.close();
		}
	});

	test("a database that goes away fails calls in bounded time and is used again when it returns", async () => {
		const schema = newSchema();
		const proxy = new FaultyProxy(BASE_URL);
		const url = await proxy.listen();
		const store = openPostgresStore(withSchema(schema, url), {
			poolSize: 3,
			connectTimeoutMs: 500,
			queryTimeoutMs: 500,
		});
		try {
			await store.migrate();
			const pool = await createPool(store);
			// Several open connections, idle in the pool.
			await Promise.all([store.ping(), store.ping(), store.pools.get(pool)]);

			// The server drops every connection (idle ones emit `error`: the process survives)
			// and refuses new ones.
			proxy.mode = "refuse";
			proxy.dropAll();
			await new Promise((resolve) => setTimeout(resolve, 50));
			const gone = /ECONNREFUSED|terminated unexpectedly/;
			await failsWith(store.ping(), gone);
			await failsWith(signIn(store, pool, dev("u"), T0), gone);

			// Back: the pool reconnects by itself.
			proxy.mode = "forward";
			await store.ping();
			assert.ok(await store.pools.get(pool));

			// The network stops delivering in the middle of open connections: calls on them
			// fail by the query timeout (a client-side read timeout), new connections by the
			// connect timeout.
			proxy.mode = "silent";
			const timedOut = /timeout/i;
			await Promise.all([
				failsWith(store.ping(), timedOut),
				failsWith(store.pools.get(pool), timedOut),
				failsWith(signIn(store, pool, dev("u"), T0), timedOut),
				failsWith(store.ping(), timedOut),
			]);

			// Back again: stalled connections were discarded, not reused.
			proxy.mode = "forward";
			proxy.dropAll();
			await store.ping();
			const first = await signIn(store, pool, dev("u"), T0 + 1);
			assert.equal(first.created, true);
			assert.deepEqual(await signIn(store, pool, dev("u"), T0 + 2), {
				identityId: first.identityId,
				created: false,
			});
		} finally {
			await store.close();
			await proxy.close();
			await dropSchema(schema);
		}
	});
});
