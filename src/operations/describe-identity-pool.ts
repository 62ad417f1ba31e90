/**
 * @module operations/describe-identity-pool
 * DescribeIdentityPool: the stored pool, in the same shape CreateIdentityPool answers.
 */

import type {
	DescribeIdentityPoolInput,
	IdentityPool,
} from "@aws-sdk/client-cognito-identity";
import { poolToWire } from "../domain/pools.ts";
import { requirePool } from "./lookups.ts";
import { defineOperation, signedCaller, type Wire } from "./operation.ts";

export const DescribeIdentityPool = defineOperation<
	DescribeIdentityPoolInput,
	Wire<IdentityPool>
>({
	name: "DescribeIdentityPool",
	auth: "sigv4",
	async handler(input, ctx) {
		const { accountId, region } = signedCaller(ctx);
		const poolId = input.IdentityPoolId as string;
		return poolToWire(
			await requirePool(ctx.store, { accountId, region, poolId }),
		);
	},
});
