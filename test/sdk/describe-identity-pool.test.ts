import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
	type CognitoIdentityClient,
	CreateIdentityPoolCommand,
	DescribeIdentityPoolCommand,
} from "@aws-sdk/client-cognito-identity";
import {
	rejectsWith,
	sdkClient,
	startServer,
	type TestServer,
} from "../support/server.ts";

describe("DescribeIdentityPool (JS v3 SDK)", () => {
	let ts: TestServer;
	let client: CognitoIdentityClient;
	let poolId: string;
	before(async () => {
		ts = await startServer({
			credentials: [
				{
					accessKeyId: "test",
					secretAccessKey: "test",
					accountId: "000000000000",
				},
				{
					accessKeyId: "other",
					secretAccessKey: "other-secret",
					accountId: "111111111111",
				},
			],
		});
		client = sdkClient(ts.url);
		const pool = await client.send(
			new CreateIdentityPoolCommand({
				IdentityPoolName: "described",
				AllowUnauthenticatedIdentities: true,
				DeveloperProviderName: "login.example.app",
			}),
		);
		poolId = pool.IdentityPoolId as string;
	});
	after(async () => {
		client.destroy();
		await ts.stop();
	});

	test("answers the stored pool", async () => {
		const out = await client.send(
			new DescribeIdentityPoolCommand({ IdentityPoolId: poolId }),
		);
		assert.equal(out.IdentityPoolId, poolId);
		assert.equal(out.IdentityPoolName, "described");
		assert.equal(out.AllowUnauthenticatedIdentities, true);
		assert.equal(out.DeveloperProviderName, "login.example.app");
		assert.equal(out.AllowClassicFlow, undefined);
		assert.deepEqual(out.IdentityPoolTags, {});
	});

	test("an unknown pool is ResourceNotFoundException with AWS's message", async () => {
		const id = "us-east-1:00000000-0000-4000-8000-000000000000";
		await rejectsWith(
			client.send(new DescribeIdentityPoolCommand({ IdentityPoolId: id })),
			"ResourceNotFoundException",
			`IdentityPool '${id}' not found.`,
		);
	});

	test("a pool of another region is not found", async () => {
		const eu = sdkClient(ts.url, { region: "eu-west-1" });
		await rejectsWith(
			eu.send(new DescribeIdentityPoolCommand({ IdentityPoolId: poolId })),
			"ResourceNotFoundException",
			`IdentityPool '${poolId}' not found.`,
		);
		eu.destroy();
	});

	test("a pool of another account is not found", async () => {
		const other = sdkClient(ts.url, {
			accessKeyId: "other",
			secretAccessKey: "other-secret",
		});
		await rejectsWith(
			other.send(new DescribeIdentityPoolCommand({ IdentityPoolId: poolId })),
			"ResourceNotFoundException",
			`IdentityPool '${poolId}' not found.`,
		);
		other.destroy();
	});

	test("a malformed pool id is ValidationException", async () => {
		await rejectsWith(
			client.send(
				new DescribeIdentityPoolCommand({ IdentityPoolId: "eu*******q6" }),
			),
			"ValidationException",
			"1 validation error detected: Value 'eu*******q6' at 'identityPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+:[0-9a-f-]+",
		);
	});
});
