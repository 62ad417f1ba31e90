/**
 * @module test/store/conformance/lifecycle
 * The store as a whole: `migrate()` (again, harmlessly), `ping()` (of either size),
 * `checkDatabase()` and `engine`.
 */
import assert from "node:assert/strict";
import { describe } from "node:test";
import { createPool, type StoreTest } from "./builders.ts";

/** Declares the tests of this part, each on a store of its own. */
export function describeLifecycle(storeTest: StoreTest): void {
	describe("store", () => {
		storeTest(
			"migrate() twice is harmless and keeps the data",
			async (store) => {
				const key = await createPool(store);
				await store.migrate();
				assert.ok(await store.pools.get(key));
				await store.ping();
				await store.ping(16);
				await store.checkDatabase();
				assert.equal(typeof store.engine, "string");
				assert.ok(store.engine.length > 0);
			},
		);
	});
}
