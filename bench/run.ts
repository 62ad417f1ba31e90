/**
 * `npm run bench`: the throughput of GetOpenIdTokenForDeveloperIdentity next to the ceiling
 * that RS512 signing alone sets on this machine, both measured in this run: on SQLite, then
 * (when PostgreSQL answers at BENCH_POSTGRES_URL) on PostgreSQL with one and two servers.
 *
 * Method (docs/benchmarks.md):
 * 1. Ceiling: RS512 signatures per second with node:crypto's asynchronous sign, enough
 *    signatures in flight to keep every core busy, for CEILING_SECONDS, measured before and
 *    after each scenario; the ratio uses the mean of the two.
 * 2. Each server runs in its own process (the built binary).
 * 3. Requests are SigV4-signed before the run (a signature stays valid for 15 minutes), half
 *    for new developer users and half for 1,000 returning ones, and replayed over CONNECTIONS
 *    keep-alive connections (split between the servers) for DURATION_SECONDS.
 * 4. Warm-up, not measured: the returning users are registered, then the same load runs for
 *    BENCH_WARMUP_SECONDS (5), so that rounds measure the steady state (JIT done, heap grown).
 * 5. The load runs BENCH_ROUNDS times (3), each round between two ceiling measurements, so
 *    that each round's ratio uses the machine's speed around it; printed for each round:
 *    requests per second, p50 and p99 latency, errors and the ratio to the ceiling; then the
 *    round with the median ratio, and the worst p99 of all rounds.
 *    Then p99/p50 of that round (at saturation, where the median is the queue's length over
 *    the throughput); one open round below saturation, requests sent on a fixed schedule at
 *    BENCH_PACED_LOAD (0.5; 0 leaves it out) of the median round's throughput, latency counted
 *    from each request's scheduled time; and one closed round over BENCH_LOW_CONNECTIONS (8;
 *    0 leaves it out), which is below saturation only where the machine is fast enough.
 *    Under each of these two, what the servers' own histograms (`/metrics`) counted during
 *    it: the share of calls, signatures and store transactions under 10 ms, and the bucket
 *    holding their p99, apart from what the client and the kernel add.
 * 6. ES256 (`--token-algorithm ES256`, docs/keys.md#es256): after the SQLite scenario, the same
 *    load on a SQLite server signing with ES256, its throughput printed with its ratio to the
 *    RS512 scenario of the same run (raw, and with each against the RS512 ceiling around it);
 *    the ES256 signing ceiling is printed beside it. `BENCH_ONLY=es256` runs these two alone;
 *    `BENCH_ES256=skip` leaves ES256 out of a full run.
 * Nothing here is a test: `npm test` never depends on timing.
 */
import { type ChildProcess, execFile } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import {
	existsSync,
	mkdirSync,
	mkdtempSync,
	rmSync,
	writeFileSync,
} from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { CreateIdentityPoolCommand } from "@aws-sdk/client-cognito-identity";
import pg from "pg";
import { Pool } from "undici";
import { createPrometheusMetrics } from "../src/metrics/prometheus.ts";
import { operationNames } from "../src/operations/index.ts";
import { signOnce } from "../src/tokens/tokens.ts";
import { sdkClient } from "../test/support/server.ts";
import {
	BENCH_POSTGRES_URL,
	type Buckets,
	bucketsBetween,
	cpuBetween,
	cpuSeconds,
	machineTicks,
	type Prepared,
	type ProcessCpu,
	type ProcessTimes,
	percentile,
	processTimes,
	requestSigner,
	sendPrepared,
	serverHistograms,
	shareUnder,
	startServer,
	stolenShare,
} from "./support.ts";

const DURATION_SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
/**
 * Connections of the round below saturation, where latency is the server's own rather than
 * the queue's (0 leaves it out).
 */
const LOW_CONNECTIONS = Number(process.env.BENCH_LOW_CONNECTIONS ?? 8);
/**
 * The open round's rate, as a share of the median saturated round's throughput (0 leaves it
 * out): below saturation on any machine, however fast.
 */
const PACED_LOAD = Number(process.env.BENCH_PACED_LOAD ?? 0.5);
const CEILING_SECONDS = Number(process.env.BENCH_CEILING_SECONDS ?? 5);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const WARMUP_SECONDS = Math.max(
	0,
	Number(process.env.BENCH_WARMUP_SECONDS ?? 5),
);
const RETURNING_USERS = 1000;
const DEV = "login.example.app";

/**
 * The ES256 scenario prepares requests for this many times the RS512 scenario's throughput
 * (at least as many as an RS512 scenario): its server may go several times faster, and a
 * round that ran out of prepared requests would replay its last one (wrk) or stop early.
 */
const ES256_LOAD_FACTOR = Number(process.env.BENCH_ES256_FACTOR ?? 4);

