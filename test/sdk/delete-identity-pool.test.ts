import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
	type CognitoIdentityClient,
	CreateIdentityPoolCommand,
	DeleteIdentityPoolCommand,
	DescribeIdentityPoolCommand,
	ListIdentityPoolsCommand,
} from "@aws-sdk/client-cognito-identity";
import {
	rejectsWith,
	sdkClient,
	startServer,
	type TestServer,
} from "../support/server.ts";

describe("DeleteIdentityPool (JS v3 SDK)", () => {
	let ts: TestServer;
	let client: CognitoIdentityClient;
	before(async () => {
		ts = await startServer();
		client = sdkClient(ts.url);
	});
	after(async () => {
		client.destroy();
		await ts.stop();
	});

	test("deletes the pool: it is then not found and not listed", async () => {
		const keep = await client.send(
			new CreateIdentityPoolCommand({
				IdentityPoolName: "keep",
				AllowUnauthenticatedIdentities: false,
			}),
		);
		const gone = await client.send(
			new CreateIdentityPoolCommand({
				IdentityPoolName: "gone",
				AllowUnauthenticatedIdentities: false,
			}),
		);
		const out = await client.send(
			new DeleteIdentityPoolCommand({ IdentityPoolId: gone.IdentityPoolId }),
		);
		assert.equal(out.$metadata.httpStatusCode, 200);
		await rejectsWith(
			client.send(
				new DescribeIdentityPoolCommand({
					IdentityPoolId: gone.IdentityPoolId,
				}),
			),
			"ResourceNotFoundException",
			`IdentityPool '${gone.IdentityPoolId}' not found.`,
		);
		const list = await client.send(
			new ListIdentityPoolsCommand({ MaxResults: 60 }),
		);
		assert.deepEqual(
			list.IdentityPools?.map((p) => p.IdentityPoolId),
			[keep.IdentityPoolId],
		);
	});

	test("deleting twice, or an unknown pool, is ResourceNotFoundException", async () => {
		const pool = await client.send(
			new CreateIdentityPoolCommand({
				IdentityPoolName: "twice",
				AllowUnauthenticatedIdentities: false,
			}),
		);
		await client.send(
			new DeleteIdentityPoolCommand({ IdentityPoolId: pool.IdentityPoolId }),
		);
		await rejectsWith(
			client.send(
				new DeleteIdentityPoolCommand({ IdentityPoolId: pool.IdentityPoolId }),
			),
			"ResourceNotFoundException",
			`IdentityPool '${pool.IdentityPoolId}' not found.`,
		);
	});

	test("a pool of another region cannot be deleted from this one", async () => {
		const pool = await client.send(
			new CreateIdentityPoolCommand({
				IdentityPoolName: "east",
				AllowUnauthenticatedIdentities: false,
			}),
		);
		const west = sdkClient(ts.url, { region: "us-west-2" });
		await rejectsWith(
			west.send(
				new DeleteIdentityPoolCommand({ IdentityPoolId: pool.IdentityPoolId }),
			),
			"ResourceNotFoundException",
		);
		west.destroy();
		const still = await client.send(
			new DescribeIdentityPoolCommand({ IdentityPoolId: pool.IdentityPoolId }),
		);
		assert.equal(still.IdentityPoolName, "east");
	});
});
