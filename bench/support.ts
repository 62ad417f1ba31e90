/**
 * What the benches share: the built server started in a process of its own, SigV4-signed
 * requests, percentiles, and a SQLite file's size.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createHash, createHmac, type Hash, type Hmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { SignatureV4 } from "@smithy/signature-v4";
import Database from "better-sqlite3";
import type { Pool } from "undici";

/** The PostgreSQL the benches use: BENCH_POSTGRES_URL, or the one these machines run. */
export const BENCH_POSTGRES_URL =
	process.env.BENCH_POSTGRES_URL ?? "postgres://root@127.0.0.1:5432/test";

/** A server started by {@link startServer}. */
export interface StartedServer {
	child: ChildProcess;
	url: string;
	/** Milliseconds from the spawn to the "listening" line on its standard output. */
	listeningMs: number;
}

/** The built binary, `idpool serve` on `db` (a SQLite file or a PostgreSQL URL), port 0. */
export async function startServer(
	db: string,
	extraArgs: readonly string[] = [],
): Promise<StartedServer> {
	const bin = new URL("../bin/idpool.js", import.meta.url).pathname;
	const started = performance.now();
	const child = spawn(
		process.execPath,
		[
			bin,
			"serve",
			"--port",
			"0",
			"--db",
			db,
			"--log-level",
			"warn",
			...extraArgs,
		],
		{ stdio: ["ignore", "pipe", "inherit"] },
	);
	const url = await new Promise<string>((resolve, reject) => {
		let out = "";
		child.stdout?.on("data", (d) => {
			out += d;
			const m = /listening on (\S+)/.exec(out);
			if (m?.[1]) resolve(m[1]);
		});
		child.on("exit", (code) => reject(new Error(`server exited with ${code}`)));
	});
	return { child, url, listeningMs: performance.now() - started };
}

/** Stops a server started by {@link startServer} and waits for its exit. */
export async function stopServer(server: StartedServer): Promise<void> {
	if (server.child.exitCode !== null) return;
	const exited = new Promise((r) => server.child.once("exit", r));
	server.child.kill("SIGTERM");
	await exited;
}

/** The `p`th percentile (0-100) of ascending `sorted`; NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
	return (
		sorted[
			Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))
		] ?? Number.NaN
	);
}

/** "N calls, p50 …, p99 …, slowest …" of `latencies` (milliseconds, any order). */
export function describeLatencies(latencies: readonly number[]): string {
	const sorted = [...latencies].sort((a, b) => a - b);
	const ms = (v: number) => `${v.toFixed(1)} ms`;
	return `${sorted.length} calls, p50 ${ms(percentile(sorted, 50))}, p99 ${ms(percentile(sorted, 99))}, slowest ${ms(sorted.at(-1) ?? Number.NaN)}`;
}

/** The size SQLite gives its file `file`: page_count × page_size, in bytes. */
export function sqliteBytes(file: string): number {
	const db = new Database(file, { readonly: true });
	try {
		return (
			(db.pragma("page_count", { simple: true }) as number) *
			(db.pragma("page_size", { simple: true }) as number)
		);
	} finally {
		db.close();
	}
}

export const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** A field of /proc/PID/status in kB (VmRSS, VmHWM...), NaN when absent (Linux only). */
export function procStatusKb(pid: number, field: string): number {
	const line = readFileSync(`/proc/${pid}/status`, "utf8")
		.split("\n")
		.find((l) => l.startsWith(`${field}:`));
	return Number(line?.split(/\s+/)[1] ?? Number.NaN);
}

/** Clock ticks per second of /proc's CPU times. */
const CLOCK_TICKS = Number(
	execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim(),
);

/**
 * The machine's CPU time so far, all CPUs, in clock ticks: `total`, and `steal`, the time a
 * virtual machine's CPUs were ready to run but the host ran something else (Linux /proc/stat;
 * zero on bare metal). Stolen time stalls whatever ran on that CPU, the server or the load
 * generator, and shows as latency the server never saw.
 */
