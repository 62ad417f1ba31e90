/**
 * Features of a fuzz request as the server decodes it (the strings of its JSON body, the
 * parameters of its form body and query string), for the known-failures list of
 * `wire.test.ts`, which excuses a failure only by the precise request feature that causes it.
 */
import type { FuzzRequest } from "./request.ts";

/** The body the server received (the one sent after signing, if it was changed). */
function sentBody(req: FuzzRequest): Buffer {
	return req.tamper?.sentBody ?? req.body;
}

/** Every string of the JSON body, member names included (none if it is not JSON). */
export function jsonStrings(req: FuzzRequest): string[] {
	let value: unknown;
	try {
		value = JSON.parse(sentBody(req).toString("utf8"));
	} catch {
		return [];
	}
	const out: string[] = [];
	const walk = (v: unknown) => {
		if (typeof v === "string") out.push(v);
		else if (Array.isArray(v)) v.forEach(walk);
		else if (v !== null && typeof v === "object") {
			for (const [key, item] of Object.entries(v)) {
				out.push(key);
				walk(item);
			}
		}
	};
	walk(value);
	return out;
}

/** Every name and value of the form body and the query string. */
export function formStrings(req: FuzzRequest): string[] {
	const out: string[] = [];
	const add = (text: string) => {
		for (const [name, value] of new URLSearchParams(text))
			out.push(name, value);
	};
	const q = req.path.indexOf("?");
	if (q >= 0) add(req.path.slice(q + 1));
	add(sentBody(req).toString("utf8"));
	return out;
}

/** Whether any decoded string of the request (JSON or form) is one `test` accepts. */
export function anyString(
	req: FuzzRequest,
	test: (s: string) => boolean,
): boolean {
	return [...jsonStrings(req), ...formStrings(req)].some(test);
}

/** The value of the `Logins` entry `key` of the JSON body, if it has one. */
export function loginOf(req: FuzzRequest, key: string): string | undefined {
	let body: unknown;
	try {
		body = JSON.parse(sentBody(req).toString("utf8"));
	} catch {
		return undefined;
	}
	const logins = (body as { Logins?: unknown } | null)?.Logins;
	if (logins === null || typeof logins !== "object") return undefined;
	const value = Object.hasOwn(logins, key)
		? (logins as Record<string, unknown>)[key]
		: undefined;
	return typeof value === "string" ? value : undefined;
}

/** Whether `s` holds a UTF-16 surrogate without its other half. */
export function hasLoneSurrogate(s: string): boolean {
	for (const c of s) {
		const code = c.codePointAt(0) ?? 0;
		if (code >= 0xd800 && code <= 0xdfff) return true;
	}
	return false;
}

/** Whether `s` holds U+0000. */
export function hasNul(s: string): boolean {
	return s.includes("\u0000");
}

/** Whether `s` holds a character XML 1.0 does not allow in a document. */
export function hasXmlForbidden(s: string): boolean {
	for (const c of s) {
		if (!isXmlChar(c.codePointAt(0) ?? 0)) return true;
	}
	return false;
}

/** XML 1.0's production [2] Char: tab, LF, CR and U+0020 on, but surrogates, U+FFFE, U+FFFF. */
export function isXmlChar(code: number): boolean {
	if (code < 0x20) return code === 0x9 || code === 0xa || code === 0xd;
	if (code >= 0xd800 && code <= 0xdfff) return false;
	return code !== 0xfffe && code !== 0xffff;
}
