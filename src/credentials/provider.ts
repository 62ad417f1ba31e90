/**
 * @module credentials/provider
 * Where GetCredentialsForIdentity's AWS credentials come from (DECISIONS 21). The *local*
 * provider, the default, mints `ASIA...` access keys, secrets and session tokens itself and
 * remembers them in the store, so that an STS-compatible endpoint of this server can later
 * recognise them. Credentials are valid for one hour, as on AWS (reference §3.9).
 */
import { randomBytes } from "node:crypto";
import type { Clock } from "../lib/clock.ts";
import type { CredentialRepository } from "../store/store.ts";

/** Credentials last one hour (reference §3.9, "valid for one hour"). */
export const CREDENTIALS_LIFETIME_MS = 3600_000;

/** What credentials are for. */
export interface CredentialRequest {
	identityId: string;
	poolId: string;
	accountId: string;
	region: string;
	roleArn: string;
	principalTags: Record<string, string>;
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

/** The local provider: credentials minted and remembered by this server. */
export function localCredentialsProvider(
	repo: CredentialRepository,
	clock: Clock,
): CredentialsProvider {
	return {
		async issue(request) {
			const now = clock.now();
			const issued: IssuedCredentials = {
				AccessKeyId: accessKeyId(),
				// 40 characters, like an AWS secret access key.
				SecretKey: randomBytes(30).toString("base64"),
				SessionToken: randomBytes(192).toString("base64"),
				expiresAt: now + CREDENTIALS_LIFETIME_MS,
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
