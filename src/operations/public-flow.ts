/**
 * @module operations/public-flow
 * What the four public operations (GetId, GetOpenIdToken, GetCredentialsForIdentity,
 * UnlinkIdentity) share: they are unsigned, so they find the pool and the identity by id
 * alone (ids are unique; docs/behaviour.md#accounts-and-regions), verify the tokens of their `Logins`, and refuse
 * disabled or inaccessible identities with AWS's "forbidden" message.
 */

import { identityForbidden, planLogins } from "../domain/identities.ts";
import { newRegionalId } from "../domain/ids.ts";
import {
	principalTagProviderOf,
	principalTagsFor,
} from "../domain/principal-tags.ts";
import type {
	IdentityRecord,
	LoginRef,
	PoolKey,
	PoolRecord,
} from "../domain/records.ts";
import { NotAuthorizedException } from "../errors/service-errors.ts";
import type { VerifiedLogin } from "../federation/verifier.ts";
import { TAGS_CLAIM } from "../tokens/tokens.ts";
import { sessionTags } from "../tokens/web-identity.ts";
import type { OperationContext } from "./operation.ts";

/** Observed on AWS (docs/behaviour.md#errors). */
const UNAUTHENTICATED_NOT_SUPPORTED =
	"Unauthenticated access is not supported for this identity pool.";

/** The key of a pool record. */
export function keyOf(pool: PoolRecord): PoolKey {
	return {
		accountId: pool.accountId,
		region: pool.region,
		poolId: pool.poolId,
	};
}

/** Refuses disabled (merged) and inaccessible identities (docs/behaviour.md#identities). */
export function requireActive(identity: IdentityRecord): void {
	if (identity.state !== "active") throw identityForbidden(identity.identityId);
}

/** A guest may be served only when the pool allows unauthenticated identities. */
export function requireGuestsAllowed(pool: PoolRecord): void {
	if (!pool.settings.AllowUnauthenticatedIdentities) {
		throw new NotAuthorizedException(UNAUTHENTICATED_NOT_SUPPORTED);
	}
}

/** The external logins of verified entries, as identity logins. */
export function externalLogins(verified: VerifiedLogin[]): LoginRef[] {
	return verified
		.filter((v) => v.kind === "external")
		.map((v) => ({
			provider: v.provider,
			subject: v.subject,
			kind: "external" as const,
		}));
}

/** The `amr` of a token for logins just verified (docs/behaviour.md#amr). */
export function authenticatedAmr(verified: VerifiedLogin[]): string[] {
	return ["authenticated", ...verified.flatMap((v) => v.amr)];
}

/** The `amr` of a guest's token. */
export const UNAUTHENTICATED_AMR = ["unauthenticated"];

/**
 * Resolves the identity named in a GetOpenIdToken or GetCredentialsForIdentity call with the
 * external logins presented: links new ones, merges identities owning others (docs/behaviour.md#identities).
 * Answers the identity the call now concerns (it may differ from the one named).
 * @param proven the identity is already proven by a token this server issued for it
 */
export async function resolvePresentedLogins(
	ctx: OperationContext,
	pool: PoolRecord,
	identity: IdentityRecord,
	logins: LoginRef[],
	proven = false,
): Promise<string> {
	const { identityId } = await ctx.store.identities.change(
		keyOf(pool),
		{ identityIds: [identity.identityId], logins },
		(snapshot) =>
			planLogins(snapshot, {
				identityId: identity.identityId,
				logins,
				newIdentityId: newRegionalId(pool.region),
				maxLogins: ctx.settings.maxLogins,
				flow: "public",
				limitError: "parameter",
				proven,
			}),
		ctx.clock.now(),
	);
	return identityId;
}

/**
 * The principal tags of a call's verified logins (docs/behaviour.md#principal-tags): for each
 * external login, its claims through the attribute map in force for its provider; for this
 * server's own token, the tags it already carries. Later logins do not override earlier
 * ones.
 */
export async function principalTagsOf(
	ctx: OperationContext,
	pool: PoolRecord,
	verified: VerifiedLogin[],
): Promise<Record<string, string>> {
	const tags: Record<string, string> = {};
	const add = (more: Record<string, string>) => {
		for (const [k, v] of Object.entries(more))
			if (!Object.hasOwn(tags, k)) tags[k] = v;
	};
	for (const login of verified) {
		if (login.kind === "cognito") {
			add(sessionTags(login.claims[TAGS_CLAIM]));
			continue;
		}
		const providerName = principalTagProviderOf(pool.settings, login.provider);
		if (providerName === undefined) continue;
		const map = await ctx.store.pools.getPrincipalTagMap(
			keyOf(pool),
			providerName,
		);
		add(principalTagsFor(map, login));
	}
	return tags;
}
