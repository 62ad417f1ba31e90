/**
 * The fenced code blocks of the documentation, and what the docs snippets test does with each
 * (the rules are in docs/development.md, "Docs snippets"): every block is run, or declared
 * as not run (the info string `text`, or a `<!-- snippet: not run: <reason> -->` marker).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

/** A fenced block of a page, with the marker comment on the line before it, if any. */
export interface Block {
	/** The page, relative to the repository (`README.md`, `docs/keys.md`). */
	page: string;
	/** The line of the opening fence (1-based). */
	line: number;
	/** The first word of the info string, lower case ("" when there is none). */
	lang: string;
	/** The content, without the indentation of the fence. */
	code: string;
	/** The text of a `<!-- snippet: ... -->` comment right before the fence. */
	marker: string | undefined;
}

/** What a marker says (see docs/development.md). */
export interface Marker {
	/** `not run: <reason>`: the block is not run, for that reason. */
	notRun?: string;
	/** `server`: a shell block that starts the page's server and keeps running. */
	server: boolean;
	/** `continues`: a JavaScript block that goes on the module of the JavaScript block before. */
	continues: boolean;
	/** `syntax`: a JavaScript block whose syntax only is checked (its packages are not here). */
	syntax: boolean;
	/** `output`: a text block that the output of the block before must match. */
	output: boolean;
	/** `file=<path>`: the block's text is written to that file of the page's folder. */
	file?: string;
	/** `setup=<name>`: a setup of test/docs/setups.ts runs before the block. */
	setup?: string;
	/** Every other `key=value` (the setup's arguments). */
	options: Record<string, string>;
}

/** What the test does with a block it runs or checks. */
export type RunKind =
	| "sh"
	| "server"
	| "js"
	| "syntax"
	| "python"
	| "json"
	| "file"
	| "output";

/** How a block is treated. */
export type Plan =
	| { kind: "declared"; why: string }
	| { kind: "error"; message: string }
	| { kind: RunKind; marker: Marker };

const FENCE = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)[^`]*$/;
const MARKER = /^<!--\s*snippet:(.*?)-->$/;

const SHELL = new Set(["sh", "bash", "shell"]);
const JAVASCRIPT = new Set(["js", "javascript", "mjs", "ts", "typescript"]);
const PYTHON = new Set(["python", "py"]);

/** Every fenced block of one Markdown text. */
export function fencedBlocks(page: string, text: string): Block[] {
	const lines = text.split("\n");
	const blocks: Block[] = [];
	for (let i = 0; i < lines.length; i++) {
		const open = FENCE.exec(lines[i] as string);
		if (!open) continue;
		const indent = (open[1] as string).length;
		const fence = open[2] as string;
		const body: string[] = [];
		let j = i + 1;
		for (; j < lines.length; j++) {
			const line = lines[j] as string;
			const trimmed = line.trim();
			if (
				trimmed.startsWith(fence) &&
				/^(`+|~+)$/.test(trimmed) &&
				trimmed[0] === fence[0]
			) {
				break;
			}
			body.push(line.slice(Math.min(indent, line.search(/\S|$/))));
		}
		let before = i - 1;
		while (before >= 0 && (lines[before] as string).trim() === "") before--;
		const marker =
			before >= 0
				? MARKER.exec((lines[before] as string).trim())?.[1]?.trim()
				: undefined;
		blocks.push({
			page,
			line: i + 1,
			lang: (open[3] as string).toLowerCase(),
			code: body.join("\n"),
			marker,
		});
		i = j;
	}
	return blocks;
}

/** Parses a marker's text; throws on a word it does not know. */
export function parseMarker(text: string | undefined): Marker {
	const marker: Marker = {
		server: false,
		continues: false,
		syntax: false,
		output: false,
		options: {},
	};
	if (text === undefined) return marker;
	const notRun = /^not run:(.*)$/s.exec(text);
	if (notRun) {
		marker.notRun = (notRun[1] as string).trim();
		if (marker.notRun === "") throw new Error("`not run:` needs a reason");
		return marker;
	}
	for (const word of text.split(/\s+/).filter((w) => w !== "")) {
		const [key, value] = word.split(/=(.*)/s) as [string, string | undefined];
		if (value === undefined) {
			if (key === "server") marker.server = true;
			else if (key === "continues") marker.continues = true;
			else if (key === "syntax") marker.syntax = true;
			else if (key === "output") marker.output = true;
			else throw new Error(`unknown word in the snippet marker: ${key}`);
		} else if (key === "file") marker.file = value;
		else if (key === "setup") marker.setup = value;
		else marker.options[key] = value;
	}
	return marker;
}

/** What the test does with `block`. */
export function plan(block: Block): Plan {
	let marker: Marker;
	try {
		marker = parseMarker(block.marker);
	} catch (err) {
		return { kind: "error", message: (err as Error).message };
	}
	if (block.lang === "text") {
		if (block.marker === undefined) {
			return { kind: "declared", why: "text: output or illustration" };
		}
		return block.marker === "output"
			? { kind: "output", marker }
			: { kind: "error", message: "a text block takes no marker but output" };
	}
	if (marker.output) {
		return { kind: "error", message: "output applies to text blocks" };
	}
	if (marker.notRun !== undefined) {
		return { kind: "declared", why: `not run: ${marker.notRun}` };
	}
	if (marker.server && !SHELL.has(block.lang)) {
		return { kind: "error", message: "only a shell block can be a server" };
	}
	if ((marker.continues || marker.syntax) && !JAVASCRIPT.has(block.lang)) {
		return {
			kind: "error",
			message: "continues and syntax apply to JavaScript blocks",
		};
	}
	if (block.lang === "json") return { kind: "json", marker };
	if (marker.file !== undefined) return { kind: "file", marker };
	if (SHELL.has(block.lang)) {
		return { kind: marker.server ? "server" : "sh", marker };
	}
	if (JAVASCRIPT.has(block.lang)) {
		return { kind: marker.syntax ? "syntax" : "js", marker };
	}
	if (PYTHON.has(block.lang)) return { kind: "python", marker };
	return {
		kind: "error",
		message: `a \`${block.lang || "(no language)"}\` block is neither run nor declared: give it a language the test runs, \`text\` for output or illustration, or a \`<!-- snippet: not run: <reason> -->\` marker`,
	};
}

/** Whether a JavaScript block is TypeScript (its module gets the .mts extension). */
export function isTypeScript(lang: string): boolean {
	return lang === "ts" || lang === "typescript";
}

/** README.md and every Markdown page under docs/, in a stable order. */
export function documentationPages(root: string): string[] {
	const docs = readdirSync(join(root, "docs"), {
		recursive: true,
		encoding: "utf8",
	})
		.filter((name) => name.endsWith(".md"))
		.map((name) => relative(root, join(root, "docs", name)))
		.sort();
	return ["README.md", ...docs];
}

/** The blocks of a page of the repository. */
export function pageBlocks(root: string, page: string): Block[] {
	return fencedBlocks(page, readFileSync(join(root, page), "utf8"));
}
