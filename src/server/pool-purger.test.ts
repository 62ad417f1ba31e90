/**
 * @module server/pool-purger.test
 * Unit tests of the purger's steps of giving free pages back: their size follows the time
 * the last one took, as the batches' does, within `reclaimPages`.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { Store } from "../store/store.ts";
import { PoolPurger } from "./pool-purger.ts";

/**
 * A store with no deleted pool and `freePages` to give back, each step taking at least
 * `stepMs`: what the purger asks of it is all that is read.
 */
function storeWithFreePages(freePages: number, stepMs: number): Store {
	let left = freePages;
	return {
		pools: { awaitingPurge: async () => [] },
		reclaimSpace: async (maxPages: number) => {
			await sleep(stepMs);
			left = Math.max(0, left - maxPages);
			return left;
		},
	} as unknown as Store;
}

/**
 * The free pages asked of each step when a purger with `targetBatchMs` gives back
 * `freePages`, each step taking at least `stepMs` (at most 2,000 pages a step).
 */
async function reclaimSteps(
	freePages: number,
	stepMs: number,
	targetBatchMs: number,
): Promise<number[]> {
	const purger = new PoolPurger(storeWithFreePages(freePages, stepMs), {
		reclaimPages: 2000,
		targetBatchMs,
		minPauseMs: 0,
	});
	const steps: number[] = [];
	purger.onReclaimStep = ({ pages }) => steps.push(pages);
	try {
		purger.start();
		await purger.idle();
		return steps;
	} finally {
		await purger.stop();
	}
}

test("steps slower than the target shrink, down to 50 pages", async () => {
	// 40 ms or more against a target of 5: each step a quarter of the last (the fastest
	// shrink), then the floor, until nothing is left. (A timer may end a millisecond before
	// its time: eight times the target, not four, so that a step of 39 ms still shrinks the
	// most.)
	assert.deepEqual(
		await reclaimSteps(900, 40, 5),
		[500, 125, 50, 50, 50, 50, 50, 50],
	);
});

test("steps faster than the target grow, at most twofold a step, up to reclaimPages", async () => {
	// Each step takes at least its sleep of 0 ms; on any machine that is well under the
	// target of 1 s, so every step asks twice the last until the cap.
	assert.deepEqual(
		(await reclaimSteps(20_000, 0, 1000)).slice(0, 4),
		[500, 1000, 2000, 2000],
	);
});
