/**
 * @module store/sqlite/checkpoint-worker
 * The worker thread of {@link WalCheckpointer}: it copies the WAL into the database file
 * (a checkpoint, whose fsyncs can stall for tens of milliseconds) so that the server's own
 * connection, on the event loop, never has to.
 *
 * Every `intervalMs` it takes a fresh read snapshot on one connection and runs a PASSIVE
 * checkpoint on another: the checkpoint copies every frame up to that snapshot and waits
 * for nobody. The snapshot is held until the next pass on purpose: while a reader uses the
 * WAL, SQLite cannot restart it (write it again from its start), and the writer that restarts
 * a WAL must fsync its new header; that writer would be the server's connection.
 *
 * The WAL therefore grows until it holds `restartBytes`; then the worker catches up with it
 * (more passes, while the server writes on, until one finds little new), asks the server to
 * pause its group commit, lets go of its snapshot, runs a RESTART checkpoint (the rest
 * copied, the WAL free to start over) and restarts the WAL itself with a write that changes
 * nothing (the database's `user_version`, set to its own value), so the header's fsync is
 * paid here too; then it lets the server resume. With the commits paused the RESTART copies
 * only what was written during the last pass, and its fsync has little to flush: the pause
 * lasts about one fsync rather than the copy of everything written since the last pass.
 *
 * Messages: to the server `ready`, `pause`, `resume`; from the server `paused`.
 */
import { parentPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";

/** What the worker is started with. */
export interface CheckpointWorkerData {
	path: string;
	intervalMs: number;
	restartBytes: number;
	/** How long the RESTART checkpoint may wait for readers and other writers. */
	busyMs: number;
}

/** A message between the worker and the server. */
export type CheckpointMessage =
	| { type: "ready" }
	| { type: "pause"; catchUpPasses: number }
	| { type: "paused" }
	| { type: "resume"; restarted: boolean };

interface CheckpointRow {
	busy: number;
	log: number;
	checkpointed: number;
}

/**
 * A failure as a plain Error, which is what reaches the server's thread intact: a thrown
 * SqliteError of better-sqlite3 is not an Error to the structured clone, and arrives there
 * as a bare `{code}`, its message lost. The code stays in the message.
 */
function plain(err: unknown): Error {
	const { message, code } = (err ?? {}) as {
		message?: unknown;
		code?: unknown;
	};
	const text =
		typeof message === "string" && message !== "" ? message : String(err);
	return new Error(typeof code === "string" ? `${text} (${code})` : text);
}

/** Runs `fn`; whatever it throws is thrown again as a {@link plain} Error. */
function plainly<T>(fn: () => T): T {
	try {
		return fn();
	} catch (err) {
		throw plain(err);
	}
}

const port = parentPort;
if (!port) throw new Error("checkpoint-worker runs as a worker thread");
const { path, intervalMs, restartBytes, busyMs } =
	workerData as CheckpointWorkerData;

// The worker never creates the database; a `-wal` or `-shm` it may create gets the database
// file's mode from SQLite, as the server's own do (sqlite-store.ts: 0600 for a new database).
const { reader, writer, pageSize, touch } = plainly(() => {
	const reader = new Database(path, { fileMustExist: true, timeout: busyMs });
	const writer = new Database(path, { fileMustExist: true, timeout: busyMs });
	// The checkpoint's fsyncs are what keeps the database safe from a power loss.
	writer.pragma("synchronous = NORMAL");
	writer.pragma("wal_autocheckpoint = 0");
	const pageSize = writer.pragma("page_size", { simple: true }) as number;
	const touch = reader.prepare("SELECT count(*) FROM sqlite_schema");
	return { reader, writer, pageSize, touch };
});

function send(message: CheckpointMessage): void {
	port?.postMessage(message);
}

/** Ends the snapshot held since the last pass, if any, and takes a new one. */
function holdSnapshot(): void {
	if (reader.inTransaction) reader.exec("COMMIT");
	reader.exec("BEGIN");
	touch.get();
}

function releaseSnapshot(): void {
	if (reader.inTransaction) reader.exec("COMMIT");
}

function checkpoint(mode: "PASSIVE" | "RESTART"): CheckpointRow {
	return (
		writer.pragma(`wal_checkpoint(${mode})`) as CheckpointRow[]
	)[0] as CheckpointRow;
}

/** SQLITE_BUSY (another process holds a lock for longer than `busyMs`): try again later. */
function isBusy(err: unknown): boolean {
	return (err as { code?: string }).code?.startsWith("SQLITE_BUSY") === true;
}

/**
 * After a restart that could not be done (a reader of another process, e.g. a backup, held
 * the WAL for longer than `busyMs`), the next try waits this long: each try pauses the
 * server's group commit for up to `busyMs`.
 */
const RETRY_MS = 5000;

/**
 * Catching up before a restart stops once a pass finds at most this many new frames (256 KiB
 * of 4 KiB pages: a copy of well under a millisecond) or after {@link CATCH_UP_PASSES} passes
 * (writes that outrun the copies).
 */
const CATCH_UP_FRAMES = 64;
const CATCH_UP_PASSES = 8;

let restarting = false;
let retryAt = 0;

function pass(): void {
	if (restarting) return;
	try {
		holdSnapshot();
		const row = checkpoint("PASSIVE");
		if (row.log * pageSize >= restartBytes && performance.now() >= retryAt) {
			const catchUpPasses = catchUp(row.log);
			restarting = true;
			send({ type: "pause", catchUpPasses });
		}
	} catch (err) {
		if (!isBusy(err)) throw plain(err);
	}
}

/**
 * PASSIVE passes while the server writes on, each copying what was written during the one
 * before, until a pass finds at most {@link CATCH_UP_FRAMES} new frames; answers how many ran.
 * `log`: the WAL's frames at the last pass.
 */
function catchUp(log: number): number {
	let passes = 0;
	let last = log;
	while (passes < CATCH_UP_PASSES) {
		holdSnapshot();
		const row = checkpoint("PASSIVE");
		passes++;
		const added = row.log - last;
		last = row.log;
		if (added <= CATCH_UP_FRAMES) break;
	}
	return passes;
}

/** With the server's group commit paused: copies the rest of the WAL and starts it over. */
function restart(): boolean {
	releaseSnapshot();
	const row = checkpoint("RESTART");
	if (row.busy !== 0) return false;
	// A write that changes nothing: it starts the WAL over (and fsyncs its header) here.
	writer
		.transaction(() => {
			const version = writer.pragma("user_version", { simple: true }) as number;
			writer.pragma(`user_version = ${version}`);
		})
		.immediate();
	return true;
}

port.on("message", (message: CheckpointMessage) => {
	if (message.type !== "paused") return;
	let restarted = false;
	try {
		restarted = restart();
	} catch (err) {
		if (!isBusy(err)) throw plain(err);
	} finally {
		restarting = false;
		if (!restarted) retryAt = performance.now() + RETRY_MS;
		send({ type: "resume", restarted });
	}
	pass();
});

plainly(holdSnapshot);
setInterval(pass, intervalMs);
send({ type: "ready" });
