/**
 * Test support for identity operations: a pool with a developer provider, and developer
 * identities made through GetOpenIdTokenForDeveloperIdentity (SigV4).
 */
import assert from "node:assert/strict";
import {
	type CognitoIdentityClient,
	CreateIdentityPoolCommand,
	GetOpenIdTokenForDeveloperIdentityCommand,
	type IdentityDescription,
	ListIdentitiesCommand,
} from "@aws-sdk/client-cognito-identity";

/** The developer provider name of the pools made by {@link createDeveloperPool}. */
export const DEV_PROVIDER = "login.example.app";

/** A second account for tenancy tests (`useServer({ credentials: TWO_ACCOUNTS })`). */
export const OTHER_ACCOUNT = {
	accessKeyId: "other",
	secretAccessKey: "other-secret",
	accountId: "111111111111",
};

/** The default test account and {@link OTHER_ACCOUNT}. */
export const TWO_ACCOUNTS = [
	{
		accessKeyId: "test",
		secretAccessKey: "test",
		accountId: "000000000000",
	},
	OTHER_ACCOUNT,
];

/** Creates a pool whose developer provider is `developerProviderName`. Answers its id. */
export async function createDeveloperPool(
	client: CognitoIdentityClient,
	options: { name?: string; developerProviderName?: string } = {},
): Promise<string> {
	const out = await client.send(
		new CreateIdentityPoolCommand({
			IdentityPoolName: options.name ?? "developer-pool",
			AllowUnauthenticatedIdentities: false,
			DeveloperProviderName: options.developerProviderName ?? DEV_PROVIDER,
		}),
	);
	return out.IdentityPoolId as string;
}

/**
 * GetOpenIdTokenForDeveloperIdentity for `userId` (linked to `identityId` when given).
 * Answers the identity id.
 */
export async function developerIdentity(
	client: CognitoIdentityClient,
	poolId: string,
	userId: string,
	identityId?: string,
	provider: string = DEV_PROVIDER,
): Promise<string> {
	const out = await client.send(
		new GetOpenIdTokenForDeveloperIdentityCommand({
			IdentityPoolId: poolId,
			Logins: { [provider]: userId },
			...(identityId === undefined ? {} : { IdentityId: identityId }),
		}),
	);
	assert.ok(out.Token, "a token is answered");
	return out.IdentityId as string;
}

/** Every identity of a pool, walking the pages of ListIdentities. */
export async function listAllIdentities(
	client: CognitoIdentityClient,
	poolId: string,
	options: { hideDisabled?: boolean; pageSize?: number } = {},
): Promise<IdentityDescription[]> {
	const all: IdentityDescription[] = [];
	let token: string | undefined;
	do {
		const page = await client.send(
			new ListIdentitiesCommand({
				IdentityPoolId: poolId,
				MaxResults: options.pageSize ?? 60,
				...(options.hideDisabled === undefined
					? {}
					: { HideDisabled: options.hideDisabled }),
				...(token === undefined ? {} : { NextToken: token }),
			}),
		);
		all.push(...(page.Identities ?? []));
		token = page.NextToken;
	} while (token);
	return all;
}

/** Asserts that `date` is a Date within `toleranceMs` of `expectedMs`. */
export function assertCloseTo(
	date: Date | undefined,
	expectedMs: number,
	toleranceMs = 60_000,
): void {
	assert.ok(date instanceof Date, `expected a Date, got ${String(date)}`);
	assert.ok(
		Math.abs(date.getTime() - expectedMs) <= toleranceMs,
		`expected ${date.toISOString()} within ${toleranceMs} ms of ${new Date(expectedMs).toISOString()}`,
	);
}
