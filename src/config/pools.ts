/**
 * @module config/pools
 * The identity pools a configuration file declares (`pools`, docs/configuration-as-code.md),
 * each in the API's own words: DescribeIdentityPool's members (so that the output of
 * `aws cognito-identity describe-identity-pool` can be pasted in), `Roles` and `RoleMappings`
 * as SetIdentityPoolRoles takes them, `PrincipalTags` (provider name → the members of
 * SetPrincipalTagAttributeMap) and an optional `AccountId`.
 *
 * A declaration is checked with the operations' own rules, never a copy of them: the model's
 * constraints (`protocol/validation.ts`, as UpdateIdentityPool, SetIdentityPoolRoles and
 * SetPrincipalTagAttributeMap validate their input), then the domain's (`domain/pools.ts`,
 * `domain/roles.ts`, `domain/principal-tags.ts`). The first problem is reported as one line
 * naming the member at fault, e.g. `pools[1].Roles.authenticated: ...`, and the whole file is
 * refused.
 */
import { isRegionName, regionOfId } from "../domain/ids.ts";
import { checkTags, settingsFromInput } from "../domain/pools.ts";
import {
	principalTagMapFromInput,
	requireTagProvider,
} from "../domain/principal-tags.ts";
import type {
	PoolSettings,
	PrincipalTagMapRecord,
	RoleMappingDoc,
} from "../domain/records.ts";
import {
	type RoleConfiguration,
	roleConfigurationFromInput,
} from "../domain/roles.ts";
import { ServiceError } from "../errors/service-errors.ts";
import type { OperationName } from "../model/model.generated.ts";
import { validateInput } from "../protocol/validation.ts";

/** A pool of the configuration file, checked. */
export interface DeclaredPool {
	/** Its place in the file (`pools[<index>]`). */
	readonly index: number;
	readonly poolId: string;
	/** The region of its id. */
	readonly region: string;
	/** `AccountId` when given; else the pool belongs to the default account. */
	readonly accountId: string | undefined;
	/** The settings as UpdateIdentityPool would store them. */
	readonly settings: PoolSettings;
	/** `IdentityPoolTags` when given (replacing the stored tags); else the tags are kept. */
	readonly tags: Record<string, string> | undefined;
	/** The roles and mappings when `Roles` or `RoleMappings` is given; else they are kept. */
	readonly roles: RoleConfiguration | undefined;
	/** The principal tag maps given, by provider name; providers not named are kept. */
	readonly principalTags: readonly (readonly [string, PrincipalTagMapRecord])[];
}

/** The limits of the settings table that the rules of a pool read. */
export interface DeclaredPoolLimits {
	maxTags: number;
	maxUserPoolProviders: number;
	maxRoleMappings: number;
	maxMappingRules: number;
}

/** DescribeIdentityPool's members that UpdateIdentityPool takes, tags aside, in wire order. */
export const SETTINGS_MEMBERS = [
	"IdentityPoolName",
	"AllowUnauthenticatedIdentities",
	"AllowClassicFlow",
	"SupportedLoginProviders",
	"DeveloperProviderName",
	"OpenIdConnectProviderARNs",
	"CognitoIdentityProviders",
	"SamlProviderARNs",
] as const;

const MEMBERS = [
	"IdentityPoolId",
	...SETTINGS_MEMBERS,
	"IdentityPoolTags",
	"Roles",
	"RoleMappings",
	"PrincipalTags",
	"AccountId",
];

const PRINCIPAL_TAG_MEMBERS = ["UseDefaults", "PrincipalTags"];

