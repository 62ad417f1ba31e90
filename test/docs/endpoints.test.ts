/**
 * What docs/endpoints.md says of Debian 12's own clients (awscli 2.9, boto3 1.26): they
 * ignore `AWS_ENDPOINT_URL_COGNITO_IDENTITY` / `AWS_ENDPOINT_URL` and call AWS's address,
 * while `--endpoint-url` / `endpoint_url=` reach the address given. Proved without the
 * network: boto3 is asked which address it resolved, and the AWS CLI is pointed (by the
 * variables, then by the flag) at a listener on 127.0.0.1 that counts the connections it gets.
 * The JavaScript SDK v3's reading of the variables and of `[services]` is proved by the
 * blocks of docs/endpoints.md themselves (test/docs/snippets.test.ts).
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import {
	AWS_CLI,
	assertClientsInstalled,
	PYTHON,
	type RunResult,
	run,
} from "../compat/clients.ts";

const AWS_COGNITO_IDENTITY = "https://cognito-identity.us-east-1.amazonaws.com";

function runWith(
	file: string,
	args: string[],
	env: Record<string, string>,
): Promise<RunResult> {
	return run(file, args, { env });
}

describe("endpoint settings of Debian 12's AWS CLI and boto3", () => {
	let listener: Server;
	let url = "";
	let connections = 0;

	before(async () => {
		await assertClientsInstalled();
		// Answers every request with an AWS-shaped refusal, so that a client that gets here
		// stops at once; what counts is whether it came.
		listener = createServer((_req, res) => {
			res.writeHead(400, {
				"content-type": "application/x-amz-json-1.1",
				"x-amzn-errortype": "NotAuthorizedException",
			});
			res.end('{"__type":"NotAuthorizedException","message":"listener"}');
		});
		listener.on("connection", () => {
			connections += 1;
		});
		await new Promise<void>((resolve) =>
			listener.listen(0, "127.0.0.1", () => resolve()),
		);
		url = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
	});
	after(
		() =>
			new Promise<void>((resolve) => {
				listener.closeAllConnections();
				listener.close(() => resolve());
			}),
	);

	test("boto3 1.26 resolves AWS's address whatever AWS_ENDPOINT_URL_COGNITO_IDENTITY and AWS_ENDPOINT_URL say", async () => {
		const result = await runWith(
			PYTHON,
			[
				"-c",
				'import json, boto3, botocore; c = boto3.client("cognito-identity", region_name="us-east-1"); print(json.dumps([boto3.__version__, botocore.__version__, c.meta.endpoint_url]))',
			],
			{ AWS_ENDPOINT_URL_COGNITO_IDENTITY: url, AWS_ENDPOINT_URL: url },
		);
		assert.equal(result.code, 0, result.stderr);
		const [boto3, botocore, endpoint] = JSON.parse(result.stdout) as string[];
		assert.match(boto3 as string, /^1\.26\./, "Debian 12's boto3");
		assert.match(botocore as string, /^1\.29\./, "Debian 12's botocore");
		assert.equal(endpoint, AWS_COGNITO_IDENTITY);
	});

	test("boto3 1.26 calls the address of endpoint_url=", async () => {
		const result = await runWith(
			PYTHON,
			[
				"-c",
				`import boto3; print(boto3.client("cognito-identity", region_name="us-east-1", endpoint_url="${url}").meta.endpoint_url)`,
			],
			{},
		);
		assert.equal(result.code, 0, result.stderr);
		assert.equal(result.stdout.trim(), url);
	});

	test("aws 2.9 never connects to the address of AWS_ENDPOINT_URL_COGNITO_IDENTITY; it tries AWS's", async () => {
		const version = await runWith(AWS_CLI, ["--version"], {});
		assert.match(version.stdout, /^aws-cli\/2\.9\./, "Debian 12's AWS CLI");
		const before = connections;
		const result = await runWith(
			AWS_CLI,
			[
				"cognito-identity",
				"list-identity-pools",
				"--max-results",
				"1",
				"--cli-connect-timeout",
				"3",
				"--cli-read-timeout",
				"3",
				"--debug",
			],
			{ AWS_ENDPOINT_URL_COGNITO_IDENTITY: url, AWS_ENDPOINT_URL: url },
		);
		assert.notEqual(result.code, 0, "the call cannot have succeeded");
		assert.equal(
			connections,
			before,
			"no connection to the variable's address",
		);
		assert.ok(
			result.stderr.includes(AWS_COGNITO_IDENTITY),
			`the CLI's debug log names ${AWS_COGNITO_IDENTITY}:\n${result.stderr.slice(-3000)}`,
		);
	});

	test("aws 2.9 connects to the address of --endpoint-url", async () => {
		const before = connections;
		const result = await runWith(
			AWS_CLI,
			[
				"--endpoint-url",
				url,
				"cognito-identity",
				"list-identity-pools",
				"--max-results",
				"1",
			],
			{},
		);
		assert.notEqual(result.code, 0);
		assert.match(result.stderr, /NotAuthorizedException.*listener/s);
		assert.ok(connections > before);
	});
});
