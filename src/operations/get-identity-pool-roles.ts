/**
 * @module operations/get-identity-pool-roles
 * GetIdentityPoolRoles: the pool's default roles (always answered, `{}` when unset) and its
 * role mappings (answered only when set).
 */

import { requirePool } from "./lookups.ts";
import { defineOperation, signedCaller } from "./operation.ts";
import { poolRolesShape } from "./shapes.ts";

export const GetIdentityPoolRoles = defineOperation({
	name: "GetIdentityPoolRoles",
	auth: "sigv4",
	async handler(input, ctx) {
		const { accountId, region } = signedCaller(ctx);
		const poolId = input.IdentityPoolId;
		return poolRolesShape(
			await requirePool(ctx.store, { accountId, region, poolId }),
		);
	},
});
