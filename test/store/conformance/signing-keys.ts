/**
 * @module test/store/conformance/signing-keys
 * `store.signingKeys`: the first key, rotations that retire the others, pruning.
 */
import assert from "node:assert/strict";
import { describe } from "node:test";
import { rotatedKeys, type StoreTest, signingKey, T0 } from "./builders.ts";

/** Declares the tests of this part, each on a store of its own. */
export function describeSigningKeys(storeTest: StoreTest): void {
	describe("signingKeys", () => {
		storeTest("insertFirst stores only the first key", async (store) => {
			assert.deepEqual(await store.signingKeys.list(), []);
			const first = signingKey(1, T0);
			assert.equal(await store.signingKeys.insertFirst(first), true);
			assert.equal(
				await store.signingKeys.insertFirst(signingKey(2, T0 + 1)),
				false,
			);
			assert.deepEqual(await store.signingKeys.list(), [first]);
		});

		storeTest(
			"concurrent insertFirst stores exactly one key",
			async (store) => {
				const keys = Array.from({ length: 8 }, (_, i) => signingKey(i, T0 + i));
				const answers = await Promise.all(
					keys.map((k) => store.signingKeys.insertFirst(k)),
				);
				assert.equal(answers.filter(Boolean).length, 1);
				const winner = keys[answers.indexOf(true)];
				assert.deepEqual(await store.signingKeys.list(), [winner]);
			},
		);

		storeTest(
			"rotate retires the other keys at the new key's activation, and list is oldest first",
			async (store) => {
				const k1 = signingKey(1, T0);
				const k2 = signingKey(2, T0 + 1000);
				const k3 = signingKey(3, T0 + 2000);
				await store.signingKeys.insertFirst(k1);
				await store.signingKeys.rotate(k2);
				assert.deepEqual(await store.signingKeys.list(), [
					{ ...k1, retiredAt: k2.activatesAt },
					k2,
				]);
				await store.signingKeys.rotate(k3);
				assert.deepEqual(await store.signingKeys.list(), [
					// An already retired key keeps its date.
					{ ...k1, retiredAt: k2.activatesAt },
					{ ...k2, retiredAt: k3.activatesAt },
					k3,
				]);
			},
		);

		storeTest("rotate on an empty store adds the key", async (store) => {
			const k = signingKey(1, T0);
			await store.signingKeys.rotate(k);
			assert.deepEqual(await store.signingKeys.list(), [k]);
		});

		storeTest(
			"prune deletes the keys retired before the date",
			async (store) => {
				const [, k2, k3, k4] = await rotatedKeys(store, [
					T0,
					T0 + 1000,
					T0 + 2000,
					T0 + 3000,
				]);
				// Retired: k1 at T0+1000, k2 at T0+2000, k3 at T0+3000; k4 active.
				assert.equal(await store.signingKeys.prune(T0 + 1000), 0);
				assert.equal(await store.signingKeys.prune(T0 + 2000), 1);
				assert.deepEqual(
					(await store.signingKeys.list()).map((k) => k.kid),
					[k2.kid, k3.kid, k4.kid],
				);
				assert.equal(await store.signingKeys.prune(T0 + 1_000_000), 2);
				// The key that signs is never pruned.
				assert.deepEqual(await store.signingKeys.list(), [k4]);
				assert.equal(await store.signingKeys.prune(T0 + 1_000_000), 0);
			},
		);
	});
}
