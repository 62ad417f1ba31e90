/**
 * The round trips to PostgreSQL that the hot calls make, counted by a proxy that reads the
 * wire protocol (test/support/postgres.ts): deterministic, unlike timing (docs/benchmarks.md).
 * A returning developer user's GetOpenIdTokenForDeveloperIdentity and a returning login's
 * GetId cost one round trip (the pool comes from the server's cache, its version confirmed in
 * that same statement), a new user's at most two; BEGIN and COMMIT count as round trips.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
	GetIdCommand,
	GetOpenIdTokenForDeveloperIdentityCommand,
	LookupDeveloperIdentityCommand,
} from "@aws-sdk/client-cognito-identity";
import { DEV, FACEBOOK, useFederation } from "../support/federation.ts";
import { freshSchema, RoundTripProxy } from "../support/postgres.ts";
import { describeForEngine } from "../support/stores.ts";

describeForEngine("postgres", "round trips to PostgreSQL", () => {
	let schema: Awaited<ReturnType<typeof freshSchema>>;
	const proxy = new RoundTripProxy();
	before(async () => {
		schema = await freshSchema();
		await proxy.open();
	});
	// The key ring's periodic re-read would be counted with a call: out of the way here.
	const f = useFederation(() => ({
		config: { db: proxy.via(schema.url), keyReloadSeconds: 3600 },
	}));
	after(async () => {
		await proxy.close();
		await schema?.drop();
	});

	/** The round trips `call` makes, and its answer. */
	async function counted<T>(call: () => Promise<T>): Promise<[number, T]> {
		proxy.reset();
		const answer = await call();
		const n = proxy.count;
		return [n, answer];
	}

	const developerToken = (poolId: string, user: string) =>
		f.admin.send(
			new GetOpenIdTokenForDeveloperIdentityCommand({
				IdentityPoolId: poolId,
				Logins: { [DEV]: user },
			}),
		);

	test("GetOpenIdTokenForDeveloperIdentity: a new user in at most two round trips, a returning one in one", async () => {
		const poolId = await f.pool();
		// The first call of a pool reads it into the cache (and opens connections).
		await developerToken(poolId, "warm-up");
		const [created, first] = await counted(() =>
			developerToken(poolId, "alice"),
		);
		assert.ok(created <= 2, `a new user took ${created} round trips`);
		const [returning, again] = await counted(() =>
			developerToken(poolId, "alice"),
		);
		assert.equal(returning, 1, `a returning user took ${returning}`);
		assert.equal(again.IdentityId, first.IdentityId);
		const found = await f.admin.send(
			new LookupDeveloperIdentityCommand({
				IdentityPoolId: poolId,
				DeveloperUserIdentifier: "alice",
			}),
		);
		assert.equal(found.IdentityId, first.IdentityId);
	});

	test("GetId: a returning login in one round trip, a new one in at most two", async () => {
		const poolId = await f.pool();
		const logins = (user: string) => ({
			[FACEBOOK]: f.tokens.facebook(user),
		});
		await f.app.send(
			new GetIdCommand({ IdentityPoolId: poolId, Logins: logins("warm-up") }),
		);
		const [created, first] = await counted(() =>
			f.app.send(
				new GetIdCommand({ IdentityPoolId: poolId, Logins: logins("bob") }),
			),
		);
		assert.ok(created <= 2, `a new login took ${created} round trips`);
		const [returning, again] = await counted(() =>
			f.app.send(
				new GetIdCommand({ IdentityPoolId: poolId, Logins: logins("bob") }),
			),
		);
		assert.equal(returning, 1, `a returning login took ${returning}`);
		assert.equal(again.IdentityId, first.IdentityId);
	});

	test("concurrent first calls for one new user end with one identity", async () => {
		const poolId = await f.pool();
		for (let round = 0; round < 5; round++) {
			const user = `racer-${round}`;
			const answers = await Promise.all(
				Array.from({ length: 8 }, () => developerToken(poolId, user)),
			);
			const ids = new Set(answers.map((a) => a.IdentityId));
			assert.equal(ids.size, 1, `${user}: ${[...ids].join(", ")}`);
		}
	});
});
