/**
 * @module operations/delete-identity-pool
 * DeleteIdentityPool: removes the pool and everything it holds. Answers `{}`.
 */

import { poolNotFound } from "../domain/pools.ts";
import { defineOperation, signedCaller } from "./operation.ts";

export const DeleteIdentityPool = defineOperation({
	name: "DeleteIdentityPool",
	auth: "sigv4",
	async handler(input, ctx) {
		const { accountId, region } = signedCaller(ctx);
		const poolId = input.IdentityPoolId;
		if (!(await ctx.store.pools.delete({ accountId, region, poolId })))
			throw poolNotFound(poolId);
		return {};
	},
});
