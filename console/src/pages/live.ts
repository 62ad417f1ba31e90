/**
 * The last calls of the signed-in account, live: the server's ring buffer of calls and then
 * each new one, as server-sent events of `GET /console/api/requests`, signed with SigV4 and
 * read with `fetch` (EventSource cannot sign). Only the account's own calls arrive.
 */
import { h, messages } from "../dom.ts";
import type { PageContext } from "../main.ts";
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
	let count = 0;
	const add = (call: Call) => {
		count++;
		body.prepend(
			h(
				"tr",
				{},
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
		while (body.children.length > SHOWN) body.lastElementChild?.remove();
		msg.say(
			`${count} call${count === 1 ? "" : "s"} shown; following new calls.`,
		);
	};
	msg.say("Connecting…");
	try {
		const response = await signedGet(credentials, "/console/api/requests", {
			signal: abort.signal,
		});
		if (!response.ok || !response.body) throw await apiError(response);
		if (count === 0) msg.say("No calls yet; following new calls.");
		const reader = response.body
			.pipeThrough(new TextDecoderStream())
			.getReader();
		let buffer = "";
		for (;;) {
			const { value, done } = await reader.read();
			if (done) break;
			buffer += value;
			let end = buffer.indexOf("\n\n");
			while (end >= 0) {
				const event = buffer.slice(0, end);
				buffer = buffer.slice(end + 2);
				const data = event
					.split("\n")
					.filter((l) => l.startsWith("data: "))
					.map((l) => l.slice(6))
					.join("\n");
				if (data) add(JSON.parse(data) as Call);
				end = buffer.indexOf("\n\n");
			}
		}
		msg.say(
			"The server ended the stream (it stopped?). Reload the page to follow again.",
		);
	} catch (err) {
		if (abort.signal.aborted) return;
		msg.fail(err);
	}
}
