/**
 * @module test/store/conformance/pools
 * `store.pools`: create (with its quota, per tenant, under concurrency), ensure (create with
 * a given id once), get, update,
 * delete (with the pool's identities), list (pages in creation order, stable under
 * changes) and findById.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { describe } from "node:test";
import type { PoolKey } from "../../../src/domain/records.ts";
import {
	NotAuthorizedException,
	ServiceError,
} from "../../../src/errors/service-errors.ts";
import { DEVELOPER, dev, google } from "../../support/logins.ts";
import {
	ACCOUNT,
	AUTH_ROLE,
	createGuest,
	createPool,
	developerIdentity,
	HOME,
	identityWith,
	loginOwner,
	mustGet,
	newPoolKey,
	OTHER_ACCOUNT,
	OTHER_REGION,
	purgeAll,
	REGION,
	rejectsWith,
	roleMappings,
	type StoreTest,
	settings,
	T0,
} from "./builders.ts";

/** Declares the tests of this part, each on a store of its own. */
export function describePools(storeTest: StoreTest): void {
	describe("pools", () => {
		storeTest(
			"create answers the record and get reads it back",
			async (store) => {
				const key = newPoolKey();
				const poolSettings = settings("full", {
					AllowClassicFlow: false,
					SupportedLoginProviders: { "accounts.google.com": "client-1" },
					DeveloperProviderName: DEVELOPER,
					OpenIdConnectProviderARNs: [
						"arn:aws:iam::111111111111:oidc-provider/issuer.example",
					],
					CognitoIdentityProviders: [
						{
							ProviderName: "cognito-idp.us-east-1.amazonaws.com/us-east-1_abc",
							ClientId: "client",
							ServerSideTokenCheck: true,
						},
					],
					SamlProviderARNs: ["arn:aws:iam::111111111111:saml-provider/x"],
				});
				const created = await store.pools.create(
					{ ...key, settings: poolSettings, tags: { team: "a" }, now: T0 },
					10,
				);
				const expected = {
					...key,
					settings: poolSettings,
					roles: {},
					tags: { team: "a" },
					createdAt: T0,
					updatedAt: T0,
				};
				assert.deepEqual(created, expected);
				assert.deepEqual(await store.pools.get(key), expected);
			},
		);

		storeTest("unset optional settings stay absent", async (store) => {
			const key = newPoolKey();
			await store.pools.create(
				{ ...key, settings: settings("bare"), tags: {}, now: T0 },
				10,
			);
			const pool = await store.pools.get(key);
			assert.ok(pool);
			assert.deepEqual(Object.keys(pool.settings).sort(), [
				"AllowUnauthenticatedIdentities",
				"IdentityPoolName",
			]);
			assert.deepEqual(pool.tags, {});
			assert.deepEqual(pool.roles, {});
			assert.equal("roleMappings" in pool, false);
		});

		storeTest("a pool exists only in its account and region", async (store) => {
			const key = await createPool(store);
			assert.equal(
				await store.pools.get({ ...key, accountId: OTHER_ACCOUNT }),
				undefined,
			);
			assert.equal(
				await store.pools.get({ ...key, region: OTHER_REGION }),
				undefined,
			);
			assert.equal(
				await store.pools.get({ ...key, poolId: newPoolKey().poolId }),
				undefined,
			);
			assert.deepEqual(
				(
					await store.pools.list(
						{ accountId: OTHER_ACCOUNT, region: REGION },
						{ limit: 10 },
					)
				).items,
				[],
			);
			assert.deepEqual(
				(
					await store.pools.list(
						{ accountId: ACCOUNT, region: OTHER_REGION },
						{ limit: 10 },
					)
				).items,
				[],
			);
			// Another tenant's update and delete do not reach it.
			assert.equal(
				await store.pools.update(
					{ ...key, accountId: OTHER_ACCOUNT },
					(p) => ({
						settings: { ...p.settings, IdentityPoolName: "stolen" },
						tags: {},
					}),
					T0 + 1,
				),
				undefined,
			);
			assert.equal(
				await store.pools.delete({ ...key, region: OTHER_REGION }, T0),
				false,
			);
			assert.equal(
				await store.pools.delete({ ...key, accountId: OTHER_ACCOUNT }, T0),
				false,
			);
			const pool = await store.pools.get(key);
			assert.ok(pool);
			assert.notEqual(pool.settings.IdentityPoolName, "stolen");
		});

		storeTest("the quota counts the pools of one tenant", async (store) => {
			const max = 3;
			const keys: PoolKey[] = [];
			for (let i = 0; i < max; i++) {
				keys.push(await createPool(store, { now: T0 + i, quota: max }));
			}
			await rejectsWith(
				createPool(store, { quota: max }),
				"LimitExceededException",
			);
			assert.equal(
				(await store.pools.list(HOME, { limit: 10 })).items.length,
				max,
			);
			// Other tenants have their own quota.
			for (const tenant of [
				{ accountId: OTHER_ACCOUNT, region: REGION },
				{ accountId: ACCOUNT, region: OTHER_REGION },
			]) {
				await createPool(store, { tenant, quota: max });
			}
			// Deleting one frees a place.
			const first = keys[0];
			assert.ok(first);
			assert.equal(await store.pools.delete(first, T0), true);
			await createPool(store, { quota: max });
			await rejectsWith(
				createPool(store, { quota: max }),
				"LimitExceededException",
			);
		});

		storeTest(
			"ensure creates a pool with its given id once, and answers the stored one after",
			async (store) => {
				const key = newPoolKey();
				const first = await store.pools.ensure(
					{ ...key, settings: settings("a"), tags: { t: "1" }, now: T0 },
					10,
				);
				assert.equal(first.created, true);
				assert.deepEqual(first.pool, await store.pools.get(key));
				const again = await store.pools.ensure(
					{ ...key, settings: settings("b"), tags: {}, now: T0 + 1 },
					10,
				);
				assert.equal(again.created, false);
				// The stored pool is answered as it is, not overwritten.
				assert.equal(again.pool.settings.IdentityPoolName, "a");
				assert.deepEqual(again.pool.tags, { t: "1" });
				assert.equal(again.pool.createdAt, T0);
				// An id taken in another account is answered with its own account, not created.
				const elsewhere = await store.pools.ensure(
					{
						...key,
						accountId: OTHER_ACCOUNT,
						settings: settings("c"),
						tags: {},
						now: T0,
					},
					10,
				);
				assert.equal(elsewhere.created, false);
				assert.equal(elsewhere.pool.accountId, ACCOUNT);
			},
		);

		storeTest(
			"ensure keeps the quota for a missing pool, not for one that exists",
			async (store) => {
				const key = newPoolKey();
				await store.pools.ensure(
					{ ...key, settings: settings("a"), tags: {}, now: T0 },
					1,
				);
				const existing = await store.pools.ensure(
					{ ...key, settings: settings("a"), tags: {}, now: T0 },
					1,
				);
				assert.equal(existing.created, false);
				await rejectsWith(
					store.pools.ensure(
						{ ...newPoolKey(), settings: settings("b"), tags: {}, now: T0 },
						1,
					),
					"LimitExceededException",
				);
			},
		);

		storeTest("concurrent ensures of one id create it once", async (store) => {
			const key = newPoolKey();
			const results = await Promise.all(
				Array.from({ length: 8 }, (_, i) =>
					store.pools.ensure(
						{ ...key, settings: settings(`n${i}`), tags: {}, now: T0 + i },
						100,
					),
				),
			);
			assert.equal(results.filter((r) => r.created).length, 1);
			const stored = await store.pools.get(key);
			for (const r of results)
				assert.deepEqual(r.pool.settings, stored?.settings);
			assert.equal(
				(await store.pools.list(HOME, { limit: 100 })).items.length,
				1,
			);
		});

		storeTest("concurrent creates never exceed the quota", async (store) => {
			const max = 5;
			const attempts = 16;
			const results = await Promise.allSettled(
				Array.from({ length: attempts }, (_, i) =>
					createPool(store, { now: T0 + i, quota: max }),
				),
			);
			const fulfilled = results.filter((r) => r.status === "fulfilled");
			const rejected = results.filter(
				(r): r is PromiseRejectedResult => r.status === "rejected",
			);
			assert.equal(fulfilled.length, max);
			assert.equal(rejected.length, attempts - max);
			for (const r of rejected) {
				assert.ok(r.reason instanceof ServiceError);
				assert.equal(r.reason.name, "LimitExceededException");
			}
			const listed = await store.pools.list(HOME, { limit: 100 });
			assert.equal(listed.items.length, max);
		});

		storeTest(
			"update replaces settings and tags with what apply computes",
			async (store) => {
				const key = newPoolKey();
				await store.pools.create(
					{
						...key,
						settings: settings("before", {
							SupportedLoginProviders: { "accounts.google.com": "c" },
						}),
						tags: { a: "1" },
						now: T0,
					},
					10,
				);
				const seen: string[] = [];
				const updated = await store.pools.update(
					key,
					(current) => {
						seen.push(current.settings.IdentityPoolName);
						assert.deepEqual(current.tags, { a: "1" });
						// Clears SupportedLoginProviders by leaving it out.
						return {
							settings: settings("after", { AllowClassicFlow: true }),
							tags: { b: "2" },
						};
					},
					T0 + 5,
				);
				assert.deepEqual(seen, ["before"]);
				const expected = {
					...key,
					settings: settings("after", { AllowClassicFlow: true }),
					roles: {},
					tags: { b: "2" },
					createdAt: T0,
					updatedAt: T0 + 5,
				};
				assert.deepEqual(updated, expected);
				assert.deepEqual(await store.pools.get(key), expected);
				assert.deepEqual((await store.pools.list(HOME, { limit: 10 })).items, [
					{ poolId: key.poolId, name: "after" },
				]);
			},
		);

		storeTest("update of an unknown pool answers undefined", async (store) => {
			let called = false;
			const result = await store.pools.update(
				newPoolKey(),
				(p) => {
					called = true;
					return { settings: p.settings, tags: p.tags };
				},
				T0,
			);
			assert.equal(result, undefined);
			assert.equal(called, false);
		});

		storeTest("update whose apply throws writes nothing", async (store) => {
			const key = await createPool(store);
			const before = await store.pools.get(key);
			await rejectsWith(
				store.pools.update(
					key,
					() => {
						throw new NotAuthorizedException("refused");
					},
					T0 + 10,
				),
				"NotAuthorizedException",
				"refused",
			);
			assert.deepEqual(await store.pools.get(key), before);
		});

		storeTest("delete answers whether the pool existed", async (store) => {
			const key = await createPool(store);
			assert.equal(await store.pools.delete(key, T0), true);
			assert.equal(await store.pools.get(key), undefined);
			assert.equal(await store.pools.delete(key, T0), false);
			assert.equal(await store.pools.delete(newPoolKey(), T0), false);
		});

		storeTest(
			"delete removes the pool's identities and logins, and only those",
			async (store) => {
				const pool = await createPool(store);
				const other = await createPool(store);
				const a = await identityWith(store, pool, [google("g-1")], T0 + 1);
				const b = await developerIdentity(store, pool, [dev("d-1")], T0 + 2);
				const guest = await createGuest(store, pool, T0 + 3);
				const kept = await identityWith(store, other, [google("g-1")], T0 + 4);
				assert.equal(await store.pools.delete(pool, T0), true);
				// Gone at once for reads by identity id; the rest goes with the purge.
				for (const id of [a.identityId, b.identityId, guest]) {
					assert.equal(await store.identities.get(id), undefined);
				}
				assert.deepEqual(await purgeAll(store, pool.poolId, 2), [2, 1]);
				assert.equal(await loginOwner(store, pool, google("g-1")), undefined);
				assert.equal(await loginOwner(store, pool, dev("d-1")), undefined);
				assert.deepEqual(
					(
						await store.identities.list(pool.poolId, {
							limit: 10,
							hideDisabled: false,
						})
					).items,
					[],
				);
				assert.deepEqual(
					await store.identities.developerLogins(pool.poolId, b.identityId, {
						limit: 10,
					}),
					{ items: [] },
				);
				// The other pool's identity and login are untouched.
				const still = await mustGet(store, kept.identityId);
				assert.deepEqual(still.logins, [google("g-1")]);
				assert.equal(
					await loginOwner(store, other, google("g-1")),
					kept.identityId,
				);
			},
		);

		storeTest(
			"list pages the tenant's pools in creation order",
			async (store) => {
				// Ids that sort in the reverse of creation order, all created at the same time:
				// only the creation order can give the expected listing.
				const keys = Array.from({ length: 7 }, (_, i) => ({
					...HOME,
					poolId: `${REGION}:${String(9 - i).repeat(8)}-0000-4000-8000-${randomUUID().slice(-12)}`,
				}));
				for (const [i, key] of keys.entries()) {
					await createPool(store, {
						key,
						settings: { IdentityPoolName: `pool-${i}` },
						quota: 100,
					});
				}
				// Another tenant's pools never show.
				await createPool(store, {
					tenant: { accountId: OTHER_ACCOUNT, region: REGION },
				});
				await createPool(store, {
					tenant: { accountId: ACCOUNT, region: OTHER_REGION },
				});

				const all = await store.pools.list(HOME, { limit: 100 });
				assert.deepEqual(
					all.items,
					keys.map((k, i) => ({ poolId: k.poolId, name: `pool-${i}` })),
				);
				assert.equal(all.next, undefined);

				const seen: string[] = [];
				let after: string | undefined;
				const sizes: number[] = [];
				for (;;) {
					const page = await store.pools.list(HOME, {
						limit: 3,
						...(after === undefined ? {} : { after }),
					});
					sizes.push(page.items.length);
					seen.push(...page.items.map((p) => p.poolId));
					if (page.next === undefined) break;
					assert.equal(typeof page.next, "string");
					after = page.next;
				}
				assert.deepEqual(sizes, [3, 3, 1]);
				assert.deepEqual(
					seen,
					keys.map((k) => k.poolId),
				);
			},
		);

		storeTest("list gives next only when more pools follow", async (store) => {
			assert.deepEqual(await store.pools.list(HOME, { limit: 5 }), {
				items: [],
			});
			const keys = [
				await createPool(store),
				await createPool(store),
				await createPool(store),
				await createPool(store),
			];
			const exact = await store.pools.list(HOME, { limit: 4 });
			assert.equal(exact.items.length, 4);
			assert.equal(exact.next, undefined);
			const first = await store.pools.list(HOME, { limit: 2 });
			assert.ok(first.next);
			const second = await store.pools.list(HOME, {
				limit: 2,
				after: first.next,
			});
			assert.deepEqual(
				second.items.map((p) => p.poolId),
				keys.slice(2).map((k) => k.poolId),
			);
			assert.equal(second.next, undefined);
		});

		storeTest(
			"list neither skips nor repeats pools when pools are created and deleted between pages",
			async (store) => {
				const keys: PoolKey[] = [];
				for (let i = 0; i < 6; i++) keys.push(await createPool(store));
				const [p1, p2, p3, p4, p5, p6] = keys as [
					PoolKey,
					PoolKey,
					PoolKey,
					PoolKey,
					PoolKey,
					PoolKey,
				];
				const seen: string[] = [];
				const page1 = await store.pools.list(HOME, { limit: 2 });
				seen.push(...page1.items.map((p) => p.poolId));
				assert.deepEqual(seen, [p1.poolId, p2.poolId]);
				assert.ok(page1.next);
				// The last pool of the page (the cursor's) and the next one go; others come.
				await store.pools.delete(p2, T0);
				await store.pools.delete(p3, T0);
				const p7 = await createPool(store);
				const page2 = await store.pools.list(HOME, {
					limit: 2,
					after: page1.next,
				});
				seen.push(...page2.items.map((p) => p.poolId));
				assert.ok(page2.next);
				await store.pools.delete(p1, T0);
				const p8 = await createPool(store);
				let after: string | undefined = page2.next;
				while (after !== undefined) {
					const page = await store.pools.list(HOME, { limit: 2, after });
					seen.push(...page.items.map((p) => p.poolId));
					after = page.next;
				}
				assert.equal(new Set(seen).size, seen.length, "no pool repeated");
				assert.deepEqual(seen, [
					p1.poolId,
					p2.poolId,
					p4.poolId,
					p5.poolId,
					p6.poolId,
					p7.poolId,
					p8.poolId,
				]);
			},
		);
	});

	describe("pools: findById", () => {
		storeTest(
			"findById finds a pool by id alone, in whatever account and region",
			async (store) => {
				const home = await createPool(store);
				const elsewhere = await createPool(store, {
					tenant: { accountId: OTHER_ACCOUNT, region: OTHER_REGION },
				});
				await store.pools.setRoles(
					elsewhere,
					{ authenticated: AUTH_ROLE },
					roleMappings(),
					T0 + 3,
				);
				assert.deepEqual(
					await store.pools.findById(home.poolId),
					await store.pools.get(home),
				);
				const found = await store.pools.findById(elsewhere.poolId);
				assert.ok(found);
				assert.equal(found.accountId, OTHER_ACCOUNT);
				assert.equal(found.region, OTHER_REGION);
				assert.deepEqual(found, await store.pools.get(elsewhere));
				assert.deepEqual(found.roleMappings, roleMappings());
				assert.equal(
					await store.pools.findById(newPoolKey().poolId),
					undefined,
				);
				await store.pools.delete(home, T0);
				assert.equal(await store.pools.findById(home.poolId), undefined);
			},
		);

		storeTest(
			"cached answers the pool as findById does, with a version; fresh after this store's own writes",
			async (store) => {
				const key = await createPool(store);
				const read = await store.pools.cached(key.poolId);
				assert.ok(read);
				assert.deepEqual(read.pool, await store.pools.findById(key.poolId));
				assert.equal(typeof read.version, "string");
				await store.pools.update(
					key,
					(p) => ({
						settings: { ...p.settings, AllowUnauthenticatedIdentities: false },
						tags: { after: "update" },
					}),
					T0 + 1,
				);
				const updated = await store.pools.cached(key.poolId);
				assert.equal(
					updated?.pool.settings.AllowUnauthenticatedIdentities,
					false,
				);
				assert.deepEqual(updated?.pool.tags, { after: "update" });
				await store.pools.setRoles(
					key,
					{ authenticated: AUTH_ROLE },
					undefined,
					T0 + 2,
				);
				assert.deepEqual((await store.pools.cached(key.poolId))?.pool.roles, {
					authenticated: AUTH_ROLE,
				});
				assert.equal(await store.pools.cached(newPoolKey().poolId), undefined);
				await store.pools.delete(key, T0 + 3);
				assert.equal(await store.pools.cached(key.poolId, true), undefined);
			},
		);

		storeTest(
			"tenants are the accounts and regions that hold a pool, in order, deleted pools aside",
			async (store) => {
				assert.deepEqual(await store.pools.tenants(), []);
				const elsewhere = { accountId: OTHER_ACCOUNT, region: REGION };
				const abroad = { accountId: ACCOUNT, region: OTHER_REGION };
				await createPool(store, { tenant: elsewhere });
				await createPool(store, { tenant: HOME });
				await createPool(store, { tenant: HOME });
				const gone = await createPool(store, { tenant: abroad });
				assert.deepEqual(await store.pools.tenants(), [
					abroad,
					HOME,
					elsewhere,
				]);
				await store.pools.delete(gone, T0 + 1);
				assert.deepEqual(await store.pools.tenants(), [HOME, elsewhere]);
			},
		);
	});
}
