import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
	CreateIdentityPoolCommand,
	DescribeIdentityPoolCommand,
	ListIdentityPoolsCommand,
} from "@aws-sdk/client-cognito-identity";
import type { WalCheckpointer } from "../../src/store/sqlite/checkpointer.ts";
import {
	createDeveloperPool,
	developerIdentity,
} from "../support/identities.ts";
import { sdkClient, startServer } from "../support/server.ts";

describe("restart persistence (JS v3 SDK)", () => {
	test("stopping and starting the server on the same file keeps every pool", async () => {
		const first = await startServer();
		let client = sdkClient(first.url);
		const created = [];
		for (let i = 0; i < 3; i++) {
			created.push(
				await client.send(
					new CreateIdentityPoolCommand({
						IdentityPoolName: `persist-${i}`,
						AllowUnauthenticatedIdentities: i % 2 === 0,
						DeveloperProviderName: `dev${i}.example`,
						IdentityPoolTags: { n: String(i) },
					}),
				),
			);
		}
		client.destroy();
		await first.stop({ keepData: true });

		const second = await startServer({ dbPath: first.dbPath });
		client = sdkClient(second.url);
		try {
			for (const pool of created) {
				const described = await client.send(
					new DescribeIdentityPoolCommand({
						IdentityPoolId: pool.IdentityPoolId,
					}),
				);
				const { $metadata: _a, ...before } = pool;
				const { $metadata: _b, ...after } = described;
				assert.deepEqual(after, before);
			}
			const list = await client.send(
				new ListIdentityPoolsCommand({ MaxResults: 60 }),
			);
			assert.deepEqual(
				list.IdentityPools?.map((p) => p.IdentityPoolId),
				created.map((p) => p.IdentityPoolId),
			);
		} finally {
			client.destroy();
			await second.stop();
		}
	});

	test("a server on a SQLite file checkpoints on a worker thread; its identities survive a restart", async () => {
		const first = await startServer();
		let client = sdkClient(first.url);
		const checkpointer = (
			first.server.store as unknown as { checkpointer?: WalCheckpointer }
		).checkpointer;
		assert.equal(checkpointer?.running, true, "the worker runs");
		const poolId = await createDeveloperPool(client);
		const ids = new Map<string, string>();
		await Promise.all(
			Array.from({ length: 40 }, async (_, i) => {
				ids.set(
					`user-${i}`,
					await developerIdentity(client, poolId, `user-${i}`),
				);
			}),
		);
		client.destroy();
		await first.stop({ keepData: true });

		const second = await startServer({ dbPath: first.dbPath });
		client = sdkClient(second.url);
		try {
			for (const [user, identityId] of ids) {
				assert.equal(await developerIdentity(client, poolId, user), identityId);
			}
		} finally {
			client.destroy();
			await second.stop();
		}
	});
});
