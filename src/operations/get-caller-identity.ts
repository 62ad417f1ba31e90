/**
 * @module operations/get-caller-identity
 * GetCallerIdentity, an action of the STS-compatible endpoint (SigV4, service `sts`): who
 * signed. Credentials this server issued (presented with their session token) answer their
 * assumed-role ARN, with the role session name they were issued under; the server's own
 * access keys answer their account's root, as STS answers for root access keys. See
 * docs/behaviour.md, "The STS-compatible endpoint".
 */
import { COGNITO_ROLE_SESSION_NAME } from "../credentials/provider.ts";
import {
	ROLE_SESSION_NAME,
	sessionNameOf,
} from "../credentials/session-token.ts";
import { assumedRole } from "../domain/sts-roles.ts";
import { defineStsAction, signedCaller } from "./operation.ts";

/** The action's result (the STS model's members, in the order STS writes them). */
export interface GetCallerIdentityResponse {
	Arn: string;
	UserId: string;
	Account: string;
}

export const GetCallerIdentity = defineStsAction<
	Record<string, never>,
	GetCallerIdentityResponse
>({
	name: "GetCallerIdentity",
	auth: "sigv4-session",
	async handler(_input, ctx) {
		const caller = signedCaller(ctx);
		const issued = caller.session;
		if (issued) {
			const session = sessionNameOf(issued.sessionToken);
			const role = assumedRole(
				issued.roleArn,
				session !== undefined && ROLE_SESSION_NAME.test(session)
					? session
					: COGNITO_ROLE_SESSION_NAME,
				issued.accountId,
			);
			return {
				Arn: role.arn,
				UserId: role.assumedRoleId,
				Account: role.accountId,
			};
		}
		return {
			Arn: `arn:aws:iam::${caller.accountId}:root`,
			UserId: caller.accountId,
			Account: caller.accountId,
		};
	},
});
