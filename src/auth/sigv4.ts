/**
 * @module auth/sigv4
 * Verification of AWS Signature Version 4 (header form, `Authorization: AWS4-HMAC-SHA256
 * Credential=…, SignedHeaders=…, Signature=…`) exactly as AWS computes it for non-S3
 * services, so that requests signed by the AWS SDKs and CLIs are accepted and nothing else
 * is (docs/behaviour.md#authentication). The checks run in the order the real JSON services run them (as
 * observed against them and recorded by emulators such as dynalite): key=value syntax,
 * required parameters and date header, date format, clock skew (15 minutes), `host` signed,
 * every `x-amz-*` header signed (so that no header that names the operation or carries a
 * credential can be added to a captured request), algorithm, credential shape, credential
 * scope (a region of AWS's form), access key, payload hash, signature. Every
 * failure is a protocol error answered with HTTP 400 and AWS's wording. The canonical
 * request is always built from the SHA-256 of the body actually received, never from the
 * `x-amz-content-sha256` header, so a tampered body never passes. Derived signing keys are
 * cached per (date, region, service, secret) in a {@link SigningKeyCache} of the server's.
 */
import * as nodeCrypto from "node:crypto";
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { isRegionName } from "../domain/ids.ts";
import {
	IncompleteSignatureException,
	InvalidSignatureException,
	MissingAuthenticationTokenException,
	UnrecognizedClientException,
} from "../errors/protocol-errors.ts";

/** A received HTTP request, as the server hands it to the verifier. */
export interface SignedRequest {
	method: string;
	/** Path and query as received (`/`, `/a%20b?x=1`). */
	url: string;
	/** Header names lower-cased, as node gives them. */
	headers: Record<string, string | string[] | undefined>;
	body: Buffer;
}

/** What the verifier needs to know of an access key. */
export interface SigningCredential {
	accessKeyId: string;
	secretAccessKey: string;
	accountId: string;
	/**
	 * Set by the development mode that accepts any access key (docs/security.md#accepting-any-credentials):
	 * the request must still be a well-formed SigV4 request in its time window, but its
	 * signature is not checked (there is no secret to check it with).
	 */
	unchecked?: boolean;
}

/** The verified caller: its access key, account and the region of the credential scope. */
export interface VerifiedCaller {
	accessKeyId: string;
	accountId: string;
	region: string;
}

const ALGORITHM = "AWS4-HMAC-SHA256";
const TERMINATOR = "aws4_request";
const DEFAULT_SERVICE = "cognito-identity";
/** AWS accepts a request time at most 15 minutes away from its own clock, either way. */
const MAX_SKEW_MS = 15 * 60 * 1000;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const HEX_SIGNATURE = /^[0-9a-f]{64}$/;

const MSG_MISSING_TOKEN = "Missing Authentication Token";
const MSG_UNKNOWN_KEY =
	"The security token included in the request is invalid.";
const MSG_MISMATCH =
	"The request signature we calculated does not match the signature you provided. " +
	"Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";
const MSG_CONTENT_SHA256 =
	"The provided 'x-amz-content-sha256' header does not match what was computed.";
const MSG_HOST_NOT_SIGNED =
	"'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.";
const MSG_HEADERS_NOT_SIGNED =
	"There were headers present in the request which were not signed";

/**
 * The `x-amz-*` headers of a request that are not among its signed headers, sorted. Only
 * that prefix: `x-amzn-trace-id`, which the AWS signers leave out on purpose, is another.
 */
function unsignedAmzHeaders(
	headers: SignedRequest["headers"],
	signed: ReadonlySet<string>,
): string[] {
	const unsigned: string[] = [];
	for (const name of Object.keys(headers)) {
		const lower = name.toLowerCase();
		if (
			lower.startsWith("x-amz-") &&
			headers[name] !== undefined &&
			!signed.has(lower)
		) {
			unsigned.push(lower);
		}
	}
	return unsigned.sort();
}