async function signingCeiling(
	seconds: number,
	alg: "RS512" | "ES256" = "RS512",
): Promise<number> {
	const { privateKey } =
		alg === "ES256"
			? generateKeyPairSync("ec", { namedCurve: "P-256" })
			: generateKeyPairSync("rsa", { modulusLength: 2048 });
	const data = Buffer.alloc(400, 7);
	// 32 per core: fewer (8 per core measured 2-4% lower) leave the pool short of work at times.
	const inFlight = availableParallelism() * 32;
	let done = 0;
	const end = performance.now() + seconds * 1000;
	await Promise.all(
		Array.from({ length: inFlight }, async () => {
			while (performance.now() < end) {
				await signOnce(privateKey, data, alg);
				done++;
			}
		}),
	);
	return done / seconds;
}

async function prepare(
	url: string,
	poolId: string,
	count: number,
	prefix = "",
): Promise<Prepared[]> {
	const sign = requestSigner(url);
	const out: Prepared[] = [];
	for (let i = 0; i < count; i++) {
		const user =
			i % 2 === 0 ? `new-${prefix}${i}` : `returning-${i % RETURNING_USERS}`;
		out.push(
			await sign("GetOpenIdTokenForDeveloperIdentity", {
				IdentityPoolId: poolId,
				Logins: { [DEV]: user },
			}),
		);
	}
	return out;
}

async function drive(
	url: string,
	requests: Prepared[],
	seconds: number,
	connections: number,
) {
	const pool = new Pool(url, { connections, pipelining: 1 });
	const latencies: number[] = [];
	let errors = 0;
	let next = 0;
	const end = performance.now() + seconds * 1000;
	await Promise.all(
		Array.from({ length: connections }, async () => {
			while (performance.now() < end && next < requests.length) {
				const req = requests[next++] as Prepared;
				const { status, ms } = await sendPrepared(pool, req);
				latencies.push(ms);
				if (status !== 200) errors++;
			}
		}),
	);
	await pool.close();
	latencies.sort((a, b) => a - b);
	return { count: latencies.length, errors, latencies };
}

/**
 * An open load: the requests leave on a fixed schedule, `ratePerSecond` in all (dealt to the
 * servers in turn), whether or not earlier ones have been answered, over as many connections
 * as the saturated rounds use; each latency runs from the request's scheduled time, so a
 * request held up behind a slow one counts the wait (no coordinated omission). Below the
 * server's capacity this measures the time a request takes when it does not queue behind the
 * load generator's own connections, which a closed loop of few connections cannot show on a
 * slow machine (there, 8 connections already saturate it: p50 ≈ 8 / throughput). The
 * connections are opened (one unmeasured request each) before the schedule starts.
 */
async function paced(
	urls: string[],
	requests: Prepared[][],
	ratePerSecond: number,
	seconds: number,
): Promise<Result> {
	const connections = Math.max(1, Math.floor(CONNECTIONS / urls.length));
	const pools = urls.map(
		(url) => new Pool(url, { connections, pipelining: 1 }),
	);
	// Every connection opened first, unmeasured: the schedule must not start behind 64 new
	// connections' handshakes.
	const next = urls.map(() => connections);
	await Promise.all(
		pools.flatMap((pool, server) =>
			(requests[server] ?? [])
				.slice(0, connections)
				.map((req) => sendPrepared(pool, req)),
		),
	);
	const latencies: number[] = [];
	const inFlight = new Set<Promise<void>>();
	let errors = 0;
	const total = Math.floor(ratePerSecond * seconds);
	const start = performance.now();
	let sent = 0;
	while (sent < total) {
		const due = Math.min(
			total,
			Math.floor(((performance.now() - start) / 1000) * ratePerSecond) + 1,
		);
		for (; sent < due; sent++) {
			const server = sent % urls.length;
			const index = next[server] ?? 0;
			next[server] = index + 1;
			const req = requests[server]?.[index];
			const pool = pools[server] as Pool;
			if (req === undefined)
				throw new Error("paced round: out of prepared requests");
			const scheduled = start + (sent / ratePerSecond) * 1000;
			const sending: Promise<void> = sendPrepared(pool, req)
				.then(
					({ status }) => {
						latencies.push(performance.now() - scheduled);
						if (status !== 200) errors++;
					},
					() => {
						errors++;
					},
				)
				.finally(() => inFlight.delete(sending));
			inFlight.add(sending);
		}
		await new Promise((r) => setTimeout(r, 1));
	}
	await Promise.all(inFlight);
	await Promise.all(pools.map((p) => p.close()));
	latencies.sort((a, b) => a - b);
	return {
		rps: latencies.length / ((performance.now() - start) / 1000),
		errors,
		p50: percentile(latencies, 50),
		p99: percentile(latencies, 99),
	};
}

