/**
 * @module operations/list-identities
 * ListIdentities: a pool's identities in creation order, `MaxResults` (1-60) per page, with
 * an opaque keyset `NextToken` (docs/behaviour.md#pagination). `HideDisabled` leaves out merged-away and
 * inaccessible identities.
 */

import { decodePageToken, encodePageToken } from "../domain/pagination.ts";
import { requirePool } from "./lookups.ts";
import { defineOperation, signedCaller } from "./operation.ts";
import { identityDescription } from "./shapes.ts";

export const ListIdentities = defineOperation({
	name: "ListIdentities",
	auth: "sigv4",
	async handler(input, ctx) {
		const { accountId, region } = signedCaller(ctx);
		const poolId = input.IdentityPoolId;
		await requirePool(ctx.store, { accountId, region, poolId });
		const hideDisabled = input.HideDisabled ?? false;
		// The filter is part of the listing: a token of the other view does not continue this one.
		const listing = `ListIdentities\u0000${poolId}\u0000${hideDisabled}`;
		const after =
			input.NextToken === undefined
				? undefined
				: decodePageToken(listing, input.NextToken);
		const page = await ctx.store.identities.list(poolId, {
			limit: input.MaxResults,
			hideDisabled,
			...(after === undefined ? {} : { after }),
		});
		const result = {
			IdentityPoolId: poolId,
			Identities: page.items.map(identityDescription),
		};
		return page.next === undefined
			? result
			: { ...result, NextToken: encodePageToken(listing, page.next) };
	},
});
