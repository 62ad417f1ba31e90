/**
 * The wire fuzz test's oracle: what every answer must be, whatever was asked. No 5xx, and an
 * AWS-shaped body in the protocol the request speaks:
 *
 * - AWS JSON 1.1 (a request with `X-Amz-Target`, anything but a form body, and every path or
 *   method but `POST /`): `content-type: application/x-amz-json-1.1`, `x-amzn-RequestId`;
 *   a success is a JSON object whose members are those of the operation's output shape, with
 *   their JSON types; an error is exactly `{"__type": string, "message": string}` with
 *   `x-amzn-ErrorType` naming the same type.
 * - The STS query protocol (a form body without `X-Amz-Target`): `content-type: text/xml`,
 *   `x-amzn-RequestId`, well-formed XML; a success is `<{Action}Response>` holding
 *   `<{Action}Result>`, an error `<ErrorResponse>` holding `<Error>` with `<Type>`, `<Code>`
 *   and `<Message>`, and a `<RequestId>`.
 *
 * A violation is a {@link Problem}: its `kind` names the class of failure (the known-failures
 * list and the report group by it).
 */
import {
	OPERATIONS,
	type OperationName,
	SHAPES,
	type ShapeDef,
} from "../../src/model/model.generated.ts";
import type { FuzzAnswer, FuzzRequest } from "./request.ts";

/** What is wrong with an answer. */
export interface Problem {
	/** The class: `5xx`, `no-answer`, `json-envelope`, `json-output`, `xml`, `headers`. */
	kind: string;
	/** The HTTP status (0: no answer). */
	status: number;
	/** The error type the answer named, if any (`__type`, or STS's `<Code>`). */
	errorType: string | undefined;
	detail: string;
}

const JSON_11 = "application/x-amz-json-1.1";
const FORM = "application/x-www-form-urlencoded";

/** Which protocol the server must answer `req` in (docs/architecture.md, "One call"). */
export function protocolOf(req: FuzzRequest): "json" | "query" {
	const path = req.path.split("?")[0];
	if (req.method !== "POST" || path !== "/") return "json";
	const target = req.tamper?.headers?.["x-amz-target"];
	const hasTarget =
		target === undefined ? req.target !== undefined : target !== null;
	if (hasTarget) return "json";
	const tampered = req.tamper?.headers?.["content-type"];
	const contentType =
		tampered === undefined ? req.contentType : (tampered ?? undefined);
	return (contentType ?? "").trim().toLowerCase().startsWith(FORM)
		? "query"
		: "json";
}

/** The operation a JSON request names (the target's last part), if it is one of the 23. */
function jsonOperation(req: FuzzRequest): OperationName | undefined {
	const target = req.tamper?.headers?.["x-amz-target"] ?? req.target;
	if (!target) return undefined;
	const name = target.slice(target.lastIndexOf(".") + 1);
	return Object.hasOwn(OPERATIONS, name) ? (name as OperationName) : undefined;
}

/** The answer's problem, or undefined when it is what the protocol promises. */
export function check(
	req: FuzzRequest,
	answer: FuzzAnswer,
): Problem | undefined {
	if ("error" in answer) {
		return {
			kind: "no-answer",
			status: 0,
			errorType: undefined,
			detail: answer.error,
		};
	}
	const protocol = protocolOf(req);
	const problem =
		protocol === "json" ? checkJson(req, answer) : checkXml(answer);
	if (answer.status >= 500) {
		return {
			kind: "5xx",
			status: answer.status,
			errorType: problem?.errorType ?? errorTypeOf(answer.json),
			detail: problem ? `${problem.detail}` : "",
		};
	}
	return problem;
}

function errorTypeOf(json: Record<string, unknown> | undefined) {
	return typeof json?.__type === "string" ? json.__type : undefined;
}

type Answered = Exclude<FuzzAnswer, { error: string }>;

function problem(
	kind: string,
	answer: Answered,
	detail: string,
	errorType?: string,
): Problem {
	return { kind, status: answer.status, errorType, detail };
}

