/**
 * @module operations/untag-resource
 * UntagResource: removes the keys listed in `TagKeys` from the tags of the identity pool
 * named by `ResourceArn` (its `IdentityPoolTags`); keys the pool does not have are ignored.
 * Answers `{}`.
 */

import { poolNotFound } from "../domain/pools.ts";
import { poolKeyOfArn } from "../domain/resource-arn.ts";
import { defineOperation, signedCaller } from "./operation.ts";

export const UntagResource = defineOperation({
	name: "UntagResource",
	auth: "sigv4",
	async handler(input, ctx) {
		const key = poolKeyOfArn(input.ResourceArn, signedCaller(ctx));
		const removed = new Set(input.TagKeys ?? []);
		const updated = await ctx.store.pools.update(
			key,
			(current) => ({
				settings: current.settings,
				tags: Object.fromEntries(
					Object.entries(current.tags).filter(([k]) => !removed.has(k)),
				),
			}),
			ctx.clock.now(),
		);
		if (!updated) throw poolNotFound(key.poolId);
		return {};
	},
});