/** The calls the bench sends (the action of the server's histograms it reads). */
const ACTION = "GetOpenIdTokenForDeveloperIdentity";

/** Below saturation, a call should take under this (the goal; a bucket's bound). */
const LOW_LOAD_LIMIT_MS = 10;

type ServerSide = Record<"requests" | "signing" | "store", Buckets>;

/** The servers' own histograms, summed over `urls`; undefined when one answers no metrics. */
async function serverSide(urls: string[]): Promise<ServerSide | undefined> {
	const all = await Promise.all(
		urls.map((url) => serverHistograms(url, ACTION).catch(() => undefined)),
	);
	if (all.some((h) => h === undefined)) return undefined;
	const sum = (pick: (h: ServerSide) => Buckets) => {
		const total: Buckets = new Map();
		for (const h of all as ServerSide[])
			for (const [le, n] of pick(h)) total.set(le, (total.get(le) ?? 0) + n);
		return total;
	};
	return {
		requests: sum((h) => h.requests),
		signing: sum((h) => h.signing),
		store: sum((h) => h.store),
	};
}

/**
 * What the servers' own histograms say of the calls between `before` and `after`: the time a
 * call spends in the server's hands, apart from the client's and the kernel's (a load
 * generator on the same cores delays requests the server never saw).
 */
function describeServerSide(
	before: ServerSide | undefined,
	after: ServerSide | undefined,
): string {
	if (!before || !after) return "    server side: no /metrics to read";
	const part = (name: keyof ServerSide) =>
		shareUnder(bucketsBetween(before[name], after[name]), LOW_LOAD_LIMIT_MS) ??
		"none";
	return `    server side (its own histograms): calls ${part("requests")}; signatures ${part("signing")}; store transactions ${part("store")}`;
}

const WRK = ["/usr/bin/wrk", "/usr/local/bin/wrk"].find((p) => existsSync(p));

/**
 * The prepared requests as raw HTTP/1.1, each preceded by its length on a line of its own,
 * and the Lua for wrk that replays them in order (then repeats the last). A file, not Lua
 * literals: LuaJIT limits the constants of one function to 65,536.
 */
function wrkFiles(url: string, requests: Prepared[], dir: string): string {
	const host = new URL(url).host;
	const chunks: Buffer[] = [];
	for (const r of requests) {
		const head = [
			"POST / HTTP/1.1",
			`Host: ${host}`,
			...Object.entries(r.headers).map(([k, v]) => `${k}: ${v}`),
			`Content-Length: ${Buffer.byteLength(r.body)}`,
			"",
			"",
		].join("\r\n");
		const raw = Buffer.from(head + r.body);
		chunks.push(Buffer.from(`${raw.length}\n`), raw);
	}
	const data = join(dir, "requests.bin");
	writeFileSync(data, Buffer.concat(chunks));
	const script = join(dir, "bench.lua");
	writeFileSync(
		script,
		`local reqs = {}
function init(args)
  local f = assert(io.open(${JSON.stringify(data)}, "rb"))
  local all = f:read("*a")
  f:close()
  local pos = 1
  while pos <= #all do
    local nl = string.find(all, "\\n", pos, true)
    local len = tonumber(string.sub(all, pos, nl - 1))
    reqs[#reqs + 1] = string.sub(all, nl + 1, nl + len)
    pos = nl + 1 + len
  end
end
local i = 0
function request()
  if i < #reqs then i = i + 1 end
  return reqs[i]
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK %d %d %d %f %f\\n", summary.requests,
    e.status + e.connect + e.read + e.write + e.timeout, summary.duration,
    latency:percentile(50), latency:percentile(99)))
end
`,
	);
	return script;
}

interface Result {
	rps: number;
	errors: number;
	p50: number;
	p99: number;
}

/** Drives the server with wrk, a C load generator far lighter than a Node client. */
async function driveWithWrk(
	url: string,
	requests: Prepared[],
	seconds: number,
	connections: number,
	dir: string,
): Promise<Result> {
	const script = wrkFiles(url, requests, dir);
	const args = [
		"-t1",
		`-c${connections}`,
		`-d${seconds}s`,
		"--timeout",
		"10s",
		"-s",
		script,
		url,
	];
	const out = await new Promise<string>((resolve, reject) =>
		execFile(WRK as string, args, (err, stdout) =>
			err ? reject(err) : resolve(stdout),
		),
	);
	const m = /WRK (\d+) (\d+) (\d+) ([\d.]+) ([\d.]+)/.exec(out);
	if (!m) throw new Error(`unexpected wrk output: ${out}`);
	const [count, errors, durationUs, p50Us, p99Us] = m.slice(1).map(Number) as [
		number,
		number,
		number,
		number,
		number,
	];
	return {
		rps: count / (durationUs / 1e6),
		errors,
		p50: p50Us / 1000,
		p99: p99Us / 1000,
	};
}

