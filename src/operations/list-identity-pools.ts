/**
 * @module operations/list-identity-pools
 * ListIdentityPools: the caller's pools in its region, in creation order, `MaxResults` (1-60)
 * per page. `NextToken` is an opaque keyset cursor (docs/behaviour.md#pagination), present only when more
 * pools follow. Items carry the id and name only, as on AWS (aws/aws-cli#8078).
 */

import { decodePageToken, encodePageToken } from "../domain/pagination.ts";
import { defineOperation, signedCaller } from "./operation.ts";

export const ListIdentityPools = defineOperation({
	name: "ListIdentityPools",
	auth: "sigv4",
	async handler(input, ctx) {
		const { accountId, region } = signedCaller(ctx);
		const listing = `ListIdentityPools\u0000${accountId}\u0000${region}`;
		const after =
			input.NextToken === undefined
				? undefined
				: decodePageToken(listing, input.NextToken);
		const page = await ctx.store.pools.list(
			{ accountId, region },
			{
				limit: input.MaxResults,
				...(after === undefined ? {} : { after }),
			},
		);
		const IdentityPools = page.items.map((p) => ({
			IdentityPoolId: p.poolId,
			IdentityPoolName: p.name,
		}));
		return page.next === undefined
			? { IdentityPools }
			: { IdentityPools, NextToken: encodePageToken(listing, page.next) };
	},
});
