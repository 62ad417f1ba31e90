/**
 * @module operations/get-open-id-token
 * GetOpenIdToken (public), the classic flow: a 10-minute OpenID token for an identity
 * (docs/behaviour.md#getopenidtoken). Refused when the pool sets `AllowClassicFlow: false` or has role
 * mappings. A guest needs no logins; an authenticated identity needs at least one valid login
 * already linked to it; new logins are linked and identities owning the others are merged
 * into it (the answer's `IdentityId` may then differ from the one asked).
 */

import { identityForbidden } from "../domain/identities.ts";
import { tokenFrame } from "../domain/tokens.ts";
import { InvalidParameterException } from "../errors/service-errors.ts";
import { identityAndPool } from "./lookups.ts";
import { defineOperation } from "./operation.ts";
import {
	authenticatedAmr,
	externalLogins,
	principalTagsOf,
	requireActive,
	requireGuestsAllowed,
	resolvePresentedLogins,
	UNAUTHENTICATED_AMR,
} from "./public-flow.ts";

/** GetOpenIdToken's tokens last 10 minutes (model; observed exp - iat = 600). */
const OPEN_ID_TOKEN_SECONDS = 600;

export const GetOpenIdToken = defineOperation({
	name: "GetOpenIdToken",
	auth: "none",
	async handler(input, ctx) {
		const { identity, pool } = await identityAndPool(ctx, input.IdentityId);
		// Observed texts (aws/aws-cli#7652; aws-observability/aws-rum-web#172).
		if (pool.settings.AllowClassicFlow === false) {
			throw new InvalidParameterException(
				"Basic (classic) flow is not enabled, please use enhanced flow.",
			);
		}
		if (pool.roleMappings && Object.keys(pool.roleMappings).length > 0) {
			throw new InvalidParameterException(
				"Basic (classic) flow is not supported with RoleMappings, please use enhanced flow.",
			);
		}
		requireActive(identity);
		const entries = input.Logins ?? {};
		const now = ctx.clock.now();
		let identityId = identity.identityId;
		let amr = UNAUTHENTICATED_AMR;
		let principalTags: Record<string, string> = {};
		if (Object.keys(entries).length === 0) {
			// No unauthenticated token for an identity that has logins (docs/behaviour.md#getopenidtoken).
			if (identity.logins.length > 0)
				throw identityForbidden(identity.identityId);
			requireGuestsAllowed(pool);
		} else {
			const verified = await ctx.logins.verifyAll(pool, entries, {
				allowCognitoTokens: false,
			});
			const logins = externalLogins(verified);
			identityId = await resolvePresentedLogins(ctx, pool, identity, logins);
			amr = authenticatedAmr(verified);
			principalTags = await principalTagsOf(ctx, pool, verified);
		}
		const Token = await ctx.tokens.mint({
			...tokenFrame({
				identityId,
				poolId: pool.poolId,
				region: pool.region,
				accountId: pool.accountId,
				issuer: ctx.issuer,
				nowMs: now,
				lifetimeSeconds: OPEN_ID_TOKEN_SECONDS,
			}),
			amr,
			principalTags,
		});
		return { IdentityId: identityId, Token };
	},
});