/** Load on several servers at once; latency figures are those of the slowest server. */
async function measure(
	urls: string[],
	requests: Prepared[][],
	dir: string,
	seconds = DURATION_SECONDS,
	totalConnections = CONNECTIONS,
): Promise<Result & { generator: string }> {
	const connections = Math.max(1, Math.floor(totalConnections / urls.length));
	const useWrk = WRK !== undefined && !process.env.BENCH_NODE_CLIENT;
	const results = await Promise.all(
		urls.map(async (url, i) => {
			const reqs = requests[i] as Prepared[];
			if (useWrk) {
				const sub = join(dir, `wrk-${i}`);
				mkdirSync(sub, { recursive: true });
				return driveWithWrk(url, reqs, seconds, connections, sub);
			}
			const run = await drive(url, reqs, seconds, connections);
			return {
				rps: run.count / seconds,
				errors: run.errors,
				p50: percentile(run.latencies, 50),
				p99: percentile(run.latencies, 99),
			};
		}),
	);
	return {
		rps: results.reduce((n, r) => n + r.rps, 0),
		errors: results.reduce((n, r) => n + r.errors, 0),
		p50: Math.max(...results.map((r) => r.p50)),
		p99: Math.max(...results.map((r) => r.p99)),
		generator: useWrk
			? `wrk, one process per server`
			: "undici in the bench process; install wrk for a lighter one",
	};
}

/**
 * The ceiling around a scenario: measured before it (or taken from the previous scenario's
 * after) and after it, so that a machine whose speed drifts (a shared virtual machine)
 * weighs on both sides of the ratio alike; the ratio uses the mean.
 */
class Ceiling {
	#last: number | undefined;

	async before(): Promise<number> {
		this.#last ??= await signingCeiling(CEILING_SECONDS);
		return this.#last;
	}

	async around(
		before: number,
	): Promise<{ before: number; after: number; mean: number }> {
		const after = await signingCeiling(CEILING_SECONDS);
		this.#last = after;
		return { before, after, mean: (before + after) / 2 };
	}
}

/** Creates the bench's pool (with its developer provider) on the server at `url`. */
async function benchPool(url: string): Promise<string> {
	const client = sdkClient(url);
	try {
		const pool = await client.send(
			new CreateIdentityPoolCommand({
				IdentityPoolName: "bench",
				AllowUnauthenticatedIdentities: false,
				DeveloperProviderName: DEV,
			}),
		);
		return pool.IdentityPoolId as string;
	} finally {
		client.destroy();
	}
}

/** What a scenario's median round measured. */
interface ScenarioResult {
	rps: number;
	/** Requests per second against the RS512 signing ceiling around the round. */
	ratio: number;
	/** The servers' CPU time a request, median of the rounds (undefined for BENCH_URL). */
	cpuMs: number | undefined;
}

/**
 * One scenario: `instances` servers on database `db` (started with `args`), measured and
 * printed; answers its median round. Requests are prepared for 1.5 times the RS512 ceiling
 * per second, or for `requestsPerSecond` when that is more.
 */
