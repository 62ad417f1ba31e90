import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import {
	CreateIdentityPoolCommand,
	DescribeIdentityPoolCommand,
} from "@aws-sdk/client-cognito-identity";
import { TWO_ACCOUNTS } from "../support/identities.ts";
import { rejectsWith, useServer } from "../support/server.ts";

describe("DescribeIdentityPool (JS v3 SDK)", () => {
	let poolId: string;
	const t = useServer({
		credentials: TWO_ACCOUNTS,
	});
	before(async () => {
		const pool = await t.client.send(
			new CreateIdentityPoolCommand({
				IdentityPoolName: "described",
				AllowUnauthenticatedIdentities: true,
				DeveloperProviderName: "login.example.app",
			}),
		);
		poolId = pool.IdentityPoolId as string;
	});

	test("answers the stored pool", async () => {
		const out = await t.client.send(
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
			t.client.send(new DescribeIdentityPoolCommand({ IdentityPoolId: id })),
			"ResourceNotFoundException",
			`IdentityPool '${id}' not found.`,
		);
	});

	test("a pool of another region is not found", async () => {
		const eu = t.sdk({ region: "eu-west-1" });
		await rejectsWith(
			eu.send(new DescribeIdentityPoolCommand({ IdentityPoolId: poolId })),
			"ResourceNotFoundException",
			`IdentityPool '${poolId}' not found.`,
		);
	});

	test("a pool of another account is not found", async () => {
		const other = t.sdk({
			accessKeyId: "other",
			secretAccessKey: "other-secret",
		});
		await rejectsWith(
			other.send(new DescribeIdentityPoolCommand({ IdentityPoolId: poolId })),
			"ResourceNotFoundException",
			`IdentityPool '${poolId}' not found.`,
		);
	});

	test("a malformed pool id is ValidationException", async () => {
		await rejectsWith(
			t.client.send(
				new DescribeIdentityPoolCommand({ IdentityPoolId: "eu*******q6" }),
			),
			"ValidationException",
			"1 validation error detected: Value 'eu*******q6' at 'identityPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+:[0-9a-f-]+",
		);
	});
});
