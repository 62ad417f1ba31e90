import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.ts";
import type { Store } from "../../src/store/store.ts";
import { TWO_ACCOUNTS } from "../support/identities.ts";
import { raw } from "../support/raw.ts";
import { useServer, withServer } from "../support/server.ts";

const CREATE = "AWSCognitoIdentityService.CreateIdentityPool";

/** Creates a pool named `name` over raw HTTP (test/test); answers its id. */
async function createPool(url: string, name: string): Promise<string> {
	const created = await raw(url, {
		target: CREATE,
		body: JSON.stringify({
			IdentityPoolName: name,
			AllowUnauthenticatedIdentities: false,
		}),
	});
	assert.equal(created.status, 200, created.text);
	return created.json?.IdentityPoolId as string;
}

describe("awsJson1_1 wire protocol (raw HTTP)", () => {
	const t = useServer({ credentials: TWO_ACCOUNTS });

	test("a successful call answers compact JSON with the JSON 1.1 content type and a request id", async () => {
		const res = await raw(t.url, {
			target: CREATE,
			body: JSON.stringify({
				IdentityPoolName: "raw",
				AllowUnauthenticatedIdentities: false,
			}),
		});
		assert.equal(res.status, 200);
		assert.equal(res.headers.get("content-type"), "application/x-amz-json-1.1");
		assert.match(res.headers.get("x-amzn-requestid") ?? "", /^[0-9a-f-]{36}$/);
		assert.ok(res.headers.get("date"));
		assert.equal(res.text, JSON.stringify(res.json));
	});

	test("the error envelope is exactly __type and message, with the error headers", async () => {
		const res = await raw(t.url, {
			target: "AWSCognitoIdentityService.DescribeIdentityPool",
			body: JSON.stringify({
				IdentityPoolId: "us-east-1:00000000-0000-4000-8000-000000000000",
			}),
		});
		assert.equal(res.status, 400);
		assert.equal(
			res.text,
			'{"__type":"ResourceNotFoundException","message":"IdentityPool \'us-east-1:00000000-0000-4000-8000-000000000000\' not found."}',
		);
		assert.equal(
			res.headers.get("x-amzn-errortype"),
			"ResourceNotFoundException:",
		);
		assert.equal(
			res.headers.get("x-amzn-errormessage"),
			"IdentityPool 'us-east-1:00000000-0000-4000-8000-000000000000' not found.",
		);
		assert.ok(res.headers.get("x-amzn-requestid"));
	});

	test("a missing target is UnknownOperationException", async () => {
		const res = await raw(t.url, { target: undefined });
		assert.equal(res.status, 400);
		assert.equal(res.json?.__type, "UnknownOperationException");
	});

	test("an unknown target is UnknownOperationException", async () => {
		for (const target of [
			"AWSCognitoIdentityService.FlyToTheMoon",
			"SomeOtherService.ListIdentityPools",
			"ListIdentityPools",
			"AWSCognitoIdentityService.toString",
			"AWSCognitoIdentityService.__proto__",
		]) {
			const res = await raw(t.url, { target });
			assert.equal(res.status, 400, target);
			assert.equal(res.json?.__type, "UnknownOperationException", target);
		}
	});

	test("the legacy long target form and application/json are accepted", async () => {
		const res = await raw(t.url, {
			target:
				"com.amazonaws.cognito.identity.model.AWSCognitoIdentityService.ListIdentityPools",
			contentType: "application/json",
			body: JSON.stringify({ MaxResults: 5 }),
		});
		assert.equal(res.status, 200);
		assert.ok(Array.isArray(res.json?.IdentityPools));
	});

	test("another content type is SerializationException", async () => {
		const res = await raw(t.url, {
			contentType: "text/plain",
			body: JSON.stringify({ MaxResults: 5 }),
		});
		assert.equal(res.status, 400);
		assert.equal(res.json?.__type, "SerializationException");
	});

	test("a charset other than UTF-8 is SerializationException; UTF-8 in any spelling is read", async () => {
		for (const contentType of [
			"application/json; charset=utf-16",
			"application/x-amz-json-1.1; charset=UTF-16LE",
			'application/json; charset="iso-8859-1"',
			"application/json;charset=latin1",
			"application/json; charset=",
		]) {
			const res = await raw(t.url, {
				contentType,
				body: JSON.stringify({ MaxResults: 5 }),
			});
			assert.equal(res.status, 400, contentType);
			assert.deepEqual(
				res.json,
				{
					__type: "SerializationException",
					message: `Unsupported content type: ${contentType}`,
				},
				contentType,
			);
		}
		for (const contentType of [
			"application/json; charset=utf-8",
			"application/x-amz-json-1.1; charset=UTF-8",
			'application/json; charset="utf-8"',
			"application/json;charset=utf8",
			"application/json; version=1; charset=Utf-8",
		]) {
			const res = await raw(t.url, {
				contentType,
				body: JSON.stringify({ MaxResults: 5 }),
			});
			assert.equal(res.status, 200, `${contentType}: ${res.text}`);
		}
	});

	test("a body that is not valid UTF-8 is SerializationException, not read with replacement characters", async () => {
		const body = Buffer.concat([
			Buffer.from('{"MaxResults":5,"NextToken":"a'),
			Buffer.from([0xed, 0xa0, 0x80]),
			Buffer.from('"}'),
		]);
		const res = await raw(t.url, { body });
		assert.equal(res.status, 400);
		assert.deepEqual(res.json, {
			__type: "SerializationException",
			message: "Malformed JSON: the request body is not valid UTF-8.",
		});
	});

	test("malformed JSON, and a body that is not an object, are SerializationException", async () => {
		for (const body of ["{not json", "[]", "42", '"text"', "null"]) {
			const res = await raw(t.url, { body });
			assert.equal(res.status, 400, body);
			assert.equal(res.json?.__type, "SerializationException", body);
		}
	});

	test("members of the wrong JSON type are SerializationException", async () => {
		const res = await raw(t.url, {
			target: CREATE,
			body: JSON.stringify({
				IdentityPoolName: ["x"],
				AllowUnauthenticatedIdentities: false,
			}),
		});
		assert.equal(res.status, 400);
		assert.deepEqual(res.json, {
			__type: "SerializationException",
			message: "Start of list found where not expected",
		});
		const res2 = await raw(t.url, {
			target: CREATE,
			body: JSON.stringify({
				IdentityPoolName: "x",
				AllowUnauthenticatedIdentities: "yes",
			}),
		});
		assert.equal(res2.json?.__type, "SerializationException");
		const res3 = await raw(t.url, {
			target: CREATE,
			body: JSON.stringify({
				IdentityPoolName: { a: 1 },
				AllowUnauthenticatedIdentities: false,
			}),
		});
		assert.equal(res3.json?.__type, "SerializationException");
	});

	test("unknown members are ignored", async () => {
		const res = await raw(t.url, {
			target: CREATE,
			body: JSON.stringify({
				IdentityPoolName: "extra",
				AllowUnauthenticatedIdentities: false,
				Colour: "blue",
				Nested: { deep: [1, 2] },
			}),
		});
		assert.equal(res.status, 200);
		assert.equal(res.json?.Colour, undefined);
	});

	test("a body over 1 MiB answers 413 SerializationException; 1 MiB is read", async () => {
		const big = JSON.stringify({ MaxResults: 5, Pad: "x".repeat(1024 * 1024) });
		const res = await raw(t.url, { body: big });
		assert.equal(res.status, 413);
		assert.equal(res.json?.__type, "SerializationException");
		const fits = JSON.stringify({
			MaxResults: 5,
			Pad: "x".repeat(1000 * 1000),
		});
		const ok = await raw(t.url, { body: fits });
		assert.equal(ok.status, 200);
	});

	test("an unsigned call to a signed operation is MissingAuthenticationTokenException", async () => {
		const res = await raw(t.url, {
			sign: false,
			body: JSON.stringify({ MaxResults: 5 }),
		});
		assert.equal(res.status, 400);
		assert.equal(res.json?.__type, "MissingAuthenticationTokenException");
	});

	test("a wrong secret is InvalidSignatureException", async () => {
		const res = await raw(t.url, {
			secretAccessKey: "wrong",
			body: JSON.stringify({ MaxResults: 5 }),
		});
		assert.equal(res.status, 400);
		assert.equal(res.json?.__type, "InvalidSignatureException");
	});

	test("a body changed after signing is InvalidSignatureException", async () => {
		const res = await raw(t.url, {
			body: JSON.stringify({ MaxResults: 5 }),
			afterSign: () => {},
		});
		assert.equal(res.status, 200);
		// Sign one body, send another of the same length.
		const tampered = await raw(t.url, {
			body: '{"MaxResults":5}',
			sentBody: '{"MaxResults":6}',
		});
		assert.equal(tampered.status, 400);
		assert.equal(tampered.json?.__type, "InvalidSignatureException");
	});

	test("a signature older than 15 minutes is InvalidSignatureException: Signature expired", async () => {
		const res = await raw(t.url, {
			signingDate: new Date(Date.now() - 16 * 60 * 1000),
			body: JSON.stringify({ MaxResults: 5 }),
		});
		assert.equal(res.status, 400);
		assert.equal(res.json?.__type, "InvalidSignatureException");
		assert.match(String(res.json?.message), /Signature expired/);
		const future = await raw(t.url, {
			signingDate: new Date(Date.now() + 16 * 60 * 1000),
			body: JSON.stringify({ MaxResults: 5 }),
		});
		assert.match(String(future.json?.message), /Signature not yet current/);
	});

	test("an x-amz-* header left out of SignedHeaders is InvalidSignatureException: a replay with another target deletes nothing", async () => {
		const id = await createPool(t.url, "replayed");
		const body = JSON.stringify({ IdentityPoolId: id });
		// Signed with SignedHeaders=host;x-amz-date only; the target and the type come after.
		const replay = await raw(t.url, {
			target: undefined,
			contentType: undefined,
			body,
			afterSign: (headers) => {
				headers["x-amz-target"] =
					"AWSCognitoIdentityService.DeleteIdentityPool";
				headers["content-type"] = "application/x-amz-json-1.1";
			},
		});
		assert.match(
			String(replay.headers.get("x-amzn-errortype")),
			/^InvalidSignatureException:/,
		);
		assert.equal(replay.status, 400);
		assert.deepEqual(replay.json, {
			__type: "InvalidSignatureException",
			message:
				"There were headers present in the request which were not signed: x-amz-target",
		});
		const still = await raw(t.url, {
			target: "AWSCognitoIdentityService.DescribeIdentityPool",
			body,
		});
		assert.equal(still.status, 200);
		assert.equal(still.json?.IdentityPoolId, id);
		// Every unsigned x-amz-* header is named, in order.
		const two = await raw(t.url, {
			extraHeaders: { "x-amz-user-agent": "signed/1.0" },
			afterSign: (headers) => {
				headers["x-amz-security-token"] = "unsigned";
				headers["x-amz-meta-note"] = "unsigned";
			},
		});
		assert.deepEqual(two.json, {
			__type: "InvalidSignatureException",
			message:
				"There were headers present in the request which were not signed: x-amz-meta-note, x-amz-security-token",
		});
	});

	test("content-type, user-agent and x-amzn-trace-id may be left unsigned (aws-sdk-js v2 signs no content-type)", async () => {
		const res = await raw(t.url, {
			contentType: undefined,
			body: JSON.stringify({ MaxResults: 5 }),
			afterSign: (headers) => {
				headers["content-type"] = "application/x-amz-json-1.1";
				headers["user-agent"] = "aws-sdk-nodejs/2.1692.0";
				headers["x-amzn-trace-id"] = "Root=1-5759e988-bd862e3fe1be46a994272793";
			},
		});
		assert.equal(res.status, 200, res.text);
		assert.ok(Array.isArray(res.json?.IdentityPools));
	});

	test("a session token on a call signed with a long-term key is UnrecognizedClientException", async () => {
		const res = await raw(t.url, {
			body: JSON.stringify({ MaxResults: 5 }),
			extraHeaders: { "x-amz-security-token": "FwoGZXIvYXdzEJr//////////wE" },
		});
		assert.equal(res.status, 400);
		assert.deepEqual(res.json, {
			__type: "UnrecognizedClientException",
			message: "The security token included in the request is invalid.",
		});
		// Nothing is created with one either.
		const create = await raw(t.url, {
			target: CREATE,
			body: JSON.stringify({
				IdentityPoolName: "with-token",
				AllowUnauthenticatedIdentities: false,
			}),
			extraHeaders: { "x-amz-security-token": "token" },
		});
		assert.equal(create.json?.__type, "UnrecognizedClientException");
		const list = await raw(t.url, { body: JSON.stringify({ MaxResults: 60 }) });
		const pools = list.json?.IdentityPools as { IdentityPoolName: string }[];
		assert.ok(!pools.some((p) => p.IdentityPoolName === "with-token"));
	});

	test("an unknown access key is UnrecognizedClientException", async () => {
		const res = await raw(t.url, {
			accessKeyId: "nobody",
			body: JSON.stringify({ MaxResults: 5 }),
		});
		assert.equal(res.status, 400);
		assert.equal(res.json?.__type, "UnrecognizedClientException");
	});

	test("a garbled Authorization header is IncompleteSignatureException", async () => {
		const res = await raw(t.url, {
			sign: false,
			extraHeaders: {
				authorization: "AWS4-HMAC-SHA256 garbage",
				"x-amz-date": "20260101T000000Z",
			},
		});
		assert.equal(res.status, 400);
		assert.equal(res.json?.__type, "IncompleteSignatureException");
	});

	test("another account's pool is not found, and not listed", async () => {
		const id = await createPool(t.url, "mine");
		const res = await raw(t.url, {
			accessKeyId: "other",
			secretAccessKey: "other-secret",
			target: "AWSCognitoIdentityService.DescribeIdentityPool",
			body: JSON.stringify({ IdentityPoolId: id }),
		});
		assert.equal(res.status, 400);
		assert.equal(res.json?.__type, "ResourceNotFoundException");
		const list = await raw(t.url, {
			accessKeyId: "other",
			secretAccessKey: "other-secret",
			body: JSON.stringify({ MaxResults: 60 }),
		});
		assert.deepEqual(list.json?.IdentityPools, []);
	});

	test("public operations take unsigned and signed calls alike (never refused for the signature)", async () => {
		const body = JSON.stringify({
			IdentityPoolId: "us-east-1:00000000-0000-4000-8000-000000000000",
		});
		for (const options of [
			{ sign: false },
			{ sign: true },
			{ sign: true, secretAccessKey: "not-the-secret" },
			{ sign: true, accessKeyId: "unknown-key" },
		]) {
			const res = await raw(t.url, {
				...options,
				target: "AWSCognitoIdentityService.GetId",
				body,
			});
			const type = String(res.json?.__type);
			assert.ok(
				!/Signature|Authentication|UnrecognizedClient/.test(type),
				`${JSON.stringify(options)} answered ${type}`,
			);
		}
	});

	test("an operation whose issue has not landed answers an AWS-shaped error naming it", async () => {
		const res = await raw(t.url, {
			target: "AWSCognitoIdentityService.GetId",
			sign: false,
			body: JSON.stringify({
				IdentityPoolId: "us-east-1:00000000-0000-4000-8000-000000000000",
			}),
		});
		if (res.json?.__type === "UnsupportedOperationException") {
			assert.equal(res.status, 400);
			assert.match(String(res.json.message), /GetId/);
		} else {
			assert.notEqual(res.status, 500);
		}
	});

	test("x-amzn-ErrorMessage is left out when the message is not plain printable ASCII", async () => {
		const res = await raw(t.url, {
			target: CREATE,
			body: JSON.stringify({
				IdentityPoolName: "caf\u00e9*\r\nX-Injected: 1",
				AllowUnauthenticatedIdentities: false,
			}),
		});
		assert.equal(res.json?.__type, "ValidationException");
		assert.equal(res.headers.get("x-amzn-errormessage"), null);
		assert.equal(res.headers.get("x-injected"), null);
		assert.equal(res.headers.get("x-amzn-errortype"), "ValidationException:");
	});

	test("CORS: pre-flights are answered and every answer exposes the AWS headers", async () => {
		const pre = await fetch(t.url, {
			method: "OPTIONS",
			headers: {
				origin: "http://app.example",
				"access-control-request-method": "POST",
				"access-control-request-headers":
					"content-type,x-amz-target,x-amz-user-agent",
			},
		});
		assert.ok(pre.status === 204 || pre.status === 200);
		assert.equal(pre.headers.get("access-control-allow-origin"), "*");
		assert.match(
			pre.headers.get("access-control-allow-headers") ?? "",
			/x-amz-target/,
		);
		assert.match(pre.headers.get("access-control-allow-methods") ?? "", /POST/);
		const res = await raw(t.url, {
			extraHeaders: { origin: "http://app.example" },
			sign: false,
		});
		assert.equal(res.headers.get("access-control-allow-origin"), "*");
		assert.match(
			res.headers.get("access-control-expose-headers") ?? "",
			/x-amzn-RequestId/,
		);
		assert.match(
			res.headers.get("access-control-expose-headers") ?? "",
			/x-amzn-ErrorType/,
		);
	});

	test("GET /health answers 200 once ready; other paths answer an AWS-shaped 404", async () => {
		const health = await fetch(new URL("/health", t.url));
		assert.equal(health.status, 200);
		assert.deepEqual(await health.json(), { status: "ok", store: "sqlite" });
		const other = await fetch(new URL("/nope", t.url));
		assert.equal(other.status, 404);
		assert.equal(
			((await other.json()) as { __type: string }).__type,
			"UnknownOperationException",
		);
	});
});

