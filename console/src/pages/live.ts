/**
 * The last calls of the signed-in account, live: the server's ring buffer of calls and then
 * each new one, as server-sent events of `GET /console/api/requests`, signed with SigV4 and
 * read with `fetch` (EventSource cannot sign). Only the account's own calls arrive.
 */
import { h, messages } from "../dom.ts";
import type { PageContext } from "../page.ts";
import { apiError, signedGet } from "../session.ts";

interface Call {
	time: string;
	service: string;
	operation?: string;
	statusCode: number;
	errorType?: string;
	requestId: string;
	accountId?: string;
	region?: string;
	callerKind: string;
	durationSeconds: number;
}

/** How many rows the table keeps. */
const SHOWN = 200;

export async function livePage({ main, credentials, onLeave }: PageContext) {
	const msg = messages();
	const body = h("tbody", { id: "calls" });
	main.append(
		h("h1", {}, "Live requests"),
		h(
			"p",
			{},
			"The last calls of this account to this server, newest first; new ones appear as they are answered. Nothing secret is kept: no keys, tokens or bodies.",
		),
		msg.error,
		msg.status,
		h(
			"table",
			{},
			h(
				"thead",
				{},
				h(
					"tr",
					{},
					h("th", { scope: "col" }, "Time (UTC)"),
					h("th", { scope: "col" }, "Operation"),
					h("th", { scope: "col" }, "Status"),
					h("th", { scope: "col" }, "Caller"),
					h("th", { scope: "col" }, "Region"),
					h("th", { scope: "col" }, "Duration"),
					h("th", { scope: "col" }, "Request id"),
				),
			),
			body,
		),
	);
	const abort = new AbortController();
	onLeave(() => abort.abort());
	/** Request ids of the rows shown: a reconnection's backlog repeats calls already shown. */
	const shown = new Set<string>();
	let count = 0;
	const add = (call: Call) => {
		if (shown.has(call.requestId)) return;
		shown.add(call.requestId);
		count++;
		body.prepend(
			h(
				"tr",
				{ "data-request-id": call.requestId },
				h("td", {}, call.time.slice(11, 19)),
				h(
					"td",
					{},
					call.operation ?? "(none)",
					call.service === "sts" ? " (STS)" : "",
				),
				h(
					"td",
					{},
					call.errorType
						? `${call.statusCode} ${call.errorType}`
						: String(call.statusCode),
				),
				h("td", {}, call.callerKind),
				h("td", {}, call.region ?? ""),
				h("td", {}, `${(call.durationSeconds * 1000).toFixed(1)} ms`),
				h("td", {}, h("code", {}, call.requestId)),
			),
		);
		while (body.children.length > SHOWN) {
			const oldest = body.lastElementChild as HTMLElement | null;
			if (!oldest) break;
			shown.delete(oldest.dataset.requestId ?? "");
			oldest.remove();
		}
		following();
	};
	const following = () =>
		msg.say(
			count === 0
				? "No calls yet; following new calls."
				: `${count} call${count === 1 ? "" : "s"} shown; following new calls.`,
		);
	msg.say("Connecting…");
	// The stream ends when the server stops or a proxy or the network drops it: the page
	// connects again, waiting twice as long after each attempt that does not connect.
	let wait = FIRST_RETRY_MS;
	while (!abort.signal.aborted) {
		try {
			const response = await signedGet(credentials, "/console/api/requests", {
				signal: abort.signal,
			});
			if (!response.ok || !response.body) {
				const error = await apiError(response);
				// Too many views open (the account's other tabs, or the server's): a place may free.
				if (error.name === "TooManyRequestsException") {
					msg.say(
						`${error.message} Trying again in ${Math.round(wait / 1000)} s…`,
					);
					await sleep(wait, abort.signal);
					wait = Math.min(wait * 2, LAST_RETRY_MS);
					continue;
				}
				// The server refused the request (signature, account): connecting again would not help.
				msg.fail(error);
				return;
			}
			// Connected: the next loss waits the shortest time again.
			wait = FIRST_RETRY_MS;
			following();
			// A stream the server ended for its age is followed by the next one at once.
			if ((await follow(response.body, add)) === "renew") continue;
		} catch (err) {
			if (abort.signal.aborted) return;
			// A network error (the server unreachable, the stream cut): connect again below.
			if (!(err instanceof TypeError)) {
				msg.fail(err);
				return;
			}
		}
		if (abort.signal.aborted) return;
		msg.say(
			`The connection to the server was lost (it stopped or restarted?); connecting again in ${Math.round(wait / 1000)} s…`,
		);
		await sleep(wait, abort.signal);
		wait = Math.min(wait * 2, LAST_RETRY_MS);
	}
}

/** The first wait before connecting again, doubled after each failed attempt up to the last. */
const FIRST_RETRY_MS = 1000;
const LAST_RETRY_MS = 16_000;

/**
 * Hands each call of the server-sent events of `stream` to `add`, until the stream ends:
 * answers `renew` when the server ended it for its age (its `renew` event), else `lost`.
 */
async function follow(
	stream: NonNullable<Response["body"]>,
	add: (call: Call) => void,
): Promise<"renew" | "lost"> {
	const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
	let buffer = "";
	let renewed = false;
	for (;;) {
		const { value, done } = await reader.read();
		if (done) return renewed ? "renew" : "lost";
		buffer += value;
		let end = buffer.indexOf("\n\n");
		while (end >= 0) {
			const event = buffer.slice(0, end);
			buffer = buffer.slice(end + 2);
			const lines = event.split("\n");
			if (lines.includes("event: renew")) renewed = true;
			const data = lines
				.filter((l) => l.startsWith("data: "))
				.map((l) => l.slice(6))
				.join("\n");
			if (data && lines.includes("event: call")) add(JSON.parse(data) as Call);
			end = buffer.indexOf("\n\n");
		}
	}
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
	return new Promise((resolve) => {
		const timer = setTimeout(resolve, ms);
		signal.addEventListener(
			"abort",
			() => {
				clearTimeout(timer);
				resolve();
			},
			{ once: true },
		);
	});
}
