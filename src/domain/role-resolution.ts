/**
 * @module domain/role-resolution
 * Which IAM role GetCredentialsForIdentity assumes for a call (docs/behaviour.md#roles),
 * as one pure function of the pool and the verified logins: no I/O.
 *
 * 1. A guest gets the pool's `unauthenticated` role.
 * 2. A developer identity, or a call proving its identity with this server's own token, gets
 *    the `authenticated` role.
 * 3. Otherwise the logins are taken in the order of the request's `Logins` map; those whose
 *    provider has a role mapping on the pool are evaluated in turn, and the first that
 *    yields a role wins. The mapping of a login is found by its provider's key form
 *    (docs/behaviour.md#federation): a public provider by its domain, a user pool as
 *    `<ProviderName>:<ClientId>` with the client id matched against the token's `aud` (each
 *    audience in the token's order), an OIDC provider by the ARN whose `oidc-provider/<key>`
 *    part is the login's key, a SAML provider by its ARN. Only mappings of providers still
 *    configured on the pool count.
 *    - `Token`: a `CustomRoleArn` must be one of the token's `cognito:roles` (a JSON array
 *      or a comma-separated string), else the call is refused at once; without one,
 *      `cognito:preferred_role`, else the only role of `cognito:roles`; otherwise (several
 *      roles and no preferred one, or none) the mapping is ambiguous.
 *    - `Rules`: the first rule whose claim matches, else ambiguous. `Equals` is exact,
 *      `Contains` a substring, `StartsWith` a prefix, all case-sensitive; `NotEqual` matches
 *      a claim that differs. On an array claim `NotEqual` matches when no element equals the
 *      value, the others when any element matches. A missing claim (absent, `null`, or an
 *      object) matches no rule: in particular a `NotEqual` rule on it is skipped. Numbers and
 *      booleans compare as their JSON text; an empty array is present and has no element.
 * 4. No login yields a role: with no mapped login at all, the `authenticated` role; else the
 *    `AmbiguousRoleResolution` of the first mapped login decides: `AuthenticatedRole` →
 *    the `authenticated` role, `Deny` (or none) → NotAuthorizedException.
 *
 * A role the pool must supply and does not have answers InvalidIdentityPoolConfigurationException
 * with AWS's observed message. `CustomRoleArn` only selects among the roles of a `Token`
 * mapping (AWS documents it as the choice among the roles a token carries): with `Rules`, no
 * mapping, developer identities or guests it is ignored, so a caller cannot pick a role the
 * pool's configuration does not give it.
 */

import {
	InvalidIdentityPoolConfigurationException,
	NotAuthorizedException,
} from "../errors/service-errors.ts";
import { oidcKeyOfArn } from "./logins.ts";
import type {
	MappingRuleDoc,
	PoolRecord,
	PoolSettings,
	RoleMappingDoc,
} from "./records.ts";
import { roleMappingKeys } from "./roles.ts";

/** AWS's message when the pool lacks a role it needs (observed, docs/behaviour.md#errors). */
export const INVALID_POOL_CONFIGURATION =
	"Invalid identity pool configuration. Check assigned IAM roles for this pool.";

/** The message when a `Deny` mapping meets an ambiguous login (AWS's is undocumented). */
export function ambiguousRoleDenied(mappingKey: string): string {
	return `No role could be resolved for this login: the role mapping of ${mappingKey} denies ambiguous role resolution.`;
}

/** The message for a `CustomRoleArn` that the token does not allow. */
export function customRoleNotAllowed(
	customRoleArn: string,
	mappingKey: string,
): string {
	return `The CustomRoleArn ${customRoleArn} is not one of the roles of the token (cognito:roles) for the role mapping of ${mappingKey}.`;
}

/** A verified login as role resolution needs it. */
export interface ResolvableLogin {
	/** The `Logins` key it came under. */
	provider: string;
	/** The token's claims (or the provider's answer). */
	claims: Record<string, unknown>;
}

/** What {@link resolveRole} decides on. */
export interface RoleResolutionInput {
	/** An unauthenticated identity (no logins). */
	guest: boolean;
	/** A developer identity, or a call that presents this server's own token. */
	developerOrOwnToken: boolean;
	/** The verified logins, in the order of the request's `Logins` map. */
	logins: ResolvableLogin[];
	/** The request's `CustomRoleArn`. */
	customRoleArn?: string;
}

/** The pool's role, or InvalidIdentityPoolConfigurationException. */
function poolRole(
	pool: PoolRecord,
	kind: "authenticated" | "unauthenticated",
): string {
	const arn = Object.hasOwn(pool.roles, kind) ? pool.roles[kind] : undefined;
	if (arn === undefined || arn === "") {
		throw new InvalidIdentityPoolConfigurationException(
			INVALID_POOL_CONFIGURATION,
		);
	}
	return arn;
}

/** A claim's audiences: a string, or the strings of an array. */
function audiences(claims: Record<string, unknown>): string[] {
	const aud = Object.hasOwn(claims, "aud") ? claims.aud : undefined;
	if (typeof aud === "string") return [aud];
	if (Array.isArray(aud))
		return aud.filter((a): a is string => typeof a === "string");
	return [];
}

/**
 * The key of the role mapping that applies to `login`, or `undefined` when its provider has
 * none (see the module for the key forms). Only keys of providers configured on the pool
 * count, so a mapping left behind by a provider removed since is never used.
 */
