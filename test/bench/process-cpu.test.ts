/**
 * The bench's CPU time of a set of processes over a round (bench/support.ts): a process that
 * ends during the round (a PostgreSQL backend whose connection closed) is left out and
 * counted as ended, so the figure is a lower bound, never the negative one a plain difference
 * of sums gave.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { test } from "node:test";
import { cpuBetween, processTimes } from "../../bench/support.ts";

/** A process that has used at least `ms` of CPU (spinning, however busy the machine), then waits. */
async function spinner(ms: number) {
	const child = spawn(
		process.execPath,
		[
			"-e",
			`while (process.cpuUsage().user < ${ms * 1000}); console.log("spun"); setInterval(() => {}, 1000);`,
		],
		{ stdio: ["ignore", "pipe", "inherit"] },
	);
	await once(child.stdout, "data");
	return child;
}

test("the time of processes alive at both readings is summed; one that ended is counted apart, not subtracted", async () => {
	const stays = await spinner(0);
	const ends = await spinner(300);
	const pids = [stays.pid as number, ends.pid as number];
	try {
		const before = processTimes(pids);
		assert.equal(before.size, 2);
		assert.ok((before.get(ends.pid as number)?.seconds ?? 0) >= 0.2);
		ends.kill();
		await once(ends, "exit");
		const after = processTimes(pids);
		assert.deepEqual([...after.keys()], [stays.pid]);
		const cpu = cpuBetween(before, after);
		assert.equal(cpu.ended, 1);
		assert.ok(cpu.seconds >= 0 && cpu.seconds < 0.2, `${cpu.seconds}`);
	} finally {
		stays.kill();
		ends.kill();
	}
});

test("a pid taken by a new process between the readings counts as ended", () => {
	const before = new Map([[42, { started: 100, seconds: 5 }]]);
	const after = new Map([[42, { started: 900, seconds: 0.1 }]]);
	assert.deepEqual(cpuBetween(before, after), { seconds: 0, ended: 1 });
	const same = new Map([[42, { started: 100, seconds: 7.5 }]]);
	assert.deepEqual(cpuBetween(before, same), { seconds: 2.5, ended: 0 });
});
