import assert from "node:assert/strict";
import { test } from "node:test";
import {
	CreateIdentityPoolCommand,
	DescribeIdentityPoolCommand,
	type DescribeIdentityPoolCommandOutput,
	GetOpenIdTokenForDeveloperIdentityCommand,
	LookupDeveloperIdentityCommand,
} from "@aws-sdk/client-cognito-identity";
import { useCuttablePostgres } from "../support/postgres.ts";
import { rejectsWith, useServer } from "../support/server.ts";
import { describeForEngine } from "../support/stores.ts";

const DEV = "login.example.app";

describeForEngine(
	"postgres",
	"the PostgreSQL database goes away and comes back",
	{
		timeout: 120_000,
	},
	() => {
		const database = useCuttablePostgres();
		const t = useServer(() => ({ config: { db: database.db() } }));

		test("requests fail with InternalErrorException while it is away, succeed after, nothing acknowledged is lost", async () => {
			const client = t.client;
			const pool = await client.send(
				new CreateIdentityPoolCommand({
					IdentityPoolName: "outage",
					AllowUnauthenticatedIdentities: false,
					DeveloperProviderName: DEV,
				}),
			);
			const poolId = pool.IdentityPoolId as string;
			const before = await client.send(
				new GetOpenIdTokenForDeveloperIdentityCommand({
					IdentityPoolId: poolId,
					Logins: { [DEV]: "kept" },
				}),
			);

			await database.proxy().cut();
			await rejectsWith(
				client.send(
					new DescribeIdentityPoolCommand({ IdentityPoolId: poolId }),
				),
				"InternalErrorException",
				undefined,
				500,
			);
			await rejectsWith(
				client.send(
					new GetOpenIdTokenForDeveloperIdentityCommand({
						IdentityPoolId: poolId,
						Logins: { [DEV]: "new" },
					}),
				),
				"InternalErrorException",
				undefined,
				500,
			);
			const health = await fetch(new URL("/health", t.url));
			assert.equal(health.status, 503);

			await database.proxy().restore();
			// The connection pool recovers by itself: retry until the first success.
			let described: DescribeIdentityPoolCommandOutput | undefined;
			for (let i = 0; i < 50 && !described; i++) {
				described = await client
					.send(new DescribeIdentityPoolCommand({ IdentityPoolId: poolId }))
					.catch(async () => {
						await new Promise((r) => setTimeout(r, 200));
						return undefined;
					});
			}
			assert.equal(described?.IdentityPoolName, "outage");
			assert.equal((await fetch(new URL("/health", t.url))).status, 200);
			const found = await client.send(
				new LookupDeveloperIdentityCommand({
					IdentityPoolId: poolId,
					DeveloperUserIdentifier: "kept",
				}),
			);
			assert.equal(found.IdentityId, before.IdentityId);
			const after = await client.send(
				new GetOpenIdTokenForDeveloperIdentityCommand({
					IdentityPoolId: poolId,
					Logins: { [DEV]: "kept" },
				}),
			);
			assert.equal(after.IdentityId, before.IdentityId);
		});
	},
);
