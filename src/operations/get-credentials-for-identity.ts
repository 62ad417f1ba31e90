/**
 * @module operations/get-credentials-for-identity
 * GetCredentialsForIdentity (public), the enhanced flow: AWS credentials for an identity,
 * valid one hour (reference §3.9, DECISIONS 21).
 * - No logins: only for a guest, when the pool allows guests; the unauthenticated role.
 * - Logins: verified; this server's own tokens (under `cognito-identity.amazonaws.com` or the
 *   issuer's host) prove the identity they were issued for; external logins are linked and
 *   identities merged as in GetOpenIdToken; the authenticated role.
 * - No role configured where one is needed: InvalidIdentityPoolConfigurationException.
 * @remarks Role mappings, `CustomRoleArn` and principal tags are not applied yet: the
 *   pool's default roles are used. Credentials come from the local provider.
 */
import type {
	GetCredentialsForIdentityInput,
	GetCredentialsForIdentityResponse,
} from "@aws-sdk/client-cognito-identity";
import { identityForbidden, LOGINS_DONT_MATCH } from "../domain/identities.ts";
import {
	InvalidIdentityPoolConfigurationException,
	NotAuthorizedException,
} from "../errors/service-errors.ts";
import type { PoolRecord } from "../store/store.ts";
import { defineOperation, type Wire } from "./operation.ts";
import {
	externalLogins,
	identityAndPool,
	requireActive,
	requireGuestsAllowed,
	resolvePresentedLogins,
} from "./public-flow.ts";

/** Observed on AWS (aws/aws-sdk-js#1615). */
const NO_ROLE =
	"Invalid identity pool configuration. Check assigned IAM roles for this pool.";

function role(
	pool: PoolRecord,
	kind: "authenticated" | "unauthenticated",
): string {
	const arn = pool.roles[kind];
	if (!arn) throw new InvalidIdentityPoolConfigurationException(NO_ROLE);
	return arn;
}

export const GetCredentialsForIdentity = defineOperation<
	GetCredentialsForIdentityInput,
	Wire<GetCredentialsForIdentityResponse>
>({
	name: "GetCredentialsForIdentity",
	auth: "none",
	async handler(input, ctx) {
		const { identity, pool } = await identityAndPool(
			ctx,
			input.IdentityId as string,
		);
		requireActive(identity);
		const entries = input.Logins ?? {};
		let identityId = identity.identityId;
		let roleArn: string;
		if (Object.keys(entries).length === 0) {
			// Observed (aws-sdk-android#175): an identity with logins must present one.
			if (identity.logins.length > 0)
				throw identityForbidden(identity.identityId);
			requireGuestsAllowed(pool);
			roleArn = role(pool, "unauthenticated");
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
			if (logins.length > 0 || own.length === 0) {
				identityId = await resolvePresentedLogins(
					ctx,
					pool,
					identity,
					logins,
					own.length > 0,
				);
			}
			roleArn = role(pool, "authenticated");
		}
		const issued = await ctx.credentials.issue({
			identityId,
			poolId: pool.poolId,
			accountId: pool.accountId,
			region: pool.region,
			roleArn,
			principalTags: {},
		});
		return {
			IdentityId: identityId,
			Credentials: {
				AccessKeyId: issued.AccessKeyId,
				SecretKey: issued.SecretKey,
				SessionToken: issued.SessionToken,
				Expiration: issued.expiresAt / 1000,
			},
		};
	},
});
