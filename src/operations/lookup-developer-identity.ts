/**
 * @module operations/lookup-developer-identity
 * LookupDeveloperIdentity (docs/behaviour.md#lookupdeveloperidentity):
 * - by `DeveloperUserIdentifier`: the identity it is linked to, and that identifier;
 * - by `IdentityId`: every developer user identifier linked to it, `MaxResults` (default 60)
 *   per page with an opaque `NextToken`;
 * - by both: the same answer when they belong together, ResourceConflictException otherwise.
 * Nothing found is ResourceNotFoundException.
 */

import { identityNotFound } from "../domain/identities.ts";
import { decodePageToken, encodePageToken } from "../domain/pagination.ts";
import {
	InvalidParameterException,
	ResourceConflictException,
	ResourceNotFoundException,
} from "../errors/service-errors.ts";
import { callerPoolKey, requireIdentity, requirePool } from "./lookups.ts";
import { defineOperation, signedCaller } from "./operation.ts";

/** Results per call when `MaxResults` is not given (AWS's documented maximum, docs/behaviour.md#quotas). */
const DEFAULT_PAGE = 60;

export const LookupDeveloperIdentity = defineOperation({
	name: "LookupDeveloperIdentity",
	auth: "sigv4",
	async handler(input, ctx) {
		const caller = signedCaller(ctx);
		const poolId = input.IdentityPoolId;
		const pool = await requirePool(ctx.store, callerPoolKey(ctx, poolId));
		const { IdentityId: identityId, DeveloperUserIdentifier: userId } = input;
		if (userId !== undefined) {
			const developer = pool.settings.DeveloperProviderName;
			const owner =
				developer === undefined
					? undefined
					: await ctx.store.identities.findByLogin(poolId, {
							provider: developer,
							subject: userId,
						});
			if (!owner) {
				throw new ResourceNotFoundException(
					`Developer user identifier '${userId}' not found.`,
				);
			}
			if (identityId !== undefined && owner.identityId !== identityId) {
				throw new ResourceConflictException(
					`The developer user identifier is not linked to identity '${identityId}'.`,
				);
			}
			return {
				IdentityId: owner.identityId,
				DeveloperUserIdentifierList: [userId],
			};
		}
		if (identityId === undefined) {
			throw new InvalidParameterException(
				"Either IdentityId or DeveloperUserIdentifier must be specified.",
			);
		}
		const identity = await requireIdentity(ctx.store, caller, identityId);
		if (identity.poolId !== poolId) throw identityNotFound(identity.identityId);
		const listing = `LookupDeveloperIdentity\u0000${poolId}\u0000${identity.identityId}`;
		const after =
			input.NextToken === undefined
				? undefined
				: decodePageToken(listing, input.NextToken);
		const page = await ctx.store.identities.developerLogins(
			poolId,
			identity.identityId,
			{
				limit: input.MaxResults ?? DEFAULT_PAGE,
				...(after === undefined ? {} : { after }),
			},
		);
		const result = {
			IdentityId: identity.identityId,
			DeveloperUserIdentifierList: page.items.map((l) => l.subject),
		};
		return page.next === undefined
			? result
			: { ...result, NextToken: encodePageToken(listing, page.next) };
	},
});
