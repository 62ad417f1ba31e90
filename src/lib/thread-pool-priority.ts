/**
 * @module lib/thread-pool-priority
 * Gives the event loop precedence over libuv's thread pool, where tokens are signed.
 *
 * A server on a machine with few cores runs one event-loop thread and (by default) four pool
 * threads. When signing keeps the pool busy, the kernel shares the cores evenly among all five
 * runnable threads, so the event loop gets less than half a core just when it has the most to
 * do: requests wait to be read, the pool runs dry, cores sit idle, and throughput and latency
 * both suffer. Raising the pool threads' nice value makes the kernel prefer the event loop,
 * which then keeps the pool fed; signing still gets every cycle the event loop leaves.
 *
 * Linux only: the pool threads are found by asking each of them, through `readlink` calls that
 * libuv runs on the pool, which thread they are (`/proc/thread-self`). Raising a thread's nice
 * value needs no privilege. Elsewhere nothing changes; if anything fails, the threads keep
 * their priority and the problem is answered.
 */
import { readlink } from "node:fs/promises";
import { getPriority, setPriority } from "node:os";

/** libuv's own cap on UV_THREADPOOL_SIZE. */
const MAX_POOL_SIZE = 1024;

/** The number of pool threads libuv starts, read from the environment as libuv reads it. */
export function threadPoolSize(
	env: Readonly<Record<string, string | undefined>>,
): number {
	const raw = env.UV_THREADPOOL_SIZE;
	if (raw === undefined) return 4;
	// libuv parses with atoi() into an unsigned int: junk is 0, which means 1, and a
	// negative number wraps around to a huge one, which is capped.
	const n = Number.parseInt(raw, 10);
	if (!Number.isFinite(n) || n === 0) return 1;
	if (n < 0 || n > MAX_POOL_SIZE) return MAX_POOL_SIZE;
	return n;
}

/**
 * The thread ids of the pool's threads: each `readlink("/proc/thread-self")` runs on a pool
 * thread and names it. Many calls in flight at once wake every idle thread; a few rounds are
 * usually enough to have seen them all. A thread busy with other work (a signing key being
 * made at start) answers none until it is done, and on a loaded machine the idle threads may
 * wake after a busy one has drained a round: the rounds go on, with pauses, for up to
 * `patienceMs`. Answers the threads seen, possibly fewer than `size`.
 */
async function threadPoolThreadIds(
	size: number,
	patienceMs = 5000,
): Promise<number[]> {
	const seen = new Set<number>();
	const deadline = performance.now() + patienceMs;
	for (let round = 0; seen.size < size; round++) {
		if (round >= 10) {
			if (performance.now() > deadline) break;
			await new Promise((resolve) => setTimeout(resolve, 10));
		}
		const links = await Promise.all(
			Array.from({ length: size * 4 }, () => readlink("/proc/thread-self")),
		);
		for (const link of links) {
			const tid = Number(link.slice(link.lastIndexOf("/") + 1));
			if (Number.isSafeInteger(tid) && tid > 0 && tid !== process.pid) {
				seen.add(tid);
			}
		}
	}
	return [...seen];
}

/** What {@link lowerThreadPoolPriority} did. */
export interface PoolPriorityOutcome {
	/** The nice value the pool threads now have, or undefined when nothing was changed. */
	readonly nice: number | undefined;
	/** How many pool threads were found and changed. */
	readonly threads: number;
	/** Why nothing (or not every thread) was changed, if so. */
	readonly problem?: string;
}

/**
 * Sets the nice value of every pool thread to the event loop's plus `steps` (at most 19).
 * `steps` 0 (or a system other than Linux) leaves the pool alone. Never throws: a problem is
 * answered, for the caller to log.
 */
export async function lowerThreadPoolPriority(
	steps: number,
	env: Readonly<Record<string, string | undefined>>,
): Promise<PoolPriorityOutcome> {
	// Elsewhere there is no /proc/thread-self to find the threads by: nothing to do.
	if (steps === 0 || process.platform !== "linux") {
		return { nice: undefined, threads: 0 };
	}
	const size = threadPoolSize(env);
	let target: number;
	let tids: number[];
	try {
		target = Math.min(19, getPriority(process.pid) + steps);
		tids = await threadPoolThreadIds(size);
	} catch (err) {
		return {
			nice: undefined,
			threads: 0,
			problem: `thread priorities left unchanged: ${(err as Error).message}`,
		};
	}
	let threads = 0;
	let failure: string | undefined;
	for (const tid of tids) {
		try {
			// Never lower a nice value: that would need privileges, and someone chose it.
			if (getPriority(tid) < target) setPriority(tid, target);
			threads++;
		} catch (err) {
			failure ??= (err as Error).message;
		}
	}
	const problem =
		failure !== undefined
			? `the priority of ${tids.length - threads} pool threads could not be changed: ${failure}`
			: tids.length < size
				? `found ${tids.length} of the ${size} pool threads`
				: undefined;
	return {
		nice: threads > 0 ? target : undefined,
		threads,
		...(problem ? { problem } : {}),
	};
}
