/**
 * The rules of the docs snippets test (docs/development.md, "Docs snippets"): which blocks
 * are found, and what is done with each; above all, that a block neither run nor declared
 * is an error.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { fencedBlocks, plan } from "./markdown.ts";

function only(text: string) {
	const blocks = fencedBlocks("page.md", text);
	assert.equal(blocks.length, 1);
	return blocks[0] as NonNullable<(typeof blocks)[0]>;
}

describe("docs snippets: the blocks of a page and their plan", () => {
	test("a fenced block is found with its line, language, text and marker", () => {
		const blocks = fencedBlocks(
			"page.md",
			[
				"# Title",
				"",
				"<!-- snippet: setup=id-token issuer=localhost:8080/realms/a audience=b -->",
				"",
				"```JS title",
				"const a = 1;",
				"```",
				"",
				"~~~python",
				"print(1)",
				"```",
				"~~~",
			].join("\n"),
		);
		assert.deepEqual(blocks, [
			{
				page: "page.md",
				line: 5,
				lang: "js",
				code: "const a = 1;",
				marker: "setup=id-token issuer=localhost:8080/realms/a audience=b",
			},
			{
				page: "page.md",
				line: 9,
				lang: "python",
				code: "print(1)\n```",
				marker: undefined,
			},
		]);
	});

	test("a block in a list item loses the indentation of its fence", () => {
		const block = only(
			"1. Step:\n\n   <!-- snippet: not run: calls AWS -->\n   ```sh\n   aws iam x \\\n     --y\n   ```\n",
		);
		assert.equal(block.code, "aws iam x \\\n  --y");
		assert.deepEqual(plan(block), {
			kind: "declared",
			why: "not run: calls AWS",
		});
	});

	test("a block with no language, or one the test does not run, is an error", () => {
		for (const fence of ["```", "```yaml", "```console"]) {
			const p = plan(only(`${fence}\nx\n\`\`\``));
			assert.equal(p.kind, "error", fence);
		}
	});

	test("text is declared; a marker on it is an error", () => {
		assert.equal(plan(only("```text\nout\n```")).kind, "declared");
		assert.equal(
			plan(only("<!-- snippet: server -->\n```text\nout\n```")).kind,
			"error",
		);
	});

	test("a marker that does not fit its block is an error", () => {
		const cases = [
			"<!-- snippet: not run: -->\n```sh\nx\n```", // no reason
			"<!-- snippet: sever -->\n```sh\nx\n```", // an unknown word
			"<!-- snippet: server -->\n```js\nx\n```", // server: shell only
			"<!-- snippet: continues -->\n```sh\nx\n```", // JavaScript only
			"<!-- snippet: syntax -->\n```python\nx\n```", // JavaScript only
			"<!-- snippet: output -->\n```sh\nx\n```", // text only
			"<!-- snippet: output server -->\n```text\nx\n```", // output alone
		];
		for (const text of cases)
			assert.equal(plan(only(text)).kind, "error", text);
	});

	test("each language and marker has its plan", () => {
		const cases: [string, string][] = [
			["```sh\nls\n```", "sh"],
			["```bash\nls\n```", "sh"],
			["<!-- snippet: server -->\n```sh\nnpm start\n```", "server"],
			["```ts\nconst a: number = 1;\n```", "js"],
			["<!-- snippet: continues -->\n```js\nx\n```", "js"],
			["<!-- snippet: syntax -->\n```js\nx\n```", "syntax"],
			["```py\nprint(1)\n```", "python"],
			["```json\n{}\n```", "json"],
			["<!-- snippet: output -->\n```text\nout\n```", "output"],
			["<!-- snippet: file=idpool.json -->\n```json\n{}\n```", "json"],
			["<!-- snippet: file=~/.aws/config -->\n```ini\n[default]\n```", "file"],
		];
		for (const [text, kind] of cases) {
			assert.equal(plan(only(text)).kind, kind, text);
		}
	});

	test("a marker counts only on the last non-blank line before the fence", () => {
		const block = only(
			"<!-- snippet: server -->\nSome prose.\n\n```sh\nx\n```",
		);
		assert.equal(block.marker, undefined);
	});
});
