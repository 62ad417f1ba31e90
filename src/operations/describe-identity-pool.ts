/**
 * @module operations/describe-identity-pool
 * DescribeIdentityPool: the stored pool, in the same shape CreateIdentityPool answers.
 */

import { requirePool } from "./lookups.ts";
import { defineOperation, signedCaller } from "./operation.ts";
import { identityPoolShape } from "./shapes.ts";

export const DescribeIdentityPool = defineOperation({
	name: "DescribeIdentityPool",
	auth: "sigv4",
	async handler(input, ctx) {
		const { accountId, region } = signedCaller(ctx);
		const poolId = input.IdentityPoolId;
		return identityPoolShape(
			await requirePool(ctx.store, { accountId, region, poolId }),
		);
	},
});
