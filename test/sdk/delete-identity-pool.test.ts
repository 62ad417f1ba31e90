import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
	CreateIdentityPoolCommand,
	DeleteIdentityPoolCommand,
	DescribeIdentityPoolCommand,
	ListIdentityPoolsCommand,
} from "@aws-sdk/client-cognito-identity";
import { rejectsWith, useServer } from "../support/server.ts";

describe("DeleteIdentityPool (JS v3 SDK)", () => {
	const t = useServer();

	test("deletes the pool: it is then not found and not listed", async () => {
		const keep = await t.client.send(
			new CreateIdentityPoolCommand({
				IdentityPoolName: "keep",
				AllowUnauthenticatedIdentities: false,
			}),
		);
		const gone = await t.client.send(
			new CreateIdentityPoolCommand({
				IdentityPoolName: "gone",
				AllowUnauthenticatedIdentities: false,
			}),
		);
		const out = await t.client.send(
			new DeleteIdentityPoolCommand({ IdentityPoolId: gone.IdentityPoolId }),
		);
		assert.equal(out.$metadata.httpStatusCode, 200);
		await rejectsWith(
			t.client.send(
				new DescribeIdentityPoolCommand({
					IdentityPoolId: gone.IdentityPoolId,
				}),
			),
			"ResourceNotFoundException",
			`IdentityPool '${gone.IdentityPoolId}' not found.`,
		);
		const list = await t.client.send(
			new ListIdentityPoolsCommand({ MaxResults: 60 }),
		);
		assert.deepEqual(
			list.IdentityPools?.map((p) => p.IdentityPoolId),
			[keep.IdentityPoolId],
		);
	});

	test("deleting twice, or an unknown pool, is ResourceNotFoundException", async () => {
		const pool = await t.client.send(
			new CreateIdentityPoolCommand({
				IdentityPoolName: "twice",
				AllowUnauthenticatedIdentities: false,
			}),
		);
		await t.client.send(
			new DeleteIdentityPoolCommand({ IdentityPoolId: pool.IdentityPoolId }),
		);
		await rejectsWith(
			t.client.send(
				new DeleteIdentityPoolCommand({ IdentityPoolId: pool.IdentityPoolId }),
			),
			"ResourceNotFoundException",
			`IdentityPool '${pool.IdentityPoolId}' not found.`,
		);
	});

	test("a pool of another region cannot be deleted from this one", async () => {
		const pool = await t.client.send(
			new CreateIdentityPoolCommand({
				IdentityPoolName: "east",
				AllowUnauthenticatedIdentities: false,
			}),
		);
		const west = t.sdk({ region: "us-west-2" });
		await rejectsWith(
			west.send(
				new DeleteIdentityPoolCommand({ IdentityPoolId: pool.IdentityPoolId }),
			),
			"ResourceNotFoundException",
		);
		const still = await t.client.send(
			new DescribeIdentityPoolCommand({ IdentityPoolId: pool.IdentityPoolId }),
		);
		assert.equal(still.IdentityPoolName, "east");
	});
});
