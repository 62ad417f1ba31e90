/**
 * @module operations/merge-developer-identities
 * MergeDeveloperIdentities: the source user's identity joins the destination user's
 * identity (docs/behaviour.md#mergedeveloperidentities): its logins move there and it is disabled; the answer is the
 * destination identity. Two users of one external provider on the merged identity are
 * ResourceConflictException; more than 20 logins InvalidParameterException.
 */

import { planDeveloperMerge } from "../domain/identities.ts";
import {
	checkDeveloperUserIdentifier,
	requireDeveloperProvider,
} from "../domain/logins.ts";
import type { LoginRef } from "../domain/records.ts";
import { callerPoolKey, requirePool } from "./lookups.ts";
import { defineOperation } from "./operation.ts";

export const MergeDeveloperIdentities = defineOperation({
	name: "MergeDeveloperIdentities",
	auth: "sigv4",
	async handler(input, ctx) {
		const key = callerPoolKey(ctx, input.IdentityPoolId);
		const pool = await requirePool(ctx.store, key);
		const provider = requireDeveloperProvider(
			pool,
			input.DeveloperProviderName,
		);
		const login = (subject: string): LoginRef => {
			checkDeveloperUserIdentifier(subject);
			return { provider, subject, kind: "developer" };
		};
		const source = login(input.SourceUserIdentifier);
		const destination = login(input.DestinationUserIdentifier);
		const { identityId } = await ctx.store.identities.change(
			key,
			{ identityIds: [], logins: [source, destination] },
			(snapshot) =>
				planDeveloperMerge(snapshot, {
					source,
					destination,
					maxLogins: ctx.settings.maxLogins,
				}),
			ctx.clock.now(),
		);
		return { IdentityId: identityId };
	},
});
