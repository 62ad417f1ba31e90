/**
 * @module server/apply-pools
 * Makes the stored identity pools match the pools a configuration file declares
 * (docs/configuration-as-code.md): creates the missing ones with their fixed ids, updates
 * what differs, with the semantics of the operations the members come from (UpdateIdentityPool
 * for the settings and `IdentityPoolTags`, SetIdentityPoolRoles for `Roles` and
 * `RoleMappings`, SetPrincipalTagAttributeMap for each provider of `PrincipalTags`), and never
 * deletes a pool or an identity. Runs at start, on SIGHUP and in `idpool apply`.
 *
 * Every declared pool is checked against the store first (its account is configured, its
 * id is not taken by another account, its developer provider name is not changed), so that a
 * file refused changes nothing. A pool whose stored state already matches is not written, so
 * applying again is a no-op; servers applying one file at once converge (`pools.ensure`
 * creates each id once, and the updates write the same values).
 */
import { type AccountCredential, defaultAccount } from "../auth/credentials.ts";
import { type DeclaredPool, SETTINGS_MEMBERS } from "../config/pools.ts";
import type { Config } from "../config/schema.ts";
import { applyPoolUpdate, type PoolLimits } from "../domain/pools.ts";
import { requireTagProvider } from "../domain/principal-tags.ts";
import type { PoolKey, PoolRecord } from "../domain/records.ts";
import {
	type RoleLimits,
	roleConfigurationFromInput,
} from "../domain/roles.ts";
import {
	ResourceConflictException,
	ServiceError,
} from "../errors/service-errors.ts";
import type { Clock } from "../lib/clock.ts";
import type { Store } from "../store/store.ts";
import { finishPurge } from "./pool-purger.ts";

/** What applying did to one pool. */
export interface PoolChange {
	readonly poolId: string;
	readonly accountId: string;
	readonly name: string;
	readonly outcome: "created" | "updated" | "unchanged";
	/** The members that differed (for `updated`). */
	readonly members: readonly string[];
}

/** A declared pool that cannot be applied to this store; nothing was changed. */
export class PoolApplyError extends Error {
	override readonly name = "PoolApplyError";
}

export interface ApplyOptions {
	/** The account of a pool declared without `AccountId`. */
	defaultAccountId: string;
	/** The accounts of the server's access keys: the ones a pool may be placed in. */
	accounts: ReadonlySet<string>;
	maxPools: number;
	limits: PoolLimits & RoleLimits;
	clock: Clock;
}

/**
 * The options that apply the pools of `config` in the accounts of `keys` (at start, on SIGHUP,
 * in `idpool apply`): the default account is the first key's, the limits are the settings'.
 */
export function applyOptions(
	config: Config,
	keys: readonly AccountCredential[],
	clock: Clock,
): ApplyOptions {
	return {
		defaultAccountId: defaultAccount(keys, config),
		accounts: new Set(keys.map((c) => c.accountId)),
		maxPools: config.maxPools,
		limits: {
			maxTags: config.maxTags,
			maxUserPoolProviders: config.maxUserPoolProviders,
			maxRoleMappings: config.maxRoleMappings,
			maxRulesPerMapping: config.maxMappingRules,
		},
		clock,
	};
}

/** JSON with the keys of every object sorted: equal documents, whatever their key order. */
function canonical(value: unknown): string {
	return JSON.stringify(value, (_key, v: unknown) =>
		typeof v === "object" && v !== null && !Array.isArray(v)
			? Object.fromEntries(
					Object.entries(v as Record<string, unknown>).sort(([a], [b]) =>
						a < b ? -1 : a > b ? 1 : 0,
					),
				)
			: v,
	);
}

function same(a: unknown, b: unknown): boolean {
	return canonical(a ?? null) === canonical(b ?? null);
}

/** UpdateIdentityPool's input for a declared pool. */
function updateInput(pool: DeclaredPool) {
	return {
		...pool.settings,
		...(pool.tags === undefined ? {} : { IdentityPoolTags: pool.tags }),
	};
}

/** The settings members and tags in which `current` differs from what `pool` declares. */
function settingsDiff(
	current: PoolRecord,
	pool: DeclaredPool,
	limits: PoolLimits,
): string[] {
	const next = applyPoolUpdate(current, updateInput(pool), limits);
	const changed: string[] = SETTINGS_MEMBERS.filter(
		(m) => !same(current.settings[m], next.settings[m]),
	);
	if (!same(current.tags, next.tags)) changed.push("IdentityPoolTags");
	return changed;
}

function rolesDiff(current: PoolRecord, pool: DeclaredPool): string[] {
	if (pool.roles === undefined) return [];
	const changed: string[] = [];
	if (!same(current.roles, pool.roles.roles)) changed.push("Roles");
	if (!same(current.roleMappings, pool.roles.roleMappings)) {
		changed.push("RoleMappings");
	}
	return changed;
}

/** A key's account: the declared one, else the default. */
function keyOf(pool: DeclaredPool, options: ApplyOptions): PoolKey {
	return {
		accountId: pool.accountId ?? options.defaultAccountId,
		region: pool.region,
		poolId: pool.poolId,
	};
}

/**
 * Checks every declared pool against the store before anything is written.
 * @throws PoolApplyError naming the pool (`pools[<index>]`) and the member at fault
 */
