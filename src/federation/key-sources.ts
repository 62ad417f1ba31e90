/**
 * @module federation/key-sources
 * Where the public keys of each issuer come from, cached per verifier (so per server, never
 * per module: several servers may share a process). One {@link RemoteKeySet} per JWKS URL,
 * which keeps the keys for `cacheMaxAgeMs` and refetches them when a token names a `kid` they
 * do not have: at once the first time (a provider that has just published a new key is
 * followed without delay), then at most once per `cooldownMs`, so a flood of tokens with
 * made-up `kid`s cannot turn into a flood of fetches. Times come from the injected clock. OpenID discovery documents are cached the same way (and a
 * stale one is kept when the provider is down, since a provider's `jwks_uri` hardly ever
 * changes). Inline keys from the configuration and this server's own keys never leave the
 * process.
 */
import {
	type CompactVerifyGetKey,
	createLocalJWKSet,
	errors,
	type JSONWebKeySet,
} from "jose";
import type { Clock } from "../lib/clock.ts";
import type { FederationDocument, Metrics } from "../lib/metrics.ts";
import {
	getJson,
	type HttpContext,
	isObject,
	ProviderUnreachable,
} from "./http.ts";
import { type InlineJwks, isAllowedProviderUrl } from "./providers.ts";

/** Resolves the key a token names (jose's key-resolver signature). */
export type KeyGetter = CompactVerifyGetKey;

export interface KeySourceOptions extends HttpContext {
	clock: Clock;
	/** How long fetched keys and discovery documents are used before they are fetched again. */
	cacheMaxAgeMs: number;
	/** The least time between two fetches of one JWKS triggered by unknown `kid`s. */
	cooldownMs: number;
	/** Told of every fetch of a JWKS or a discovery document (docs/operating.md#metrics). */
	metrics?: Metrics;
}

/** A bound on cached URLs: pools name their own OIDC issuers, so the set is open-ended. */
const MAX_CACHED_URLS = 1000;

interface DiscoveryEntry {
	jwksUri?: string;
	fetchedAt: number;
	pending?: Promise<string>;
}

/** Caches of key sets and discovery documents for one verifier. */
export class KeySources {
	readonly #options: KeySourceOptions;
	readonly #remote = new Map<string, RemoteKeySet>();
	readonly #inline = new WeakMap<InlineJwks, KeyGetter>();
	readonly #discovery = new Map<string, DiscoveryEntry>();
	#own: { text: string; getter: KeyGetter } | undefined;

	constructor(options: KeySourceOptions) {
		this.#options = options;
	}

	/**
	 * The key set published at `url`, fetched on first use and kept as described above. Its
	 * fetches are counted for the login `kind` that first asked for it (a URL serves one kind).
	 */
	remote(url: string, kind: string): KeyGetter {
		let set = this.#remote.get(url);
		if (set) {
			// Refresh the entry's place in the insertion order, so eviction drops the least used.
			this.#remote.delete(url);
		} else {
			set = new RemoteKeySet(
				() => this.#observed(kind, "jwks", this.#fetchJwks(url)),
				this.#options,
			);
		}
		this.#remote.set(url, set);
		evictOldest(this.#remote);
		return set.getKey;
	}

	/** Keys given inline in the configuration. */
	inline(jwks: InlineJwks): KeyGetter {
		let getter = this.#inline.get(jwks);
		if (!getter) {
			getter = createLocalJWKSet(jwks as unknown as JSONWebKeySet);
			this.#inline.set(jwks, getter);
		}
		return getter;
	}

	/**
	 * This server's own keys. The key ring answers a fresh document each time; the local set
	 * is rebuilt only when its content changes, so each key is imported once.
	 */
	own(jwks: { keys: object[] }): KeyGetter {
		const text = JSON.stringify(jwks.keys);
		if (this.#own?.text !== text) {
			this.#own = {
				text,
				getter: createLocalJWKSet(jwks as unknown as JSONWebKeySet),
			};
		}
		return this.#own.getter;
	}

	/**
	 * The `jwks_uri` of the OpenID Connect issuer `issuer` (`https://<key>`, or `http://` on
	 * loopback), from its discovery document.
	 * @throws ProviderUnreachable when the document cannot be had and none was cached before
	 */
	async discoverJwksUri(issuer: string, kind: string): Promise<string> {
		const url = `${issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`;
		const now = this.#options.clock.now();
		let entry = this.#discovery.get(url);
		if (
			entry?.jwksUri !== undefined &&
			now - entry.fetchedAt < this.#options.cacheMaxAgeMs
		) {
			return entry.jwksUri;
		}
		if (!entry) {
			entry = { fetchedAt: Number.NEGATIVE_INFINITY };
			this.#discovery.set(url, entry);
			evictOldest(this.#discovery);
		}
		const current = entry;
		current.pending ??= this.#observed(
			kind,
			"discovery",
			this.#fetchDiscovery(url),
		)
			.then((jwksUri) => {
				current.jwksUri = jwksUri;
				current.fetchedAt = this.#options.clock.now();
				return jwksUri;
			})
			.finally(() => {
				current.pending = undefined;
			});
		try {
			return await current.pending;
		} catch (err) {
			// A provider that is down keeps its last known key location.
			if (current.jwksUri !== undefined) return current.jwksUri;
			throw err;
		}
	}

