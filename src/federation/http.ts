/**
 * @module federation/http
 * How login validation talks to identity providers: a GET through the shared outbound client
 * (`lib/outbound-http.ts`: a deadline, a cap on the size of the answer, no redirects) that
 * answers parsed JSON. Whatever keeps an answer from arriving (refused connection, DNS
 * failure, timeout, a 5xx, a redirect, a body that is not JSON) is a
 * {@link ProviderUnreachable}, which the verifier turns into `ExternalServiceException`; a 4xx
 * is handed back, because for the token-inspection APIs it is the provider's verdict on the
 * token.
 */
import {
	type FetchLike,
	OutboundFailure,
	outboundRequest,
} from "../lib/outbound-http.ts";

/** A provider that did not answer usefully; `reason` is safe to show to the caller. */
export class ProviderUnreachable extends Error {
	override readonly name = "ProviderUnreachable";
	readonly reason: string;
	constructor(reason: string, options?: { cause?: unknown }) {
		super(reason, options);
		this.reason = reason;
	}
}

/** A provider's answer: its status and its body parsed as JSON (undefined when it is not). */
export interface JsonAnswer {
	status: number;
	body: unknown;
}

/** How providers are asked: the fetch (default: global `fetch`) and the timeout of one request. */
export interface HttpContext {
	fetch?: FetchLike;
	timeoutMs: number;
	/**
	 * Told of each request once it is over: `ok` when it got an answer (a 2xx or a 4xx), not
	 * when it throws ProviderUnreachable; and how long it took.
	 */
	observe?: (ok: boolean, seconds: number) => void;
}

export interface GetJsonOptions extends HttpContext {
	headers?: Record<string, string>;
	/** Another signal to honour (jose passes its own timeout). */
	signal?: AbortSignal;
}

/** Statuses whose answer is read: a 2xx (the answer) or a 4xx (a verdict). */
const isAnswer = (status: number): boolean => status >= 200 && status < 500;

/**
 * GETs `url` and answers its JSON.
 * @throws ProviderUnreachable for anything but a 2xx or 4xx answer in time (2xx must be JSON)
 */
export async function getJson(
	url: string,
	options: GetJsonOptions,
): Promise<JsonAnswer> {
	const observe = options.observe;
	if (!observe) return getJsonOnce(url, options);
	const started = performance.now();
	let ok = false;
	try {
		const answer = await getJsonOnce(url, options);
		ok = true;
		return answer;
	} finally {
		observe(ok, (performance.now() - started) / 1000);
	}
}

async function getJsonOnce(
	url: string,
	options: GetJsonOptions,
): Promise<JsonAnswer> {
	let status: number;
	let text: string;
	try {
		({ status, text } = await outboundRequest(url, {
			fetch: options.fetch,
			timeoutMs: options.timeoutMs,
			headers: { accept: "application/json", ...options.headers },
			signal: options.signal,
			readBody: isAnswer,
		}));
	} catch (err) {
		if (err instanceof OutboundFailure) {
			throw new ProviderUnreachable(
				err.reason,
				err.cause === undefined ? undefined : { cause: err.cause },
			);
		}
		throw err;
	}
	if (!isAnswer(status)) throw new ProviderUnreachable(`HTTP ${status}`);
	let body: unknown;
	try {
		body = JSON.parse(text);
	} catch {
		if (status < 300) {
			throw new ProviderUnreachable(`HTTP ${status} answer is not JSON`);
		}
		body = undefined;
	}
	return { status, body };
}

/** Whether a JSON value is a plain object (what every API here answers). */
export function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === "object" && value !== null && !Array.isArray(value);
}
