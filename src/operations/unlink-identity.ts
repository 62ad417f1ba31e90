/**
 * @module operations/unlink-identity
 * UnlinkIdentity (public): removes the identity's logins of the providers in
 * `LoginsToRemove`, once `Logins` proves, with a valid token of a login linked to it, that the
 * caller owns the identity (docs/behaviour.md#unlinkidentity). Unlinked logins make a new identity the next
 * time they are seen; an identity left with no login is inaccessible (docs/behaviour.md#identities).
 * Answers `{}`.
 */

import { planUnlinkProviders } from "../domain/identities.ts";
import { identityAndPool } from "./lookups.ts";
import { defineOperation } from "./operation.ts";
import { externalLogins, keyOf, requireActive } from "./public-flow.ts";

export const UnlinkIdentity = defineOperation({
	name: "UnlinkIdentity",
	auth: "none",
	async handler(input, ctx) {
		const { identity, pool } = await identityAndPool(ctx, input.IdentityId);
		requireActive(identity);
		const verified = await ctx.logins.verifyAll(pool, input.Logins ?? {}, {
			allowCognitoTokens: false,
		});
		const proof = externalLogins(verified);
		await ctx.store.identities.change(
			keyOf(pool),
			{ identityIds: [identity.identityId], logins: proof },
			(snapshot) =>
				planUnlinkProviders(snapshot, {
					identityId: identity.identityId,
					proof,
					providers: input.LoginsToRemove ?? [],
					developerProvider: pool.settings.DeveloperProviderName,
				}),
			ctx.clock.now(),
		);
		return {};
	},
});
