/**
 * @module auth/sigv4.test
 * Unit tests of the SigV4 verifier: requests signed by @smithy/signature-v4 exactly as the
 * JS v3 SDK signs them (and by the SDK client itself), as botocore signs them (no
 * `x-amz-content-sha256`), the published AWS SigV4 test-suite vectors, and each failure
 * with its AWS error name and message.
 */
import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { Readable } from "node:stream";
import { describe, test } from "node:test";
import { Sha256 } from "@aws-crypto/sha256-js";
import {
	CognitoIdentityClient,
	ListIdentityPoolsCommand,
} from "@aws-sdk/client-cognito-identity";
import { SignatureV4 } from "@smithy/signature-v4";
import {
	canonicalPath,
	canonicalQuery,
	type SignedRequest,
	type SigningCredential,
	verifySigV4,
} from "./sigv4.ts";

const KEY: SigningCredential = {
	accessKeyId: "AKIAIDPOOLTEST",
	secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
	accountId: "123456789012",
};
const OTHER: SigningCredential = {
	accessKeyId: "AKIAOTHER",
	secretAccessKey: "other-secret",
	accountId: "210987654321",
};
const KEYS = new Map([KEY, OTHER].map((k) => [k.accessKeyId, k]));
const lookup = (id: string) => KEYS.get(id);

const SIGNED_AT = new Date("2026-01-01T00:30:00Z");
const BODY = JSON.stringify({ MaxResults: 10 });

interface SignOptions {
	region?: string;
	service?: string;
	body?: string;
	date?: Date;
	credentials?: { accessKeyId: string; secretAccessKey: string };
	/** false: as botocore signs (no x-amz-content-sha256). */
	applyChecksum?: boolean;
	headers?: Record<string, string>;
	path?: string;
	query?: Record<string, string | string[]>;
}

/** Signs `POST /` as the JS v3 SDK does and returns it as the server would receive it. */
async function sign(options: SignOptions = {}): Promise<SignedRequest> {
	const region = options.region ?? "us-east-1";
	const body = options.body ?? BODY;
	const hostname = `cognito-identity.${region}.amazonaws.com`;
	const signer = new SignatureV4({
		service: options.service ?? "cognito-identity",
		region,
		credentials: options.credentials ?? KEY,
		sha256: Sha256,
		applyChecksum: options.applyChecksum ?? true,
	});
	const signed = await signer.sign(
		{
			method: "POST",
			protocol: "https:",
			hostname,
			path: options.path ?? "/",
			query: options.query ?? {},
			headers: {
				"content-type": "application/x-amz-json-1.1",
				"x-amz-target": "AWSCognitoIdentityService.ListIdentityPools",
				host: hostname,
				"content-length": String(Buffer.byteLength(body)),
				...options.headers,
			},
			body,
		},
		{ signingDate: options.date ?? SIGNED_AT },
	);
	const headers: Record<string, string> = {};
	for (const [name, value] of Object.entries(signed.headers))
		headers[name.toLowerCase()] = value;
	const search = new URLSearchParams();
	for (const [name, value] of Object.entries(signed.query ?? {})) {
		for (const v of Array.isArray(value) ? value : [value])
			if (v !== null) search.append(name, v);
	}
	const query = search.toString().replace(/\+/g, "%20");
	return {
		method: signed.method,
		url: `${signed.path}${query === "" ? "" : `?${query}`}`,
		headers,
		body: Buffer.from(body),
	};
}

function verify(req: SignedRequest, now: Date = SIGNED_AT, service?: string) {
	return verifySigV4(req, lookup, now, service);
}

/** Asserts that verification fails with the AWS error `type` and a message matching `message`. */
function rejects(
	req: SignedRequest,
	type: string,
	message: string | RegExp,
	now?: Date,
) {
	assert.throws(
		() => verify(req, now),
		(error: unknown) => {
			assert.ok(error instanceof Error);
			assert.equal((error as { type?: string }).type, type);
			assert.equal((error as { statusCode?: number }).statusCode, 400);
			if (typeof message === "string") assert.equal(error.message, message);
			else assert.match(error.message, message);
			return true;
		},
	);
}

