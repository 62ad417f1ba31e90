/**
 * Test support: which store engines a run covers, from `IDPOOL_TEST_STORES`, a comma list of
 * `sqlite` and `postgres` (default: both). Every suite that runs on one engine declares it
 * with {@link describeForEngine} (the store conformance suites do so themselves), so that an
 * engine left out is reported as a skipped suite naming the variable, never silently dropped:
 *
 *     IDPOOL_TEST_STORES=sqlite npm test     # no PostgreSQL needed
 *
 * A name that is not an engine is an error, not an empty selection.
 */
import { describe, type SuiteContext, test } from "node:test";
import type { Store } from "../../src/store/store.ts";

export const STORE_ENGINES = ["sqlite", "postgres"] as const;
export type StoreEngine = (typeof STORE_ENGINES)[number];

/** The variable that chooses the engines. */
export const STORES_VARIABLE = "IDPOOL_TEST_STORES";

/** The engines this run covers. */
export function selectedEngines(
	value = process.env[STORES_VARIABLE],
): ReadonlySet<StoreEngine> {
	if (value === undefined || value.trim() === "") return new Set(STORE_ENGINES);
	const names = value
		.split(",")
		.map((name) => name.trim().toLowerCase())
		.filter((name) => name !== "");
	for (const name of names) {
		if (!(STORE_ENGINES as readonly string[]).includes(name)) {
			throw new Error(
				`${STORES_VARIABLE}=${value}: "${name}" is not a store engine (${STORE_ENGINES.join(", ")})`,
			);
		}
	}
	return new Set(names as StoreEngine[]);
}

/** Why `engine`'s tests are skipped in this run, or undefined when it is covered. */
export function engineSkipReason(engine: StoreEngine): string | undefined {
	if (selectedEngines().has(engine)) return undefined;
	return `${engine} is not in ${STORES_VARIABLE}=${process.env[STORES_VARIABLE]} (a comma list of ${STORE_ENGINES.join(", ")}; unset covers all)`;
}

/**
 * A `describe` whose tests need `engine`. When the run leaves `engine` out, `fn` is not
 * called (no hook connects to the engine) and the suite holds one skipped test that says why.
 */
export function describeForEngine(
	engine: StoreEngine,
	name: string,
	options: { timeout?: number },
	fn: (s: SuiteContext) => void,
): void;
export function describeForEngine(
	engine: StoreEngine,
	name: string,
	fn: (s: SuiteContext) => void,
): void;
export function describeForEngine(
	engine: StoreEngine,
	name: string,
	...rest:
		| [options: { timeout?: number }, fn: (s: SuiteContext) => void]
		| [fn: (s: SuiteContext) => void]
): void {
	const [options, fn] = rest.length === 1 ? [{}, rest[0]] : rest;
	const skip = engineSkipReason(engine);
	if (skip) {
		// One skipped test rather than a skipped suite: the run's summary counts it.
		describe(name, options, () => {
			test(`every ${engine} test of this suite`, { skip }, () => {});
		});
		return;
	}
	describe(name, options, fn);
}

/**
 * `store` with some of its members replaced (a store made to fail, one that drops its schema
 * on close); every other member is the store's own.
 */
export function storeWith(store: Store, replaced: Partial<Store>): Store {
	const own: Store = {
		engine: store.engine,
		get pools() {
			return store.pools;
		},
		get signingKeys() {
			return store.signingKeys;
		},
		get identities() {
			return store.identities;
		},
		get credentials() {
			return store.credentials;
		},
		migrate: (options) => store.migrate(options),
		ping: (payloadBytes) => store.ping(payloadBytes),
		checkDatabase: () => store.checkDatabase(),
		dump: (write) => store.dump(write),
		load: (produce) => store.load(produce),
		close: () => store.close(),
	};
	return Object.assign(own, replaced);
}
