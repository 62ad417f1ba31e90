/**
 * @module test/store/conformance/pool-roles
 * What a pool holds beside its settings: roles and role mappings (`setRoles`), and
 * principal tag attribute maps (`setPrincipalTagMap`, `getPrincipalTagMap`).
 */
import assert from "node:assert/strict";
import { describe } from "node:test";
import type { PoolSettings } from "../../../src/domain/records.ts";
import {
	InvalidParameterException,
	ResourceNotFoundException,
} from "../../../src/errors/service-errors.ts";
import { DEVELOPER } from "../../support/logins.ts";
import {
	AUTH_ROLE,
	createPool,
	newPoolKey,
	OIDC_ARN,
	OTHER_ACCOUNT,
	OTHER_REGION,
	purgeAll,
	rejectsWith,
	roleMappings,
	type StoreTest,
	settings,
	T0,
	UNAUTH_ROLE,
} from "./builders.ts";

/** Declares the tests of this part, each on a store of its own. */
export function describePoolRoles(storeTest: StoreTest): void {
	describe("pools: roles", () => {
		storeTest("a new pool has no roles and no role mappings", async (store) => {
			const key = newPoolKey();
			const created = await store.pools.create(
				{ ...key, settings: settings("new"), tags: {}, now: T0 },
				10,
			);
			for (const pool of [created, await store.pools.get(key)]) {
				assert.ok(pool);
				assert.deepEqual(pool.roles, {});
				assert.equal("roleMappings" in pool, false);
			}
		});

		storeTest(
			"setRoles stores roles and mappings as given, and bumps updatedAt only",
			async (store) => {
				const key = await createPool(store, {
					settings: {
						SupportedLoginProviders: { "accounts.google.com": "client-1" },
					},
				});
				const before = await store.pools.get(key);
				assert.ok(before);
				const roles = {
					unauthenticated: UNAUTH_ROLE,
					authenticated: AUTH_ROLE,
				};
				assert.equal(
					await store.pools.setRoles(key, roles, roleMappings(), T0 + 5),
					true,
				);
				const after = await store.pools.get(key);
				assert.deepEqual(after, {
					...before,
					roles,
					roleMappings: roleMappings(),
					updatedAt: T0 + 5,
				});
				assert.ok(after);
				// Key order survives the round trip (answers keep the caller's order).
				assert.deepEqual(Object.keys(after.roles), Object.keys(roles));
				assert.deepEqual(
					Object.keys(after.roleMappings ?? {}),
					Object.keys(roleMappings()),
				);
			},
		);

		storeTest(
			"setRoles replaces: roles are replaced, undefined mappings and {} roles clear",
			async (store) => {
				const key = await createPool(store);
				await store.pools.setRoles(
					key,
					{ authenticated: AUTH_ROLE, unauthenticated: UNAUTH_ROLE },
					roleMappings(),
					T0 + 1,
				);
				// Replaced whole, not merged.
				const google = roleMappings()["accounts.google.com"];
				assert.ok(google);
				await store.pools.setRoles(
					key,
					{ authenticated: "arn:aws:iam::111111111111:role/Other" },
					{ "accounts.google.com": google },
					T0 + 2,
				);
				let pool = await store.pools.get(key);
				assert.ok(pool);
				assert.deepEqual(pool.roles, {
					authenticated: "arn:aws:iam::111111111111:role/Other",
				});
				assert.deepEqual(pool.roleMappings, {
					"accounts.google.com": google,
				});
				// Mappings omitted: cleared.
				await store.pools.setRoles(
					key,
					{ unauthenticated: UNAUTH_ROLE },
					undefined,
					T0 + 3,
				);
				pool = await store.pools.get(key);
				assert.ok(pool);
				assert.deepEqual(pool.roles, { unauthenticated: UNAUTH_ROLE });
				assert.equal("roleMappings" in pool, false);
				assert.equal(pool.updatedAt, T0 + 3);
				// Roles {}: cleared.
				await store.pools.setRoles(key, {}, undefined, T0 + 4);
				pool = await store.pools.get(key);
				assert.ok(pool);
				assert.deepEqual(pool.roles, {});
				assert.equal("roleMappings" in pool, false);
				assert.equal(pool.updatedAt, T0 + 4);
			},
		);

		storeTest(
			"update keeps the roles and mappings, and answers them",
			async (store) => {
				const key = await createPool(store);
				await store.pools.setRoles(
					key,
					{ authenticated: AUTH_ROLE },
					roleMappings(),
					T0 + 1,
				);
				const updated = await store.pools.update(
					key,
					(current) => {
						assert.deepEqual(current.roles, { authenticated: AUTH_ROLE });
						assert.deepEqual(current.roleMappings, roleMappings());
						return {
							settings: settings("renamed"),
							tags: current.tags,
						};
					},
					T0 + 2,
				);
				assert.ok(updated);
				assert.deepEqual(updated.roles, { authenticated: AUTH_ROLE });
				assert.deepEqual(updated.roleMappings, roleMappings());
				assert.deepEqual(await store.pools.get(key), updated);
			},
		);

		storeTest(
			"setRoles of an unknown pool or of another tenant's pool answers false and writes nothing",
			async (store) => {
				const key = await createPool(store);
				const other = await createPool(store);
				await store.pools.setRoles(
					other,
					{ authenticated: AUTH_ROLE },
					roleMappings(),
					T0 + 1,
				);
				const before = await store.pools.get(key);
				const otherBefore = await store.pools.get(other);
				for (const wrong of [
					newPoolKey(),
					{ ...key, accountId: OTHER_ACCOUNT },
					{ ...key, region: OTHER_REGION },
				]) {
					assert.equal(
						await store.pools.setRoles(
							wrong,
							{ authenticated: "arn:aws:iam::222222222222:role/Stolen" },
							{},
							T0 + 9,
						),
						false,
					);
				}
				assert.deepEqual(await store.pools.get(key), before);
				// Setting one pool's roles leaves every other pool alone.
				await store.pools.setRoles(
					key,
					{ unauthenticated: UNAUTH_ROLE },
					undefined,
					T0 + 10,
				);
				assert.deepEqual(await store.pools.get(other), otherBefore);
			},
		);

		storeTest(
			"setRoles runs its check on the pool as stored, and a refusal writes nothing",
			async (store) => {
				const key = await createPool(store);
				await store.pools.setRoles(
					key,
					{ authenticated: AUTH_ROLE },
					undefined,
					T0 + 1,
				);
				const stored = await store.pools.get(key);
				const seen: unknown[] = [];
				assert.equal(
					await store.pools.setRoles(
						key,
						{ unauthenticated: UNAUTH_ROLE },
						roleMappings(),
						T0 + 2,
						(current) => {
							seen.push(current);
						},
					),
					true,
				);
				assert.deepEqual(seen, [stored]);
				const written = await store.pools.get(key);
				assert.deepEqual(written?.roles, { unauthenticated: UNAUTH_ROLE });
				await assert.rejects(
					store.pools.setRoles(
						key,
						{ authenticated: "arn:aws:iam::000000000000:role/Other" },
						undefined,
						T0 + 3,
						() => {
							throw new InvalidParameterException("refused");
						},
					),
					InvalidParameterException,
				);
				assert.deepEqual(await store.pools.get(key), written);
				// No pool: the check does not run.
				let ran = false;
				assert.equal(
					await store.pools.setRoles(
						newPoolKey(),
						{},
						undefined,
						T0 + 4,
						() => {
							ran = true;
						},
					),
					false,
				);
				assert.equal(ran, false);
			},
		);

		storeTest(
			"deleting a pool deletes its roles and mappings",
			async (store) => {
				const key = await createPool(store);
				await store.pools.setRoles(
					key,
					{ authenticated: AUTH_ROLE, unauthenticated: UNAUTH_ROLE },
					roleMappings(),
					T0 + 1,
				);
				assert.equal(await store.pools.delete(key, T0), true);
				assert.equal(await store.pools.get(key), undefined);
				assert.equal(
					await store.pools.setRoles(
						key,
						{ authenticated: AUTH_ROLE },
						undefined,
						T0 + 2,
					),
					false,
				);
				// A pool created again under the same id, once purged, starts with nothing.
				await purgeAll(store, key.poolId);
				await createPool(store, { key, now: T0 + 3 });
				const again = await store.pools.get(key);
				assert.ok(again);
				assert.deepEqual(again.roles, {});
				assert.equal("roleMappings" in again, false);
			},
		);
	});

	describe("pools: principal tag maps", () => {
		const USER_POOL = "cognito-idp.us-east-1.amazonaws.com/us-east-1_abc";
		const noCheck = () => {};

		storeTest(
			"a pool has no map for any provider until one is set",
			async (store) => {
				const key = await createPool(store);
				for (const provider of [
					"accounts.google.com",
					USER_POOL,
					OIDC_ARN,
					DEVELOPER,
				]) {
					assert.equal(
						await store.pools.getPrincipalTagMap(key, provider),
						undefined,
					);
				}
			},
		);

		storeTest(
			"setPrincipalTagMap stores the map as given, per provider, and bumps updatedAt only",
			async (store) => {
				const key = await createPool(store);
				const before = await store.pools.get(key);
				assert.ok(before);
				// Keys in a non-sorted order: the order survives the round trip.
				const custom = {
					useDefaults: false,
					principalTags: {
						tenant: "custom:tenant",
						actor: "sub",
						"é-ключ": "claim with spaces/and:colons",
					},
				};
				assert.equal(
					await store.pools.setPrincipalTagMap(
						key,
						USER_POOL,
						custom,
						T0 + 5,
						noCheck,
					),
					true,
				);
				const stored = await store.pools.getPrincipalTagMap(key, USER_POOL);
				assert.deepEqual(stored, custom);
				assert.ok(stored);
				assert.deepEqual(
					Object.keys(stored.principalTags),
					Object.keys(custom.principalTags),
				);
				// Another provider has none; the pool is unchanged but for updatedAt.
				assert.equal(
					await store.pools.getPrincipalTagMap(key, OIDC_ARN),
					undefined,
				);
				assert.deepEqual(await store.pools.get(key), {
					...before,
					updatedAt: T0 + 5,
				});
				// Defaults, and the inactive map, are stored as given too.
				for (const map of [
					{ useDefaults: true, principalTags: {} },
					{ useDefaults: false, principalTags: {} },
				]) {
					await store.pools.setPrincipalTagMap(
						key,
						OIDC_ARN,
						map,
						T0 + 6,
						noCheck,
					);
					assert.deepEqual(
						await store.pools.getPrincipalTagMap(key, OIDC_ARN),
						map,
					);
				}
			},
		);

		storeTest(
			"setting one provider's map replaces that map whole and keeps the others",
			async (store) => {
				const key = await createPool(store);
				const google = {
					useDefaults: false,
					principalTags: { a: "email", b: "name" },
				};
				await store.pools.setPrincipalTagMap(
					key,
					"accounts.google.com",
					google,
					T0 + 1,
					noCheck,
				);
				await store.pools.setPrincipalTagMap(
					key,
					USER_POOL,
					{ useDefaults: true, principalTags: {} },
					T0 + 2,
					noCheck,
				);
				// Replaced, not merged.
				await store.pools.setPrincipalTagMap(
					key,
					USER_POOL,
					{ useDefaults: false, principalTags: { c: "custom:c" } },
					T0 + 3,
					noCheck,
				);
				assert.deepEqual(await store.pools.getPrincipalTagMap(key, USER_POOL), {
					useDefaults: false,
					principalTags: { c: "custom:c" },
				});
				assert.deepEqual(
					await store.pools.getPrincipalTagMap(key, "accounts.google.com"),
					google,
				);
				assert.equal((await store.pools.get(key))?.updatedAt, T0 + 3);
			},
		);

		storeTest(
			"provider names are exact: case, scheme and trailing text all differ",
			async (store) => {
				const key = await createPool(store);
				const map = { useDefaults: true, principalTags: {} };
				await store.pools.setPrincipalTagMap(
					key,
					"accounts.google.com",
					map,
					T0 + 1,
					noCheck,
				);
				for (const other of [
					"Accounts.google.com",
					"https://accounts.google.com",
					"accounts.google.com ",
					"accounts.google",
				]) {
					assert.equal(
						await store.pools.getPrincipalTagMap(key, other),
						undefined,
					);
				}
				assert.deepEqual(
					await store.pools.getPrincipalTagMap(key, "accounts.google.com"),
					map,
				);
			},
		);

		storeTest(
			"check sees the pool as stored, and its refusal writes nothing",
			async (store) => {
				const key = await createPool(store, {
					settings: {
						SupportedLoginProviders: { "accounts.google.com": "client-1" },
					},
				});
				const first = { useDefaults: false, principalTags: { a: "sub" } };
				await store.pools.setPrincipalTagMap(
					key,
					"accounts.google.com",
					first,
					T0 + 1,
					noCheck,
				);
				await store.pools.update(
					key,
					() => ({ settings: settings("renamed"), tags: { t: "1" } }),
					T0 + 2,
				);
				const before = await store.pools.get(key);
				let seen: PoolSettings | undefined;
				await rejectsWith(
					store.pools.setPrincipalTagMap(
						key,
						"accounts.google.com",
						{ useDefaults: true, principalTags: {} },
						T0 + 3,
						(current) => {
							seen = current.settings;
							assert.deepEqual(current, before);
							throw new ResourceNotFoundException("not configured");
						},
					),
					"ResourceNotFoundException",
					"not configured",
				);
				assert.deepEqual(seen, settings("renamed"));
				assert.deepEqual(
					await store.pools.getPrincipalTagMap(key, "accounts.google.com"),
					first,
				);
				assert.deepEqual(await store.pools.get(key), before);
			},
		);

		storeTest(
			"an unknown pool or another tenant's pool answers false, is not checked, and is left alone",
			async (store) => {
				const key = await createPool(store);
				const map = { useDefaults: false, principalTags: { k: "sub" } };
				await store.pools.setPrincipalTagMap(
					key,
					USER_POOL,
					map,
					T0 + 1,
					noCheck,
				);
				const before = await store.pools.get(key);
				for (const wrong of [
					newPoolKey(),
					{ ...key, accountId: OTHER_ACCOUNT },
					{ ...key, region: OTHER_REGION },
				]) {
					assert.equal(
						await store.pools.setPrincipalTagMap(
							wrong,
							USER_POOL,
							{ useDefaults: true, principalTags: {} },
							T0 + 9,
							() => assert.fail("check must not run"),
						),
						false,
					);
					// Another tenant never reads this pool's map.
					assert.equal(
						await store.pools.getPrincipalTagMap(wrong, USER_POOL),
						undefined,
					);
				}
				assert.deepEqual(
					await store.pools.getPrincipalTagMap(key, USER_POOL),
					map,
				);
				assert.deepEqual(await store.pools.get(key), before);
			},
		);

		storeTest(
			"maps belong to one pool: another pool's provider of the same name is separate",
			async (store) => {
				const a = await createPool(store);
				const b = await createPool(store);
				await store.pools.setPrincipalTagMap(
					a,
					USER_POOL,
					{ useDefaults: false, principalTags: { x: "sub" } },
					T0 + 1,
					noCheck,
				);
				assert.equal(
					await store.pools.getPrincipalTagMap(b, USER_POOL),
					undefined,
				);
				await store.pools.setPrincipalTagMap(
					b,
					USER_POOL,
					{ useDefaults: true, principalTags: {} },
					T0 + 2,
					noCheck,
				);
				assert.deepEqual(await store.pools.getPrincipalTagMap(a, USER_POOL), {
					useDefaults: false,
					principalTags: { x: "sub" },
				});
			},
		);

		storeTest("update and setRoles keep the maps", async (store) => {
			const key = await createPool(store);
			const map = { useDefaults: false, principalTags: { x: "sub" } };
			await store.pools.setPrincipalTagMap(key, OIDC_ARN, map, T0 + 1, noCheck);
			await store.pools.update(
				key,
				(current) => ({
					settings: settings("renamed"),
					tags: current.tags,
				}),
				T0 + 2,
			);
			await store.pools.setRoles(
				key,
				{ authenticated: AUTH_ROLE },
				roleMappings(),
				T0 + 3,
			);
			assert.deepEqual(
				await store.pools.getPrincipalTagMap(key, OIDC_ARN),
				map,
			);
		});

		storeTest(
			"deleting a pool deletes its maps; a pool created again under its id has none",
			async (store) => {
				const key = await createPool(store);
				const other = await createPool(store);
				const map = { useDefaults: true, principalTags: {} };
				await store.pools.setPrincipalTagMap(
					key,
					USER_POOL,
					map,
					T0 + 1,
					noCheck,
				);
				await store.pools.setPrincipalTagMap(
					other,
					USER_POOL,
					map,
					T0 + 1,
					noCheck,
				);
				assert.equal(await store.pools.delete(key, T0), true);
				assert.equal(
					await store.pools.getPrincipalTagMap(key, USER_POOL),
					undefined,
				);
				assert.equal(
					await store.pools.setPrincipalTagMap(
						key,
						USER_POOL,
						map,
						T0 + 2,
						noCheck,
					),
					false,
				);
				await purgeAll(store, key.poolId);
				await createPool(store, { key, now: T0 + 3 });
				assert.equal(
					await store.pools.getPrincipalTagMap(key, USER_POOL),
					undefined,
				);
				// Other pools keep theirs.
				assert.deepEqual(
					await store.pools.getPrincipalTagMap(other, USER_POOL),
					map,
				);
			},
		);

		storeTest(
			"concurrent sets of one pool's providers all persist; concurrent sets of one provider keep one whole map",
			async (store) => {
				const key = await createPool(store);
				const providers = Array.from(
					{ length: 12 },
					(_, i) =>
						`arn:aws:iam::111111111111:oidc-provider/issuer-${i}.example`,
				);
				await Promise.all(
					providers.map((p, i) =>
						store.pools.setPrincipalTagMap(
							key,
							p,
							{ useDefaults: false, principalTags: { n: `claim-${i}` } },
							T0 + i,
							noCheck,
						),
					),
				);
				for (const [i, p] of providers.entries()) {
					assert.deepEqual(await store.pools.getPrincipalTagMap(key, p), {
						useDefaults: false,
						principalTags: { n: `claim-${i}` },
					});
				}
				const maps = Array.from({ length: 12 }, (_, i) => ({
					useDefaults: i % 2 === 0,
					principalTags:
						i % 2 === 0 ? {} : { [`k${i}`]: `c${i}`, [`j${i}`]: `d${i}` },
				}));
				await Promise.all(
					maps.map((m, i) =>
						store.pools.setPrincipalTagMap(
							key,
							USER_POOL,
							m,
							T0 + 100 + i,
							noCheck,
						),
					),
				);
				const last = await store.pools.getPrincipalTagMap(key, USER_POOL);
				assert.ok(
					maps.some((m) => JSON.stringify(m) === JSON.stringify(last)),
					`not one of the maps set: ${JSON.stringify(last)}`,
				);
			},
		);
	});
}