function withAuthorization(
	req: SignedRequest,
	authorization: string,
): SignedRequest {
	return { ...req, headers: { ...req.headers, authorization } };
}

function auth(req: SignedRequest): string {
	return String(req.headers.authorization);
}

interface HandSignOptions {
	region?: string;
	/** The request time for the string to sign (defaults to the x-amz-date header). */
	amzDate?: string;
	/** Signed headers, lower-cased names. */
	headers: Record<string, string>;
	/** Headers sent but not signed. */
	unsigned?: Record<string, string>;
	body?: string;
}

/**
 * Signs `POST /` by hand, following the algorithm of the AWS documentation step by step,
 * without x-amz-content-sha256: what botocore sends.
 */
function signByHand(options: HandSignOptions): SignedRequest {
	const region = options.region ?? "us-east-1";
	const body = options.body ?? BODY;
	const amzDate = options.amzDate ?? options.headers["x-amz-date"] ?? "";
	const hex = (data: string) => createHash("sha256").update(data).digest("hex");
	const hmac = (key: string | Buffer, data: string) =>
		createHmac("sha256", key).update(data).digest();
	const names = Object.keys(options.headers).sort();
	const canonical = [
		"POST",
		"/",
		"",
		...names.map((name) => `${name}:${options.headers[name]}`),
		"",
		names.join(";"),
		hex(body),
	].join("\n");
	const day = amzDate.slice(0, 8);
	const scope = `${day}/${region}/cognito-identity/aws4_request`;
	const toSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${hex(canonical)}`;
	let key = hmac(`AWS4${KEY.secretAccessKey}`, day);
	for (const part of [region, "cognito-identity", "aws4_request"])
		key = hmac(key, part);
	const signature = hmac(key, toSign).toString("hex");
	return {
		method: "POST",
		url: "/",
		headers: {
			...options.headers,
			...options.unsigned,
			authorization: `AWS4-HMAC-SHA256 Credential=${KEY.accessKeyId}/${scope}, SignedHeaders=${names.join(";")}, Signature=${signature}`,
		},
		body: Buffer.from(body),
	};
}

const MISMATCH =
	"The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

describe("verifySigV4: accepted requests", () => {
	test("a request signed as the JS v3 SDK signs it", async () => {
		const req = await sign({
			headers: {
				"x-amz-user-agent":
					"aws-sdk-js/3.1164.0 ua/2.1 os/linux lang/js md/nodejs#20.20.2",
				"amz-sdk-invocation-id": "7f0d3c1e-1111-4a55-9a9a-0123456789ab",
				"amz-sdk-request": "attempt=1; max=3",
				"user-agent": "aws-sdk-js/3.1164.0",
			},
		});
		assert.ok(req.headers["x-amz-content-sha256"]);
		assert.match(auth(req), /SignedHeaders=[^,]*x-amz-user-agent/);
		assert.doesNotMatch(auth(req), /SignedHeaders=[^,]*;user-agent/);
		assert.deepEqual(verify(req), {
			accessKeyId: KEY.accessKeyId,
			accountId: KEY.accountId,
			region: "us-east-1",
		});
	});

	test("an unsigned header the client added or a proxy changed does not matter", async () => {
		const req = await sign({ headers: { "user-agent": "aws-sdk-js/3" } });
		req.headers["user-agent"] = "changed by a proxy";
		req.headers["x-forwarded-for"] = "10.0.0.1";
		assert.equal(verify(req).accountId, KEY.accountId);
	});

	test("a signed header the client added (x-amz-user-agent) cannot be changed", async () => {
		const req = await sign({
			headers: { "x-amz-user-agent": "aws-sdk-js/3.0.0" },
		});
		verify(req);
		req.headers["x-amz-user-agent"] = "aws-sdk-js/3.0.1";
		rejects(req, "InvalidSignatureException", MISMATCH);
	});

	test("a request as botocore signs it (no x-amz-content-sha256)", async () => {
		const req = await sign({ applyChecksum: false });
		assert.equal(req.headers["x-amz-content-sha256"], undefined);
		assert.match(
			auth(req),
			/SignedHeaders=content-length;content-type;host;x-amz-date;x-amz-target,/,
		);
		assert.equal(verify(req).region, "us-east-1");
	});

	test("a botocore request built by hand from the documented algorithm", () => {
		const req = signByHand({
			region: "eu-west-1",
			headers: {
				"content-type": "application/x-amz-json-1.1",
				host: "cognito-identity.eu-west-1.amazonaws.com",
				"x-amz-date": "20260101T003000Z",
				"x-amz-target": "AWSCognitoIdentityService.ListIdentityPools",
			},
			unsigned: { "user-agent": "Boto3/1.35.0 md/Botocore#1.35.0" },
		});
		assert.deepEqual(verify(req), {
			accessKeyId: KEY.accessKeyId,
			accountId: KEY.accountId,
			region: "eu-west-1",
		});
	});

	test("the caller's region is the region of the credential scope", async () => {
		for (const region of [
			"us-east-1",
			"eu-central-1",
			"ap-southeast-2",
			"ap-southeast-7",
			"mx-central-1",
			"cn-northwest-1",
			"us-gov-west-1",
			"us-iso-east-1",
			"us-isob-east-1",
			"eu-isoe-west-1",
			"us-isof-south-1",
			"eusc-de-east-1",
		]) {
			const req = await sign({ region, credentials: OTHER });
			assert.deepEqual(verify(req), {
				accessKeyId: OTHER.accessKeyId,
				accountId: OTHER.accountId,
				region,
			});
		}
	});

	test("headers the AWS signers leave unsigned may be unsigned (content-type: aws-sdk-js v2)", () => {
		const req = signByHand({
			headers: {
				host: "cognito-identity.us-east-1.amazonaws.com",
				"x-amz-date": "20260101T003000Z",
				"x-amz-target": "AWSCognitoIdentityService.ListIdentityPools",
				"x-amz-user-agent": "aws-sdk-js/2.1692.0 callback",
			},
			unsigned: {
				"content-type": "application/x-amz-json-1.1",
				"content-length": String(Buffer.byteLength(BODY)),
				"user-agent": "aws-sdk-nodejs/2.1692.0 linux/v20.20.2",
				"x-amzn-trace-id": "Root=1-5759e988-bd862e3fe1be46a994272793",
				"amz-sdk-invocation-id": "7f0d3c1e-1111-4a55-9a9a-0123456789ab",
				expect: "100-continue",
			},
		});
		assert.equal(verify(req).accountId, KEY.accountId);
	});

	test("a request 14 minutes old or 14 minutes ahead passes", async () => {
		const req = await sign();
		verify(req, new Date(SIGNED_AT.getTime() + 14 * 60_000));
		verify(req, new Date(SIGNED_AT.getTime() - 14 * 60_000));
	});

	test("an empty body", async () => {
		const req = await sign({ body: "" });
		assert.equal(req.body.length, 0);
		verify(req);
	});

	test("header values: blanks trimmed, inner runs collapsed, tabs and line breaks", async () => {
		const req = await sign({
			headers: { "x-amz-meta-note": "  a   b \t c  " },
		});
		// What reaches the server may differ in outer and inner blanks (node trims values).
		req.headers["x-amz-meta-note"] = "a \t  b   c";
		verify(req);
		req.headers["x-amz-meta-note"] = "a b c";
		verify(req);
		req.headers["x-amz-meta-note"] = "a b  d";
		rejects(req, "InvalidSignatureException", MISMATCH);
	});

	test("a multi-valued header is joined with commas", async () => {
		const req = await sign({ headers: { "x-amz-meta-list": "one,two" } });
		req.headers["x-amz-meta-list"] = ["one", "two"];
		verify(req);
	});

	test("path and query are canonicalized as the SDK signs them", async () => {
		const req = await sign({
			path: "/a%20b/./c/../d/",
			query: { "b key": "v 1", a: ["2", "1"], "x*": "(y)!" },
		});
		assert.equal(
			req.url,
			"/a%20b/./c/../d/?b%20key=v%201&a=2&a=1&x*=%28y%29%21",
		);
		verify(req);
	});

	test("the Date header stands in for a missing X-Amz-Date", () => {
		const req = signByHand({
			amzDate: "20260101T003000Z",
			headers: {
				"content-type": "application/x-amz-json-1.1",
				date: "Thu, 01 Jan 2026 00:30:00 GMT",
				host: "cognito-identity.us-east-1.amazonaws.com",
			},
		});
		assert.equal(verify(req).region, "us-east-1");
		rejects(
			req,
			"InvalidSignatureException",
			/^Signature expired: 20260101T003000Z is now earlier than /,
			new Date("2026-01-01T01:00:00Z"),
		);
	});
});

describe("verifySigV4: AWS SigV4 test suite vectors", () => {
	const SUITE: SigningCredential = {
		accessKeyId: "AKIDEXAMPLE",
		secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
		accountId: "111122223333",
	};
	const now = new Date("2015-08-30T12:36:00Z");
	const vector = (
		method: string,
		url: string,
		signature: string,
	): SignedRequest => ({
		method,
		url,
		headers: {
			host: "example.amazonaws.com",
			"x-amz-date": "20150830T123600Z",
			authorization: `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=${signature}`,
		},
		body: Buffer.alloc(0),
	});
	const cases: [string, string, string, string][] = [
		[
			"post-vanilla",
			"POST",
			"/",
			"5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
		],
		[
			"get-vanilla-query-order-key-case",
			"GET",
			"/?Param2=value2&Param1=value1",
			"b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
		],
		[
			"get-utf8",
			"GET",
			"/ሴ",
			"8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85",
		],
		[
			"get-space",
			"GET",
			"/example space/",
			"652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741",
		],
	];
	for (const [name, method, url, signature] of cases) {
		test(name, () => {
			const caller = verifySigV4(
				vector(method, url, signature),
				(id) => (id === SUITE.accessKeyId ? SUITE : undefined),
				now,
				"service",
			);
			assert.equal(caller.accountId, SUITE.accountId);
		});
	}
});

describe("verifySigV4: failures", () => {
	test("no Authorization header", async () => {
		const req = await sign();
		delete req.headers.authorization;
		rejects(
			req,
			"MissingAuthenticationTokenException",
			"Missing Authentication Token",
		);
		rejects(
			withAuthorization(req, "  "),
			"MissingAuthenticationTokenException",
			"Missing Authentication Token",
		);
	});

	test("a garbage header", async () => {
		const req = await sign();
		rejects(
			withAuthorization(req, "garbage"),
			"IncompleteSignatureException",
			"Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=garbage",
		);
		rejects(
			withAuthorization(req, "Bearer eyJhbGciOiJSUzI1NiJ9"),
			"IncompleteSignatureException",
			"'eyJhbGciOiJSUzI1NiJ9' not a valid key=value pair (missing equal-sign) in Authorization header: 'Bearer eyJhbGciOiJSUzI1NiJ9'.",
		);
	});

	test("a space after Credential= (a pasted key with a blank)", async () => {
		const req = await sign();
		const bad = auth(req).replace("Credential=", "Credential= ");
		rejects(
			withAuthorization(req, bad),
			"IncompleteSignatureException",
			/^'AKIAIDPOOLTEST\/20260101\/us-east-1\/cognito-identity\/aws4_request' not a valid key=value pair \(missing equal-sign\) in Authorization header: /,
		);
	});

	test("each missing part is named", async () => {
		const req = await sign();
		const a = auth(req);
		const without = (name: string) =>
			a.replace(new RegExp(`${name}=[^,]*(, )?`), "");
		rejects(
			withAuthorization(req, without("Credential")),
			"IncompleteSignatureException",
			/^Authorization header requires 'Credential' parameter\. Authorization=AWS4-HMAC-SHA256 /,
		);
		rejects(
			withAuthorization(req, without("SignedHeaders")),
			"IncompleteSignatureException",
			/^Authorization header requires 'SignedHeaders' parameter\. Authorization=/,
		);
		rejects(
			withAuthorization(req, without("Signature")),
			"IncompleteSignatureException",
			/^Authorization header requires 'Signature' parameter\. Authorization=/,
		);
		const { "x-amz-date": _d, ...rest } = req.headers;
		rejects(
			{ ...req, headers: rest },
			"IncompleteSignatureException",
			/^Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header\. Authorization=AWS4-HMAC-SHA256 Credential=/,
		);
	});

	test("a malformed X-Amz-Date", async () => {
		const req = await sign();
		for (const value of [
			"2026-01-01T00:30:00Z",
			"20260230T003000Z",
			"20261301T003000Z",
			"20260101T240000Z",
			"20260101T006000Z",
			"20260101T003060Z",
			"00990101T003000Z",
			"201",
		]) {
			rejects(
				{ ...req, headers: { ...req.headers, "x-amz-date": value } },
				"IncompleteSignatureException",
				`Date must be in ISO-8601 'basic format'. Got '${value}'. See http://en.wikipedia.org/wiki/ISO_8601`,
			);
		}
	});

	test("an unsupported algorithm", async () => {
		const req = await sign();
		rejects(
			withAuthorization(
				req,
				auth(req).replace("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA512"),
			),
			"IncompleteSignatureException",
			"Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512' (only AWS4-HMAC-SHA256 for now). ",
		);
	});

	test("host not signed", async () => {
		const req = await sign();
		rejects(
			withAuthorization(
				req,
				auth(req).replace(/SignedHeaders=[^,]*/, "SignedHeaders=x-amz-date"),
			),
			"InvalidSignatureException",
			"'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
		);
	});

	test("an x-amz-* header present but not signed, even with a valid signature", () => {
		const headers = {
			host: "cognito-identity.us-east-1.amazonaws.com",
			"x-amz-date": "20260101T003000Z",
		};
		rejects(
			signByHand({
				headers,
				unsigned: {
					"x-amz-target": "AWSCognitoIdentityService.DeleteIdentityPool",
				},
			}),
			"InvalidSignatureException",
			"There were headers present in the request which were not signed: x-amz-target",
		);
		rejects(
			signByHand({
				headers: {
					...headers,
					"x-amz-target": "AWSCognitoIdentityService.ListIdentityPools",
				},
				unsigned: {
					"x-amz-security-token": "token",
					"x-amz-content-sha256": "UNSIGNED-PAYLOAD",
				},
			}),
			"InvalidSignatureException",
			"There were headers present in the request which were not signed: x-amz-content-sha256, x-amz-security-token",
		);
		// The date itself, when the Date header is the one signed.
		rejects(
			signByHand({
				amzDate: "20260101T003000Z",
				headers: {
					date: "Thu, 01 Jan 2026 00:30:00 GMT",
					host: "cognito-identity.us-east-1.amazonaws.com",
				},
				unsigned: { "x-amz-date": "20260101T003000Z" },
			}),
			"InvalidSignatureException",
			"There were headers present in the request which were not signed: x-amz-date",
		);
	});

	test("a region that is not of AWS's form, or whose ids would not fit the model", async () => {
		for (const region of [
			"local",
			"us-east",
			"US-EAST-1",
			"us-east-1a",
			"us_east-1",
			"us-east-100",
			"xx-east-1",
			"cn-1",
			"eusc-fr-east-1",
			"aws-global",
			"a".repeat(40),
			"us-isob-northwest-1",
		]) {
			const req = await sign({ region });
			rejects(
				req,
				"InvalidSignatureException",
				`Credential should be scoped to a valid region, not '${region}'. `,
			);
		}
	});

	test("a credential that is not 5 parts", async () => {
		const req = await sign();
		rejects(
			withAuthorization(
				req,
				auth(req).replace("/cognito-identity/aws4_request", "/aws4_request"),
			),
			"IncompleteSignatureException",
			"Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKIAIDPOOLTEST/20260101/us-east-1/aws4_request'",
		);
	});

	test("the wrong service in the scope", async () => {
		const req = await sign({ service: "cognito-idp" });
		rejects(
			req,
			"InvalidSignatureException",
			"Credential should be scoped to correct service: 'cognito-identity'. ",
		);
	});

	test("a bad region and terminator in the scope, reported together", async () => {
		const req = await sign();
		rejects(
			withAuthorization(
				req,
				auth(req).replace(
					"/us-east-1/cognito-identity/aws4_request",
					"/us:east/cognito-identity/aws5_request",
				),
			),
			"InvalidSignatureException",
			"Credential should be scoped to a valid region, not 'us:east'. Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. ",
		);
	});

	test("scope date different from the date of X-Amz-Date", async () => {
		const req = await sign();
		rejects(
			withAuthorization(req, auth(req).replace("/20260101/", "/20251231/")),
			"InvalidSignatureException",
			"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20251231' != '20260101', from '20260101T003000Z'.",
		);
	});

	test("an unknown access key", async () => {
		const req = await sign({
			credentials: { accessKeyId: "AKIAUNKNOWN", secretAccessKey: "x" },
		});
		rejects(
			req,
			"UnrecognizedClientException",
			"The security token included in the request is invalid.",
		);
	});

	test("the wrong secret", async () => {
		const req = await sign({
			credentials: { accessKeyId: KEY.accessKeyId, secretAccessKey: "wrong" },
		});
		rejects(req, "InvalidSignatureException", MISMATCH);
	});

	test("another key's secret", async () => {
		const req = await sign({
			credentials: {
				accessKeyId: KEY.accessKeyId,
				secretAccessKey: OTHER.secretAccessKey,
			},
		});
		rejects(req, "InvalidSignatureException", MISMATCH);
	});

	test("a tampered body with x-amz-content-sha256", async () => {
		const req = await sign();
		rejects(
			{ ...req, body: Buffer.from(JSON.stringify({ MaxResults: 60 })) },
			"InvalidSignatureException",
			"The provided 'x-amz-content-sha256' header does not match what was computed.",
		);
	});

	test("a tampered body whose x-amz-content-sha256 was changed to match", async () => {
		const req = await sign();
		const body = Buffer.from(JSON.stringify({ MaxResults: 60 }));
		const hash = createHash("sha256").update(body).digest("hex");
		rejects(
			{
				...req,
				body,
				headers: { ...req.headers, "x-amz-content-sha256": hash },
			},
			"InvalidSignatureException",
			MISMATCH,
		);
	});

	test("a tampered body without x-amz-content-sha256", async () => {
		const req = await sign({ applyChecksum: false });
		rejects(
			{ ...req, body: Buffer.from(JSON.stringify({ MaxResults: 60 })) },
			"InvalidSignatureException",
			MISMATCH,
		);
	});

	test("UNSIGNED-PAYLOAD is not accepted", async () => {
		const req = await sign({
			headers: { "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
		});
		rejects(
			req,
			"InvalidSignatureException",
			"The provided 'x-amz-content-sha256' header does not match what was computed.",
		);
	});

	test("a request 16 minutes old", async () => {
		const req = await sign();
		rejects(
			req,
			"InvalidSignatureException",
			"Signature expired: 20260101T003000Z is now earlier than 20260101T003100Z (20260101T004600Z - 15 min.)",
			new Date("2026-01-01T00:46:00Z"),
		);
	});

	test("a request 16 minutes ahead", async () => {
		const req = await sign();
		rejects(
			req,
			"InvalidSignatureException",
			"Signature not yet current: 20260101T003000Z is still later than 20260101T002900Z (20260101T001400Z + 15 min.)",
			new Date("2026-01-01T00:14:00Z"),
		);
	});

	test("a changed target, method, path or query", async () => {
		const req = await sign();
		rejects(
			{
				...req,
				headers: {
					...req.headers,
					"x-amz-target": "AWSCognitoIdentityService.DeleteIdentityPool",
				},
			},
			"InvalidSignatureException",
			MISMATCH,
		);
		rejects({ ...req, method: "PUT" }, "InvalidSignatureException", MISMATCH);
		rejects({ ...req, url: "/x" }, "InvalidSignatureException", MISMATCH);
		rejects({ ...req, url: "/?a=1" }, "InvalidSignatureException", MISMATCH);
	});

	test("a changed or malformed signature", async () => {
		const req = await sign();
		const a = auth(req);
		const sig = /Signature=([0-9a-f]{64})/.exec(a)?.[1] ?? "";
		const flipped = `${sig.slice(0, 63)}${sig.endsWith("0") ? "1" : "0"}`;
		rejects(
			withAuthorization(req, a.replace(sig, flipped)),
			"InvalidSignatureException",
			MISMATCH,
		);
		rejects(
			withAuthorization(req, a.replace(sig, sig.toUpperCase())),
			"InvalidSignatureException",
			MISMATCH,
		);
		rejects(
			withAuthorization(req, a.replace(sig, sig.slice(2))),
			"InvalidSignatureException",
			MISMATCH,
		);
	});

	test("a header listed in SignedHeaders but absent", async () => {
		const req = await sign({ headers: { "x-amz-user-agent": "aws-sdk-js/3" } });
		delete req.headers["x-amz-user-agent"];
		rejects(req, "InvalidSignatureException", MISMATCH);
	});
});