/** The first value of a header, multi-valued headers joined with "," (the SigV4 rule). */
function header(
	headers: SignedRequest["headers"],
	name: string,
): string | undefined {
	const value = headers[name];
	if (value === undefined) return undefined;
	return typeof value === "string" ? value : value.join(",");
}

/** `20260101T000000Z` from epoch milliseconds (seconds truncated, as AWS prints them). */
function formatAmzDate(ms: number): string {
	return new Date(ms)
		.toISOString()
		.replace(/[-:]/g, "")
		.replace(/\.\d{3}Z$/, "Z");
}

/** RFC 3986 encoding as the AWS signers do it (`encodeURIComponent` plus `!'()*`). */
function uriEscape(text: string): string {
	let encoded: string;
	try {
		encoded = encodeURIComponent(text);
	} catch {
		// A lone surrogate cannot be UTF-8 encoded; no client could have signed it.
		return text;
	}
	return /[!'()*]/.test(encoded)
		? encoded.replace(
				/[!'()*]/g,
				(c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
			)
		: encoded;
}

function uriDecode(text: string): string {
	if (!text.includes("%")) return text;
	try {
		return decodeURIComponent(text);
	} catch {
		return text;
	}
}

/**
 * The canonical URI for non-S3 services, as @smithy/signature-v4 and botocore build it:
 * empty and `.` segments dropped, `..` resolved, then the (already percent-encoded) path
 * encoded once more with `/` kept: the "double encoding" of non-S3 services.
 */
export function canonicalPath(path: string): string {
	if (path === "/" || path === "") return "/";
	const segments: string[] = [];
	for (const segment of path.split("/")) {
		if (segment === "" || segment === ".") continue;
		if (segment === "..") segments.pop();
		else segments.push(segment);
	}
	const normalized = `${path.startsWith("/") ? "/" : ""}${segments.join("/")}${
		segments.length > 0 && path.endsWith("/") ? "/" : ""
	}`;
	return uriEscape(normalized).replace(/%2F/g, "/");
}

/**
 * The canonical query string: each parameter decoded then RFC 3986 encoded, sorted by
 * encoded name then encoded value, a parameter without `=` given an empty value.
 */
export function canonicalQuery(query: string): string {
	if (query === "") return "";
	const pairs: [string, string][] = [];
	for (const part of query.split("&")) {
		if (part === "") continue;
		const eq = part.indexOf("=");
		const name = eq === -1 ? part : part.slice(0, eq);
		const value = eq === -1 ? "" : part.slice(eq + 1);
		pairs.push([uriEscape(uriDecode(name)), uriEscape(uriDecode(value))]);
	}
	pairs.sort((a, b) =>
		a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0,
	);
	return pairs.map(([name, value]) => `${name}=${value}`).join("&");
}

/** A header value as SigV4 canonicalizes it: line breaks and runs of blanks become one space, trimmed. */
function canonicalHeaderValue(value: string): string {
	if (!/[\t\r\n]| {2}|^ | $/.test(value)) return value;
	return value
		.replace(/[\r\n]/g, " ")
		.replace(/[ \t]+/g, " ")
		.replace(/^ | $/g, "");
}

/** node:crypto's one-shot `hash` (Node 20.12 and later): no Hash object per call. */
const oneShotHash = (
	nodeCrypto as {
		hash?: (
			algorithm: string,
			data: string | Buffer,
			encoding: "hex",
		) => string;
	}
).hash;

function sha256Hex(data: string | Buffer): string {
	return oneShotHash
		? oneShotHash("sha256", data, "hex")
		: createHash("sha256").update(data).digest("hex");
}

/** How many derived signing keys a {@link SigningKeyCache} keeps at most. */
const SIGNING_KEY_CACHE_SIZE = 256;

/** kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request"). */
function deriveSigningKey(
	secret: string,
	date: string,
	region: string,
	service: string,
): Buffer {
	const kDate = createHmac("sha256", `AWS4${secret}`).update(date).digest();
	const kRegion = createHmac("sha256", kDate).update(region).digest();
	const kService = createHmac("sha256", kRegion).update(service).digest();
	return createHmac("sha256", kService).update(TERMINATOR).digest();
}

/**
 * Derived signing keys, oldest first, bounded so it cannot grow without limit. One belongs to
 * each server (never to the module: several servers may share a process), so that a busy
 * server does four HMACs per key per day instead of per request.
 */
export class SigningKeyCache {
	readonly #keys = new Map<string, Buffer>();

	/** The signing key of `secret` for a day, region and service, derived once. */
	get(secret: string, date: string, region: string, service: string): Buffer {
		// date, region and service never contain NUL and come first: the key is unambiguous.
		const cacheKey = `${date}\0${region}\0${service}\0${secret}`;
		const cached = this.#keys.get(cacheKey);
		if (cached !== undefined) return cached;
		const key = deriveSigningKey(secret, date, region, service);
		if (this.#keys.size >= SIGNING_KEY_CACHE_SIZE) {
			const oldest = this.#keys.keys().next();
			if (!oldest.done) this.#keys.delete(oldest.value);
		}
		this.#keys.set(cacheKey, key);
		return key;
	}
}

interface AuthorizationParts {
	algorithm: string;
	params: Map<string, string>;
}

/**
 * Splits `ALGORITHM k=v, k=v, …` as AWS does: the algorithm is the first word, the rest is
 * split on commas and whitespace, and every piece must be a `key=value` pair.
 */
function parseAuthorization(authorization: string): AuthorizationParts {
	const trimmed = authorization.trim();
	const space = trimmed.search(/\s/);
	const algorithm = space === -1 ? trimmed : trimmed.slice(0, space);
	const params = new Map<string, string>();
	if (space !== -1) {
		for (const piece of trimmed.slice(space + 1).split(/[\s,]+/)) {
			if (piece === "") continue;
			const eq = piece.indexOf("=");
			if (eq <= 0) {
				throw new IncompleteSignatureException(
					`'${piece}' not a valid key=value pair (missing equal-sign) in Authorization header: '${authorization}'.`,
				);
			}
			const name = piece.slice(0, eq);
			if (!params.has(name)) params.set(name, piece.slice(eq + 1));
		}
	}
	return { algorithm, params };
}

/** The request time: `X-Amz-Date` (ISO 8601 basic), else the HTTP `Date` header. */
function requestTime(
	value: string,
	isAmzDate: boolean,
): { ms: number; amzDate: string } {
	const bad = () =>
		new IncompleteSignatureException(
			`Date must be in ISO-8601 'basic format'. Got '${value}'. See http://en.wikipedia.org/wiki/ISO_8601`,
		);
	if (isAmzDate) {
		const m = AMZ_DATE.exec(value);
		if (m === null) throw bad();
		const [year, month, day, hour, minute, second] = m
			.slice(1, 7)
			.map(Number) as [number, number, number, number, number, number];
		const ms = Date.UTC(year, month - 1, day, hour, minute, second);
		// Reject impossible dates such as 20260230T250000Z rather than letting Date roll them
		// over: every field must come back unchanged.
		const at = new Date(ms);
		if (
			at.getUTCFullYear() !== year ||
			at.getUTCMonth() !== month - 1 ||
			at.getUTCDate() !== day ||
			at.getUTCHours() !== hour ||
			at.getUTCMinutes() !== minute ||
			at.getUTCSeconds() !== second
		) {
			throw bad();
		}
		return { ms, amzDate: value };
	}
	const ms = Date.parse(value);
	if (Number.isNaN(ms)) throw bad();
	const truncated = Math.floor(ms / 1000) * 1000;
	return { ms: truncated, amzDate: formatAmzDate(truncated) };
}

/**
 * Verifies the SigV4 signature of a request and answers who signed it.
 *
 * Error choices (all HTTP 400, docs/behaviour.md#authentication; texts as the real services word them):
 * - no `Authorization` header → MissingAuthenticationTokenException;
 * - a piece that is not `key=value`, missing `Credential`/`Signature`/`SignedHeaders`
 *   parameters or date header (one message listing each, then `Authorization=<header>`),
 *   a malformed date, an unsupported algorithm, a credential without 5 parts →
 *   IncompleteSignatureException;
 * - request time out of the 15-minute window, `host` not signed, an `x-amz-*` header
 *   present but not signed, bad region / service / terminator / date in the scope
 *   (messages concatenated as AWS does) → InvalidSignatureException;
 * - unknown access key → UnrecognizedClientException;
 * - `x-amz-content-sha256` not the hash of the received body, signature mismatch →
 *   InvalidSignatureException.
 * @param lookup finds the secret and account of an access key id.
 * @param now the server's clock.
 * @param service the signing name the scope must carry.
 * @param cache where derived signing keys are kept (without one, each call derives its key).
 */
export function verifySigV4(
	req: SignedRequest,
	lookup: (accessKeyId: string) => SigningCredential | undefined,
	now: Date,
	service: string = DEFAULT_SERVICE,
	cache?: SigningKeyCache,
): VerifiedCaller {
	const authorization = header(req.headers, "authorization");
	if (authorization === undefined || authorization.trim() === "") {
		throw new MissingAuthenticationTokenException(MSG_MISSING_TOKEN);
	}
	const { algorithm, params } = parseAuthorization(authorization);

	// Required parameters and a date header, all reported in one message.
	const credential = params.get("Credential");
	const signature = params.get("Signature");
	const signedHeadersParam = params.get("SignedHeaders");
	const amzDateHeader = header(req.headers, "x-amz-date");
	const dateHeader =
		amzDateHeader === undefined ? header(req.headers, "date") : undefined;
	let missing = "";
	if (!credential)
		missing += "Authorization header requires 'Credential' parameter. ";
	if (!signature)
		missing += "Authorization header requires 'Signature' parameter. ";
	if (signedHeadersParam === undefined) {
		missing += "Authorization header requires 'SignedHeaders' parameter. ";
	}
	if (amzDateHeader === undefined && dateHeader === undefined) {
		missing +=
			"Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ";
	}
	if (
		missing !== "" ||
		!credential ||
		!signature ||
		signedHeadersParam === undefined
	) {
		throw new IncompleteSignatureException(
			`${missing}Authorization=${authorization}`,
		);
	}

	// Date format, then the 15-minute window.
	const { ms, amzDate } =
		amzDateHeader !== undefined
			? requestTime(amzDateHeader.trim(), true)
			: requestTime((dateHeader ?? "").trim(), false);
	const nowMs = now.getTime();
	if (ms < nowMs - MAX_SKEW_MS) {
		throw new InvalidSignatureException(
			`Signature expired: ${amzDate} is now earlier than ${formatAmzDate(nowMs - MAX_SKEW_MS)} (${formatAmzDate(nowMs)} - 15 min.)`,
		);
	}
	if (ms > nowMs + MAX_SKEW_MS) {
		throw new InvalidSignatureException(
			`Signature not yet current: ${amzDate} is still later than ${formatAmzDate(nowMs + MAX_SKEW_MS)} (${formatAmzDate(nowMs)} + 15 min.)`,
		);
	}

	// `host` must be signed (AWS answers InvalidSignatureException here, not Incomplete…).
	const signedHeaders = signedHeadersParam.split(";");
	const signedNames = new Set(signedHeaders.map((name) => name.toLowerCase()));
	if (!signedNames.has("host")) {
		throw new InvalidSignatureException(MSG_HOST_NOT_SIGNED);
	}
	// So must every `x-amz-*` header present: the target, the session token, the date.
	const unsigned = unsignedAmzHeaders(req.headers, signedNames);
	if (unsigned.length > 0) {
		throw new InvalidSignatureException(
			`${MSG_HEADERS_NOT_SIGNED}: ${unsigned.join(", ")}`,
		);
	}

	if (algorithm !== ALGORITHM) {
		throw new IncompleteSignatureException(
			`Unsupported AWS 'algorithm': '${algorithm}' (only AWS4-HMAC-SHA256 for now). `,
		);
	}

	// Credential: keyid/date/region/service/aws4_request (trailing slashes ignored).
	const scopeParts = credential.replace(/\/+$/, "").split("/");
	if (scopeParts.length !== 5) {
		throw new IncompleteSignatureException(
			`Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${credential}'`,
		);
	}
	const [accessKeyId, scopeDate, region, scopeService, terminator] =
		scopeParts as [string, string, string, string, string];
	let scopeProblems = "";
	// The region becomes the caller's and prefixes the ids it makes: AWS's form only.
	if (!isRegionName(region)) {
		scopeProblems += `Credential should be scoped to a valid region, not '${region}'. `;
	}
	if (scopeService !== service) {
		scopeProblems += `Credential should be scoped to correct service: '${service}'. `;
	}
	if (terminator !== TERMINATOR) {
		scopeProblems += `Credential should be scoped with a valid terminator: '${TERMINATOR}', not '${terminator}'. `;
	}
	const requestDay = amzDate.slice(0, 8);
	if (scopeDate !== requestDay) {
		scopeProblems += `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' != '${requestDay}', from '${amzDate}'.`;
	}
	if (scopeProblems !== "") throw new InvalidSignatureException(scopeProblems);

	const account = lookup(accessKeyId);
	if (account === undefined)
		throw new UnrecognizedClientException(MSG_UNKNOWN_KEY);
	if (account.unchecked) {
		return { accessKeyId, accountId: account.accountId, region };
	}

	// The payload hash is always that of the body received; a declared hash must agree.
	const payloadHash = sha256Hex(req.body);
	const declaredHash = header(req.headers, "x-amz-content-sha256");
	if (declaredHash !== undefined && declaredHash.trim() !== payloadHash) {
		throw new InvalidSignatureException(MSG_CONTENT_SHA256);
	}

	const queryStart = req.url.indexOf("?");
	const path = queryStart === -1 ? req.url : req.url.slice(0, queryStart);
	const query = queryStart === -1 ? "" : req.url.slice(queryStart + 1);
	let canonicalHeaders = "";
	for (const name of signedHeaders) {
		const value = header(req.headers, name.toLowerCase());
		canonicalHeaders += `${name.toLowerCase()}:${value === undefined ? "" : canonicalHeaderValue(value)}\n`;
	}
	const canonicalRequest = `${req.method.toUpperCase()}\n${canonicalPath(path)}\n${canonicalQuery(query)}\n${canonicalHeaders}\n${signedHeadersParam}\n${payloadHash}`;
	const scope = `${scopeDate}/${region}/${scopeService}/${TERMINATOR}`;
	const stringToSign = `${ALGORITHM}\n${amzDate}\n${scope}\n${sha256Hex(canonicalRequest)}`;
	const key = cache
		? cache.get(account.secretAccessKey, scopeDate, region, scopeService)
		: deriveSigningKey(
				account.secretAccessKey,
				scopeDate,
				region,
				scopeService,
			);
	const expected = createHmac("sha256", key).update(stringToSign).digest("hex");

	if (
		!HEX_SIGNATURE.test(signature) ||
		!timingSafeEqual(
			Buffer.from(signature, "latin1"),
			Buffer.from(expected, "latin1"),
		)
	) {
		// The canonical request and string to sign travel as the cause, for debug logging only.
		throw new InvalidSignatureException(MSG_MISMATCH, {
			cause: { canonicalRequest, stringToSign },
		});
	}
	return {
		accessKeyId: account.accessKeyId,
		accountId: account.accountId,
		region,
	};
}
