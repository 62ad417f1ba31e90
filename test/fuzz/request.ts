/**
 * One request of the wire fuzz test, as plain data (so that it can be printed, minimised and
 * sent again), and how it is sent: through `test/support/raw.ts`, signed with SigV4 or not,
 * possibly tampered with after signing.
 */
import { type RawAnswer, raw } from "../support/raw.ts";

/** How a request is signed (SigV4). */
export interface Signing {
	service: string;
	region: string;
	accessKeyId: string;
	secretAccessKey: string;
	sessionToken?: string;
	/** The signing time is this far from now (an expired or future signature). */
	skewMs?: number;
}

/** A request as the fuzz test sends it. */
export interface FuzzRequest {
	/** What the generator meant: the operation or action and the mutation, e.g. `GetId odd-unicode Logins`. */
	label: string;
	method: string;
	/** Path and query string. */
	path: string;
	contentType: string | undefined;
	target: string | undefined;
	/** Other headers, sent and signed. */
	headers: Record<string, string>;
	body: Buffer;
	sign: Signing | undefined;
	/** Changes after signing: headers set (or removed when null), another body sent. */
	tamper?: {
		headers?: Record<string, string | null>;
		sentBody?: Buffer;
	};
}

/** What came back; `error` when no HTTP answer came at all. */
export type FuzzAnswer = RawAnswer | { error: string };

/** Sends `req` to the server at `url`. Never throws: a failed exchange is an answer too. */
export async function send(url: string, req: FuzzRequest): Promise<FuzzAnswer> {
	const tamper = req.tamper;
	try {
		return await raw(url, {
			method: req.method,
			path: req.path,
			target: req.target,
			contentType: req.contentType,
			extraHeaders: req.headers,
			body: req.body,
			sign: req.sign !== undefined,
			...(req.sign
				? {
						service: req.sign.service,
						region: req.sign.region,
						accessKeyId: req.sign.accessKeyId,
						secretAccessKey: req.sign.secretAccessKey,
						...(req.sign.sessionToken === undefined
							? {}
							: { sessionToken: req.sign.sessionToken }),
						signingDate: new Date(Date.now() + (req.sign.skewMs ?? 0)),
					}
				: {}),
			...(tamper?.sentBody ? { sentBody: tamper.sentBody } : {}),
			...(tamper?.headers
				? {
						afterSign: (headers: Record<string, string>) => {
							for (const [name, value] of Object.entries(
								tamper.headers ?? {},
							)) {
								if (value === null) delete headers[name];
								else headers[name] = value;
							}
						},
					}
				: {}),
		});
	} catch (err) {
		const cause = (err as { cause?: unknown }).cause;
		return {
			error: `${(err as Error).message}${cause ? ` (${String(cause)})` : ""}`,
		};
	}
}

/** A short, printable form of a text (escapes for anything unusual, long runs cut). */
export function shown(text: string, max = 600): string {
	const escaped = JSON.stringify(text);
	return escaped.length <= max
		? escaped
		: `${escaped.slice(0, max)}... (${text.length} characters)`;
}

/** The request, printed so that it can be read and sent again by hand. */
export function describeRequest(req: FuzzRequest): string {
	const lines = [
		`${req.label}`,
		`  ${req.method} ${req.path}`,
		`  content-type: ${req.contentType === undefined ? "(none)" : shown(req.contentType)}`,
		`  x-amz-target: ${req.target === undefined ? "(none)" : shown(req.target)}`,
	];
	for (const [name, value] of Object.entries(req.headers)) {
		lines.push(`  ${name}: ${shown(value)}`);
	}
	lines.push(
		req.sign
			? `  signed: ${req.sign.service} ${shown(req.sign.region)} ${req.sign.accessKeyId}${req.sign.sessionToken ? " +session token" : ""}${req.sign.skewMs ? ` skew ${req.sign.skewMs} ms` : ""}`
			: "  unsigned",
	);
	if (req.tamper) lines.push(`  after signing: ${tamperText(req.tamper)}`);
	lines.push(`  body: ${bodyText(req.body)}`);
	return lines.join("\n");
}

function tamperText(tamper: NonNullable<FuzzRequest["tamper"]>): string {
	const parts: string[] = [];
	for (const [name, value] of Object.entries(tamper.headers ?? {})) {
		parts.push(value === null ? `${name} removed` : `${name}: ${shown(value)}`);
	}
	if (tamper.sentBody) parts.push(`body sent: ${bodyText(tamper.sentBody)}`);
	return parts.join("; ");
}

/** A body as text when it is valid UTF-8, else as base64. */
export function bodyText(body: Buffer): string {
	const text = body.toString("utf8");
	return Buffer.from(text, "utf8").equals(body)
		? shown(text)
		: `base64:${body.toString("base64").slice(0, 800)}`;
}

/** The answer, printed. */
export function describeAnswer(answer: FuzzAnswer): string {
	if ("error" in answer) return `no answer: ${answer.error}`;
	const headers = ["content-type", "x-amzn-errortype", "x-amzn-requestid"]
		.map((h) => `${h}: ${answer.headers.get(h) ?? "(none)"}`)
		.join(", ");
	return `${answer.status} (${headers}) ${shown(answer.text, 400)}`;
}
