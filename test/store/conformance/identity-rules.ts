/**
 * @module test/store/conformance/identity-rules
 * The identity rules of docs/behaviour.md#identities end to end through `identities.change` with the
 * real planners: finding, creating, linking and merging identities by their logins, the
 * logins limit, developer merges and unlinks.
 */
import assert from "node:assert/strict";
import { describe } from "node:test";
import {
	identityForbidden,
	LOGINS_DONT_MATCH,
	planDeveloperMerge,
	planUnlink,
} from "../../../src/domain/identities.ts";
import { type LoginRef, loginKey } from "../../../src/domain/records.ts";
import { amazon, dev, facebook, google } from "../../support/logins.ts";
import {
	createGuest,
	createPool,
	developerIdentity,
	identityWith,
	loginOwner,
	mustGet,
	newIdentityId,
	presentLogins,
	rejectsWith,
	type StoreTest,
	sorted,
	T0,
} from "./builders.ts";

/** Declares the tests of this part, each on a store of its own. */
export function describeIdentityRules(storeTest: StoreTest): void {
	describe("identities: the login rules through the store (docs/behaviour.md#identities)", () => {
		storeTest(
			"a new login creates an authenticated identity; presenting it again finds it",
			async (store) => {
				const pool = await createPool(store);
				const first = await identityWith(store, pool, [google("g-1")], T0 + 1);
				assert.equal(first.created, true);
				const identity = await mustGet(store, first.identityId);
				assert.equal(identity.authenticated, true);
				assert.deepEqual(identity.logins, [google("g-1")]);
				assert.deepEqual(
					await identityWith(store, pool, [google("g-1")], T0 + 2),
					{ identityId: first.identityId, created: false },
				);
				// GetId without logins: a new guest each time.
				const g1 = await identityWith(store, pool, [], T0 + 3);
				const g2 = await identityWith(store, pool, [], T0 + 4);
				assert.notEqual(g1.identityId, g2.identityId);
				assert.equal(
					(await mustGet(store, g1.identityId)).authenticated,
					false,
				);
			},
		);

		storeTest(
			"two logins of two identities merge into the oldest",
			async (store) => {
				const pool = await createPool(store);
				const newer = await identityWith(
					store,
					pool,
					[facebook("f-1")],
					T0 + 20,
				);
				const older = await identityWith(store, pool, [google("g-1")], T0 + 10);
				const answer = await identityWith(
					store,
					pool,
					[facebook("f-1"), google("g-1"), amazon("z-new")],
					T0 + 30,
				);
				assert.deepEqual(answer, {
					identityId: older.identityId,
					created: false,
				});
				const target = await mustGet(store, older.identityId);
				const disabled = await mustGet(store, newer.identityId);
				assert.equal(target.state, "active");
				assert.deepEqual(
					sorted(target.logins.map(loginKey)),
					sorted(
						[google("g-1"), facebook("f-1"), amazon("z-new")].map(loginKey),
					),
				);
				assert.equal(disabled.state, "disabled");
				assert.deepEqual(disabled.logins, []);
				assert.equal(
					await loginOwner(store, pool, facebook("f-1")),
					older.identityId,
				);
			},
		);

		storeTest(
			"two logins of two identities merge into the identity named",
			async (store) => {
				const pool = await createPool(store);
				const older = await identityWith(store, pool, [google("g-1")], T0 + 10);
				const named = await identityWith(
					store,
					pool,
					[facebook("f-1")],
					T0 + 20,
				);
				const answer = await presentLogins(
					store,
					pool,
					{
						identityId: named.identityId,
						logins: [google("g-1"), facebook("f-1")],
					},
					T0 + 30,
				);
				assert.deepEqual(answer, {
					identityId: named.identityId,
					created: false,
				});
				assert.equal(
					(await mustGet(store, older.identityId)).state,
					"disabled",
				);
				assert.deepEqual(
					sorted((await mustGet(store, named.identityId)).logins.map(loginKey)),
					sorted([google("g-1"), facebook("f-1")].map(loginKey)),
				);
			},
		);

		storeTest(
			"two logins of two identities merge into the developer login's owner",
			async (store) => {
				const pool = await createPool(store);
				const older = await identityWith(store, pool, [google("g-1")], T0 + 10);
				const developerOwner = await developerIdentity(
					store,
					pool,
					[dev("d-1")],
					T0 + 20,
				);
				const answer = await developerIdentity(
					store,
					pool,
					[google("g-1"), dev("d-1")],
					T0 + 30,
				);
				assert.deepEqual(answer, {
					identityId: developerOwner.identityId,
					created: false,
				});
				const merged = await mustGet(store, older.identityId);
				assert.equal(merged.state, "disabled");
				assert.deepEqual(merged.logins, []);
				assert.deepEqual(
					sorted(
						(await mustGet(store, developerOwner.identityId)).logins.map(
							loginKey,
						),
					),
					sorted([dev("d-1"), google("g-1")].map(loginKey)),
				);
			},
		);

		storeTest(
			"a guest signing in with a login linked elsewhere moves to that identity and is disabled",
			async (store) => {
				const pool = await createPool(store);
				const owner = await identityWith(store, pool, [google("g-1")], T0 + 10);
				const guest = await createGuest(store, pool, T0 + 5);
				const answer = await presentLogins(
					store,
					pool,
					{ identityId: guest, logins: [google("g-1"), facebook("f-new")] },
					T0 + 30,
				);
				assert.deepEqual(answer, {
					identityId: owner.identityId,
					created: false,
				});
				const disabled = await mustGet(store, guest);
				assert.equal(disabled.state, "disabled");
				assert.equal(disabled.authenticated, false);
				assert.deepEqual(disabled.logins, []);
				const target = await mustGet(store, owner.identityId);
				assert.equal(target.state, "active");
				assert.deepEqual(target.logins, [google("g-1"), facebook("f-new")]);
			},
		);

		storeTest(
			"a guest signing in with a new login keeps its id and becomes authenticated",
			async (store) => {
				const pool = await createPool(store);
				const guest = await createGuest(store, pool, T0 + 1);
				const answer = await presentLogins(
					store,
					pool,
					{ identityId: guest, logins: [google("g-1")] },
					T0 + 2,
				);
				assert.deepEqual(answer, { identityId: guest, created: false });
				const identity = await mustGet(store, guest);
				assert.equal(identity.authenticated, true);
				assert.equal(identity.state, "active");
				assert.deepEqual(identity.logins, [google("g-1")]);
				assert.equal(identity.updatedAt, T0 + 2);
			},
		);

		storeTest(
			"two users of one external provider on one identity are ResourceConflictException, and nothing is written",
			async (store) => {
				const pool = await createPool(store);
				const a = await identityWith(
					store,
					pool,
					[google("g-a"), amazon("z-a")],
					T0 + 1,
				);
				const b = await identityWith(
					store,
					pool,
					[google("g-b"), facebook("f-b")],
					T0 + 2,
				);
				const beforeA = await mustGet(store, a.identityId);
				const beforeB = await mustGet(store, b.identityId);
				// By linking: a second google user on `a`.
				await rejectsWith(
					presentLogins(
						store,
						pool,
						{
							identityId: a.identityId,
							logins: [amazon("z-a"), google("g-new")],
						},
						T0 + 3,
					),
					"ResourceConflictException",
				);
				// By merging: `b` brings another google user.
				await rejectsWith(
					identityWith(store, pool, [amazon("z-a"), facebook("f-b")], T0 + 4),
					"ResourceConflictException",
				);
				assert.deepEqual(await mustGet(store, a.identityId), beforeA);
				assert.deepEqual(await mustGet(store, b.identityId), beforeB);
				assert.equal(await loginOwner(store, pool, google("g-new")), undefined);
			},
		);

		storeTest(
			"more than maxLogins is LimitExceededException or InvalidParameterException, and nothing is written",
			async (store) => {
				const pool = await createPool(store);
				const a = await presentLogins(
					store,
					pool,
					{
						logins: [google("g-a"), dev("d-a")],
						flow: "developer",
						maxLogins: 2,
					},
					T0 + 1,
				);
				const b = await presentLogins(
					store,
					pool,
					{ logins: [facebook("f-b")], maxLogins: 2 },
					T0 + 2,
				);
				const beforeA = await mustGet(store, a.identityId);
				const beforeB = await mustGet(store, b.identityId);
				await rejectsWith(
					presentLogins(
						store,
						pool,
						{
							identityId: a.identityId,
							logins: [google("g-a"), amazon("z-new")],
							maxLogins: 2,
							limitError: "limit",
						},
						T0 + 3,
					),
					"LimitExceededException",
				);
				await rejectsWith(
					presentLogins(
						store,
						pool,
						{
							identityId: a.identityId,
							logins: [google("g-a"), facebook("f-b")],
							maxLogins: 2,
							limitError: "parameter",
						},
						T0 + 4,
					),
					"InvalidParameterException",
				);
				assert.deepEqual(await mustGet(store, a.identityId), beforeA);
				assert.deepEqual(await mustGet(store, b.identityId), beforeB);
				// Exactly maxLogins is fine.
				await presentLogins(
					store,
					pool,
					{
						identityId: b.identityId,
						logins: [facebook("f-b"), amazon("z-b")],
						maxLogins: 2,
					},
					T0 + 5,
				);
				assert.equal((await mustGet(store, b.identityId)).logins.length, 2);
			},
		);

		storeTest(
			"a named authenticated identity needs one of its logins: Logins don't match",
			async (store) => {
				const pool = await createPool(store);
				const a = await identityWith(store, pool, [google("g-a")], T0 + 1);
				const b = await identityWith(store, pool, [facebook("f-b")], T0 + 2);
				const beforeB = await mustGet(store, b.identityId);
				for (const logins of [[], [amazon("z-new")], [facebook("f-b")]]) {
					await rejectsWith(
						presentLogins(
							store,
							pool,
							{ identityId: a.identityId, logins },
							T0 + 3,
						),
						"NotAuthorizedException",
						LOGINS_DONT_MATCH,
					);
				}
				assert.deepEqual((await mustGet(store, a.identityId)).logins, [
					google("g-a"),
				]);
				assert.deepEqual(await mustGet(store, b.identityId), beforeB);
				assert.equal(await loginOwner(store, pool, amazon("z-new")), undefined);
			},
		);

		storeTest(
			"developer flow: a developer user linked to another identity is DeveloperUserAlreadyRegisteredException, also for a guest",
			async (store) => {
				const pool = await createPool(store);
				const owner = await developerIdentity(
					store,
					pool,
					[dev("d-1")],
					T0 + 1,
				);
				const other = await developerIdentity(
					store,
					pool,
					[dev("d-2")],
					T0 + 2,
				);
				const guest = await createGuest(store, pool, T0 + 3);
				for (const identityId of [other.identityId, guest]) {
					await rejectsWith(
						presentLogins(
							store,
							pool,
							{ identityId, logins: [dev("d-1")], flow: "developer" },
							T0 + 4,
						),
						"DeveloperUserAlreadyRegisteredException",
					);
				}
				assert.equal((await mustGet(store, guest)).state, "active");
				assert.equal((await mustGet(store, guest)).authenticated, false);
				assert.deepEqual((await mustGet(store, owner.identityId)).logins, [
					dev("d-1"),
				]);
				// The same identity named: just answered.
				assert.deepEqual(
					await presentLogins(
						store,
						pool,
						{
							identityId: owner.identityId,
							logins: [dev("d-1")],
							flow: "developer",
						},
						T0 + 5,
					),
					{ identityId: owner.identityId, created: false },
				);
			},
		);

		storeTest(
			"developer flow: a named identity with only developer logins needs no proof; external ones do",
			async (store) => {
				const pool = await createPool(store);
				const a = await developerIdentity(store, pool, [dev("d-1")], T0 + 1);
				assert.deepEqual(
					await presentLogins(
						store,
						pool,
						{
							identityId: a.identityId,
							logins: [dev("d-2")],
							flow: "developer",
						},
						T0 + 2,
					),
					{ identityId: a.identityId, created: false },
				);
				assert.deepEqual((await mustGet(store, a.identityId)).logins, [
					dev("d-1"),
					dev("d-2"),
				]);
				const b = await identityWith(store, pool, [google("g-b")], T0 + 3);
				await rejectsWith(
					presentLogins(
						store,
						pool,
						{
							identityId: b.identityId,
							logins: [dev("d-b")],
							flow: "developer",
						},
						T0 + 4,
					),
					"NotAuthorizedException",
					LOGINS_DONT_MATCH,
				);
				assert.deepEqual(
					await presentLogins(
						store,
						pool,
						{
							identityId: b.identityId,
							logins: [dev("d-b"), google("g-b")],
							flow: "developer",
						},
						T0 + 5,
					),
					{ identityId: b.identityId, created: false },
				);
				assert.deepEqual((await mustGet(store, b.identityId)).logins, [
					google("g-b"),
					dev("d-b"),
				]);
			},
		);

		storeTest(
			"a disabled or inaccessible identity named is forbidden; an unknown one is not found",
			async (store) => {
				const pool = await createPool(store);
				const other = await createPool(store);
				const target = await identityWith(store, pool, [google("g-t")], T0 + 1);
				const merged = await identityWith(
					store,
					pool,
					[facebook("f-m")],
					T0 + 2,
				);
				assert.deepEqual(
					await identityWith(
						store,
						pool,
						[google("g-t"), facebook("f-m")],
						T0 + 3,
					),
					{ identityId: target.identityId, created: false },
				);
				const unlinked = await developerIdentity(
					store,
					pool,
					[dev("d-u")],
					T0 + 4,
				);
				await store.identities.change(
					pool,
					{ identityIds: [unlinked.identityId], logins: [dev("d-u")] },
					(s) =>
						planUnlink(s, {
							identityId: unlinked.identityId,
							logins: [dev("d-u")],
						}),
					T0 + 5,
				);
				for (const flow of ["public", "developer"] as const) {
					for (const id of [merged.identityId, unlinked.identityId]) {
						await rejectsWith(
							presentLogins(
								store,
								pool,
								{
									identityId: id,
									logins:
										flow === "developer" ? [dev("d-new")] : [amazon("z-new")],
									flow,
								},
								T0 + 6,
							),
							"NotAuthorizedException",
							identityForbidden(id).message,
						);
						assert.equal(
							identityForbidden(id).message,
							`Access to Identity '${id}' is forbidden.`,
						);
					}
					const unknown = newIdentityId();
					await rejectsWith(
						presentLogins(
							store,
							pool,
							{ identityId: unknown, logins: [dev("d-new")], flow },
							T0 + 7,
						),
						"ResourceNotFoundException",
						`Identity '${unknown}' not found.`,
					);
					// An identity of another pool is not found either.
					const foreign = await createGuest(store, other, T0 + 8);
					await rejectsWith(
						presentLogins(
							store,
							pool,
							{ identityId: foreign, logins: [dev("d-new")], flow },
							T0 + 9,
						),
						"ResourceNotFoundException",
						`Identity '${foreign}' not found.`,
					);
				}
				assert.equal(await loginOwner(store, pool, dev("d-new")), undefined);
			},
		);

		storeTest(
			"planDeveloperMerge: the source's identity joins the destination's",
			async (store) => {
				const pool = await createPool(store);
				const source = await developerIdentity(
					store,
					pool,
					[dev("src"), facebook("f-s")],
					T0 + 1,
				);
				const destination = await developerIdentity(
					store,
					pool,
					[dev("dst"), google("g-d")],
					T0 + 2,
				);
				const merge = (s: LoginRef, d: LoginRef, now: number, maxLogins = 20) =>
					store.identities.change(
						pool,
						{ identityIds: [], logins: [s, d] },
						(snapshot) =>
							planDeveloperMerge(snapshot, {
								source: s,
								destination: d,
								maxLogins,
							}),
						now,
					);
				await rejectsWith(
					merge(dev("src"), dev("dst"), T0 + 3, 3),
					"InvalidParameterException",
				);
				await rejectsWith(
					merge(dev("nobody"), dev("dst"), T0 + 3),
					"ResourceNotFoundException",
				);
				await rejectsWith(
					merge(dev("src"), dev("nobody"), T0 + 3),
					"ResourceNotFoundException",
				);
				assert.equal((await mustGet(store, source.identityId)).state, "active");
				assert.deepEqual(await merge(dev("src"), dev("dst"), T0 + 4), {
					identityId: destination.identityId,
				});
				const from = await mustGet(store, source.identityId);
				const into = await mustGet(store, destination.identityId);
				assert.equal(from.state, "disabled");
				assert.deepEqual(from.logins, []);
				assert.equal(from.updatedAt, T0 + 4);
				assert.equal(into.updatedAt, T0 + 4);
				assert.deepEqual(
					sorted(into.logins.map(loginKey)),
					sorted(
						[dev("src"), facebook("f-s"), dev("dst"), google("g-d")].map(
							loginKey,
						),
					),
				);
				// Either user now resolves to the destination identity.
				for (const d of [dev("src"), dev("dst")]) {
					assert.deepEqual(await developerIdentity(store, pool, [d], T0 + 5), {
						identityId: destination.identityId,
						created: false,
					});
				}
				// Same identity: nothing to do.
				assert.deepEqual(await merge(dev("src"), dev("dst"), T0 + 6), {
					identityId: destination.identityId,
				});
				assert.equal(
					(await mustGet(store, destination.identityId)).updatedAt,
					T0 + 4,
				);
				// A second user of one provider is refused.
				const third = await developerIdentity(
					store,
					pool,
					[dev("third"), google("g-3")],
					T0 + 7,
				);
				await rejectsWith(
					merge(dev("third"), dev("dst"), T0 + 8),
					"ResourceConflictException",
				);
				assert.equal((await mustGet(store, third.identityId)).state, "active");
			},
		);

		storeTest(
			"planUnlink: unlinking the last login makes the identity inaccessible; the login is new again",
			async (store) => {
				const pool = await createPool(store);
				const a = await developerIdentity(
					store,
					pool,
					[dev("d-1"), google("g-1")],
					T0 + 1,
				);
				const unlink = (logins: LoginRef[], now: number) =>
					store.identities.change(
						pool,
						{ identityIds: [a.identityId], logins },
						(s) => planUnlink(s, { identityId: a.identityId, logins }),
						now,
					);
				await rejectsWith(
					unlink([facebook("not-linked")], T0 + 2),
					"ResourceConflictException",
				);
				await unlink([dev("d-1")], T0 + 3);
				let identity = await mustGet(store, a.identityId);
				assert.equal(identity.state, "active");
				assert.deepEqual(identity.logins, [google("g-1")]);
				await unlink([google("g-1")], T0 + 4);
				identity = await mustGet(store, a.identityId);
				assert.equal(identity.state, "inaccessible");
				assert.deepEqual(identity.logins, []);
				assert.equal(identity.updatedAt, T0 + 4);
				assert.equal(await loginOwner(store, pool, google("g-1")), undefined);
				const fresh = await identityWith(store, pool, [google("g-1")], T0 + 5);
				assert.equal(fresh.created, true);
				assert.notEqual(fresh.identityId, a.identityId);
				await rejectsWith(
					store.identities.change(
						pool,
						{ identityIds: [newIdentityId()], logins: [] },
						(s) => planUnlink(s, { identityId: "x", logins: [] }),
						T0 + 6,
					),
					"ResourceNotFoundException",
					"Identity 'x' not found.",
				);
			},
		);
	});
}