async function check(
	store: Store,
	pools: readonly DeclaredPool[],
	options: ApplyOptions,
): Promise<void> {
	/** Pools to create by tenant (`<account> <region>`), with the first of them. */
	const missing = new Map<string, { count: number; first: DeclaredPool }>();
	for (const pool of pools) {
		const at = `pools[${pool.index}]`;
		const key = keyOf(pool, options);
		if (!options.accounts.has(key.accountId)) {
			throw new PoolApplyError(
				`${at}.AccountId: ${key.accountId} is not an account of this server's access keys (${[...options.accounts].join(", ")})`,
			);
		}
		const stored = await store.pools.findById(pool.poolId);
		if (stored === undefined) {
			const tenant = `${key.accountId} ${key.region}`;
			const entry = missing.get(tenant);
			if (entry) entry.count++;
			else missing.set(tenant, { count: 1, first: pool });
			continue;
		}
		if (stored.accountId !== key.accountId) {
			throw new PoolApplyError(
				`${at}.IdentityPoolId: ${pool.poolId} is a pool of account ${stored.accountId}, not ${key.accountId}`,
			);
		}
		try {
			applyPoolUpdate(stored, updateInput(pool), options.limits);
		} catch (err) {
			if (!(err instanceof ServiceError)) throw err;
			throw new PoolApplyError(`${at}.DeveloperProviderName: ${err.message}`);
		}
	}
	// The quota, before the first pool is created (a pool created meanwhile by a call may
	// still make a create fail; applying again then finishes).
	for (const [tenant, { count, first }] of missing) {
		const [accountId = "", region = ""] = tenant.split(" ");
		const existing = await countPools(store, { accountId, region });
		if (existing + count > options.maxPools) {
			throw new PoolApplyError(
				`pools[${first.index}]: account ${accountId} has ${existing} pools in ${region}; ${count} more would exceed maxPools (${options.maxPools})`,
			);
		}
	}
}

/** How many pools a tenant has. */
async function countPools(
	store: Store,
	tenant: { accountId: string; region: string },
): Promise<number> {
	let count = 0;
	let after: string | undefined;
	do {
		const page = await store.pools.list(tenant, {
			limit: 60,
			...(after === undefined ? {} : { after }),
		});
		count += page.items.length;
		after = page.next;
	} while (after !== undefined);
	return count;
}

/**
 * Makes the stored pools match `pools`; answers what it did to each, in the file's order.
 * @throws PoolApplyError when a pool cannot be applied (nothing is written then), or a
 *   ServiceError of the store (the pools before it are applied; applying again finishes)
 */
export async function applyDeclaredPools(
	store: Store,
	pools: readonly DeclaredPool[],
	options: ApplyOptions,
): Promise<PoolChange[]> {
	await check(store, pools, options);
	const changes: PoolChange[] = [];
	for (const pool of pools) {
		changes.push(await applyOne(store, pool, options));
	}
	return changes;
}

async function applyOne(
	store: Store,
	pool: DeclaredPool,
	options: ApplyOptions,
): Promise<PoolChange> {
	const key = keyOf(pool, options);
	const now = options.clock.now();
	const declared = {
		...key,
		settings: pool.settings,
		tags: pool.tags ?? {},
		now,
	};
	const { pool: stored, created } = await store.pools
		.ensure(declared, options.maxPools)
		.catch(async (err: unknown) => {
			// The id is that of a pool deleted whose identities are still being removed: remove
			// them now, then create the pool anew.
			if (!(err instanceof ResourceConflictException)) throw err;
			await finishPurge(store, pool.poolId);
			return store.pools.ensure(declared, options.maxPools);
		});
	if (stored.accountId !== key.accountId) {
		// Taken by another account since the check.
		throw new PoolApplyError(
			`pools[${pool.index}].IdentityPoolId: ${pool.poolId} is a pool of account ${stored.accountId}, not ${key.accountId}`,
		);
	}
	const members: string[] = [];
	if (!created) {
		const settings = settingsDiff(stored, pool, options.limits);
		if (settings.length > 0) {
			await store.pools.update(
				key,
				(current) =>
					applyPoolUpdate(current, updateInput(pool), options.limits),
				now,
			);
			members.push(...settings);
		}
	}
	const roles = rolesDiff(stored, pool);
	if (pool.roles !== undefined && roles.length > 0) {
		const input = {
			Roles: pool.roles.roles,
			...(pool.roles.roleMappings
				? { RoleMappings: pool.roles.roleMappings }
				: {}),
		};
		await store.pools.setRoles(
			key,
			pool.roles.roles,
			pool.roles.roleMappings,
			now,
			(current) =>
				roleConfigurationFromInput(current.settings, input, options.limits),
		);
		members.push(...roles);
	}
	for (const [provider, map] of pool.principalTags) {
		const current = created
			? undefined
			: await store.pools.getPrincipalTagMap(key, provider);
		if (current !== undefined && same(current, map)) continue;
		await store.pools.setPrincipalTagMap(key, provider, map, now, (p) =>
			requireTagProvider(p, provider),
		);
		members.push(`PrincipalTags[${provider}]`);
	}
	return {
		poolId: pool.poolId,
		accountId: key.accountId,
		name: pool.settings.IdentityPoolName,
		outcome: created ? "created" : members.length > 0 ? "updated" : "unchanged",
		members: created ? [] : members,
	};
}

/** One line of the report for a pool: `created`, `updated (members)` or `unchanged`. */
export function describeChange(change: PoolChange): string {
	const what =
		change.outcome === "updated"
			? `updated (${change.members.join(", ")})`
			: change.outcome;
	return `pool ${change.poolId} (${change.name}, account ${change.accountId}): ${what}`;
}
