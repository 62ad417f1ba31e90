/**
 * @module protocol/aws-query
 * The AWS query protocol, as STS speaks it ({@link awsQuery}): `POST /` with a form body
 * (`Action=...&Version=2011-06-15&...`; parameters of the query string are read too, and the
 * first value of a name wins), answered in STS's XML. Framing reads `Action`; once the
 * registry has answered, `Version` must be STS's; the input is checked against the STS
 * model's constraints with Coral's wording (`N validation error(s) detected: ...`, sensitive
 * values redacted, a NUL refused as in JSON inputs); results are written as `<ActionResponse><ActionResult>...` in the order
 * of their members, timestamps as ISO 8601 to the second; errors travel in STS's
 * `<ErrorResponse>` with its codes and HTTP statuses (authentication failures 403, most
 * others 400, `InternalFailure` 500). See docs/behaviour.md, "The STS-compatible endpoint".
 */
import {
	ExpiredTokenException,
	IncompleteSignatureException,
	InvalidSignatureException,
	MissingAuthenticationTokenException,
	UnrecognizedClientException,
} from "../errors/protocol-errors.ts";
import { TooManyRequestsException } from "../errors/service-errors.ts";
import {
	EXPIRED_SECURITY_TOKEN,
	INVALID_CLIENT_TOKEN,
	MISSING_AUTHENTICATION_TOKEN,
	StsError,
	validationError,
} from "../errors/sts-errors.ts";
import { characterProblem } from "../lib/storable.ts";
import { element, STS_NAMESPACE, STS_VERSION } from "../lib/xml.ts";
import type { Protocol, RawRequest, RawResponse } from "./protocol.ts";

/** The form content type of query-protocol requests. */
const FORM = "application/x-www-form-urlencoded";

/** STS actions that exist but that idpool does not implement (answered with a clear refusal). */
const OTHER_STS_ACTIONS = new Set([
	"AssumeRole",
	"AssumeRoleWithSAML",
	"AssumeRoot",
	"DecodeAuthorizationMessage",
	"GetAccessKeyInfo",
	"GetDelegatedAccessToken",
	"GetFederationToken",
	"GetSessionToken",
	"GetWebIdentityToken",
]);

/**
 * Whether a request without `X-Amz-Target` is a query-protocol one: a form-encoded body.
 * (A Cognito Identity request always carries its target.)
 */
export function isQueryRequest(request: Pick<RawRequest, "headers">): boolean {
	if (request.headers["x-amz-target"] !== undefined) return false;
	const raw = request.headers["content-type"];
	const contentType = (Array.isArray(raw) ? raw[0] : raw) ?? "";
	return contentType.trim().toLowerCase().startsWith(FORM);
}

/** The query string's parameters, then the form body's (the first value of a name wins). */
function readParams(request: RawRequest): Map<string, string> {
	const params = new Map<string, string>();
	const add = (search: URLSearchParams) => {
		for (const [name, value] of search) {
			if (!params.has(name)) params.set(name, value);
		}
	};
	const q = request.url.indexOf("?");
	if (q !== -1) add(new URLSearchParams(request.url.slice(q + 1)));
	if (request.body.length > 0) {
		add(new URLSearchParams(request.body.toString("utf8")));
	}
	return params;
}

// --- Inputs ----------------------------------------------------------------------------

/** A parameter of an STS input, with the constraints of the STS model. */
interface ParamSpec {
	/** The parameter's name on the wire (and in the decoded input). */
	name: string;
	/** The member's name in validation messages (lower camel case, as Coral writes it). */
	member: string;
	required?: boolean;
	/** `integer`: the text must be a whole number; `min`/`max` bound its value. */
	type?: "integer";
	min?: number;
	max?: number;
	pattern?: { regex: RegExp; text: string };
	/** Never echoed in messages. */
	sensitive?: boolean;
}

