/**
 * @module store/sqlite/checkpointer
 * Moves SQLite's checkpoints off the event loop.
 *
 * In WAL mode with `synchronous = NORMAL` a commit does not fsync, but the checkpoint that
 * SQLite runs in the commit crossing `wal_autocheckpoint` pages does, twice (the WAL, then the
 * database file), and a new WAL's header is fsynced by the first commit written into it. On
 * a busy virtual machine one fsync takes 5-40 ms, every request in flight waits for it, and
 * under a steady load of new identities it happens several times a second.
 *
 * The checkpointer turns the server connection's automatic checkpoints off and runs them on
 * a worker thread (checkpoint-worker.ts): PASSIVE checkpoints every `intervalMs`, and, when
 * the WAL has grown to `restartBytes`, a RESTART for which the group commit pauses for the
 * few milliseconds the worker holds SQLite's write lock. If the worker cannot start, fails,
 * or keeps the group commit paused too long, the connection's automatic checkpoints come
 * back and the server goes on as before.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type Database from "better-sqlite3";
import type {
	CheckpointMessage,
	CheckpointWorkerData,
} from "./checkpoint-worker.ts";

/** SQLite's default `wal_autocheckpoint`, restored when the worker is gone. */
const AUTOCHECKPOINT_PAGES = 1000;

/** What pauses while the worker restarts the WAL: the group commit. */
export interface PausableCommits {
	pause(): void;
	resume(): void;
}

export interface CheckpointerOptions {
	/** Time between two PASSIVE checkpoints (default 200 ms). */
	intervalMs?: number;
	/** WAL size at which it is started over (default 64 MiB). */
	restartBytes?: number;
	/** How long the worker's RESTART waits for readers and writers (default 100 ms). */
	busyMs?: number;
	/** A pause longer than this is a failure: commits resume, the worker is dropped (default 2 s). */
	pauseTimeoutMs?: number;
	/** Told why the worker is not (or no longer) in use. */
	onProblem?: (message: string) => void;
}

/**
 * The worker module as a CommonJS script, for a process running the TypeScript sources (tests,
 * `npm run dev`): compiled once per process with esbuild (tsx's own compiler, there whenever
 * the sources run), since Node 20 does not pass tsx's loader on to worker threads and
 * starting tsx in every worker costs a quarter of a second of CPU. It imports nothing of
 * idpool's, so one file compiles alone. A compiled package never takes this path.
 */
let workerScript: string | undefined;

function compiledWorker(): string {
	if (workerScript === undefined) {
		const require = createRequire(import.meta.url);
		const esbuild = require("esbuild") as {
			transformSync(
				code: string,
				options: { loader: "ts"; format: "cjs"; target: string },
			): { code: string };
		};
		const file = new URL("./checkpoint-worker.ts", import.meta.url);
		const { code } = esbuild.transformSync(readFileSync(file, "utf8"), {
			loader: "ts",
			format: "cjs",
			target: "node20",
		});
		// Its packages resolve from its own folder, whatever the working directory.
		workerScript = `const requireHere = require("node:module").createRequire(${JSON.stringify(file.href)});\n${code.replaceAll('require("', 'requireHere("')}`;
	}
	return workerScript;
}

/** Starts the worker module beside this one (compiled, or from the sources as above). */
function startWorker(workerData: CheckpointWorkerData): Worker {
	if (!import.meta.url.endsWith(".ts")) {
		return new Worker(new URL("./checkpoint-worker.js", import.meta.url), {
			workerData,
		});
	}
	return new Worker(compiledWorker(), { eval: true, workerData });
}

/**
 * Why the worker failed, in words, whatever it threw: its message (the worker sends plain
 * Errors), else its code, else the value itself; never `undefined`.
 */
function reasonOf(err: unknown): string {
	const { message, code } = (err ?? {}) as {
		message?: unknown;
		code?: unknown;
	};
	if (typeof message === "string" && message !== "") return message;
	if (typeof code === "string") return `an error ${code}`;
	return `it threw ${String(err)}`;
}

export class WalCheckpointer {
	readonly #db: Database.Database;
	readonly #commits: PausableCommits;
	readonly #onProblem: (message: string) => void;
	readonly #pauseTimeoutMs: number;
	#worker: Worker | undefined;
	#pauseTimer: NodeJS.Timeout | undefined;
	#running = false;
	/** Settles once checkpoints are back with the connection after a failure. */
	#givenBack: Promise<void> = Promise.resolve();
	/** WAL restarts done by the worker (for tests and diagnostics). */
	restarts = 0;
	/** Times the worker paused the group commit to restart the WAL, done or not (ditto). */
	pauses = 0;
	/** Passes the worker ran to catch up with the WAL before those pauses (ditto). */
	catchUpPasses = 0;

