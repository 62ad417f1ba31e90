/**
 * @module operations/get-id
 * GetId (public): without logins, a new guest identity on every call, when the pool allows
 * them; with logins, verified first, the identity already linked to them, else a new
 * authenticated one; several logins link or merge identities (docs/behaviour.md#getid and docs/behaviour.md#identities).
 * @remarks Logins are verified by their providers as configured (docs/federation.md); this
 * server's own tokens are refused here, as on AWS.
 */

import { planLogins } from "../domain/identities.ts";
import { newRegionalId } from "../domain/ids.ts";
import { poolNotFound } from "../domain/pools.ts";
import { withPool } from "./lookups.ts";
import { defineOperation } from "./operation.ts";
import { externalLogins, keyOf, requireGuestsAllowed } from "./public-flow.ts";

export const GetId = defineOperation({
	name: "GetId",
	auth: "none",
	async handler(input, ctx) {
		// The pool as this server remembers it, confirmed by the identity statement below.
		return withPool(
			ctx.store,
			input.IdentityPoolId,
			async (pool, poolVersion) => {
				if (!pool) throw poolNotFound(input.IdentityPoolId);
				const entries = input.Logins ?? {};
				const newIdentityId = newRegionalId(pool.region);
				if (Object.keys(entries).length === 0) {
					requireGuestsAllowed(pool);
					const identityId = await ctx.store.identities.change(
						keyOf(pool),
						{ identityIds: [], logins: [] },
						() => ({
							change: {
								create: { identityId: newIdentityId, authenticated: false },
							},
							result: newIdentityId,
						}),
						ctx.clock.now(),
						poolVersion,
					);
					return { IdentityId: identityId };
				}
				const verified = await ctx.logins.verifyAll(pool, entries, {
					allowCognitoTokens: false,
				});
				const logins = externalLogins(verified);
				const { identityId } = await ctx.store.identities.change(
					keyOf(pool),
					{ identityIds: [], logins },
					(snapshot) =>
						planLogins(snapshot, {
							logins,
							newIdentityId,
							maxLogins: ctx.settings.maxLogins,
							flow: "public",
							limitError: "limit",
						}),
					ctx.clock.now(),
					poolVersion,
				);
				return { IdentityId: identityId };
			},
			ctx.chargeQuota,
		);
	},
});
