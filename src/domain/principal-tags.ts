/**
 * @module domain/principal-tags
 * Attributes for access control (docs/behaviour.md#principal-tags, docs/behaviour.md#setprincipaltagattributemap and docs/behaviour.md#getprincipaltagattributemap), free of storage
 * and HTTP: which provider names a pool accepts for a principal tag attribute map
 * (docs/behaviour.md#federation), what SetPrincipalTagAttributeMap stores, what a map puts in force (the defaults
 * included), and the session tags a verified login yields from its claims.
 *
 * Decisions where the reference is silent:
 * - `UseDefaults: true` puts the default map in force whatever `PrincipalTags` says: the
 *   custom map sent with it is not kept (Terraform's delete sends `UseDefaults: true` with
 *   `PrincipalTags: {}`, which must be accepted). An omitted `UseDefaults` is `false`, an
 *   omitted `PrincipalTags` is `{}`.
 * - The aggregate limit of docs/behaviour.md#principal-tags ("the aggregated character limit for all attributes
 *   is 460 bytes") is not enforced: AWS states it only among the console's steps, says
 *   neither whether it counts characters or bytes, tag keys or only attribute names, one
 *   provider or the whole pool, nor whether the API refuses it (or with which error); its
 *   likely origin is STS's packed size of session tags, which depends on the claim values at
 *   credential time, not on the map. Refusing maps that AWS may accept would break
 *   configurations that work there. The per-entry limits (tag key 1..128, claim name 1..256,
 *   at most 50 entries) are the model's and are enforced by the wire layer.
 * - Claim values become tag values as follows. A string is taken as is; a number or a
 *   boolean as its JSON text (`42`, `true`). An array (e.g. `aud` or `cognito:groups`)
 *   yields its first element, taken by the same rule: a session tag has exactly one value
 *   (the `https://aws.amazon.com/tags` claim of docs/behaviour.md#principal-tags and docs/behaviour.md#tokens carries each as a one-element list),
 *   and joining the elements would make a value that is none of the claim's values (with a
 *   separator STS refuses in tag values). A missing claim, `null`, an object, and an empty
 *   array are skipped: no tag.
 */

import { ResourceNotFoundException } from "../errors/service-errors.ts";
import { oidcKeyOfArn } from "./logins.ts";
import type { PoolSettings, PrincipalTagMapRecord } from "./records.ts";

/** Login with Amazon's provider name: its default map reads `user_id` instead of `sub`. */
const AMAZON_PROVIDER = "www.amazon.com";

/** The default map (docs/behaviour.md#principal-tags): tag `username` from `sub`, tag `client` from `aud`. */
export const DEFAULT_PRINCIPAL_TAGS: Readonly<Record<string, string>> =
	Object.freeze({ username: "sub", client: "aud" });

/** Login with Amazon's default map: its tokens name the user in `user_id`. */
export const AMAZON_DEFAULT_PRINCIPAL_TAGS: Readonly<Record<string, string>> =
	Object.freeze({ username: "user_id", client: "aud" });

/** The default map of a provider (a fresh copy). */
export function defaultPrincipalTags(
	providerName: string,
): Record<string, string> {
	return {
		...(providerName === AMAZON_PROVIDER
			? AMAZON_DEFAULT_PRINCIPAL_TAGS
			: DEFAULT_PRINCIPAL_TAGS),
	};
}

/**
 * The names under which a pool with these settings accepts a principal tag attribute map
 * (docs/behaviour.md#federation): each public provider's domain (`SupportedLoginProviders`), each user
 * pool's `ProviderName` (`cognito-idp.<region>.amazonaws.com/<userPoolId>`, without a client
 * id), and each OIDC and SAML provider by its ARN. The developer provider has none
 * (developer identities get their tags per call), nor has this server's own issuer.
 */
export function principalTagProviderNames(settings: PoolSettings): Set<string> {
	const names = new Set<string>(
		Object.keys(settings.SupportedLoginProviders ?? {}),
	);
	for (const p of settings.CognitoIdentityProviders ?? []) {
		if (p.ProviderName !== undefined) names.add(p.ProviderName);
	}
	for (const arn of settings.OpenIdConnectProviderARNs ?? []) names.add(arn);
	for (const arn of settings.SamlProviderARNs ?? []) names.add(arn);
	return names;
}

