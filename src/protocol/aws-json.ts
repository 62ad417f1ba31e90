/**
 * @module protocol/aws-json
 * The awsJson1_1 wire steps, each a small named function the server composes in order:
 * {@link parseTarget} (which operation), {@link checkContentType}, {@link decodeBody} (JSON
 * object or SerializationException), {@link encodeResult} and {@link encodeError} (the
 * `{"__type","message"}` envelope and its headers). Nothing here knows Fastify.
 */
import {
	SerializationException,
	UnknownOperationException,
} from "../errors/protocol-errors.ts";
import {
	InternalErrorException,
	ServiceError,
} from "../errors/service-errors.ts";

/** The content type of every answer. */
export const JSON_11 = "application/x-amz-json-1.1";

/** Headers a browser may read from an answer (reference §1.2, observed on AWS). */
export const EXPOSED_HEADERS = [
	"x-amzn-RequestId",
	"x-amzn-ErrorType",
	"x-amzn-ErrorMessage",
	"Date",
];

/** Headers a browser SDK sends (reference §1.2). */
export const ALLOWED_HEADERS = [
	"content-type",
	"x-amz-target",
	"x-amz-date",
	"authorization",
	"x-amz-security-token",
	"x-amz-user-agent",
	"x-amz-content-sha256",
	"amz-sdk-invocation-id",
	"amz-sdk-request",
];

/**
 * The operation named by `X-Amz-Target`. Accepts the short form
 * `AWSCognitoIdentityService.<Op>` and the legacy long form
 * `com.amazonaws.cognito.identity.model.AWSCognitoIdentityService.<Op>` (DECISIONS 3).
 * @throws UnknownOperationException when the header is missing or names no operation.
 */
export function parseTarget(
	header: string | string[] | undefined,
	isOperation: (name: string) => boolean,
): string {
	const target = Array.isArray(header) ? header[0] : header;
	if (!target)
		throw new UnknownOperationException("Missing X-Amz-Target header.");
	const dot = target.lastIndexOf(".");
	const prefix = dot < 0 ? "" : target.slice(0, dot);
	const name = target.slice(dot + 1);
	const knownPrefix =
		prefix === "AWSCognitoIdentityService" ||
		prefix === "com.amazonaws.cognito.identity.model.AWSCognitoIdentityService";
	if (!knownPrefix || !isOperation(name)) {
		throw new UnknownOperationException(
			`Unknown operation: ${printable(target)}`,
		);
	}
	return name;
}

/**
 * Accepts `application/x-amz-json-1.1` and `application/json` (DECISIONS 3), with or without
 * parameters such as a charset, and a missing content type (some clients send none).
 * @throws SerializationException for any other content type.
 */
export function checkContentType(header: string | undefined): void {
	if (header === undefined) return;
	const type = header.split(";")[0]?.trim().toLowerCase();
	if (type !== JSON_11 && type !== "application/json") {
		throw new SerializationException(
			`Unsupported content type: ${printable(type ?? "")}`,
		);
	}
}

/**
 * Decodes the body: a JSON object, or `{}` for an empty body.
 * @throws SerializationException when the body is not JSON or not a JSON object.
 */
export function decodeBody(body: Buffer | undefined): unknown {
	if (!body || body.length === 0) return {};
	let value: unknown;
	try {
		value = JSON.parse(body.toString("utf8"));
	} catch {
		throw new SerializationException(
			"Malformed JSON: the request body could not be parsed.",
		);
	}
	if (value === null || typeof value !== "object") {
		throw new SerializationException("The request body must be a JSON object.");
	}
	if (Array.isArray(value)) {
		throw new SerializationException("Start of list found where not expected");
	}
	return value;
}

/** Serialises a result (handlers already give timestamps as epoch seconds). */
export function encodeResult(result: unknown): string {
	return JSON.stringify(result ?? {});
}

/** The parts of an error answer. */
export interface EncodedError {
	statusCode: number;
	headers: Record<string, string>;
	body: string;
	/** The error as a ServiceError (unknown errors become InternalErrorException). */
	error: ServiceError;
}

/** What may travel in `x-amzn-ErrorMessage` (DECISIONS 1): short printable ASCII only. */
function headerSafe(message: string): boolean {
	return message.length <= 1024 && /^[\x20-\x7e]*$/.test(message);
}

/** Replaces anything but printable ASCII, so echoed input cannot forge text. */
function printable(text: string): string {
	return text.slice(0, 256).replace(/[^\x20-\x7e]/g, "?");
}

/**
 * The error envelope: `{"__type":"<Name>","message":"..."}` with `x-amzn-ErrorType` and,
 * when safe, `x-amzn-ErrorMessage`. An error that is not a ServiceError is answered as
 * InternalErrorException with a generic message: its details are for the log only.
 */
export function encodeError(err: unknown): EncodedError {
	const error =
		err instanceof ServiceError
			? err
			: new InternalErrorException(
					"An internal error occurred. Try again later.",
					{ cause: err },
				);
	const headers: Record<string, string> = {
		"content-type": JSON_11,
		"x-amzn-errortype": `${error.type}:`,
	};
	if (headerSafe(error.message)) headers["x-amzn-errormessage"] = error.message;
	return {
		statusCode: error.statusCode,
		headers,
		body: JSON.stringify({ __type: error.type, message: error.message }),
		error,
	};
}