/** The inputs of the STS actions idpool answers, in the order Coral reports violations. */
const STS_INPUTS: Readonly<Record<string, readonly ParamSpec[]>> = {
	AssumeRoleWithWebIdentity: [
		{ name: "RoleArn", member: "roleArn", required: true, min: 20, max: 2048 },
		{
			name: "RoleSessionName",
			member: "roleSessionName",
			required: true,
			min: 2,
			max: 64,
			pattern: { regex: /^[\w+=,.@-]*$/, text: "[\\w+=,.@-]*" },
		},
		{
			name: "WebIdentityToken",
			member: "webIdentityToken",
			required: true,
			min: 4,
			max: 20000,
			sensitive: true,
		},
		{
			name: "DurationSeconds",
			member: "durationSeconds",
			type: "integer",
			min: 900,
			max: 43200,
		},
	],
	GetCallerIdentity: [],
};

/** STS's stand-in for a sensitive value in a validation message. */
const SENSITIVE = "*** Sensitive Data Redacted ***";

/** The violations of one parameter's constraints, in Coral's words. */
function violations(spec: ParamSpec, raw: string | undefined): string[] {
	const at = `at '${spec.member}' failed to satisfy constraint: Member must`;
	if (raw === undefined) {
		return spec.required ? [`Value null ${at} not be null`] : [];
	}
	// A string no store keeps as sent: never printed, its other constraints not checked.
	const problem = characterProblem(raw);
	if (problem !== undefined) {
		return [
			`Value at '${spec.member}' failed to satisfy constraint: Member ${problem}`,
		];
	}
	const shown = `Value '${spec.sensitive ? SENSITIVE : raw}'`;
	const problems: string[] = [];
	if (spec.type === "integer") {
		if (!/^-?\d{1,10}$/.test(raw.trim()))
			return [`${shown} ${at} be an integer`];
		const n = Number(raw.trim());
		if (spec.min !== undefined && n < spec.min) {
			problems.push(
				`${shown} ${at} have value greater than or equal to ${spec.min}`,
			);
		}
		if (spec.max !== undefined && n > spec.max) {
			problems.push(
				`${shown} ${at} have value less than or equal to ${spec.max}`,
			);
		}
		return problems;
	}
	if (spec.min !== undefined && raw.length < spec.min) {
		problems.push(
			`${shown} ${at} have length greater than or equal to ${spec.min}`,
		);
	}
	if (spec.max !== undefined && raw.length > spec.max) {
		problems.push(
			`${shown} ${at} have length less than or equal to ${spec.max}`,
		);
	}
	if (spec.pattern && !spec.pattern.regex.test(raw)) {
		problems.push(
			`${shown} ${at} satisfy regular expression pattern: ${spec.pattern.text}`,
		);
	}
	return problems;
}

/**
 * The input of `action` from its parameters: strings, integers as numbers, absent optional
 * parameters left out.
 * @throws StsError `ValidationError` listing every violation
 */
function decodeParams(
	action: string,
	params: ReadonlyMap<string, string>,
): Record<string, string | number> {
	const specs = STS_INPUTS[action] ?? [];
	const problems: string[] = [];
	const input: Record<string, string | number> = {};
	for (const spec of specs) {
		const raw = params.get(spec.name);
		problems.push(...violations(spec, raw));
		if (raw !== undefined) {
			input[spec.name] = spec.type === "integer" ? Number(raw.trim()) : raw;
		}
	}
	if (problems.length > 0) {
		throw validationError(
			`${problems.length} validation error${problems.length > 1 ? "s" : ""} detected: ${problems.join("; ")}`,
		);
	}
	return input;
}

// --- Answers ---------------------------------------------------------------------------

/** `2026-01-01T00:00:00Z`: ISO 8601 to the second, as STS prints times. */
function isoSeconds(date: Date): string {
	return new Date(Math.floor(date.getTime() / 1000) * 1000)
		.toISOString()
		.replace(/\.\d{3}Z$/, "Z");
}

/** A result's members as XML elements, in their order; nested structures nest. */
function membersXml(value: Record<string, unknown>): string {
	let xml = "";
	for (const [name, member] of Object.entries(value)) {
		if (member === undefined) continue;
		if (member instanceof Date) xml += element(name, isoSeconds(member));
		else if (typeof member === "object" && member !== null) {
			xml += `<${name}>${membersXml(member as Record<string, unknown>)}</${name}>`;
		} else xml += element(name, String(member));
	}
	return xml;
}

