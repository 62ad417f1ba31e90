/**
 * @module lib/xml
 * The little XML the AWS query protocol needs, both ways: escaping text for the answers this
 * server writes (`protocol/aws-query.ts`) and reading the text of named elements out of the answers
 * an STS endpoint writes (`credentials/sts-provider.ts`). STS answers are flat, namespaced
 * documents without attributes that matter, CDATA or repeated element names in the parts
 * read here, so a full XML parser is not needed; reading is bounded (no backtracking
 * regular expressions over the whole document).
 */

/** The namespace of every STS answer. */
export const STS_NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/";
/** The API version of STS (the `Version` parameter). */
export const STS_VERSION = "2011-06-15";

const ESCAPES: Record<string, string> = {
	"&": "&amp;",
	"<": "&lt;",
	">": "&gt;",
};

/**
 * Characters that XML 1.0 does not allow at all, even escaped: the C0 controls but tab, LF
 * and CR, U+FFFE and U+FFFF, and unpaired surrogates.
 */
const NOT_XML =
	// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what it finds
	/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Text escaped for an XML element's content (only `&`, `<` and `>`: quotes stay as they are,
 * as in AWS's answers; nothing variable is ever written into an attribute). A character XML
 * does not allow (echoed input may hold one) becomes U+FFFD, so the answer stays well-formed.
 */
export function escapeXml(text: string): string {
	return text
		.replace(NOT_XML, "\ufffd")
		.replace(/[&<>]/g, (c) => ESCAPES[c] ?? c);
}

const NAMED_ENTITIES: Record<string, string> = {
	amp: "&",
	lt: "<",
	gt: ">",
	quot: '"',
	apos: "'",
};

/** XML character data with its entity and character references resolved. */
export function unescapeXml(text: string): string {
	if (!text.includes("&")) return text;
	return text.replace(
		/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-z]{2,4});/g,
		(whole, ref: string) => {
			if (ref.startsWith("#")) {
				const code =
					ref[1] === "x"
						? Number.parseInt(ref.slice(2), 16)
						: Number.parseInt(ref.slice(1), 10);
				return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
			}
			return NAMED_ENTITIES[ref] ?? whole;
		},
	);
}

/** `<name>text</name>` with the text escaped. */
export function element(name: string, text: string): string {
	return `<${name}>${escapeXml(text)}</${name}>`;
}

/**
 * The content of the first element named `name` (any namespace prefix) inside `xml`, or
 * `undefined` when there is none. Element content is returned raw (not unescaped): pass it
 * to {@link textOf} for character data, or search it again for nested elements.
 */
export function contentOf(xml: string, name: string): string | undefined {
	const open = new RegExp(`<(?:[A-Za-z_][\\w.-]*:)?${name}(?:\\s[^>]*)?>`);
	const start = open.exec(xml);
	if (!start) return undefined;
	const from = start.index + start[0].length;
	const close = new RegExp(`</(?:[A-Za-z_][\\w.-]*:)?${name}\\s*>`);
	const end = close.exec(xml.slice(from));
	if (!end) return undefined;
	return xml.slice(from, from + end.index);
}

/** The character data of the first element named `name`, unescaped and trimmed. */
export function textOf(xml: string, name: string): string | undefined {
	const content = contentOf(xml, name);
	return content === undefined ? undefined : unescapeXml(content).trim();
}
