/**
 * `npm run bench:million`: one pool of BENCH_MILLION_N developer identities (default
 * 1,000,000) on SQLite, or on PostgreSQL with BENCH_MILLION_ENGINE=postgres (a schema of its
 * own at BENCH_POSTGRES_URL, dropped afterwards), and what its size costs (issue 19). Figures
 * only, each printed beside its goal: nothing is asserted, and `npm test` never depends on
 * timing.
 *
 * 1. Seeding: through the API by default, signed GetOpenIdTokenForDeveloperIdentity calls for
 *    developer users `bulk-1` … `bulk-N`, BENCH_MILLION_SEED_CONCURRENCY (48) in flight;
 *    `BENCH_MILLION_SEED=db` writes them straight into the database instead
 *    (test/support/bulk.ts), for quick runs. `BENCH_MILLION_DB` names a SQLite file, or a
 *    `postgres://` URL with a `schema` parameter, that is kept: a later run finds its pool and
 *    seeds only what is missing, so a million is paid once. Without it, a temporary file (or
 *    schema) is used and removed.
 * 2. The bytes per identity on disk: SQLite's page_count × page_size, or the total size of
 *    the PostgreSQL schema's tables with their indexes, over the pool's identities.
 * 3. Start time: the server restarted on the seeded file, from the spawn to its "listening"
 *    line and to the answer to its first call (a DescribeIdentity). The file is in the page
 *    cache of the OS by then (just written or read): a cold start from disk takes longer.
 * 4. ListIdentities (60 a page), the first page against pages deep in the keyset (a token
 *    continuing after a random identity of the pool's second half, made as the server makes
 *    them), called in turn by one client, BENCH_MILLION_CALLS (300) of each; then
 *    LookupDeveloperIdentity and DescribeIdentity of random identities, the same way.
 * 5. Returning users: GetOpenIdTokenForDeveloperIdentity of existing developer users, signed
 *    before each run and sent over BENCH_MILLION_CONNECTIONS (32) keep-alive connections for
 *    BENCH_MILLION_SECONDS (10): users picked at random among all N ("cold"), among a hot set
 *    of 1,000 ("hot"), and the same load on a second server whose database holds 1,000
 *    users ("small"); BENCH_MILLION_ROUNDS (2) rounds, the order reversed every other round.
 *    For each run: requests/s, p50/p99/slowest, and what the server read meanwhile
 *    (/proc/PID/io: read calls and bytes read through the OS, and from the disk) a request;
 *    then cold/small and cold/hot, a ratio a round (its runs seconds apart) and their median,
 *    and the server's CPU time a request (/proc/PID/stat), which other load blurs less.
 * 6. The server's memory under that load: the largest VmRSS sampled during the runs and
 *    VmHWM (/proc/PID/status) at the end.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateIdentityPoolCommand } from "@aws-sdk/client-cognito-identity";
import Database from "better-sqlite3";
import pg from "pg";
import { Pool } from "undici";
import { encodePageToken } from "../src/domain/pagination.ts";
import { parsePostgresUrl } from "../src/store/postgres/postgres-store.ts";
import { BULK_PROVIDER, insertIdentities } from "../test/support/bulk.ts";
import { sdkClient } from "../test/support/server.ts";
import {
	BENCH_POSTGRES_URL,
	cpuSeconds,
	describeLatencies,
	mib,
	type Prepared,
	procStatusKb,
	requestSigner,
	type StartedServer,
	sendPrepared,
	sqliteBytes,
	startServer,
	stopServer,
} from "./support.ts";

const N = Number(process.env.BENCH_MILLION_N ?? 1_000_000);
const SEED = process.env.BENCH_MILLION_SEED === "db" ? "db" : "api";
const SEED_CONCURRENCY = Number(
	process.env.BENCH_MILLION_SEED_CONCURRENCY ?? 48,
);
const CALLS = Number(process.env.BENCH_MILLION_CALLS ?? 300);
const CONNECTIONS = Number(process.env.BENCH_MILLION_CONNECTIONS ?? 32);
const SECONDS = Number(process.env.BENCH_MILLION_SECONDS ?? 10);
const ROUNDS = Math.max(1, Number(process.env.BENCH_MILLION_ROUNDS ?? 2));
const HOT = 1000;
/** The pool's developer provider: that of the logins test/support/bulk.ts writes. */
const DEV = BULK_PROVIDER;
const PAGE = 60;
const ENGINE = process.env.BENCH_MILLION_ENGINE ?? "sqlite";
if (ENGINE !== "sqlite" && ENGINE !== "postgres")
	throw new Error(`BENCH_MILLION_ENGINE: sqlite or postgres, not ${ENGINE}`);

