/**
 * `--log-format` and `--request-logs` of the built binary (docs/operating.md#logs): JSON lines
 * by default when standard output is not a terminal (as here), `pretty` when asked (no
 * colours off a terminal), request lines at the default level `info` after the banner and
 * never inside it, none with `--request-logs off`; bad values refused in one line.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type RunningIdpool, runIdpool, serveIdpool } from "../support/cli.ts";

/** Standard output once a line matching `pattern` is in it (at most 10 s). */
async function stdoutWith(s: RunningIdpool, pattern: RegExp): Promise<string> {
	for (let i = 0; i < 200; i++) {
		if (pattern.test(s.stdout())) return s.stdout();
		await new Promise((r) => setTimeout(r, 50));
	}
	assert.fail(`no line matching ${pattern} in: ${s.stdout()}`);
}

/** Two requests: one the HTTP layer answers (404), one the dispatcher answers (an error). */
async function twoRequests(url: string): Promise<string[]> {
	const nowhere = await fetch(`${url}/nowhere?token=QueryToken-cli-9a0b`);
	await nowhere.text();
	const getId = await fetch(url, {
		method: "POST",
		headers: {
			"content-type": "application/x-amz-json-1.1",
			"x-amz-target": "AWSCognitoIdentityService.GetId",
		},
		body: JSON.stringify({
			IdentityPoolId: "us-east-1:00000000-0000-4000-8000-000000000000",
			Logins: { "accounts.google.com": "LoginsValue-cli-31c7" },
		}),
	});
	await getId.text();
	return [
		nowhere.headers.get("x-amzn-RequestId") ?? "",
		getId.headers.get("x-amzn-RequestId") ?? "",
	];
}

/** The banner's lines (from `idpool listening on` to the issuer) are the banner's only. */
function assertBannerWhole(stdout: string): void {
	const lines = stdout.split("\n");
	const start = lines.findIndex((l) => l.startsWith("idpool listening on "));
	const end = lines.findIndex((l) => /^ {2}issuer: /.test(l));
	assert.ok(start >= 0 && end > start, stdout);
	for (const line of lines.slice(start + 1, end + 1)) {
		assert.match(line, /^ {2}[a-z ]+:/, `inside the banner: ${line}`);
	}
}

const SERVE = ["--port", "0", "--db", ":memory:", "--log-level", "info"];

describe("log formats and request lines (the built binary)", () => {
	test("by default off a terminal: JSON lines, a request line per request after the banner", async () => {
		const s = await serveIdpool(SERVE);
		try {
			const [nowhere, getId] = await twoRequests(s.url);
			const out = await stdoutWith(s, new RegExp(getId ?? "-"));
			assertBannerWhole(out);
			const requests = out
				.split("\n")
				.filter((l) => l.startsWith("{"))
				.map((l) => JSON.parse(l) as Record<string, unknown>)
				.filter((e) => e.msg === "request");
			assert.deepEqual(
				requests.map(({ level, requestId, status, errorType, action }) => ({
					level,
					requestId,
					status,
					errorType,
					action,
				})),
				[
					{
						level: 30,
						requestId: nowhere,
						status: 404,
						errorType: "UnknownOperationException",
						action: undefined,
					},
					{
						level: 30,
						requestId: getId,
						status: 400,
						errorType: "ResourceNotFoundException",
						action: "GetId",
					},
				],
			);
			assert.doesNotMatch(out, /QueryToken-cli|LoginsValue-cli/);
		} finally {
			assert.equal(await s.stop(), 0);
		}
	});

	test("--log-format pretty: one readable line per entry, no colours off a terminal, no JSON", async () => {
		const s = await serveIdpool([...SERVE, "--log-format", "pretty"]);
		try {
			const [nowhere, getId] = await twoRequests(s.url);
			const out = await stdoutWith(s, new RegExp(getId ?? "-"));
			assertBannerWhole(out);
			assert.ok(!out.includes("\x1b["), "no colours off a terminal");
			assert.doesNotMatch(out, /^\{/m, "no JSON line");
			const line = (id: string) =>
				out.split("\n").find((l) => l.includes(`requestId=${id}`)) ?? "";
			assert.match(
				line(nowhere ?? "-"),
				/^\d\d:\d\d:\d\d\.\d{3} INFO {2}request requestId=\S+ method=GET path=\/nowhere status=404 errorType=UnknownOperationException durationMs=[\d.]+$/,
			);
			assert.match(
				line(getId ?? "-"),
				/^\d\d:\d\d:\d\d\.\d{3} INFO {2}request requestId=\S+ service=cognito-identity action=GetId status=400 errorType=ResourceNotFoundException durationMs=[\d.]+ caller=unsigned$/,
			);
			assert.doesNotMatch(out, /QueryToken-cli|LoginsValue-cli/);
		} finally {
			assert.equal(await s.stop(), 0);
		}
	});

	test("IDPOOL_REQUEST_LOGS=off and IDPOOL_LOG_FORMAT=json: no request line", async () => {
		const s = await serveIdpool(SERVE, {
			env: { IDPOOL_REQUEST_LOGS: "off", IDPOOL_LOG_FORMAT: "json" },
		});
		try {
			await twoRequests(s.url);
			// A line logged after the requests shows that the log has caught up with them.
			s.child.kill("SIGTERM");
			assert.equal(await s.exited, 0);
			assert.match(s.stdout(), /SIGTERM received/);
			assert.doesNotMatch(s.stdout(), /"msg":"request"/);
		} finally {
			await s.stop();
		}
	});

	test("bad values are refused in one line", async () => {
		for (const [args, message] of [
			[
				["--log-format", "xml"],
				"idpool: log format must be json or pretty, got 'xml'\n",
			],
			[
				["--request-logs", "maybe"],
				"idpool: --request-logs must be on or off, got 'maybe'\n",
			],
		] as const) {
			const r = await runIdpool(["serve", ...SERVE, ...args]);
			assert.equal(r.code, 2, r.stderr);
			assert.equal(r.stderr, message);
		}
	});
});
