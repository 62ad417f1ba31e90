/**
 * @module lib/outbound-http
 * The one way this server asks other servers (identity providers for login validation, an STS
 * endpoint for credentials): one request with a deadline, a cap on the size of the answer and
 * no redirects, answering the status and the body as text. Whatever keeps an answer from
 * arriving is an {@link OutboundFailure} whose `reason` is safe to show to a caller (no answer
 * in time, connection failed, a redirect, an answer too large); which statuses are an answer
 * worth reading is the caller's business (a 4xx may be a verdict on a token, a 5xx an error
 * document). Imports nothing of this server's.
 */

/** The subset of `fetch` used here; tests may pass their own. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** Answers larger than this are not what any server asked here answers. */
const MAX_ANSWER_BYTES = 1024 * 1024;

/** Why an answer did not arrive. */
export type OutboundFailureKind =
	| "timeout"
	| "connection"
	| "redirect"
	| "tooLarge";

/** A request that got no usable answer; `reason` names why, without the URL. */
export class OutboundFailure extends Error {
	override readonly name = "OutboundFailure";
	readonly kind: OutboundFailureKind;
	readonly reason: string;
	constructor(
		kind: OutboundFailureKind,
		reason: string,
		options?: { cause?: unknown },
	) {
		super(reason, options);
		this.kind = kind;
		this.reason = reason;
	}
}

export interface OutboundRequest {
	/** Default GET. */
	method?: "GET" | "POST";
	headers?: Record<string, string>;
	body?: string;
	/** The deadline of the whole exchange, answer included. */
	timeoutMs: number;
	/** Another signal to honour (jose passes its own timeout); its abort reads as a timeout. */
	signal?: AbortSignal;
	/** Replaces global `fetch` (tests route public URLs to local doubles). */
	fetch?: FetchLike;
	/**
	 * Whether the body of an answer with this status is read; when not, it is dropped unread
	 * and `text` is empty. Default: every status is read.
	 */
	readBody?: (status: number) => boolean;
}

/** An answer: its status and its body as UTF-8 text. */
export interface OutboundAnswer {
	status: number;
	text: string;
}

/**
 * Sends one request and reads its answer, within `timeoutMs`, refusing redirects and bodies
 * over {@link MAX_ANSWER_BYTES}.
 * @throws OutboundFailure for anything that keeps an answer from arriving
 */
export async function outboundRequest(
	url: string,
	request: OutboundRequest,
): Promise<OutboundAnswer> {
	const { timeoutMs } = request;
	const timeout = AbortSignal.timeout(timeoutMs);
	const signal = request.signal
		? AbortSignal.any([timeout, request.signal])
		: timeout;
	const fetchImpl = request.fetch ?? fetch;
	let response: Response;
	try {
		response = await fetchImpl(url, {
			method: request.method ?? "GET",
			headers: request.headers,
			body: request.body,
			// An answer must come from the URL asked, not from wherever it points.
			redirect: "manual",
			signal,
		});
	} catch (err) {
		throw failed(err, signal, timeoutMs);
	}
	const { status } = response;
	if (status >= 300 && status < 400) {
		await discard(response);
		throw new OutboundFailure(
			"redirect",
			`unexpected redirect (HTTP ${status})`,
		);
	}
	if (request.readBody && !request.readBody(status)) {
		await discard(response);
		return { status, text: "" };
	}
	try {
		return { status, text: await readCapped(response) };
	} catch (err) {
		if (err instanceof OutboundFailure) throw err;
		throw failed(err, signal, timeoutMs);
	}
}

async function discard(response: Response): Promise<void> {
	await response.body?.cancel().catch(() => {});
}

async function readCapped(response: Response): Promise<string> {
	if (!response.body) return "";
	const chunks: Uint8Array[] = [];
	let size = 0;
	for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
		size += chunk.byteLength;
		if (size > MAX_ANSWER_BYTES) {
			throw new OutboundFailure(
				"tooLarge",
				`answer larger than ${MAX_ANSWER_BYTES} bytes`,
			);
		}
		chunks.push(chunk);
	}
	return Buffer.concat(chunks).toString("utf8");
}

/** A failure of the exchange itself: the deadline (or the caller's signal), else the connection. */
function failed(
	err: unknown,
	signal: AbortSignal,
	timeoutMs: number,
): OutboundFailure {
	return signal.aborted
		? new OutboundFailure("timeout", `no answer within ${timeoutMs} ms`, {
				cause: err,
			})
		: new OutboundFailure("connection", "connection failed", { cause: err });
}
