/**
 * What the dispatcher tells its observers of each call (the seam of metrics, request logs and
 * the console's live view): the operation, outcome, account, region and kind of caller, for
 * Cognito Identity and STS calls alike, and nothing secret.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
	CreateIdentityPoolCommand,
	DescribeIdentityPoolCommand,
	GetIdCommand,
} from "@aws-sdk/client-cognito-identity";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import type { CallRecord } from "../../src/dispatch/dispatcher.ts";
import {
	rejectsWith,
	stsClient,
	TEST_ACCOUNT,
	useServer,
} from "../support/server.ts";

describe("call observers", () => {
	const records: CallRecord[] = [];
	const t = useServer({ observers: [(record) => records.push(record)] });
	const last = () => records.at(-1) as CallRecord;

	test("a signed call: its operation, account, region and a success", async () => {
		const pool = await t.client.send(
			new CreateIdentityPoolCommand({
				IdentityPoolName: "observed",
				AllowUnauthenticatedIdentities: true,
			}),
		);
		const record = last();
		assert.equal(record.service, "cognito-identity");
		assert.equal(record.operation, "CreateIdentityPool");
		assert.equal(record.statusCode, 200);
		assert.equal(record.errorType, undefined);
		assert.equal(record.accountId, TEST_ACCOUNT);
		assert.equal(record.region, "us-east-1");
		assert.equal(record.callerKind, "key");
		assert.equal(record.requestId, pool.$metadata.requestId);
		assert.ok(record.durationSeconds > 0 && record.durationSeconds < 60);

		// A public call counts against the pool's owner once the pool is found.
		await t.app.send(
			new GetIdCommand({ IdentityPoolId: pool.IdentityPoolId as string }),
		);
		assert.equal(last().operation, "GetId");
		assert.equal(last().callerKind, "unsigned");
		assert.equal(last().accountId, TEST_ACCOUNT);
		assert.equal(last().region, undefined);
	});

	test("a failed call: its error type and status", async () => {
		await rejectsWith(
			t.client.send(
				new DescribeIdentityPoolCommand({
					IdentityPoolId: "us-east-1:00000000-0000-0000-0000-000000000000",
				}),
			),
			"ResourceNotFoundException",
		);
		assert.equal(last().operation, "DescribeIdentityPool");
		assert.equal(last().errorType, "ResourceNotFoundException");
		assert.equal(last().statusCode, 400);
		assert.equal(last().internal, false);
	});

	test("a request naming no operation, and a bad signature", async () => {
		const unknown = await fetch(t.url, {
			method: "POST",
			headers: {
				"content-type": "application/x-amz-json-1.1",
				"x-amz-target": "AWSCognitoIdentityService.NoSuchThing",
			},
			body: "{}",
		});
		assert.equal(unknown.status, 400);
		assert.equal(last().operation, undefined);
		assert.equal(last().errorType, "UnknownOperationException");

		const wrong = t.sdk({ secretAccessKey: "not-the-secret" });
		await rejectsWith(
			wrong.send(
				new DescribeIdentityPoolCommand({ IdentityPoolId: "us-east-1:x" }),
			),
			"InvalidSignatureException",
		);
		assert.equal(last().operation, "DescribeIdentityPool");
		assert.equal(last().errorType, "InvalidSignatureException");
		assert.equal(last().accountId, undefined);
	});

	test("an STS call, in the same shape", async () => {
		const sts = stsClient(t.url, { region: "eu-west-1" });
		try {
			await sts.send(new GetCallerIdentityCommand({}));
		} finally {
			sts.destroy();
		}
		assert.equal(last().service, "sts");
		assert.equal(last().operation, "GetCallerIdentity");
		assert.equal(last().region, "eu-west-1");
		assert.equal(last().statusCode, 200);
	});

	test("no record holds a secret", () => {
		const text = JSON.stringify(records);
		assert.doesNotMatch(text, /not-the-secret|"test"/);
	});
});
