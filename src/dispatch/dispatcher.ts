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
}

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

/** The dispatcher of one server. */
export function createDispatcher(options: DispatcherOptions): Dispatcher {
	const { authenticator, throttle, services } = options;

	const protocolOf = (request: RawRequest): Protocol =>
		isQueryRequest(request) ? options.query : options.json;

	const call = async (
		protocol: Protocol,
		request: RawRequest,
		meta: CallMeta,
	): Promise<RawResponse> => {
		const framed = protocol.frame(request);
		const op = findOperation(protocol.service, framed.operation);
		if (!op) throw protocol.unknownOperation(framed);
		protocol.admit(framed);
		const caller = await authenticator.authenticate(
			request,
			protocol.service,
			op.auth,
		);
		// A signed call counts against its caller's account; a public one against the owner of
		// the pool it concerns, once the handler has found it.
		if (caller) throttle.take(op.name, caller.accountId);
		const input = protocol.decode(framed);
		const ctx: OperationContext = {
			...services,
			logger: meta.log,
			requestId: meta.requestId,
			caller,
			issuer: options.issuer(),
			chargeQuota: caller
				? alreadyCharged
				: (accountId) => throttle.take(op.name, accountId),
		};
		const result = await op.handler(input as never, ctx);
		return protocol.encodeResult(op.name, result, meta.requestId);
	};

	return async (request, meta) => {
		const protocol = protocolOf(request);
		try {
			return await call(protocol, request, meta);
		} catch (err) {
			const failure = protocol.encodeError(err, meta.requestId);
			if (failure.internal) {
				meta.log.error({ err, requestId: meta.requestId }, "internal error");
			}
			return failure.response;
		}
	};
}
