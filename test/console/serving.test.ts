/**
 * How idpool serves its web console (docs/console.md), over HTTP without a browser: where it
 * is served (`--console auto|on|off`, auto only on loopback), its security headers, what a
 * path outside its files gets, a copy where it is not built, and the live view's stream,
 * which needs a valid signature and carries only the signer's account's calls.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { ListIdentityPoolsCommand } from "@aws-sdk/client-cognito-identity";
import { ConfigError, loadConfig } from "../../src/config/load.ts";
import type { CallRecord } from "../../src/dispatch/dispatcher.ts";
import {
	CONSOLE_REQUESTS_KEPT,
	ConsoleAssets,
	ConsoleRequests,
	consoleServed,
	LIVE_VIEWS_IN_ALL,
	LIVE_VIEWS_PER_ACCOUNT,
	liveViewsInAll,
} from "../../src/server/console.ts";
import { writeOrCut } from "../../src/server/http.ts";
import { builtConsole, signedGet, signedHeaders } from "../support/console.ts";
import { OTHER_ACCOUNT, TWO_ACCOUNTS } from "../support/identities.ts";
import { useServer, withServer } from "../support/server.ts";

/** The AWS error type of an answer's body. */
async function errorType(answer: Response): Promise<string | undefined> {
	return ((await answer.json()) as { __type?: string }).__type;
}

test("--console: auto serves it on loopback only, on everywhere, off nowhere", () => {
	const cases: [string, string, boolean][] = [
		["auto", "127.0.0.1", true],
		["auto", "::1", true],
		["auto", "localhost", true],
		["auto", "0.0.0.0", false],
		["auto", "::", false],
		["auto", "192.168.1.20", false],
		["auto", "127.255.0.1", true],
		["auto", "[::1]", true],
		["auto", "::ffff:127.0.0.1", true],
		// Names that merely start like a loopback address.
		["auto", "127.attacker.example", false],
		["auto", "127.0.0.1.example.com", false],
		["auto", "127.0.0.256", false],
		["auto", "localhost.example.com", false],
		["on", "0.0.0.0", true],
		["on", "127.0.0.1", true],
		["off", "127.0.0.1", false],
		["off", "0.0.0.0", false],
	];
	for (const [mode, host, served] of cases) {
		assert.equal(consoleServed(mode, host), served, `${mode} on ${host}`);
	}
	assert.equal(loadConfig({}, {}).console, "auto");
	assert.equal(loadConfig({ console: "off" }, {}).console, "off");
	assert.equal(loadConfig({}, { IDPOOL_CONSOLE: "on" }).console, "on");
	assert.throws(() => loadConfig({ console: "yes" }, {}), {
		constructor: ConfigError,
		message: "console must be auto, on or off, got 'yes'",
	});
});

