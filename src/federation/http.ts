/**
 * @module federation/http
 * The one way login validation talks to identity providers: a GET that answers parsed JSON,
 * with a deadline, a cap on the size of the answer and no redirects. Whatever keeps an answer
 * from arriving (refused connection, DNS failure, timeout, a 5xx, a redirect, a body that is
 * not JSON) is a {@link ProviderUnreachable}, which the verifier turns into
 * `ExternalServiceException`; a 4xx is handed back, because for the token-inspection APIs it
 * is the provider's verdict on the token.
 */

/** The subset of `fetch` used here; tests may pass their own. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** Answers larger than this are not JWKS, discovery documents or token information. */
export const MAX_ANSWER_BYTES = 1024 * 1024;

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

export interface GetJsonOptions {
	fetch: FetchLike;
	timeoutMs: number;
	headers?: Record<string, string>;
	/** Another signal to honour (jose passes its own timeout). */
	signal?: AbortSignal;
}

/**
 * GETs `url` and answers its JSON.
 * @throws ProviderUnreachable for anything but a 2xx or 4xx answer in time (2xx must be JSON)
 */
export async function getJson(
	url: string,
	options: GetJsonOptions,
): Promise<JsonAnswer> {
	const timeout = AbortSignal.timeout(options.timeoutMs);
	const signal = options.signal
		? AbortSignal.any([timeout, options.signal])
		: timeout;
	let response: Response;
	try {
		response = await options.fetch(url, {
			method: "GET",
			headers: { accept: "application/json", ...options.headers },
			// A provider's keys must come from the URL configured, not from wherever it points.
			redirect: "manual",
			signal,
		});
	} catch (err) {
		throw unreachable(err, signal, options.timeoutMs);
	}
	const { status } = response;
	if (status >= 300 && status < 400) {
		await response.body?.cancel().catch(() => {});
		throw new ProviderUnreachable(`unexpected redirect (HTTP ${status})`);
	}
	if (status >= 500 || status < 200) {
		await response.body?.cancel().catch(() => {});
		throw new ProviderUnreachable(`HTTP ${status}`);
	}
	let text: string;
	try {
		text = await readCapped(response);
	} catch (err) {
		if (err instanceof ProviderUnreachable) throw err;
		throw unreachable(err, signal, options.timeoutMs);
	}
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

async function readCapped(response: Response): Promise<string> {
	if (!response.body) return "";
	const chunks: Uint8Array[] = [];
	let size = 0;
	for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
		size += chunk.byteLength;
		if (size > MAX_ANSWER_BYTES) {
			throw new ProviderUnreachable(
				`answer larger than ${MAX_ANSWER_BYTES} bytes`,
			);
		}
		chunks.push(chunk);
	}
	return Buffer.concat(chunks).toString("utf8");
}

function unreachable(
	err: unknown,
	signal: AbortSignal,
	timeoutMs: number,
): ProviderUnreachable {
	if (signal.aborted) {
		return new ProviderUnreachable(`no answer within ${timeoutMs} ms`, {
			cause: err,
		});
	}
	return new ProviderUnreachable("connection failed", { cause: err });
}

/** Whether a JSON value is a plain object (what every API here answers). */
export function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === "object" && value !== null && !Array.isArray(value);
}
