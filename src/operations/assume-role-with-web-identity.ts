/**
 * @module operations/assume-role-with-web-identity
 * AssumeRoleWithWebIdentity, an action of the STS-compatible endpoint (unsigned): a token this
 * server issued becomes credentials of the local provider for the role asked, recorded with
 * the token's identity (`sub`), pool (`aud`) and session tags (its
 * `https://aws.amazon.com/tags` claim): the classic flow, end to end. The token is checked as
 * STS checks a token of an IAM OIDC provider; the pool must trust its identities with the role
 * as a Cognito role's trust policy does (see `domain/sts-roles.ts`). The credentials last
 * `DurationSeconds` (900-43200, default 3600). See docs/behaviour.md, "The STS-compatible
 * endpoint".
 */
import {
	assumedRole,
	parseRoleArn,
	poolTrustsRole,
} from "../domain/sts-roles.ts";
import {
	INCORRECT_AUDIENCE,
	INVALID_ARN,
	invalidIdentityToken,
	NOT_AUTHORIZED_TO_ASSUME,
	StsError,
	validationError,
} from "../errors/sts-errors.ts";
import { defineStsAction } from "./operation.ts";

/** The action's input, as the query protocol decodes and validates it. */
export interface AssumeRoleWithWebIdentityInput {
	RoleArn: string;
	RoleSessionName: string;
	WebIdentityToken: string;
	DurationSeconds?: number;
}

/** The action's result (the STS model's members, in the order STS writes them). */
export interface AssumeRoleWithWebIdentityResponse {
	Credentials: {
		AccessKeyId: string;
		SecretAccessKey: string;
		SessionToken: string;
		Expiration: Date;
	};
	SubjectFromWebIdentityToken: string;
	AssumedRoleUser: { AssumedRoleId: string; Arn: string };
	Provider: string;
	Audience: string;
}

/** STS's default `DurationSeconds`. */
const DEFAULT_DURATION_SECONDS = 3600;

export const AssumeRoleWithWebIdentity = defineStsAction<
	AssumeRoleWithWebIdentityInput,
	AssumeRoleWithWebIdentityResponse
>({
	name: "AssumeRoleWithWebIdentity",
	auth: "none",
	async handler(input, ctx) {
		const roleArn = input.RoleArn;
		if (!parseRoleArn(roleArn)) throw validationError(INVALID_ARN);
		const claims = await ctx.verifyWebIdentity(input.WebIdentityToken);
		// The pool is the IAM OIDC provider's client id: a pool that no longer exists is no audience.
		const pool = await ctx.store.pools.findById(claims.aud);
		if (!pool) throw invalidIdentityToken(INCORRECT_AUDIENCE);
		ctx.chargeQuota(pool.accountId);
		if (
			!poolTrustsRole(pool, claims.amr, roleArn, ctx.settings.crossAccountRoles)
		) {
			throw new StsError("AccessDenied", NOT_AUTHORIZED_TO_ASSUME, 403);
		}
		const issued = await ctx.localCredentials.issue({
			identityId: claims.sub,
			poolId: pool.poolId,
			accountId: pool.accountId,
			region: pool.region,
			roleArn,
			principalTags: claims.principalTags,
			amr: claims.amr,
			roleSessionName: input.RoleSessionName,
			durationSeconds: input.DurationSeconds ?? DEFAULT_DURATION_SECONDS,
		});
		const role = assumedRole(roleArn, input.RoleSessionName, pool.accountId);
		return {
			Credentials: {
				AccessKeyId: issued.AccessKeyId,
				SecretAccessKey: issued.SecretKey,
				SessionToken: issued.SessionToken,
				Expiration: new Date(issued.expiresAt),
			},
			SubjectFromWebIdentityToken: claims.sub,
			AssumedRoleUser: { AssumedRoleId: role.assumedRoleId, Arn: role.arn },
			Provider: claims.iss.replace(/^https?:\/\//, ""),
			Audience: claims.aud,
		};
	},
});
