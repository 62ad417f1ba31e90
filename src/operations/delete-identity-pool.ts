/**
 * @module operations/delete-identity-pool
 * DeleteIdentityPool: removes the pool and everything it holds. Answers `{}` once the pool is
 * gone for every call; its identities are removed afterwards, in the background, by the
 * server's purger (server/pool-purger.ts, docs/behaviour.md#deleteidentitypool).
 */

import { poolNotFound } from "../domain/pools.ts";
import { defineOperation, signedCaller } from "./operation.ts";

export const DeleteIdentityPool = defineOperation({
	name: "DeleteIdentityPool",
	auth: "sigv4",
	async handler(input, ctx) {
		const { accountId, region } = signedCaller(ctx);
		const poolId = input.IdentityPoolId;
		const deleted = await ctx.store.pools.delete(
			{ accountId, region, poolId },
			ctx.clock.now(),
		);
		if (!deleted) throw poolNotFound(poolId);
		return {};
	},
});
