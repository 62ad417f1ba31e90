/**
 * CORS as browsers check it (docs/behaviour.md#cors), with raw requests: pre-flights allow
 * exactly the headers they ask for (Amplify's `cache-control`, the SDKs' own), answers expose
 * the headers the SDKs read, any origin is allowed by default, and `--cors-origins` restricts
 * them, in the answers of the dispatcher and of the HTTP layer alike. test/browser/ shows the
 * same in a real browser.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { raw } from "../support/raw.ts";
import { useServer } from "../support/server.ts";
import { exchange } from "../support/sockets.ts";

const GET_ID = "AWSCognitoIdentityService.GetId";
/** What Amplify's `fetchAuthSession()` asks for before GetId in Chromium. */
const AMPLIFY_HEADERS =
	"amz-sdk-invocation-id,amz-sdk-request,cache-control,content-type,x-amz-target,x-amz-user-agent";

/** A pre-flight, as a browser sends it before a cross-origin call. */
function preflight(url: string, origin: string, headers: string) {
	return fetch(url, {
		method: "OPTIONS",
		headers: {
			origin,
			"access-control-request-method": "POST",
			"access-control-request-headers": headers,
		},
	});
}

/** The comma-separated tokens of a header, in lower case. */
function tokens(value: string | null): string[] {
	return (value ?? "")
		.split(",")
		.map((t) => t.trim().toLowerCase())
		.filter(Boolean);
}

/** A request that node's parser refuses, answered on the socket by the HTTP layer. */
const MALFORMED = "GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n";

describe("CORS: any origin (the default)", () => {
	const t = useServer();

	test("a pre-flight allows exactly the headers it asks for, Amplify's cache-control included", async () => {
		const answer = await preflight(
			t.url,
			"http://app.example",
			AMPLIFY_HEADERS,
		);
		assert.equal(answer.status, 204);
		assert.equal(answer.headers.get("access-control-allow-origin"), "*");
		assert.deepEqual(
			tokens(answer.headers.get("access-control-allow-headers")),
			tokens(AMPLIFY_HEADERS),
		);
		assert.deepEqual(
			tokens(answer.headers.get("access-control-allow-methods")),
			["get", "post", "options"],
		);
		assert.equal(answer.headers.get("access-control-max-age"), "86400");
		// The answer depends on the headers asked for: caches must key on them.
		assert.ok(
			tokens(answer.headers.get("vary")).includes(
				"access-control-request-headers",
			),
		);
	});

	test("headers no list would know are reflected as asked", async () => {
		const asked = "x-amz-security-token, x-custom-trace, amz-sdk-future";
		const answer = await preflight(t.url, "http://app.example", asked);
		assert.deepEqual(
			tokens(answer.headers.get("access-control-allow-headers")),
			tokens(asked),
		);
	});

	test("answers, errors included, expose the request id, the error and the date", async () => {
		const answer = await raw(t.url, {
			target: GET_ID,
			body: JSON.stringify({ IdentityPoolId: "us-east-1:nope" }),
			sign: false,
			extraHeaders: { origin: "http://app.example" },
		});
		assert.equal(answer.status, 400);
		assert.equal(answer.headers.get("access-control-allow-origin"), "*");
		assert.deepEqual(
			tokens(answer.headers.get("access-control-expose-headers")),
			["x-amzn-requestid", "x-amzn-errortype", "x-amzn-errormessage", "date"],
		);
	});

	test("an OPTIONS that is no pre-flight (no Origin, or no method asked for) names nothing, as GET / does", async () => {
		for (const headers of [
			{},
			{ origin: "https://app.example.com" },
			{ "access-control-request-method": "POST" },
		] as Record<string, string>[]) {
			const res = await fetch(`${t.url}/?probe=1`, {
				method: "OPTIONS",
				headers,
			});
			assert.equal(res.status, 404, JSON.stringify(headers));
			assert.match(
				res.headers.get("x-amzn-requestid") ?? "",
				/^[0-9a-f-]{36}$/,
			);
			assert.equal(
				res.headers.get("x-amzn-errortype"),
				"UnknownOperationException:",
			);
			assert.deepEqual(await res.json(), {
				__type: "UnknownOperationException",
				message: "No such resource: OPTIONS /",
			});
		}
		// A pre-flight is still one.
		const real = await preflight(
			t.url,
			"https://app.example.com",
			"x-amz-target",
		);
		assert.equal(real.status, 204);
	});

	test("the answers of the HTTP layer carry the same CORS headers", async () => {
		const { answer } = await exchange(t.url, MALFORMED);
		assert.equal(answer?.status, 400);
		assert.equal(answer?.headers["access-control-allow-origin"], "*");
		assert.deepEqual(
			tokens(answer?.headers["access-control-expose-headers"] ?? null),
			["x-amzn-requestid", "x-amzn-errortype", "x-amzn-errormessage", "date"],
		);
	});
});

describe("CORS: --cors-origins restricts the origins", () => {
	const allowed = "http://127.0.0.1:5173";
	const t = useServer({
		config: { corsOrigins: [allowed, "https://app.example.com"] },
	});

	test("a listed origin is answered with itself, and Vary: Origin", async () => {
		const answer = await preflight(t.url, allowed, AMPLIFY_HEADERS);
		assert.equal(answer.status, 204);
		assert.equal(answer.headers.get("access-control-allow-origin"), allowed);
		assert.deepEqual(
			tokens(answer.headers.get("access-control-allow-headers")),
			tokens(AMPLIFY_HEADERS),
		);
		assert.ok(tokens(answer.headers.get("vary")).includes("origin"));
		const call = await raw(t.url, {
			target: GET_ID,
			body: JSON.stringify({ IdentityPoolId: "us-east-1:nope" }),
			sign: false,
			extraHeaders: { origin: "https://app.example.com" },
		});
		assert.equal(
			call.headers.get("access-control-allow-origin"),
			"https://app.example.com",
		);
	});

	test("another origin gets no Access-Control-Allow-Origin, so its browser refuses the answer", async () => {
		for (const origin of [
			"http://127.0.0.1:5174",
			"http://localhost:5173",
			"https://app.example.com.evil.example",
			"null",
		]) {
			const answer = await preflight(t.url, origin, AMPLIFY_HEADERS);
			assert.equal(
				answer.headers.get("access-control-allow-origin"),
				null,
				origin,
			);
			const call = await raw(t.url, {
				target: GET_ID,
				body: JSON.stringify({ IdentityPoolId: "us-east-1:nope" }),
				sign: false,
				extraHeaders: { origin },
			});
			// Still answered: CORS binds browsers, it is not access control.
			assert.equal(call.json?.__type, "ValidationException");
			assert.equal(call.headers.get("access-control-allow-origin"), null);
		}
	});

	test("the answers of the HTTP layer, whose origin is unknown, open to no origin", async () => {
		const { answer } = await exchange(t.url, MALFORMED);
		assert.equal(answer?.status, 400);
		assert.equal(answer?.json?.__type, "BadRequestException");
		assert.equal(answer?.headers["access-control-allow-origin"], undefined);
	});
});
