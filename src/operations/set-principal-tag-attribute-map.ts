/**
 * @module operations/set-principal-tag-attribute-map
 * SetPrincipalTagAttributeMap: sets the principal tag attribute map of one identity provider
 * of the pool (docs/behaviour.md#setprincipaltagattributemap and docs/behaviour.md#principal-tags), replacing the one set before for that
 * provider. `UseDefaults: true` puts the provider's default map in force (a `PrincipalTags`
 * sent with it is not kept); `UseDefaults: false` (or omitted) with a map puts that map in
 * force, with `{}` (or omitted) the provider has no tags again. The provider is named as in
 * docs/behaviour.md#federation: a public provider's domain, a user pool's `ProviderName`, an OIDC or SAML
 * provider's ARN; any other name is ResourceNotFoundException. It is checked on the pool as
 * stored, in the same transaction as the write. Answers the map now in force, as
 * GetPrincipalTagAttributeMap would.
 * @remarks Tag keys (at most 128 characters), claim names (256) and entries (50) are
 * limited as on AWS; the console's aggregate limit of 460 bytes is not enforced (see
 * `domain/principal-tags.ts`). A map stays stored when its provider is removed from the
 * pool, and is in force again if the provider is configured again.
 */

import { poolNotFound } from "../domain/pools.ts";
import {
	principalTagMapFromInput,
	principalTagMapInForce,
	requireTagProvider,
} from "../domain/principal-tags.ts";
import { callerPoolKey, requirePool } from "./lookups.ts";
import { defineOperation } from "./operation.ts";

export const SetPrincipalTagAttributeMap = defineOperation({
	name: "SetPrincipalTagAttributeMap",
	auth: "sigv4",
	async handler(input, ctx) {
		const key = callerPoolKey(ctx, input.IdentityPoolId);
		const providerName = input.IdentityProviderName;
		// Read first so that an unknown pool answers its own message before the provider check.
		requireTagProvider(await requirePool(ctx.store, key), providerName);
		const map = principalTagMapFromInput(input);
		const stored = await ctx.store.pools.setPrincipalTagMap(
			key,
			providerName,
			map,
			ctx.clock.now(),
			(current) => requireTagProvider(current, providerName),
		);
		// Deleted since it was read.
		if (!stored) throw poolNotFound(key.poolId);
		return {
			IdentityPoolId: key.poolId,
			IdentityProviderName: providerName,
			...principalTagMapInForce(providerName, map),
		};
	},
});