	/** `fetch`, told to the metrics once it settles: a failure is anything it throws. */
	async #observed<T>(
		kind: string,
		document: FederationDocument,
		fetch: Promise<T>,
	): Promise<T> {
		const metrics = this.#options.metrics;
		if (!metrics) return fetch;
		const started = performance.now();
		let ok = false;
		try {
			const answer = await fetch;
			ok = true;
			return answer;
		} finally {
			metrics.federationFetch(
				kind,
				document,
				ok,
				(performance.now() - started) / 1000,
			);
		}
	}

	async #fetchDiscovery(url: string): Promise<string> {
		const answer = await getJson(url, {
			fetch: this.#options.fetch,
			timeoutMs: this.#options.timeoutMs,
		});
		if (answer.status !== 200) {
			throw new ProviderUnreachable(
				`its discovery document answered HTTP ${answer.status}`,
			);
		}
		const jwksUri = isObject(answer.body) ? answer.body.jwks_uri : undefined;
		// The same rule as for configured URLs: keys over plain http only from loopback.
		if (typeof jwksUri !== "string" || !isAllowedProviderUrl(jwksUri)) {
			throw new ProviderUnreachable(
				"its discovery document has no usable https jwks_uri",
			);
		}
		return jwksUri;
	}

	/**
	 * The key set at `url`, through the bounded GET: failures are ProviderUnreachable, so the
	 * verifier can tell "the provider is down" from "the token is bad".
	 */
	async #fetchJwks(url: string): Promise<JSONWebKeySet> {
		const answer = await getJson(url, {
			fetch: this.#options.fetch,
			timeoutMs: this.#options.timeoutMs,
			headers: { accept: "application/json, application/jwk-set+json" },
		});
		if (answer.status !== 200) {
			throw new ProviderUnreachable(`its JWKS answered HTTP ${answer.status}`);
		}
		const body = answer.body;
		if (!isObject(body) || !Array.isArray(body.keys)) {
			throw new ProviderUnreachable("its JWKS is not a key set");
		}
		return body as unknown as JSONWebKeySet;
	}
}

/**
 * The keys published at one URL: fetched on first use and again once older than
 * `cacheMaxAgeMs` (the older keys stay in use while the provider cannot be reached); a `kid` they lack makes them be fetched again at once, unless a fetch for
 * an unknown `kid` happened less than `cooldownMs` ago (the cooldown counts from the last such
 * fetch only, not from the routine ones). Concurrent callers share one fetch.
 */
class RemoteKeySet {
	readonly #fetch: () => Promise<JSONWebKeySet>;
	readonly #options: Pick<
		KeySourceOptions,
		"clock" | "cacheMaxAgeMs" | "cooldownMs"
	>;
	#keys: { getKey: KeyGetter; fetchedAt: number } | undefined;
	#pending: Promise<KeyGetter> | undefined;
	#lastUnknownKidFetch = Number.NEGATIVE_INFINITY;

	constructor(
		fetch: () => Promise<JSONWebKeySet>,
		options: Pick<KeySourceOptions, "clock" | "cacheMaxAgeMs" | "cooldownMs">,
	) {
		this.#fetch = fetch;
		this.#options = options;
	}

	/** jose's key resolver: the key the token's header names. */
	readonly getKey: KeyGetter = async (header, token) => {
		const now = this.#options.clock.now();
		const fresh =
			this.#keys !== undefined &&
			now - this.#keys.fetchedAt < this.#options.cacheMaxAgeMs;
		const getKey = fresh
			? (this.#keys as { getKey: KeyGetter }).getKey
			: await this.#reloadOrStale();
		try {
			return await getKey(header, token);
		} catch (err) {
			if (!(err instanceof errors.JWKSNoMatchingKey)) throw err;
			// A fetch already under way (another token's) may bring the key.
			if (this.#pending) return (await this.#pending)(header, token);
			if (now - this.#lastUnknownKidFetch < this.#options.cooldownMs) throw err;
			this.#lastUnknownKidFetch = now;
			return (await this.#reload())(header, token);
		}
	};

	/**
	 * Fresh keys, or, when the provider cannot be reached, the keys fetched before (a provider
	 * that is down has not revoked anything); with none fetched before, the failure.
	 */
	async #reloadOrStale(): Promise<KeyGetter> {
		try {
			return await this.#reload();
		} catch (err) {
			if (this.#keys && err instanceof ProviderUnreachable) {
				return this.#keys.getKey;
			}
			throw err;
		}
	}

	#reload(): Promise<KeyGetter> {
		this.#pending ??= this.#fetch()
			.then((jwks) => {
				const getKey = createLocalJWKSet(jwks);
				this.#keys = { getKey, fetchedAt: this.#options.clock.now() };
				return getKey;
			})
			.finally(() => {
				this.#pending = undefined;
			});
		return this.#pending;
	}
}

function evictOldest<K, V>(map: Map<K, V>): void {
	while (map.size > MAX_CACHED_URLS) {
		const oldest = map.keys().next();
		if (oldest.done) return;
		map.delete(oldest.value);
	}
}