function answer(
	statusCode: number,
	xml: string,
	requestId: string,
): RawResponse {
	return {
		statusCode,
		headers: { "content-type": "text/xml", "x-amzn-RequestId": requestId },
		body: Buffer.from(xml, "utf8"),
	};
}

/** The `<ErrorResponse>` of an error. */
function errorResponse(error: StsError, requestId: string): RawResponse {
	return answer(
		error.statusCode,
		`<ErrorResponse xmlns="${STS_NAMESPACE}"><Error>${element("Type", error.type)}${element("Code", error.code)}${element("Message", error.message)}</Error>${element("RequestId", requestId)}</ErrorResponse>`,
		requestId,
	);
}

/** An error of the shared steps (authentication, quotas) in STS's codes and statuses. */
function asStsError(err: unknown): StsError | undefined {
	if (err instanceof StsError) return err;
	if (err instanceof MissingAuthenticationTokenException) {
		return new StsError(
			"MissingAuthenticationToken",
			MISSING_AUTHENTICATION_TOKEN,
			403,
		);
	}
	if (err instanceof IncompleteSignatureException) {
		return new StsError("IncompleteSignature", err.message, 400);
	}
	if (err instanceof UnrecognizedClientException) {
		return new StsError("InvalidClientTokenId", INVALID_CLIENT_TOKEN, 403);
	}
	if (err instanceof InvalidSignatureException) {
		return new StsError("SignatureDoesNotMatch", err.message, 403);
	}
	if (err instanceof ExpiredTokenException) {
		return new StsError("ExpiredToken", EXPIRED_SECURITY_TOKEN, 403);
	}
	if (err instanceof TooManyRequestsException) {
		return new StsError("Throttling", err.message, 400);
	}
	return undefined;
}

/** STS's answer for an action it does not know in the version asked. */
function unknownAction(action: string, version: string | undefined): StsError {
	return new StsError(
		"InvalidAction",
		`Could not find operation ${action} for version ${version ?? "NO_VERSION_SPECIFIED"}`,
	);
}

// --- The protocol ----------------------------------------------------------------------

interface QueryPayload {
	params: Map<string, string>;
	version: string | undefined;
}

/**
 * The STS query protocol, for the actions in `answered` (the STS operations of the registry:
 * named in the refusal of an STS action idpool does not implement).
 */
export function awsQuery(answered: readonly string[]): Protocol {
	return {
		service: "sts",
		frame(request) {
			const params = readParams(request);
			const action = params.get("Action");
			if (action === undefined || action === "") {
				throw new StsError("MissingAction", "Missing Action");
			}
			const payload: QueryPayload = { params, version: params.get("Version") };
			return { operation: action, payload };
		},
		unknownOperation(framed) {
			const { version } = framed.payload as QueryPayload;
			const action = framed.operation;
			if (OTHER_STS_ACTIONS.has(action) && version === STS_VERSION) {
				return new StsError(
					"InvalidAction",
					`idpool's STS endpoint does not implement ${action}; it answers ${answered.join(" and ")}.`,
				);
			}
			return unknownAction(action, version);
		},
		admit(framed) {
			const { version } = framed.payload as QueryPayload;
			if (version !== undefined && version !== STS_VERSION) {
				throw unknownAction(framed.operation, version);
			}
		},
		decode(framed) {
			return decodeParams(
				framed.operation,
				(framed.payload as QueryPayload).params,
			);
		},
		encodeResult(action, result, requestId) {
			return answer(
				200,
				`<${action}Response xmlns="${STS_NAMESPACE}"><${action}Result>${membersXml(result as Record<string, unknown>)}</${action}Result><ResponseMetadata>${element("RequestId", requestId)}</ResponseMetadata></${action}Response>`,
				requestId,
			);
		},
		encodeError(err, requestId) {
			const known = asStsError(err);
			const error =
				known ??
				new StsError(
					"InternalFailure",
					"The request processing has failed because of an unknown error, exception or failure.",
					500,
				);
			return {
				response: errorResponse(error, requestId),
				internal: known === undefined,
				errorType: error.code,
			};
		},
	};
}
