/**
 * @module dispatch/dispatcher
 * The one path every call takes, Cognito Identity's and the STS endpoint's alike, free of
 * Fastify: protocol (AWS JSON 1.1 when the request names an `X-Amz-Target`, the AWS query
 * protocol for a form body without one) → framing (the operation's name) → one lookup in the
 * registry → authentication → rate quota → decode and validate → handler → encode. Whatever
 * is thrown on the way is answered in the protocol's error envelope; a fault of the server is
 * logged with the request id, and the caller gets a generic message. A concern that applies
 * to every call (metrics, request logs, quotas) is a step here, written once.
 */
import type { Authenticator } from "../auth/authenticator.ts";
import type { Logger } from "../lib/logger.ts";
import { findOperation } from "../operations/index.ts";
import type { OperationContext } from "../operations/operation.ts";
import { isQueryRequest } from "../protocol/aws-query.ts";
import type {
	Protocol,
	RawRequest,
	RawResponse,
} from "../protocol/protocol.ts";
import type { Throttle } from "./throttle.ts";

/** What a handler's context holds that is the same for every call of a server. */
export type ServerServices = Omit<
	OperationContext,
	"logger" | "requestId" | "caller" | "issuer" | "chargeQuota"
>;

export interface DispatcherOptions {
	/** Cognito Identity's protocol. */
	json: Protocol;
	/** The STS endpoint's protocol. */
	query: Protocol;
	authenticator: Authenticator;
	throttle: Throttle;
	services: ServerServices;
	/** The issuer of this server's tokens at the time of the call. */
	issuer: () => string;
	/**
	 * Told of every call once its answer is encoded (metrics, request logs, the console's
	 * live view). An observer must not throw and must not keep the record's caller secrets:
	 * the record holds none.
	 */
	observers?: readonly CallObserver[];
}

/** Who made a call, as a request log and the metrics say it: never a key or a token. */
export type CallerKind = "key" | "session" | "unsigned";

/** What an observer learns of one call. Nothing in it is secret. */
export interface CallRecord {
	/** `cognito-identity` or `sts`. */
	service: string;
	/**
	 * The operation called, when the request named one the registry knows; `undefined` for
	 * a request that named none or an unknown one.
	 */
	operation: string | undefined;
	statusCode: number;
	/** The error type answered (`ResourceNotFoundException`), `undefined` on success. */
	errorType: string | undefined;
	/** Whether the error was the server's own fault (logged as an internal error). */
	internal: boolean;
	requestId: string;
	/**
	 * The account the call counted against: the signing key's, or for a public call the
	 * owner of the pool it concerned once that was found.
	 */
	accountId: string | undefined;
	/** The region of the signature's credential scope (signed calls only). */
	region: string | undefined;
	callerKind: CallerKind;
	/** From the dispatcher receiving the request to its answer being encoded. */
	durationSeconds: number;
}

export type CallObserver = (record: CallRecord) => void;

/** What the HTTP layer passes along with a request. */
export interface CallMeta {
	requestId: string;
	/** The request's logger. */
	log: Logger;
}

/** Answers one call; never throws. */
export type Dispatcher = (
	request: RawRequest,
	meta: CallMeta,
) => Promise<RawResponse>;

const alreadyCharged = () => {};

/** What the dispatcher learns of a call on its way, for its observers. */
interface Seen {
	operation: string | undefined;
	accountId: string | undefined;
	region: string | undefined;
	callerKind: CallerKind;
}

/** The dispatcher of one server. */
export function createDispatcher(options: DispatcherOptions): Dispatcher {
	const { authenticator, throttle, services } = options;

	const protocolOf = (request: RawRequest): Protocol =>
		isQueryRequest(request) ? options.query : options.json;

	const observers = options.observers ?? [];

	const call = async (
		protocol: Protocol,
		request: RawRequest,
		meta: CallMeta,
		seen: Seen,
	): Promise<RawResponse> => {
		const framed = protocol.frame(request);
		const op = findOperation(protocol.service, framed.operation);
		if (!op) throw protocol.unknownOperation(framed);
		seen.operation = op.name;
		protocol.admit(framed);
		const caller = await authenticator.authenticate(
			request,
			protocol.service,
			op.auth,
		);
		// A signed call counts against its caller's account; a public one against the owner of
		// the pool it concerns, once the handler has found it.
		if (caller) {
			seen.accountId = caller.accountId;
			seen.region = caller.region;
			seen.callerKind = caller.kind;
			throttle.take(op.name, caller.accountId);
		}
		const input = protocol.decode(framed);
		const ctx: OperationContext = {
			...services,
			logger: meta.log,
			requestId: meta.requestId,
			caller,
			issuer: options.issuer(),
			chargeQuota: caller
				? alreadyCharged
				: (accountId) => {
						seen.accountId = accountId;
						throttle.take(op.name, accountId);
					},
		};
		const result = await op.handler(input as never, ctx);
		return protocol.encodeResult(op.name, result, meta.requestId);
	};

	const tell = (
		protocol: Protocol,
		seen: Seen,
		meta: CallMeta,
		started: number,
		statusCode: number,
		errorType: string | undefined,
		internal: boolean,
	) => {
		if (observers.length === 0) return;
		const record: CallRecord = {
			service: protocol.service,
			...seen,
			statusCode,
			errorType,
			internal,
			requestId: meta.requestId,
			durationSeconds: (performance.now() - started) / 1000,
		};
		for (const observe of observers) observe(record);
	};

	return async (request, meta) => {
		const started = performance.now();
		const protocol = protocolOf(request);
		const seen: Seen = {
			operation: undefined,
			accountId: undefined,
			region: undefined,
			callerKind: "unsigned",
		};
		try {
			const response = await call(protocol, request, meta, seen);
			tell(
				protocol,
				seen,
				meta,
				started,
				response.statusCode,
				undefined,
				false,
			);
			return response;
		} catch (err) {
			const failure = protocol.encodeError(err, meta.requestId);
			if (failure.internal) {
				meta.log.error({ err, requestId: meta.requestId }, "internal error");
			}
			tell(
				protocol,
				seen,
				meta,
				started,
				failure.response.statusCode,
				failure.errorType,
				failure.internal,
			);
			return failure.response;
		}
	};
}
