/**
 * `idpool serve` runs the thread pool that signs tokens below the event loop's priority, as
 * the built binary does it. It runs alone (test/run.ts): under a saturated CPU, libuv's pool
 * threads of a niced process may not all wake while the server looks for them.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { serveIdpool } from "../support/cli.ts";

const serve = (args: string[], env: Record<string, string> = {}) =>
	serveIdpool(args, { env });

describe("idpool serve: thread priorities", () => {
	test("runs the thread pool that signs tokens below the event loop's priority", {
		skip: process.platform !== "linux",
	}, async () => {
		/** The nice value of each thread of a process, by thread id. */
		const niceOf = (pid: number) =>
			Object.fromEntries(
				readdirSync(`/proc/${pid}/task`).map((tid) => {
					const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
					return [
						tid,
						Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]),
					];
				}),
			);
		const s = await serve(["--port", "0", "--db", ":memory:"]);
		assert.match(s.stdout(), /signing: +4 thread-pool threads at nice 5\n/);
		const pid = s.child.pid as number;
		const nice = niceOf(pid);
		assert.equal(nice[String(pid)], 0);
		assert.equal(Object.values(nice).filter((n) => n === 5).length, 4);
		s.child.kill("SIGTERM");
		assert.equal(await s.exited, 0);

		const sized = await serve(
			["--port", "0", "--db", ":memory:", "--thread-pool-nice", "10"],
			{ UV_THREADPOOL_SIZE: "2" },
		);
		assert.match(
			sized.stdout(),
			/signing: +2 thread-pool threads at nice 10\n/,
		);
		const sizedNice = niceOf(sized.child.pid as number);
		assert.equal(Object.values(sizedNice).filter((n) => n === 10).length, 2);
		sized.child.kill("SIGTERM");
		assert.equal(await sized.exited, 0);

		const off = await serve(["--port", "0", "--db", ":memory:"], {
			IDPOOL_THREAD_POOL_NICE: "0",
		});
		assert.doesNotMatch(off.stdout(), /signing:/);
		assert.ok(
			Object.values(niceOf(off.child.pid as number)).every((n) => n === 0),
		);
		off.child.kill("SIGTERM");
		assert.equal(await off.exited, 0);
	});
});
