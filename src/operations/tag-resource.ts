/**
 * @module operations/tag-resource
 * TagResource: adds tags to the identity pool named by `ResourceArn`, overwriting the values
 * of keys it already has. The tags are the pool's `IdentityPoolTags`. Answers `{}`.
 * @remarks The `aws:` prefix is reserved and at most 50 tags (configurable) may result;
 * since the model lists no LimitExceededException for TagResource, the quota answers
 * InvalidParameterException. A refused change writes nothing.
 */

import { checkTags, poolNotFound } from "../domain/pools.ts";
import { poolKeyOfArn } from "../domain/resource-arn.ts";
import {
	InvalidParameterException,
	LimitExceededException,
} from "../errors/service-errors.ts";
import { defineOperation, signedCaller } from "./operation.ts";

/**
 * `checkTags`, with the quota answered as InvalidParameterException (same message): the
 * model's error list of TagResource has no LimitExceededException.
 */
function checkTagSet(
	tags: Record<string, string>,
	maxTags: number,
): Record<string, string> {
	try {
		return checkTags(tags, maxTags);
	} catch (err) {
		if (err instanceof LimitExceededException) {
			throw new InvalidParameterException(err.message, { cause: err });
		}
		throw err;
	}
}

export const TagResource = defineOperation({
	name: "TagResource",
	auth: "sigv4",
	async handler(input, ctx) {
		const key = poolKeyOfArn(input.ResourceArn, signedCaller(ctx));
		const added = input.Tags ?? {};
		const updated = await ctx.store.pools.update(
			key,
			(current) => ({
				settings: current.settings,
				tags: checkTagSet({ ...current.tags, ...added }, ctx.settings.maxTags),
			}),
			ctx.clock.now(),
		);
		if (!updated) throw poolNotFound(key.poolId);
		return {};
	},
});
