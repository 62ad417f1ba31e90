/**
 * The test runner's slots (test/support/run-groups.ts): shared through a folder, never more
 * taken than there are, a dead runner's slot taken back, and the exclusive taker served
 * before anyone takes another slot; the tally's counts and its recap of what failed.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
	mkdtempSync,
	readdirSync,
	readFileSync,
	rmSync,
	writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { failureRecap, Slots, Tally } from "./run-groups.ts";

let dir: string;
beforeEach(() => {
	dir = mkdtempSync(join(tmpdir(), "idpool-slots-test-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The slot and exclusive files there are now (not the runners' own files). */
const taken = () =>
	readdirSync(dir)
		.filter((name) => !name.startsWith("runner-"))
		.sort();

/** A process id that no live process has. */
const DEAD_PID = 2 ** 22 + 12345;

/** A slot asked for: `taken` tells whether it was given yet, `give` answers its release. */
function asked(request: Promise<() => void>) {
	const state = {
		taken: false,
		give: request.then((give) => {
			state.taken = true;
			return give;
		}),
	};
	return state;
}

/** A time limit: a runner that waits forever fails its test rather than hangs the run. */
const LIMIT = { timeout: 10_000 };

/** Two runners sharing two slots in the test's folder. */
const twoRunners = () => [new Slots(2, dir), new Slots(2, dir)] as const;

test(
	"runners sharing a folder take no more slots than there are, and give them back",
	LIMIT,
	async () => {
		const [a, b] = twoRunners();
		const first = await a.acquire();
		const second = await b.acquire();
		assert.deepEqual(taken(), ["slot-0", "slot-1"]);
		assert.equal(
			readFileSync(join(dir, "slot-0"), "utf8"),
			String(process.pid),
		);
		const third = asked(a.acquire());
		await sleep(200);
		assert.equal(third.taken, false, "a third slot was taken out of two");
		second();
		const give = await third.give;
		first();
		give();
		assert.deepEqual(taken(), []);
	},
);

test(
	"a slot (or the exclusive file) left by a runner that is gone is taken back",
	LIMIT,
	async () => {
		writeFileSync(join(dir, "slot-0"), String(DEAD_PID));
		writeFileSync(join(dir, "exclusive"), String(DEAD_PID));
		const slots = new Slots(1, dir);
		const give = await slots.acquire();
		assert.equal(
			readFileSync(join(dir, "slot-0"), "utf8"),
			String(process.pid),
		);
		give();
		const giveAll = await slots.acquireAll();
		giveAll();
		assert.deepEqual(taken(), []);
	},
);

test(
	"once a runner asks for every slot, no other runner takes one before it is done",
	LIMIT,
	async () => {
		const [a, b] = twoRunners();
		const held = await b.acquire();
		const all = asked(a.acquireAll());
		await sleep(200);
		assert.equal(
			all.taken,
			false,
			"every slot taken while another runner held one",
		);
		// Given back and asked for again at once: the slot goes to the runner taking them all.
		held();
		const other = asked(b.acquire());
		const giveAll = await all.give;
		await sleep(200);
		assert.equal(
			other.taken,
			false,
			"a slot taken while another runner had them all",
		);
		giveAll();
		(await other.give)();
		assert.deepEqual(taken(), []);
	},
);

test("the tally adds the counts of TAP and spec summaries", () => {
	const tally = new Tally();
	tally.addOutput("ok 1 - a\n# tests 3\n# pass 2\n# fail 1\n");
	tally.addOutput("✔ b\nℹ tests 4\nℹ pass 4\nℹ fail 0\n");
	tally.failedRuns = 1;
	assert.equal(
		tally.add(new Tally()).summary(),
		"tests 7, suites 0, pass 6, fail 1, cancelled 0, skipped 0, todo 0, 1 test process(es) failed",
	);
});

/** This process's environment but for what marks it a test process (a child would not run). */
const { NODE_TEST_CONTEXT: _, ...childEnv } = process.env;

/** What `node --test` prints, with `reporter`, for a file with a failing and a passing test. */
function reported(reporter: "spec" | "tap"): string {
	const file = join(dir, "sample.test.mjs");
	writeFileSync(
		file,
		`import assert from "node:assert/strict";
import { describe, test } from "node:test";
describe("a suite", () => {
	test("the one that fails", () => assert.equal("disk", "full", "the reason it failed"));
	test("the one that passes", () => {});
});
`,
	);
	const run = spawnSync(
		process.execPath,
		["--test", `--test-reporter=${reporter}`, file],
		{ encoding: "utf8", env: { ...childEnv, FORCE_COLOR: "0" } },
	);
	return run.stdout + run.stderr;
}

for (const reporter of ["spec", "tap"] as const) {
	test(`the recap of a failed process (${reporter}) keeps the failing test and its error, not the rest`, () => {
		const output = reported(reporter);
		const recap = failureRecap(output);
		assert.match(recap, /the one that fails/);
		assert.match(recap, /the reason it failed/);
		assert.doesNotMatch(recap, /the one that passes/);
		assert.ok(recap.length < output.length, "shorter than the output");
	});
}

test("the recap of a process that died before its reporter ended is its last lines", () => {
	const output = Array.from({ length: 100 }, (_, i) => `line ${i}`).join("\n");
	const recap = failureRecap(`${output}\nError: out of memory\n`);
	assert.match(recap, /Error: out of memory$/);
	assert.doesNotMatch(recap, /line 10\b/);
});

test("the tally's recaps are kept, and added up", () => {
	const a = new Tally();
	a.failures.push("--- one");
	const b = new Tally();
	b.failures.push("--- two");
	assert.deepEqual(a.add(b).failures, ["--- one", "--- two"]);
});