async function scenario(
	label: string,
	db: string,
	instances: number,
	ceilings: Ceiling,
	options: { args?: readonly string[]; requestsPerSecond?: number } = {},
): Promise<ScenarioResult> {
	const dir = mkdtempSync(join(tmpdir(), "idpool-bench-"));
	const servers: { child: ChildProcess | undefined; url: string }[] = [];
	try {
		if (process.env.BENCH_URL)
			servers.push({ child: undefined, url: process.env.BENCH_URL });
		else {
			for (let i = 0; i < instances; i++) {
				servers.push(await startServer(db, options.args));
			}
		}
		const urls = servers.map((s) => s.url);
		const poolId = await benchPool(urls[0] as string);
		// Enough signed requests for well above the ceiling, per server, for the warm-up and each round.
		const firstCeiling = await ceilings.before();
		const perSecond = Math.max(
			firstCeiling * 1.5,
			options.requestsPerSecond ?? 0,
		);
		const requestsFor = (seconds: number) =>
			Math.ceil((perSecond * seconds) / urls.length);
		const perRound = requestsFor(DURATION_SECONDS);
		const perWarmup = requestsFor(WARMUP_SECONDS);
		const lowRounds = (LOW_CONNECTIONS > 0 ? 1 : 0) + (PACED_LOAD > 0 ? 1 : 0);
		const perServer =
			RETURNING_USERS * 2 + perWarmup + perRound * (ROUNDS + lowRounds);
		const requests = await Promise.all(
			urls.map((url, i) => prepare(url, poolId, perServer, `s${i}-`)),
		);
		// Warm-up: JIT, connections, and the returning users' identities.
		await Promise.all(
			urls.map((url, i) =>
				drive(
					url,
					(requests[i] as Prepared[]).slice(0, RETURNING_USERS * 2),
					60,
					16,
				),
			),
		);
		// Then the measured load itself, unmeasured, until the server is in its steady state: the
		// first seconds of full load grow the heap, with full garbage collections whose
		// concurrent marking takes cores from signing (docs/benchmarks.md).
		if (WARMUP_SECONDS > 0) {
			const first = RETURNING_USERS * 2;
			await measure(
				urls,
				requests.map((r) => r.slice(first, first + perWarmup)),
				dir,
				WARMUP_SECONDS,
			);
		}
		const rounds: {
			result: Result;
			ceiling: number;
			ratio: number;
			cpuMs: number | undefined;
		}[] = [];
		let generator = "";
		const serverPids = servers.flatMap((s) =>
			s.child?.pid === undefined ? [] : [s.child.pid],
		);
		/** Whether the bench started every server (not BENCH_URL): their CPU time is known. */
		const ownServers =
			servers.length > 0 && serverPids.length === servers.length;
		for (let round = 0; round < ROUNDS; round++) {
			const before = await ceilings.before();
			const start = RETURNING_USERS * 2 + perWarmup + round * perRound;
			const backends = await postgresBackends(db);
			const cpuBefore = [processTimes(serverPids), processTimes(backends)];
			const ticksBefore = machineTicks();
			const result = await measure(
				urls,
				requests.map((r) => r.slice(start, start + perRound)),
				dir,
			);
			const stolen = stolenShare(ticksBefore, machineTicks());
			const [serverCpu, backendCpu] = [serverPids, backends].map((pids, i) =>
				cpuBetween(cpuBefore[i] as ProcessTimes, processTimes(pids)),
			) as [ProcessCpu, ProcessCpu];
			const cpu = [serverCpu.seconds, backendCpu.seconds];
			// The servers' CPU time a request (all their threads, signing included): what other
			// load on a shared machine blurs far less than throughput.
			const cpuMs =
				!ownServers || result.rps === 0
					? undefined
					: ((cpu[0] as number) * 1000) / (result.rps * DURATION_SECONDS);
			const ceiling = await ceilings.around(before);
			if (round === 0) {
				console.log(
					`${label}: ${urls.length} server(s), ${CONNECTIONS} connections, ${ROUNDS} rounds of ${DURATION_SECONDS} s, half new users (load: ${result.generator})`,
				);
			}
			generator = result.generator;
			const ratio = result.rps / ceiling.mean;
			rounds.push({ result, ceiling: ceiling.mean, ratio, cpuMs });
			if (Math.round(result.rps * DURATION_SECONDS) >= perRound * urls.length) {
				console.log(
					`  round ${round + 1} ran out of prepared requests (wrk replayed the last one; the Node client stopped early): its figures are wrong; raise BENCH_ES256_FACTOR`,
				);
			}
			console.log(
				`  round ${round + 1}: ceiling ${ceiling.before.toFixed(0)} before, ${ceiling.after.toFixed(0)} after (mean ${ceiling.mean.toFixed(0)} signatures/s); ` +
					`${result.rps.toFixed(0)} requests/s (errors: ${result.errors}); p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms; ratio ${ratio.toFixed(2)}`,
			);
			// CPU time per request, less sensitive than throughput to other load on the machine.
			const served = result.rps * DURATION_SECONDS;
			const perRequest = (seconds: number) =>
				served > 0 ? ((seconds / served) * 1e6).toFixed(0) : "-";
			console.log(
				`    CPU per request: server(s) ${perRequest(cpu[0] as number)} µs (signing included)` +
					(backends.length > 0
						? `, PostgreSQL backends ${perRequest(cpu[1] as number)} µs` +
							(backendCpu.ended > 0
								? ` (at least: ${backendCpu.ended} of ${backends.length} ended during the round, their time left out)`
								: "")
						: "") +
					`; CPU time stolen by the host: ${(stolen * 100).toFixed(1)}%`,
			);
		}
		const sorted = [...rounds].sort((a, b) => a.ratio - b.ratio);
		const median = sorted[
			Math.floor((sorted.length - 1) / 2)
		] as (typeof rounds)[number];
		const worstP99 = Math.max(...rounds.map((r) => r.result.p99));
		console.log(
			`  median round: ${median.result.rps.toFixed(0)} requests/s against a ceiling of ${median.ceiling.toFixed(0)} signatures/s (load: ${generator})`,
		);
		console.log(
			`  latency p50: ${median.result.p50.toFixed(1)} ms  p99: ${median.result.p99.toFixed(1)} ms  (worst p99 of the rounds: ${worstP99.toFixed(1)} ms)`,
		);
		console.log(
			`  ratio to the signing ceiling: ${median.ratio.toFixed(2)} (rounds: ${rounds.map((r) => r.ratio.toFixed(2)).join(", ")})`,
		);
		console.log(
			`  at saturation: p99/p50 ${(median.result.p99 / median.result.p50).toFixed(2)} in the median round (goal: at most 2)`,
		);
		const afterRounds = RETURNING_USERS * 2 + perWarmup + ROUNDS * perRound;
		if (PACED_LOAD > 0) {
			// Below saturation, open: a fixed share of the median round's throughput.
			const rate = median.result.rps * PACED_LOAD;
			const seen = await serverSide(urls);
			const open = await paced(
				urls,
				requests.map((r) => r.slice(afterRounds, afterRounds + perRound)),
				rate,
				DURATION_SECONDS,
			);
			console.log(
				`  below saturation, open load (${rate.toFixed(0)} requests/s on a fixed schedule, ${Math.round(PACED_LOAD * 100)}% of the median round, ${DURATION_SECONDS} s): ${open.rps.toFixed(0)} requests/s (errors: ${open.errors}); p50 ${open.p50.toFixed(1)} ms, p99 ${open.p99.toFixed(1)} ms (goal: p99 under 10 ms)`,
			);
			console.log(describeServerSide(seen, await serverSide(urls)));
		}
		if (LOW_CONNECTIONS > 0) {
			// Below saturation where the machine allows it: the same mix over a few connections.
			const start = afterRounds + (PACED_LOAD > 0 ? perRound : 0);
			const seen = await serverSide(urls);
			const low = await measure(
				urls,
				requests.map((r) => r.slice(start, start + perRound)),
				dir,
				DURATION_SECONDS,
				LOW_CONNECTIONS,
			);
			console.log(
				`  below saturation (${LOW_CONNECTIONS} connections, ${DURATION_SECONDS} s): ${low.rps.toFixed(0)} requests/s (errors: ${low.errors}); p50 ${low.p50.toFixed(1)} ms, p99 ${low.p99.toFixed(1)} ms (goal: p99 under 10 ms)`,
			);
			console.log(describeServerSide(seen, await serverSide(urls)));
		}
		const cpus = rounds
			.map((r) => r.cpuMs)
			.filter((c): c is number => c !== undefined)
			.sort((a, b) => a - b);
		return {
			rps: median.result.rps,
			ratio: median.ratio,
			cpuMs: cpus[Math.floor((cpus.length - 1) / 2)],
		};
	} finally {
		for (const s of servers) {
			if (!s.child) continue;
			const child = s.child;
			child.kill("SIGTERM");
			await new Promise((r) => child.on("exit", r));
		}
		rmSync(dir, { recursive: true, force: true });
	}
}

