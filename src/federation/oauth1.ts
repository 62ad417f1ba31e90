/**
 * @module federation/oauth1
 * OAuth 1.0a request signing with HMAC-SHA1 (RFC 5849 §3.4), which is how Twitter's
 * `account/verify_credentials` proves that a `token;secret` pair belongs to the app whose
 * consumer key and secret the pool holds. Pure functions of their inputs (the timestamp and
 * the nonce are passed in), so they are tested against Twitter's published example.
 */
import { createHmac } from "node:crypto";

/** RFC 3986 percent-encoding: everything but `A-Z a-z 0-9 - . _ ~`. */
export function percentEncode(value: string): string {
	return encodeURIComponent(value).replace(
		/[!'()*]/g,
		(c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
	);
}

/**
 * The base string URI (RFC 5849 §3.4.1.2): lower-case scheme and host, the port only when it
 * is not the scheme's default, the path, no query and no fragment.
 */
export function baseStringUri(url: URL): string {
	const scheme = url.protocol.toLowerCase();
	const defaultPort =
		(scheme === "http:" && url.port === "80") ||
		(scheme === "https:" && url.port === "443");
	const host = url.hostname.toLowerCase();
	const port = url.port && !defaultPort ? `:${url.port}` : "";
	return `${scheme}//${host}${port}${url.pathname}`;
}

/**
 * The signature base string (RFC 5849 §3.4.1): method, base URI and the normalized
 * parameters (each name and value encoded, sorted by name then value, joined by `&`).
 */
export function signatureBaseString(
	method: string,
	url: string,
	params: readonly (readonly [string, string])[],
): string {
	const parsed = new URL(url);
	const all: [string, string][] = [
		...parsed.searchParams.entries(),
		...params.map(([k, v]) => [k, v] as [string, string]),
	].map(([k, v]) => [percentEncode(k), percentEncode(v)]);
	all.sort(([ak, av], [bk, bv]) =>
		ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0,
	);
	const normalized = all.map(([k, v]) => `${k}=${v}`).join("&");
	return [
		method.toUpperCase(),
		percentEncode(baseStringUri(parsed)),
		percentEncode(normalized),
	].join("&");
}

/** HMAC-SHA1 of the base string with the key `consumerSecret&tokenSecret`, base64. */
export function hmacSha1Signature(
	baseString: string,
	consumerSecret: string,
	tokenSecret: string,
): string {
	const key = `${percentEncode(consumerSecret)}&${percentEncode(tokenSecret)}`;
	return createHmac("sha1", key).update(baseString).digest("base64");
}

export interface OAuth1Request {
	method: string;
	url: string;
	consumerKey: string;
	consumerSecret: string;
	token: string;
	tokenSecret: string;
	/** Seconds since the epoch. */
	timestamp: number;
	nonce: string;
	/** Body parameters of a form-encoded request (none for a GET). */
	bodyParams?: readonly (readonly [string, string])[];
}

/** The `Authorization: OAuth ...` header value of a signed request. */
export function oauth1Authorization(request: OAuth1Request): string {
	const oauth: [string, string][] = [
		["oauth_consumer_key", request.consumerKey],
		["oauth_nonce", request.nonce],
		["oauth_signature_method", "HMAC-SHA1"],
		["oauth_timestamp", String(request.timestamp)],
		["oauth_token", request.token],
		["oauth_version", "1.0"],
	];
	const base = signatureBaseString(request.method, request.url, [
		...oauth,
		...(request.bodyParams ?? []),
	]);
	const signature = hmacSha1Signature(
		base,
		request.consumerSecret,
		request.tokenSecret,
	);
	const header: [string, string][] = [...oauth, ["oauth_signature", signature]];
	return `OAuth ${header
		.map(([k, v]) => `${percentEncode(k)}="${percentEncode(v)}"`)
		.join(", ")}`;
}
