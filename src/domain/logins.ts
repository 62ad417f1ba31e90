/**
 * @module domain/logins
 * How the keys of a `Logins` map are read against a pool's configuration (docs/behaviour.md#federation
 * and docs/behaviour.md#identities): the pool's developer provider name, a provider configured on the pool (an
 * external login), or anything else (refused).
 */
import {
	InvalidParameterException,
	NotAuthorizedException,
} from "../errors/service-errors.ts";
import type { LoginRef, PoolRecord } from "./records.ts";

/** Developer user identifiers are at most 1,024 characters (docs/behaviour.md#quotas and docs/behaviour.md#identities). */
const MAX_DEVELOPER_USER_IDENTIFIER = 1024;

/** The observed text for a developer provider the pool does not have (danilop/LambdAuth#32). */
const UNSUPPORTED_DEVELOPER_PROVIDER =
	"This identity pool does not support the specified developer provider";

const OIDC_MARKER = ":oidc-provider/";

/**
 * The `Logins` key of an OpenID Connect provider ARN: its issuer's host and path, the ARN's
 * part after `oidc-provider/` (docs/behaviour.md#federation); undefined for another ARN.
 */
export function oidcKeyOfArn(arn: string): string | undefined {
	const i = arn.indexOf(OIDC_MARKER);
	return i >= 0 ? arn.slice(i + OIDC_MARKER.length) : undefined;
}

/** The `Logins` keys of the external providers configured on a pool. */
function externalProviderKeys(pool: PoolRecord): Set<string> {
	const s = pool.settings;
	const keys = new Set<string>(Object.keys(s.SupportedLoginProviders ?? {}));
	for (const p of s.CognitoIdentityProviders ?? [])
		if (p.ProviderName) keys.add(p.ProviderName);
	for (const arn of s.OpenIdConnectProviderARNs ?? []) {
		const key = oidcKeyOfArn(arn);
		if (key !== undefined) keys.add(key);
	}
	for (const arn of s.SamlProviderARNs ?? []) keys.add(arn);
	return keys;
}

/** Checks a developer user identifier's length (the model allows 50,000 characters). */
export function checkDeveloperUserIdentifier(identifier: string): void {
	if ([...identifier].length > MAX_DEVELOPER_USER_IDENTIFIER) {
		throw new InvalidParameterException(
			`The developer user identifier must be at most ${MAX_DEVELOPER_USER_IDENTIFIER} characters long.`,
		);
	}
}

/**
 * The developer provider name of the pool, or NotAuthorizedException when `name` is not it
 * (or the pool has none).
 */
export function requireDeveloperProvider(
	pool: PoolRecord,
	name?: string,
): string {
	const developer = pool.settings.DeveloperProviderName;
	if (developer === undefined || (name !== undefined && name !== developer)) {
		throw new NotAuthorizedException(UNSUPPORTED_DEVELOPER_PROVIDER);
	}
	return developer;
}

/**
 * Reads the `Logins` of GetOpenIdTokenForDeveloperIdentity: exactly one login of the pool's
 * developer provider, plus logins of providers configured on the pool. Answers the developer
 * login and the external entries (still to be validated by their provider).
 * @throws NotAuthorizedException for a pool without a developer provider, a key that is
 *   neither the developer provider nor a configured provider, or no developer login;
 *   InvalidParameterException for an identifier over 1,024 characters.
 */
export function readDeveloperLogins(
	pool: PoolRecord,
	logins: Record<string, string>,
): { developer: LoginRef; external: [string, string][] } {
	const developerName = requireDeveloperProvider(pool);
	const configured = externalProviderKeys(pool);
	let developer: LoginRef | undefined;
	const external: [string, string][] = [];
	for (const [key, value] of Object.entries(logins)) {
		if (key === developerName) {
			checkDeveloperUserIdentifier(value);
			developer = { provider: key, subject: value, kind: "developer" };
		} else if (configured.has(key)) {
			external.push([key, value]);
		} else {
			throw new NotAuthorizedException(
				developer === undefined &&
					external.length === 0 &&
					Object.keys(logins).length === 1
					? UNSUPPORTED_DEVELOPER_PROVIDER
					: "Token is not from a supported provider of this identity pool.",
			);
		}
	}
	if (!developer) {
		throw new NotAuthorizedException(
			`Logins must include the developer provider '${developerName}' of this identity pool.`,
		);
	}
	return { developer, external };
}
