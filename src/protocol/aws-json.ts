/**
 * @module protocol/aws-json
 * AWS JSON 1.1, the protocol of Cognito Identity ({@link awsJson}): the operation is named by
 * `X-Amz-Target`, the input is a JSON object validated against the model, the result is
 * compact JSON with timestamps as epoch seconds, and errors travel in the
 * `{"__type","message"}` envelope with `x-amzn-ErrorType`. Its steps are small named
 * functions ({@link checkContentType}, {@link decodeBody}, {@link encodeResult},
 * {@link encodeError}) that the protocol object composes. Nothing here knows Fastify.
 */
import { isUtf8 } from "node:buffer";
import {
	SerializationException,
	UnknownOperationException,
} from "../errors/protocol-errors.ts";
import {
	InternalErrorException,
	ServiceError,
} from "../errors/service-errors.ts";
import {
	type OperationName,
	OUTPUT_HAS_TIMESTAMPS,
} from "../model/model.generated.ts";
import { headerValue, type Protocol } from "./protocol.ts";
import { validateInput } from "./validation.ts";

/** The content type of every answer. */
const JSON_11 = "application/x-amz-json-1.1";

/**
 * Headers a browser may read from an answer (docs/behaviour.md#cors, observed on AWS): the
 * SDKs read the request id, the error's type and message, and the date (to correct a skewed
 * clock).
 */
export const EXPOSED_HEADERS = [
	"x-amzn-RequestId",
	"x-amzn-ErrorType",
	"x-amzn-ErrorMessage",
	"Date",
];

/** The charsets a JSON body may declare: UTF-8, under either of its names. */
const UTF_8 = new Set(["utf-8", "utf8"]);

/** Whether the parameters of a content type leave the body UTF-8: no charset, or UTF-8. */
function declaresUtf8(parameters: readonly string[]): boolean {
	for (const parameter of parameters) {
		const eq = parameter.indexOf("=");
		const name = (eq < 0 ? parameter : parameter.slice(0, eq))
			.trim()
			.toLowerCase();
		if (name !== "charset") continue;
		const value = parameter
			.slice(eq + 1)
			.trim()
			.replace(/^"(.*)"$/, "$1")
			.toLowerCase();
		if (!UTF_8.has(value)) return false;
	}
	return true;
}

/**
 * Accepts `application/x-amz-json-1.1` and `application/json` (docs/behaviour.md#wire-protocol),
 * with or without parameters, and a missing content type (some clients send none). A
 * charset, if declared, must be UTF-8 (in any case, quoted or not): JSON bodies are read as
 * UTF-8, so a body declared in another charset would be read as something it is not.
 * @throws SerializationException for any other content type or charset.
 */
function checkContentType(header: string | undefined): void {
	if (header === undefined) return;
	const [type = "", ...parameters] = header.split(";");
	const mediaType = type.trim().toLowerCase();
	if (
		(mediaType !== JSON_11 && mediaType !== "application/json") ||
		!declaresUtf8(parameters)
	) {
		throw new SerializationException(
			`Unsupported content type: ${printable(header.trim())}`,
		);
	}
}

/**
 * Decodes the body: a JSON object, or `{}` for an empty body. The bytes must be UTF-8: a
 * byte sequence that is not is refused, never read with replacement characters (two
 * different bodies would then mean the same strings).
 * @throws SerializationException when the body is not UTF-8, not JSON, or not a JSON object.
 */
function decodeBody(body: Buffer | undefined): unknown {
	if (!body || body.length === 0) return {};
	if (!isUtf8(body)) {
		throw new SerializationException(
			"Malformed JSON: the request body is not valid UTF-8.",
		);
	}
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

/** Writes a `Date` as a JSON number of epoch seconds (a JSON.stringify replacer). */
function epochSeconds(
	this: Record<string, unknown>,
	key: string,
	value: unknown,
) {
	const raw = this[key];
	return raw instanceof Date ? raw.getTime() / 1000 : value;
}

/**
 * Serialises a result. Handlers answer timestamps as `Date`s; they travel as epoch seconds.
 * The replacer runs only for the operations whose output has timestamps.
 */
export function encodeResult(operation: string, result: unknown): string {
	return OUTPUT_HAS_TIMESTAMPS.has(operation as OperationName)
		? JSON.stringify(result ?? {}, epochSeconds)
		: JSON.stringify(result ?? {});
}

/** The parts of an error answer. */
export interface EncodedError {
	statusCode: number;
	headers: Record<string, string>;
	body: string;
	/** The error as a ServiceError (unknown errors become InternalErrorException). */
	error: ServiceError;
}

/** What may travel in `x-amzn-ErrorMessage` (docs/behaviour.md#errors): short printable ASCII only. */
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

const SHORT_PREFIX = "AWSCognitoIdentityService";
const LONG_PREFIX =
	"com.amazonaws.cognito.identity.model.AWSCognitoIdentityService";

/** What framing keeps of a request for the later steps. */
interface JsonPayload {
	target: string;
	contentType: string | undefined;
	body: Buffer;
}

/**
 * The Cognito Identity protocol. The target may take the short form
 * `AWSCognitoIdentityService.<Op>` or the legacy long form
 * `com.amazonaws.cognito.identity.model.AWSCognitoIdentityService.<Op>`; a missing target, or
 * one that names no operation, is UnknownOperationException (docs/behaviour.md).
 */
export const awsJson: Protocol = {
	service: "cognito-identity",
	frame(request) {
		const target = headerValue(request.headers, "x-amz-target");
		if (!target)
			throw new UnknownOperationException("Missing X-Amz-Target header.");
		const dot = target.lastIndexOf(".");
		const prefix = dot < 0 ? "" : target.slice(0, dot);
		if (prefix !== SHORT_PREFIX && prefix !== LONG_PREFIX) {
			throw unknownTarget(target);
		}
		const payload: JsonPayload = {
			target,
			contentType: headerValue(request.headers, "content-type"),
			body: request.body,
		};
		return { operation: target.slice(dot + 1), payload };
	},
	unknownOperation(framed) {
		return unknownTarget((framed.payload as JsonPayload).target);
	},
	admit(framed) {
		checkContentType((framed.payload as JsonPayload).contentType);
	},
	decode(framed) {
		const payload = framed.payload as JsonPayload;
		return validateInput(
			framed.operation as OperationName,
			decodeBody(payload.body),
		);
	},
	encodeResult(operation, result, requestId) {
		return {
			statusCode: 200,
			headers: { "content-type": JSON_11, "x-amzn-RequestId": requestId },
			body: Buffer.from(encodeResult(operation, result)),
		};
	},
	encodeError(error, requestId) {
		const encoded = encodeError(error);
		return {
			response: {
				statusCode: encoded.statusCode,
				headers: { ...encoded.headers, "x-amzn-RequestId": requestId },
				body: Buffer.from(encoded.body),
			},
			internal: encoded.error.fault === "server",
			errorType: encoded.error.type,
		};
	},
};

function unknownTarget(target: string): Error {
	return new UnknownOperationException(
		`Unknown operation: ${printable(target)}`,
	);
}