/**
 * The metrics' own work for one GetOpenIdTokenForDeveloperIdentity of a new user, timed in
 * this process on a registry of its own: the call counted and timed, the token, the store's
 * three transactions, the identity. Microseconds a request, the median of five runs.
 */
function metricsWorkMicros(): number {
	const metrics = createPrometheusMetrics([
		{
			service: "cognito-identity",
			operations: operationNames("cognito-identity"),
		},
		{ service: "sts", operations: operationNames("sts") },
	]);
	const record = {
		service: "cognito-identity",
		operation: "GetOpenIdTokenForDeveloperIdentity",
		statusCode: 200,
		errorType: undefined,
		internal: false,
		requestId: "r",
		accountId: "000000000000",
		region: "us-east-1",
		callerKind: "key" as const,
		durationSeconds: 0.004,
	};
	const one = (i: number) => {
		const t = (i % 100) / 10_000;
		metrics.storeTransaction("pools.findById", t);
		metrics.storeTransaction("identities.ownerOf", t);
		metrics.tokenSigned("RS512", t);
		metrics.storeTransaction("identities.change", t);
		metrics.identityCreated(true);
		metrics.observer({ ...record, durationSeconds: t });
	};
	const runs: number[] = [];
	for (let run = 0; run < 6; run++) {
		const n = 100_000;
		const started = performance.now();
		for (let i = 0; i < n; i++) one(i);
		// The first run warms the JIT up.
		if (run > 0) runs.push(((performance.now() - started) * 1000) / n);
	}
	return runs.sort((a, b) => a - b)[2] as number;
}

/**
 * The cost of metrics on the hot path: two servers on SQLite files of their own, one with
 * metrics on (the default) and one with `--metrics off`, driven in turn, round after round
 * (which one goes first alternates), each round against the signing ceiling measured around
 * it, so that the machine's drift weighs on both alike. Prints each pair's ratios (on / off)
 * of throughput against the ceiling and of the server's CPU time per request (all its
 * threads, signing included: less sensitive to other load on the machine than throughput),
 * and their medians.
 */
