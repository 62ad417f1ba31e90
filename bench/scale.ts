/**
 * `npm run bench:scale`: what deleting a large pool costs the other calls of a server
 * (docs/operating.md#maintenance). A server (the built binary, a process of its own) on a
 * fresh database (a temporary SQLite file, or `BENCH_SCALE_DB`, e.g. a PostgreSQL URL with a
 * schema of its own) gets a pool of BENCH_SCALE_IDENTITIES identities (default 100,000, each
 * with a developer login, written straight into the database) and a small pool; then
 * BENCH_SCALE_CLIENTS loops (default 4) call GetId on the small pool and `/health` one after
 * the other, timing each call, for 2 s before DeleteIdentityPool of the large pool and until
 * its purge has finished (`idpool_pools_awaiting_purge` back to 0 and every identity counted in
 * `idpool_identities_purged_total`). Printed: the time DeleteIdentityPool took to answer, the
 * time until the purge finished, the other calls' latency before and during the purge (p50,
 * p99, the slowest), and for SQLite the file's size before and after. Figures only: nothing is
 * asserted, and `npm test` never depends on timing.
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
	CreateIdentityPoolCommand,
	DeleteIdentityPoolCommand,
	GetIdCommand,
} from "@aws-sdk/client-cognito-identity";
import { insertIdentities } from "../test/support/bulk.ts";
import { appClient, sdkClient } from "../test/support/server.ts";
import {
	describeLatencies as describe,
	mib,
	sqliteBytes,
	startServer,
	stopServer,
} from "./support.ts";

const IDENTITIES = Number(process.env.BENCH_SCALE_IDENTITIES ?? 100_000);
const CLIENTS = Number(process.env.BENCH_SCALE_CLIENTS ?? 4);
const BEFORE_MS = 2000;
const ACCOUNT = "000000000000";

/** The value of an unlabelled sample of the server's `/metrics`. */
async function metric(url: string, name: string): Promise<number> {
	const text = await (await fetch(`${url}/metrics`)).text();
	const line = text.split("\n").find((l) => l.startsWith(`${name} `));
	return Number(line?.split(" ")[1] ?? Number.NaN);
}

async function main(): Promise<void> {
	const dir = mkdtempSync(join(tmpdir(), "idpool-bench-scale-"));
	const db = process.env.BENCH_SCALE_DB ?? join(dir, "idpool.db");
	const sqlite = !/^postgres(ql)?:\/\//.test(db);
	const server = await startServer(db);
	const admin = sdkClient(server.url);
	const app = appClient(server.url);
	try {
		const big = await admin.send(
			new CreateIdentityPoolCommand({
				IdentityPoolName: "big",
				AllowUnauthenticatedIdentities: true,
				DeveloperProviderName: "login.example.app",
			}),
		);
		const small = await admin.send(
			new CreateIdentityPoolCommand({
				IdentityPoolName: "small",
				AllowUnauthenticatedIdentities: true,
			}),
		);
		let started = performance.now();
		await insertIdentities(
			db,
			{
				poolId: big.IdentityPoolId as string,
				accountId: ACCOUNT,
				region: "us-east-1",
			},
			IDENTITIES,
		);
		console.log(
			`${IDENTITIES} identities written in ${((performance.now() - started) / 1000).toFixed(1)} s (${sqlite ? "SQLite" : "PostgreSQL"})`,
		);
		// Let the checkpoints of the bulk write settle.
		await new Promise((r) => setTimeout(r, 1000));
		const sizeBefore = sqlite ? sqliteBytes(db) : undefined;

		const phase = { name: "before" as "before" | "during" | "after" };
		const latencies: Record<"before" | "during", number[]> = {
			before: [],
			during: [],
		};
		let errors = 0;
		const loops = Array.from({ length: CLIENTS }, async (_, i) => {
			while (phase.name !== "after") {
				const at = phase.name;
				const t0 = performance.now();
				try {
					if (i % 2 === 0) {
						await app.send(
							new GetIdCommand({ IdentityPoolId: small.IdentityPoolId }),
						);
					} else {
						const r = await fetch(`${server.url}/health`);
						await r.arrayBuffer();
						if (!r.ok) errors++;
					}
				} catch {
					errors++;
				}
				if (phase.name === at) latencies[at].push(performance.now() - t0);
			}
		});
		await new Promise((r) => setTimeout(r, BEFORE_MS));

		phase.name = "during";
		started = performance.now();
		await admin.send(
			new DeleteIdentityPoolCommand({ IdentityPoolId: big.IdentityPoolId }),
		);
		const answered = performance.now() - started;
		for (;;) {
			const [awaiting, purged] = await Promise.all([
				metric(server.url, "idpool_pools_awaiting_purge"),
				metric(server.url, "idpool_identities_purged_total"),
			]);
			if (awaiting === 0 && purged >= IDENTITIES) break;
			await new Promise((r) => setTimeout(r, 50));
		}
		const purgeMs = performance.now() - started;
		phase.name = "after";
		await Promise.all(loops);

		console.log(`DeleteIdentityPool answered in ${answered.toFixed(1)} ms`);
		console.log(
			`purge finished ${(purgeMs / 1000).toFixed(2)} s after the call (${Math.round(IDENTITIES / (purgeMs / 1000))} identities/s)`,
		);
		console.log(`other calls before: ${describe(latencies.before)}`);
		console.log(`other calls during: ${describe(latencies.during)}`);
		console.log(`errors: ${errors}`);
		if (sqlite && sizeBefore !== undefined) {
			// The incremental vacuum runs after the purge: give it a moment.
			await new Promise((r) => setTimeout(r, 2000));
			console.log(
				`database file: ${mib(sizeBefore)} before, ${mib(sqliteBytes(db))} after (${mib(statSync(db).size)} on disk)`,
			);
		}
	} finally {
		admin.destroy();
		app.destroy();
		await stopServer(server);
		rmSync(dir, { recursive: true, force: true });
	}
}

await main();
