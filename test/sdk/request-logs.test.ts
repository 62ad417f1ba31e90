/**
 * The request log (docs/operating.md#logs): one line at `info`, message `request`, for each
 * request, with its action, status, error type, duration, request id (the `x-amzn-RequestId`
 * answered), account, region and kind of caller; none for the health endpoints; never a
 * `Logins` value, a token, a secret key, a signature or a session token. `--request-logs
 * off` silences them and nothing else. The formats (`json`, `pretty`) through the binary are
 * in test/cli/log-format.test.ts.
 */
import assert from "node:assert/strict";
import { unlinkSync } from "node:fs";
import { describe, test } from "node:test";
import {
	CreateIdentityPoolCommand,
	DescribeIdentityPoolCommand,
	GetCredentialsForIdentityCommand,
	GetIdCommand,
	GetOpenIdTokenForDeveloperIdentityCommand,
	SetIdentityPoolRolesCommand,
} from "@aws-sdk/client-cognito-identity";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { Secrets } from "../support/secrets.ts";
import { stsClient, TEST_ACCOUNT, withServer } from "../support/server.ts";

const ACCESS_KEY = "AKIDREQUESTLOGS01";
const SECRET_KEY = "ReQuEsT/LogSecret+0123456789abcdefghijKL";
const DEV = "login.requestlogs.app";
const ROLE = `arn:aws:iam::${TEST_ACCOUNT}:role/Cognito_Auth`;

interface Line {
	level: number;
	msg: string;
	[field: string]: unknown;
}

/** A server logging at `info` into `lines`, with the run's own access key. */
function serverOptions(lines: string[], requestLogs: boolean) {
	return {
		config: { logLevel: "info", requestLogs },
		credentials: [
			{
				accessKeyId: ACCESS_KEY,
				secretAccessKey: SECRET_KEY,
				accountId: TEST_ACCOUNT,
			},
		],
		logStream: { write: (line: string) => lines.push(line) },
	};
}

/**
 * A run that carries every kind of secret: a signed call (key and signature), a developer
 * user id and the developer token in `Logins`, the credentials issued, a call of the STS
 * endpoint signed with them (session token), an error, and the HTTP layer's own answers (a
 * path that names nothing, a body too large).
 * Answers the request ids answered, by what they were.
 */
async function run(
	t: Parameters<Parameters<typeof withServer>[1]>[0],
	secrets: Secrets,
) {
	const admin = t.sdk({ accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY });
	secrets.watch(admin);
	const app = t.sdk({ unsigned: true });
	const ids: Record<string, string | undefined> = {};

	const pool = await admin.send(
		new CreateIdentityPoolCommand({
			IdentityPoolName: "requestlogs",
			AllowUnauthenticatedIdentities: true,
			DeveloperProviderName: DEV,
		}),
	);
	ids.create = pool.$metadata.requestId;
	const roles = await admin.send(
		new SetIdentityPoolRolesCommand({
			IdentityPoolId: pool.IdentityPoolId,
			Roles: { authenticated: ROLE, unauthenticated: ROLE },
		}),
	);
	ids.roles = roles.$metadata.requestId;
	const devUser = "dev-user-LoginsValue-request-logs-7f31";
	const dev = await admin.send(
		new GetOpenIdTokenForDeveloperIdentityCommand({
			IdentityPoolId: pool.IdentityPoolId,
			Logins: { [DEV]: devUser },
		}),
	);
	ids.devToken = dev.$metadata.requestId;
	secrets.add(devUser, dev.Token);
	const credentials = await app.send(
		new GetCredentialsForIdentityCommand({
			IdentityId: dev.IdentityId,
			Logins: { "cognito-identity.amazonaws.com": dev.Token as string },
		}),
	);
	ids.credentials = credentials.$metadata.requestId;
	secrets.add(
		credentials.Credentials?.SecretKey,
		credentials.Credentials?.SessionToken,
	);
	const unauth = await app.send(
		new GetIdCommand({ IdentityPoolId: pool.IdentityPoolId }),
	);
	ids.getId = unauth.$metadata.requestId;

	const sts = stsClient(t.url, {
		region: "eu-west-1",
		issued: credentials.Credentials,
	});
	secrets.watch(sts);
	try {
		const caller = await sts.send(new GetCallerIdentityCommand({}));
		ids.sts = caller.$metadata.requestId;
	} finally {
		sts.destroy();
	}

	ids.notFound = await admin
		.send(
			new DescribeIdentityPoolCommand({
				IdentityPoolId: "us-east-1:00000000-0000-4000-8000-000000000000",
			}),
		)
		.then(
			() => assert.fail("the pool does not exist"),
			(err: { name: string; $metadata: { requestId?: string } }) => {
				assert.equal(err.name, "ResourceNotFoundException");
				return err.$metadata.requestId;
			},
		);

	const nowhere = await fetch(`${t.url}/nowhere?token=QueryToken-req-55e1`);
	secrets.add("QueryToken-req-55e1");
	await nowhere.text();
	ids.nowhere = nowhere.headers.get("x-amzn-RequestId") ?? undefined;
	const tooLarge = await fetch(t.url, {
		method: "POST",
		headers: {
			"content-type": "application/x-amz-json-1.1",
			"x-amz-target": "AWSCognitoIdentityService.GetId",
		},
		body: `{"Logins":{"${DEV}":"${"L".repeat(1024 * 1024)}"}}`,
	});
	await tooLarge.text();
	ids.tooLarge = tooLarge.headers.get("x-amzn-RequestId") ?? undefined;
	for (const path of ["/health", "/health/live", "/health/ready"]) {
		await (await fetch(`${t.url}${path}`)).text();
	}
	return ids;
}

