/**
 * @module domain/roles
 * The rules of an identity pool's roles (SetIdentityPoolRoles / GetIdentityPoolRoles) that
 * are independent of storage and HTTP: replace semantics (docs/behaviour.md#roles), which keys a role
 * mapping may have (the provider key forms of docs/behaviour.md#federation), what each mapping must carry,
 * the size quotas (docs/behaviour.md#quotas), and the wire form of the answer.
 */
import { InvalidParameterException } from "../errors/service-errors.ts";
import type {
	MappingRuleDoc,
	PoolSettings,
	RoleMappingDoc,
} from "./records.ts";

/** The keys of `Roles`. */
const ROLE_TYPES = ["authenticated", "unauthenticated"] as const;

/** Size quotas of a pool's role configuration. */
export interface RoleLimits {
	/** Providers with a role mapping (AWS: 10, also the model's bound). */
	maxRoleMappings: number;
	/** Rules of one `Rules` mapping (AWS quota: 25; the model allows 400). */
	maxRulesPerMapping: number;
}

/** AWS's quotas (docs/behaviour.md#quotas). */
const DEFAULT_ROLE_LIMITS: RoleLimits = {
	maxRoleMappings: 10,
	maxRulesPerMapping: 25,
};

/** What SetIdentityPoolRoles stores: the whole role configuration of the pool. */
export interface RoleConfiguration {
	roles: Record<string, string>;
	/** Absent (`undefined`) when the input has none: omitted and `{}` both clear (docs/behaviour.md#roles). */
	roleMappings: Record<string, RoleMappingDoc> | undefined;
}

/** AWS's message for a mapping key that names no provider of the pool [observed aws-cdk#22951]. */
function notAConfiguredProvider(key: string): string {
	return `${key} is not a valid RoleMapping ProviderName or is not a configured provider.`;
}

/**
 * The keys under which a role mapping may be set on a pool with these settings
 * (docs/behaviour.md#federation): each public provider's domain (`SupportedLoginProviders`), each user pool as
 * `<ProviderName>:<ClientId>` (`cognito-idp.<region>.amazonaws.com/<userPoolId>:<appClientId>`),
 * and each OIDC and SAML provider by its ARN. The developer provider has none: developer
 * identities always get the authenticated role.
 */
export function roleMappingKeys(settings: PoolSettings): Set<string> {
	const keys = new Set<string>(
		Object.keys(settings.SupportedLoginProviders ?? {}),
	);
	for (const p of settings.CognitoIdentityProviders ?? []) {
		if (p.ProviderName !== undefined && p.ClientId !== undefined) {
			keys.add(`${p.ProviderName}:${p.ClientId}`);
		}
	}
	for (const arn of settings.OpenIdConnectProviderARNs ?? []) keys.add(arn);
	for (const arn of settings.SamlProviderARNs ?? []) keys.add(arn);
	return keys;
}

function checkRoles(roles: Record<string, string>): Record<string, string> {
	for (const key of Object.keys(roles)) {
		// The model's key pattern `^(un)?authenticated$` refuses others first; kept for callers
		// that do not go through the wire layer.
		if (!(ROLE_TYPES as readonly string[]).includes(key)) {
			throw new InvalidParameterException(
				`${key} is not a valid role type: Roles keys are authenticated and unauthenticated.`,
			);
		}
	}
	return { ...roles };
}

/** One mapping in its stored form, its members in the model's order, after its checks. */
function checkMapping(
	key: string,
	mapping: RoleMappingDoc,
	limits: RoleLimits,
): RoleMappingDoc {
	const type = mapping.Type;
	if (mapping.AmbiguousRoleResolution === undefined) {
		throw new InvalidParameterException(
			`AmbiguousRoleResolution is required for the RoleMapping of ${key}.`,
		);
	}
	const doc: RoleMappingDoc = {
		Type: type,
		AmbiguousRoleResolution: mapping.AmbiguousRoleResolution,
	};
	if (type === "Token") {
		if (mapping.RulesConfiguration !== undefined) {
			throw new InvalidParameterException(
				`RulesConfiguration must not be set for the RoleMapping of ${key}: its Type is Token.`,
			);
		}
		return doc;
	}
	const rules = mapping.RulesConfiguration?.Rules;
	if (rules === undefined) {
		throw new InvalidParameterException(
			`RulesConfiguration is required for the RoleMapping of ${key}: its Type is Rules.`,
		);
	}
	if (rules.length > limits.maxRulesPerMapping) {
		throw new InvalidParameterException(
			`The RoleMapping of ${key} has ${rules.length} rules; at most ${limits.maxRulesPerMapping} rules are allowed per provider.`,
		);
	}
	doc.RulesConfiguration = {
		Rules: rules.map(
			(r): MappingRuleDoc => ({
				Claim: r.Claim,
				MatchType: r.MatchType,
				Value: r.Value,
				RoleARN: r.RoleARN,
			}),
		),
	};
	return doc;
}

/**
 * Turns a SetIdentityPoolRoles input into the pool's new role configuration, which replaces
 * the stored one whole (docs/behaviour.md#roles): `Roles` replaces the roles (`{}` clears them), and
 * `RoleMappings` omitted or `{}` clears the mappings. Checks run in the order of the input.
 * @throws InvalidParameterException for a role key other than `authenticated` /
 *   `unauthenticated`, a mapping key that names no provider configured on the pool, a
 *   mapping without `AmbiguousRoleResolution`, a `Rules` mapping without
 *   `RulesConfiguration`, a `Token` mapping with one, or too many mappings or rules.
 */
export function roleConfigurationFromInput(
	settings: PoolSettings,
	input: {
		Roles?: Record<string, string>;
		RoleMappings?: Record<string, RoleMappingDoc>;
	},
	limits: RoleLimits = DEFAULT_ROLE_LIMITS,
): RoleConfiguration {
	const roles = checkRoles(input.Roles ?? {});
	const entries = Object.entries(input.RoleMappings ?? {});
	if (entries.length === 0) return { roles, roleMappings: undefined };
	if (entries.length > limits.maxRoleMappings) {
		throw new InvalidParameterException(
			`At most ${limits.maxRoleMappings} providers can have a RoleMapping; the input has ${entries.length}.`,
		);
	}
	const configured = roleMappingKeys(settings);
	const roleMappings: Record<string, RoleMappingDoc> = {};
	for (const [key, mapping] of entries) {
		if (!configured.has(key)) {
			throw new InvalidParameterException(notAConfiguredProvider(key));
		}
		roleMappings[key] = checkMapping(key, mapping, limits);
	}
	return { roles, roleMappings };
}
