/**
 * @module operations/operation
 * What an operation is: a name, an auth mode and a handler that is a plain async function of
 * `(input, ctx)`. Handlers never see HTTP, the environment, globals or `Date.now()`: the
 * wire layer decodes and validates the input against the model before the handler runs, and
 * encodes what it returns. Wire types come from the official SDK (type-only imports).
 */

import type { CredentialsProvider } from "../credentials/provider.ts";
import type { IssuedCredentialRecord } from "../domain/records.ts";
import type { CrossAccountTrust } from "../domain/sts-roles.ts";
import type { LoginVerifier } from "../federation/verifier.ts";
import type { Clock } from "../lib/clock.ts";
import type { InFlight } from "../lib/in-flight.ts";
import type { Logger } from "../lib/logger.ts";
import type { OperationName } from "../model/model.generated.ts";
import type {
	OperationInput,
	OperationOutput,
} from "../model/types.generated.ts";
import type { Store } from "../store/store.ts";
import type { TokenIssuer } from "../tokens/tokens.ts";
import type { WebIdentityVerifier } from "../tokens/web-identity.ts";

/** The services idpool answers: Cognito Identity, and its STS-compatible endpoint. */
export type ServiceName = "cognito-identity" | "sts";

/**
 * How a call must be authenticated: `none`, public (signed or not, the signature is not
 * checked); `sigv4`, signed with one of the server's access keys; `sigv4-session`, signed with
 * one of the server's access keys or with credentials the server issued (with their session
 * token).
 */
export type AuthMode = "none" | "sigv4" | "sigv4-session";

/** The server settings an operation may read. */
export interface OperationSettings {
	readonly maxPools: number;
	readonly maxTags: number;
	readonly maxUserPoolProviders: number;
	/** Linked logins per identity (AWS quota: 20). */
	readonly maxLogins: number;
	/** Providers with a role mapping per pool (AWS quota: 10, also the API's limit). */
	readonly maxRoleMappings: number;
	/** Rules per role mapping (AWS quota: 25; the API allows up to 400). */
	readonly maxMappingRules: number;
	/** Roles of other accounts that pools may use (docs/behaviour.md#credentials). */
	readonly crossAccountRoles: readonly CrossAccountTrust[];
}

/** Who is calling. Signed operations know the account and region from the signature. */
export interface Caller {
	readonly accountId: string;
	readonly region: string;
	readonly accessKeyId: string;
	/** `key`: one of the server's access keys; `session`: credentials the server issued. */
	readonly kind: "key" | "session";
	/** The issued credentials, for a `session` caller. */
	readonly session?: IssuedCredentialRecord;
}

/** Everything a handler may use. */
export interface OperationContext {
	readonly store: Store;
	readonly clock: Clock;
	readonly settings: OperationSettings;
	readonly logger: Logger;
	readonly requestId: string;
	/** Mints this server's OpenID tokens. */
	readonly tokens: TokenIssuer;
	/** The `iss` of this server's tokens (docs/behaviour.md#issuer). */
	readonly issuer: string;
	/** Verifies the tokens of `Logins` maps (public operations). */
	readonly logins: LoginVerifier;
	/** Issues AWS credentials (GetCredentialsForIdentity): the configured provider. */
	readonly credentials: CredentialsProvider;
	/**
	 * Issues and records credentials of this server, whatever provider GetCredentialsForIdentity
	 * uses: the STS endpoint is the STS that knows them.
	 */
	readonly localCredentials: CredentialsProvider;
	/** Checks a web identity token presented to the STS endpoint (a token of this server). */
	readonly verifyWebIdentity: WebIdentityVerifier;
	/**
	 * The first logins of developer users that this server is registering, by pool and login:
	 * a concurrent first call for the same user waits for the identity the first one commits
	 * rather than sign a token for an identity of its own that would lose
	 * (get-open-id-token-for-developer-identity.ts).
	 */
	readonly firstLogins: InFlight<string>;
	/** The verified caller of a signed operation; `undefined` for public operations. */
	readonly caller: Caller | undefined;
	/**
	 * Counts this call against the rate quota of `accountId`, the owner of the pool it concerns
	 * (docs/behaviour.md#quotas). A public operation calls it once it has found the pool (the
	 * lookups of `lookups.ts` do); a signed one was counted against its caller's account before
	 * its handler ran, and calling it does nothing.
	 * @throws TooManyRequestsException over the quota
	 */
	readonly chargeQuota: (accountId: string) => void;
}

/** An operation handler. */
export type Handler<I, O> = (input: I, ctx: OperationContext) => Promise<O>;

/** An operation's descriptor. */
export interface Operation<I = never, O = unknown> {
	readonly name: string;
	/** The service the operation belongs to (and so the protocol that carries it). */
	readonly service: ServiceName;
	readonly auth: AuthMode;
	readonly handler: Handler<I, O>;
}

/**
 * Declares an operation of Cognito Identity. Its input and output types follow from its name
 * (generated from the model), so a misspelt name does not compile.
 */
export function defineOperation<N extends OperationName>(op: {
	name: N;
	auth: AuthMode;
	handler: Handler<OperationInput<N>, OperationOutput<N>>;
}): Operation<OperationInput<N>, OperationOutput<N>> {
	return Object.freeze({ ...op, service: "cognito-identity" });
}

/** The actions of the STS-compatible endpoint. */
export type StsActionName = "AssumeRoleWithWebIdentity" | "GetCallerIdentity";

/** Declares an action of the STS-compatible endpoint. */
export function defineStsAction<I, O>(op: {
	name: StsActionName;
	auth: AuthMode;
	handler: Handler<I, O>;
}): Operation<I, O> {
	return Object.freeze({ ...op, service: "sts" });
}

/** The caller of a signed operation (the wire layer guarantees one). */
export function signedCaller(ctx: Pick<OperationContext, "caller">): Caller {
	if (!ctx.caller)
		throw new Error("signed operation called without a verified caller");
	return ctx.caller;
}