/** A pool id as Cognito makes them: `<region>:<lowercase UUID>`. */
const POOL_ID =
	/^([^:]+):[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A problem of the file at `at` (a member's path), refused whole. */
export class PoolDeclarationError extends Error {
	override readonly name = "PoolDeclarationError";
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The path of a map entry: `.key` for a plain name, `["key"]` otherwise. */
function entryPath(at: string, key: string): string {
	return /^[A-Za-z_]\w*$/.test(key)
		? `${at}.${key}`
		: `${at}[${JSON.stringify(key)}]`;
}

/**
 * Runs `check` on `value`; when it refuses it, finds the first list element or map entry
 * that `check` refuses on its own and names it, else names `at`.
 */
function pinpoint(at: string, value: unknown, check: (v: unknown) => void) {
	try {
		check(value);
		return;
	} catch (err) {
		if (!(err instanceof ServiceError)) throw err;
		let where = at;
		let problem = err;
		const parts: [string, unknown][] = Array.isArray(value)
			? value.map((v, i) => [`${at}[${i}]`, [v]])
			: isObject(value)
				? Object.entries(value).map(([k, v]) => [entryPath(at, k), { [k]: v }])
				: [];
		for (const [path, part] of parts) {
			try {
				check(part);
			} catch (inner) {
				if (!(inner instanceof ServiceError)) throw inner;
				where = path;
				problem = inner;
				break;
			}
		}
		throw new PoolDeclarationError(`${where}: ${problem.message}`);
	}
}

/** Validates `input` as the model validates `operation`'s input. */
function modelCheck(operation: OperationName, input: Record<string, unknown>) {
	validateInput(operation, input);
}

/**
 * Checks the `pools` member of a configuration file and answers the declared pools.
 * @throws PoolDeclarationError naming the member at fault
 */
export function parseDeclaredPools(
	value: unknown,
	limits: DeclaredPoolLimits,
): readonly DeclaredPool[] {
	if (!Array.isArray(value)) {
		throw new PoolDeclarationError(
			"pools must be an array of identity pools (the output of describe-identity-pool, with Roles, RoleMappings, PrincipalTags)",
		);
	}
	const seen = new Map<string, number>();
	return Object.freeze(
		value.map((item, index) => {
			const pool = parsePool(item, index, limits);
			const earlier = seen.get(pool.poolId);
			if (earlier !== undefined) {
				throw new PoolDeclarationError(
					`pools[${index}].IdentityPoolId: ${pool.poolId} is declared already by pools[${earlier}]`,
				);
			}
			seen.set(pool.poolId, index);
			return pool;
		}),
	);
}

function parsePool(
	item: unknown,
	index: number,
	limits: DeclaredPoolLimits,
): DeclaredPool {
	const at = `pools[${index}]`;
	if (!isObject(item)) {
		throw new PoolDeclarationError(`${at} must be an object`);
	}
	for (const member of Object.keys(item)) {
		if (!MEMBERS.includes(member)) {
			throw new PoolDeclarationError(
				`${at}: unknown member '${member}' (expected any of ${MEMBERS.join(", ")})`,
			);
		}
	}
	for (const member of [
		"IdentityPoolId",
		"IdentityPoolName",
		"AllowUnauthenticatedIdentities",
	]) {
		if (item[member] === undefined || item[member] === null) {
			throw new PoolDeclarationError(`${at}.${member} is required`);
		}
	}
	const poolId = item.IdentityPoolId;
	pinpoint(`${at}.IdentityPoolId`, poolId, (v) =>
		modelCheck("DescribeIdentityPool", { IdentityPoolId: v }),
	);
	const id = POOL_ID.exec(poolId as string);
	if (!id || !isRegionName(id[1] as string)) {
		throw new PoolDeclarationError(
			`${at}.IdentityPoolId: '${String(poolId)}' is not a pool id: <region>:<lowercase UUID>, with a region such as us-east-1`,
		);
	}
	const accountId = item.AccountId;
	if (
		accountId !== undefined &&
		(typeof accountId !== "string" || !/^\d{12}$/.test(accountId))
	) {
		throw new PoolDeclarationError(
			`${at}.AccountId must be a 12-digit account id, got ${JSON.stringify(accountId)}`,
		);
	}

	// The settings and tags, as UpdateIdentityPool takes them: the model, then the rules.
	const base = {
		IdentityPoolId: poolId,
		IdentityPoolName: "name",
		AllowUnauthenticatedIdentities: false,
	};
	const input: Record<string, unknown> = {};
	for (const member of [...SETTINGS_MEMBERS, "IdentityPoolTags"]) {
		const memberValue = item[member];
		if (memberValue === undefined || memberValue === null) continue;
		pinpoint(`${at}.${member}`, memberValue, (v) =>
			modelCheck("UpdateIdentityPool", { ...base, [member]: v }),
		);
		input[member] = memberValue;
	}
	const settingsInput = { ...base, ...input } as unknown as PoolSettings;
	for (const member of [
		"OpenIdConnectProviderARNs",
		"CognitoIdentityProviders",
		"SamlProviderARNs",
	] as const) {
		if (input[member] === undefined) continue;
		pinpoint(`${at}.${member}`, input[member], (v) =>
			settingsFromInput({ ...base, [member]: v }, limits),
		);
	}
	let settings: PoolSettings;
	try {
		settings = settingsFromInput(settingsInput, limits);
	} catch (err) {
		if (!(err instanceof ServiceError)) throw err;
		throw new PoolDeclarationError(`${at}: ${err.message}`);
	}
	let tags: Record<string, string> | undefined;
	if (input.IdentityPoolTags !== undefined) {
		pinpoint(`${at}.IdentityPoolTags`, input.IdentityPoolTags, (v) =>
			checkTags(v as Record<string, string>, limits.maxTags),
		);
		tags = checkTags(
			input.IdentityPoolTags as Record<string, string>,
			limits.maxTags,
		);
	}

	// Roles and role mappings, as SetIdentityPoolRoles takes them, on the declared providers.
	let roles: RoleConfiguration | undefined;
	if (item.Roles !== undefined || item.RoleMappings !== undefined) {
		const roleLimits = {
			maxRoleMappings: limits.maxRoleMappings,
			maxRulesPerMapping: limits.maxMappingRules,
		};
		const rolesInput: {
			Roles?: Record<string, string>;
			RoleMappings?: Record<string, RoleMappingDoc>;
		} = {};
		for (const member of ["Roles", "RoleMappings"] as const) {
			const memberValue = item[member];
			if (memberValue === undefined || memberValue === null) continue;
			const check = (v: unknown) => {
				modelCheck("SetIdentityPoolRoles", {
					IdentityPoolId: poolId,
					Roles: {},
					[member]: v,
				});
				roleConfigurationFromInput(settings, { [member]: v }, roleLimits);
			};
			pinpoint(`${at}.${member}`, memberValue, check);
			rolesInput[member] = memberValue as never;
		}
		try {
			roles = roleConfigurationFromInput(settings, rolesInput, roleLimits);
		} catch (err) {
			if (!(err instanceof ServiceError)) throw err;
			throw new PoolDeclarationError(`${at}: ${err.message}`);
		}
	}

	// Principal tags, provider by provider, as SetPrincipalTagAttributeMap takes them.
	const principalTags: [string, PrincipalTagMapRecord][] = [];
	if (item.PrincipalTags !== undefined && item.PrincipalTags !== null) {
		if (!isObject(item.PrincipalTags)) {
			throw new PoolDeclarationError(
				`${at}.PrincipalTags must map provider names to {"UseDefaults", "PrincipalTags"}`,
			);
		}
		for (const [provider, entry] of Object.entries(item.PrincipalTags)) {
			const where = entryPath(`${at}.PrincipalTags`, provider);
			if (!isObject(entry)) {
				throw new PoolDeclarationError(
					`${where} must be an object with any of ${PRINCIPAL_TAG_MEMBERS.join(", ")}`,
				);
			}
			for (const member of Object.keys(entry)) {
				if (!PRINCIPAL_TAG_MEMBERS.includes(member)) {
					throw new PoolDeclarationError(
						`${where}: unknown member '${member}' (expected any of ${PRINCIPAL_TAG_MEMBERS.join(", ")})`,
					);
				}
			}
			pinpoint(where, {}, () =>
				requireTagProvider({ poolId: poolId as string, settings }, provider),
			);
			pinpoint(where, entry, (v) =>
				modelCheck("SetPrincipalTagAttributeMap", {
					IdentityPoolId: poolId,
					IdentityProviderName: provider,
					...(v as Record<string, unknown>),
				}),
			);
			principalTags.push([
				provider,
				principalTagMapFromInput(
					entry as {
						UseDefaults?: boolean;
						PrincipalTags?: Record<string, string>;
					},
				),
			]);
		}
	}
	return Object.freeze({
		index,
		poolId: poolId as string,
		region: regionOfId(poolId as string),
		accountId: accountId as string | undefined,
		settings,
		tags,
		roles,
		principalTags: Object.freeze(principalTags),
	});
}