test("a copy whose console is not built says so, with what to do", () => {
	const dir = mkdtempSync(join(tmpdir(), "idpool-console-"));
	try {
		const assets = new ConsoleAssets(join(dir, "missing"));
		assert.match(assets.problem ?? "", /not built.*npm run build/);
		const answer = assets.answer("/console/");
		assert.equal(answer.statusCode, 503);
		assert.match(answer.body.toString(), /npm run build/);
		writeFileSync(join(dir, "index.html"), "<!doctype html>");
		const built = new ConsoleAssets(dir);
		assert.equal(built.problem, undefined);
		assert.equal(built.answer("/console").statusCode, 200);
		assert.equal(built.answer("/console/other.js").statusCode, 404);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});

test("the live view's buffer keeps the last calls, and tells each listener its account's only", () => {
	const requests = new ConsoleRequests({ now: () => 0 });
	const call = (accountId: string | undefined, n: number): CallRecord => ({
		service: "cognito-identity",
		operation: "ListIdentityPools",
		statusCode: 200,
		errorType: undefined,
		internal: false,
		requestId: `r${n}`,
		accountId,
		region: "us-east-1",
		callerKind: "key",
		durationSeconds: 0.001,
	});
	const heard: string[] = [];
	const view = requests.subscribe("111111111111", "KEY1");
	view.follow(
		(event) => {
			heard.push(
				(JSON.parse(event.split("data: ")[1] as string) as CallRecord)
					.requestId,
			);
		},
		() => {},
	);
	for (let n = 0; n < CONSOLE_REQUESTS_KEPT + 10; n++) {
		requests.observe(call(n % 2 === 0 ? "000000000000" : "111111111111", n));
	}
	requests.observe(call(undefined, 999));
	view.stop();
	requests.observe(call("111111111111", 1000));
	const mine = requests.recent("000000000000");
	assert.equal(mine.length, CONSOLE_REQUESTS_KEPT / 2 - 1);
	assert.ok(mine.every((c) => c.accountId === "000000000000"));
	assert.equal(mine.at(-1)?.requestId, `r${CONSOLE_REQUESTS_KEPT + 8}`);
	// Oldest first: of the last CONSOLE_REQUESTS_KEPT calls, the first of this account's.
	assert.equal(mine[0]?.requestId, "r12");
	assert.equal(mine[0]?.time, "1970-01-01T00:00:00.000Z");
	assert.equal(heard.length, (CONSOLE_REQUESTS_KEPT + 10) / 2);
	assert.ok(!heard.includes("r1000"), "a listener that stopped hears nothing");
});

test("a live view's writes stop, and its connection is cut, once its reader lets too much wait", () => {
	const written: string[] = [];
	let destroyed = false;
	const res = {
		writableLength: 0,
		write(chunk: string) {
			written.push(chunk);
			this.writableLength += chunk.length;
			return false;
		},
		destroy() {
			destroyed = true;
			return this;
		},
	};
	const limit = 100;
	let n = 0;
	while (writeOrCut(res as never, "x".repeat(30), limit)) n++;
	assert.equal(n, 4, "written while 100 bytes or fewer waited");
	assert.equal(written.length, 4);
	assert.ok(destroyed);
});

test("live views are limited per account and in all; a view stopped gives its place back", () => {
	const requests = new ConsoleRequests({ now: () => 0 });
	const views = Array.from({ length: LIVE_VIEWS_PER_ACCOUNT }, () =>
		requests.subscribe("111111111111", "KEY1"),
	);
	assert.throws(() => requests.subscribe("111111111111", "KEY1"), {
		name: "TooManyRequestsException",
		message: `Too many live views are open for this account (${LIVE_VIEWS_PER_ACCOUNT}): close one.`,
	});
	views[0]?.stop();
	const again = requests.subscribe("111111111111", "KEY1");
	again.stop();
	// Seven of that account are open: the rest of the places, eight to an account.
	for (let n = 0; n < LIVE_VIEWS_IN_ALL - 7; n++) {
		requests.subscribe(
			`2222222222${String(Math.floor(n / 8)).padStart(2, "0")}`,
			"KEY2",
		);
	}
	assert.throws(() => requests.subscribe("333333333333", "KEY3"), {
		name: "TooManyRequestsException",
		message: `Too many live views are open on this server (${LIVE_VIEWS_IN_ALL}): try again later.`,
	});
});

test("the live views in all are an eighth of --max-connections, at least one, at most 64", () => {
	assert.equal(liveViewsInAll(1000), LIVE_VIEWS_IN_ALL);
	assert.equal(liveViewsInAll(512), 64);
	assert.equal(liveViewsInAll(100), 12);
	assert.equal(liveViewsInAll(15), 1);
	assert.equal(liveViewsInAll(1), 1);
	const requests = new ConsoleRequests({ now: () => 0 }, 2);
	requests.subscribe("111111111111", "KEY1");
	requests.subscribe("222222222222", "KEY2");
	assert.throws(() => requests.subscribe("333333333333", "KEY3"), {
		name: "TooManyRequestsException",
		message:
			"Too many live views are open on this server (2): try again later.",
	});
});

test("the views of a key taken away end, and only those", () => {
	const requests = new ConsoleRequests({ now: () => 0 });
	const ended: string[] = [];
	for (const key of ["GONE", "KEPT", "GONE"]) {
		requests.subscribe("111111111111", key).follow(
			() => {},
			() => ended.push(key),
		);
	}
	assert.equal(
		requests.endViews((key) => key === "GONE"),
		2,
	);
	assert.deepEqual(ended, ["GONE", "GONE"]);
	assert.equal(
		requests.endViews((key) => key === "GONE"),
		0,
	);
});

describe("the console over HTTP", () => {
	const t = useServer(async () => ({
		credentials: TWO_ACCOUNTS,
		consoleDir: await builtConsole(),
	}));
	const off = useServer(async () => ({
		config: { console: "off" },
		consoleDir: await builtConsole(),
	}));
	const everywhere = useServer(async () => ({
		config: { host: "0.0.0.0" },
		consoleDir: await builtConsole(),
	}));
	const everywhereOn = useServer(async () => ({
		config: { host: "0.0.0.0", console: "on" },
		consoleDir: await builtConsole(),
	}));

	test("the page and its files, with strict security headers and no third-party address", async () => {
		for (const path of ["/console", "/console/"]) {
			const page = await fetch(`${t.url}${path}`);
			assert.equal(page.status, 200);
			assert.equal(
				page.headers.get("content-type"),
				"text/html; charset=utf-8",
			);
			const csp = page.headers.get("content-security-policy") ?? "";
			assert.match(csp, /default-src 'self'/);
			assert.match(csp, /script-src 'self';/);
			assert.match(csp, /connect-src 'self'/);
			assert.match(csp, /frame-ancestors 'none'/);
			assert.doesNotMatch(csp, /unsafe/);
			assert.equal(page.headers.get("x-content-type-options"), "nosniff");
			assert.equal(page.headers.get("referrer-policy"), "no-referrer");
			assert.equal(page.headers.get("x-frame-options"), "DENY");
			const html = await page.text();
			assert.doesNotMatch(html, /<script>|<style>|\son\w+=/, "nothing inline");
		}
		for (const [file, type] of [
			["app.js", "text/javascript; charset=utf-8"],
			["style.css", "text/css; charset=utf-8"],
		] as const) {
			const answer = await fetch(`${t.url}/console/${file}`);
			assert.equal(answer.status, 200);
			assert.equal(answer.headers.get("content-type"), type);
			assert.match(
				answer.headers.get("content-security-policy") ?? "",
				/'self'/,
			);
			const text = await answer.text();
			// No address of another site is fetched: the only URLs are in the SDK's docs strings.
			assert.doesNotMatch(text, /(src|href)=["']https?:/);
		}
	});

	test("paths outside its files are not found", async () => {
		for (const path of [
			"/console/nothing.js",
			"/console/..%2fpackage.json",
			"/console/%2e%2e/%2e%2e/package.json",
			"/console/sub/app.js",
		]) {
			const answer = await fetch(`${t.url}${path}`);
			assert.equal(answer.status, 404, path);
		}
	});

	test("--console off: not served", async () => {
		for (const path of ["/console", "/console/", "/console/app.js"]) {
			const answer = await fetch(`${off.url}${path}`);
			assert.equal(answer.status, 404, path);
			assert.equal(await errorType(answer), "UnknownOperationException");
		}
		const stream = await signedGet(`${off.url}/console/api/requests`, {
			accessKeyId: "test",
			secretAccessKey: "test",
		});
		assert.equal(stream.status, 404);
	});

	test("a server on every interface serves it only with --console on", async () => {
		assert.equal(everywhere.server.consoleUrl, undefined);
		assert.equal((await fetch(`${everywhere.url}/console/`)).status, 404);
		assert.equal(
			everywhereOn.server.consoleUrl,
			`${everywhereOn.url}/console/`,
		);
		assert.equal((await fetch(`${everywhereOn.url}/console/`)).status, 200);
	});

	test("the live view's stream needs a valid signature", async () => {
		const url = `${t.url}/console/api/requests`;
		const unsigned = await fetch(url);
		assert.equal(unsigned.status, 400);
		assert.equal(
			await errorType(unsigned),
			"MissingAuthenticationTokenException",
		);
		const wrong = await signedGet(url, {
			accessKeyId: "test",
			secretAccessKey: "wrong",
		});
		assert.equal(wrong.status, 400);
		assert.equal(await errorType(wrong), "InvalidSignatureException");
		const unknown = await signedGet(url, {
			accessKeyId: "nobody",
			secretAccessKey: "x",
		});
		assert.equal(await errorType(unknown), "UnrecognizedClientException");
		const keys = await signedGet(`${t.url}/console/api/keys`, {
			accessKeyId: "test",
			secretAccessKey: "wrong",
		});
		assert.equal(await errorType(keys), "InvalidSignatureException");
	});

	test("its errors carry its security headers too, and no page of another origin may call it", async () => {
		for (const path of ["/console/api/requests", "/console/api/keys"]) {
			const refused = await fetch(`${t.url}${path}`, {
				headers: { origin: "https://elsewhere.example" },
			});
			assert.equal(refused.status, 400);
			assert.equal(
				refused.headers.get("x-frame-options"),
				"DENY",
				`${path}: security headers on an error`,
			);
			assert.match(
				refused.headers.get("content-security-policy") ?? "",
				/frame-ancestors 'none'/,
			);
			assert.equal(refused.headers.get("x-content-type-options"), "nosniff");
			assert.equal(refused.headers.get("access-control-allow-origin"), null);
			await refused.body?.cancel();
			// A browser's pre-flight before a signed call from another origin: not answered.
			const preflight = await fetch(`${t.url}${path}`, {
				method: "OPTIONS",
				headers: {
					origin: "https://elsewhere.example",
					"access-control-request-method": "GET",
					"access-control-request-headers": "authorization,x-amz-date",
				},
			});
			assert.equal(preflight.status, 404);
			assert.equal(preflight.headers.get("access-control-allow-origin"), null);
			await preflight.body?.cancel();
		}
		// The API's own pre-flight is answered as before.
		const api = await fetch(`${t.url}/`, {
			method: "OPTIONS",
			headers: {
				origin: "https://elsewhere.example",
				"access-control-request-method": "POST",
			},
		});
		assert.equal(api.status, 204);
		assert.equal(api.headers.get("access-control-allow-origin"), "*");
	});

	test("the stream carries the signer's account's calls, and no other's", async () => {
		const mine = await t.client.send(
			new ListIdentityPoolsCommand({ MaxResults: 1 }),
		);
		const theirs = await t
			.sdk(OTHER_ACCOUNT)
			.send(new ListIdentityPoolsCommand({ MaxResults: 1 }));
		const abort = new AbortController();
		const answer = await signedGet(
			`${t.url}/console/api/requests`,
			{ accessKeyId: "other", secretAccessKey: "other-secret" },
			abort.signal,
		);
		assert.equal(answer.status, 200);
		assert.equal(
			answer.headers.get("content-type"),
			"text/event-stream; charset=utf-8",
		);
		const reader = (answer.body as ReadableStream<Uint8Array>)
			.pipeThrough(new TextDecoderStream())
			.getReader();
		let text = "";
		// A call of the other account made now arrives on the open stream.
		const later = await t
			.sdk(OTHER_ACCOUNT)
			.send(new ListIdentityPoolsCommand({ MaxResults: 2 }));
		while (!text.includes(later.$metadata.requestId as string)) {
			const { value, done } = await reader.read();
			assert.ok(!done, "the stream stays open");
			text += value;
		}
		abort.abort();
		const events = text
			.split("\n\n")
			.filter((e) => e.startsWith("event: call\ndata: "))
			.map(
				(e) =>
					JSON.parse(e.slice("event: call\ndata: ".length)) as {
						requestId: string;
						accountId: string;
					},
			);
		assert.ok(events.some((e) => e.requestId === theirs.$metadata.requestId));
		assert.ok(events.every((e) => e.accountId === OTHER_ACCOUNT.accountId));
		assert.ok(!text.includes(mine.$metadata.requestId as string));
		const call = events.find(
			(e) => e.requestId === later.$metadata.requestId,
		) as object;
		// What a call says: nothing of the request (no key, token or body).
		assert.deepEqual(Object.keys(call).sort(), [
			"accountId",
			"callerKind",
			"durationSeconds",
			"internal",
			"operation",
			"region",
			"requestId",
			"service",
			"statusCode",
			"time",
		]);
	});

	test("a server with few connections holds live views in proportion (--max-connections 16: two)", async () => {
		await withServer(
			{ config: { maxConnections: 16 }, consoleDir: await builtConsole() },
			async (small) => {
				const url = `${small.url}/console/api/requests`;
				const key = { accessKeyId: "test", secretAccessKey: "test" };
				const aborts: AbortController[] = [];
				try {
					for (let i = 0; i < 2; i++) {
						const abort = new AbortController();
						aborts.push(abort);
						assert.equal((await signedGet(url, key, abort.signal)).status, 200);
					}
					const third = await signedGet(url, key);
					assert.equal(third.status, 400);
					assert.deepEqual(await third.json(), {
						__type: "TooManyRequestsException",
						message:
							"Too many live views are open on this server (2): try again later.",
					});
					// The calls themselves still have their connections.
					const calls = await fetch(`${small.url}/health`);
					assert.equal(calls.status, 200);
				} finally {
					for (const abort of aborts) abort.abort();
				}
			},
		);
	});

	test("a connection carries one live view (one sent behind it takes no place), an account eight", async () => {
		const key = { accessKeyId: "test", secretAccessKey: "test" };
		const url = new URL(`${t.url}/console/api/requests`);
		const signed = await signedHeaders(url.href, key);
		const get = `GET ${url.pathname} HTTP/1.1\r\n${Object.entries(signed)
			.map(([name, value]) => `${name}: ${value}`)
			.join("\r\n")}\r\n\r\n`;
		// One connection, the same signed request sent 50 times without waiting (pipelined).
		const socket = net.connect(Number(url.port), url.hostname);
		const aborts: AbortController[] = [];
		try {
			let received = "";
			socket.setEncoding("utf8").on("data", (chunk: string) => {
				received += chunk;
			});
			socket.write(get.repeat(50));
			while (!received.includes("\r\n\r\n")) {
				await new Promise((r) => setTimeout(r, 10));
			}
			assert.match(received, /^HTTP\/1\.1 200 /);
			// Seven more views of the account, each on a connection of its own: the pipelined
			// requests took no place.
			for (let i = 0; i < 7; i++) {
				const abort = new AbortController();
				aborts.push(abort);
				const answer = await signedGet(url.href, key, abort.signal);
				assert.equal(answer.status, 200, `view ${i + 2}`);
			}
			const ninth = await signedGet(url.href, key);
			assert.equal(ninth.status, 400);
			assert.deepEqual(await ninth.json(), {
				__type: "TooManyRequestsException",
				message:
					"Too many live views are open for this account (8): close one.",
			});
			// Another account has places of its own.
			const abort = new AbortController();
			aborts.push(abort);
			const other = await signedGet(
				url.href,
				{ accessKeyId: "other", secretAccessKey: "other-secret" },
				abort.signal,
			);
			assert.equal(other.status, 200);
			// A view closed gives its place back.
			socket.destroy();
			let again: Response | undefined;
			for (let i = 0; i < 100 && again?.status !== 200; i++) {
				await new Promise((r) => setTimeout(r, 20));
				const abort = new AbortController();
				aborts.push(abort);
				again = await signedGet(url.href, key, abort.signal);
			}
			assert.equal(again?.status, 200);
		} finally {
			socket.destroy();
			for (const abort of aborts) abort.abort();
		}
	});

	test("a view queued behind another answer gives its place back when its connection closes", async () => {
		const key = { accessKeyId: "test", secretAccessKey: "test" };
		const url = new URL(`${t.url}/console/api/requests`);
		// Each time: large answers the client does not read, then a stream request behind them
		// (its answer waits its turn), then the connection closed.
		for (let round = 0; round < LIVE_VIEWS_PER_ACCOUNT + 2; round++) {
			const signed = await signedHeaders(url.href, key);
			const socket = net.connect(Number(url.port), url.hostname);
			socket.pause();
			await new Promise((r) => socket.once("connect", r));
			const script = `GET /console/app.js HTTP/1.1\r\nhost: ${url.host}\r\n\r\n`;
			socket.write(
				`${script.repeat(30)}GET ${url.pathname} HTTP/1.1\r\n${Object.entries(
					signed,
				)
					.map(([name, value]) => `${name}: ${value}`)
					.join("\r\n")}\r\n\r\n`,
			);
			await new Promise((r) => setTimeout(r, 200));
			socket.destroy();
		}
		// Every place is free again: a view opens at once.
		let answer: Response | undefined;
		const abort = new AbortController();
		for (let i = 0; i < 50 && answer?.status !== 200; i++) {
			if (i > 0) await new Promise((r) => setTimeout(r, 50));
			await answer?.body?.cancel();
			answer = await signedGet(url.href, key, abort.signal);
		}
		assert.equal(answer?.status, 200);
		abort.abort();
	});

	test("a stopping server ends the open streams itself: none is left for its shutdown deadline to cut", async () => {
		await withServer(
			{
				config: { shutdownTimeoutSeconds: 30 },
				consoleDir: await builtConsole(),
			},
			async (s) => {
				const answer = await signedGet(`${s.url}/console/api/requests`, {
					accessKeyId: "test",
					secretAccessKey: "test",
				});
				assert.equal(answer.status, 200);
				const reader = (answer.body as ReadableStream<Uint8Array>)
					.pipeThrough(new TextDecoderStream())
					.getReader();
				const report = await s.server.close();
				assert.equal(report.closedConnections, 0);
				for (;;) {
					const { done } = await reader.read();
					if (done) break;
				}
			},
		);
	});
});