async function metricsCost(dir: string, ceilings: Ceiling): Promise<void> {
	const variants = [
		{ label: "on", args: [] as string[] },
		{ label: "off", args: ["--metrics", "off"] },
	];
	const started: { child: ChildProcess; url: string }[] = [];
	const wrkDir = mkdtempSync(join(tmpdir(), "idpool-bench-"));
	try {
		for (const v of variants) {
			started.push(
				await startServer(join(dir, `metrics-${v.label}.db`), v.args),
			);
		}
		const firstCeiling = await ceilings.before();
		const perRound = Math.ceil(firstCeiling * DURATION_SECONDS * 1.5);
		const perWarmup = Math.ceil(firstCeiling * WARMUP_SECONDS * 1.5);
		const first = RETURNING_USERS * 2;
		const requests = await Promise.all(
			started.map(async (s, i) =>
				prepare(
					s.url,
					await benchPool(s.url),
					first + perWarmup + perRound * ROUNDS,
					`m${i}-`,
				),
			),
		);
		for (const [i, s] of started.entries()) {
			const reqs = requests[i] as Prepared[];
			await drive(s.url, reqs.slice(0, first), 60, 16);
			if (WARMUP_SECONDS > 0) {
				await measure(
					[s.url],
					[reqs.slice(first, first + perWarmup)],
					wrkDir,
					WARMUP_SECONDS,
				);
			}
		}
		console.log(
			`metrics on against off (SQLite): ${ROUNDS} pairs of ${DURATION_SECONDS} s rounds, one server each, in turn`,
		);
		const pairs: number[] = [];
		const cpuPairs: number[] = [];
		const offCpu: number[] = [];
		for (let round = 0; round < ROUNDS; round++) {
			const start = first + perWarmup + round * perRound;
			const ratios = new Map<string, number>();
			const cpus = new Map<string, number>();
			const order = round % 2 === 0 ? [0, 1] : [1, 0];
			for (const i of order) {
				const s = started[i] as { child: ChildProcess; url: string };
				const label = variants[i]?.label as string;
				const before = await ceilings.before();
				const cpuBefore = cpuSeconds(s.child.pid as number);
				const result = await measure(
					[s.url],
					[(requests[i] as Prepared[]).slice(start, start + perRound)],
					wrkDir,
				);
				const cpuMs =
					((cpuSeconds(s.child.pid as number) - cpuBefore) * 1000) /
					(result.rps * DURATION_SECONDS);
				const ceiling = await ceilings.around(before);
				const ratio = result.rps / ceiling.mean;
				ratios.set(label, ratio);
				cpus.set(label, cpuMs);
				console.log(
					`  round ${round + 1}, metrics ${label}: ${result.rps.toFixed(0)} requests/s (errors: ${result.errors}); p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms; ratio to the ceiling ${ratio.toFixed(2)}; server CPU ${cpuMs.toFixed(3)} ms a request`,
				);
			}
			pairs.push((ratios.get("on") as number) / (ratios.get("off") as number));
			cpuPairs.push((cpus.get("on") as number) / (cpus.get("off") as number));
			offCpu.push(cpus.get("off") as number);
		}
		const median = (values: number[]) =>
			[...values].sort((a, b) => a - b)[
				Math.floor((values.length - 1) / 2)
			] as number;
		const throughput = median(pairs);
		const cpu = median(cpuPairs);
		console.log(
			`  throughput, metrics on / off: ${throughput.toFixed(3)} (pairs: ${pairs.map((p) => p.toFixed(3)).join(", ")})`,
		);
		console.log(
			`  server CPU a request, metrics on / off: ${cpu.toFixed(3)} (pairs: ${cpuPairs.map((p) => p.toFixed(3)).join(", ")})`,
		);
		// What other load on the machine cannot blur: the metrics' own work, against the CPU a
		// request costs the server without them.
		const work = metricsWorkMicros();
		const offCpuMs = median(cpuPairs.map((_, r) => offCpu[r] as number));
		console.log(
			`  the metrics' own work: ${work.toFixed(2)} µs a request, ${((work / 1000 / offCpuMs) * 100).toFixed(2)}% of the server's CPU a request with metrics off (${offCpuMs.toFixed(3)} ms)`,
		);
	} finally {
		for (const s of started) {
			s.child.kill("SIGTERM");
			await new Promise((r) => s.child.on("exit", r));
		}
		rmSync(wrkDir, { recursive: true, force: true });
	}
}

/**
 * The ES256 scenario: the SQLite scenario's load on a server with `--token-algorithm ES256`,
 * compared with `rs512`, the SQLite (RS512) scenario of this run (docs/benchmarks.md#es256).
 */
