/**
 * Test support for the snippets of the documentation: the fenced code blocks of one section
 * of a Markdown file, read from the file itself so that a test runs exactly what a reader
 * copies, with the default port (8700) replaced by the test server's.
 */
import { readFileSync } from "node:fs";
import { fencedBlocks } from "../docs/markdown.ts";

const ROOT = new URL("../../", import.meta.url);

/** One fenced code block: its language (the info string) and its text. */
export interface CodeBlock {
	lang: string;
	code: string;
}

/**
 * The fenced code blocks of the section of `file` (relative to the repository) whose heading
 * is `heading` (its text without the `#`s), up to the next heading of the same level or
 * higher, in order, as the docs snippets test reads them (test/docs/markdown.ts). Throws when
 * the section is missing, so a renamed heading fails the test.
 */
export function codeBlocks(file: string, heading: string): CodeBlock[] {
	const { text, start, stop } = section(file, heading);
	// `line` is 1-based: the heading is line start + 1, the next heading line stop + 1.
	return fencedBlocks(file, text)
		.filter((b) => b.line > start + 1 && b.line <= stop)
		.map(({ lang, code }) => ({ lang, code }));
}

/**
 * The Markdown of the section of `file` whose heading is `heading`, from its heading to the
 * next heading of the same level or higher; throws when the section is missing.
 */
export function sectionText(file: string, heading: string): string {
	const { text, start, stop } = section(file, heading);
	return text.split("\n").slice(start, stop).join("\n");
}

/**
 * The text of `file`, and where its section `heading` is: the index of its heading's line and
 * of the next heading's (the number of lines when none follows). A `#` line in a fenced block
 * (a shell comment) is no heading.
 */
function section(
	file: string,
	heading: string,
): { text: string; start: number; stop: number } {
	const text = readFileSync(new URL(file, ROOT), "utf8");
	const lines = text.split("\n");
	let fence: string | undefined;
	const levels = lines.map((line) => {
		const trimmed = line.trim();
		const mark = /^(`{3,}|~{3,})/.exec(trimmed)?.[1];
		if (fence === undefined) {
			if (mark) fence = mark;
			return mark ? 0 : (/^(#+) /.exec(line)?.[1]?.length ?? 0);
		}
		if (mark && trimmed === mark && mark.startsWith(fence)) fence = undefined;
		return 0;
	});
	const start = lines.findIndex(
		(l, i) => (levels[i] ?? 0) > 0 && l.replace(/^#+ /, "") === heading,
	);
	if (start < 0) throw new Error(`${file} has no section "${heading}"`);
	const level = levels[start] ?? 1;
	const next = levels.findIndex((l, i) => i > start && l > 0 && l <= level);
	return { text, start, stop: next < 0 ? lines.length : next };
}

/** `code` with the default port 8700 replaced by `port`. */
export function onPort(code: string, port: number): string {
	return code.replaceAll(":8700", `:${port}`);
}
