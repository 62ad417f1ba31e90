/**
 * What the HTTP layer answers to requests that never reach the dispatcher (malformed HTTP,
 * headers too large, a body cut short, no Host): an AWS-style error envelope, sent on raw
 * sockets because no HTTP client sends such requests (docs/behaviour.md#wire-protocol).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { useServer } from "../support/server.ts";
import { exchange, type SocketAnswer } from "../support/sockets.ts";

const TARGET = "X-Amz-Target: AWSCognitoIdentityService.ListIdentityPools\r\n";

/** Asserts an AWS-shaped error answer: status, `__type`, message, headers; the connection closed. */
function assertAwsError(
	answer: SocketAnswer | undefined,
	status: number,
	type: string,
	message: RegExp,
): void {
	assert.ok(answer, "an answer arrived");
	assert.equal(answer.status, status, answer.body);
	assert.deepEqual(Object.keys(answer.json ?? {}).sort(), [
		"__type",
		"message",
	]);
	assert.equal(answer.json?.__type, type);
	assert.match(String(answer.json?.message), message);
	assert.equal(answer.headers["content-type"], "application/x-amz-json-1.1");
	assert.equal(answer.headers["x-amzn-errortype"], `${type}:`);
	assert.match(answer.headers["x-amzn-requestid"] ?? "", /^[0-9a-f-]{36}$/);
	assert.equal(answer.headers.connection, "close");
	assert.ok(answer.headers.date, "a Date header");
	assert.equal(answer.headers["access-control-allow-origin"], "*");
}

describe("errors of the HTTP layer are AWS-shaped", () => {
	const t = useServer();

	test("headers larger than the limit: 431 RequestHeaderFieldsTooLargeException", async () => {
		const { answer, closed } = await exchange(
			t.url,
			`POST / HTTP/1.1\r\nHost: x\r\n${TARGET}X-Big: ${"a".repeat(20_000)}\r\n\r\n`,
		);
		assertAwsError(
			answer,
			431,
			"RequestHeaderFieldsTooLargeException",
			/headers are larger than the limit of 16384 bytes/,
		);
		assert.ok(closed);
	});

	test("a body shorter than its Content-Length: 400 SerializationException", async () => {
		const { answer, closed } = await exchange(
			t.url,
			`POST / HTTP/1.1\r\nHost: x\r\n${TARGET}Content-Length: 100\r\n\r\n{"MaxResults":`,
			{ end: true },
		);
		assertAwsError(
			answer,
			400,
			"SerializationException",
			/ended before the length its Content-Length header announced/,
		);
		assert.ok(closed);
	});

	test("Content-Length together with Transfer-Encoding: 400 BadRequestException", async () => {
		const { answer, closed } = await exchange(
			t.url,
			`POST / HTTP/1.1\r\nHost: x\r\n${TARGET}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
		);
		assertAwsError(answer, 400, "BadRequestException", /not valid HTTP\/1\.1/);
		assert.ok(closed);
	});

	test("TLS on the plain-HTTP port: 400 BadRequestException that says so", async () => {
		// The first bytes of a TLS ClientHello.
		const hello = Buffer.from(
			"16030100a5010000a10303000102030405060708090a0b0c0d0e0f",
			"hex",
		);
		const { answer, closed } = await exchange(t.url, hello);
		assertAwsError(answer, 400, "BadRequestException", /plain HTTP, not TLS/);
		assert.ok(closed);
	});

	test("a request line that is not HTTP: 400 BadRequestException", async () => {
		const { answer, closed } = await exchange(t.url, "GARBAGE\r\n\r\n");
		assertAwsError(answer, 400, "BadRequestException", /not valid HTTP\/1\.1/);
		assert.ok(closed);
	});

	test("an HTTP/1.1 request without Host: 400 BadRequestException", async () => {
		const { answer, closed } = await exchange(
			t.url,
			`POST / HTTP/1.1\r\n${TARGET}Content-Length: 2\r\n\r\n{}`,
		);
		assertAwsError(answer, 400, "BadRequestException", /Host header/);
		assert.ok(closed);
	});

	test("an HTTP/1.0 request without Host is answered as usual", async () => {
		const { answer } = await exchange(t.url, "GET /health HTTP/1.0\r\n\r\n");
		assert.equal(answer?.status, 200);
		assert.equal(answer?.json?.status, "ok");
	});

	test("a path whose percent-escapes are not UTF-8: 400 BadRequestException", async () => {
		for (const path of ["/%ff", "/%c0%80", "/%"]) {
			const response = await fetch(`${t.url}${path}`, {
				method: "POST",
				headers: { "content-type": "application/x-amz-json-1.1" },
				body: "{}",
			});
			assert.equal(response.status, 400, path);
			assert.equal(
				response.headers.get("content-type"),
				"application/x-amz-json-1.1",
			);
			assert.equal(
				response.headers.get("x-amzn-errortype"),
				"BadRequestException:",
			);
			assert.match(
				response.headers.get("x-amzn-requestid") ?? "",
				/^[0-9a-f-]{36}$/,
			);
			assert.deepEqual(await response.json(), {
				__type: "BadRequestException",
				message: "The request path is not valid percent-encoded UTF-8.",
			});
		}
	});

	test("a well-formed request on the same kind of socket is answered (the checks above are not blanket refusals)", async () => {
		const { answer } = await exchange(
			t.url,
			`POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: AWSCognitoIdentityService.GetId\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`,
		);
		assert.equal(answer?.status, 400);
		assert.equal(answer?.json?.__type, "ValidationException");
	});
});
