/**
 * @module protocol/protocol
 * What a wire protocol is to the dispatcher: it recognises its requests, names the operation a
 * request calls (its framing: `X-Amz-Target` for AWS JSON 1.1, the `Action` parameter for the
 * AWS query protocol), decodes and validates the input once the caller is authenticated, and
 * encodes a result or an error in its own envelope. Nothing here knows Fastify: requests and
 * answers are plain values, so the same steps serve the HTTP server and the tests alike.
 */

import type { ServiceName } from "../operations/operation.ts";

/** A received request, as the HTTP layer hands it over (header names lower-cased). */
export interface RawRequest {
	readonly method: string;
	/** Path and query as received (`/`, `/?Action=...`). */
	readonly url: string;
	readonly headers: Readonly<Record<string, string | string[] | undefined>>;
	/** The body as received (SigV4 hashes these bytes). */
	readonly body: Buffer;
}

/** An answer to write. */
export interface RawResponse {
	statusCode: number;
	headers: Record<string, string>;
	body: Buffer;
}

/** A request read as far as the operation it names; `payload` is the protocol's own. */
export interface Framed {
	readonly operation: string;
	readonly payload: unknown;
}

/** An error answer, and whether it is the server's fault (the dispatcher logs those). */
export interface EncodedFailure {
	response: RawResponse;
	internal: boolean;
	/** The error's type or code as answered (`ResourceNotFoundException`, `ExpiredToken`). */
	errorType: string;
}

/** One wire protocol. */
export interface Protocol {
	/** The service it speaks for: the SigV4 signing name, and the registry's key. */
	readonly service: ServiceName;
	/**
	 * Reads the name of the operation a request calls (its framing alone: nothing is looked
	 * up). Throws the protocol's error when the request names none.
	 */
	frame(request: RawRequest): Framed;
	/** The protocol's error for a call that names no operation of its service. */
	unknownOperation(framed: Framed): Error;
	/**
	 * Checks what the protocol requires of a call to a known operation (the content type of
	 * AWS JSON 1.1, the API version of the query protocol).
	 */
	admit(framed: Framed): void;
	/** The input of `framed`'s operation, decoded and validated against its model. */
	decode(framed: Framed): unknown;
	/** The answer carrying `result`. */
	encodeResult(
		operation: string,
		result: unknown,
		requestId: string,
	): RawResponse;
	/** The answer carrying `error` (anything thrown); never throws. */
	encodeError(error: unknown, requestId: string): EncodedFailure;
}

/** The first value of a header (node joins repeated headers, or gives arrays for some). */
export function headerValue(
	headers: RawRequest["headers"],
	name: string,
): string | undefined {
	const value = headers[name];
	return Array.isArray(value) ? value[0] : value;
}