const user = (i: number) => `bulk-${i}`;

/** A signed call, sent on its own; throws unless it answers 200. */
async function call(
	pool: Pool,
	req: Prepared,
): Promise<{ ms: number; body: string }> {
	const { status, body, ms } = await sendPrepared(pool, req);
	if (status !== 200)
		throw new Error(`answered ${status}: ${body.slice(0, 200)}`);
	return { ms, body };
}

async function createPool(url: string, name: string): Promise<string> {
	const admin = sdkClient(url);
	try {
		const pool = await admin.send(
			new CreateIdentityPoolCommand({
				IdentityPoolName: name,
				AllowUnauthenticatedIdentities: false,
				DeveloperProviderName: DEV,
			}),
		);
		return pool.IdentityPoolId as string;
	} finally {
		admin.destroy();
	}
}

/** The pool's developer logins (subject to identity) and its identities' keyset cursors. */
interface PoolContents {
	subjects: Map<string, string>;
	seqs: number[];
}

/** Where a bench database lives: a SQLite file or a PostgreSQL schema. */
interface Target {
	/** What `idpool serve --db` takes. */
	db: string;
	/** The first pool not deleted, or undefined (a kept database seeded before). */
	existingPool(): Promise<string | undefined>;
	readPool(poolId: string): Promise<PoolContents>;
	/** The database's size on disk, and how it was measured. */
	size(): Promise<{ bytes: number; how: string }>;
	/** Removes the database unless it is kept. */
	drop(): Promise<void>;
}

function sqliteTarget(file: string): Target {
	return {
		db: file,
		async existingPool() {
			if (!existsSync(file)) return undefined;
			const sqlite = new Database(file, { readonly: true });
			try {
				const row = sqlite
					.prepare(
						"SELECT pool_id FROM identity_pools WHERE deleted_at IS NULL ORDER BY seq LIMIT 1",
					)
					.get() as { pool_id: string } | undefined;
				return row?.pool_id;
			} finally {
				sqlite.close();
			}
		},
		async readPool(poolId) {
			const sqlite = new Database(file, { readonly: true });
			try {
				const subjects = new Map<string, string>();
				for (const row of sqlite
					.prepare(
						"SELECT subject, identity_id FROM identity_logins WHERE pool_id = ? AND provider = ?",
					)
					.iterate(poolId, DEV) as Iterable<{
					subject: string;
					identity_id: string;
				}>) {
					subjects.set(row.subject, row.identity_id);
				}
				const seqs = (
					sqlite
						.prepare(
							"SELECT seq FROM identities WHERE pool_id = ? ORDER BY seq",
						)
						.raw()
						.all(poolId) as [number][]
				).map((r) => r[0]);
				return { subjects, seqs };
			} finally {
				sqlite.close();
			}
		},
		async size() {
			return { bytes: sqliteBytes(file), how: "page_count × page_size" };
		},
		async drop() {},
	};
}

/**
 * The schema `schema` of the PostgreSQL database at `base` (created unless it is there);
 * dropped at the end unless `kept`.
 */
