/**
 * @module federation/login-verifier
 * The real {@link LoginVerifier}: each `Logins` entry is classified against the pool
 * (`classify.ts`), refused at once when its key cannot be accepted (not a provider of the
 * pool, SAML, this server's own token where it is not allowed, a provider configured so that
 * it accepts nothing), and otherwise verified by its provider's rules: ID tokens against the
 * issuer's keys (`jwt.ts`, `key-sources.ts`), opaque tokens through the provider's API
 * (`opaque.ts`). Entries are verified concurrently, each within `fetchTimeoutMs`; when
 * several fail, the first in the order of the map is reported, so the answer does not depend
 * on which provider happened to answer first.
 */
import type { JWTPayload } from "jose";
import type { PoolRecord } from "../domain/records.ts";
import type { ServiceError } from "../errors/service-errors.ts";
import type { Clock } from "../lib/clock.ts";
import { classifyLogin, type LoginClass, ownLoginKeys } from "./classify.ts";
import { type FetchLike, ProviderUnreachable } from "./http.ts";
import {
	audiences,
	checkTimes,
	decodeToken,
	EXTERNAL_ALGORITHMS,
	requireSubject,
	verifySignature,
} from "./jwt.ts";
import { type KeyGetter, KeySources } from "./key-sources.ts";
import {
	CANT_PASS_COGNITO_TOKEN,
	COULD_NOT_VERIFY,
	GUEST_TOKEN,
	INCORRECT_AUDIENCE,
	ISSUER_MISMATCH,
	MISSING_AUD,
	NOT_A_COGNITO_TOKEN,
	NOT_ID_TOKEN,
	NOT_SUPPORTED_PROVIDER,
	noClientIds,
	notAuthorized,
	providerUnavailable,
	SAML_NOT_SUPPORTED,
	TWITTER_MISCONFIGURED,
	unsupportedSocialProvider,
} from "./messages.ts";
import {
	AMAZON_TOKENINFO_URL,
	FACEBOOK_GRAPH_URL,
	type OpaqueContext,
	type OpaqueResult,
	TWITTER_VERIFY_URL,
	verifyAmazon,
	verifyFacebook,
	verifyTwitter,
} from "./opaque.ts";
import {
	type ProviderMap,
	type ProviderSettings,
	USER_POOL_KEY,
} from "./providers.ts";
import type {
	LoginVerifier,
	VerifiedLogin,
	VerifyOptions,
} from "./verifier.ts";

/** Google's and Apple's published keys (reference §5). */
export const GOOGLE_JWKS_URL = "https://www.googleapis.com/oauth2/v3/certs";
export const APPLE_JWKS_URL = "https://appleid.apple.com/auth/keys";
/** Google issues both forms. */
const GOOGLE_ISSUERS = ["https://accounts.google.com", "accounts.google.com"];
const APPLE_ISSUERS = ["https://appleid.apple.com"];

export const DEFAULT_FETCH_TIMEOUT_MS = 5000;
export const DEFAULT_CACHE_MAX_AGE_MS = 600_000;
export const DEFAULT_JWKS_COOLDOWN_MS = 30_000;
/** How much later than a fetch's own timeout the deadline of a whole entry falls. */
const DEADLINE_MARGIN_MS = 100;

export interface LoginVerifierOptions {
	/** The `providers` table of the configuration. */
	providers: ProviderMap;
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
	/** The least time between two refetches of one JWKS caused by unknown `kid`s. Default 30 s. */
	jwksCooldownMs?: number;
	/** Replaces global `fetch` (tests route public URLs to local doubles). */
	fetch?: FetchLike;
}

