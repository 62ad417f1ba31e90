/**
 * @module federation/messages
 * The texts of the errors login validation answers, in one place. Where Amazon's wording was
 * observed (docs/behaviour.md#errors, docs/behaviour.md#getid, docs/behaviour.md#getcredentialsforidentity and docs/behaviour.md#getopenidtoken) it is copied exactly, because SDKs and applications
 * match on it; where the reference is silent the text follows the same `Invalid login token.
 * ...` pattern and says what to fix. docs/federation.md lists them all.
 */
import {
	ExternalServiceException,
	NotAuthorizedException,
} from "../errors/service-errors.ts";

/** Observed: a key that is not a provider of the pool (also a wrong user-pool client id). */
export const NOT_SUPPORTED_PROVIDER =
	"Token is not from a supported provider of this identity pool.";
/** Observed: this server's own token where it is not accepted (docs/behaviour.md#issuer). */
export const CANT_PASS_COGNITO_TOKEN =
	"Invalid login token. Can't pass in a Cognito token.";
/** Observed: a token that is not this server's under its own key. */
export const NOT_A_COGNITO_TOKEN = "Invalid login token. Not a Cognito token.";
/** Observed. */
export const ISSUER_MISMATCH =
	"Invalid login token. Issuer doesn't match providerName";
/** Observed: bad signature, unknown key (after a refresh), algorithm not allowed. */
export const COULD_NOT_VERIFY =
	"Invalid login token. Couldn't verify signed token.";
/** Observed (a user-pool access token). */
export const MISSING_AUD = "Invalid login token. Missing a required claim: aud";
/** Observed wording of STS for the same fault; Cognito Identity's own text was not found. */
export const INCORRECT_AUDIENCE =
	"Invalid login token. Incorrect token audience.";
/** Observed (e.g. a Facebook access token under an OpenID Connect key). */
export const NOT_OIDC_TOKEN =
	"Invalid login token. Not a valid OpenId Connect identity token.";
/** Not observed: a user-pool token whose `token_use` is not `id`. */
export const NOT_ID_TOKEN =
	"Invalid login token. The token_use claim must be 'id': pass the user pool's ID token.";
/** Not observed: this server's token of a guest (`amr` `unauthenticated`) passed as a login. */
export const GUEST_TOKEN =
	"Invalid login token. The token of an unauthenticated identity is not a login.";
/** Not observed. */
export const SAML_NOT_SUPPORTED =
	"SAML logins are not supported yet by idpool.";

/** Observed form `Token expired: <now> >= <exp>`, both in seconds since the epoch. */
export function tokenExpired(now: number, exp: number): string {
	return `Invalid login token. Token expired: ${now} >= ${exp}`;
}

/** Not observed: a token whose `nbf` lies further in the future than the allowed skew. */
export function tokenNotYetValid(now: number, nbf: number): string {
	return `Invalid login token. Token not yet valid: ${now} < ${nbf}`;
}

/** Not observed, modelled on the observed `aud` message. */
export function missingClaim(name: string): string {
	return `Invalid login token. Missing a required claim: ${name}`;
}

/**
 * Not observed: a verified token (or a provider's answer) naming a user that no store could
 * keep as it is (`problem` from lib/storable.ts: a NUL, an unpaired surrogate).
 */
export function unstorableSubject(problem: string): string {
	return `Invalid login token. The user it names ${problem}.`;
}

/** Not observed: an OpenID Connect provider with no `clientIds` in the configuration. */
export function noClientIds(key: string): string {
	return `Invalid login token. No client ids are configured for the OpenID Connect provider ${key} in idpool (providers["${key}"].clientIds), so it accepts no token.`;
}

/**
 * Not observed: a user pool whose name is not AWS's (a local emulator's) and that the
 * configuration says nothing of, so there is no place to take its keys from.
 */
export function noUserPoolKeys(key: string): string {
	const slash = key.lastIndexOf("/");
	const emulator = slash < 0 ? "" : ` or providers["${key.slice(0, slash)}/*"]`;
	return `Invalid login token. The user pool ${key} is not one of Amazon Cognito's, and idpool is configured with no keys for it (providers["${key}"]${emulator}), so it accepts no token.`;
}

/** Not observed: an opaque token (Facebook, Amazon, Twitter) its provider refused. */
export function invalidProviderToken(name: string): string {
	return `Invalid login token. Not a valid ${name} token.`;
}

/** Not observed: a `SupportedLoginProviders` entry idpool cannot check. */
export function unsupportedSocialProvider(key: string): string {
	return `Logins of ${key} are not supported by idpool.`;
}

/** Not observed: Twitter configured without `consumerKey;consumerSecret`. */
export const TWITTER_MISCONFIGURED =
	"The api.twitter.com provider of this identity pool must be configured as 'consumerKey;consumerSecret'.";

export function notAuthorized(
	message: string,
): InstanceType<typeof NotAuthorizedException> {
	return new NotAuthorizedException(message);
}

/**
 * A provider that could not be asked (unreachable, too slow, a 5xx or an answer that is not
 * what its API answers). The message names the provider but not the URL, which may be an
 * internal address of the operator's.
 */
export function providerUnavailable(
	key: string,
	reason: string,
	cause?: unknown,
): InstanceType<typeof ExternalServiceException> {
	return new ExternalServiceException(
		`The identity provider ${key} could not be reached: ${reason}.`,
		cause === undefined ? undefined : { cause },
	);
}
