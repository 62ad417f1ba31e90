/**
 * @module operations/get-credentials-for-identity
 * GetCredentialsForIdentity (public), the enhanced flow: AWS credentials for an identity,
 * valid one hour (docs/behaviour.md#getcredentialsforidentity and docs/behaviour.md#credentials).
 * - No logins: only for a guest, when the pool allows guests; the unauthenticated role.
 * - Logins: verified; this server's own tokens (under `cognito-identity.amazonaws.com` or the
 *   issuer's host) prove the identity they were issued for; external logins are linked and
 *   identities merged as in GetOpenIdToken; the authenticated role.
 * - No role configured where one is needed: InvalidIdentityPoolConfigurationException.
 * - The role: the pool's role mappings for the providers presented (Token or Rules, with
 *   `CustomRoleArn`; docs/behaviour.md#roles), else the authenticated role; guests get the
 *   unauthenticated role, developer identities the authenticated one.
 * - Principal tags: the claims mapped by each provider's attribute map (docs/behaviour.md#principal-tags), or the
 *   tags a token of this server carries, recorded with the credentials.
 */

import { identityForbidden, LOGINS_DONT_MATCH } from "../domain/identities.ts";
import { resolveRole } from "../domain/role-resolution.ts";
import { NotAuthorizedException } from "../errors/service-errors.ts";
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

export const GetCredentialsForIdentity = defineOperation({
	name: "GetCredentialsForIdentity",
	auth: "none",
	async handler(input, ctx) {
		const { identity, pool } = await identityAndPool(ctx, input.IdentityId);
		requireActive(identity);
		const entries = input.Logins ?? {};
		let identityId = identity.identityId;
		let roleArn: string;
		let principalTags: Record<string, string> = {};
		let amr = UNAUTHENTICATED_AMR;
		if (Object.keys(entries).length === 0) {
			// Observed (aws-sdk-android#175): an identity with logins must present one.
			if (identity.logins.length > 0)
				throw identityForbidden(identity.identityId);
			requireGuestsAllowed(pool);
			roleArn = resolveRole(pool, {
				guest: true,
				developerOrOwnToken: false,
				logins: [],
			});
		} else {
			const verified = await ctx.logins.verifyAll(pool, entries, {
				allowCognitoTokens: true,
			});
			const own = verified.filter((v) => v.kind === "cognito");
			// A token this server issued proves the identity it names, and only that one.
			if (own.some((v) => v.subject !== identity.identityId)) {
				throw new NotAuthorizedException(LOGINS_DONT_MATCH);
			}
			const logins = externalLogins(verified);
			// The identity the credentials are for, as it is once logins are linked and
			// identities merged: a developer identity may have joined (docs/behaviour.md#identities).
			let resolved = identity;
			if (logins.length > 0 || own.length === 0) {
				identityId = await resolvePresentedLogins(
					ctx,
					pool,
					identity,
					logins,
					own.length > 0,
				);
				resolved = (await ctx.store.identities.get(identityId)) ?? identity;
			}
			const external = verified.filter((v) => v.kind === "external");
			roleArn = resolveRole(pool, {
				guest: false,
				developerOrOwnToken:
					own.length > 0 || resolved.logins.some((l) => l.kind === "developer"),
				logins: external,
				...(input.CustomRoleArn === undefined
					? {}
					: { customRoleArn: input.CustomRoleArn }),
			});
			principalTags = await principalTagsOf(ctx, pool, verified);
			amr = authenticatedAmr(verified);
		}
		const issued = await ctx.credentials.issue({
			identityId,
			poolId: pool.poolId,
			accountId: pool.accountId,
			region: pool.region,
			roleArn,
			principalTags,
			amr,
		});
		return {
			IdentityId: identityId,
			Credentials: {
				AccessKeyId: issued.AccessKeyId,
				SecretKey: issued.SecretKey,
				SessionToken: issued.SessionToken,
				Expiration: new Date(issued.expiresAt),
			},
		};
	},
});