describe("request logs", () => {
	test("one line per request with its fields, none for health probes, no secret in any line", async () => {
		const lines: string[] = [];
		const secrets = new Secrets();
		secrets.add(SECRET_KEY);
		let ids: Record<string, string | undefined> = {};
		await withServer(serverOptions(lines, true), async (t) => {
			ids = await run(t, secrets);
		});
		const entries = lines.map((l) => JSON.parse(l) as Line);
		const requests = entries.filter((e) => e.msg === "request");
		assert.equal(requests.length, Object.keys(ids).length, lines.join(""));
		for (const r of requests) assert.equal(r.level, 30, "at info");
		const byId = new Map(requests.map((r) => [r.requestId, r]));
		assert.equal(byId.size, requests.length, "one line per request id");
		const line = (name: string) => {
			const found = byId.get(ids[name]);
			assert.ok(found, `the line of ${name} (${ids[name]})`);
			assert.equal(typeof found.durationMs, "number");
			assert.ok((found.durationMs as number) >= 0);
			const { level, time, pid, hostname, msg, durationMs, ...fields } = found;
			return fields;
		};
		assert.deepEqual(line("create"), {
			requestId: ids.create,
			service: "cognito-identity",
			action: "CreateIdentityPool",
			status: 200,
			accountId: TEST_ACCOUNT,
			region: "us-east-1",
			caller: "key",
		});
		assert.equal(line("devToken").action, "GetOpenIdTokenForDeveloperIdentity");
		assert.deepEqual(line("credentials"), {
			requestId: ids.credentials,
			service: "cognito-identity",
			action: "GetCredentialsForIdentity",
			status: 200,
			// A public call counts against the pool's owner; it has no signature, so no region.
			accountId: TEST_ACCOUNT,
			caller: "unsigned",
		});
		assert.equal(line("getId").caller, "unsigned");
		assert.deepEqual(line("sts"), {
			requestId: ids.sts,
			service: "sts",
			action: "GetCallerIdentity",
			status: 200,
			accountId: TEST_ACCOUNT,
			region: "eu-west-1",
			caller: "session",
		});
		assert.deepEqual(line("notFound"), {
			requestId: ids.notFound,
			service: "cognito-identity",
			action: "DescribeIdentityPool",
			status: 400,
			errorType: "ResourceNotFoundException",
			accountId: TEST_ACCOUNT,
			region: "us-east-1",
			caller: "key",
		});
		assert.deepEqual(line("nowhere"), {
			requestId: ids.nowhere,
			method: "GET",
			path: "/nowhere",
			status: 404,
			errorType: "UnknownOperationException",
		});
		assert.deepEqual(line("tooLarge"), {
			requestId: ids.tooLarge,
			method: "POST",
			path: "/",
			status: 413,
			errorType: "SerializationException",
		});

		assert.deepEqual(secrets.foundIn(lines.join("")), [], "secrets in the log");
	});

	test("--request-logs off: no request line, the rest of the log as before", async () => {
		const lines: string[] = [];
		const secrets = new Secrets();
		await withServer(serverOptions(lines, false), async (t) => {
			await run(t, secrets);
			// The server's other lines are still logged: a database file deleted under it.
			unlinkSync(t.dbPath);
			await (await fetch(`${t.url}/health/ready`)).text();
		});
		const entries = lines.map((l) => JSON.parse(l) as Line);
		assert.deepEqual(
			entries.filter((e) => e.msg === "request"),
			[],
		);
		assert.ok(
			entries.some(
				(e) =>
					e.level === 50 &&
					e.msg.startsWith("readiness: the check database fails"),
			),
			lines.join(""),
		);
	});
});
