/**
 * Every fenced code block of README.md and docs/**.md is run, or declared as not run, by the
 * rules of docs/development.md ("Docs snippets"): one `describe` a page, one test a block
 * that runs, in the page's order, each page in a folder of its own with its own server.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
	type Block,
	documentationPages,
	pageBlocks,
	plan,
} from "./markdown.ts";
import { PageRun, ROOT, type Step } from "./page-run.ts";

/** The steps of a page: its blocks that run, a `continues` block joined to the one before. */
function steps(blocks: Block[]): { steps: Step[]; problems: string[] } {
	const out: Step[] = [];
	const problems: string[] = [];
	for (const block of blocks) {
		const p = plan(block);
		if (p.kind === "declared") continue;
		if (p.kind === "error") {
			problems.push(`${block.page}:${block.line}: ${p.message}`);
			continue;
		}
		if (p.marker.continues) {
			const previous = [...out].reverse().find((s) => s.kind === "js");
			if (!previous) {
				problems.push(
					`${block.page}:${block.line}: continues, but no JavaScript block comes before`,
				);
				continue;
			}
			// The module runs once, at the place of its last block.
			out.splice(out.indexOf(previous), 1);
			out.push({ ...previous, blocks: [...previous.blocks, block] });
			continue;
		}
		out.push({ kind: p.kind, blocks: [block], marker: p.marker });
	}
	return { steps: out, problems };
}

for (const page of documentationPages(ROOT)) {
	const blocks = pageBlocks(ROOT, page);
	const { steps: pageSteps, problems } = steps(blocks);
	describe(`docs snippets: ${page}`, () => {
		test("every block is run, or declared as not run", () => {
			assert.deepEqual(problems, []);
		});
		if (pageSteps.length === 0) return;
		const run = new PageRun(page, blocks);
		before(() => run.start());
		after(() => run.stop());
		for (const step of pageSteps) {
			const lines = step.blocks.map((b) => b.line).join("+");
			const lang = (step.blocks[0] as Block).lang;
			test(`${page}:${lines} (${lang}${step.kind === lang ? "" : `, ${step.kind}`})`, (t) =>
				run.run(step, (why) => t.skip(why)));
		}
	});
}
