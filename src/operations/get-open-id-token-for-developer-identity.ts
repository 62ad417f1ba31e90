/**
 * @module operations/get-open-id-token-for-developer-identity
 * GetOpenIdTokenForDeveloperIdentity: registers or finds the identity of a developer user
 * and answers a signed OpenID token for it (docs/behaviour.md#getopenidtokenfordeveloperidentity, docs/behaviour.md#identities and docs/behaviour.md#tokens).
 * - No `IdentityId`: the identity linked to the developer user, or a new one. Concurrent first
 *   calls for one user create one identity (the store keeps logins unique per pool).
 * - `IdentityId`: links the developer user to it; a user linked elsewhere is
 *   DeveloperUserAlreadyRegisteredException; an identity with external logins needs one of
 *   them presented ("Logins don't match").
 * - A new user's token is signed while the identity waits for its group commit, and answered
 *   only after that commit, if it answered the same identity.
 * - Logins of providers configured on the pool may come along: they are verified as in
 *   GetId, then linked (or their identities merged) with the developer user's identity, and
 *   they appear in the token's `amr` after the developer entries.
 */

import { planLogins } from "../domain/identities.ts";
import { newRegionalId } from "../domain/ids.ts";
import { readDeveloperLogins } from "../domain/logins.ts";
import { poolNotFound } from "../domain/pools.ts";
import {
	DEFAULT_DEVELOPER_TOKEN_SECONDS,
	developerAmr,
	tokenFrame,
} from "../domain/tokens.ts";
import { withPool } from "./lookups.ts";
import { defineOperation, signedCaller } from "./operation.ts";
import { externalLogins } from "./public-flow.ts";

export const GetOpenIdTokenForDeveloperIdentity = defineOperation({
	name: "GetOpenIdTokenForDeveloperIdentity",
	auth: "sigv4",
	async handler(input, ctx) {
		const { accountId, region } = signedCaller(ctx);
		const poolId = input.IdentityPoolId;
		const key = { accountId, region, poolId };
		// The pool as this server remembers it, confirmed by the identity statement below.
		return withPool(ctx.store, poolId, async (pool, poolVersion) => {
			if (!pool || pool.accountId !== accountId || pool.region !== region) {
				throw poolNotFound(poolId);
			}
			const { developer, external } = readDeveloperLogins(
				pool,
				input.Logins ?? {},
			);
			const verified =
				external.length === 0
					? []
					: await ctx.logins.verifyAll(pool, Object.fromEntries(external), {
							allowCognitoTokens: false,
						});
			const logins = [developer, ...externalLogins(verified)];
			const now = ctx.clock.now();
			const mint = (identityId: string) =>
				ctx.tokens.mint({
					...tokenFrame({
						identityId,
						poolId,
						region: pool.region,
						accountId,
						issuer: ctx.issuer,
						nowMs: now,
						lifetimeSeconds:
							input.TokenDuration ?? DEFAULT_DEVELOPER_TOKEN_SECONDS,
					}),
					amr: [
						...developerAmr(developer.provider, poolId, developer.subject),
						...verified.flatMap((v) => v.amr),
					],
					...(input.PrincipalTags
						? { principalTags: input.PrincipalTags }
						: {}),
				});
			// A returning user with nothing to link needs no write: read who holds the login.
			const firstLogin = input.IdentityId === undefined && logins.length === 1;
			const known = firstLogin
				? await ctx.store.identities.ownerOf(poolId, developer, poolVersion)
				: undefined;
			if (known !== undefined) {
				return { IdentityId: known, Token: await mint(known) };
			}
			// A first call for this user already in flight on this server: its identity, once
			// committed, is this call's too; one token is signed, for it.
			const flight = firstLogin
				? `${poolId}\u0000${developer.provider}\u0000${developer.subject}`
				: undefined;
			const joined =
				flight === undefined ? undefined : ctx.firstLogins.joined(flight);
			if (joined !== undefined) {
				const owner = await joined.catch(() => undefined);
				if (owner !== undefined) {
					return { IdentityId: owner, Token: await mint(owner) };
				}
			}
			const newIdentityId = newRegionalId(pool.region);
			// A new user's token is signed while its identity waits for the group commit, for the
			// identity the commit will almost surely create. It is answered only once that commit
			// has answered the same identity (else it is dropped and the real one is signed).
			const early = firstLogin ? mint(newIdentityId) : undefined;
			early?.catch(() => {});
			const commit = async () =>
				(
					await ctx.store.identities.change(
						key,
						{
							identityIds:
								input.IdentityId === undefined ? [] : [input.IdentityId],
							logins,
						},
						(snapshot) =>
							planLogins(snapshot, {
								...(input.IdentityId === undefined
									? {}
									: { identityId: input.IdentityId }),
								logins,
								newIdentityId,
								maxLogins: ctx.settings.maxLogins,
								flow: "developer",
								limitError: "parameter",
							}),
						now,
						poolVersion,
					)
				).identityId;
			const identityId =
				flight === undefined
					? await commit()
					: await ctx.firstLogins.lead(flight, commit);
			const Token =
				early !== undefined && identityId === newIdentityId
					? await early
					: await mint(identityId);
			return { IdentityId: identityId, Token };
		});
	},
});
