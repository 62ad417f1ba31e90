/**
 * @module server/pool-purger
 * Removes the identities of deleted pools in the background (docs/behaviour.md#deleteidentitypool).
 * DeleteIdentityPool only marks its pool deleted, in one short transaction; every server runs
 * a purger that finds the deleted pools (`pools.awaitingPurge`: at start, when woken by a
 * deletion of its own, and every `pollIntervalMs` for those of other servers) and removes
 * their identities in batches (`pools.purge`), one short transaction each, with a pause after
 * each so that the calls of the server go on between them. The size of a batch follows the
 * time the last one took, towards `targetBatchMs`. On SQLite the batches go through the group
 * commit, the writer of the calls' changes; once a purge is done the purger gives the free
 * pages back in bounded steps (`reclaimSpace`, a file with `auto_vacuum = INCREMENTAL`),
 * whose size follows the time the last one took in the same way.
 * Several purgers, of several servers, may work on one pool: each batch takes identities no
 * other holds. A deleted pool whose purge was cut short by a stop is taken up again at the
 * next start.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { type Metrics, noMetrics } from "../lib/metrics.ts";
import type { Store } from "../store/store.ts";

/** How a purger works (every field has a default). */
export interface PurgerOptions {
	/** Identities in the first batch (default 500). */
	batchSize?: number;
	/** The fewest and most identities in a batch (defaults 50 and 2,000). */
	minBatchSize?: number;
	maxBatchSize?: number;
	/** The time a batch should take; the next batch's size follows (default 10 ms). */
	targetBatchMs?: number;
	/** The shortest pause after a batch (default 5 ms); the pause is at least the batch's time. */
	minPauseMs?: number;
	/** How often the deleted pools are looked for, besides at start and when woken (default 60 s). */
	pollIntervalMs?: number;
	/**
	 * The most free pages given back in one step after a purge (default 2,000, 8 MiB of 4 KiB
	 * pages); the first step gives back a quarter of that, and each next one follows the time
	 * the last one took, towards `targetBatchMs`, as the batches do (at least 50 pages).
	 */
	reclaimPages?: number;
}

/** What a purger tells its server's log. */
export interface PurgerLog {
	info(fields: object, message: string): void;
	warn(fields: object, message: string): void;
}

/** The fewest free pages a step of giving space back asks for (200 KiB of 4 KiB pages). */
const MIN_RECLAIM_PAGES = 50;

const silent: PurgerLog = { info: () => {}, warn: () => {} };

export class PoolPurger {
	readonly #store: Store;
	readonly #metrics: Metrics;
	readonly #log: PurgerLog;
	readonly #minBatch: number;
	readonly #maxBatch: number;
	readonly #targetMs: number;
	readonly #minPauseMs: number;
	readonly #pollIntervalMs: number;
	readonly #reclaimPages: number;
	/** The fewest free pages of a step ({@link MIN_RECLAIM_PAGES}, or fewer under a smaller cap). */
	readonly #minReclaimPages: number;
	#batch: number;
	/** Free pages of the next step of {@link #reclaim}. */
	#reclaimStep: number;
	#run: Promise<void> | undefined;
	/** Woken while a run was under way: look again once it ends. */
	#again = false;
	#stopped = false;
	/** Free pages may wait to be given back: at start, and after each purge. */
	#reclaimDue = true;
	#timer: NodeJS.Timeout | undefined;
	/** Wakes the pause between two batches when the purger stops. */
	#abort = new AbortController();
	/** Batches run by this purger, and identities they removed (tests and diagnostics). */
	batches = 0;
	purged = 0;
	/** Pools whose purge this purger finished. */
	pools = 0;
	/** Told after each step of giving space back: the free pages asked, and those left (tests). */
	onReclaimStep: ((step: { pages: number; left: number }) => void) | undefined;
	/** Told after each batch (tests). */
	onBatch: ((batch: { poolId: string; removed: number }) => void) | undefined;

