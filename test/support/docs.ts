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
	const text = readFileSync(new URL(file, ROOT), "utf8");
	const lines = text.split("\n");
	const start = lines.findIndex(
		(l) => /^#+ /.test(l) && l.replace(/^#+ /, "") === heading,
	);
	if (start < 0) throw new Error(`${file} has no section "${heading}"`);
	const level = /^#+/.exec(lines[start] as string)?.[0].length ?? 1;
	const next = lines.findIndex(
		(l, i) => i > start && (/^(#+) /.exec(l)?.[1]?.length ?? 99) <= level,
	);
	const end = next < 0 ? lines.length : next + 1;
	return fencedBlocks(file, text)
		.filter((b) => b.line > start + 1 && b.line < end)
		.map(({ lang, code }) => ({ lang, code }));
}

/** `code` with the default port 8700 replaced by `port`. */
export function onPort(code: string, port: number): string {
	return code.replaceAll(":8700", `:${port}`);
}
