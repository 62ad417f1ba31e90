/**
 * The hot statements of the PostgreSQL store read a few index entries whatever the planner's
 * statistics say. A connection caches a statement's generic plan, made with the statistics
 * of the moment; a new database's tables are empty and not yet analysed then, and a plan that
 * looked cheap on them (a hash join over every login of the pool, found by `pool_id` alone)
 * was kept while the pool grew: the backends' CPU a request doubled within a minute of the
 * bench (docs/benchmarks.md, PostgreSQL). Here the store's connection is made to use generic
 * plans only, those plans are made on empty, never analysed tables (autovacuum off), then
 * 3,000 identities and 200 other pools are written into the tables, and each hot call must
 * read no more than a handful of rows and index entries, counted by PostgreSQL's statistics
 * for its backend.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { LoginRef, PoolKey } from "../../src/domain/records.ts";
import { Database } from "../../src/store/postgres/database.ts";
import { PostgresIdentities } from "../../src/store/postgres/identities.ts";
import { openPostgresStore } from "../../src/store/postgres/postgres-store.ts";
import type { Store } from "../../src/store/store.ts";
import { BULK_PROVIDER, insertIdentities } from "../support/bulk.ts";
import { dev } from "../support/logins.ts";
import { freshSchema, POSTGRES_URL } from "../support/postgres.ts";
import { describeForEngine } from "../support/stores.ts";
import {
	createPool,
	developerIdentity,
	presentLogins,
	T0,
} from "./conformance/builders.ts";

/** A login of an identity written by {@link insertIdentities}. */
const bulk = (subject: string): LoginRef => ({
	provider: BULK_PROVIDER,
	subject,
	kind: "developer",
});

/** Identities written after the plans are made. */
const BULK = 3000;
/** Other pools created after the plans are made. */
const POOLS = 200;
/** The most rows and index entries one hot call may read. */
const FEW = 20;

describeForEngine("postgres", "plans that hold whatever the statistics", () => {
	let schema: Awaited<ReturnType<typeof freshSchema>>;
	let store: Store;
	let db: Database;
	let identities: PostgresIdentities;
	let pool: PoolKey;
	let known: string;
	let lateIdentity: string;

	before(async () => {
		schema = await freshSchema();
		store = openPostgresStore(schema.url);
		await store.migrate();
		// One connection (so that its statistics can be flushed and read), generic plans only.
		db = new Database({
			connectionString: POSTGRES_URL,
			schema: schema.schema,
			poolSize: 1,
			connectTimeoutMs: 5000,
			queryTimeoutMs: 10_000,
			extraOptions: "-c plan_cache_mode=force_generic_plan",
		});
		// No ANALYZE behind the test's back: the statistics stay those of empty tables.
		for (const table of ["identities", "identity_logins", "identity_pools"]) {
			await db.rows(`ALTER TABLE ${table} SET (autovacuum_enabled = false)`);
		}
		identities = new PostgresIdentities(db);
		pool = await createPool(store);
		// Every hot statement planned once, on the empty tables.
		const first = await developerIdentity(
			testStore(),
			pool,
			[dev("first")],
			T0,
		);
		known = first.identityId;
		await identities.ownerOf(pool.poolId, dev("first"));
		await identities.getWithPoolVersion(known);
		await presentLogins(
			testStore(),
			pool,
			{
				identityId: known,
				logins: [dev("first")],
				flow: "developer",
			},
			T0,
		);
		await insertIdentities(schema.url, pool, BULK);
		// Other pools, which a call about one pool must not read either.
		for (let i = 0; i < POOLS; i++) await createPool(store);
		// A pool written after them (found last by a scan of the pools), with an identity.
		const late = await createPool(store);
		lateIdentity = (
			await developerIdentity(testStore(), late, [dev("late")], T0)
		).identityId;
	});

	after(async () => {
		await db?.close();
		await store?.close();
		await schema?.drop();
	});

	/** The repository on the test's connection, as the builders take a store. */
	const testStore = () => ({ identities }) as unknown as Store;

	/** Rows and index entries the connection's backend has read in the schema so far. */
	async function read(): Promise<number> {
		await db.rows("SELECT pg_stat_force_next_flush()");
		const [row] = await db.rows<{ n: string }>(
			`SELECT
				(SELECT COALESCE(sum(idx_tup_read), 0) FROM pg_stat_user_indexes WHERE schemaname = $1)
				+ (SELECT COALESCE(sum(seq_tup_read), 0) FROM pg_stat_user_tables WHERE schemaname = $1) AS n`,
			[schema.schema],
		);
		return Number(row?.n);
	}

	/** What `call` read. */
	async function cost(call: () => Promise<unknown>): Promise<number> {
		const before = await read();
		await call();
		return (await read()) - before;
	}

	test("the pool holds the bulk identities (the statements below run against them)", async () => {
		const [row] = await db.rows<{ n: string }>(
			"SELECT count(*) AS n FROM identity_logins WHERE pool_id = $1",
			[pool.poolId],
		);
		assert.equal(Number(row?.n), BULK + 1);
	});

	test("a new developer user's find-or-create", async () => {
		const n = await cost(() =>
			developerIdentity(testStore(), pool, [dev("new-user")], T0),
		);
		assert.ok(n <= FEW, `read ${n} rows and index entries`);
	});

	test("a returning user's find-or-create", async () => {
		const n = await cost(() =>
			developerIdentity(testStore(), pool, [bulk("bulk-7")], T0),
		);
		assert.ok(n <= FEW, `read ${n} rows and index entries`);
	});

	test("the owner of a login", async () => {
		let owner: string | undefined;
		const n = await cost(async () => {
			owner = await identities.ownerOf(pool.poolId, bulk("bulk-11"));
		});
		assert.ok(owner, "bulk-11 has an identity");
		assert.ok(n <= FEW, `read ${n} rows and index entries`);
	});

	test("a change of a named identity (the snapshot)", async () => {
		const n = await cost(() =>
			presentLogins(
				testStore(),
				pool,
				{
					identityId: known,
					logins: [
						dev("first"),
						{
							provider: "graph.facebook.com",
							subject: "fb-1",
							kind: "external",
						},
					],
					flow: "developer",
				},
				T0,
			),
		);
		assert.ok(n <= FEW, `read ${n} rows and index entries`);
	});

	test("an identity with its pool's version", async () => {
		let found: unknown;
		const n = await cost(async () => {
			found = await identities.getWithPoolVersion(lateIdentity);
		});
		assert.ok(found, "the late pool's identity is found");
		assert.ok(n <= FEW, `read ${n} rows and index entries`);
	});
});
