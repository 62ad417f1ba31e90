/**
 * @module operations/list-tags-for-resource
 * ListTagsForResource: the tags of the identity pool named by `ResourceArn` (its
 * `IdentityPoolTags`), as `{"Tags": {...}}`; `Tags` is always present, `{}` when the pool
 * has none (docs/behaviour.md#wire-protocol).
 */

import { poolKeyOfArn } from "../domain/resource-arn.ts";
import { requirePool } from "./lookups.ts";
import { defineOperation, signedCaller } from "./operation.ts";

export const ListTagsForResource = defineOperation({
	name: "ListTagsForResource",
	auth: "sigv4",
	async handler(input, ctx) {
		const key = poolKeyOfArn(input.ResourceArn, signedCaller(ctx));
		const pool = await requirePool(ctx.store, key);
		return { Tags: { ...pool.tags } };
	},
});