	constructor(
		store: Store,
		options: PurgerOptions = {},
		metrics: Metrics = noMetrics,
		log: PurgerLog = silent,
	) {
		this.#store = store;
		this.#metrics = metrics;
		this.#log = log;
		this.#minBatch = options.minBatchSize ?? 50;
		this.#maxBatch = Math.max(this.#minBatch, options.maxBatchSize ?? 2000);
		this.#batch = clamp(
			options.batchSize ?? 500,
			this.#minBatch,
			this.#maxBatch,
		);
		this.#targetMs = options.targetBatchMs ?? 10;
		this.#minPauseMs = options.minPauseMs ?? 5;
		this.#pollIntervalMs = options.pollIntervalMs ?? 60_000;
		this.#reclaimPages = Math.max(1, options.reclaimPages ?? 2000);
		this.#minReclaimPages = Math.min(MIN_RECLAIM_PAGES, this.#reclaimPages);
		this.#reclaimStep = Math.ceil(this.#reclaimPages / 4);
	}

	/** Looks for deleted pools now, then every poll interval. */
	start(): void {
		if (this.#stopped || this.#timer) return;
		this.wake();
		this.#timer = setInterval(() => this.wake(), this.#pollIntervalMs);
		this.#timer.unref();
	}

	/** Looks for deleted pools now (a pool was just deleted), or once the run under way ends. */
	wake(): void {
		if (this.#stopped) return;
		if (this.#run) {
			this.#again = true;
			return;
		}
		this.#run = this.#loop().finally(() => {
			this.#run = undefined;
			if (this.#again) {
				this.#again = false;
				this.wake();
			}
		});
	}

	/**
	 * Resolves once no deleted pool awaits its purge (looking for them first), or the purger
	 * has stopped; rejects with what stopped a run (tests).
	 */
	async idle(): Promise<void> {
		for (;;) {
			while (this.#run) await this.#run;
			if (this.#stopped) return;
			if ((await this.#store.pools.awaitingPurge()).length === 0) return;
			this.wake();
		}
	}

	/** Stops: no batch after the one under way, which this waits for. */
	async stop(): Promise<void> {
		this.#stopped = true;
		clearInterval(this.#timer);
		this.#abort.abort();
		while (this.#run) await this.#run.catch(() => {});
	}

	async #loop(): Promise<void> {
		try {
			for (;;) {
				const pending = await this.#store.pools.awaitingPurge();
				this.#metrics.poolsAwaitingPurge(pending.length);
				const [poolId] = pending;
				if (poolId === undefined || this.#stopped) break;
				if (!(await this.#purge(poolId))) break;
				this.#reclaimDue = true;
			}
			if (this.#reclaimDue && !this.#stopped) await this.#reclaim();
		} catch (err) {
			// The store failed (a database gone away): the next poll tries again.
			this.#log.warn(
				{ err },
				"deleted pools could not be purged; trying again later",
			);
		}
	}

	/** Purges one pool to its end; answers false when stopped first. */
	async #purge(poolId: string): Promise<boolean> {
		let removed = 0;
		for (;;) {
			if (this.#stopped) return false;
			const started = performance.now();
			const batch = await this.#store.pools.purge(poolId, this.#batch);
			const ms = performance.now() - started;
			this.batches++;
			this.purged += batch.removed;
			removed += batch.removed;
			if (batch.removed > 0) this.#metrics.identitiesPurged(batch.removed);
			this.onBatch?.({ poolId, removed: batch.removed });
			if (batch.done) break;
			this.#batch = this.#adapt(
				this.#batch,
				ms,
				this.#minBatch,
				this.#maxBatch,
			);
			await this.#pause(Math.max(ms, this.#minPauseMs));
		}
		this.pools++;
		this.#log.info(
			{ poolId, identities: removed },
			"deleted pool purged: its identities are removed",
		);
		return true;
	}

	/**
	 * The next batch's (or step's) size, from the time the last one of `size` took: it grows
	 * at most twofold a time, and shrinks faster (a machine that slows down must not hold the
	 * calls up for long).
	 */
	#adapt(size: number, ms: number, min: number, max: number): number {
		const ratio = clamp(this.#targetMs / Math.max(ms, 0.1), 0.25, 2);
		return clamp(Math.round(size * ratio), min, max);
	}

	/** Gives the free pages back, a step at a time, where the store can. */
	async #reclaim(): Promise<void> {
		const store = this.#store;
		if (!store.reclaimSpace) return;
		while (!this.#stopped) {
			const started = performance.now();
			const left = await store.reclaimSpace(this.#reclaimStep);
			this.onReclaimStep?.({ pages: this.#reclaimStep, left });
			if (left === 0) {
				this.#reclaimDue = false;
				return;
			}
			const ms = performance.now() - started;
			this.#reclaimStep = this.#adapt(
				this.#reclaimStep,
				ms,
				this.#minReclaimPages,
				this.#reclaimPages,
			);
			await this.#pause(Math.max(ms, this.#minPauseMs));
		}
	}

	async #pause(ms: number): Promise<void> {
		await sleep(ms, undefined, { signal: this.#abort.signal }).catch(() => {});
	}
}

/**
 * Purges the deleted pool `poolId` to its end, now, in batches of `batchSize` with a turn of
 * the event loop between them: for a pool that must be created again under its id (a
 * configuration file's, server/apply-pools.ts). Does nothing to a pool not deleted.
 */
export async function finishPurge(
	store: Store,
	poolId: string,
	batchSize = 1000,
): Promise<void> {
	while (!(await store.pools.purge(poolId, batchSize)).done) {
		await sleep(1);
	}
}

function clamp(value: number, min: number, max: number): number {
	return Math.min(max, Math.max(min, value));
}

/**
 * `store` whose `pools.delete` wakes `purger` once a pool is deleted, so that its identities
 * start going at once rather than at the next poll.
 */
export function wakingPurger(store: Store, purger: PoolPurger): Store {
	const pools = new Proxy(store.pools, {
		get(target, name) {
			if (name === "delete") {
				return async (...args: Parameters<typeof target.delete>) => {
					const deleted = await target.delete(...args);
					if (deleted) purger.wake();
					return deleted;
				};
			}
			const value = Reflect.get(target, name, target) as unknown;
			return typeof value === "function" ? value.bind(target) : value;
		},
	});
	return new Proxy(store, {
		get(target, name) {
			if (name === "pools") return pools;
			const value = Reflect.get(target, name, target) as unknown;
			return typeof value === "function" ? value.bind(target) : value;
		},
	});
}