function checkJson(req: FuzzRequest, answer: Answered): Problem | undefined {
	const contentType = answer.headers.get("content-type");
	let body: unknown;
	try {
		body = JSON.parse(answer.text);
	} catch {
		return problem("json-envelope", answer, "the body is not JSON");
	}
	if (body === null || typeof body !== "object" || Array.isArray(body)) {
		return problem("json-envelope", answer, "the body is not a JSON object");
	}
	const object = body as Record<string, unknown>;
	const errorType = errorTypeOf(object);
	if (contentType !== JSON_11) {
		return problem(
			"headers",
			answer,
			`content-type is ${contentType ?? "missing"}, not ${JSON_11}`,
			errorType,
		);
	}
	if (!answer.headers.get("x-amzn-requestid")) {
		return problem("headers", answer, "no x-amzn-RequestId", errorType);
	}
	if (answer.status === 200) {
		if (answer.headers.has("x-amzn-errortype")) {
			return problem("headers", answer, "a 200 with x-amzn-ErrorType");
		}
		const operation = jsonOperation(req);
		if (operation === undefined) {
			return problem("json-output", answer, "a 200 for no known operation");
		}
		const output = OPERATIONS[operation].output;
		const wrong =
			output === null
				? Object.keys(object).length === 0
					? undefined
					: "an operation without output answered members"
				: outputProblem(output, object, "");
		return wrong ? problem("json-output", answer, wrong) : undefined;
	}
	const keys = Object.keys(object).sort();
	if (
		keys.length !== 2 ||
		keys[0] !== "__type" ||
		keys[1] !== "message" ||
		typeof object.__type !== "string" ||
		object.__type === "" ||
		typeof object.message !== "string"
	) {
		return problem(
			"json-envelope",
			answer,
			`the error is not {"__type","message"}: members ${keys.join(", ")}`,
			errorType,
		);
	}
	const header = answer.headers.get("x-amzn-errortype");
	if (header?.split(":")[0] !== object.__type) {
		return problem(
			"headers",
			answer,
			`x-amzn-ErrorType is ${header ?? "missing"} for ${object.__type}`,
			errorType,
		);
	}
	if (answer.status < 400) {
		return problem(
			"json-envelope",
			answer,
			`an error with status ${answer.status}`,
			errorType,
		);
	}
	return undefined;
}

const shapes: Readonly<Record<string, ShapeDef>> = SHAPES;

/** Where `value` is not of shape `name` (JSON types, structure members), or undefined. */
function outputProblem(
	name: string,
	value: unknown,
	path: string,
): string | undefined {
	const shape = shapes[name];
	if (!shape) return `unknown shape ${name}`;
	const at = path === "" ? "the output" : path;
	switch (shape.kind) {
		case "structure": {
			if (value === null || typeof value !== "object" || Array.isArray(value))
				return `${at} is not an object`;
			for (const [key, member] of Object.entries(value)) {
				const def = shape.members.find((m) => m.name === key);
				if (!def) return `${at} has the unknown member ${key}`;
				const inner = outputProblem(def.target, member, `${path}.${key}`);
				if (inner) return inner;
			}
			return undefined;
		}
		case "string":
		case "enum":
			return typeof value === "string" ? undefined : `${at} is not a string`;
		case "boolean":
			return typeof value === "boolean" ? undefined : `${at} is not a boolean`;
		case "integer":
		case "long":
			return Number.isInteger(value) ? undefined : `${at} is not an integer`;
		case "timestamp":
			return typeof value === "number" ? undefined : `${at} is not a number`;
		case "list":
			if (!Array.isArray(value)) return `${at} is not a list`;
			for (const [i, item] of value.entries()) {
				const inner = outputProblem(shape.member, item, `${path}[${i}]`);
				if (inner) return inner;
			}
			return undefined;
		case "map":
			if (value === null || typeof value !== "object" || Array.isArray(value))
				return `${at} is not a map`;
			for (const [key, item] of Object.entries(value)) {
				const inner = outputProblem(shape.value, item, `${path}{${key}}`);
				if (inner) return inner;
			}
			return undefined;
	}
}

// --- STS's XML ----------------------------------------------------------------------------

/** An element of a parsed document: its name, child elements and text. */
interface XmlElement {
	name: string;
	children: XmlElement[];
	text: string;
}

