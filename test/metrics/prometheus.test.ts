/**
 * idpool's `/metrics` read by a real Prometheus (Debian's `prometheus` package, which
 * `.ci/run` installs): a Prometheus started here scrapes the server every second, the
 * official SDK drives calls, and the counts read back through Prometheus's HTTP query API
 * (`/api/v1/query`) are those of the calls made. The target's health says the exposition
 * parsed. Nothing here measures time: the polls wait, with a generous deadline, for the
 * counts to arrive.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
	CreateIdentityPoolCommand,
	DescribeIdentityPoolCommand,
	GetIdCommand,
} from "@aws-sdk/client-cognito-identity";
import { rejectsWith, useServer } from "../support/server.ts";
import { delay, freePort } from "../support/sockets.ts";

const PROMETHEUS = "/usr/bin/prometheus";
/** How long Prometheus may take to start, scrape and answer: far more than it needs. */
const DEADLINE_MS = 90_000;

/** A Prometheus scraping `target` (host:port) every second, in a folder of its own. */
async function startPrometheus(target: string): Promise<{
	url: string;
	output(): string;
	stop(): Promise<void>;
}> {
	const dir = mkdtempSync(join(tmpdir(), "idpool-prometheus-"));
	const config = join(dir, "prometheus.yml");
	writeFileSync(
		config,
		[
			"global:",
			"  scrape_interval: 1s",
			"  evaluation_interval: 1s",
			"scrape_configs:",
			"  - job_name: idpool",
			"    metrics_path: /metrics",
			"    static_configs:",
			`      - targets: ["${target}"]`,
			"",
		].join("\n"),
	);
	const port = await freePort();
	const child: ChildProcess = spawn(
		PROMETHEUS,
		[
			`--config.file=${config}`,
			`--storage.tsdb.path=${join(dir, "data")}`,
			`--web.listen-address=127.0.0.1:${port}`,
			"--log.level=warn",
		],
		{ stdio: ["ignore", "pipe", "pipe"] },
	);
	let output = "";
	child.stdout?.on("data", (d) => {
		output += d;
	});
	child.stderr?.on("data", (d) => {
		output += d;
	});
	const exited = new Promise<void>((resolve) =>
		child.once("exit", () => resolve()),
	);
	const url = `http://127.0.0.1:${port}`;
	const stop = async () => {
		if (child.exitCode === null && child.signalCode === null) {
			child.kill("SIGTERM");
			const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
			await exited;
			clearTimeout(killer);
		}
		rmSync(dir, { recursive: true, force: true });
	};
	const deadline = performance.now() + DEADLINE_MS;
	for (;;) {
		if (child.exitCode !== null) {
			await stop();
			throw new Error(`prometheus exited with ${child.exitCode}: ${output}`);
		}
		const ready = await fetch(`${url}/-/ready`).catch(() => undefined);
		if (ready?.status === 200) break;
		if (performance.now() > deadline) {
			await stop();
			throw new Error(`prometheus did not become ready: ${output}`);
		}
		await delay(200);
	}
	return { url, output: () => output, stop };
}

/** One instant vector of Prometheus's query API, as `labels → value`. */
async function query(
	prometheus: string,
	promql: string,
): Promise<{ metric: Record<string, string>; value: number }[]> {
	const res = await fetch(
		`${prometheus}/api/v1/query?query=${encodeURIComponent(promql)}`,
	);
	const body = (await res.json()) as {
		status: string;
		error?: string;
		data?: {
			result: { metric: Record<string, string>; value: [number, string] }[];
		};
	};
	assert.equal(body.status, "success", `${promql}: ${body.error}`);
	return (body.data?.result ?? []).map((r) => ({
		metric: r.metric,
		value: Number(r.value[1]),
	}));
}

/** Polls `promql` until its single value is `expected`; fails with the last value seen. */
async function eventually(
	prometheus: string,
	promql: string,
	expected: number,
) {
	const deadline = performance.now() + DEADLINE_MS;
	let last: unknown;
	for (;;) {
		const result = await query(prometheus, promql);
		last = result;
		if (result.length === 1 && result[0]?.value === expected) return;
		if (performance.now() > deadline) {
			assert.fail(
				`${promql}: expected ${expected}, last ${JSON.stringify(last)}`,
			);
		}
		await delay(500);
	}
}

describe("a real Prometheus scrapes idpool", () => {
	const t = useServer();
	let prometheus: Awaited<ReturnType<typeof startPrometheus>>;
	before(async () => {
		prometheus = await startPrometheus(new URL(t.url).host);
	});
	after(() => prometheus?.stop());

	test("the counts it reads back through its query API are the calls made", async () => {
		const pool = await t.client.send(
			new CreateIdentityPoolCommand({
				IdentityPoolName: "scraped",
				AllowUnauthenticatedIdentities: true,
			}),
		);
		const poolId = pool.IdentityPoolId as string;
		for (let i = 0; i < 5; i++) {
			await t.app.send(new GetIdCommand({ IdentityPoolId: poolId }));
		}
		for (let i = 0; i < 3; i++) {
			await rejectsWith(
				t.client.send(
					new DescribeIdentityPoolCommand({
						IdentityPoolId: "us-east-1:00000000-0000-0000-0000-000000000000",
					}),
				),
				"ResourceNotFoundException",
			);
		}
		const url = prometheus.url;
		await eventually(url, 'up{job="idpool"}', 1);
		await eventually(
			url,
			'idpool_requests_total{job="idpool",action="GetId",outcome="success"}',
			5,
		);
		await eventually(
			url,
			'idpool_requests_total{action="DescribeIdentityPool",outcome="ResourceNotFoundException"}',
			3,
		);
		await eventually(url, 'idpool_identities_created_total{kind="guest"}', 5);
		await eventually(
			url,
			'idpool_request_duration_seconds_count{action="GetId"}',
			5,
		);
		// Histograms are usable as histograms: a quantile of GetId's durations.
		const [p99] = await query(
			url,
			'histogram_quantile(0.99, idpool_request_duration_seconds_bucket{action="GetId"})',
		);
		assert.ok(p99 && p99.value > 0 && p99.value <= 10, JSON.stringify(p99));
		// Every one of the 25 actions has its series, and Node's process metrics are there.
		const actions = await query(
			url,
			'count(idpool_requests_total{outcome="success"})',
		);
		assert.equal(actions[0]?.value, 25);
		const lag = await query(url, "nodejs_eventloop_lag_seconds");
		assert.equal(lag.length, 1);
		// The target scraped cleanly: no error from the exposition's parser.
		const res = await fetch(`${url}/api/v1/targets?state=active`);
		const targets = (await res.json()) as {
			data: { activeTargets: { health: string; lastError: string }[] };
		};
		assert.deepEqual(
			targets.data.activeTargets.map((a) => [a.health, a.lastError]),
			[["up", ""]],
		);
	});
});
