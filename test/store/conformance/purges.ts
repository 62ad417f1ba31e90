/**
 * @module test/store/conformance/purges
 * Deleting a pool (`pools.delete`) and purging it afterwards (`pools.awaitingPurge`,
 * `pools.purge`): the pool and its identities are gone for every read at once, whatever
 * their number; the purge removes the identities in batches of the size asked, then what is
 * left of the pool; nothing of other pools is touched.
 */
import assert from "node:assert/strict";
import { describe } from "node:test";
import type { PoolKey } from "../../../src/domain/records.ts";
import { DEVELOPER, dev, google } from "../../support/logins.ts";
import {
	AUTH_ROLE,
	applyChange,
	createGuest,
	createPool,
	developerIdentity,
	HOME,
	identityWith,
	loginOwner,
	mustGet,
	newIdentityId,
	purgeAll,
	rejectsWith,
	roleMappings,
	type StoreTest,
	settings,
	T0,
} from "./builders.ts";

/** Makes `n` identities in `pool`: guests, with a Google login, and developer users in turn. */
async function populate(
	store: Parameters<Parameters<StoreTest>[1]>[0],
	pool: PoolKey,
	n: number,
): Promise<string[]> {
	const ids: string[] = [];
	for (let i = 0; i < n; i++) {
		const now = T0 + i;
		if (i % 3 === 0) ids.push(await createGuest(store, pool, now));
		else if (i % 3 === 1)
			ids.push(
				(await identityWith(store, pool, [google(`g-${i}`)], now)).identityId,
			);
		else
			ids.push(
				(await developerIdentity(store, pool, [dev(`d-${i}`)], now)).identityId,
			);
	}
	return ids;
}

