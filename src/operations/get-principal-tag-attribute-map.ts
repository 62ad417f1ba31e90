/**
 * @module operations/get-principal-tag-attribute-map
 * GetPrincipalTagAttributeMap: the principal tag attribute map in force for one identity
 * provider of the pool (docs/behaviour.md#getprincipaltagattributemap and docs/behaviour.md#principal-tags): the default map
 * (`{"username": "sub", "client": "aud"}`, Login with Amazon `user_id` for `sub`) when
 * `UseDefaults` is true, the custom map otherwise, and `UseDefaults: false` with
 * `PrincipalTags: {}` when none was ever set. A provider that is not configured on the pool
 * (names as in docs/behaviour.md#federation) is ResourceNotFoundException.
 */

import {
	principalTagMapInForce,
	requireTagProvider,
} from "../domain/principal-tags.ts";
import { callerPoolKey, requirePool } from "./lookups.ts";
import { defineOperation } from "./operation.ts";

export const GetPrincipalTagAttributeMap = defineOperation({
	name: "GetPrincipalTagAttributeMap",
	auth: "sigv4",
	async handler(input, ctx) {
		const key = callerPoolKey(ctx, input.IdentityPoolId);
		const providerName = input.IdentityProviderName;
		requireTagProvider(await requirePool(ctx.store, key), providerName);
		return {
			IdentityPoolId: key.poolId,
			IdentityProviderName: providerName,
			...principalTagMapInForce(
				providerName,
				await ctx.store.pools.getPrincipalTagMap(key, providerName),
			),
		};
	},
});