/** Creates a verifier with its own caches (one per server). */
export function createLoginVerifier(
	options: LoginVerifierOptions,
): LoginVerifier {
	const timeoutMs = options.fetchTimeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS;
	const fetchImpl: FetchLike =
		options.fetch ?? ((input, init) => fetch(input, init));
	const keys = new KeySources({
		fetch: fetchImpl,
		clock: options.clock,
		timeoutMs,
		cacheMaxAgeMs: options.cacheMaxAgeMs ?? DEFAULT_CACHE_MAX_AGE_MS,
		cooldownMs: options.jwksCooldownMs ?? DEFAULT_JWKS_COOLDOWN_MS,
	});
	const opaque: OpaqueContext = {
		fetch: fetchImpl,
		timeoutMs,
		clock: options.clock,
	};

	const settingsOf = (key: string): ProviderSettings | undefined =>
		Object.hasOwn(options.providers, key) ? options.providers[key] : undefined;

	/** The keys of an issuer: inline, a configured URL, else `fallback` (its public URL). */
	const keysOf = async (
		key: string,
		fallback: () => Promise<string> | string,
	): Promise<KeyGetter> => {
		const settings = settingsOf(key);
		if (settings?.jwks) return keys.inline(settings.jwks);
		return keys.remote(settings?.jwksUri ?? (await fallback()));
	};

	/** Refusals that need no token work: they depend on the key and the configuration only. */
	const refusal = (
		cls: LoginClass,
		key: string,
		allowCognito: boolean,
	): ServiceError | undefined => {
		switch (cls.kind) {
			case "unknown":
				return notAuthorized(NOT_SUPPORTED_PROVIDER);
			case "saml":
				return notAuthorized(SAML_NOT_SUPPORTED);
			case "unsupportedSocial":
				return notAuthorized(unsupportedSocialProvider(key));
			case "own":
				return allowCognito
					? undefined
					: notAuthorized(CANT_PASS_COGNITO_TOKEN);
			case "oidc":
				return (settingsOf(key)?.clientIds ?? []).length === 0
					? notAuthorized(noClientIds(key))
					: undefined;
			case "twitter":
				return cls.consumerSecret === undefined || cls.consumerKey === ""
					? notAuthorized(TWITTER_MISCONFIGURED)
					: undefined;
			default:
				return undefined;
		}
	};

	const verifyOwn = async (
		pool: PoolRecord,
		key: string,
		token: string,
	): Promise<VerifiedLogin> => {
		const { claims } = decodeToken(token);
		const issuer = options.issuer();
		if (claims.iss !== issuer) {
			// Another Cognito Identity issuer (a regional one, AWS's own) is the observed
			// mismatch case; anything else is not a Cognito token at all.
			throw notAuthorized(
				typeof claims.iss === "string" &&
					/^https:\/\/cognito-identity\./.test(claims.iss)
					? ISSUER_MISMATCH
					: NOT_A_COGNITO_TOKEN,
			);
		}
		checkTimes(claims, options.clock.now());
		const aud = audiences(claims);
		if (!aud) throw notAuthorized(MISSING_AUD);
		if (!aud.includes(pool.poolId)) throw notAuthorized(INCORRECT_AUDIENCE);
		const subject = requireSubject(claims);
		const amr = Array.isArray(claims.amr) ? claims.amr : [];
		if (amr[0] !== "authenticated") {
			throw notAuthorized(GUEST_TOKEN);
		}
		const getKey = keys.own(await options.ownJwks());
		await verifySignature(token, getKey, ["RS512"], key);
		return {
			provider: key,
			kind: "cognito",
			subject,
			claims: { ...claims },
			amr: amr.slice(1).filter((a): a is string => typeof a === "string"),
		};
	};

	/** The checks shared by every external ID token, then the signature. */
	const verifyIdToken = async (
		key: string,
		token: string,
		issuers: readonly string[],
		checkAudience: (claims: JWTPayload) => void,
		fallbackKeys: (iss: string) => Promise<string> | string,
	): Promise<{ claims: JWTPayload; subject: string }> => {
		const { claims } = decodeToken(token);
		const iss = claims.iss;
		if (typeof iss !== "string" || !issuers.includes(iss)) {
			throw notAuthorized(ISSUER_MISMATCH);
		}
		checkTimes(claims, options.clock.now());
		checkAudience(claims);
		const subject = requireSubject(claims);
		let getKey: KeyGetter;
		try {
			getKey = await keysOf(key, () => fallbackKeys(iss));
		} catch (err) {
			if (err instanceof ProviderUnreachable) {
				throw providerUnavailable(key, err.reason, err);
			}
			throw err;
		}
		await verifySignature(token, getKey, EXTERNAL_ALGORITHMS, key);
		return { claims, subject };
	};

	const external = (
		key: string,
		subject: string,
		claims: Record<string, unknown>,
		qualified: string,
	): VerifiedLogin => ({
		provider: key,
		kind: "external",
		subject,
		claims,
		amr: [key, qualified],
	});

	const verifyEntry = async (
		pool: PoolRecord,
		key: string,
		token: string,
		cls: LoginClass,
	): Promise<VerifiedLogin> => {
		switch (cls.kind) {
			case "own":
				return verifyOwn(pool, key, token);
			case "userPool": {
				const { claims, subject } = await verifyIdToken(
					key,
					token,
					[`https://${key}`],
					(c) => {
						const aud = audiences(c);
						if (!aud) throw notAuthorized(MISSING_AUD);
						if (c.token_use !== "id") throw notAuthorized(NOT_ID_TOKEN);
						// Observed: a client id the pool does not list reads as "not a provider".
						if (!aud.some((a) => cls.clientIds.includes(a))) {
							throw notAuthorized(NOT_SUPPORTED_PROVIDER);
						}
					},
					() => {
						// The public URL only for a real user-pool name: a ProviderName is the
						// pool owner's input and must not point this server at other hosts.
						if (!USER_POOL_KEY.test(key)) throw notAuthorized(COULD_NOT_VERIFY);
						return `https://${key}/.well-known/jwks.json`;
					},
				);
				return external(
					key,
					subject,
					{ ...claims },
					`${key}:CognitoSignIn:${subject}`,
				);
			}
			case "oidc": {
				const clientIds = settingsOf(key)?.clientIds ?? [];
				const { claims, subject } = await verifyIdToken(
					key,
					token,
					oidcIssuers(key),
					(c) => {
						// Reference §5: `azp` when present, else `aud`.
						if (typeof c.azp === "string") {
							if (!clientIds.includes(c.azp)) {
								throw notAuthorized(INCORRECT_AUDIENCE);
							}
							return;
						}
						const aud = audiences(c);
						if (!aud) throw notAuthorized(MISSING_AUD);
						if (!aud.some((a) => clientIds.includes(a))) {
							throw notAuthorized(INCORRECT_AUDIENCE);
						}
					},
					(iss) => {
						if (!isPlainIssuerKey(key)) throw notAuthorized(COULD_NOT_VERIFY);
						return keys.discoverJwksUri(iss);
					},
				);
				return external(
					key,
					subject,
					{ ...claims },
					`${cls.arn}:OIDC:${subject}`,
				);
			}
			case "google":
			case "apple": {
				const { claims, subject } = await verifyIdToken(
					key,
					token,
					cls.kind === "google" ? GOOGLE_ISSUERS : APPLE_ISSUERS,
					(c) => {
						const aud = audiences(c);
						if (!aud) throw notAuthorized(MISSING_AUD);
						if (!aud.includes(cls.appId))
							throw notAuthorized(INCORRECT_AUDIENCE);
					},
					() => (cls.kind === "google" ? GOOGLE_JWKS_URL : APPLE_JWKS_URL),
				);
				return external(
					key,
					subject,
					{ ...claims },
					`${key}:${cls.appId}:${subject}`,
				);
			}
			case "facebook":
			case "amazon":
			case "twitter": {
				const verifyUrl = settingsOf(key)?.verifyUrl;
				let result: OpaqueResult;
				let appId: string;
				try {
					if (cls.kind === "facebook") {
						appId = cls.appId;
						result = await verifyFacebook(
							token,
							appId,
							verifyUrl ?? FACEBOOK_GRAPH_URL,
							opaque,
						);
					} else if (cls.kind === "amazon") {
						appId = cls.appId;
						result = await verifyAmazon(
							token,
							appId,
							verifyUrl ?? AMAZON_TOKENINFO_URL,
							opaque,
						);
					} else {
						appId = cls.consumerKey;
						result = await verifyTwitter(
							token,
							cls.consumerKey,
							cls.consumerSecret ?? "",
							verifyUrl ?? TWITTER_VERIFY_URL,
							opaque,
						);
					}
				} catch (err) {
					if (err instanceof ProviderUnreachable) {
						throw providerUnavailable(key, err.reason, err);
					}
					throw err;
				}
				return external(
					key,
					result.userId,
					result.claims,
					`${key}:${appId}:${result.userId}`,
				);
			}
			default:
				// Every other kind was refused before any verification started.
				throw notAuthorized(NOT_SUPPORTED_PROVIDER);
		}
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
			const entries = Object.entries(logins).map(([key, token]) => ({
				key,
				token,
				cls: classifyLogin(pool, key, ownKeys),
			}));
			for (const { key, cls } of entries) {
				const refused = refusal(cls, key, verifyOptions.allowCognitoTokens);
				if (refused) throw refused;
			}
			const results = await Promise.allSettled(
				entries.map(({ key, token, cls }) =>
					withinDeadline(key, verifyEntry(pool, key, token, cls)),
				),
			);
			return results.map((r) => {
				if (r.status === "rejected") throw r.reason;
				return r.value;
			});
		},
	};
}

/**
 * The issuers an OpenID Connect key stands for: `https://<key>` (reference §5), and also
 * `http://<key>` when the key's host is the loopback interface, so that a provider running
 * locally without TLS (a development Keycloak, dex or mock server) can be used as it is.
 */
export function oidcIssuers(key: string): string[] {
	const host = key.split("/")[0] ?? "";
	const loopback = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/.test(host);
	return loopback ? [`https://${key}`, `http://${key}`] : [`https://${key}`];
}

/**
 * Whether an OIDC key is a host (with an optional port) and path, so that
 * `https://<key>/.well-known/openid-configuration` can only name that host: no user info,
 * query or fragment smuggled in through the pool's provider ARN.
 */
export function isPlainIssuerKey(key: string): boolean {
	return /^[A-Za-z0-9.-]+(:\d{1,5})?(\/[A-Za-z0-9._~%!$&'()*+,;=:@/-]*)?$/.test(
		key,
	);
}
