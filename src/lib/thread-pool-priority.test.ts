import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { describe, test } from "node:test";
import { threadPoolSize } from "./thread-pool-priority.ts";

describe("threadPoolSize", () => {
	test("reads UV_THREADPOOL_SIZE as libuv does", () => {
		assert.equal(threadPoolSize({}), 4);
		assert.equal(threadPoolSize({ UV_THREADPOOL_SIZE: "8" }), 8);
		assert.equal(threadPoolSize({ UV_THREADPOOL_SIZE: "2threads" }), 2);
		assert.equal(threadPoolSize({ UV_THREADPOOL_SIZE: "0" }), 1);
		assert.equal(threadPoolSize({ UV_THREADPOOL_SIZE: "many" }), 1);
		assert.equal(threadPoolSize({ UV_THREADPOOL_SIZE: "" }), 1);
		assert.equal(threadPoolSize({ UV_THREADPOOL_SIZE: "5000" }), 1024);
		assert.equal(threadPoolSize({ UV_THREADPOOL_SIZE: "-3" }), 1024);
	});
});

/**
 * Runs `code` in a new Node process (with this module loadable), started at nice `startNice`,
 * and answers its stdout.
 */
function inChild(
	code: string,
	env: NodeJS.ProcessEnv = {},
	startNice = 0,
): Promise<string> {
	return new Promise((resolve, reject) =>
		execFile(
			"nice",
			[
				"-n",
				String(startNice),
				process.execPath,
				"--import",
				"tsx",
				"--input-type=module",
				"-e",
				code,
			],
			{ env: { PATH: process.env.PATH, ...env }, cwd: process.cwd() },
			(error, stdout, stderr) =>
				error ? reject(new Error(stderr || String(error))) : resolve(stdout),
		),
	);
}

/** A script that lowers the pool's priority and prints the outcome and every thread's nice. */
const PROBE = `
import { readdirSync, readFileSync } from "node:fs";
import { lowerThreadPoolPriority } from "./src/lib/thread-pool-priority.ts";
const steps = Number(process.env.STEPS);
const outcome = await lowerThreadPoolPriority(steps, process.env);
const nice = {};
for (const tid of readdirSync("/proc/self/task")) {
	const stat = readFileSync(\`/proc/self/task/\${tid}/stat\`, "utf8");
	// Fields after the command name (which may hold spaces); nice is field 19.
	nice[tid] = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]);
}
const { generateKeyPairSync, sign } = await import("node:crypto");
const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const signed = await new Promise((resolve, reject) =>
	sign("sha512", Buffer.from("x"), privateKey, (e, s) => (e ? reject(e) : resolve(s.toString("hex")))),
);
console.log(JSON.stringify({ outcome, nice, pid: process.pid, signed }));
`;

interface Probe {
	outcome: { nice?: number; threads: number; problem?: string };
	nice: Record<string, number>;
	pid: number;
	signed: string;
}

describe("lowerThreadPoolPriority", {
	skip: process.platform !== "linux",
}, () => {
	test("sets every pool thread, and only them, to the event loop's nice plus the steps", async () => {
		const probe = JSON.parse(
			await inChild(PROBE, { STEPS: "7", UV_THREADPOOL_SIZE: "3" }),
		) as Probe;
		assert.deepEqual(probe.outcome, { nice: 7, threads: 3 });
		const lowered = Object.entries(probe.nice).filter(([, n]) => n === 7);
		assert.equal(lowered.length, 3);
		assert.equal(
			probe.nice[String(probe.pid)],
			0,
			"the event loop is untouched",
		);
		assert.equal(
			Object.values(probe.nice).filter((n) => n !== 0 && n !== 7).length,
			0,
		);
		// Signing (on the pool) still works at the lower priority.
		assert.match(probe.signed, /^[0-9a-f]{512}$/);
	});

	test("finds a thread that is busy with other work when it starts, once it is free", async () => {
		// One pool thread blocks in open() of a FIFO until a writer comes, 300 ms later: the
		// first rounds cannot see it (as a thread making a signing key at start).
		const busy = `
import { execFileSync } from "node:child_process";
import { open } from "node:fs/promises";
import { openSync, closeSync, constants, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { lowerThreadPoolPriority } from "./src/lib/thread-pool-priority.ts";
const fifo = join(mkdtempSync(join(tmpdir(), "idpool-fifo-")), "held");
execFileSync("mkfifo", [fifo]);
const held = open(fifo, "r");
setTimeout(() => closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK)), 300);
const outcome = await lowerThreadPoolPriority(5, process.env);
await (await held).close();
console.log(JSON.stringify(outcome));
`;
		const outcome = JSON.parse(
			await inChild(busy, { UV_THREADPOOL_SIZE: "3" }),
		) as Probe["outcome"];
		assert.deepEqual(outcome, { nice: 5, threads: 3 });
	});

	test("0 steps leaves every thread alone", async () => {
		const probe = JSON.parse(await inChild(PROBE, { STEPS: "0" })) as Probe;
		assert.deepEqual(probe.outcome, { threads: 0 });
		assert.ok(Object.values(probe.nice).every((n) => n === 0));
	});

	test("counts from the event loop's own nice value and never goes past 19", async () => {
		const probe = JSON.parse(await inChild(PROBE, { STEPS: "5" }, 3)) as Probe;
		assert.deepEqual(probe.outcome, { nice: 8, threads: 4 });
		assert.equal(Object.values(probe.nice).filter((n) => n === 8).length, 4);
		assert.equal(probe.nice[String(probe.pid)], 3);

		const capped = JSON.parse(
			await inChild(PROBE, { STEPS: "10" }, 15),
		) as Probe;
		assert.deepEqual(capped.outcome, { nice: 19, threads: 4 });
		assert.equal(Object.values(capped.nice).filter((n) => n === 19).length, 4);
	});
});
