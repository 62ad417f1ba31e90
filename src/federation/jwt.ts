/**
 * @module federation/jwt
 * The checks every ID token goes through, with Amazon's messages: it must be a JWS compact
 * JWT, not expired (five minutes of clock skew allowed, times from the injected clock), and
 * signed by a key of its issuer with an asymmetric algorithm. Claims are checked before the
 * signature so that a token that is plainly wrong (expired, other issuer, other audience)
 * costs no fetch of the issuer's keys; nothing from an unverified token is trusted beyond
 * choosing the error message.
 */
import {
	compactVerify,
	decodeJwt,
	decodeProtectedHeader,
	errors,
	type JWTPayload,
	type ProtectedHeaderParameters,
} from "jose";
import { ProviderUnreachable } from "./http.ts";
import type { KeyGetter } from "./key-sources.ts";
import {
	COULD_NOT_VERIFY,
	MISSING_AUD,
	missingClaim,
	NOT_OIDC_TOKEN,
	notAuthorized,
	providerUnavailable,
	tokenExpired,
	tokenNotYetValid,
} from "./messages.ts";

/** Asymmetric algorithms only: `none` and HMAC (whose "key" would be public) are refused. */
export const EXTERNAL_ALGORITHMS = [
	"RS256",
	"RS384",
	"RS512",
	"PS256",
	"PS384",
	"PS512",
	"ES256",
	"ES384",
	"ES512",
];

/** A JWT as decoded, before its signature is checked. */
export interface DecodedJwt {
	header: ProtectedHeaderParameters;
	claims: JWTPayload;
}

/**
 * Decodes a JWS compact JWT.
 * @throws NotAuthorizedException `Not a valid OpenId Connect identity token.` for anything else
 */
export function decodeToken(token: string): DecodedJwt {
	try {
		return { header: decodeProtectedHeader(token), claims: decodeJwt(token) };
	} catch {
		throw notAuthorized(NOT_OIDC_TOKEN);
	}
}

/**
 * Checks `exp` (required) and `nbf` (when present) at `nowMs`, allowing `skewSeconds` of clock
 * skew either way.
 * @throws NotAuthorizedException
 */
export function checkTimes(
	claims: JWTPayload,
	nowMs: number,
	skewSeconds: number,
): void {
	const now = Math.floor(nowMs / 1000);
	if (typeof claims.exp !== "number") throw notAuthorized(missingClaim("exp"));
	if (now >= claims.exp + skewSeconds) {
		throw notAuthorized(tokenExpired(now, claims.exp));
	}
	if (typeof claims.nbf === "number" && now + skewSeconds < claims.nbf) {
		throw notAuthorized(tokenNotYetValid(now, claims.nbf));
	}
}

/** The `sub` claim, which every verified login needs. */
export function requireSubject(claims: JWTPayload): string {
	if (typeof claims.sub !== "string" || claims.sub === "") {
		throw notAuthorized(missingClaim("sub"));
	}
	return claims.sub;
}

/** The `aud` claim as a list (it may be a string or an array of strings). */
export function audiences(claims: JWTPayload): string[] | undefined {
	const aud = claims.aud;
	if (typeof aud === "string") return [aud];
	if (Array.isArray(aud)) return aud.filter((a) => typeof a === "string");
	return undefined;
}

/**
 * The `aud` claim as a list, which every login needs.
 * @throws NotAuthorizedException `Missing a required claim: aud` (as for a user-pool access token)
 */
export function requireAudiences(claims: JWTPayload): string[] {
	const aud = audiences(claims);
	if (!aud) throw notAuthorized(MISSING_AUD);
	return aud;
}

/**
 * Verifies the signature of `token` with the key `getKey` resolves.
 * @param provider the `Logins` key, for the ExternalServiceException message
 * @throws NotAuthorizedException `Couldn't verify signed token.` for a bad signature, an
 *   algorithm not allowed or a `kid` the issuer does not publish (after a refresh);
 *   ExternalServiceException when the issuer's keys cannot be fetched
 */
export async function verifySignature(
	token: string,
	getKey: KeyGetter,
	algorithms: string[],
	provider: string,
): Promise<void> {
	try {
		await compactVerify(token, getKey, { algorithms });
	} catch (err) {
		if (err instanceof ProviderUnreachable) {
			throw providerUnavailable(provider, err.reason, err);
		}
		if (err instanceof errors.JWKSTimeout) {
			throw providerUnavailable(
				provider,
				"its JWKS did not answer in time",
				err,
			);
		}
		if (err instanceof errors.JWKSInvalid) {
			throw providerUnavailable(provider, "its JWKS is not a key set", err);
		}
		// Anything else (no key with that kid, several, wrong key type, bad signature,
		// algorithm not allowed, malformed header) means the token cannot be trusted.
		throw notAuthorized(COULD_NOT_VERIFY);
	}
}
