/**
 * @module errors/protocol-errors
 * Errors that the real service answers but that are not part of the Cognito Identity model:
 * the common AWS JSON protocol and SigV4 errors. They are kept apart from the modeled ones
 * so that it is clear they come from the wire layer, not from an operation.
 */
import { ServiceError } from "./service-errors.ts";

function defineProtocolError<const T extends string>(
	type: T,
	statusCode = 400,
) {
	return class extends ServiceError {
		readonly type = type;
		static readonly type = type;
		override readonly statusCode = statusCode;
	};
}

/** A constraint of the model was violated (docs/behaviour.md#validation). */
export const ValidationException = defineProtocolError("ValidationException");
/** The body is not a JSON object, or a member has the wrong JSON type (docs/behaviour.md#validation). */
export const SerializationException = defineProtocolError(
	"SerializationException",
);
/** The body is larger than the server reads (docs/behaviour.md#wire-protocol): answered with HTTP 413. */
export const RequestTooLargeException = class extends ServiceError {
	readonly type = "SerializationException";
	override readonly statusCode = 413;
};
/** Missing or unknown `X-Amz-Target` (docs/behaviour.md#wire-protocol). */
export const UnknownOperationException = defineProtocolError(
	"UnknownOperationException",
);
/** A signed operation called without an `Authorization` header (docs/behaviour.md#authentication). */
export const MissingAuthenticationTokenException = defineProtocolError(
	"MissingAuthenticationTokenException",
);
/** A malformed SigV4 `Authorization` header (docs/behaviour.md#authentication). */
export const IncompleteSignatureException = defineProtocolError(
	"IncompleteSignatureException",
);
/** The access key id is not known to this server (docs/behaviour.md#authentication). */
export const UnrecognizedClientException = defineProtocolError(
	"UnrecognizedClientException",
);
/** The signature does not match, or the request time is out of the allowed skew (docs/behaviour.md#authentication). */
export const InvalidSignatureException = defineProtocolError(
	"InvalidSignatureException",
);
/** Temporary credentials presented after their expiration (the STS endpoint's `ExpiredToken`). */
export const ExpiredTokenException = defineProtocolError(
	"ExpiredTokenException",
	403,
);
/** A request that is not valid HTTP/1.1, or has no `Host` (docs/behaviour.md#connections). */
export const BadRequestException = defineProtocolError("BadRequestException");
/** The request's headers are larger than the server reads (docs/behaviour.md#connections): HTTP 431. */
export const RequestHeaderFieldsTooLargeException = defineProtocolError(
	"RequestHeaderFieldsTooLargeException",
	431,
);
/** The request did not arrive within the server's time limit (docs/behaviour.md#connections): HTTP 408. */
export const RequestTimeoutException = defineProtocolError(
	"RequestTimeoutException",
	408,
);
