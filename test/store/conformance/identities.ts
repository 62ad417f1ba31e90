/**
 * @module test/store/conformance/identities
 * `store.identities`: `change` (creating, linking, unlinking, disabling, merging, with
 * its snapshot and its all-or-nothing writes), the reads (get, getWithPoolVersion, findByLogin, list,
 * developerLogins) and delete.
 */
import assert from "node:assert/strict";
import { describe } from "node:test";
import { planUnlink } from "../../../src/domain/identities.ts";
import {
	type IdentitySnapshot,
	type LoginRef,
	loginKey,
} from "../../../src/domain/records.ts";
import { NotAuthorizedException } from "../../../src/errors/service-errors.ts";
import { amazon, dev, facebook, google } from "../../support/logins.ts";
import {
	ACCOUNT,
	allIdentities,
	applyChange,
	createGuest,
	createPool,
	developerIdentity,
	HOME,
	identityWith,
	loginOwner,
	mustGet,
	newIdentityId,
	newPoolKey,
	OTHER_ACCOUNT,
	OTHER_REGION,
	presentLogins,
	REGION,
	rejectsWith,
	type StoreTest,
	sorted,
	T0,
} from "./builders.ts";

/** Declares the tests of this part, each on a store of its own. */
export function describeIdentities(storeTest: StoreTest): void {
	describe("identities: change", () => {
		storeTest("create makes a guest identity", async (store) => {
			const pool = await createPool(store);
			const id = await createGuest(store, pool, T0 + 7);
			assert.deepEqual(await store.identities.get(id), {
				identityId: id,
				poolId: pool.poolId,
				accountId: pool.accountId,
				region: pool.region,
				state: "active",
				authenticated: false,
				logins: [],
				createdAt: T0 + 7,
				updatedAt: T0 + 7,
			});
		});

		storeTest(
			"a change for a pool deleted meanwhile is ResourceNotFoundException and writes nothing",
			async (store) => {
				const pool = await createPool(store);
				assert.equal(await store.pools.delete(pool, T0), true);
				const id = newIdentityId();
				await rejectsWith(
					applyChange(
						store,
						pool,
						{
							create: { identityId: id, authenticated: true },
							link: [{ identityId: id, login: dev("gone") }],
						},
						T0,
					),
					"ResourceNotFoundException",
					`IdentityPool '${pool.poolId}' not found.`,
				);
				await rejectsWith(
					createGuest(store, pool, T0),
					"ResourceNotFoundException",
				);
				assert.equal(await store.identities.get(id), undefined);
			},
		);

		storeTest(
			"create and link in one change make an authenticated identity with its logins in link order",
			async (store) => {
				const pool = await createPool(store);
				const id = newIdentityId();
				const logins = [dev("d-2"), google("g-1"), dev("d-1")];
				await applyChange(
					store,
					pool,
					{
						create: { identityId: id, authenticated: true },
						link: logins.map((login) => ({ identityId: id, login })),
					},
					T0 + 3,
				);
				const identity = await mustGet(store, id);
				assert.equal(identity.authenticated, true);
				assert.equal(identity.state, "active");
				assert.deepEqual(identity.logins, logins);
				assert.equal(identity.createdAt, T0 + 3);
				assert.equal(identity.updatedAt, T0 + 3);
				for (const login of logins) {
					assert.equal(await loginOwner(store, pool, login), id);
				}
			},
		);

		storeTest(
			"the snapshot holds the identities named and the owners of the logins named, of the pool only",
			async (store) => {
				const pool = await createPool(store);
				const other = await createPool(store);
				const a = await identityWith(
					store,
					pool,
					[google("g-a"), facebook("f-a")],
					T0 + 1,
				);
				const b = await developerIdentity(store, pool, [dev("d-b")], T0 + 2);
				const guest = await createGuest(store, pool, T0 + 3);
				const unrelated = await identityWith(
					store,
					pool,
					[google("g-u")],
					T0 + 4,
				);
				const foreign = await identityWith(
					store,
					other,
					[google("g-x")],
					T0 + 5,
				);
				const unknown = newIdentityId();
				let captured: IdentitySnapshot | undefined;
				await store.identities.change(
					pool,
					{
						identityIds: [guest, foreign.identityId, unknown],
						logins: [
							google("g-a"),
							dev("d-b"),
							google("g-x"),
							amazon("nobody"),
						],
					},
					(snapshot) => {
						captured = snapshot;
						return { change: {}, result: undefined };
					},
					T0 + 10,
				);
				assert.ok(captured);
				assert.deepEqual(
					sorted([...captured.identities.keys()]),
					sorted([a.identityId, b.identityId, guest]),
				);
				assert.deepEqual(
					captured.identities.get(a.identityId),
					await mustGet(store, a.identityId),
				);
				assert.deepEqual(captured.identities.get(a.identityId)?.logins, [
					google("g-a"),
					facebook("f-a"),
				]);
				assert.deepEqual(
					captured.identities.get(guest),
					await mustGet(store, guest),
				);
				assert.deepEqual(
					new Map(captured.owners),
					new Map([
						[loginKey(google("g-a")), a.identityId],
						[loginKey(dev("d-b")), b.identityId],
					]),
				);
				assert.equal(captured.identities.has(unrelated.identityId), false);
				// An empty change writes nothing.
				assert.deepEqual(
					await mustGet(store, a.identityId),
					captured.identities.get(a.identityId),
				);
			},
		);

		storeTest("plan throwing writes nothing", async (store) => {
			const pool = await createPool(store);
			const a = await identityWith(store, pool, [google("g-a")], T0 + 1);
			const before = await mustGet(store, a.identityId);
			await rejectsWith(
				store.identities.change(
					pool,
					{ identityIds: [a.identityId], logins: [google("g-a")] },
					() => {
						throw new NotAuthorizedException("no");
					},
					T0 + 2,
				),
				"NotAuthorizedException",
				"no",
			);
			assert.deepEqual(await mustGet(store, a.identityId), before);
			assert.equal((await allIdentities(store, pool.poolId)).length, 1);
		});

		storeTest(
			"a change that would link a login twice in the pool fails as a whole",
			async (store) => {
				const pool = await createPool(store);
				const a = await identityWith(store, pool, [google("g-a")], T0 + 1);
				const before = await mustGet(store, a.identityId);
				const id = newIdentityId();
				await assert.rejects(
					applyChange(
						store,
						pool,
						{
							create: { identityId: id, authenticated: true },
							link: [
								{ identityId: id, login: facebook("f-new") },
								{ identityId: id, login: google("g-a") },
							],
						},
						T0 + 2,
					),
				);
				assert.equal(await store.identities.get(id), undefined);
				assert.equal(
					await loginOwner(store, pool, facebook("f-new")),
					undefined,
				);
				assert.deepEqual(await mustGet(store, a.identityId), before);
			},
		);

		storeTest(
			"logins are unique per pool; the same login may exist in two pools",
			async (store) => {
				const p1 = await createPool(store);
				const p2 = await createPool(store);
				const a = await identityWith(store, p1, [google("same")], T0 + 1);
				const b = await identityWith(store, p2, [google("same")], T0 + 2);
				assert.equal(a.created, true);
				assert.equal(b.created, true);
				assert.notEqual(a.identityId, b.identityId);
				assert.equal(await loginOwner(store, p1, google("same")), a.identityId);
				assert.equal(await loginOwner(store, p2, google("same")), b.identityId);
				const again = await identityWith(store, p1, [google("same")], T0 + 3);
				assert.deepEqual(again, { identityId: a.identityId, created: false });
				assert.equal((await allIdentities(store, p1.poolId)).length, 1);
			},
		);

		storeTest(
			"concurrent first logins of one developer user create one identity",
			async (store) => {
				const pool = await createPool(store);
				const answers = await Promise.all(
					Array.from({ length: 20 }, (_, i) =>
						developerIdentity(store, pool, [dev("racer")], T0 + i),
					),
				);
				const ids = new Set(answers.map((a) => a.identityId));
				assert.equal(ids.size, 1);
				assert.equal(answers.filter((a) => a.created).length, 1);
				const listed = await allIdentities(store, pool.poolId);
				assert.equal(listed.length, 1);
				assert.deepEqual(listed[0]?.logins, [dev("racer")]);
				assert.equal(listed[0]?.identityId, answers[0]?.identityId);
			},
		);

		storeTest(
			"concurrent first logins of one external user create one identity",
			async (store) => {
				const pool = await createPool(store);
				const answers = await Promise.all(
					Array.from({ length: 20 }, (_, i) =>
						identityWith(store, pool, [google("racer")], T0 + i),
					),
				);
				assert.equal(new Set(answers.map((a) => a.identityId)).size, 1);
				assert.equal(answers.filter((a) => a.created).length, 1);
				assert.equal((await allIdentities(store, pool.poolId)).length, 1);
			},
		);

		storeTest(
			"concurrent sign-ins of two guests with one new login end with the login on one identity",
			async (store) => {
				const pool = await createPool(store);
				const g1 = await createGuest(store, pool, T0 + 1);
				const g2 = await createGuest(store, pool, T0 + 2);
				const answers = await Promise.all(
					[g1, g2].map((identityId, i) =>
						presentLogins(
							store,
							pool,
							{ identityId, logins: [google("shared")] },
							T0 + 10 + i,
						),
					),
				);
				const owner = await store.identities.findByLogin(
					pool.poolId,
					google("shared"),
				);
				assert.ok(owner);
				assert.deepEqual(owner.logins, [google("shared")]);
				for (const a of answers) assert.equal(a.identityId, owner.identityId);
				const other = await mustGet(store, owner.identityId === g1 ? g2 : g1);
				assert.equal(other.state, "disabled");
				assert.deepEqual(other.logins, []);
			},
		);

		storeTest(
			"merge moves every login and disables the source; the target counts as authenticated",
			async (store) => {
				const pool = await createPool(store);
				const a = await developerIdentity(
					store,
					pool,
					[dev("d-a"), google("g-a")],
					T0 + 1,
				);
				const guest = await createGuest(store, pool, T0 + 2);
				await applyChange(
					store,
					pool,
					{ merge: [{ from: a.identityId, into: guest }] },
					T0 + 3,
				);
				const from = await mustGet(store, a.identityId);
				const into = await mustGet(store, guest);
				assert.equal(from.state, "disabled");
				assert.deepEqual(from.logins, []);
				assert.deepEqual(
					sorted(into.logins.map(loginKey)),
					sorted([loginKey(dev("d-a")), loginKey(google("g-a"))]),
				);
				assert.equal(into.state, "active");
				// "authenticated: whether it ever had a login": it has some now.
				assert.equal(into.authenticated, true);
				assert.equal(from.updatedAt, T0 + 3);
				assert.equal(into.updatedAt, T0 + 3);
				assert.equal(await loginOwner(store, pool, dev("d-a")), guest);
			},
		);

		storeTest(
			"unlink removes logins from whichever identity holds them; state sets states",
			async (store) => {
				const pool = await createPool(store);
				const a = await developerIdentity(
					store,
					pool,
					[dev("d-1"), dev("d-2")],
					T0 + 1,
				);
				await applyChange(
					store,
					pool,
					{ unlink: [dev("d-1"), dev("nobody")] },
					T0 + 2,
				);
				let identity = await mustGet(store, a.identityId);
				assert.deepEqual(identity.logins, [dev("d-2")]);
				assert.equal(identity.state, "active");
				assert.equal(identity.updatedAt, T0 + 2);
				assert.equal(await loginOwner(store, pool, dev("d-1")), undefined);
				await applyChange(
					store,
					pool,
					{
						unlink: [dev("d-2")],
						state: [{ identityId: a.identityId, state: "inaccessible" }],
					},
					T0 + 3,
				);
				identity = await mustGet(store, a.identityId);
				assert.deepEqual(identity.logins, []);
				assert.equal(identity.state, "inaccessible");
				assert.equal(identity.authenticated, true);
				assert.equal(identity.updatedAt, T0 + 3);
				assert.equal(identity.createdAt, T0 + 1);
			},
		);

		storeTest(
			"a change is applied in the order create, merge, unlink, link, state",
			async (store) => {
				const pool = await createPool(store);
				const a = await identityWith(
					store,
					pool,
					[google("g-a"), facebook("f-a")],
					T0 + 1,
				);
				const id = newIdentityId();
				// Merge into the identity created by the same change, then unlink one of the
				// logins it received and link it again (possible only in that order).
				await applyChange(
					store,
					pool,
					{
						create: { identityId: id, authenticated: true },
						merge: [{ from: a.identityId, into: id }],
						unlink: [facebook("f-a")],
						link: [
							{ identityId: id, login: facebook("f-a") },
							{ identityId: id, login: dev("d-new") },
						],
						state: [{ identityId: a.identityId, state: "inaccessible" }],
					},
					T0 + 2,
				);
				const created = await mustGet(store, id);
				assert.deepEqual(
					sorted(created.logins.map(loginKey)),
					sorted([google("g-a"), facebook("f-a"), dev("d-new")].map(loginKey)),
				);
				assert.equal(
					(await mustGet(store, a.identityId)).state,
					"inaccessible",
				);
			},
		);

		storeTest(
			"timestamps: createdAt and updatedAt come from now; updatedAt moves on link, unlink and merge",
			async (store) => {
				const pool = await createPool(store);
				const a = await identityWith(store, pool, [google("g-a")], T0 + 100);
				let identity = await mustGet(store, a.identityId);
				assert.equal(identity.createdAt, T0 + 100);
				assert.equal(identity.updatedAt, T0 + 100);

				// Returning with a known login changes nothing.
				await identityWith(store, pool, [google("g-a")], T0 + 150);
				identity = await mustGet(store, a.identityId);
				assert.equal(identity.updatedAt, T0 + 100);

				// Link.
				await presentLogins(
					store,
					pool,
					{
						identityId: a.identityId,
						logins: [google("g-a"), facebook("f-a")],
					},
					T0 + 200,
				);
				identity = await mustGet(store, a.identityId);
				assert.equal(identity.createdAt, T0 + 100);
				assert.equal(identity.updatedAt, T0 + 200);

				// Unlink.
				await store.identities.change(
					pool,
					{ identityIds: [a.identityId], logins: [facebook("f-a")] },
					(s) =>
						planUnlink(s, {
							identityId: a.identityId,
							logins: [facebook("f-a")],
						}),
					T0 + 300,
				);
				identity = await mustGet(store, a.identityId);
				assert.equal(identity.updatedAt, T0 + 300);

				// Merge: both the target and the merged identity move.
				const b = await identityWith(store, pool, [amazon("z-b")], T0 + 400);
				await identityWith(
					store,
					pool,
					[google("g-a"), amazon("z-b")],
					T0 + 500,
				);
				identity = await mustGet(store, a.identityId);
				const merged = await mustGet(store, b.identityId);
				assert.equal(identity.updatedAt, T0 + 500);
				assert.equal(identity.createdAt, T0 + 100);
				assert.equal(merged.updatedAt, T0 + 500);
				assert.equal(merged.createdAt, T0 + 400);
				assert.equal(merged.state, "disabled");
			},
		);
	});

	describe("identities: reading", () => {
		storeTest(
			"get finds an identity in any pool, account or region; unknown is undefined",
			async (store) => {
				const pool = await createPool(store, {
					tenant: { accountId: OTHER_ACCOUNT, region: OTHER_REGION },
				});
				const a = await identityWith(store, pool, [google("g-a")], T0 + 1);
				const identity = await mustGet(store, a.identityId);
				assert.equal(identity.poolId, pool.poolId);
				assert.equal(identity.accountId, OTHER_ACCOUNT);
				assert.equal(identity.region, OTHER_REGION);
				assert.equal(await store.identities.get(newIdentityId()), undefined);
			},
		);

		storeTest(
			"getWithPoolVersion answers what get answers, with the pool's version as pools.cached reads it; nothing in a deleted pool",
			async (store) => {
				const pool = await createPool(store);
				const a = await identityWith(store, pool, [google("g-v")], T0 + 1);
				const found = await store.identities.getWithPoolVersion(a.identityId);
				assert.deepEqual(found?.identity, await mustGet(store, a.identityId));
				const read = await store.pools.cached(pool.poolId, true);
				assert.equal(found?.poolVersion, read?.version);
				await store.pools.update(
					pool,
					(p) => ({ settings: p.settings, tags: { changed: "1" } }),
					T0 + 2,
				);
				const after = await store.identities.getWithPoolVersion(a.identityId);
				assert.equal(
					after?.poolVersion,
					(await store.pools.cached(pool.poolId, true))?.version,
				);
				assert.equal(
					await store.identities.getWithPoolVersion(newIdentityId()),
					undefined,
				);
				assert.equal(await store.pools.delete(pool, T0 + 3), true);
				assert.equal(
					await store.identities.getWithPoolVersion(a.identityId),
					undefined,
				);
			},
		);

		storeTest(
			"ownerOf and findByLogin find the holder of a login within the pool only",
			async (store) => {
				const pool = await createPool(store);
				const other = await createPool(store);
				const a = await identityWith(
					store,
					pool,
					[google("g-a"), facebook("f-a"), dev("d-a")],
					T0 + 1,
				);
				const holder = await mustGet(store, a.identityId);
				/** Both lookups, which must agree; answers the identity found. */
				const lookUp = async (
					poolId: string,
					login: { provider: string; subject: string },
				) => {
					const found = await store.identities.findByLogin(poolId, login);
					assert.equal(
						await store.identities.ownerOf(poolId, login),
						found?.identityId,
					);
					return found;
				};
				for (const login of [facebook("f-a"), google("g-a"), dev("d-a")]) {
					assert.deepEqual(await lookUp(pool.poolId, login), holder);
				}
				assert.equal(await lookUp(other.poolId, google("g-a")), undefined);
				assert.equal(await lookUp(pool.poolId, google("g-other")), undefined);
				// Provider and subject both count.
				assert.equal(
					await lookUp(pool.poolId, {
						provider: "www.amazon.com",
						subject: "g-a",
					}),
					undefined,
				);
			},
		);

		storeTest(
			"list pages the pool's identities in creation order, with next only when more follow",
			async (store) => {
				const pool = await createPool(store);
				const other = await createPool(store);
				await createGuest(store, other, T0);
				// Same timestamp for all: only the creation order can order them.
				const ids: string[] = [];
				for (let i = 0; i < 7; i++)
					ids.push(await createGuest(store, pool, T0));
				const all = await store.identities.list(pool.poolId, {
					limit: 100,
					hideDisabled: false,
				});
				assert.deepEqual(
					all.items.map((i) => i.identityId),
					ids,
				);
				assert.equal(all.next, undefined);
				const exact = await store.identities.list(pool.poolId, {
					limit: 7,
					hideDisabled: false,
				});
				assert.equal(exact.next, undefined);
				const sizes: number[] = [];
				const seen: string[] = [];
				let after: string | undefined;
				for (;;) {
					const page = await store.identities.list(pool.poolId, {
						limit: 3,
						hideDisabled: false,
						...(after === undefined ? {} : { after }),
					});
					sizes.push(page.items.length);
					seen.push(...page.items.map((i) => i.identityId));
					if (page.next === undefined) break;
					after = page.next;
				}
				assert.deepEqual(sizes, [3, 3, 1]);
				assert.deepEqual(seen, ids);
				assert.deepEqual(
					await store.identities.list(newPoolKey().poolId, {
						limit: 3,
						hideDisabled: false,
					}),
					{ items: [] },
				);
			},
		);

		storeTest("list items are full records", async (store) => {
			const pool = await createPool(store);
			const a = await developerIdentity(
				store,
				pool,
				[google("g-a"), dev("d-a")],
				T0 + 1,
			);
			const { items } = await store.identities.list(pool.poolId, {
				limit: 10,
				hideDisabled: false,
			});
			assert.deepEqual(items, [await mustGet(store, a.identityId)]);
		});

		storeTest(
			"list with hideDisabled leaves out disabled and inaccessible identities, across pages",
			async (store) => {
				const pool = await createPool(store);
				const active1 = await createGuest(store, pool, T0 + 1);
				const merged = await identityWith(store, pool, [google("g-m")], T0 + 2);
				const active2 = await identityWith(
					store,
					pool,
					[facebook("f-t")],
					T0 + 3,
				);
				const unlinked = await developerIdentity(
					store,
					pool,
					[dev("d-u")],
					T0 + 4,
				);
				const active3 = await createGuest(store, pool, T0 + 5);
				const active4 = await createGuest(store, pool, T0 + 6);
				// Disable `merged` (merged into active2) and make `unlinked` inaccessible.
				await presentLogins(
					store,
					pool,
					{
						identityId: active2.identityId,
						logins: [facebook("f-t"), google("g-m")],
					},
					T0 + 10,
				);
				await store.identities.change(
					pool,
					{ identityIds: [unlinked.identityId], logins: [dev("d-u")] },
					(s) =>
						planUnlink(s, {
							identityId: unlinked.identityId,
							logins: [dev("d-u")],
						}),
					T0 + 11,
				);
				assert.equal(
					(await mustGet(store, merged.identityId)).state,
					"disabled",
				);
				assert.equal(
					(await mustGet(store, unlinked.identityId)).state,
					"inaccessible",
				);
				const visible = (await allIdentities(store, pool.poolId, true)).map(
					(i) => i.identityId,
				);
				assert.deepEqual(visible, [
					active1,
					active2.identityId,
					active3,
					active4,
				]);
				const page = await store.identities.list(pool.poolId, {
					limit: 2,
					hideDisabled: true,
				});
				assert.deepEqual(
					page.items.map((i) => i.identityId),
					[active1, active2.identityId],
				);
				assert.ok(page.next);
				const everything = (await allIdentities(store, pool.poolId)).map(
					(i) => i.identityId,
				);
				assert.deepEqual(everything, [
					active1,
					merged.identityId,
					active2.identityId,
					unlinked.identityId,
					active3,
					active4,
				]);
			},
		);

		storeTest(
			"list neither skips nor repeats identities when identities are created and deleted between pages",
			async (store) => {
				const pool = await createPool(store);
				const ids: string[] = [];
				for (let i = 0; i < 6; i++)
					ids.push(await createGuest(store, pool, T0 + i));
				const seen: string[] = [];
				const page1 = await store.identities.list(pool.poolId, {
					limit: 2,
					hideDisabled: false,
				});
				seen.push(...page1.items.map((i) => i.identityId));
				assert.ok(page1.next);
				await store.identities.delete(HOME, [
					ids[1] as string,
					ids[2] as string,
				]);
				const late = await createGuest(store, pool, T0 + 50);
				let after: string | undefined = page1.next;
				while (after !== undefined) {
					const page = await store.identities.list(pool.poolId, {
						limit: 2,
						hideDisabled: false,
						after,
					});
					seen.push(...page.items.map((i) => i.identityId));
					after = page.next;
				}
				assert.deepEqual(seen, [ids[0], ids[1], ids[3], ids[4], ids[5], late]);
			},
		);

		storeTest(
			"developerLogins pages one identity's developer logins in link order",
			async (store) => {
				const pool = await createPool(store);
				const a = await developerIdentity(
					store,
					pool,
					[dev("u-3"), google("g-a")],
					T0 + 1,
				);
				for (const [i, subject] of ["u-1", "u-5", "u-2", "u-4"].entries()) {
					await presentLogins(
						store,
						pool,
						{
							identityId: a.identityId,
							// The google login proves the identity (it has an external login).
							logins: [dev(subject), google("g-a")],
							flow: "developer",
						},
						T0 + 2 + i,
					);
				}
				// Another identity's developer logins never show.
				await developerIdentity(store, pool, [dev("someone-else")], T0 + 20);
				const expected = ["u-3", "u-1", "u-5", "u-2", "u-4"].map(dev);
				assert.deepEqual(
					await store.identities.developerLogins(pool.poolId, a.identityId, {
						limit: 10,
					}),
					{ items: expected },
				);
				const got: LoginRef[] = [];
				const sizes: number[] = [];
				let after: string | undefined;
				for (;;) {
					const page = await store.identities.developerLogins(
						pool.poolId,
						a.identityId,
						{ limit: 2, ...(after === undefined ? {} : { after }) },
					);
					sizes.push(page.items.length);
					got.push(...page.items);
					if (page.next === undefined) break;
					after = page.next;
				}
				assert.deepEqual(sizes, [2, 2, 1]);
				assert.deepEqual(got, expected);
				const exact = await store.identities.developerLogins(
					pool.poolId,
					a.identityId,
					{ limit: 5 },
				);
				assert.equal(exact.next, undefined);
			},
		);

		storeTest(
			"developerLogins of an unknown identity, a guest, or another pool's identity is empty",
			async (store) => {
				const pool = await createPool(store);
				const other = await createPool(store);
				const a = await developerIdentity(store, pool, [dev("u-1")], T0 + 1);
				const guest = await createGuest(store, pool, T0 + 2);
				const g = await identityWith(
					store,
					pool,
					[google("only-external")],
					T0 + 3,
				);
				for (const [poolId, id] of [
					[other.poolId, a.identityId],
					[pool.poolId, newIdentityId()],
					[pool.poolId, guest],
					[pool.poolId, g.identityId],
				] as const) {
					assert.deepEqual(
						await store.identities.developerLogins(poolId, id, { limit: 10 }),
						{ items: [] },
					);
				}
			},
		);
	});

	describe("identities: delete", () => {
		storeTest("delete answers one outcome per id, in order", async (store) => {
			const pool = await createPool(store);
			const otherRegionPool = await createPool(store, {
				tenant: { accountId: ACCOUNT, region: OTHER_REGION },
			});
			const otherAccountPool = await createPool(store, {
				tenant: { accountId: OTHER_ACCOUNT, region: REGION },
			});
			const mine = await developerIdentity(
				store,
				pool,
				[dev("d-mine"), google("g-mine")],
				T0 + 1,
			);
			const guest = await createGuest(store, pool, T0 + 2);
			const elsewhere = await createGuest(store, otherRegionPool, T0 + 3);
			const foreign = await identityWith(
				store,
				otherAccountPool,
				[google("g-foreign")],
				T0 + 4,
			);
			const outcomes = await store.identities.delete(HOME, [
				mine.identityId,
				newIdentityId(),
				elsewhere,
				foreign.identityId,
				guest,
			]);
			assert.deepEqual(outcomes, [
				"deleted",
				"not-found",
				"not-found",
				"access-denied",
				"deleted",
			]);
			assert.equal(await store.identities.get(mine.identityId), undefined);
			assert.equal(await store.identities.get(guest), undefined);
			assert.equal(await loginOwner(store, pool, dev("d-mine")), undefined);
			assert.equal(await loginOwner(store, pool, google("g-mine")), undefined);
			// Kept: the other account's identity (access denied) and the other region's.
			const kept = await mustGet(store, foreign.identityId);
			assert.deepEqual(kept.logins, [google("g-foreign")]);
			assert.ok(await store.identities.get(elsewhere));
			assert.deepEqual(await store.identities.delete(HOME, []), []);
			// A deleted user's login starts a new identity.
			const again = await identityWith(
				store,
				pool,
				[google("g-mine")],
				T0 + 10,
			);
			assert.equal(again.created, true);
			assert.notEqual(again.identityId, mine.identityId);
		});
	});
}
