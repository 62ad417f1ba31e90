/**
 * @module domain/tokens
 * The claims of this server's OpenID tokens (docs/behaviour.md#tokens and docs/behaviour.md#amr).
 */
import { identityPoolArn } from "./ids.ts";

/** GetOpenIdTokenForDeveloperIdentity's default `TokenDuration` in seconds (model, docs/behaviour.md#getopenidtokenfordeveloperidentity). */
export const DEFAULT_DEVELOPER_TOKEN_SECONDS = 900;

/** The `amr` of a developer-authenticated identity (docs/behaviour.md#amr). */
export function developerAmr(
	developerProvider: string,
	poolId: string,
	userIdentifier: string,
): string[] {
	return [
		"authenticated",
		developerProvider,
		`${developerProvider}:${poolId}:${userIdentifier}`,
	];
}

/** Everything a token needs besides its `amr` and tags. */
export function tokenFrame(options: {
	identityId: string;
	poolId: string;
	region: string;
	accountId: string;
	issuer: string;
	nowMs: number;
	lifetimeSeconds: number;
}) {
	const iat = Math.floor(options.nowMs / 1000);
	return {
		sub: options.identityId,
		aud: options.poolId,
		iss: options.issuer,
		poolArn: identityPoolArn(options.region, options.accountId, options.poolId),
		iat,
		exp: iat + options.lifetimeSeconds,
	};
}
