/**
 * @module server/export-pools
 * The pools of a database as a configuration file declares them (docs/configuration-as-code.md):
 * what `idpool export` prints, and what `idpool apply` or `--config` take back. Each pool is
 * written whole, as DescribeIdentityPool, GetIdentityPoolRoles and GetPrincipalTagAttributeMap
 * answer it, so that applying the file makes another database's pools match it: its tags and
 * its roles (`{}` when none), its role mappings when it has any, the principal tag map of each
 * of its providers that has one, and `AccountId` unless the pool is in the default account.
 * Deleted pools are left out.
 */
import { principalTagProviderNames } from "../domain/principal-tags.ts";
import type { PoolRecord } from "../domain/records.ts";
import { identityPoolShape, poolRolesShape } from "../operations/shapes.ts";
import type { Store } from "../store/store.ts";

/** One pool as the configuration file declares it. */
export type ExportedPool = Record<string, unknown>;

/** How many pools a page of the store's listing reads. */
const PAGE = 100;

/** The principal tag maps of `pool`'s providers that have one, as the file declares them. */
async function principalTags(
	store: Store,
	pool: PoolRecord,
): Promise<Record<string, unknown> | undefined> {
	const maps: Record<string, unknown> = {};
	for (const provider of principalTagProviderNames(pool.settings)) {
		const map = await store.pools.getPrincipalTagMap(pool, provider);
		if (map === undefined) continue;
		maps[provider] = map.useDefaults
			? { UseDefaults: true }
			: { UseDefaults: false, PrincipalTags: { ...map.principalTags } };
	}
	return Object.keys(maps).length > 0 ? maps : undefined;
}

/** `pool` as the configuration file declares it. */
async function exported(
	store: Store,
	pool: PoolRecord,
	defaultAccountId: string,
): Promise<ExportedPool> {
	const { IdentityPoolId: _, ...roles } = poolRolesShape(pool);
	const tagMaps = await principalTags(store, pool);
	return {
		...identityPoolShape(pool),
		...roles,
		...(tagMaps === undefined ? {} : { PrincipalTags: tagMaps }),
		...(pool.accountId === defaultAccountId
			? {}
			: { AccountId: pool.accountId }),
	};
}

/**
 * Every pool of the database, by account, region and creation order, as a configuration
 * file's `pools` declares them; `defaultAccountId` is the account a pool declared without
 * `AccountId` goes to (the first access key's).
 */
export async function exportPools(
	store: Store,
	defaultAccountId: string,
): Promise<ExportedPool[]> {
	const pools: ExportedPool[] = [];
	for (const tenant of await store.pools.tenants()) {
		let after: string | undefined;
		do {
			const page = await store.pools.list(tenant, {
				limit: PAGE,
				...(after === undefined ? {} : { after }),
			});
			for (const { poolId } of page.items) {
				// Deleted since the page was read: nothing to declare.
				const pool = await store.pools.get({ ...tenant, poolId });
				if (pool) pools.push(await exported(store, pool, defaultAccountId));
			}
			after = page.next;
		} while (after !== undefined);
	}
	return pools;
}
