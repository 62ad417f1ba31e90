/**
 * The wire fuzz test: a few thousand requests per run, generated from the model, against a
 * real server on each store engine (`IDPOOL_TEST_STORES`): every one of the 23 operations
 * with valid inputs (bound to pools, identities, users and tokens that exist) and invalid
 * ones, the two actions of the STS endpoint, and HTTP oddities (see generate.ts). The oracle
 * (oracle.ts) holds every answer to no 5xx and an AWS-shaped body; after the run the server
 * must still answer `/health` and a normal flow, and every pool it lists must describe.
 *
 * Each run does a fixed seed and a random one; both are printed. To replay one exactly:
 *
 *     IDPOOL_FUZZ_SEED=<seed> npx tsx --test test/fuzz/wire.test.ts
 *
 * (`IDPOOL_FUZZ_REQUESTS` changes how many requests a seed sends; default
 * {@link DEFAULT_REQUESTS}.)
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { OPERATION_NAMES } from "../../src/model/model.generated.ts";
import {
	describeForEngine,
	STORE_ENGINES,
	type StoreEngine,
} from "../support/stores.ts";
import type { Problem } from "./oracle.ts";
import { randomSeed } from "./prng.ts";
import {
	describeAnswer,
	describeRequest,
	type FuzzRequest,
} from "./request.ts";
import { classOf, type Finding, runFuzz } from "./session.ts";

/** The seed every run replays. */
const FIXED_SEED = 20_261_206;
/** Requests per seed and engine. */
const DEFAULT_REQUESTS = 700;

const STS_ACTIONS = [
	"STS AssumeRoleWithWebIdentity",
	"STS GetCallerIdentity",
] as const;

const SEED_VARIABLE = "IDPOOL_FUZZ_SEED";
const REQUESTS_VARIABLE = "IDPOOL_FUZZ_REQUESTS";

function seeds(): number[] {
	const given = process.env[SEED_VARIABLE];
	if (given === undefined || given.trim() === "")
		return [FIXED_SEED, randomSeed()];
	const seed = Number(given);
	if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) {
		throw new Error(
			`${SEED_VARIABLE}=${given}: a seed is a whole number from 0 to 4294967295`,
		);
	}
	return [seed];
}

function requestCount(): number {
	const given = process.env[REQUESTS_VARIABLE];
	const n = given === undefined ? DEFAULT_REQUESTS : Number(given);
	if (!Number.isInteger(n) || n < 1) {
		throw new Error(`${REQUESTS_VARIABLE}=${given}: a whole number from 1`);
	}
	return n;
}

// ---------------------------------------------------------------------------------------
// KNOWN FAILURES: bugs this test found that are being fixed elsewhere. Each entry excuses
// only the answers to requests with one precise feature that fail in one precise way (on
// the engine named), and carries an example request that is sent after every run. Each run
// prints, per entry, how many answers it excused and whether its example still fails: when
// the example passes and the fuzz excused nothing else, the bug is fixed, so delete the
// entry. Empty this list as the fixes land; never add an entry without a bug to fix.

interface KnownFailure {
	/** The bug, in a few words (printed with its count). */
	name: string;
	/** The engine it happens on (both when absent). */
	engine?: StoreEngine;
	/** Whether `req` has the feature and `problem` is the failure. */
	matches(req: FuzzRequest, problem: Problem): boolean;
	/**
	 * A request that shows the failure, sent after every run (its answer is checked and
	 * counted like the others), so that the run says whether the bug is still there however
	 * rarely the seed meets it. `pool` names every provider and has the developer provider DEV.
	 */
	example(pool: string): FuzzRequest;
}

const KNOWN_FAILURES: readonly KnownFailure[] = [];

// ---------------------------------------------------------------------------------------