/**
 * The provider name under which the map of a login's provider is stored, for a `Logins` key
 * (docs/behaviour.md#federation): an OIDC provider's key is its issuer host, while its map is named by the
 * IAM OIDC provider ARN whose `oidc-provider/<key>` part is that key; every other kind uses
 * the same string in both places. `undefined` when the key names no provider of the pool
 * that can have a map (the developer provider, this server's own issuer, anything else).
 */
export function principalTagProviderOf(
	settings: PoolSettings,
	loginKey: string,
): string | undefined {
	for (const arn of settings.OpenIdConnectProviderARNs ?? []) {
		if (oidcKeyOfArn(arn) === loginKey) return arn;
	}
	if (Object.hasOwn(settings.SupportedLoginProviders ?? {}, loginKey)) {
		return loginKey;
	}
	if (
		(settings.CognitoIdentityProviders ?? []).some(
			(p) => p.ProviderName === loginKey,
		)
	) {
		return loginKey;
	}
	if ((settings.SamlProviderARNs ?? []).includes(loginKey)) return loginKey;
	return undefined;
}

/** The message for a provider name that names no provider of the pool. */
export function providerNotConfigured(
	poolId: string,
	providerName: string,
): string {
	return `Identity provider '${providerName}' is not configured for identity pool '${poolId}'.`;
}

/**
 * Refuses a provider name that is not one of {@link principalTagProviderNames} of the pool
 * (docs/behaviour.md#principal-tags). Names are compared exactly.
 * @throws ResourceNotFoundException
 */
export function requireTagProvider(
	pool: { poolId: string; settings: PoolSettings },
	providerName: string,
): void {
	if (!principalTagProviderNames(pool.settings).has(providerName)) {
		throw new ResourceNotFoundException(
			providerNotConfigured(pool.poolId, providerName),
		);
	}
}

/**
 * What SetPrincipalTagAttributeMap stores: `UseDefaults` (omitted: false) and, unless the
 * defaults are used, `PrincipalTags` (omitted: `{}`) as given, in the caller's order.
 */
export function principalTagMapFromInput(input: {
	UseDefaults?: boolean;
	PrincipalTags?: Record<string, string>;
}): PrincipalTagMapRecord {
	const useDefaults = input.UseDefaults ?? false;
	return {
		useDefaults,
		principalTags: useDefaults ? {} : { ...(input.PrincipalTags ?? {}) },
	};
}

/**
 * The map in force for a provider: the default map when `useDefaults`, else the stored
 * custom map; a map never set (`undefined`) is inactive (`UseDefaults: false`,
 * `PrincipalTags: {}`). Answered by both operations (docs/behaviour.md#principal-tags).
 */
export function principalTagMapInForce(
	providerName: string,
	map: PrincipalTagMapRecord | undefined,
): { UseDefaults: boolean; PrincipalTags: Record<string, string> } {
	if (map === undefined) return { UseDefaults: false, PrincipalTags: {} };
	return map.useDefaults
		? { UseDefaults: true, PrincipalTags: defaultPrincipalTags(providerName) }
		: { UseDefaults: false, PrincipalTags: { ...map.principalTags } };
}

/** A claim's value as a tag value, or `undefined` when it yields none (see the module). */
function tagValue(claim: unknown): string | undefined {
	const value = Array.isArray(claim) ? (claim as unknown[])[0] : claim;
	switch (typeof value) {
		case "string":
			return value;
		case "number":
		case "boolean":
			return JSON.stringify(value);
		default:
			return undefined;
	}
}

/**
 * The session tags a verified login yields: for each entry `tag → claim` of the map in
 * force (in the map's order), the login's claim as the tag's value. No map, or an inactive
 * one, yields no tags. `map` is the one stored for the login's provider (see
 * {@link principalTagProviderOf}); with `useDefaults` the default map of `login.provider`
 * applies (Login with Amazon's uses `user_id`). Claims are read as own properties only.
 */
export function principalTagsFor(
	map: PrincipalTagMapRecord | undefined,
	login: { provider: string; claims: Record<string, unknown> },
): Record<string, string> {
	if (map === undefined) return {};
	const entries = map.useDefaults
		? defaultPrincipalTags(login.provider)
		: map.principalTags;
	const tags: [string, string][] = [];
	for (const [tag, claimName] of Object.entries(entries)) {
		if (!Object.hasOwn(login.claims, claimName)) continue;
		const value = tagValue(login.claims[claimName]);
		if (value !== undefined) tags.push([tag, value]);
	}
	// fromEntries defines own properties: a tag named `__proto__` stays a tag.
	return Object.fromEntries(tags);
}
