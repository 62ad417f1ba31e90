/**
 * The test runner of the npm scripts: `tsx test/run.ts [--concurrency=N] [--exclude=PATH]...
 * PATH...`, where a PATH is a test file or a folder searched for `*.test.ts` (files start in
 * the order of the paths; `--exclude` leaves out a file or folder), and any other `--option`
 * is passed on to `node --test` (a reporter, say).
 *
 * Test files run in parallel, `IDPOOL_TEST_CONCURRENCY` (default {@link DEFAULT_CONCURRENCY})
 * at a time: each file is a process of its own, and every suite takes its own ports,
 * temporary files and PostgreSQL schemas, so files do not see each other. The few files in
 * {@link ALONE} run afterwards, one at a time, on an otherwise idle machine: what they check
 * is how the kernel schedules a process's threads, which a saturated CPU changes.
 *
 * The store engines a run covers are chosen by `IDPOOL_TEST_STORES` (test/support/stores.ts).
 */
import { spawnSync } from "node:child_process";
import {
	mkdtempSync,
	readdirSync,
	rmSync,
	statSync,
	writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
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
 * Test files one process runs, one after the other: starting a process that loads tsx, the
 * SDK and the server costs about a second of CPU, more than most files' own tests, so files
 * share processes (`IDPOOL_TEST_FILES_PER_PROCESS`; 1 gives every file its own). Files do not
 * see each other in a process either: each suite has its own servers, ports, files and
 * schemas, and the code under test keeps no state in its modules.
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

/**
 * The test files grouped `perProcess` to a process: each group is an entry module (in a
 * temporary folder) that imports its files. Files are dealt out in turn, so the slowest ones,
 * which come first, land in different groups.
 */
function grouped(batch: string[], perProcess: number): string[] {
	if (perProcess <= 1) return batch;
	const groups: string[][] = Array.from(
		{ length: Math.ceil(batch.length / perProcess) },
		() => [],
	);
	for (const [i, file] of batch.entries())
		groups[i % groups.length]?.push(file);
	const dir = mkdtempSync(join(tmpdir(), "idpool-test-groups-"));
	process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
	return groups.map((group, i) => {
		const entry = join(
			dir,
			`${String(i + 1).padStart(2, "0")}-${basename(group[0] ?? "group", ".test.ts")}-and-${group.length - 1}-more.test.mjs`,
		);
		writeFileSync(
			entry,
			group
				.map(
					(file) =>
						`import ${JSON.stringify(pathToFileURL(resolve(root, file)).href)};\n`,
				)
				.join(""),
		);
		return entry;
	});
}

function nodeTest(batch: string[], atOnce: number): number {
	if (batch.length === 0) return 0;
	const { status, signal } = spawnSync(
		process.execPath,
		[
			"--import",
			"tsx",
			"--test",
			`--test-concurrency=${atOnce}`,
			...passOn,
			...batch,
		],
		{ cwd: root, stdio: "inherit" },
	);
	return status ?? (signal ? 1 : 0);
}

const perProcess = Number(
	process.env.IDPOOL_TEST_FILES_PER_PROCESS ?? DEFAULT_FILES_PER_PROCESS,
);
if (!Number.isInteger(perProcess) || perProcess < 1) {
	throw new Error(
		`IDPOOL_TEST_FILES_PER_PROCESS must be a whole number from 1: ${perProcess}`,
	);
}
const failed = nodeTest(grouped(together, perProcess), concurrency);
const failedAlone = nodeTest(alone, 1);
process.exitCode = failed || failedAlone;