/** Keeps the server off the network: provider endpoints other than the loopback doubles fail. */
const realFetch = globalThis.fetch;
let offNetwork = 0;
before(() => {
	globalThis.fetch = (input, init) => {
		const url = new URL(input instanceof Request ? input.url : String(input));
		if (!/^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/.test(url.hostname)) {
			offNetwork++;
			return Promise.reject(
				new TypeError(
					`fetch failed: the fuzz test keeps ${url.host} off the network`,
				),
			);
		}
		return realFetch(input, init);
	};
});
after(() => {
	globalThis.fetch = realFetch;
});

const SEEDS = seeds();
const REQUESTS = requestCount();

function replay(seed: number): string {
	return `${SEED_VARIABLE}=${seed} npx tsx --test test/fuzz/wire.test.ts`;
}

/** The findings of a run, by class, each class with its first request (minimised) and answer. */
function report(findings: Finding[]): string {
	const byClass = new Map<string, Finding[]>();
	for (const f of findings) {
		const key = classOf(f);
		byClass.set(key, [...(byClass.get(key) ?? []), f]);
	}
	const parts: string[] = [];
	for (const [key, list] of byClass) {
		const first = list[0] as Finding;
		parts.push(
			[
				`[${list.length}x] ${key}: ${first.problem.detail}`,
				describeRequest(first.req),
				`  => ${describeAnswer(first.answer)}`,
				...(first.log ? [`  server log: ${first.log}`] : []),
				...(first.minimised
					? [
							"  minimised:",
							describeRequest(first.minimised.req).replace(/^/gm, "  "),
							`    => ${describeAnswer(first.minimised.answer)}`,
						]
					: []),
			].join("\n"),
		);
	}
	return parts.join("\n\n");
}

for (const engine of STORE_ENGINES) {
	describeForEngine(engine, `wire fuzz on ${engine}`, () => {
		for (const seed of SEEDS) {
			test(`seed ${seed}: ${REQUESTS} requests, no 5xx, every answer AWS-shaped`, async (t) => {
				t.diagnostic(`seed ${seed}; replay: ${replay(seed)}`);
				const known = KNOWN_FAILURES.filter(
					(k) => k.engine === undefined || k.engine === engine,
				);
				const result = await runFuzz({
					engine,
					seed,
					requests: REQUESTS,
					excuse: (req, problem) =>
						known.find((k) => k.matches(req, problem))?.name,
					examples: known.map((k) => ({ name: k.name, request: k.example })),
				});
				t.diagnostic(
					`answers by status: ${[...result.statuses].map(([s, n]) => `${s}: ${n}`).join(", ")}`,
				);
				const missing = [...OPERATION_NAMES, ...STS_ACTIONS].filter(
					(name) => !result.succeeded.has(name),
				);
				t.diagnostic(
					`answers 200 by operation: ${[...result.succeeded].map(([name, n]) => `${name} ${n}`).join(", ")}${missing.length > 0 ? `; none for ${missing.join(", ")}` : ""}`,
				);
				for (const k of known) {
					t.diagnostic(
						`known failure "${k.name}": ${result.excused.get(k.name) ?? 0} answers excused${result.examples.get(k.name) ? ", its example included" : "; ITS EXAMPLE PASSES NOW: if the fuzz excuses nothing either, delete the entry"}`,
					);
				}
				t.diagnostic(
					`provider requests kept off the network so far: ${offNetwork}`,
				);
				assert.equal(result.sent, REQUESTS);
				if (result.findings.length > 0 || result.integrity.length > 0) {
					assert.fail(
						[
							`the wire fuzz test failed on ${engine} with seed ${seed} (seeds of this run: ${SEEDS.join(", ")}); replay: ${replay(seed)}`,
							...(result.findings.length > 0
								? [
										`${result.findings.length} answers the oracle refused:`,
										report(result.findings),
									]
								: []),
							...(result.integrity.length > 0
								? ["after the run:", ...result.integrity.map((s) => `  ${s}`)]
								: []),
						].join("\n"),
					);
				}
			});
		}
	});
}
