/**
 * Slow and idle clients cannot hold a server's connections or memory for good: a request
 * (headers and body) must arrive within `--request-timeout-seconds`, an idle keep-alive
 * connection is closed after `--keep-alive-timeout-seconds`, and connections beyond
 * `--max-connections` are refused (docs/behaviour.md#connections). Raw sockets play the
 * clients; the server's own count of open connections shows what it still holds.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { IdpoolServer } from "../../src/server/create-server.ts";
import { type Exposition, parseExposition } from "../support/metrics.ts";
import { useServer } from "../support/server.ts";
import {
	type Connection,
	connect,
	delay,
	exchange,
	parseAnswer,
	waitFor,
} from "../support/sockets.ts";

/** The head of an (unsigned) GetId call whose body is `length` bytes. */
const HEAD = (length: number) =>
	`POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: AWSCognitoIdentityService.GetId\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: ${length}\r\n\r\n`;
const HEALTH = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";
const NO_POOL = "us-east-1:00000000-0000-4000-8000-000000000000";

/** The connections the server holds open now. */
function openConnections(server: IdpoolServer): Promise<number> {
	return new Promise((resolve, reject) =>
		server.app.server.getConnections((err, n) =>
			err ? reject(err) : resolve(n),
		),
	);
}

/** Asserts that `c` got a 408 RequestTimeoutException and was closed. */
async function assertTimedOut(c: Connection): Promise<void> {
	assert.ok(
		await waitFor(() => c.isClosed(), 8000),
		"the server closed the connection",
	);
	const answer = parseAnswer(c.received());
	assert.equal(answer?.status, 408, c.received());
	assert.equal(answer?.json?.__type, "RequestTimeoutException");
	assert.match(String(answer?.json?.message), /within 1 seconds?/);
}

/** `GET /metrics` on a connection of its own that the server closes after answering. */
async function scrapeAndClose(url: string): Promise<Exposition> {
	const { answer } = await exchange(
		url,
		"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
	);
	assert.equal(answer?.status, 200);
	return parseExposition(answer?.body ?? "");
}

describe("slow clients", () => {
	const t = useServer({
		config: {
			requestTimeoutSeconds: 1,
			keepAliveTimeoutSeconds: 1,
			maxConnections: 30,
		},
	});

	/**
	 * Sends `head`, then `piece` every 100 ms (for 8 s at most, far past the bound) until the
	 * server closes the connection; asserts it was cut with RequestTimeoutException.
	 */
	async function trickle(head: string, piece: string): Promise<void> {
		const c = await connect(t.url);
		c.write(head);
		for (let i = 0; i < 80 && !c.isClosed(); i++) {
			c.write(piece);
			await delay(100);
		}
		await assertTimedOut(c);
	}

	test("a body trickled slower than the request timeout allows is cut with RequestTimeoutException", async () => {
		// One byte every 100 ms would take 100 s; the server must not wait for it.
		await trickle(HEAD(1000), "{");
	});

	test("headers that never end are cut with RequestTimeoutException", async () => {
		await trickle("POST / HTTP/1.1\r\nHost: x\r\n", "X-Slow: 1\r\n");
		// With the body trickled before: two refusals counted for the operator.
		const metrics = await scrapeAndClose(t.url);
		assert.equal(
			metrics.value("idpool_http_refused_total", { reason: "timeout" }),
			2,
		);
	});

	test("a connection that sends nothing is closed", async () => {
		const c = await connect(t.url);
		assert.ok(await waitFor(() => c.isClosed(), 8000));
	});

	test("a request that arrives in time, even in pieces, is answered", async () => {
		const c = await connect(t.url);
		const body = `{"IdentityPoolId": "${NO_POOL}"}`;
		c.write(HEAD(body.length));
		for (const piece of [body.slice(0, 5), body.slice(5, 30), body.slice(30)]) {
			await delay(150);
			c.write(piece);
		}
		// The operation read the whole body: it looked the pool up.
		const answer = await c.answered();
		assert.equal(answer?.json?.__type, "ResourceNotFoundException");
		c.destroy();
	});

	test("an idle keep-alive connection is closed after the keep-alive timeout", async () => {
		const c = await connect(t.url);
		c.write(HEALTH);
		const answer = await c.answered();
		assert.equal(answer?.status, 200);
		assert.notEqual(answer?.headers.connection, "close");
		assert.ok(
			await waitFor(() => c.isClosed(), 8000),
			"the idle connection was closed",
		);
	});

	test("stalled bodies are released: the connections are closed and the server holds none of them", async () => {
		// Opened at once: with a request timeout of 1 s, connections opened one after the other
		// on a busy machine could be cut before the last one is open.
		const stalled: Connection[] = await Promise.all(
			Array.from({ length: 20 }, async () => {
				const c = await connect(t.url);
				// Half of a 1 MiB body, then nothing.
				c.write(HEAD(1024 * 1024));
				c.write(Buffer.alloc(512 * 1024, 0x20));
				return c;
			}),
		);
		// Each was held until the request timeout cut it (a 408 on that very connection)...
		for (const c of stalled) await assertTimedOut(c);
		// ...and the server keeps none of them.
		assert.ok(
			await waitFor(async () => (await openConnections(t.server)) === 0, 5000),
			`the server still holds ${await openConnections(t.server)} connections`,
		);
	});
});

describe("the connection cap", () => {
	const t = useServer({
		config: { maxConnections: 3, keepAliveTimeoutSeconds: 60 },
	});

	test("a connection beyond --max-connections is refused; idle keep-alive connections make room", async () => {
		// Three keep-alive connections, each idle after one answered request.
		const idle: Connection[] = [];
		for (let i = 0; i < 3; i++) {
			const c = await connect(t.url);
			c.write(HEALTH);
			assert.equal((await c.answered())?.status, 200);
			idle.push(c);
		}
		const refused = await connect(t.url);
		refused.write(HEALTH);
		assert.ok(
			await waitFor(() => refused.isClosed(), 5000),
			"the fourth connection was closed",
		);
		assert.equal(refused.received(), "", "nothing was answered on it");
		// The refusal closed the idle connections, so the next client gets in.
		assert.ok(await waitFor(() => idle.every((c) => c.isClosed()), 5000));
		const next = await connect(t.url);
		next.write(HEALTH);
		assert.equal((await next.answered())?.status, 200);
		next.destroy();
		// Counted for the operator (docs/operating.md#metrics), read on a connection that closes.
		const metrics = await scrapeAndClose(t.url);
		assert.equal(
			metrics.value("idpool_http_refused_total", {
				reason: "connection_limit",
			}),
			1,
		);
	});

	test("busy connections are not closed to make room", async () => {
		// The connections of the test before are gone on the server's side too.
		assert.ok(
			await waitFor(async () => (await openConnections(t.server)) === 0, 5000),
		);
		const busy: Connection[] = [];
		for (let i = 0; i < 3; i++) {
			const c = await connect(t.url);
			c.write(HEAD(100));
			busy.push(c);
		}
		assert.ok(
			await waitFor(async () => (await openConnections(t.server)) === 3, 5000),
		);
		const refused = await connect(t.url);
		assert.ok(await waitFor(() => refused.isClosed(), 5000));
		await delay(100);
		assert.ok(busy.every((c) => !c.isClosed()));
		// The busy clients finish their requests and are answered.
		for (const c of busy) {
			c.write(`{${" ".repeat(98)}}`);
			assert.equal((await c.answered())?.json?.__type, "ValidationException");
			c.destroy();
		}
	});
});
