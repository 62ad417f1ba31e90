/**
 * Migrations that change what a stored pool holds, checked on both engines: a pool as the
 * database stored it before the migration (each engine's test writes the row its own way,
 * with only the earlier migrations applied), and what the store must make of it after.
 */
import assert from "node:assert/strict";
import type { PoolKey } from "../../src/domain/records.ts";
import type { Store } from "../../src/store/store.ts";

/** A pool row as an older schema held it. */
export interface OldPool {
	/** The first migration the database has not had yet. */
	readonly before: number;
	readonly key: PoolKey;
	readonly settings: Record<string, unknown>;
}

const OLD_ACCOUNT = { accountId: "111111111111", region: "us-east-1" };

/** A pool stored before migration 4 (roles and role mappings). */
export const BEFORE_ROLES: OldPool = {
	before: 4,
	key: {
		...OLD_ACCOUNT,
		poolId: "us-east-1:00000000-0000-4000-8000-000000000004",
	},
	settings: { IdentityPoolName: "old", AllowUnauthenticatedIdentities: false },
};

/** A pool stored before migration 5 (principal tag maps). */
export const BEFORE_TAG_MAPS: OldPool = {
	before: 5,
	key: {
		...OLD_ACCOUNT,
		poolId: "us-east-1:00000000-0000-4000-8000-000000000005",
	},
	settings: {
		IdentityPoolName: "old",
		AllowUnauthenticatedIdentities: false,
		SupportedLoginProviders: { "www.amazon.com": "amzn1.application" },
	},
};

/** After migration 4: no roles, no mappings, the settings kept, and roles can be set. */
export async function assertRolesUpgrade(store: Store, now: number) {
	const { key } = BEFORE_ROLES;
	const pool = await store.pools.get(key);
	assert.ok(pool);
	assert.deepEqual(pool.roles, {});
	assert.equal("roleMappings" in pool, false);
	assert.equal(pool.settings.IdentityPoolName, "old");
	assert.equal(
		await store.pools.setRoles(
			key,
			{ authenticated: "arn:aws:iam::111111111111:role/A" },
			undefined,
			now,
		),
		true,
	);
}

/**
 * After migration 5: no principal tag map, one can be set and read back, and the pool can be
 * deleted (the engine's test then checks that its map went with it).
 */
export async function assertTagMapsUpgrade(store: Store, now: number) {
	const { key } = BEFORE_TAG_MAPS;
	assert.equal(
		await store.pools.getPrincipalTagMap(key, "www.amazon.com"),
		undefined,
	);
	const map = { useDefaults: true, principalTags: {} };
	assert.equal(
		await store.pools.setPrincipalTagMap(
			key,
			"www.amazon.com",
			map,
			now,
			() => {},
		),
		true,
	);
	assert.deepEqual(
		await store.pools.getPrincipalTagMap(key, "www.amazon.com"),
		map,
	);
	assert.equal(await store.pools.delete(key, now), true);
}

/** A pool stored before migration 7 (deleted pools purged afterwards). */
export const BEFORE_PURGES: OldPool = {
	before: 7,
	key: {
		...OLD_ACCOUNT,
		poolId: "us-east-1:00000000-0000-4000-8000-000000000007",
	},
	settings: { IdentityPoolName: "old", AllowUnauthenticatedIdentities: true },
};

/**
 * After migration 7: the pool is not deleted (found, listed, not awaiting a purge, takes
 * identities), and deleting it then purging it removes it.
 */
export async function assertPurgesUpgrade(store: Store, now: number) {
	const { key } = BEFORE_PURGES;
	assert.equal((await store.pools.get(key))?.settings.IdentityPoolName, "old");
	assert.deepEqual(
		(await store.pools.list(OLD_ACCOUNT, { limit: 10 })).items.map(
			(p) => p.poolId,
		),
		[key.poolId],
	);
	assert.deepEqual(await store.pools.awaitingPurge(), []);
	await store.identities.change(
		key,
		{ identityIds: [], logins: [] },
		() => ({
			change: {
				create: {
					identityId: "us-east-1:00000000-0000-4000-8000-0000000000a7",
					authenticated: false,
				},
			},
			result: undefined,
		}),
		now,
	);
	assert.equal(await store.pools.delete(key, now), true);
	assert.deepEqual(await store.pools.awaitingPurge(), [key.poolId]);
	assert.deepEqual(await store.pools.purge(key.poolId, 10), {
		removed: 1,
		done: true,
	});
	assert.deepEqual(await store.pools.awaitingPurge(), []);
}
