/**
 * @module metrics/observed-store
 * A store that tells the {@link Metrics} port how long each of its methods takes (each is one
 * transaction; `method` is `<repository>.<method>`, e.g. `identities.change`) and which
 * identities its changes created, once committed. It wraps any {@link Store} (either engine,
 * or a test's), so the engines stay free of timing code; what only an engine knows (the
 * retries of PostgreSQL, the groups of SQLite) it tells the port itself.
 */
import type { IdentitySnapshot, Planned, PoolKey } from "../domain/records.ts";
import type { Metrics } from "../lib/metrics.ts";
import type {
	IdentityQuery,
	IdentityRepository,
	Store,
} from "../store/store.ts";

type AnyMethod = (...args: unknown[]) => unknown;

/** The names of `object`'s methods, its prototypes' included. */
function methodNames(object: object): string[] {
	const names = new Set<string>();
	for (
		let o: object | null = object;
		o !== null && o !== Object.prototype;
		o = Object.getPrototypeOf(o)
	) {
		for (const name of Object.getOwnPropertyNames(o)) {
			if (name === "constructor") continue;
			const value = (object as Record<string, unknown>)[name];
			if (typeof value === "function") names.add(name);
		}
	}
	return [...names];
}

/** Whether `value` is a promise (or any thenable). */
function isThenable(value: unknown): value is Promise<unknown> {
	return (
		typeof value === "object" &&
		value !== null &&
		typeof (value as { then?: unknown }).then === "function"
	);
}

/**
 * `repository` with each method timed. Properties that are not methods are read through
 * to the repository; methods run with the repository itself as `this`.
 */
function timed<T extends object>(
	repository: T,
	name: string,
	metrics: Metrics,
): T {
	const view = Object.create(repository) as Record<string, AnyMethod>;
	for (const methodName of methodNames(repository)) {
		const method = (repository as Record<string, AnyMethod>)[
			methodName
		] as AnyMethod;
		const label = `${name}.${methodName}`;
		view[methodName] = (...args: unknown[]) => {
			const started = performance.now();
			const answer = method.apply(repository, args);
			if (!isThenable(answer)) return answer;
			return answer.finally(() =>
				metrics.storeTransaction(label, (performance.now() - started) / 1000),
			);
		};
	}
	return view as T;
}

/**
 * The identities of `store` timed, whose `change` also tells the port of the identity its
 * plan created, once the change is committed (a plan run again on a retry counts once, as
 * its last run decided).
 */
function observedIdentities(
	identities: IdentityRepository,
	metrics: Metrics,
): IdentityRepository {
	const view = timed(identities, "identities", metrics);
	const change = view.change;
	view.change = <T>(
		pool: PoolKey,
		query: IdentityQuery,
		plan: (snapshot: IdentitySnapshot) => Planned<T>,
		now: number,
		poolVersion?: string,
	): Promise<T> => {
		let created: boolean | undefined;
		const watched = (snapshot: IdentitySnapshot): Planned<T> => {
			const planned = plan(snapshot);
			created = planned.change.create?.authenticated;
			return planned;
		};
		return change(pool, query, watched, now, poolVersion).then((result) => {
			if (created !== undefined) metrics.identityCreated(created);
			return result;
		});
	};
	return view;
}

/** `store` with its methods timed and its new identities counted, for `metrics`. */
export function observedStore(store: Store, metrics: Metrics): Store {
	return {
		engine: store.engine,
		pools: timed(store.pools, "pools", metrics),
		signingKeys: timed(store.signingKeys, "signingKeys", metrics),
		identities: observedIdentities(store.identities, metrics),
		credentials: timed(store.credentials, "credentials", metrics),
		migrate: (options) => store.migrate(options),
		ping: (payloadBytes) => store.ping(payloadBytes),
		checkDatabase: () => store.checkDatabase(),
		dump: (write) => store.dump(write),
		load: (produce) => store.load(produce),
		...(store.describe ? { describe: () => store.describe?.() } : {}),
		...(store.warnings ? { warnings: () => store.warnings?.() ?? [] } : {}),
		close: () => store.close(),
	};
}
