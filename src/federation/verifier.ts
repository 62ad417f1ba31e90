/**
 * @module federation/verifier
 * The contract between the public operations and login validation: every entry of a
 * `Logins` map is verified by a {@link LoginVerifier} against the pool's configuration
 * (docs/behaviour.md#federation, docs/behaviour.md#issuer and docs/behaviour.md#amr) before any identity is looked up or linked. An entry
 * that fails answers the AWS error of the reference (NotAuthorizedException with the
 * observed message, or ExternalServiceException when the provider cannot be reached in
 * time); "if any of the tokens fail, the whole call fails".
 */
import type { PoolRecord } from "../domain/records.ts";

/** A login whose token was verified. */
export interface VerifiedLogin {
	/** The `Logins` key it came under. */
	provider: string;
	/**
	 * `external`: a login of a provider configured on the pool, to be linked to an identity.
	 * `cognito`: a token this server issued (docs/behaviour.md#issuer), proving the identity `subject`.
	 */
	kind: "external" | "cognito";
	/** The provider's user (the token's `sub`, or the provider's user id); for `cognito`, the identity id. */
	subject: string;
	/** The token's claims (or the provider's answer), for role mappings and principal tags. */
	claims: Record<string, unknown>;
	/** What this login adds to a token's `amr` after "authenticated" (docs/behaviour.md#amr). */
	amr: string[];
}

/** What a caller allows. */
export interface VerifyOptions {
	/**
	 * Whether this server's own tokens are accepted (GetCredentialsForIdentity only); where
	 * they are not, they answer `Invalid login token. Can't pass in a Cognito token.`
	 */
	allowCognitoTokens: boolean;
}

/** Verifies the logins of a call. */
export interface LoginVerifier {
	/**
	 * Verifies every entry of `logins` for `pool`, concurrently; answers them in the order
	 * of the map.
	 * @throws NotAuthorizedException, ExternalServiceException
	 */
	verifyAll(
		pool: PoolRecord,
		logins: Record<string, string>,
		options: VerifyOptions,
	): Promise<VerifiedLogin[]>;
}
