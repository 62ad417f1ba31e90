/**
 * The bench's reading of a server's own histograms (bench/support.ts), which it prints beside
 * each round below saturation: the counts it reads from a real server's `/metrics` are those
 * of the calls made, and the share and percentile it prints follow from the buckets.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
	CreateIdentityPoolCommand,
	GetIdCommand,
	GetOpenIdTokenForDeveloperIdentityCommand,
} from "@aws-sdk/client-cognito-identity";
import {
	type Buckets,
	bucketsBetween,
	serverHistograms,
	shareUnder,
} from "../../bench/support.ts";
import { useServer } from "../support/server.ts";

const ACTION = "GetOpenIdTokenForDeveloperIdentity";
const total = (b: Buckets) => b.get(Number.POSITIVE_INFINITY);

describe("serverHistograms reads a server's /metrics", () => {
	const t = useServer();

	test("the calls of one action, their signatures and store transactions, counted between two reads", async () => {
		const pool = await t.client.send(
			new CreateIdentityPoolCommand({
				IdentityPoolName: "histograms",
				AllowUnauthenticatedIdentities: true,
				DeveloperProviderName: "login.example.app",
			}),
		);
		const IdentityPoolId = pool.IdentityPoolId as string;
		const before = await serverHistograms(t.url, ACTION);
		assert.ok(before);
		// Three new users, then two of them again, and a call of another action.
		for (const user of ["a", "b", "c", "a", "b"]) {
			await t.client.send(
				new GetOpenIdTokenForDeveloperIdentityCommand({
					IdentityPoolId,
					Logins: { "login.example.app": user },
				}),
			);
		}
		await t.app.send(new GetIdCommand({ IdentityPoolId }));
		const after = await serverHistograms(t.url, ACTION);
		assert.ok(after);
		assert.equal(total(bucketsBetween(before.requests, after.requests)), 5);
		assert.equal(total(bucketsBetween(before.signing, after.signing)), 5);
		// Each call reads who holds its login; a new user's is also a change.
		const store = total(bucketsBetween(before.store, after.store)) ?? 0;
		assert.ok(store >= 8, `store transactions: ${store}`);
		// Cumulative buckets: never fewer calls under a larger bound.
		const counts = [...after.requests]
			.sort(([a], [b]) => a - b)
			.map(([, n]) => n);
		assert.deepEqual(
			counts,
			[...counts].sort((a, b) => a - b),
		);
	});
});

describe("serverHistograms without metrics", () => {
	const t = useServer({ config: { metrics: false } });

	test("answers undefined", async () => {
		assert.equal(await serverHistograms(t.url, ACTION), undefined);
	});
});

describe("shareUnder", () => {
	const buckets = (entries: [number, number][]): Buckets => new Map(entries);

	test("the share at the limit's bucket and the bucket holding the 99th percentile", () => {
		const b = buckets([
			[0.005, 90],
			[0.01, 99],
			[0.025, 100],
			[Number.POSITIVE_INFINITY, 100],
		]);
		assert.equal(shareUnder(b, 10), "99.0% under 10 ms, p99 ≤ 10 ms");
		assert.equal(shareUnder(b, 5), "90.0% under 5 ms, p99 ≤ 10 ms");
		const slow = buckets([
			[0.01, 98],
			[0.025, 100],
			[Number.POSITIVE_INFINITY, 100],
		]);
		assert.equal(shareUnder(slow, 10), "98.0% under 10 ms, p99 ≤ 25 ms");
	});

	test("a limit that is no bucket's bound, calls beyond the last bucket, and no calls", () => {
		const b = buckets([
			[0.01, 50],
			[Number.POSITIVE_INFINITY, 100],
		]);
		assert.equal(shareUnder(b, 7), "p99 above the last bucket");
		assert.equal(
			shareUnder(buckets([[Number.POSITIVE_INFINITY, 0]]), 10),
			undefined,
		);
	});
});
