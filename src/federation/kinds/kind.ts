/**
 * @module federation/kinds/kind
 * What every kind of login has in common: the {@link LoginKindVerifier} interface that one
 * module per kind implements (user pools, OpenID Connect, Google and Apple, Facebook, Login
 * with Amazon, Twitter, this server's own tokens), the {@link KindContext} each is given (the
 * operator's provider settings, the key caches, how providers are asked, this server's issuer
 * and keys), and the small steps several kinds share: the shape of an external login, and
 * turning a provider that cannot be reached into ExternalServiceException.
 */
import type { PoolRecord } from "../../domain/records.ts";
import type { ServiceError } from "../../errors/service-errors.ts";
import type { Clock } from "../../lib/clock.ts";
import { characterProblem } from "../../lib/storable.ts";
import type { LoginClass } from "../classify.ts";
import { type HttpContext, ProviderUnreachable } from "../http.ts";
import type { KeySources } from "../key-sources.ts";
import {
	notAuthorized,
	providerUnavailable,
	unstorableSubject,
} from "../messages.ts";
import type { ProviderSettings } from "../providers.ts";
import type { VerifiedLogin, VerifyOptions } from "../verifier.ts";

/** What a verifier may use; one per login verifier (so per server). */
export interface KindContext {
	/** The kind of login being verified (`oidc`, `google`, ...), as the metrics name it. */
	readonly kind: string;
	readonly clock: Clock;
	/** How far past `exp` (or before `nbf`) a token is still accepted, in seconds. */
	readonly clockSkewSeconds: number;
	/**
	 * How providers are asked (fetch, and the timeout of one request); what it fetches is
	 * counted as the `api` of {@link kind}.
	 */
	readonly http: HttpContext;
	/** The caches of issuers' keys and discovery documents. */
	readonly keys: KeySources;
	/** This server's issuer (`iss` of its tokens), without a trailing slash. */
	readonly issuer: () => string;
	/** This server's published keys. */
	readonly ownJwks: () => Promise<{ keys: object[] }>;
	/** The operator's settings of the provider `key`, if any. */
	settingsOf(key: string): ProviderSettings | undefined;
	/**
	 * The operator's settings of the user pool `key`: its own, else those of its emulator's
	 * `<host>/*` entry (providers.ts `userPoolSettingsOf`).
	 */
	userPoolSettingsOf(key: string): ProviderSettings | undefined;
}

/** The verifier of one kind of `Logins` entry (one `LoginClass` kind). */
export interface LoginKindVerifier<C extends LoginClass> {
	/**
	 * A refusal that needs no token work: it depends on the key, the configuration and what
	 * the caller allows only. Asked of every entry before any entry is verified, so a key that
	 * cannot be accepted fails the call before any provider is asked.
	 */
	refusal?(
		cls: C,
		key: string,
		ctx: KindContext,
		options: VerifyOptions,
	): ServiceError | undefined;
	/**
	 * Verifies `token`, given under `key` and classified as `cls`, for `pool`.
	 * @throws NotAuthorizedException, ExternalServiceException
	 */
	verify(
		pool: PoolRecord,
		key: string,
		token: string,
		cls: C,
		ctx: KindContext,
	): Promise<VerifiedLogin>;
}

/**
 * A login of a provider configured on the pool; `qualified` is the second entry it adds to a
 * token's `amr` (docs/behaviour.md#amr), after the key itself.
 * @throws NotAuthorizedException when no store could keep `subject` as it is (a NUL, an
 * unpaired surrogate): the provider vouches for the token, not for its user's identifier
 * fitting idpool's stores (docs/behaviour.md#federation)
 */
export function externalLogin(
	key: string,
	subject: string,
	claims: Record<string, unknown>,
	qualified: string,
): VerifiedLogin {
	const problem = characterProblem(subject);
	if (problem !== undefined) throw notAuthorized(unstorableSubject(problem));
	return {
		provider: key,
		kind: "external",
		subject,
		claims,
		amr: [key, qualified],
	};
}

/**
 * Awaits `work`, which asks the provider `key`; a provider that could not be reached is
 * ExternalServiceException naming it.
 */
export async function askingProvider<T>(
	key: string,
	work: Promise<T>,
): Promise<T> {
	try {
		return await work;
	} catch (err) {
		if (err instanceof ProviderUnreachable) {
			throw providerUnavailable(key, err.reason, err);
		}
		throw err;
	}
}