export function roleMappingKeyFor(
	settings: PoolSettings,
	roleMappings: Record<string, RoleMappingDoc> | undefined,
	login: ResolvableLogin,
): string | undefined {
	if (roleMappings === undefined) return undefined;
	const configured = roleMappingKeys(settings);
	const usable = (key: string): boolean =>
		configured.has(key) && Object.hasOwn(roleMappings, key);
	const key = login.provider;
	for (const arn of settings.OpenIdConnectProviderARNs ?? []) {
		if (oidcKeyOfArn(arn) === key && usable(arn)) {
			return arn;
		}
	}
	if (
		(settings.CognitoIdentityProviders ?? []).some(
			(p) => p.ProviderName === key,
		)
	) {
		for (const aud of audiences(login.claims)) {
			if (usable(`${key}:${aud}`)) return `${key}:${aud}`;
		}
		return undefined;
	}
	if (
		(Object.hasOwn(settings.SupportedLoginProviders ?? {}, key) ||
			(settings.SamlProviderARNs ?? []).includes(key)) &&
		usable(key)
	) {
		return key;
	}
	return undefined;
}

/** The roles a token allows (`cognito:roles`: a JSON array, or a comma-separated string). */
export function tokenRoles(claims: Record<string, unknown>): string[] {
	const roles = Object.hasOwn(claims, "cognito:roles")
		? claims["cognito:roles"]
		: undefined;
	const list = Array.isArray(roles)
		? roles.filter((r): r is string => typeof r === "string")
		: typeof roles === "string"
			? roles.split(",")
			: [];
	return list.map((r) => r.trim()).filter((r) => r !== "");
}

/**
 * A claim's values for rule matching: a string, number or boolean is one value (numbers and
 * booleans as their JSON text); an array gives its scalar elements; anything else (absent,
 * `null`, an object) is missing (`undefined`).
 */
function claimValues(
	claims: Record<string, unknown>,
	name: string,
): string[] | undefined {
	if (!Object.hasOwn(claims, name)) return undefined;
	const scalar = (v: unknown): string | undefined =>
		typeof v === "string"
			? v
			: typeof v === "number" || typeof v === "boolean"
				? JSON.stringify(v)
				: undefined;
	const claim = claims[name];
	if (Array.isArray(claim)) {
		return claim.map(scalar).filter((v): v is string => v !== undefined);
	}
	const one = scalar(claim);
	return one === undefined ? undefined : [one];
}

/** Whether a rule of a `Rules` mapping matches these claims (see the module). */
export function ruleMatches(
	rule: Pick<MappingRuleDoc, "Claim" | "MatchType" | "Value">,
	claims: Record<string, unknown>,
): boolean {
	const values = claimValues(claims, rule.Claim);
	if (values === undefined) return false;
	switch (rule.MatchType) {
		case "Equals":
			return values.some((v) => v === rule.Value);
		case "Contains":
			return values.some((v) => v.includes(rule.Value));
		case "StartsWith":
			return values.some((v) => v.startsWith(rule.Value));
		case "NotEqual":
			return values.every((v) => v !== rule.Value);
		default:
			return false;
	}
}

/** A mapping's own answer for one login: a role, or `undefined` when it is ambiguous. */
function evaluateMapping(
	key: string,
	mapping: RoleMappingDoc,
	login: ResolvableLogin,
	customRoleArn: string | undefined,
): string | undefined {
	if (mapping.Type === "Token") {
		const allowed = tokenRoles(login.claims);
		if (customRoleArn !== undefined) {
			if (allowed.includes(customRoleArn)) return customRoleArn;
			throw new NotAuthorizedException(
				customRoleNotAllowed(customRoleArn, key),
			);
		}
		const preferred = Object.hasOwn(login.claims, "cognito:preferred_role")
			? login.claims["cognito:preferred_role"]
			: undefined;
		if (typeof preferred === "string" && preferred !== "") return preferred;
		return allowed.length === 1 ? allowed[0] : undefined;
	}
	for (const rule of mapping.RulesConfiguration?.Rules ?? []) {
		if (ruleMatches(rule, login.claims)) return rule.RoleARN;
	}
	return undefined;
}

/**
 * The role ARN to assume (see the module for the rules).
 * @throws InvalidIdentityPoolConfigurationException when the pool lacks the role needed;
 *   NotAuthorizedException when a `Deny` mapping decides, or a `Token` mapping does not
 *   allow the `CustomRoleArn`.
 */
export function resolveRole(
	pool: PoolRecord,
	input: RoleResolutionInput,
): string {
	if (input.guest) return poolRole(pool, "unauthenticated");
	if (input.developerOrOwnToken) return poolRole(pool, "authenticated");
	let firstMapped: { key: string; mapping: RoleMappingDoc } | undefined;
	for (const login of input.logins) {
		const key = roleMappingKeyFor(pool.settings, pool.roleMappings, login);
		const mapping = key === undefined ? undefined : pool.roleMappings?.[key];
		if (key === undefined || mapping === undefined) continue;
		firstMapped ??= { key, mapping };
		const role = evaluateMapping(key, mapping, login, input.customRoleArn);
		if (role !== undefined) return role;
	}
	if (
		firstMapped === undefined ||
		firstMapped.mapping.AmbiguousRoleResolution === "AuthenticatedRole"
	) {
		return poolRole(pool, "authenticated");
	}
	throw new NotAuthorizedException(ambiguousRoleDenied(firstMapped.key));
}
