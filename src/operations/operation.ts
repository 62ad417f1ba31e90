/**
 * @module operations/operation
 * What an operation is: a name, an auth mode and a handler that is a plain async function of
 * `(input, ctx)`. Handlers never see HTTP, the environment, globals or `Date.now()`: the
 * wire layer decodes and validates the input against the model before the handler runs, and
 * encodes what it returns. Wire types come from the official SDK (type-only imports).
 */

import type { CredentialsProvider } from "../credentials/provider.ts";
import type { LoginVerifier } from "../federation/verifier.ts";
import type { Clock } from "../lib/clock.ts";
import type { Logger } from "../lib/logger.ts";
import type { Store } from "../store/store.ts";
import type { TokenIssuer } from "../tokens/tokens.ts";

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
}

/** Who is calling. Signed operations know the account and region from the signature. */
export interface Caller {
	readonly accountId: string;
	readonly region: string;
	readonly accessKeyId: string;
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
	/** The `iss` of this server's tokens (DECISIONS 19). */
	readonly issuer: string;
	/** Verifies the tokens of `Logins` maps (public operations). */
	readonly logins: LoginVerifier;
	/** Issues AWS credentials (GetCredentialsForIdentity). */
	readonly credentials: CredentialsProvider;
	/** The verified caller of a signed operation; `undefined` for public operations. */
	readonly caller: Caller | undefined;
}

export type { Wire } from "../domain/wire.ts";

/** An operation handler. */
export type Handler<I, O> = (input: I, ctx: OperationContext) => Promise<O>;

/** An operation's descriptor. */
export interface Operation<I = never, O = unknown> {
	readonly name: string;
	/** `sigv4`: requires a valid signature; `none`: public (signed or unsigned, DECISIONS 6). */
	readonly auth: "sigv4" | "none";
	readonly handler: Handler<I, O>;
	/** False for a placeholder whose implementation has not landed (docs/operations.md). */
	readonly supported?: boolean;
}

/** Declares an operation. */
export function defineOperation<I, O>(op: Operation<I, O>): Operation<I, O> {
	return Object.freeze(op);
}

/** The caller of a signed operation (the wire layer guarantees one). */
export function signedCaller(ctx: OperationContext): Caller {
	if (!ctx.caller)
		throw new Error("signed operation called without a verified caller");
	return ctx.caller;
}
