/**
 * @module operations/delete-identities
 * DeleteIdentities: deletes up to 60 identities with their logins (a login seen again later
 * makes a new identity). Unknown ids and ids of other regions count as deleted; ids of
 * another account are answered in `UnprocessedIdentityIds` with `AccessDenied` and kept
 * (docs/behaviour.md#deleteidentities). `UnprocessedIdentityIds` is always answered, even when empty.
 */
import { defineOperation, signedCaller } from "./operation.ts";

export const DeleteIdentities = defineOperation({
	name: "DeleteIdentities",
	auth: "sigv4",
	async handler(input, ctx) {
		const caller = signedCaller(ctx);
		const ids = input.IdentityIdsToDelete;
		const outcomes = await ctx.store.identities.delete(caller, ids);
		return {
			UnprocessedIdentityIds: ids
				.filter((_, i) => outcomes[i] === "access-denied")
				.map((IdentityId) => ({
					IdentityId,
					ErrorCode: "AccessDenied" as const,
				})),
		};
	},
});
