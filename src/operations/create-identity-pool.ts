/**
 * @module operations/create-identity-pool
 * CreateIdentityPool: a new pool `<region>:<uuid>` in the caller's account and region.
 * Pool names need not be unique. `IdentityPoolTags` become the pool's resource tags.
 * @remarks Provider ARNs are checked for syntax only (AWS checks them against IAM).
 */

import { newRegionalId } from "../domain/ids.ts";
import { checkTags, settingsFromInput } from "../domain/pools.ts";
import { defineOperation, signedCaller } from "./operation.ts";
import { identityPoolShape } from "./shapes.ts";

export const CreateIdentityPool = defineOperation({
	name: "CreateIdentityPool",
	auth: "sigv4",
	async handler(input, ctx) {
		const { accountId, region } = signedCaller(ctx);
		const settings = settingsFromInput(input, ctx.settings);
		const tags = checkTags(input.IdentityPoolTags ?? {}, ctx.settings.maxTags);
		const pool = await ctx.store.pools.create(
			{
				accountId,
				region,
				poolId: newRegionalId(region),
				settings,
				tags,
				now: ctx.clock.now(),
			},
			ctx.settings.maxPools,
		);
		return identityPoolShape(pool);
	},
});