export function machineTicks(): { total: number; steal: number } {
	const line = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
	const ticks = line.trim().split(/\s+/).slice(1).map(Number);
	// user nice system idle iowait irq softirq steal guest guest_nice; guests are in user.
	const total = ticks.slice(0, 8).reduce((a, b) => a + b, 0);
	return { total, steal: ticks[7] ?? 0 };
}

/** The share of the machine's CPU time stolen by the host between two {@link machineTicks}. */
export function stolenShare(
	before: { total: number; steal: number },
	after: { total: number; steal: number },
): number {
	const total = after.total - before.total;
	return total > 0 ? (after.steal - before.steal) / total : 0;
}

/** The fields of `/proc/<pid>/stat` after the command name, from field 3 (state) on. */
function statFields(pid: number): string[] {
	const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
	return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

/** The CPU time a process has used so far, all its threads, in seconds (Linux). */
export function cpuSeconds(pid: number): number {
	const fields = statFields(pid);
	// utime is field 14, stime 15.
	return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** The CPU time of each process alive at one moment, told apart from a later one of the same pid. */
export type ProcessTimes = Map<number, { started: number; seconds: number }>;

/** {@link ProcessTimes} of `pids` now; a process already gone is left out. */
export function processTimes(pids: readonly number[]): ProcessTimes {
	const times: ProcessTimes = new Map();
	for (const pid of pids) {
		let fields: string[];
		try {
			fields = statFields(pid);
		} catch {
			continue;
		}
		times.set(pid, {
			// Field 22: when the process started, which a reused pid does not share.
			started: Number(fields[19]),
			seconds: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS,
		});
	}
	return times;
}

/** CPU seconds used by the processes counted, and how many ended uncounted ({@link cpuBetween}). */
export interface ProcessCpu {
	seconds: number;
	ended: number;
}

/**
 * The CPU time used between two {@link processTimes} by the processes alive at both, and how
 * many of those read first had ended by the second (their time since the first is not known,
 * so it is not counted: the sum is then a lower bound, never a negative figure).
 */
export function cpuBetween(
	before: ProcessTimes,
	after: ProcessTimes,
): ProcessCpu {
	let seconds = 0;
	let ended = 0;
	for (const [pid, first] of before) {
		const last = after.get(pid);
		if (!last || last.started !== first.started) ended++;
		else seconds += last.seconds - first.seconds;
	}
	return { seconds, ended };
}

/** A request body and its signed headers, ready to send (or to replay for 15 minutes). */
export interface Prepared {
	headers: Record<string, string>;
	body: string;
}

/** SHA-256 for the SigV4 signer from node:crypto: lighter than a JavaScript one. */
class NodeSha256 {
	readonly #hash: Hash | Hmac;
	constructor(secret?: string | Uint8Array | ArrayBuffer | ArrayBufferView) {
		this.#hash =
			secret === undefined
				? createHash("sha256")
				: createHmac(
						"sha256",
						typeof secret === "string"
							? secret
							: Buffer.from(
									ArrayBuffer.isView(secret)
										? new Uint8Array(
												secret.buffer,
												secret.byteOffset,
												secret.byteLength,
											)
										: new Uint8Array(secret),
								),
					);
	}
	update(data: string | Uint8Array | ArrayBuffer | ArrayBufferView): void {
		this.#hash.update(
			typeof data === "string"
				? data
				: ArrayBuffer.isView(data)
					? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
					: new Uint8Array(data),
		);
	}
	async digest(): Promise<Uint8Array> {
		return new Uint8Array(this.#hash.digest());
	}
	reset(): void {
		throw new Error("not supported");
	}
}

/** Sends a prepared request on `pool`: its status, body and time in milliseconds. */
export async function sendPrepared(
	pool: Pool,
	req: Prepared,
): Promise<{ status: number; body: string; ms: number }> {
	const t0 = performance.now();
	const res = await pool.request({
		path: "/",
		method: "POST",
		headers: req.headers,
		body: req.body,
	});
	const body = await res.body.text();
	return { status: res.statusCode, body, ms: performance.now() - t0 };
}

/**
 * Signs Cognito Identity calls (`AWSCognitoIdentityService.<operation>`) for the server at
 * `url` with the test credentials.
 */
export function requestSigner(
	url: string,
): (operation: string, input: unknown) => Promise<Prepared> {
	const u = new URL(url);
	const signer = new SignatureV4({
		service: "cognito-identity",
		region: "us-east-1",
		credentials: { accessKeyId: "test", secretAccessKey: "test" },
		sha256: NodeSha256,
	});
	return async (operation, input) => {
		const body = JSON.stringify(input);
		const signed = await signer.sign({
			method: "POST",
			protocol: u.protocol,
			hostname: u.hostname,
			port: Number(u.port),
			path: "/",
			headers: {
				host: u.host,
				"content-type": "application/x-amz-json-1.1",
				"x-amz-target": `AWSCognitoIdentityService.${operation}`,
			},
			body,
		});
		const { host: _host, ...headers } = signed.headers;
		return { headers, body };
	};
}

/** Cumulative counts of a histogram's buckets (`le` in seconds → calls at or under it). */
export type Buckets = Map<number, number>;

/**
 * The server's own histograms of calls, signatures and store transactions, read from its
 * `/metrics` (summed over every label but `le`): `requests` is
 * `idpool_request_duration_seconds` for `action` (from the dispatcher receiving the call to its
 * answer encoded: neither the HTTP parsing before nor the write after), `signing`
 * `idpool_token_signing_seconds` (a signature's wait for and time on the thread pool), `store`
 * `idpool_store_transaction_seconds` (a new user's change includes its wait for the group
 * commit). Undefined when the server answers no metrics (`--metrics off`).
 */
export async function serverHistograms(
	url: string,
	action: string,
): Promise<Record<"requests" | "signing" | "store", Buckets> | undefined> {
	const res = await fetch(new URL("/metrics", url));
	if (!res.ok) return undefined;
	const out = {
		requests: new Map<number, number>(),
		signing: new Map<number, number>(),
		store: new Map<number, number>(),
	};
	const names = {
		idpool_request_duration_seconds_bucket: out.requests,
		idpool_token_signing_seconds_bucket: out.signing,
		idpool_store_transaction_seconds_bucket: out.store,
	} as Record<string, Buckets>;
	for (const line of (await res.text()).split("\n")) {
		const match = /^(\w+)\{([^}]*)\} (\S+)$/.exec(line);
		const buckets = match && names[match[1] as string];
		if (!match || !buckets) continue;
		const labels = match[2] as string;
		if (buckets === out.requests && !labels.includes(`action="${action}"`))
			continue;
		const le = /le="([^"]+)"/.exec(labels)?.[1];
		if (le === undefined) continue;
		const bound = le === "+Inf" ? Number.POSITIVE_INFINITY : Number(le);
		buckets.set(bound, (buckets.get(bound) ?? 0) + Number(match[3]));
	}
	return out;
}

