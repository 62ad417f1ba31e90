/**
 * Test support for the snippets of the documentation: the fenced code blocks of one section
 * of a Markdown file, read from the file itself so that a test runs exactly what a reader
 * copies, and a free port for the snippets that name the default one (8700), which a test
 * replaces with it.
 */
import { readFileSync } from "node:fs";
import { createServer } from "node:net";

const ROOT = new URL("../../", import.meta.url);

/** One fenced code block: its language (the info string) and its text. */
export interface CodeBlock {
	lang: string;
	code: string;
}

/**
 * The fenced code blocks of the section of `file` (relative to the repository) whose heading
 * is `heading` (its text without the `#`s), up to the next heading of the same level or
 * higher, in order. Throws when the section is missing, so a renamed heading fails the test.
 */
export function codeBlocks(file: string, heading: string): CodeBlock[] {
	const lines = readFileSync(new URL(file, ROOT), "utf8").split("\n");
	const start = lines.findIndex(
		(l) => /^#+ /.test(l) && l.replace(/^#+ /, "") === heading,
	);
	if (start < 0) throw new Error(`${file} has no section "${heading}"`);
	const level = /^#+/.exec(lines[start] as string)?.[0].length ?? 1;
	const blocks: CodeBlock[] = [];
	let current: { lang: string; lines: string[] } | undefined;
	for (const line of lines.slice(start + 1)) {
		if (current) {
			if (line.startsWith("```")) {
				blocks.push({ lang: current.lang, code: current.lines.join("\n") });
				current = undefined;
			} else current.lines.push(line);
			continue;
		}
		const h = /^(#+) /.exec(line);
		if (h && (h[1] as string).length <= level) break;
		if (line.startsWith("```"))
			current = { lang: line.slice(3).trim(), lines: [] };
	}
	return blocks;
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.once("error", reject);
		server.listen(0, "127.0.0.1", () => {
			const address = server.address();
			const port = typeof address === "object" && address ? address.port : 0;
			server.close(() => resolve(port));
		});
	});
}

/** `code` with the default port 8700 replaced by `port`. */
export function onPort(code: string, port: number): string {
	return code.replaceAll(":8700", `:${port}`);
}
