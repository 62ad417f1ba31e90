/**
 * @module test/store/conformance/signing-keys
 * `store.signingKeys`: the first key, rotations that retire the others, pruning, and the
 * replacement of stored private keys in one transaction (their encryption at rest).
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

		storeTest(
			"updatePrivateKeys replaces the private keys apply answers and keeps everything else",
			async (store) => {
				const [k1, k2, k3] = await rotatedKeys(store, [
					T0,
					T0 + 1000,
					T0 + 2000,
				]);
				const before = await store.signingKeys.list();
				const seen: string[] = [];
				const changed = await store.signingKeys.updatePrivateKeys((key) => {
					seen.push(key.kid);
					return key.kid === k2.kid ? undefined : `sealed:${key.kid}`;
				});
				assert.equal(changed, 2);
				assert.deepEqual(seen, [k1.kid, k2.kid, k3.kid]);
				assert.deepEqual(await store.signingKeys.list(), [
					{ ...before[0], privateKeyPem: `sealed:${k1.kid}` },
					before[1],
					{ ...before[2], privateKeyPem: `sealed:${k3.kid}` },
				]);
				// apply sees each key as stored now.
				const stored = new Map<string, string>();
				await store.signingKeys.updatePrivateKeys((key) => {
					stored.set(key.kid, key.privateKeyPem);
					return undefined;
				});
				assert.equal(stored.get(k1.kid), `sealed:${k1.kid}`);
				assert.equal(stored.get(k2.kid), k2.privateKeyPem);
			},
		);

		storeTest(
			"updatePrivateKeys writes nothing when apply throws for any key",
			async (store) => {
				const [, k2] = await rotatedKeys(store, [T0, T0 + 1000, T0 + 2000]);
				const before = await store.signingKeys.list();
				await assert.rejects(
					store.signingKeys.updatePrivateKeys((key) => {
						if (key.kid === k2.kid) throw new Error("cannot decrypt");
						return "sealed";
					}),
					/cannot decrypt/,
				);
				assert.deepEqual(await store.signingKeys.list(), before);
				assert.equal(
					await store.signingKeys.updatePrivateKeys(() => undefined),
					0,
				);
			},
		);
	});
}
