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
import { withServer } from "../support/server.ts";

describe("restart persistence (JS v3 SDK)", () => {
	test("stopping and starting the server on the same file keeps every pool", async () => {
		await withServer(async (t) => {
			const created = [];
			for (let i = 0; i < 3; i++) {
				created.push(
					await t.client.send(
						new CreateIdentityPoolCommand({
							IdentityPoolName: `persist-${i}`,
							AllowUnauthenticatedIdentities: i % 2 === 0,
							DeveloperProviderName: `dev${i}.example`,
							IdentityPoolTags: { n: String(i) },
						}),
					),
				);
			}
			await t.restart();
			for (const pool of created) {
				const described = await t.client.send(
					new DescribeIdentityPoolCommand({
						IdentityPoolId: pool.IdentityPoolId,
					}),
				);
				const { $metadata: _a, ...before } = pool;
				const { $metadata: _b, ...after } = described;
				assert.deepEqual(after, before);
			}
			const list = await t.client.send(
				new ListIdentityPoolsCommand({ MaxResults: 60 }),
			);
			assert.deepEqual(
				list.IdentityPools?.map((p) => p.IdentityPoolId),
				created.map((p) => p.IdentityPoolId),
			);
		});
	});

	test("a server on a SQLite file checkpoints on a worker thread; its identities survive a restart", async () => {
		await withServer(async (t) => {
			const checkpointer = (
				t.server.store as unknown as { checkpointer?: WalCheckpointer }
			).checkpointer;
			assert.equal(checkpointer?.running, true, "the worker runs");
			const poolId = await createDeveloperPool(t.client);
			const ids = new Map<string, string>();
			await Promise.all(
				Array.from({ length: 40 }, async (_, i) => {
					ids.set(
						`user-${i}`,
						await developerIdentity(t.client, poolId, `user-${i}`),
					);
				}),
			);
			await t.restart();
			for (const [user, identityId] of ids) {
				assert.equal(
					await developerIdentity(t.client, poolId, user),
					identityId,
				);
			}
		});
	});
});