describe("faults", () => {
	test("a store failure answers InternalErrorException 500 with a generic message", async () => {
		// A real store whose pool repository fails like a broken disk.
		const store = openSqliteStore(":memory:");
		await store.migrate();
		const failing = async () => {
			throw new Error("disk on fire at /secret/path");
		};
		const broken: Store = {
			engine: store.engine,
			pools: {
				create: failing,
				ensure: failing,
				get: failing,
				findById: failing,
				cached: failing,
				update: failing,
				setRoles: failing,
				setPrincipalTagMap: failing,
				getPrincipalTagMap: failing,
				delete: failing,
				awaitingPurge: failing,
				purge: failing,
				list: failing,
				tenants: failing,
			},
			identities: store.identities,
			signingKeys: store.signingKeys,
			credentials: store.credentials,
			migrate: () => store.migrate(),
			ping: () => store.ping(),
			checkDatabase: () => store.checkDatabase(),
			dump: failing,
			load: failing,
			close: () => store.close(),
		};
		await withServer({ store: broken }, async (t) => {
			const res = await raw(t.url, {
				body: JSON.stringify({ MaxResults: 5 }),
			});
			assert.equal(res.status, 500);
			assert.equal(res.json?.__type, "InternalErrorException");
			assert.doesNotMatch(res.text, /disk on fire|secret|at /);
		});
	});
});
