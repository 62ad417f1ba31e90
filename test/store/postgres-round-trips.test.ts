/**
 * The round trips to PostgreSQL that the hot calls make, counted by a proxy that reads the
 * wire protocol (test/support/postgres.ts): deterministic, unlike timing (docs/benchmarks.md).
 * A returning developer user's GetOpenIdTokenForDeveloperIdentity and a returning login's
 * GetId cost one round trip (the pool comes from the server's cache, its version confirmed in
 * that same statement), a new user's at most two; BEGIN and COMMIT count as round trips. A
 * known identity's GetOpenIdToken reads the identity and its pool's version in one, and
 * GetCredentialsForIdentity adds the credentials it records.
 * Then the pool cache's versions, store against store, and the JIT setting of the connections.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
	GetCredentialsForIdentityCommand,
	GetIdCommand,
	GetOpenIdTokenCommand,
	GetOpenIdTokenForDeveloperIdentityCommand,
	LookupDeveloperIdentityCommand,
} from "@aws-sdk/client-cognito-identity";
import { Database } from "../../src/store/postgres/database.ts";
import { openPostgresStore } from "../../src/store/postgres/postgres-store.ts";
import { StalePoolError, type Store } from "../../src/store/store.ts";
import { DEV, FACEBOOK, useFederation } from "../support/federation.ts";
import { dev, signIn } from "../support/logins.ts";
import {
	freshSchema,
	POSTGRES_URL,
	RoundTripProxy,
} from "../support/postgres.ts";
import { TEST_ACCOUNT } from "../support/server.ts";
import { describeForEngine } from "../support/stores.ts";
import {
	allIdentities,
	createGuest,
	createPool,
	T0,
} from "./conformance/builders.ts";

describeForEngine("postgres", "round trips to PostgreSQL", () => {
	let schema: Awaited<ReturnType<typeof freshSchema>>;
	const proxy = new RoundTripProxy();
	before(async () => {
		schema = await freshSchema();
		await proxy.open();
	});
	// The key ring's periodic re-read would be counted with a call: out of the way here.
	const f = useFederation(() => ({
		config: { db: proxy.via(schema.url), keyReloadSeconds: 3600 },
	}));
	after(async () => {
		await proxy.close();
		await schema?.drop();
	});

	/** The round trips `call` makes, and its answer. */
	async function counted<T>(call: () => Promise<T>): Promise<[number, T]> {
		// What the server started on its own (the credentials' prune and the purger's first
		// run, at start) must not be counted with the call: on a busy machine it can be late.
		await f.ts.server.backgroundSettled();
		proxy.reset();
		const answer = await call();
		const n = proxy.count;
		return [n, answer];
	}

	const developerToken = (poolId: string, user: string) =>
		f.admin.send(
			new GetOpenIdTokenForDeveloperIdentityCommand({
				IdentityPoolId: poolId,
				Logins: { [DEV]: user },
			}),
		);

	test("GetOpenIdTokenForDeveloperIdentity: a new user in at most two round trips, a returning one in one", async () => {
		const poolId = await f.pool();
		// The first call of a pool reads it into the cache (and opens connections).
		await developerToken(poolId, "warm-up");
		const [created, first] = await counted(() =>
			developerToken(poolId, "alice"),
		);
		assert.ok(created <= 2, `a new user took ${created} round trips`);
		const [returning, again] = await counted(() =>
			developerToken(poolId, "alice"),
		);
		assert.equal(returning, 1, `a returning user took ${returning}`);
		assert.equal(again.IdentityId, first.IdentityId);
		const found = await f.admin.send(
			new LookupDeveloperIdentityCommand({
				IdentityPoolId: poolId,
				DeveloperUserIdentifier: "alice",
			}),
		);
		assert.equal(found.IdentityId, first.IdentityId);
	});

	test("GetId: a returning login in one round trip, a new one in at most two", async () => {
		const poolId = await f.pool();
		const logins = (user: string) => ({
			[FACEBOOK]: f.tokens.facebook(user),
		});
		await f.app.send(
			new GetIdCommand({ IdentityPoolId: poolId, Logins: logins("warm-up") }),
		);
		const [created, first] = await counted(() =>
			f.app.send(
				new GetIdCommand({ IdentityPoolId: poolId, Logins: logins("bob") }),
			),
		);
		assert.ok(created <= 2, `a new login took ${created} round trips`);
		const [returning, again] = await counted(() =>
			f.app.send(
				new GetIdCommand({ IdentityPoolId: poolId, Logins: logins("bob") }),
			),
		);
		assert.equal(returning, 1, `a returning login took ${returning}`);
		assert.equal(again.IdentityId, first.IdentityId);
		const [guest, answer] = await counted(() =>
			f.app.send(new GetIdCommand({ IdentityPoolId: poolId })),
		);
		assert.equal(guest, 1, `a guest took ${guest}`);
		assert.notEqual(answer.IdentityId, first.IdentityId);
	});

	test("GetOpenIdToken of a known identity in one round trip; GetCredentialsForIdentity in two (the credentials recorded)", async () => {
		const poolId = await f.pool();
		const { IdentityId } = await f.app.send(
			new GetIdCommand({ IdentityPoolId: poolId }),
		);
		// The first call reads the pool into this server's cache.
		await f.app.send(new GetOpenIdTokenCommand({ IdentityId }));
		const [token, answer] = await counted(() =>
			f.app.send(new GetOpenIdTokenCommand({ IdentityId })),
		);
		assert.equal(token, 1, `GetOpenIdToken took ${token}`);
		assert.equal(answer.IdentityId, IdentityId);
		const [credentials, issued] = await counted(() =>
			f.app.send(new GetCredentialsForIdentityCommand({ IdentityId })),
		);
		assert.equal(
			credentials,
			2,
			`GetCredentialsForIdentity took ${credentials}`,
		);
		assert.ok(issued.Credentials?.AccessKeyId);
		// The pool changed by another server (a store of its own, not through this server's
		// cache): the version read with the identity is not the cached one, so the pool is read
		// again, and the change is seen at once.
		const other = openPostgresStore(schema.url);
		try {
			const key = { accountId: TEST_ACCOUNT, region: "us-east-1", poolId };
			const changed = await other.pools.update(
				key,
				(p) => ({
					settings: { ...p.settings, AllowClassicFlow: false },
					tags: p.tags,
				}),
				Date.now(),
			);
			assert.equal(changed?.settings.AllowClassicFlow, false);
		} finally {
			await other.close();
		}
		await assert.rejects(
			f.app.send(new GetOpenIdTokenCommand({ IdentityId })),
			/Basic \(classic\) flow is not enabled/,
		);
	});

	test("concurrent first calls for one new user or login end with one identity", async () => {
		const poolId = await f.pool();
		for (let round = 0; round < 5; round++) {
			const user = `racer-${round}`;
			const answers = await Promise.all(
				Array.from({ length: 8 }, () => developerToken(poolId, user)),
			);
			const ids = new Set(answers.map((a) => a.IdentityId));
			assert.equal(ids.size, 1, `${user}: ${[...ids].join(", ")}`);
			// The same through GetId's find-or-create statement, for a new login.
			const logins = { [FACEBOOK]: f.tokens.facebook(`fb-${user}`) };
			const gotten = await Promise.all(
				Array.from({ length: 8 }, () =>
					f.app.send(
						new GetIdCommand({ IdentityPoolId: poolId, Logins: logins }),
					),
				),
			);
			const owners = new Set(gotten.map((a) => a.IdentityId));
			assert.equal(owners.size, 1, `fb-${user}: ${[...owners].join(", ")}`);
			assert.ok(!ids.has([...owners][0]));
		}
	});
});

