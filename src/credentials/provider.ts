/**
 * @module credentials/provider
 * Where GetCredentialsForIdentity's AWS credentials come from (docs/behaviour.md#credentials). The *local*
 * provider, the default, mints `ASIA...` access keys, secrets and session tokens itself and
 * remembers them in the store, so that this server's STS-compatible endpoint (`src/sts/`)
 * can later recognise them. Credentials are valid for one hour, as on AWS (docs/behaviour.md#getcredentialsforidentity),
 * unless the STS endpoint's AssumeRoleWithWebIdentity asks for another `DurationSeconds`.
 * The *sts* provider (`sts-provider.ts`) asks a real STS instead.
 */

import { randomBytes } from "node:crypto";
import { INVALID_POOL_CONFIGURATION } from "../domain/role-resolution.ts";
import { type CrossAccountTrust, roleTrustedFor } from "../domain/sts-roles.ts";
import { InvalidIdentityPoolConfigurationException } from "../errors/service-errors.ts";
import type { Clock } from "../lib/clock.ts";
import type { CredentialRepository } from "../store/store.ts";
import { newSessionToken } from "./session-token.ts";

/** Credentials last one hour (docs/behaviour.md#getcredentialsforidentity, "valid for one hour"). */
const CREDENTIALS_LIFETIME_MS = 3600_000;

/**
 * The role session name of credentials from GetCredentialsForIdentity, as AWS uses it
 * (assumed-role ARN `arn:aws:sts::<account>:assumed-role/<role>/CognitoIdentityCredentials`).
 */
export const COGNITO_ROLE_SESSION_NAME = "CognitoIdentityCredentials";

/** What credentials are for. */
export interface CredentialRequest {
	identityId: string;
	poolId: string;
	accountId: string;
	region: string;
	roleArn: string;
	principalTags: Record<string, string>;
	/**
	 * The `amr` of the identity's token for this request (docs/behaviour.md#amr): what the *sts*
	 * provider's token carries, so that role trust policies can condition on it. When absent
	 * it is derived from the stored identity (see `ownTokenMinter`).
	 */
	amr?: string[];
	/** Default {@link COGNITO_ROLE_SESSION_NAME}; the STS endpoint passes the caller's. */
	roleSessionName?: string;
	/** Default 3600; the STS endpoint passes AssumeRoleWithWebIdentity's `DurationSeconds`. */
	durationSeconds?: number;
}

/** Issued credentials, in the wire form's members. */
export interface IssuedCredentials {
	AccessKeyId: string;
	SecretKey: string;
	SessionToken: string;
	/** Epoch milliseconds. */
	expiresAt: number;
}

/** Issues credentials for a role. */
export interface CredentialsProvider {
	issue(request: CredentialRequest): Promise<IssuedCredentials>;
}

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** `ASIA` and 16 characters of base32, the form of AWS's temporary access key ids. */
function accessKeyId(): string {
	const bytes = randomBytes(16);
	let id = "ASIA";
	for (const b of bytes) id += BASE32[b % 32];
	return id;
}

/**
 * The local provider: credentials minted and remembered by this server. It stands in for STS,
 * so it applies the one trust rule idpool has in place of roles' trust policies: a role of the
 * pool's account, or of an account `trust` names (docs/behaviour.md#credentials).
 * @throws InvalidIdentityPoolConfigurationException for a role the pool may not use
 */
export function localCredentialsProvider(
	repo: Pick<CredentialRepository, "insert">,
	clock: Clock,
	options: { trust?: readonly CrossAccountTrust[] } = {},
): CredentialsProvider {
	const trust = options.trust ?? [];
	return {
		async issue(request) {
			if (!roleTrustedFor(request.accountId, request.roleArn, trust)) {
				throw new InvalidIdentityPoolConfigurationException(
					INVALID_POOL_CONFIGURATION,
				);
			}
			const now = clock.now();
			const lifetimeMs =
				request.durationSeconds === undefined
					? CREDENTIALS_LIFETIME_MS
					: request.durationSeconds * 1000;
			const issued: IssuedCredentials = {
				AccessKeyId: accessKeyId(),
				// 40 characters, like an AWS secret access key.
				SecretKey: randomBytes(30).toString("base64"),
				// Carries the role session name, for GetCallerIdentity's answer.
				SessionToken: newSessionToken(
					request.roleSessionName ?? COGNITO_ROLE_SESSION_NAME,
				),
				expiresAt: now + lifetimeMs,
			};
			await repo.insert({
				accessKeyId: issued.AccessKeyId,
				secretAccessKey: issued.SecretKey,
				sessionToken: issued.SessionToken,
				identityId: request.identityId,
				poolId: request.poolId,
				accountId: request.accountId,
				region: request.region,
				roleArn: request.roleArn,
				principalTags: request.principalTags,
				createdAt: now,
				expiresAt: issued.expiresAt,
			});
			return issued;
		},
	};
}
