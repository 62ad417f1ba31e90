/**
 * @module test/store/conformance
 * The conformance suite of the storage port (`src/store/store.ts`): every engine runs it
 * unchanged. Each test opens a fresh store with `open()`, calls `migrate()` and closes it.
 * It covers every method and every invariant stated in the port's TSDoc, and the identity
 * rules of docs/behaviour.md#accounts-and-regions, docs/behaviour.md#identities, docs/behaviour.md#deleteidentities and docs/behaviour.md#pagination end to end through `identities.change` with the real planners.
 *
 * One file a repository of the port, each declaring its tests through {@link StoreTest}:
 * lifecycle.ts (migrate, ping), pools.ts, purges.ts (delete and purge), pool-roles.ts (roles, principal tag maps),
 * signing-keys.ts, credentials.ts, identities.ts (change, reads, delete) and
 * identity-rules.ts (the login rules); builders.ts makes what they need.
 *
 * The engines a run covers are chosen by `IDPOOL_TEST_STORES` (test/support/stores.ts).
 */
import { test } from "node:test";
import type { Store } from "../../../src/store/store.ts";
import { describeForEngine, type StoreEngine } from "../../support/stores.ts";
import type { StoreTest } from "./builders.ts";
import { describeCredentials } from "./credentials.ts";
import { describeIdentities } from "./identities.ts";
import { describeIdentityRules } from "./identity-rules.ts";
import { describeLifecycle } from "./lifecycle.ts";
import { describePoolRoles } from "./pool-roles.ts";
import { describePools } from "./pools.ts";
import { describePurges } from "./purges.ts";
import { describeSigningKeys } from "./signing-keys.ts";

/** An engine, or an engine and how it is set up: `sqlite (file)`, `postgres`. */
export type ConformanceName = StoreEngine | `${StoreEngine} (${string})`;

/**
 * Declares the suite `store conformance: <name>` for the stores `open` makes (one a test),
 * skipped (with the reason) when the run leaves the engine `name` begins with out.
 */
export function describeStoreConformance(
	name: ConformanceName,
	open: () => Promise<Store>,
): void {
	const engine = name.split(" ")[0] as StoreEngine;
	const storeTest: StoreTest = (title, body) => {
		test(title, async () => {
			const store = await open();
			try {
				await store.migrate();
				await body(store);
			} finally {
				await store.close();
			}
		});
	};
	describeForEngine(engine, `store conformance: ${name}`, () => {
		describeLifecycle(storeTest);
		describePools(storeTest);
		describePurges(storeTest);
		describePoolRoles(storeTest);
		describeSigningKeys(storeTest);
		describeCredentials(storeTest);
		describeIdentities(storeTest);
		describeIdentityRules(storeTest);
	});
}