async function es256Scenario(
	dir: string,
	rs512: ScenarioResult,
	ceilings: Ceiling,
): Promise<void> {
	const es256Ceiling = await signingCeiling(CEILING_SECONDS, "ES256");
	console.log(
		`ES256 signing ceiling: ${es256Ceiling.toFixed(0)} signatures/s (node:crypto async sign, P-256, all cores, ${CEILING_SECONDS} s)`,
	);
	const es256 = await scenario(
		"SQLite, ES256",
		join(dir, "bench-es256.db"),
		1,
		ceilings,
		{
			args: ["--token-algorithm", "ES256"],
			requestsPerSecond: rs512.rps * ES256_LOAD_FACTOR,
		},
	);
	console.log(
		`  ES256 against RS512 (SQLite, this run): ${es256.rps.toFixed(0)} / ${rs512.rps.toFixed(0)} requests/s = ${(es256.rps / rs512.rps).toFixed(2)}x; against the RS512 ceiling around each: ${(es256.ratio / rs512.ratio).toFixed(2)}x (goal: 3x)`,
	);
	if (es256.cpuMs !== undefined && rs512.cpuMs !== undefined) {
		console.log(
			`  server CPU a request (median rounds): RS512 ${rs512.cpuMs.toFixed(3)} ms, ES256 ${es256.cpuMs.toFixed(3)} ms = ${(rs512.cpuMs / es256.cpuMs).toFixed(2)}x fewer (the throughput gain where the server's CPU is the bound)`,
		);
	}
}

/**
 * The PostgreSQL backends serving the servers on `db` (by the `application_name` of its URL),
 * when the database runs on this machine; none for a SQLite file.
 */
async function postgresBackends(db: string): Promise<number[]> {
	if (!db.startsWith("postgres")) return [];
	const name = new URL(db).searchParams.get("application_name");
	const client = new pg.Client({ connectionString: BENCH_POSTGRES_URL });
	await client.connect();
	try {
		const { rows } = await client.query<{ pid: number }>(
			"SELECT pid FROM pg_stat_activity WHERE application_name = $1",
			[name],
		);
		return rows.map((r) => r.pid).filter((pid) => existsSync(`/proc/${pid}`));
	} finally {
		await client.end();
	}
}

/** A fresh schema on the benchmark's PostgreSQL, or undefined when it does not answer. */
async function postgresSchema(): Promise<
	{ url: string; drop(): Promise<void> } | undefined
> {
	const client = new pg.Client({
		connectionString: BENCH_POSTGRES_URL,
		connectionTimeoutMillis: 2000,
	});
	try {
		await client.connect();
	} catch {
		console.log(
			`PostgreSQL does not answer at ${BENCH_POSTGRES_URL}: its runs are left out`,
		);
		return undefined;
	} finally {
		await client.end().catch(() => {});
	}
	const schema = `idpool_bench_${process.pid}_${Date.now()}`;
	return {
		// The application name tells the servers' backends from others' (their CPU time).
		url: `${BENCH_POSTGRES_URL}${BENCH_POSTGRES_URL.includes("?") ? "&" : "?"}schema=${schema}&application_name=${schema}`,
		async drop() {
			const c = new pg.Client({ connectionString: BENCH_POSTGRES_URL });
			await c.connect();
			await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
			await c.end();
		},
	};
}

async function main() {
	console.log(
		`idpool bench: ${availableParallelism()} cores, node ${process.version}`,
	);
	console.log(
		`RS512 signing ceiling: node:crypto async sign on all cores, measured for ${CEILING_SECONDS} s before and after each run`,
	);
	const ceilings = new Ceiling();
	const only = process.env.BENCH_ONLY; // "sqlite", "postgres", "metrics" or "es256"
	if (only === "metrics") {
		const dir = mkdtempSync(join(tmpdir(), "idpool-bench-db-"));
		try {
			await metricsCost(dir, ceilings);
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
		return;
	}
	if (only !== "postgres") {
		const dir = mkdtempSync(join(tmpdir(), "idpool-bench-db-"));
		try {
			const rs512 = await scenario(
				"SQLite",
				join(dir, "bench.db"),
				1,
				ceilings,
			);
			if (
				!process.env.BENCH_URL &&
				(only === "es256" || process.env.BENCH_ES256 !== "skip")
			) {
				await es256Scenario(dir, rs512, ceilings);
			}
			if (only === "es256") return;
			if (!process.env.BENCH_URL && process.env.BENCH_METRICS !== "skip") {
				await metricsCost(dir, ceilings);
			}
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	}
	if (only !== "sqlite" && !process.env.BENCH_URL) {
		for (const instances of [1, 2]) {
			const schema = await postgresSchema();
			if (!schema) break;
			try {
				await scenario("PostgreSQL", schema.url, instances, ceilings);
			} finally {
				await schema.drop();
			}
		}
	}
}

await main();
