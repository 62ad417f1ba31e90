/**
 * @module lib/metrics
 * The metrics port: what the parts of a server tell about their work (a token signed, a
 * group committed, a provider's keys fetched, ...), free of any metrics library. The
 * composition root hands each part the server's {@link Metrics} (`metrics/prometheus.ts`
 * when `--metrics` is on) or {@link noMetrics}; the names and labels they become are in
 * docs/operating.md#metrics. Every argument is from a small fixed set or a number: never an
 * id, a name or anything a caller chose, so no series can multiply without bound.
 */

/** What a federation fetch asked a provider for. */
export type FederationDocument = "jwks" | "discovery" | "api";

/** Why a store transaction was run again. */
export type RetryReason =
	| "serialization_failure"
	| "deadlock"
	| "unique_violation"
	| "stale_connection";

/**
 * Why the HTTP layer refused a request before it could be routed: not valid HTTP/1.1, too
 * slow to arrive, headers too large, or a connection beyond `--max-connections`.
 */
export type HttpRefusal =
	| "malformed"
	| "timeout"
	| "headers_too_large"
	| "connection_limit";

/** Every {@link HttpRefusal}, for series that exist from the start. */
export const HTTP_REFUSALS: readonly HttpRefusal[] = [
	"malformed",
	"timeout",
	"headers_too_large",
	"connection_limit",
];

/** What the parts of one server tell about their work. Methods must not throw. */
export interface Metrics {
	/** A token signed with this server's key (`alg`, e.g. `RS512`), in `seconds`. */
	tokenSigned(alg: string, seconds: number): void;
	/** A store method (one transaction) answered after `seconds`; `method` is `pools.get`, ... */
	storeTransaction(method: string, seconds: number): void;
	/** A store transaction was run again from its start. */
	storeRetry(reason: RetryReason): void;
	/** The SQLite store committed a group of `size` identity changes in one transaction. */
	groupCommit(size: number): void;
	/** A new identity was committed. */
	identityCreated(authenticated: boolean): void;
	/** `count` identities of deleted pools were removed (one batch of the purger). */
	identitiesPurged(count: number): void;
	/** The purger found `count` deleted pools whose identities are not all removed yet. */
	poolsAwaitingPurge(count: number): void;
	/**
	 * A login verifier of `kind` (`oidc`, `google`, `facebook`, ...) asked a provider for a
	 * document, for `seconds`; `ok` is false when the provider could not be reached or gave
	 * no usable answer.
	 */
	federationFetch(
		kind: string,
		document: FederationDocument,
		ok: boolean,
		seconds: number,
	): void;
	/** AWS credentials issued by the `provider` (`local` or `sts`). */
	credentialsIssued(provider: string): void;
	/** A call of `operation` was refused by the rate quota (TooManyRequestsException). */
	throttled(operation: string): void;
	/**
	 * The HTTP layer answered a request itself, not the dispatcher: `route` is the pattern of
	 * the route that answered (`/.well-known/jwks_uri`, `/console/*`), or `unmatched` for a
	 * path no route has; `status` the HTTP status.
	 */
	httpAnswered(route: string, status: number): void;
	/** The HTTP layer refused a request (or a connection) before it could be routed. */
	httpRefused(reason: HttpRefusal): void;
}

const ignore = () => {};

/** The metrics of a server with `--metrics off`: nothing is counted. */
export const noMetrics: Metrics = Object.freeze({
	tokenSigned: ignore,
	storeTransaction: ignore,
	storeRetry: ignore,
	groupCommit: ignore,
	identityCreated: ignore,
	identitiesPurged: ignore,
	poolsAwaitingPurge: ignore,
	federationFetch: ignore,
	credentialsIssued: ignore,
	throttled: ignore,
	httpAnswered: ignore,
	httpRefused: ignore,
});