/** `after` − `before`, bucket by bucket (the calls of the time between two reads). */
export function bucketsBetween(before: Buckets, after: Buckets): Buckets {
	return new Map(
		[...after].map(([le, n]) => [le, n - (before.get(le) ?? 0)] as const),
	);
}

/**
 * "98.7% under 10 ms, p99 ≤ 25 ms" of `buckets`: the share of calls at or under `limitMs`
 * (a bucket's bound), and the bound of the first bucket holding the 99th percentile (a
 * histogram only tells which bucket). Undefined when no call was counted.
 */
export function shareUnder(
	buckets: Buckets,
	limitMs: number,
): string | undefined {
	const total = buckets.get(Number.POSITIVE_INFINITY) ?? 0;
	if (total === 0) return undefined;
	const under = buckets.get(limitMs / 1000);
	const bounds = [...buckets.keys()].sort((a, b) => a - b);
	const p99 = bounds.find((le) => (buckets.get(le) ?? 0) >= total * 0.99);
	const share =
		under === undefined
			? ""
			: `${((100 * under) / total).toFixed(1)}% under ${limitMs} ms, `;
	const bound =
		p99 === undefined || p99 === Number.POSITIVE_INFINITY
			? "above the last bucket"
			: `≤ ${p99 * 1000} ms`;
	return `${share}p99 ${bound}`;
}
