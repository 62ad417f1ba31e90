/**
 * @module server/health
 * What `/health/ready` answers (docs/operating.md#health): checks run together, each within
 * {@link CHECK_TIMEOUT_MS}, answered as a list of names and outcomes, with a reason for a
 * failure that is a driver's error code or a fixed sentence, never a path, a message that
 * might carry one, or a stack trace. A check's change of outcome is logged once (a failure
 * at error level, its recovery at info), so that a probe every few seconds does not repeat
 * it. Probes that arrive while the checks run share them, and a check may reuse its last
 * outcome for a while (the store's write: see {@link STORE_CHECK_REUSE_MS}). `/health`'s own
 * write is shared the same way while it passes ({@link passingWriteReused}).
 */
import type { Logger } from "../lib/logger.ts";
import { PING_PAYLOAD_BYTES, type Store } from "../store/store.ts";

/** A check of readiness; `run` resolves when it passes and rejects with the reason otherwise. */
export interface ReadinessCheck {
	name: string;
	run: () => Promise<void>;
	/** How long an outcome may be answered again without running the check (default 0). */
	reuseMs?: number;
}

/** One check's outcome as `/health/ready` answers it. */
export interface CheckOutcome {
	name: string;
	status: "ok" | "fail";
	/** Why it failed: an error code or a fixed sentence. */
	detail?: string;
}

/** The body of `/health/ready` (and, with no checks, of `/health/live`). */
export interface HealthReport {
	status: "ok" | "fail";
	checks: CheckOutcome[];
}

/** A failure whose message is safe to answer as it is (a fixed sentence of this server's). */
export class HealthProblem extends Error {
	override readonly name = "HealthProblem";
}

/** A check that has not answered in this time fails: within `idpool healthcheck`'s 3 s. */
export const CHECK_TIMEOUT_MS = 2000;
/**
 * The store's write is run at most once in this time; probes in between are answered its
 * last outcome, so that several load balancers probing every second commit one write a
 * second between them.
 */
export const STORE_CHECK_REUSE_MS = 1000;

/**
 * The size of the row readiness writes and deletes: that of a large request, as `/health`
 * writes, so that a disk with room for a small commit but not for a request's is not ready
 * (a WAL that a checkpoint has just reset takes a few small commits on a full disk). At most
 * one such write a second ({@link STORE_CHECK_REUSE_MS}) keeps frequent probes cheap.
 */
export const READY_PROBE_BYTES = PING_PAYLOAD_BYTES;

/**
 * What a health answer says of a store that failed: the driver's error code (`SQLITE_FULL`,
 * `SQLITE_READONLY`, PostgreSQL's SQLSTATE, `ECONNREFUSED`, ...) or a kind of failure, never
 * a path or a message that might carry one.
 */
export function storeProblem(err: unknown): string {
	if (err instanceof HealthProblem) return err.message;
	const code = (err as { code?: unknown } | undefined)?.code;
	if (typeof code === "string" && /^[A-Z0-9_]{1,40}$/.test(code)) return code;
	const cause = (err as { cause?: unknown } | undefined)?.cause;
	if (cause instanceof Error && /was (deleted|replaced)/.test(cause.message)) {
		return "the database file was deleted or replaced";
	}
	return "the database did not answer";
}

/**
 * The store's large write for `/health`, which anyone may ask for: a write that passed less
 * than {@link STORE_CHECK_REUSE_MS} ago stands for it, the database checked again to be the
 * one opened (`checkDatabase`, nothing written), so that a crowd or a flood of probes costs one
 * write a second; probes that come while a write runs share it; a failure is never reused, so
 * that a recovery shows at once.
 */
export function passingWriteReused(
	store: Pick<Store, "ping" | "checkDatabase">,
): () => Promise<void> {
	let passedAt = Number.NEGATIVE_INFINITY;
	let running: Promise<void> | undefined;
	const failed = (err: unknown): never => {
		passedAt = Number.NEGATIVE_INFINITY;
		throw err;
	};
	return async () => {
		if (performance.now() - passedAt < STORE_CHECK_REUSE_MS) {
			await store.checkDatabase().catch(failed);
			return;
		}
		running ??= store
			.ping()
			.then(() => {
				passedAt = performance.now();
			}, failed)
			.finally(() => {
				running = undefined;
			});
		await running;
	};
}

/** `promise`, or a {@link HealthProblem} once `ms` have passed. */
function within<T>(promise: Promise<T>, ms: number): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	const late = new Promise<never>((_resolve, reject) => {
		timer = setTimeout(
			() => reject(new HealthProblem(`no answer within ${ms / 1000} s`)),
			ms,
		);
	});
	return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** One check with its last outcome, the run in flight, and what was logged of it. */
class Tracked {
	readonly #check: ReadinessCheck;
	readonly #log: Logger;
	#running: Promise<CheckOutcome> | undefined;
	#last: { outcome: CheckOutcome; at: number } | undefined;
	/** The detail of the failure logged last; `undefined` while the check passes. */
	#failing: string | undefined;

	constructor(check: ReadinessCheck, log: Logger) {
		this.#check = check;
		this.#log = log;
	}

	outcome(): Promise<CheckOutcome> {
		const reuse = this.#check.reuseMs ?? 0;
		if (this.#last && performance.now() - this.#last.at < reuse) {
			return Promise.resolve(this.#last.outcome);
		}
		this.#running ??= this.#run().finally(() => {
			this.#running = undefined;
		});
		return this.#running;
	}

	async #run(): Promise<CheckOutcome> {
		const { name } = this.#check;
		let outcome: CheckOutcome;
		try {
			await within(this.#check.run(), CHECK_TIMEOUT_MS);
			outcome = { name, status: "ok" };
			if (this.#failing !== undefined) {
				this.#log.info(`readiness: the check ${name} passes again`);
			}
			this.#failing = undefined;
		} catch (err) {
			const detail = storeProblem(err);
			outcome = { name, status: "fail", detail };
			if (this.#failing !== detail) {
				this.#log.error(
					{ check: name, detail },
					`readiness: the check ${name} fails: ${detail}`,
				);
			}
			this.#failing = detail;
		}
		this.#last = { outcome, at: performance.now() };
		return outcome;
	}
}

/** The readiness of a server: runs `checks` (together) each time it is asked. */
export function readiness(
	checks: readonly ReadinessCheck[],
	log: Logger,
): () => Promise<HealthReport> {
	const tracked = checks.map((check) => new Tracked(check, log));
	return async () => {
		const outcomes = await Promise.all(tracked.map((t) => t.outcome()));
		return {
			status: outcomes.every((o) => o.status === "ok") ? "ok" : "fail",
			checks: outcomes,
		};
	};
}
