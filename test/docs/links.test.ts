/**
 * The documentation's links inside the repository lead somewhere: every relative link of
 * README.md, docs/**.md and the examples' READMEs names a file or folder that exists, and a
 * `#fragment` names a heading of the page it points to, by GitHub's rule for heading anchors
 * (lower case; punctuation other than `-` and `_` dropped; each space a `-`; a repeated
 * heading `-1`, `-2`, ...) or an `<a id="...">` of it. Links to other sites are not followed.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** The pages: README.md, every Markdown page of docs/, the examples' READMEs. */
function pages(): string[] {
	const under = (dir: string, keep: (name: string) => boolean) =>
		readdirSync(join(ROOT, dir), { recursive: true, encoding: "utf8" })
			.filter(keep)
			.map((name) => join(dir, name));
	return [
		"README.md",
		...under("docs", (name) => name.endsWith(".md")),
		...under("examples", (name) => name.endsWith("README.md")),
	];
}

/** The page's text without its fenced blocks (a `#` or a link in code is neither). */
function prose(text: string): string {
	let fence: string | undefined;
	return text
		.split("\n")
		.map((line) => {
			const mark = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
			if (fence === undefined) {
				if (mark) fence = mark;
				return mark ? "" : line;
			}
			if (mark?.startsWith(fence) && line.trim() === mark) fence = undefined;
			return "";
		})
		.join("\n");
}

/** The anchors GitHub gives the headings of `text`, and those of its `<a id="...">`. */
export function anchors(text: string): Set<string> {
	const seen = new Map<string, number>();
	const out = new Set<string>();
	for (const m of prose(text).matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) {
		out.add(m[1] ?? "");
	}
	for (const line of prose(text).split("\n")) {
		const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
		if (heading === undefined) continue;
		// HTML tags are dropped, but not a `<...>` in code, which is text.
		const base = heading
			.split(/(`[^`]*`)/)
			.map((part) =>
				part.startsWith("`") ? part : part.replace(/<[^>]*>/g, ""),
			)
			.join("")
			.replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
			.toLowerCase()
			.replace(/[^\p{L}\p{N}\s_-]/gu, "")
			.replace(/\s/g, "-");
		const n = seen.get(base) ?? 0;
		seen.set(base, n + 1);
		out.add(n === 0 ? base : `${base}-${n}`);
	}
	return out;
}

/** The targets of the page's Markdown links, `[text](target)`, outside code. */
function links(text: string): string[] {
	const inline = prose(text).replace(/`[^`\n]*`/g, "");
	return [...inline.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map(
		(m) => m[1] ?? "",
	);
}

test("GitHub's anchors, as this test makes them", () => {
	assert.deepEqual(
		[
			...anchors(
				"# Title\n## Using AWS STS: the IAM OIDC provider\n### `store/sql` and `pg`\n### `not '<region>'.` <b>x</b>\n## Title\n```sh\n# not a heading\n```\n",
			),
		],
		[
			"title",
			"using-aws-sts-the-iam-oidc-provider",
			"storesql-and-pg",
			"not-region-x",
			"title-1",
		],
	);
});

test("every link inside the repository names a file that exists, and a heading of it", () => {
	const broken: string[] = [];
	let checked = 0;
	for (const page of pages()) {
		const text = readFileSync(join(ROOT, page), "utf8");
		for (const target of links(text)) {
			if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:, ...
			checked++;
			const [path = "", fragment] = target.split("#");
			const file =
				path === "" ? join(ROOT, page) : join(ROOT, dirname(page), path);
			const where = `${page}: ${target}`;
			if (!existsSync(file)) {
				broken.push(`${where} (no ${relative(ROOT, file)})`);
				continue;
			}
			if (fragment === undefined || !file.endsWith(".md")) continue;
			const headings = anchors(readFileSync(file, "utf8"));
			if (!headings.has(decodeURIComponent(fragment))) {
				broken.push(`${where} (no heading #${fragment})`);
			}
		}
	}
	assert.ok(checked > 100, `links checked: ${checked}`);
	assert.deepEqual(broken, []);
});