/** Declares the tests of this part, each on a store of its own. */
export function describePurges(storeTest: StoreTest): void {
	describe("pools: delete and purge", () => {
		storeTest(
			"a deleted pool is gone from every read at once, its identities from reads by id",
			async (store) => {
				const pool = await createPool(store, { quota: 1 });
				await store.pools.update(
					pool,
					() => ({ settings: settings("tagged"), tags: { team: "a" } }),
					T0 + 1,
				);
				await store.pools.setRoles(
					pool,
					{ authenticated: AUTH_ROLE },
					roleMappings(),
					T0 + 1,
				);
				const map = { useDefaults: false, principalTags: { u: "sub" } };
				await store.pools.setPrincipalTagMap(
					pool,
					DEVELOPER,
					map,
					T0 + 1,
					() => {},
				);
				const ids = await populate(store, pool, 6);
				assert.deepEqual(await store.pools.awaitingPurge(), []);

				assert.equal(await store.pools.delete(pool, T0 + 2), true);
				assert.equal(await store.pools.get(pool), undefined);
				assert.equal(await store.pools.findById(pool.poolId), undefined);
				assert.deepEqual(
					(await store.pools.list(HOME, { limit: 10 })).items,
					[],
				);
				assert.equal(
					await store.pools.getPrincipalTagMap(pool, DEVELOPER),
					undefined,
				);
				assert.equal(
					await store.pools.setRoles(
						pool,
						{ authenticated: AUTH_ROLE },
						undefined,
						T0 + 3,
					),
					false,
				);
				assert.equal(
					await store.pools.update(
						pool,
						() => ({ settings: settings("again"), tags: {} }),
						T0 + 3,
					),
					undefined,
				);
				// Deleted once only.
				assert.equal(await store.pools.delete(pool, T0 + 3), false);
				for (const id of ids) {
					assert.equal(await store.identities.get(id), undefined);
				}
				// Not found, so counted as deleted by DeleteIdentities, never "access-denied".
				assert.deepEqual(
					await store.identities.delete(
						{ accountId: "222222222222", region: pool.region },
						ids.slice(0, 2),
					),
					["not-found", "not-found"],
				);
				// Changes are refused, whether they create an identity or not.
				await rejectsWith(
					createGuest(store, pool, T0 + 4),
					"ResourceNotFoundException",
					`IdentityPool '${pool.poolId}' not found.`,
				);
				await rejectsWith(
					applyChange(
						store,
						pool,
						{ state: [{ identityId: ids[0] as string, state: "disabled" }] },
						T0 + 4,
					),
					"ResourceNotFoundException",
				);
				// It no longer counts against the quota: a new pool can be created at once.
				await createPool(store, { quota: 1 });
				assert.deepEqual(await store.pools.awaitingPurge(), [pool.poolId]);
			},
		);

		storeTest(
			"purge removes the identities in batches of the size asked, then the pool; other pools keep theirs",
			async (store) => {
				const pool = await createPool(store);
				const other = await createPool(store);
				const ids = await populate(store, pool, 10);
				const kept = await identityWith(store, other, [google("g-1")], T0 + 50);
				const keptDev = await developerIdentity(
					store,
					other,
					[dev("d-2")],
					T0 + 51,
				);
				await store.pools.delete(pool, T0 + 60);

				// Not deleted: left alone.
				assert.deepEqual(await store.pools.purge(other.poolId, 3), {
					removed: 0,
					done: true,
				});
				assert.deepEqual(await store.pools.purge(newIdentityId(), 3), {
					removed: 0,
					done: true,
				});
				assert.deepEqual(await store.pools.purge(pool.poolId, 3), {
					removed: 3,
					done: false,
				});
				// Until the purge ends the pool still awaits it, and stays out of every read.
				assert.deepEqual(await store.pools.awaitingPurge(), [pool.poolId]);
				assert.equal(await store.pools.findById(pool.poolId), undefined);
				assert.deepEqual(await purgeAll(store, pool.poolId, 3), [3, 3, 1]);
				assert.deepEqual(await store.pools.awaitingPurge(), []);
				// Purged again: nothing left to do.
				assert.deepEqual(await store.pools.purge(pool.poolId, 3), {
					removed: 0,
					done: true,
				});

				// Nothing of the pool is left, by any read.
				assert.deepEqual(
					(
						await store.identities.list(pool.poolId, {
							limit: 60,
							hideDisabled: false,
						})
					).items,
					[],
				);
				for (const [i, login] of [google("g-1"), dev("d-2")].entries()) {
					assert.equal(
						await loginOwner(store, pool, login),
						undefined,
						`login ${i}`,
					);
				}
				assert.deepEqual(
					await store.identities.developerLogins(
						pool.poolId,
						ids[2] as string,
						{
							limit: 10,
						},
					),
					{ items: [] },
				);
				// The other pool's identities and logins are whole.
				assert.deepEqual((await mustGet(store, kept.identityId)).logins, [
					google("g-1"),
				]);
				assert.equal(
					await loginOwner(store, other, dev("d-2")),
					keptDev.identityId,
				);
				assert.equal(
					(
						await store.identities.list(other.poolId, {
							limit: 60,
							hideDisabled: false,
						})
					).items.length,
					2,
				);
			},
		);

		storeTest(
			"a pool being purged holds its id: ensure refuses it until the purge ends, then creates it anew",
			async (store) => {
				const pool = await createPool(store);
				await populate(store, pool, 3);
				await store.pools.delete(pool, T0 + 10);
				const declared = {
					...pool,
					settings: settings("declared"),
					tags: {},
					now: T0 + 11,
				};
				await rejectsWith(
					store.pools.ensure(declared, 10),
					"ResourceConflictException",
				);
				await purgeAll(store, pool.poolId, 2);
				const { pool: stored, created } = await store.pools.ensure(
					declared,
					10,
				);
				assert.equal(created, true);
				assert.equal(stored.settings.IdentityPoolName, "declared");
				assert.deepEqual(
					(
						await store.identities.list(pool.poolId, {
							limit: 60,
							hideDisabled: false,
						})
					).items,
					[],
				);
			},
		);

		storeTest(
			"several purges of one pool at once remove each identity once and all end done",
			async (store) => {
				const pool = await createPool(store);
				await populate(store, pool, 12);
				await store.pools.delete(pool, T0 + 20);
				const runs = await Promise.all([
					purgeAll(store, pool.poolId, 2),
					purgeAll(store, pool.poolId, 2),
					purgeAll(store, pool.poolId, 2),
				]);
				const removed = runs.flat().reduce((a, b) => a + b, 0);
				assert.equal(removed, 12);
				assert.deepEqual(await store.pools.awaitingPurge(), []);
			},
		);
	});
}
