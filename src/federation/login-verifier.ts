/**
 * @module federation/login-verifier
 * The real {@link LoginVerifier}: each `Logins` entry is classified against the pool
 * (`classify.ts`) and handed to the verifier of its kind (`kinds/table.ts`, one module per
 * kind under `kinds/`). Every entry is first asked for a refusal that needs no token work
 * (not a provider of the pool, SAML, this server's own token where it is not allowed, a
 * provider configured so that it accepts nothing), so such a key fails the call before any
 * provider is asked; then the entries are verified concurrently, each within `fetchTimeoutMs`.
 * When several fail, the first in the order of the map is reported, so the answer does not
 * depend on which provider happened to answer first.
 */
import type { PoolRecord } from "../domain/records.ts";
import type { Clock } from "../lib/clock.ts";
import { type Metrics, noMetrics } from "../lib/metrics.ts";
import type { FetchLike } from "../lib/outbound-http.ts";
import { classifyLogin, ownLoginKeys } from "./classify.ts";
import { KeySources } from "./key-sources.ts";
import type { KindContext } from "./kinds/kind.ts";
import { verifierOf } from "./kinds/table.ts";
import { providerUnavailable } from "./messages.ts";
import {
	type ProviderMap,
	type ProviderSettings,
	settingsOf,
	userPoolSettingsOf,
} from "./providers.ts";
import type {
	LoginVerifier,
	VerifiedLogin,
	VerifyOptions,
} from "./verifier.ts";

const DEFAULT_FETCH_TIMEOUT_MS = 5000;
const DEFAULT_CACHE_MAX_AGE_MS = 600_000;
const DEFAULT_JWKS_COOLDOWN_MS = 30_000;
const DEFAULT_CLOCK_SKEW_SECONDS = 300;
/** How much later than a fetch's own timeout the deadline of a whole entry falls. */
const DEADLINE_MARGIN_MS = 100;

export interface LoginVerifierOptions {
	/**
	 * The `providers` table of the configuration, or a function answering the one in force
	 * (read at each login: a server reloads it on SIGHUP).
	 */
	providers: ProviderMap | (() => ProviderMap);
	/**
	 * Providers the server registers itself, read at each login (their names may hold the
	 * bound port): the development issuer (docs/federation.md#a-development-issuer). Their
	 * client ids are added to those the configuration gives the same name; the
	 * configuration's other settings win.
	 */
	builtInProviders?: () => ProviderMap;
	clock: Clock;
	/** This server's issuer (`iss` of its tokens), without a trailing slash. */
	issuer: () => string;
	/** This server's published keys. */
	ownJwks: () => Promise<{ keys: object[] }>;
	/**
	 * The longest a provider may take to answer one request (default 5000); an entry fails
	 * with ExternalServiceException after it, and in any case by 100 ms later.
	 */
	fetchTimeoutMs?: number;
	/** How long fetched JWKS and discovery documents are kept. Default 10 minutes. */
	cacheMaxAgeMs?: number;
	/**
	 * How long after its `exp` (or before its `nbf`) a token is still accepted, for clocks that
	 * disagree a little. Default 300 (five minutes).
	 */
	clockSkewSeconds?: number;
	/** The least time between two refetches of one JWKS caused by unknown `kid`s. Default 30 s. */
	jwksCooldownMs?: number;
	/** Replaces global `fetch` (tests route public URLs to local doubles). */
	fetch?: FetchLike;
	/** Told of every request to a provider, by login kind (docs/operating.md#metrics). */
	metrics?: Metrics;
}

/**
 * The settings of a provider both configured and built in: the configuration's, with the
 * client ids of both.
 */
function mergeSettings(
	configured: ProviderSettings | undefined,
	builtIn: ProviderSettings | undefined,
): ProviderSettings | undefined {
	if (!configured || !builtIn) return configured ?? builtIn;
	const clientIds = [
		...new Set([...(builtIn.clientIds ?? []), ...(configured.clientIds ?? [])]),
	];
	return { ...configured, clientIds };
}

/** Creates a verifier with its own caches (one per server). */
export function createLoginVerifier(
	options: LoginVerifierOptions,
): LoginVerifier {
	const timeoutMs = options.fetchTimeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS;
	const configured = options.providers;
	const providers =
		typeof configured === "function" ? configured : () => configured;
	const http = { fetch: options.fetch, timeoutMs };
	const metrics = options.metrics ?? noMetrics;
	const shared: Omit<KindContext, "kind"> = {
		clock: options.clock,
		clockSkewSeconds: options.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS,
		http,
		keys: new KeySources({
			...http,
			clock: options.clock,
			cacheMaxAgeMs: options.cacheMaxAgeMs ?? DEFAULT_CACHE_MAX_AGE_MS,
			cooldownMs: options.jwksCooldownMs ?? DEFAULT_JWKS_COOLDOWN_MS,
			metrics,
		}),
		issuer: options.issuer,
		ownJwks: options.ownJwks,
		settingsOf: (key) =>
			mergeSettings(
				settingsOf(providers(), key),
				options.builtInProviders
					? settingsOf(options.builtInProviders(), key)
					: undefined,
			),
		userPoolSettingsOf: (key) => userPoolSettingsOf(providers(), key),
	};
	/** The context of each kind of login: the same, with its requests counted as its own. */
	const contexts = new Map<string, KindContext>();
	const contextOf = (kind: string): KindContext => {
		let ctx = contexts.get(kind);
		if (!ctx) {
			ctx = {
				...shared,
				kind,
				http: {
					...http,
					observe: (ok, seconds) =>
						metrics.federationFetch(kind, "api", ok, seconds),
				},
			};
			contexts.set(kind, ctx);
		}
		return ctx;
	};

	/**
	 * Runs `work` with the deadline of one entry, whatever it waits for. Each fetch has its
	 * own timeout of `timeoutMs`; this backstop, a little later, bounds an entry that needs
	 * two fetches (discovery, then keys). It fires after the fetch's own timeout so that the
	 * fetch has been abandoned (and is not joined by the next request) by the time the
	 * caller hears about it.
	 */
	const withinDeadline = <T>(key: string, work: Promise<T>): Promise<T> => {
		let timer: NodeJS.Timeout | undefined;
		const deadline = new Promise<never>((_, reject) => {
			timer = setTimeout(
				() =>
					reject(providerUnavailable(key, `no answer within ${timeoutMs} ms`)),
				timeoutMs + DEADLINE_MARGIN_MS,
			);
		});
		return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
	};

	return {
		async verifyAll(
			pool: PoolRecord,
			logins: Record<string, string>,
			verifyOptions: VerifyOptions,
		): Promise<VerifiedLogin[]> {
			const ownKeys = ownLoginKeys(options.issuer());
			const entries = Object.entries(logins).map(([key, token]) => {
				const cls = classifyLogin(pool, key, ownKeys);
				return { key, token, cls, verifier: verifierOf(cls) };
			});
			for (const { key, cls, verifier } of entries) {
				const refused = verifier.refusal?.(
					cls,
					key,
					contextOf(cls.kind),
					verifyOptions,
				);
				if (refused) throw refused;
			}
			const results = await Promise.allSettled(
				entries.map(({ key, token, cls, verifier }) =>
					withinDeadline(
						key,
						verifier.verify(pool, key, token, cls, contextOf(cls.kind)),
					),
				),
			);
			return results.map((r) => {
				if (r.status === "rejected") throw r.reason;
				return r.value;
			});
		},
	};
}
