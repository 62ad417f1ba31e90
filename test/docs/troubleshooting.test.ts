/**
 * docs/troubleshooting.md is indexed by messages: each heading quotes one (between
 * backquotes). The ones the server or the `idpool` command prints must be its own, so that
 * a message changed in the code cannot leave the page pointing at a text nobody sees: each
 * is found in the sources (`src/`, not its tests), its `<...>` parts standing for any text
 * and the CLI's `idpool: ` prefix left out. A client's or a browser's own text is named in
 * {@link NOT_IDPOOLS}. (The page's blocks, which snippets.test.ts runs, check the answers
 * they show.)
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const PAGE = "docs/troubleshooting.md";

/** Messages of the page that other programs print (the AWS CLI, boto3, a browser). */
const NOT_IDPOOLS = new Set([
	'Could not connect to the endpoint URL: "https://cognito-identity.us-east-1.amazonaws.com/"',
	"You must specify a region.",
	"blocked by CORS policy",
]);

/** The sources of the server and the CLI, without their tests. */
function sources(): string[] {
	const dir = join(ROOT, "src");
	return readdirSync(dir, { recursive: true, encoding: "utf8" })
		.filter((name) => name.endsWith(".ts") && !name.endsWith(".test.ts"))
		.map((name) => readFileSync(join(dir, name), "utf8"));
}

/** The quoted messages of the page's headings. */
function headingMessages(): string[] {
	const text = readFileSync(join(ROOT, PAGE), "utf8");
	return text
		.split("\n")
		.filter((line) => /^#{2,} /.test(line))
		.flatMap((line) => [...line.matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? ""));
}

/** Whether `source` holds the fragments of `message` (split at its `<...>` parts), in order. */
function holds(source: string, message: string): boolean {
	let from = 0;
	for (const fragment of message.replace(/^idpool: /, "").split(/<[^>]+>/)) {
		if (fragment === "") continue;
		const at = source.indexOf(fragment, from);
		if (at < 0) return false;
		from = at + fragment.length;
	}
	return true;
}

test("the messages the page is indexed by are idpool's own, or named as another program's", () => {
	const messages = headingMessages();
	assert.ok(
		messages.length >= 10,
		`the page's messages: ${messages.join(" | ")}`,
	);
	const code = sources();
	const missing = messages.filter(
		(m) => !NOT_IDPOOLS.has(m) && !code.some((source) => holds(source, m)),
	);
	assert.deepEqual(missing, [], "messages found in no source file");
	for (const other of NOT_IDPOOLS) {
		assert.ok(messages.includes(other), `${other}: still on the page`);
	}
});

test("a message changed in the code would be seen", () => {
	const code = sources();
	assert.ok(
		code.some((s) =>
			holds(
				s,
				"Signature expired: <time> is now earlier than <time> (<time> - 15 min.)",
			),
		),
	);
	assert.ok(
		!code.some((s) =>
			holds(
				s,
				"Signature expired: <time> is now later than <time> (<time> - 15 min.)",
			),
		),
	);
});