describe("canonical forms", () => {
	test("canonicalPath double-encodes and normalizes as the smithy signer does", () => {
		assert.equal(canonicalPath("/"), "/");
		assert.equal(canonicalPath("/a%20b"), "/a%2520b");
		assert.equal(canonicalPath("//a/./b/../c/"), "/a/c/");
		assert.equal(canonicalPath("/ሴ"), "/%E1%88%B4");
	});

	test("canonicalQuery sorts by name then value and encodes per RFC 3986", () => {
		assert.equal(canonicalQuery(""), "");
		assert.equal(canonicalQuery("b=2&a=2&a=1&c"), "a=1&a=2&b=2&c=");
		assert.equal(
			canonicalQuery("x%2Ay=%28%29&sp=a%20b"),
			"sp=a%20b&x%2Ay=%28%29",
		);
	});
});

describe("the JS v3 SDK client itself", () => {
	test("a ListIdentityPools call signed by CognitoIdentityClient verifies", async () => {
		let received: SignedRequest | undefined;
		const client = new CognitoIdentityClient({
			region: "eu-north-1",
			credentials: {
				accessKeyId: OTHER.accessKeyId,
				secretAccessKey: OTHER.secretAccessKey,
			},
			maxAttempts: 1,
			requestHandler: {
				handle: async (request: {
					method: string;
					path: string;
					headers: Record<string, string>;
					body?: unknown;
				}) => {
					const headers: Record<string, string> = {};
					for (const [name, value] of Object.entries(request.headers))
						headers[name.toLowerCase()] = value;
					received = {
						method: request.method,
						url: request.path,
						headers,
						body:
							typeof request.body === "string" ||
							request.body instanceof Uint8Array
								? Buffer.from(request.body)
								: Buffer.alloc(0),
					};
					return {
						response: {
							statusCode: 200,
							headers: { "content-type": "application/x-amz-json-1.1" },
							body: Readable.from([Buffer.from('{"IdentityPools":[]}')]),
						},
					};
				},
			},
		});
		await client.send(new ListIdentityPoolsCommand({ MaxResults: 5 }));
		assert.ok(received);
		assert.ok(received.headers["x-amz-content-sha256"]);
		assert.deepEqual(verifySigV4(received, lookup, new Date()), {
			accessKeyId: OTHER.accessKeyId,
			accountId: OTHER.accountId,
			region: "eu-north-1",
		});
	});
});
