/**
 * @module test/store/conformance/credentials
 * `store.credentials`: issued credentials stored, unique, pruned after they expire, their
 * secrets replaced (a rewrap) batch by batch.
 */
import assert from "node:assert/strict";
import { describe } from "node:test";
import { SECRETS_BATCH } from "../../../src/store/store.ts";
import {
	createGuest,
	createPool,
	credential,
	type StoreTest,
	T0,
} from "./builders.ts";

/** Declares the tests of this part, each on a store of its own. */
export function describeCredentials(storeTest: StoreTest): void {
	describe("credentials", () => {
		storeTest(
			"insert then get answers the record, expired or not",
			async (store) => {
				const live = credential(1, T0 + 3_600_000);
				const expired = credential(2, T0 - 1, { principalTags: {} });
				await store.credentials.insert(live);
				await store.credentials.insert(expired);
				assert.deepEqual(await store.credentials.get(live.accessKeyId), live);
				assert.deepEqual(
					await store.credentials.get(expired.accessKeyId),
					expired,
				);
				assert.equal(
					await store.credentials.get("ASIAUNKNOWN0000000000"),
					undefined,
				);
			},
		);

		storeTest(
			"access key ids are unique: a second insert fails and keeps the first",
			async (store) => {
				const first = credential(1, T0 + 1000);
				await store.credentials.insert(first);
				await assert.rejects(
					store.credentials.insert(
						credential(2, T0 + 2000, { accessKeyId: first.accessKeyId }),
					),
				);
				assert.deepEqual(await store.credentials.get(first.accessKeyId), first);
				// Concurrent inserts of one id: exactly one is stored.
				const id = credential(3, T0).accessKeyId;
				const attempts = Array.from({ length: 6 }, (_, i) =>
					credential(10 + i, T0 + i, { accessKeyId: id }),
				);
				const results = await Promise.allSettled(
					attempts.map((c) => store.credentials.insert(c)),
				);
				const won = results.findIndex((r) => r.status === "fulfilled");
				assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
				assert.deepEqual(await store.credentials.get(id), attempts[won]);
			},
		);

		storeTest(
			"prune deletes the credentials that expired before the date",
			async (store) => {
				const c1 = credential(1, T0 + 1000);
				const c2 = credential(2, T0 + 2000);
				const c3 = credential(3, T0 + 3000);
				for (const c of [c1, c2, c3]) await store.credentials.insert(c);
				assert.equal(await store.credentials.prune(T0 + 1000), 0);
				assert.equal(await store.credentials.prune(T0 + 2000), 1);
				assert.equal(await store.credentials.get(c1.accessKeyId), undefined);
				assert.deepEqual(await store.credentials.get(c2.accessKeyId), c2);
				assert.equal(await store.credentials.prune(T0 + 3001), 2);
				assert.equal(await store.credentials.get(c2.accessKeyId), undefined);
				assert.equal(await store.credentials.get(c3.accessKeyId), undefined);
				assert.equal(await store.credentials.prune(T0 + 1_000_000), 0);
			},
		);

		storeTest(
			"credentials outlive their pool and identity until they expire",
			async (store) => {
				const pool = await createPool(store);
				const identityId = await createGuest(store, pool, T0);
				const c = credential(1, T0 + 3_600_000, {
					poolId: pool.poolId,
					identityId,
					accountId: pool.accountId,
					region: pool.region,
				});
				await store.credentials.insert(c);
				assert.equal(await store.pools.delete(pool, T0), true);
				assert.deepEqual(await store.credentials.get(c.accessKeyId), c);
			},
		);

		storeTest(
			"updateSecrets goes through every live credential once, across batches, and replaces what apply answers",
			async (store) => {
				const live = Array.from({ length: 2 * SECRETS_BATCH + 1 }, (_, i) =>
					credential(i, T0 + 1000 + i),
				);
				const expired = [credential(-1, T0 - 1), credential(-2, T0 - 1000)];
				for (const c of [...live, ...expired])
					await store.credentials.insert(c);
				const seen: string[] = [];
				// Every third one is replaced; the others are left as they are.
				const replace = (i: number) => i % 3 === 0;
				const index = new Map(live.map((c, i) => [c.accessKeyId, i]));
				const changed = await store.credentials.updateSecrets(T0, (c) => {
					seen.push(c.accessKeyId);
					const i = index.get(c.accessKeyId);
					assert.ok(i !== undefined, "only live credentials are seen");
					assert.deepEqual(c, live[i], "seen as stored");
					return replace(i) ? `resealed-${i}` : undefined;
				});
				assert.equal(new Set(seen).size, seen.length, "each seen once");
				assert.equal(seen.length, live.length);
				assert.equal(changed, live.filter((_, i) => replace(i)).length);
				for (const [i, c] of live.entries()) {
					assert.deepEqual(await store.credentials.get(c.accessKeyId), {
						...c,
						secretAccessKey: replace(i) ? `resealed-${i}` : c.secretAccessKey,
					});
				}
				for (const c of expired) {
					assert.deepEqual(await store.credentials.get(c.accessKeyId), c);
				}
			},
		);

		storeTest(
			"updateSecrets stops where apply throws: the batches before stay written, that one is not",
			async (store) => {
				const live = Array.from({ length: SECRETS_BATCH + 2 }, (_, i) =>
					credential(i, T0 + 1000),
				);
				for (const c of live) await store.credentials.insert(c);
				let calls = 0;
				await assert.rejects(
					store.credentials.updateSecrets(T0, () => {
						calls++;
						if (calls === SECRETS_BATCH + 1) throw new Error("refused");
						return "resealed";
					}),
					/refused/,
				);
				const secrets = await Promise.all(
					live.map(
						async (c) =>
							(await store.credentials.get(c.accessKeyId))?.secretAccessKey,
					),
				);
				assert.equal(
					secrets.filter((s) => s === "resealed").length,
					SECRETS_BATCH,
					"the first batch is written, the second is not",
				);
			},
		);
	});
}
