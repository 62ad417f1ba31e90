/**
 * The test runner of the npm scripts: `tsx test/run.ts [--concurrency=N] [--exclude=PATH]...
 * PATH...`, where a PATH is a test file or a folder searched for `*.test.ts` (files start in
 * the order of the paths; `--exclude` leaves out a file or folder), and any other `--option`
 * is passed on to `node --test` (a reporter, say).
 *
 * Test files run in parallel, grouped a few to a process, `IDPOOL_TEST_CONCURRENCY` processes
 * (default {@link DEFAULT_CONCURRENCY}) at a time; every suite takes its own ports, temporary
 * files and PostgreSQL schemas, so files do not see each other. Each process's output is
 * printed in one block when it ends, and the counts are added up at the end. The few files in
 * {@link ALONE} run afterwards, one at a time, on an otherwise idle machine: what they check
 * is how the kernel schedules a process's threads, which a saturated CPU changes.
 *
 * Runners given the same `IDPOOL_TEST_SLOTS` folder share the concurrency: `.ci/run` runs the
 * suites on Node.js 20 and 24 at once that way (test/support/run-groups.ts), and a runner's
 * files that run alone wait until no test process of either runner is running.
 *
 * The store engines a run covers are chosen by `IDPOOL_TEST_STORES` (test/support/stores.ts).
 */
import { readdirSync, statSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { runFiles, Slots } from "./support/run-groups.ts";
import { selectedEngines } from "./support/stores.ts";

/**
 * Files (run alone) whose tests watch thread priorities: under a full CPU, libuv's pool
 * threads of a niced process may not all wake within the discovery rounds of
 * src/lib/thread-pool-priority.ts, and the tests (rightly) expect every one of them found.
 */
const ALONE = [
	"src/lib/thread-pool-priority.test.ts",
	"test/cli/priority.test.ts",
];

/**
 * Files at once. The suite is mostly CPU (module loading, the AWS CLI's Python, signing) with
 * some waiting on sockets: on the 2-core machines four keeps both cores busy; more only adds
 * contention (measured in docs/development.md).
 */
const DEFAULT_CONCURRENCY = 4;

/**
 * Test files one process runs at most, one after the other: starting a process that loads
 * tsx, the SDK and the server costs about a second of CPU, more than most files' own tests,
 * so files share processes (`IDPOOL_TEST_FILES_PER_PROCESS`; 1 gives every file its own).
 * Files do not see each other in a process either: each suite has its own servers, ports,
 * files and schemas, and the code under test keeps no state in its modules.
 */
const DEFAULT_FILES_PER_PROCESS = 8;

const root = fileURLToPath(new URL("..", import.meta.url));

function testFiles(path: string): string[] {
	const full = resolve(root, path);
	if (statSync(full).isFile()) return [relative(root, full)];
	return readdirSync(full, { recursive: true, encoding: "utf8" })
		.filter((name) => name.endsWith(".test.ts"))
		.map((name) => relative(root, join(full, name)))
		.sort();
}

const options = process.argv.slice(2).filter((a) => a.startsWith("--"));
const paths = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const concurrencyOption = options.find((o) => o.startsWith("--concurrency="));
const concurrency = Number(
	concurrencyOption?.split("=")[1] ??
		process.env.IDPOOL_TEST_CONCURRENCY ??
		DEFAULT_CONCURRENCY,
);
if (!Number.isInteger(concurrency) || concurrency < 1) {
	throw new Error(
		`test concurrency must be a whole number from 1: ${concurrency}`,
	);
}
const excluded = options
	.filter((o) => o.startsWith("--exclude="))
	.map((o) => resolve(root, o.slice("--exclude=".length)));
const passOn = options.filter(
	(o) => o !== concurrencyOption && !o.startsWith("--exclude="),
);

selectedEngines(); // a bad IDPOOL_TEST_STORES fails here, once, rather than in every file

// In the order of the paths given (the slowest suites first keeps the end of a run from
// waiting on one long file), each file once.
const isExcluded = (file: string) =>
	excluded.some((path) => {
		const rel = relative(path, resolve(root, file));
		return rel === "" || (!rel.startsWith("..") && !rel.startsWith("/"));
	});
const files = [...new Set(paths.flatMap(testFiles))].filter(
	(file) => !isExcluded(file),
);
const alone = files.filter((f) => ALONE.includes(f));
const together = files.filter((f) => !ALONE.includes(f));

const perProcess = Number(
	process.env.IDPOOL_TEST_FILES_PER_PROCESS ?? DEFAULT_FILES_PER_PROCESS,
);
if (!Number.isInteger(perProcess) || perProcess < 1) {
	throw new Error(
		`IDPOOL_TEST_FILES_PER_PROCESS must be a whole number from 1: ${perProcess}`,
	);
}

const slots = new Slots(concurrency, process.env.IDPOOL_TEST_SLOTS);
const run = {
	slots,
	nodeArgs: ["--import", "tsx", "--test", ...passOn],
	cwd: root,
	label: `node ${process.versions.node}`,
	perProcess,
};
const tallyTogether = await runFiles(together, run);
// Alone: one file a process, every slot held, so that no other test process runs meanwhile
// (one of a runner sharing IDPOOL_TEST_SLOTS included).
const tallyAlone = await runFiles(alone, {
	...run,
	perProcess: 1,
	exclusive: true,
});
slots.close();
const total = tallyTogether.add(tallyAlone);
// The failures again, last, where a log read from its end shows them (and in the file
// IDPOOL_TEST_FAILURES names, if any: .ci/run prints both runners' at its very end).
const recap =
	total.failures.length > 0
		? `\n${run.label}: what failed\n${total.failures.join("\n")}\n`
		: "";
process.stdout.write(recap);
if (process.env.IDPOOL_TEST_FAILURES) {
	writeFileSync(process.env.IDPOOL_TEST_FAILURES, recap);
}
process.stdout.write(`\n${run.label}: ${total.summary()}\n`);
process.exitCode = total.failedRuns > 0 ? 1 : 0;
