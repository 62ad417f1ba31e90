/**
 * The scheduler of test/run.ts: runs test processes (`node --test` on one entry module each)
 * at most as many at a time as there are slots, prints each process's output in one block when
 * it ends, and adds up the counts its reporter printed.
 *
 * The slots are files in a folder ({@link Slots}), so that several runners can share them:
 * `.ci/run` runs the suites on Node.js 20 and on Node.js 24 at the same time, and one folder
 * (`IDPOOL_TEST_SLOTS`) keeps the two to four test processes in all, each starting a process
 * whenever a slot is free, so neither waits for the other's slowest file.
 */
import { spawn } from "node:child_process";
import {
	linkSync,
	mkdtempSync,
	readFileSync,
	rmSync,
	writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { pathToFileURL } from "node:url";

/** How often a runner waiting for a slot looks again. */
const POLL_MS = 50;

/** The Slots made in this process (tests make several). */
let runners = 0;

/**
 * `count` slots in `dir` (a new temporary folder when none is given), each a file that holds
 * the runner's process id while the runner uses it; a slot whose holder is no longer alive is
 * free. A runner that needs the machine to itself first takes the `exclusive` file, which
 * stops every runner from taking more slots, then waits until it holds all of them.
 */
export class Slots {
	readonly #dir: string;
	readonly #ownDir: boolean;
	readonly #slots: string[];
	readonly #exclusive: string;
	/**
	 * This runner's process id, written once: taking a file is linking this one to the file's
	 * name (which fails if the name exists), so a taken file always holds its taker's id.
	 */
	readonly #mine: string;
	readonly #held = new Set<string>();

	constructor(count: number, dir?: string) {
		this.#ownDir = !dir;
		this.#dir = dir ?? mkdtempSync(join(tmpdir(), "idpool-test-slots-"));
		this.#slots = Array.from({ length: count }, (_, i) =>
			join(this.#dir, `slot-${i}`),
		);
		this.#exclusive = join(this.#dir, "exclusive");
		this.#mine = join(this.#dir, `runner-${process.pid}-${++runners}`);
		writeFileSync(this.#mine, String(process.pid));
		process.once("exit", () => this.close());
	}

	/** Takes one free slot (waiting for one); answers the function that gives it back. */
	async acquire(): Promise<() => void> {
		for (;;) {
			if (!this.#blocked()) {
				for (const slot of this.#slots)
					if (this.#take(slot)) return () => this.#give(slot);
			}
			await sleep(POLL_MS);
		}
	}

	/** Takes every slot (waiting for the runners that hold some to give them back). */
	async acquireAll(): Promise<() => void> {
		while (!this.#take(this.#exclusive)) await sleep(POLL_MS);
		for (;;) {
			for (const slot of this.#slots) this.#take(slot);
			if (this.#slots.every((slot) => this.#held.has(slot))) break;
			await sleep(POLL_MS);
		}
		return () => {
			for (const slot of this.#slots) this.#give(slot);
			this.#give(this.#exclusive);
		};
	}

	/** Gives back what this runner holds; removes the folder if it made it. */
	close(): void {
		for (const file of this.#held) this.#give(file);
		rmSync(this.#mine, { force: true });
		if (this.#ownDir) rmSync(this.#dir, { recursive: true, force: true });
	}

	/** Another runner is taking every slot. */
	#blocked(): boolean {
		return (
			!this.#held.has(this.#exclusive) &&
			this.#holder(this.#exclusive) !== undefined
		);
	}

	#take(file: string): boolean {
		if (this.#held.has(file)) return false;
		for (let attempt = 0; attempt < 2; attempt++) {
			try {
				linkSync(this.#mine, file);
				this.#held.add(file);
				return true;
			} catch (err) {
				if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
				if (this.#holder(file) !== undefined) return false;
				// Left by a runner that is gone: free it, and try once more.
				rmSync(file, { force: true });
			}
		}
		return false;
	}

	#give(file: string): void {
		if (!this.#held.delete(file)) return;
		rmSync(file, { force: true });
	}

	/** The live process holding `file`, if any. */
	#holder(file: string): number | undefined {
		let pid: number;
		try {
			pid = Number(readFileSync(file, "utf8"));
		} catch {
			return undefined;
		}
		if (!Number.isInteger(pid) || pid <= 0) return undefined;
		try {
			process.kill(pid, 0);
			return pid;
		} catch (err) {
			return (err as NodeJS.ErrnoException).code === "EPERM" ? pid : undefined;
		}
	}
}

const COUNTS = [
	"tests",
	"suites",
	"pass",
	"fail",
	"cancelled",
	"skipped",
	"todo",
] as const;

/** Lines of a failure a recap keeps at most (a stack trace's tail is left out). */
const RECAP_LINES = 40;

/**
 * What a failed process's output says of its failures, to be printed again at the end of a
 * run (a CI log is often read from its end, and a failing file's block may be far above it):
 * spec's "failing tests" section; TAP's `not ok` entries with their YAML block, the suites'
 * "subtests failed" left out; else (a process that died before its reporter ended) the
 * output's last lines.
 */
export function failureRecap(output: string): string {
	const lines = output.split("\n");
	const spec = lines.findIndex((l) => /✖ failing tests:/.test(l));
	if (spec >= 0) {
		return lines
			.slice(spec)
			.filter((l) => !/^ℹ /.test(l))
			.join("\n")
			.trimEnd();
	}
	const entries: string[] = [];
	for (let i = 0; i < lines.length; i++) {
		const head = /^(\s*)not ok \d+ - /.exec(lines[i] ?? "");
		if (!head) continue;
		const end = `${head[1]}  ...`;
		let j = i + 1;
		while (j < lines.length && lines[j] !== end) j++;
		const entry = lines.slice(i, j + 1);
		if (!entry.some((l) => /failureType: 'subtestsFailed'/.test(l))) {
			entries.push(
				entry
					.slice(0, RECAP_LINES)
					.map((l) => l.slice(head[1]?.length ?? 0))
					.join("\n"),
			);
		}
		i = j;
	}
	if (entries.length > 0) return entries.join("\n");
	return lines.slice(-RECAP_LINES).join("\n").trimEnd();
}

/** What the test processes' reporters counted, and how many processes failed. */
export class Tally {
	readonly counts = new Map<string, number>(COUNTS.map((c) => [c, 0]));
	failedRuns = 0;
	/** A {@link failureRecap} of each failed process, headed by its name. */
	failures: string[] = [];

	/** Adds the summary lines (`# pass 12` of TAP, `ℹ pass 12` of spec) of one process's output. */
	addOutput(output: string): void {
		for (const m of output.matchAll(
			/^(?:# |ℹ )(tests|suites|pass|fail|cancelled|skipped|todo) (\d+)\s*$/gm,
		)) {
			const [, name, n] = m;
			if (name && n)
				this.counts.set(name, (this.counts.get(name) ?? 0) + Number(n));
		}
	}

	add(other: Tally): Tally {
		const sum = new Tally();
		for (const c of COUNTS)
			sum.counts.set(c, (this.counts.get(c) ?? 0) + (other.counts.get(c) ?? 0));
		sum.failedRuns = this.failedRuns + other.failedRuns;
		sum.failures = [...this.failures, ...other.failures];
		return sum;
	}

	summary(): string {
		const parts = COUNTS.map((c) => `${c} ${this.counts.get(c) ?? 0}`);
		if (this.failedRuns > 0)
			parts.push(`${this.failedRuns} test process(es) failed`);
		return parts.join(", ");
	}
}

export interface RunOptions {
	slots: Slots;
	/** Node.js's options before the entry module (`--import tsx --test ...`). */
	nodeArgs: string[];
	/** The checkout: the files' paths are relative to it. */
	cwd: string;
	/** Names the runner in each block's heading (the Node.js version, say). */
	label: string;
	/** Files a process runs at most. */
	perProcess: number;
	/** Every slot held for the whole batch, its processes one after the other. */
	exclusive?: boolean;
}

/**
 * Runs `files` in `node --test` processes of `perProcess` files each, dealt out in turn (the
 * slowest suites come first, so each of the first files lands in a process of its own);
 * answers their tally.
 */
export async function runFiles(
	files: string[],
	options: RunOptions,
): Promise<Tally> {
	const tally = new Tally();
	const { slots, exclusive } = options;
	const groups: string[][] = Array.from(
		{ length: Math.ceil(files.length / options.perProcess) },
		() => [],
	);
	for (const [i, file] of files.entries())
		groups[i % groups.length]?.push(file);
	const release = exclusive ? await slots.acquireAll() : undefined;
	const running: Promise<void>[] = [];
	try {
		for (const group of groups) {
			if (exclusive) {
				await runOne(group, options, tally);
				continue;
			}
			const give = await slots.acquire();
			running.push(runOne(group, options, tally).finally(give));
		}
		await Promise.all(running);
	} finally {
		release?.();
	}
	return tally;
}

let entries: string | undefined;
let entriesMade = 0;

/**
 * The module a process runs: the file itself, or an entry module (in a temporary folder) that
 * imports the files of `group` in turn.
 */
function entryFor(group: string[], cwd: string): string {
	const [first = "", ...rest] = group;
	if (rest.length === 0) return first;
	if (!entries) {
		const dir = mkdtempSync(join(tmpdir(), "idpool-test-groups-"));
		process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
		entries = dir;
	}
	entriesMade++;
	const entry = join(
		entries,
		`${String(entriesMade).padStart(2, "0")}-${basename(first, ".test.ts")}-and-${rest.length}-more.test.mjs`,
	);
	writeFileSync(
		entry,
		group
			.map(
				(file) =>
					`import ${JSON.stringify(pathToFileURL(resolve(cwd, file)).href)};\n`,
			)
			.join(""),
	);
	return entry;
}

/** Whether this runner's output is a terminal: then its processes report in colour, as spec. */
const terminal = process.stdout.isTTY === true;

/** Runs the files of `group` in one test process; its output is printed when it ends. */
function runOne(
	group: string[],
	options: RunOptions,
	tally: Tally,
): Promise<void> {
	const entry = entryFor(group, options.cwd);
	const started = Date.now();
	const reporter =
		terminal && !options.nodeArgs.some((a) => a.startsWith("--test-reporter"))
			? ["--test-reporter=spec"]
			: [];
	const child = spawn(
		process.execPath,
		[...options.nodeArgs, ...reporter, entry],
		{
			cwd: options.cwd,
			stdio: ["ignore", "pipe", "pipe"],
			env: terminal ? { ...process.env, FORCE_COLOR: "1" } : process.env,
		},
	);
	const chunks: Buffer[] = [];
	child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
	child.stderr.on("data", (chunk: Buffer) => chunks.push(chunk));
	return new Promise((resolve) => {
		child.on("close", (code, signal) => {
			const output = Buffer.concat(chunks).toString("utf8");
			tally.addOutput(output);
			const ok = code === 0;
			const seconds = ((Date.now() - started) / 1000).toFixed(1);
			const outcome = ok ? "passed" : `FAILED (${signal ?? `exit ${code}`})`;
			const heading = `${options.label}: ${basename(entry)} ${outcome} in ${seconds} s`;
			if (!ok) {
				tally.failedRuns++;
				tally.failures.push(
					`--- ${heading} (${group.join(", ")})\n${failureRecap(output)}`,
				);
			}
			process.stdout.write(`\n=== ${heading} ===\n${output}`);
			resolve();
		});
	});
}
