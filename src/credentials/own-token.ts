/**
 * @module credentials/own-token
 * The identity's own OpenID token that the *sts* provider presents to STS as its
 * `WebIdentityToken` (docs/behaviour.md#credentials), as Cognito Identity does on AWS: this server's issuer,
 * `sub` the identity, `aud` the pool (the client id of the IAM OIDC provider), the `amr`
 * role trust policies condition on, and the session tags in the `https://aws.amazon.com/tags`
 * claim. It is short-lived: STS checks it once, at once.
 */
import { tokenFrame } from "../domain/tokens.ts";
import type { Clock } from "../lib/clock.ts";
import type { IdentityRepository } from "../store/store.ts";
import type { TokenIssuer } from "../tokens/tokens.ts";
import type { CredentialRequest } from "./provider.ts";

/** How long the token presented to STS is valid (as GetOpenIdToken's). */
const STS_TOKEN_SECONDS = 600;

export interface OwnTokenMinterOptions {
	tokens: Pick<TokenIssuer, "mint">;
	/** This server's issuer (`iss`), without a trailing slash. */
	issuer: () => string;
	clock: Clock;
	/**
	 * Where a request without `amr` finds the identity, to derive one: `["authenticated",
	 * <provider of each linked login>]` for an identity with logins, else
	 * `["unauthenticated"]`. Without it such a request is minted `["authenticated"]`.
	 */
	identities?: Pick<IdentityRepository, "get">;
}

/** A `mintToken` for `stsCredentialsProvider`. */
export function ownTokenMinter(
	options: OwnTokenMinterOptions,
): (request: CredentialRequest) => Promise<string> {
	const amrOf = async (request: CredentialRequest): Promise<string[]> => {
		if (request.amr) return request.amr;
		const identity = await options.identities?.get(request.identityId);
		if (!identity) return ["authenticated"];
		if (!identity.authenticated || identity.logins.length === 0) {
			return ["unauthenticated"];
		}
		return [
			"authenticated",
			...new Set(identity.logins.map((login) => login.provider)),
		];
	};
	return async (request) =>
		options.tokens.mint({
			...tokenFrame({
				identityId: request.identityId,
				poolId: request.poolId,
				region: request.region,
				accountId: request.accountId,
				issuer: options.issuer(),
				nowMs: options.clock.now(),
				lifetimeSeconds: STS_TOKEN_SECONDS,
			}),
			amr: await amrOf(request),
			principalTags: request.principalTags,
		});
}
