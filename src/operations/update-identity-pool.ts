/**
 * @module operations/update-identity-pool
 * UpdateIdentityPool: replaces the pool's configuration with the input (docs/behaviour.md#updateidentitypool):
 * omitted optional members are cleared, except DeveloperProviderName (immutable once set)
 * and IdentityPoolTags (kept when omitted, replaced when present).
 */

import { applyPoolUpdate, poolNotFound } from "../domain/pools.ts";
import { defineOperation, signedCaller } from "./operation.ts";
import { identityPoolShape } from "./shapes.ts";

export const UpdateIdentityPool = defineOperation({
	name: "UpdateIdentityPool",
	auth: "sigv4",
	async handler(input, ctx) {
		const { accountId, region } = signedCaller(ctx);
		const poolId = input.IdentityPoolId;
		const updated = await ctx.store.pools.update(
			{ accountId, region, poolId },
			(current) => applyPoolUpdate(current, input, ctx.settings),
			ctx.clock.now(),
		);
		if (!updated) throw poolNotFound(poolId);
		return identityPoolShape(updated);
	},
});