describeForEngine("postgres", "the pool cache's versions", () => {
	let schema: Awaited<ReturnType<typeof freshSchema>>;
	let a: Store;
	let b: Store;
	before(async () => {
		schema = await freshSchema();
		a = openPostgresStore(schema.url);
		b = openPostgresStore(schema.url);
		await a.migrate();
	});
	after(async () => {
		await Promise.all([a?.close(), b?.close()]);
		await schema?.drop();
	});

	test("a version read before another store updated the pool: nothing written, StalePoolError; a fresh read has the new version", async () => {
		const key = await createPool(a);
		const first = await b.pools.cached(key.poolId);
		assert.equal(first?.cached, false);
		const again = await b.pools.cached(key.poolId);
		assert.equal(again?.cached, true);
		assert.equal(again?.version, first?.version);
		assert.ok(Object.isFrozen(again?.pool.settings), "cached pools are frozen");
		const stale = first?.version as string;
		// Still current: the version is confirmed.
		assert.equal(
			await b.identities.ownerOf(key.poolId, dev("x"), stale),
			undefined,
		);

		await a.pools.update(
			key,
			(p) => ({
				settings: { ...p.settings, AllowClassicFlow: true },
				tags: { t: "1" },
			}),
			T0 + 1,
		);
		// B's memory still holds the old pool; each identity method refuses its version.
		assert.equal((await b.pools.cached(key.poolId))?.version, stale);
		await assert.rejects(
			b.identities.ownerOf(key.poolId, dev("x"), stale),
			StalePoolError,
		);
		const newUser = (version: string) =>
			b.identities.change(
				key,
				{ identityIds: [], logins: [dev("x")] },
				(snapshot) => ({
					change: snapshot.owners.size
						? {}
						: {
								create: {
									identityId: "us-east-1:00000000-0000-4000-8000-000000000001",
									authenticated: true,
								},
								link: [
									{
										identityId:
											"us-east-1:00000000-0000-4000-8000-000000000001",
										login: dev("x"),
									},
								],
							},
					result: "done",
				}),
				T0 + 2,
				version,
			);
		await assert.rejects(newUser(stale), StalePoolError);
		const guest = b.identities.change(
			key,
			{ identityIds: [], logins: [] },
			() => ({
				change: {
					create: {
						identityId: "us-east-1:00000000-0000-4000-8000-000000000002",
						authenticated: false,
					},
				},
				result: "guest",
			}),
			T0 + 2,
			stale,
		);
		await assert.rejects(guest, StalePoolError);
		assert.deepEqual(await allIdentities(a, key.poolId), []);

		const fresh = await b.pools.cached(key.poolId, true);
		assert.equal(fresh?.cached, false);
		assert.notEqual(fresh?.version, stale);
		assert.equal(fresh?.pool.settings.AllowClassicFlow, true);
		assert.deepEqual(fresh?.pool.tags, { t: "1" });
		assert.equal(await newUser(fresh?.version as string), "done");
		assert.equal(
			await a.identities.ownerOf(key.poolId, dev("x")),
			"us-east-1:00000000-0000-4000-8000-000000000001",
		);
		// A returning user with the version still current, then after the pool is deleted.
		assert.equal(await newUser(fresh?.version as string), "done");
		await a.pools.delete(key, T0 + 3);
		await assert.rejects(
			b.identities.ownerOf(key.poolId, dev("x"), fresh?.version),
			StalePoolError,
		);
		assert.equal(await b.pools.cached(key.poolId, true), undefined);
	});

	test("without a version, changes behave as before: guests and sign-ins in a pool, none in a deleted one", async () => {
		const key = await createPool(a);
		const guest = await createGuest(b, key, T0);
		const alice = await signIn(b, key, dev("alice"), T0);
		assert.equal(alice.created, true);
		const back = await signIn(a, key, dev("alice"), T0 + 1);
		assert.deepEqual(back, { identityId: alice.identityId, created: false });
		assert.equal((await allIdentities(a, key.poolId)).length, 2);
		assert.ok(guest);
		await a.pools.delete(key, T0 + 3);
		await assert.rejects(signIn(b, key, dev("bob"), T0 + 2), {
			name: "ResourceNotFoundException",
		});
		await assert.rejects(createGuest(b, key, T0 + 2), {
			name: "ResourceNotFoundException",
		});
	});
});

describeForEngine("postgres", "idpool's PostgreSQL connections", () => {
	/** `SHOW jit` on a connection of a Database made with `extraOptions`. */
	async function jit(extraOptions: string | undefined): Promise<string> {
		const db = new Database({
			connectionString: POSTGRES_URL,
			schema: undefined,
			poolSize: 1,
			connectTimeoutMs: 5000,
			queryTimeoutMs: 10_000,
			extraOptions,
		});
		try {
			const [row] = await db.rows<{ jit: string }>("SHOW jit");
			return row?.jit as string;
		} finally {
			await db.close();
		}
	}

	test("JIT compilation is off on every connection; the URL's own options may turn it on", async () => {
		assert.equal(await jit(undefined), "off");
		assert.equal(await jit("-c jit=on"), "on");
	});
});