	private constructor(
		db: Database.Database,
		commits: PausableCommits,
		options: CheckpointerOptions,
	) {
		this.#db = db;
		this.#commits = commits;
		this.#onProblem = options.onProblem ?? (() => {});
		this.#pauseTimeoutMs = options.pauseTimeoutMs ?? 2000;
	}

	/**
	 * Starts the worker on the database file at `path` (which `db` has open) and answers once
	 * it runs, or once it has failed (then checkpoints stay where they were). Never rejects.
	 */
	static async start(
		db: Database.Database,
		path: string,
		commits: PausableCommits,
		options: CheckpointerOptions = {},
	): Promise<WalCheckpointer> {
		const checkpointer = new WalCheckpointer(db, commits, options);
		const data: CheckpointWorkerData = {
			path,
			intervalMs: options.intervalMs ?? 200,
			restartBytes: options.restartBytes ?? 64 * 1024 * 1024,
			busyMs: options.busyMs ?? 100,
		};
		await new Promise<void>((ready) => {
			let worker: Worker;
			try {
				worker = startWorker(data);
			} catch (err) {
				checkpointer.#fail(`cannot start: ${reasonOf(err)}`);
				ready();
				return;
			}
			checkpointer.#worker = worker;
			// The server's lifetime is decided elsewhere; this thread never keeps it alive.
			worker.unref();
			worker.on("message", (message: CheckpointMessage) => {
				if (message.type === "ready") {
					db.pragma("wal_autocheckpoint = 0");
					checkpointer.#running = true;
					ready();
				} else checkpointer.#onMessage(message);
			});
			worker.on("error", (err: unknown) => {
				checkpointer.#fail(reasonOf(err));
				ready();
			});
			worker.on("exit", (code) => {
				if (checkpointer.#worker === worker) {
					checkpointer.#fail(`the worker stopped (exit code ${code})`);
				}
				ready();
			});
		});
		await checkpointer.#givenBack;
		return checkpointer;
	}

	/** Whether checkpoints run on the worker (false once it has stopped or failed). */
	get running(): boolean {
		return this.#running;
	}

	#onMessage(message: CheckpointMessage): void {
		const worker = this.#worker;
		if (!worker) return;
		if (message.type === "pause") {
			this.pauses++;
			this.catchUpPasses += message.catchUpPasses;
			this.#commits.pause();
			this.#pauseTimer = setTimeout(
				() => this.#fail("it kept the group commit paused too long"),
				this.#pauseTimeoutMs,
			);
			worker.postMessage({ type: "paused" } satisfies CheckpointMessage);
		} else if (message.type === "resume") {
			clearTimeout(this.#pauseTimer);
			this.#pauseTimer = undefined;
			if (message.restarted) this.restarts++;
			this.#commits.resume();
		}
	}

	/** Drops the worker after a failure, saying why; checkpoints go back to the connection. */
	#fail(reason: string): void {
		this.#givenBack = this.#drop();
		this.#onProblem(
			`SQLite checkpoints run on the event loop again: ${reason}`,
		);
	}

	/** Stops the worker (waiting for it) and gives checkpoints back to the connection. */
	async stop(): Promise<void> {
		await this.#drop();
	}

	/**
	 * Terminates the worker, then gives checkpoints back to the server's connection and lets
	 * the group commit go on. The worker may hold SQLite's write lock until it is gone.
	 */
	async #drop(): Promise<void> {
		const worker = this.#worker;
		this.#worker = undefined;
		this.#running = false;
		// A pause's timeout must not fire once the worker is dropped.
		clearTimeout(this.#pauseTimer);
		this.#pauseTimer = undefined;
		await worker?.terminate().catch(() => {});
		try {
			if (this.#db.open) {
				this.#db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
			}
		} catch (err) {
			// A connection whose file went bad (read-only, an I/O error): the group commit must
			// go on all the same, and the failure is told rather than thrown at nobody.
			this.#onProblem(
				`SQLite checkpoints could not be given back to the connection: ${reasonOf(err)}`,
			);
		} finally {
			this.#commits.resume();
		}
	}
}