const ENTITY = /&(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/y;
const NAME = /^[A-Za-z_][\w.-]*$/;

/** Whether `s` holds a character XML 1.0 does not allow in a document. */
function hasXmlForbidden(s: string): boolean {
	for (const c of s) {
		if (!isXmlChar(c.codePointAt(0) ?? 0)) return true;
	}
	return false;
}

/** XML 1.0's production [2] Char: tab, LF, CR and U+0020 on, but surrogates, U+FFFE, U+FFFF. */
function isXmlChar(code: number): boolean {
	if (code < 0x20) return code === 0x9 || code === 0xa || code === 0xd;
	if (code >= 0xd800 && code <= 0xdfff) return false;
	return code !== 0xfffe && code !== 0xffff;
}

/**
 * Parses the little XML STS writes (an optional declaration, elements with attributes, text,
 * entities); answers the root, or why it is not well-formed.
 */
export function parseXml(text: string): XmlElement | string {
	if (hasXmlForbidden(text)) return "a character XML does not allow";
	let i = 0;
	const body = text.replace(/^<\?xml[^?]*\?>\s*/, "");
	const stack: XmlElement[] = [];
	let root: XmlElement | undefined;
	while (i < body.length) {
		const c = body[i];
		if (c === "<") {
			const end = body.indexOf(">", i);
			if (end < 0) return "an unclosed tag";
			const tag = body.slice(i + 1, end);
			i = end + 1;
			if (tag.startsWith("/")) {
				const open = stack.pop();
				if (!open || open.name !== tag.slice(1).trim())
					return `a stray closing tag </${tag.slice(1)}>`;
				continue;
			}
			const selfClosing = tag.endsWith("/");
			const [name = "", ...attributes] = (selfClosing ? tag.slice(0, -1) : tag)
				.trim()
				.split(/\s+/);
			if (!NAME.test(name)) return `a bad element name <${name}>`;
			for (const attribute of attributes) {
				if (!/^[\w:.-]+="[^"<&]*"$/.test(attribute))
					return `a bad attribute ${attribute}`;
			}
			const element: XmlElement = { name, children: [], text: "" };
			const parent = stack.at(-1);
			if (parent) parent.children.push(element);
			else if (root) return "a second root element";
			else root = element;
			if (!selfClosing) stack.push(element);
			continue;
		}
		if (c === "&") {
			ENTITY.lastIndex = i;
			const match = ENTITY.exec(body);
			if (!match) return "a bare & or an unknown entity";
			i += match[0].length;
			const top = stack.at(-1);
			if (top) top.text += match[0];
			continue;
		}
		const top = stack.at(-1);
		if (!top && c !== undefined && !/\s/.test(c))
			return "text outside the root element";
		if (top) top.text += c;
		i++;
	}
	if (stack.length > 0) return `<${stack.at(-1)?.name}> is not closed`;
	return root ?? "no root element";
}

function child(element: XmlElement, name: string): XmlElement | undefined {
	return element.children.find((c) => c.name === name);
}

function checkXml(answer: Answered): Problem | undefined {
	const contentType = answer.headers.get("content-type");
	const root = parseXml(answer.text);
	if (typeof root === "string") {
		return problem("xml", answer, `not well-formed XML: ${root}`);
	}
	const error =
		root.name === "ErrorResponse" ? child(root, "Error") : undefined;
	const errorType = error ? child(error, "Code")?.text : undefined;
	if (contentType !== "text/xml") {
		return problem(
			"headers",
			answer,
			`content-type is ${contentType ?? "missing"}, not text/xml`,
			errorType,
		);
	}
	if (!answer.headers.get("x-amzn-requestid")) {
		return problem("headers", answer, "no x-amzn-RequestId", errorType);
	}
	if (answer.status === 200) {
		const action =
			/^(AssumeRoleWithWebIdentity|GetCallerIdentity)Response$/.exec(
				root.name,
			)?.[1];
		if (!action || !child(root, `${action}Result`)) {
			return problem("xml", answer, `a 200 whose root is <${root.name}>`);
		}
		const metadata = child(root, "ResponseMetadata");
		return metadata && child(metadata, "RequestId")
			? undefined
			: problem("xml", answer, "a 200 without ResponseMetadata/RequestId");
	}
	if (
		!error ||
		!child(error, "Type") ||
		!errorType ||
		!child(error, "Message") ||
		!child(root, "RequestId")
	) {
		return problem(
			"xml",
			answer,
			`an error that is not <ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/>: root <${root.name}>`,
			errorType,
		);
	}
	return undefined;
}