async function postgresTarget(
	base: string,
	schema: string,
	kept: boolean,
): Promise<Target> {
	const client = async <T>(use: (c: pg.Client) => Promise<T>): Promise<T> => {
		const c = new pg.Client({ connectionString: base });
		await c.connect();
		try {
			return await use(c);
		} finally {
			await c.end();
		}
	};
	await client((c) => c.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`));
	const sep = base.includes("?") ? "&" : "?";
	return {
		db: `${base}${sep}schema=${schema}`,
		existingPool: () =>
			client(async (c) => {
				const exists = await c.query(
					"SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = 'identity_pools'",
					[schema],
				);
				if (exists.rowCount === 0) return undefined;
				const { rows } = await c.query<{ pool_id: string }>(
					`SELECT pool_id FROM ${schema}.identity_pools WHERE deleted_at IS NULL ORDER BY seq LIMIT 1`,
				);
				return rows[0]?.pool_id;
			}),
		readPool: (poolId) =>
			client(async (c) => {
				const subjects = new Map<string, string>();
				const logins = await c.query<{ subject: string; identity_id: string }>(
					`SELECT subject, identity_id FROM ${schema}.identity_logins WHERE pool_id = $1 AND provider = $2`,
					[poolId, DEV],
				);
				for (const row of logins.rows)
					subjects.set(row.subject, row.identity_id);
				const seqs = (
					await c.query<{ seq: string }>(
						`SELECT seq FROM ${schema}.identities WHERE pool_id = $1 ORDER BY seq`,
						[poolId],
					)
				).rows.map((r) => Number(r.seq));
				return { subjects, seqs };
			}),
		size: () =>
			client(async (c) => {
				const { rows } = await c.query<{ bytes: string }>(
					`SELECT sum(pg_total_relation_size(c.oid)) AS bytes FROM pg_class c
					JOIN pg_namespace n ON n.oid = c.relnamespace
					WHERE n.nspname = $1 AND c.relkind = 'r'`,
					[schema],
				);
				return {
					bytes: Number(rows[0]?.bytes ?? 0),
					how: "pg_total_relation_size of the schema's tables: heap, indexes, TOAST",
				};
			}),
		drop: async () => {
			if (!kept)
				await client((c) => c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
		},
	};
}

/**
 * The bench's database named `name`: `BENCH_MILLION_DB` for the main one when set (a SQLite
 * file, or a `postgres://` URL whose `schema` parameter names a schema; either kept), else a
 * temporary one on the engine `BENCH_MILLION_ENGINE` chooses (`sqlite`, the default, or
 * `postgres`, a schema at BENCH_POSTGRES_URL).
 */
async function benchTarget(
	dir: string,
	name: string,
	kept: string | undefined,
): Promise<Target> {
	if (kept?.startsWith("postgres")) {
		const { connectionString, schema, extraOptions } = parsePostgresUrl(kept);
		if (!schema) throw new Error("BENCH_MILLION_DB: name a schema (?schema=…)");
		// The URL without its schema, its other parameters kept (`options` included).
		const base = new URL(connectionString);
		if (extraOptions !== undefined)
			base.searchParams.set("options", extraOptions);
		return postgresTarget(base.href, schema, true);
	}
	if (kept) return sqliteTarget(kept);
	if (ENGINE === "postgres") {
		return postgresTarget(
			BENCH_POSTGRES_URL,
			`idpool_million_${name}_${process.pid}`,
			false,
		);
	}
	return sqliteTarget(join(dir, `${name}.db`));
}

/**
 * Developer users `from` … `to` (inclusive) through the API: GetOpenIdTokenForDeveloperIdentity,
 * signed as sent, `concurrency` in flight. Prints its progress every tenth.
 */
async function seedThroughApi(
	url: string,
	poolId: string,
	from: number,
	to: number,
	concurrency: number,
): Promise<void> {
	const sign = requestSigner(url);
	const pool = new Pool(url, { connections: concurrency, pipelining: 1 });
	const total = to - from + 1;
	const started = performance.now();
	let next = from;
	let done = 0;
	let errors = 0;
	const step = Math.max(1, Math.ceil(total / 10));
	try {
		await Promise.all(
			Array.from({ length: concurrency }, async () => {
				while (next <= to) {
					const i = next++;
					const req = await sign("GetOpenIdTokenForDeveloperIdentity", {
						IdentityPoolId: poolId,
						Logins: { [DEV]: user(i) },
					});
					for (let attempt = 0; ; attempt++) {
						try {
							await call(pool, req);
							break;
						} catch (err) {
							errors++;
							if (attempt >= 5) throw err;
							await new Promise((r) => setTimeout(r, 200));
						}
					}
					done++;
					if (done % step === 0 && total >= 10_000) {
						const s = (performance.now() - started) / 1000;
						console.log(
							`  seeded ${done} of ${total} in ${s.toFixed(0)} s (${(done / s).toFixed(0)}/s)`,
						);
					}
				}
			}),
		);
	} finally {
		await pool.close();
	}
	if (errors > 0) console.log(`  (${errors} seeding calls retried)`);
}

/** What a process has read so far (/proc/PID/io; Linux). */
function readCounters(pid: number): {
	syscr: number;
	rchar: number;
	readBytes: number;
} {
	const fields = new Map(
		readFileSync(`/proc/${pid}/io`, "utf8")
			.trim()
			.split("\n")
			.map((l) => l.split(": ") as [string, string]),
	);
	return {
		syscr: Number(fields.get("syscr")),
		rchar: Number(fields.get("rchar")),
		readBytes: Number(fields.get("read_bytes")),
	};
}

interface LoadResult {
	rps: number;
	errors: number;
	latencies: number[];
	readsPerRequest: number;
	kbThroughOsPerRequest: number;
	kbFromDiskPerRequest: number;
	/** The server's CPU time a request (all its threads), milliseconds. */
	cpuMs: number;
	maxRssKb: number;
}

/**
 * Returning users `pick()` replayed on `server` over CONNECTIONS connections for SECONDS,
 * signed beforehand (`perSecond` × SECONDS of them).
 */
async function load(
	server: StartedServer,
	poolId: string,
	pick: () => string,
	perSecond: number,
	warmUp = false,
): Promise<LoadResult> {
	const sign = requestSigner(server.url);
	const requests: Prepared[] = [];
	for (let i = 0; i < perSecond * SECONDS; i++) {
		requests.push(
			await sign("GetOpenIdTokenForDeveloperIdentity", {
				IdentityPoolId: poolId,
				Logins: { [DEV]: pick() },
			}),
		);
	}
	const pid = server.child.pid as number;
	const pool = new Pool(server.url, {
		connections: CONNECTIONS,
		pipelining: 1,
	});
	let maxRssKb = procStatusKb(pid, "VmRSS");
	const sampler = setInterval(() => {
		maxRssKb = Math.max(maxRssKb, procStatusKb(pid, "VmRSS"));
	}, 100);
	const before = readCounters(pid);
	const cpuBefore = cpuSeconds(pid);
	const latencies: number[] = [];
	let errors = 0;
	let next = 0;
	const started = performance.now();
	const end = started + SECONDS * 1000;
	await Promise.all(
		Array.from({ length: CONNECTIONS }, async () => {
			while (performance.now() < end && next < requests.length) {
				const req = requests[next++] as Prepared;
				try {
					latencies.push((await call(pool, req)).ms);
				} catch {
					errors++;
				}
			}
		}),
	);
	const elapsed = (performance.now() - started) / 1000;
	clearInterval(sampler);
	const after = readCounters(pid);
	const cpu = cpuSeconds(pid) - cpuBefore;
	await pool.close();
	if (!warmUp && next >= requests.length)
		console.log(
			"  (this run used up its signed requests before its time: raise the estimate)",
		);
	const n = Math.max(1, latencies.length);
	return {
		rps: latencies.length / elapsed,
		errors,
		latencies,
		readsPerRequest: (after.syscr - before.syscr) / n,
		kbThroughOsPerRequest: (after.rchar - before.rchar) / 1024 / n,
		kbFromDiskPerRequest: (after.readBytes - before.readBytes) / 1024 / n,
		cpuMs: (cpu * 1000) / n,
		maxRssKb,
	};
}

const random = (n: number) => Math.floor(Math.random() * n);
const fixed = (v: number, d = 2) => v.toFixed(d);

async function main(): Promise<void> {
	const dir = mkdtempSync(join(tmpdir(), "idpool-bench-million-"));
	const kept = process.env.BENCH_MILLION_DB;
	const target = await benchTarget(dir, "million", kept);
	const db = target.db;
	const targets = [target];
	const onPostgres = db.startsWith("postgres");
	const servers: StartedServer[] = [];
	try {
		console.log(
			`idpool bench:million: N = ${N}, seeding ${SEED === "api" ? `through the API (${SEED_CONCURRENCY} in flight)` : "straight into the database"}, ${kept ? `kept in ${kept}` : onPostgres ? `a temporary schema at ${BENCH_POSTGRES_URL}` : "a temporary file"}`,
		);
		// 1. Seeding.
		let server = await startServer(db);
		servers.push(server);
		const poolId =
			(await target.existingPool()) ??
			(await createPool(server.url, "million"));
		const have = (await target.readPool(poolId)).subjects.size;
		if (have < N) {
			const started = performance.now();
			if (SEED === "api")
				await seedThroughApi(server.url, poolId, have + 1, N, SEED_CONCURRENCY);
			else
				await insertIdentities(
					db,
					{ poolId, accountId: "000000000000", region: "us-east-1" },
					N - have,
				);
			const s = (performance.now() - started) / 1000;
			console.log(
				`seeded ${N - have} identities (${have} there before) in ${s.toFixed(1)} s: ${((N - have) / s).toFixed(0)}/s`,
			);
		} else console.log(`${have} identities there already: no seeding`);
		await stopServer(server);
		servers.pop();

		// 2. Bytes per identity.
		const { subjects, seqs } = await target.readPool(poolId);
		const users = [...subjects.keys()];
		const identityIds = [...subjects.values()];
		const count = seqs.length;
		const { bytes, how } = await target.size();
		console.log(
			`database: ${mib(bytes)} (${how}) for ${count} identities: ${fixed(bytes / count, 0)} bytes an identity with its login`,
		);

		// 3. Start time.
		server = await startServer(db);
		servers.push(server);
		const admin = new Pool(server.url, { connections: 1 });
		const sign = requestSigner(server.url);
		const first = await call(
			admin,
			await sign("DescribeIdentity", {
				IdentityId: identityIds[random(identityIds.length)],
			}),
		);
		console.log(
			`start: "listening" ${fixed(server.listeningMs, 0)} ms after the spawn, first call (DescribeIdentity) answered in ${fixed(first.ms, 0)} ms: ${fixed((server.listeningMs + first.ms) / 1000)} s to the first answer (goal < 2 s${onPostgres ? "" : "; the file in the OS page cache"})`,
		);

		// 4. Single calls, one client.
		const listing = `ListIdentities\u0000${poolId}\u0000false`;
		const firstPage: number[] = [];
		const deepPage: number[] = [];
		const lookup: number[] = [];
		const describeIdentity: number[] = [];
		const half = Math.floor(count / 2);
		for (let i = 0; i < CALLS; i++) {
			firstPage.push(
				(
					await call(
						admin,
						await sign("ListIdentities", {
							IdentityPoolId: poolId,
							MaxResults: PAGE,
						}),
					)
				).ms,
			);
			const after = seqs[half + random(count - half - PAGE)] as number;
			const deep = await call(
				admin,
				await sign("ListIdentities", {
					IdentityPoolId: poolId,
					MaxResults: PAGE,
					NextToken: encodePageToken(listing, String(after)),
				}),
			);
			if (
				(JSON.parse(deep.body) as { Identities: unknown[] }).Identities
					.length !== PAGE
			)
				throw new Error("a deep page is not full");
			deepPage.push(deep.ms);
			lookup.push(
				(
					await call(
						admin,
						await sign("LookupDeveloperIdentity", {
							IdentityPoolId: poolId,
							DeveloperUserIdentifier: users[random(users.length)],
							MaxResults: 10,
						}),
					)
				).ms,
			);
			describeIdentity.push(
				(
					await call(
						admin,
						await sign("DescribeIdentity", {
							IdentityId: identityIds[random(identityIds.length)],
						}),
					)
				).ms,
			);
		}
		await admin.close();
		const median = (v: number[]) => {
			const sorted = [...v].sort((a, b) => a - b);
			const mid = Math.floor(sorted.length / 2);
			return sorted.length % 2 === 1
				? (sorted[mid] as number)
				: ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
		};
		console.log(
			`ListIdentities, ${PAGE} a page, first page: ${describeLatencies(firstPage)}`,
		);
		console.log(
			`ListIdentities deep in the keyset (after a random identity of the second half): ${describeLatencies(deepPage)}`,
		);
		console.log(
			`  deep/first (p50) ${fixed(median(deepPage) / median(firstPage))} (goal <= 1.5)`,
		);
		console.log(`LookupDeveloperIdentity: ${describeLatencies(lookup)}`);
		console.log(`DescribeIdentity: ${describeLatencies(describeIdentity)}`);

		// 5. Returning users.
		const smallTarget = await benchTarget(dir, "small", undefined);
		targets.push(smallTarget);
		const small = await startServer(smallTarget.db);
		servers.push(small);
		const smallPool = await createPool(small.url, "small");
		await seedThroughApi(small.url, smallPool, 1, HOT, 16);
		// Warm-up of both servers (JIT, connections), not measured.
		const perSecond = Number(process.env.BENCH_MILLION_RATE ?? 6000);
		const hotUser = () => user(1 + random(HOT));
		const coldUser = () => users[random(users.length)] as string;
		const runs = {
			cold: { server, poolId, pick: coldUser, results: [] as LoadResult[] },
			hot: { server, poolId, pick: hotUser, results: [] as LoadResult[] },
			small: {
				server: small,
				poolId: smallPool,
				pick: hotUser,
				results: [] as LoadResult[],
			},
		};
		const warm = (s: StartedServer, p: string) =>
			load(s, p, hotUser, Math.ceil(perSecond / 4), true);
		await warm(server, poolId);
		await warm(small, smallPool);
		console.log(
			`returning users: GetOpenIdTokenForDeveloperIdentity, ${CONNECTIONS} connections, ${ROUNDS} round(s) of ${SECONDS} s a run`,
		);
		const order = ["cold", "hot", "small"] as const;
		for (let round = 0; round < ROUNDS; round++) {
			for (const name of round % 2 === 0 ? order : [...order].reverse()) {
				const run = runs[name];
				const r = await load(run.server, run.poolId, run.pick, perSecond);
				run.results.push(r);
				console.log(
					`  round ${round + 1}, ${name}: ${fixed(r.rps, 0)} requests/s (errors: ${r.errors}); ${describeLatencies(r.latencies)}; a request: ${fixed(r.readsPerRequest, 1)} read calls, ${fixed(r.kbThroughOsPerRequest, 1)} KiB through the OS, ${fixed(r.kbFromDiskPerRequest, 1)} KiB from disk${onPostgres ? " (the server's process; PostgreSQL's backends read on their own)" : ""}; server CPU ${fixed(r.cpuMs, 3)} ms`,
				);
			}
		}
		// Each round's ratio uses runs a few seconds apart: other load on the machine weighs on
		// both sides alike more than across rounds.
		const ratios = (name: keyof typeof runs, to: keyof typeof runs) =>
			runs[name].results.map(
				(r, i) => r.rps / (runs[to].results[i] as LoadResult).rps,
			);
		const summary = (v: number[]) =>
			`${fixed(median(v))} (rounds: ${v.map((x) => fixed(x)).join(", ")})`;
		console.log(
			`  cold (random among ${count}) / small database (${HOT} users), median of the rounds: ${summary(ratios("cold", "small"))} (goal >= 0.9)`,
		);
		const cpu = (name: keyof typeof runs) =>
			median(runs[name].results.map((r) => r.cpuMs));
		console.log(
			`  server CPU a request (median of the rounds; less blurred by other load than throughput): cold ${fixed(cpu("cold"), 3)} ms, hot ${fixed(cpu("hot"), 3)} ms, small ${fixed(cpu("small"), 3)} ms; small/cold ${fixed(cpu("small") / cpu("cold"))}`,
		);
		console.log(
			`  cold / hot (${HOT} users of the same pool): ${summary(ratios("cold", "hot"))}`,
		);
		const pid = server.child.pid as number;
		const maxRss = Math.max(
			...runs.cold.results.map((r) => r.maxRssKb),
			...runs.hot.results.map((r) => r.maxRssKb),
		);
		console.log(
			`server on ${count} identities under load: VmRSS up to ${fixed(maxRss / 1024, 1)} MiB sampled, VmHWM ${fixed(procStatusKb(pid, "VmHWM") / 1024, 1)} MiB (goal < 200 MB); the small database's server: VmHWM ${fixed(procStatusKb(small.child.pid as number, "VmHWM") / 1024, 1)} MiB`,
		);
	} finally {
		for (const s of servers) await stopServer(s);
		for (const t of targets) await t.drop();
		rmSync(dir, { recursive: true, force: true });
	}
}

await main();
