/**
 * @module operations/lookups
 * The reads that start most operations: a pool or an identity, found in the store and
 * refused with AWS's ResourceNotFoundException when it is not there. A signed operation sees
 * only its caller's account and region, so a pool or identity of another tenant is not found,
 * exactly as if it did not exist; the public operations find pools and identities by id alone
 * (ids are unique). See docs/behaviour.md, "Accounts and regions".
 */
import { identityNotFound } from "../domain/identities.ts";
import { poolNotFound } from "../domain/pools.ts";
import type { IdentityRecord, PoolKey, PoolRecord } from "../domain/records.ts";
import { ServiceError } from "../errors/service-errors.ts";
import { StalePoolError, type Store } from "../store/store.ts";
import { type OperationContext, signedCaller } from "./operation.ts";

/** The key of the pool `poolId` in the tenant (account and region) of a signed call. */
export function callerPoolKey(
	ctx: Pick<OperationContext, "caller">,
	poolId: string,
): PoolKey {
	const { accountId, region } = signedCaller(ctx);
	return { accountId, region, poolId };
}

/** The pool of the caller's tenant, or ResourceNotFoundException. */
export async function requirePool(
	store: Pick<Store, "pools">,
	key: PoolKey,
): Promise<PoolRecord> {
	const pool = await store.pools.get(key);
	if (!pool) throw poolNotFound(key.poolId);
	return pool;
}

/** The identity, if it belongs to the caller's tenant; otherwise ResourceNotFoundException. */
export async function requireIdentity(
	store: Pick<Store, "identities">,
	tenant: { accountId: string; region: string },
	identityId: string,
): Promise<IdentityRecord> {
	const identity = await store.identities.get(identityId);
	if (
		!identity ||
		identity.accountId !== tenant.accountId ||
		identity.region !== tenant.region
	) {
		throw identityNotFound(identityId);
	}
	return identity;
}

/**
 * The identity with this id and its pool (public operations); the call counts against the
 * quota of the pool's owner.
 */
export async function identityAndPool(
	ctx: Pick<OperationContext, "store" | "chargeQuota">,
	identityId: string,
): Promise<{ identity: IdentityRecord; pool: PoolRecord }> {
	const found = await ctx.store.identities.getWithPoolVersion(identityId);
	if (!found) throw identityNotFound(identityId);
	const { identity, poolVersion } = found;
	// The pool as this server holds it, when it is the version read with the identity (one
	// round trip in all); else read afresh.
	let read = await ctx.store.pools.cached(identity.poolId);
	if (read?.cached && read.version !== poolVersion) {
		read = await ctx.store.pools.cached(identity.poolId, true);
	}
	if (!read) throw identityNotFound(identityId);
	ctx.chargeQuota(read.pool.accountId);
	return { identity, pool: read.pool };
}

/** Reads of a pool by {@link withPool} before the last answer stands (a pool changing faster than that fails the call). */
const MAX_POOL_READS = 5;

/**
 * Runs `decide` on the pool `poolId` (in whatever account and region; `undefined` when there
 * is none) as this server's memory holds it, with no round trip (`pools.cached`). `decide`
 * passes `version` to the identity method that does its work, which confirms it in its own
 * statement or throws StalePoolError: `decide` then runs again on the pool read afresh. An
 * error `decide` throws on a remembered pool stands only if the pool is still at that version
 * (one read to check), else it is decided again: so an update of the pool on any server is
 * seen by every call that starts after it answered. `chargeQuota`, when given, is charged once
 * to the pool's owner (public operations).
 */
export async function withPool<T>(
	store: Pick<Store, "pools">,
	poolId: string,
	decide: (pool: PoolRecord | undefined, version: string) => Promise<T>,
	chargeQuota?: (accountId: string) => void,
): Promise<T> {
	let read = await store.pools.cached(poolId);
	if (read && chargeQuota) chargeQuota(read.pool.accountId);
	for (let reads = 1; ; reads++) {
		try {
			return await decide(read?.pool, read?.version ?? "");
		} catch (err) {
			if (reads >= MAX_POOL_READS) throw err;
			if (err instanceof StalePoolError) {
				read = await store.pools.cached(poolId, true);
				continue;
			}
			if (!(err instanceof ServiceError) || !read?.cached) throw err;
			const fresh = await store.pools.cached(poolId, true);
			if (fresh?.version === read.version) throw err;
			read = fresh;
		}
	}
}
