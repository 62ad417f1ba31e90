/**
 * `GET /metrics` (docs/operating.md#metrics) after traffic from the official SDK clients: calls
 * counted by action and outcome, their durations as histograms, identities created, tokens
 * signed, store transactions and group commits, credentials issued, throttled calls,
 * federation fetches and their failures by provider kind, Node's process metrics; no label
 * carries an id; `--metrics off` leaves `/metrics` a 404 like any unknown path;
 * `--metrics-port` serves it on a port of its own. Each server has its own registry.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
	CreateIdentityPoolCommand,
	DescribeIdentityPoolCommand,
	GetCredentialsForIdentityCommand,
	GetIdCommand,
	GetOpenIdTokenCommand,
	GetOpenIdTokenForDeveloperIdentityCommand,
	ListIdentityPoolsCommand,
	SetIdentityPoolRolesCommand,
} from "@aws-sdk/client-cognito-identity";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { operationNames } from "../../src/operations/index.ts";
import { FACEBOOK, OIDC_KEY, useFederation } from "../support/federation.ts";
import { type Exposition, scrape } from "../support/metrics.ts";
import { freshSchema } from "../support/postgres.ts";
import { rejectsWith, stsClient, useServer } from "../support/server.ts";
import { exchange, freePort } from "../support/sockets.ts";
import { describeForEngine } from "../support/stores.ts";

const DEV = "login.example.app";
const AUTH = "arn:aws:iam::000000000000:role/Cognito_Auth";
const UNAUTH = "arn:aws:iam::000000000000:role/Cognito_Unauth";
const MISSING_POOL = "us-east-1:00000000-0000-0000-0000-000000000000";

const cognito = (action: string, outcome = "success") => ({
	service: "cognito-identity",
	action,
	outcome,
});

/** The buckets of one histogram series rise with `le` and end with `+Inf` at its count. */
function assertHistogram(
	m: Exposition,
	name: string,
	labels: Record<string, string>,
	count: number,
) {
	assert.equal(m.types.get(name), "histogram", name);
	assert.equal(m.value(`${name}_count`, labels), count, `${name} count`);
	const buckets = m
		.find(`${name}_bucket`, labels)
		.sort((a, b) => Number(a.labels.le) - Number(b.labels.le));
	assert.ok(buckets.length > 3, `${name} has buckets`);
	for (let i = 1; i < buckets.length; i++) {
		assert.ok(
			(buckets[i]?.value ?? 0) >= (buckets[i - 1]?.value ?? 0),
			`${name} buckets are cumulative`,
		);
	}
	assert.equal(buckets.at(-1)?.labels.le, "+Inf");
	assert.equal(buckets.at(-1)?.value, count);
	const sum = m.value(`${name}_sum`, labels) ?? Number.NaN;
	assert.ok(sum > 0 && sum < 60 * count, `${name} sum ${sum}`);
}

describe("GET /metrics after SDK traffic", () => {
	const t = useServer({
		config: { rateLimits: { ListIdentityPools: 1 } },
	});
	/** Every id and secret the traffic made, none of which may appear in the metrics. */
	const secrets: string[] = [];
	let m: Exposition;

	before(async () => {
		const pool = await t.client.send(
			new CreateIdentityPoolCommand({
				IdentityPoolName: "metered",
				AllowUnauthenticatedIdentities: true,
				DeveloperProviderName: DEV,
			}),
		);
		const poolId = pool.IdentityPoolId as string;
		secrets.push(poolId, "metered");
		await t.client.send(
			new SetIdentityPoolRolesCommand({
				IdentityPoolId: poolId,
				Roles: { authenticated: AUTH, unauthenticated: UNAUTH },
			}),
		);
		// Two guests; one of them gets a token and credentials.
		const guest = await t.app.send(
			new GetIdCommand({ IdentityPoolId: poolId }),
		);
		const other = await t.app.send(
			new GetIdCommand({ IdentityPoolId: poolId }),
		);
		secrets.push(guest.IdentityId as string, other.IdentityId as string);
		await t.app.send(
			new GetOpenIdTokenCommand({ IdentityId: guest.IdentityId as string }),
		);
		const guestCredentials = await t.app.send(
			new GetCredentialsForIdentityCommand({
				IdentityId: guest.IdentityId as string,
			}),
		);
		// A developer user, new then returning: one authenticated identity, two tokens.
		for (let i = 0; i < 2; i++) {
			const dev = await t.client.send(
				new GetOpenIdTokenForDeveloperIdentityCommand({
					IdentityPoolId: poolId,
					Logins: { [DEV]: "developer-user-4711" },
				}),
			);
			secrets.push(dev.IdentityId as string);
		}
		secrets.push("developer-user-4711");
		// The STS endpoint, with the credentials issued above.
		const sts = stsClient(t.url, {
			region: "us-east-1",
			issued: guestCredentials.Credentials,
		});
		await sts.send(new GetCallerIdentityCommand({}));
		sts.destroy();
		secrets.push(guestCredentials.Credentials?.AccessKeyId as string);
		// Failures: a pool that does not exist (twice), a throttled call, an unknown operation.
		for (let i = 0; i < 2; i++) {
			await rejectsWith(
				t.client.send(
					new DescribeIdentityPoolCommand({ IdentityPoolId: MISSING_POOL }),
				),
				"ResourceNotFoundException",
			);
		}
		await t.client.send(new ListIdentityPoolsCommand({ MaxResults: 10 }));
		await rejectsWith(
			t.client.send(new ListIdentityPoolsCommand({ MaxResults: 10 })),
			"TooManyRequestsException",
		);
		const unknown = await fetch(t.url, {
			method: "POST",
			headers: {
				"content-type": "application/x-amz-json-1.1",
				"x-amz-target": "AWSCognitoIdentityService.NoSuchAction",
			},
			body: "{}",
		});
		assert.equal(unknown.status, 400);
		secrets.push(unknown.headers.get("x-amzn-requestid") as string);
		m = await scrape(t.url);
	});

	test("calls are counted by service, action and outcome", () => {
		const count = (labels: Record<string, string>) =>
			m.value("idpool_requests_total", labels);
		assert.equal(m.types.get("idpool_requests_total"), "counter");
		assert.equal(count(cognito("CreateIdentityPool")), 1);
		assert.equal(count(cognito("GetId")), 2);
		assert.equal(count(cognito("GetOpenIdToken")), 1);
		assert.equal(count(cognito("GetCredentialsForIdentity")), 1);
		assert.equal(count(cognito("GetOpenIdTokenForDeveloperIdentity")), 2);
		assert.equal(
			count(cognito("DescribeIdentityPool", "ResourceNotFoundException")),
			2,
		);
		assert.equal(count(cognito("DescribeIdentityPool")), 0);
		assert.equal(count(cognito("ListIdentityPools")), 1);
		assert.equal(
			count(cognito("ListIdentityPools", "TooManyRequestsException")),
			1,
		);
		assert.equal(
			count(cognito("unknown", "UnknownOperationException")),
			1,
			"a name the registry does not know is counted as action unknown",
		);
		assert.equal(
			count({
				service: "sts",
				action: "GetCallerIdentity",
				outcome: "success",
			}),
			1,
		);
		// Every action has its series from the start, at 0 until called.
		for (const [service, names] of [
			["cognito-identity", operationNames("cognito-identity")],
			["sts", operationNames("sts")],
		] as const) {
			for (const action of names) {
				assert.notEqual(
					count({ service, action, outcome: "success" }),
					undefined,
					`${service} ${action}`,
				);
			}
		}
		assert.equal(
			count({ service: "sts", action: "AssumeRoleWithWebIdentity" }),
			0,
		);
	});

	test("durations are histograms by action", () => {
		const name = "idpool_request_duration_seconds";
		assertHistogram(
			m,
			name,
			{ service: "cognito-identity", action: "GetId" },
			2,
		);
		assertHistogram(
			m,
			name,
			{ service: "cognito-identity", action: "DescribeIdentityPool" },
			2,
		);
		assertHistogram(
			m,
			name,
			{ service: "sts", action: "GetCallerIdentity" },
			1,
		);
	});

	test("identities, tokens, credentials, throttling and the store", () => {
		assert.equal(
			m.value("idpool_identities_created_total", { kind: "guest" }),
			2,
		);
		assert.equal(
			m.value("idpool_identities_created_total", { kind: "authenticated" }),
			1,
			"a returning developer user creates no identity",
		);
		// GetOpenIdToken, and the developer identity's two tokens.
		assert.equal(m.value("idpool_tokens_issued_total", { alg: "RS512" }), 3);
		assertHistogram(m, "idpool_token_signing_seconds", { alg: "RS512" }, 3);
		assert.equal(
			m.value("idpool_credentials_issued_total", { provider: "local" }),
			1,
		);
		assert.equal(
			m.value("idpool_throttled_requests_total", {
				action: "ListIdentityPools",
			}),
			1,
		);
		// Three new identities; the returning developer user's is only read.
		assertHistogram(
			m,
			"idpool_store_transaction_seconds",
			{ method: "identities.change" },
			3,
		);
		assertHistogram(
			m,
			"idpool_store_transaction_seconds",
			{ method: "pools.create" },
			1,
		);
		// Each change committed in a group of its own (they came one at a time).
		assertHistogram(m, "idpool_store_group_commit_size", {}, 3);
		assert.equal(m.value("idpool_store_group_commit_size_sum"), 3);
	});

	test("Node's process metrics under their standard names", () => {
		for (const [name, type] of [
			["process_cpu_seconds_total", "counter"],
			["process_resident_memory_bytes", "gauge"],
			["nodejs_eventloop_lag_seconds", "gauge"],
			["nodejs_heap_size_used_bytes", "gauge"],
			["nodejs_gc_duration_seconds", "histogram"],
		]) {
			assert.equal(m.types.get(name as string), type, name);
		}
		assert.ok((m.value("process_resident_memory_bytes") ?? 0) > 1e6);
	});

	test("no label holds an id, a name or a secret, and every name is Prometheus-style", async () => {
		const res = await fetch(`${t.url}/metrics`);
		assert.match(
			res.headers.get("content-type") ?? "",
			/^text\/plain; version=0\.0\.4/,
		);
		assert.equal(res.headers.get("cache-control"), "no-store");
		const text = await res.text();
		assert.ok(secrets.length >= 8);
		for (const secret of secrets) {
			assert.ok(!text.includes(secret), `the exposition shows ${secret}`);
		}
		for (const sample of m.samples) {
			for (const value of Object.values(sample.labels)) {
				assert.doesNotMatch(value, /[0-9a-f]{8}-[0-9a-f]{4}/, sample.name);
			}
			if (!sample.name.startsWith("idpool_")) continue;
			const family = sample.name.replace(/_(bucket|sum|count)$/, "");
			const type = m.types.get(family) ?? m.types.get(sample.name);
			if (type === "counter") assert.match(sample.name, /_total$/);
			if (/_seconds$/.test(family)) assert.equal(type, "histogram");
		}
	});
});

describe("federation fetches in the metrics", () => {
	const f = useFederation();

	test("fetches and failures are counted by provider kind and document", async () => {
		const poolId = await f.pool();
		await f.getId(poolId, { [OIDC_KEY]: await f.tokens.oidc("user-1") });
		await f.getId(poolId, { [OIDC_KEY]: await f.tokens.oidc("user-2") });
		await f.getId(poolId, { [FACEBOOK]: f.tokens.facebook("3003") });
		f.facebook.setMode("down");
		await rejectsWith(
			f.getId(poolId, { [FACEBOOK]: f.tokens.facebook("4004") }),
			"ExternalServiceException",
		);
		const m = await scrape(f.ts.url);
		const fetches = (labels: Record<string, string>) =>
			m.value("idpool_federation_fetches_total", labels);
		const failures = (labels: Record<string, string>) =>
			m.value("idpool_federation_fetch_failures_total", labels);
		// The issuer's keys are fetched once and kept.
		assert.equal(fetches({ kind: "oidc", document: "jwks" }), 1);
		assert.equal(failures({ kind: "oidc", document: "jwks" }), undefined);
		// Facebook's API is asked twice for each token (/app and /me); the second time it was down.
		assert.equal(fetches({ kind: "facebook", document: "api" }), 4);
		assert.equal(failures({ kind: "facebook", document: "api" }), 2);
		assert.equal(
			m.value(
				"idpool_requests_total",
				cognito("GetId", "ExternalServiceException"),
			),
			1,
		);
		assert.equal(
			m.value("idpool_identities_created_total", { kind: "authenticated" }),
			3,
		);
	});
});

describe("what the HTTP layer answers or refuses itself", () => {
	const t = useServer();

	test("answers by route and status, refusals by reason; no path a client chose", async () => {
		const before = await scrape(t.url);
		for (const reason of [
			"malformed",
			"timeout",
			"headers_too_large",
			"connection_limit",
		]) {
			assert.equal(
				before.value("idpool_http_refused_total", { reason }),
				0,
				`the ${reason} series exists from the start`,
			);
		}
		const unknown = await fetch(`${t.url}/no-such-path-7f3a9c`);
		assert.equal(unknown.status, 404);
		await unknown.body?.cancel();
		const jwks = await fetch(`${t.url}/.well-known/jwks_uri`);
		assert.equal(jwks.status, 200);
		await jwks.body?.cancel();
		const tooLarge = await fetch(t.url, {
			method: "POST",
			headers: {
				"content-type": "application/x-amz-json-1.1",
				"x-amz-target": "AWSCognitoIdentityService.ListIdentityPools",
			},
			body: "x".repeat(2 * 1024 * 1024),
		});
		assert.equal(tooLarge.status, 413);
		await tooLarge.body?.cancel();
		const malformed = await exchange(t.url, "NOT HTTP AT ALL\r\n\r\n");
		assert.equal(malformed.answer?.status, 400);
		const headers = await exchange(
			t.url,
			`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`,
		);
		assert.equal(headers.answer?.status, 431);
		// The health endpoints are left out, as in the request log.
		await (await fetch(`${t.url}/health`)).body?.cancel();

		const after = await scrape(t.url);
		const answered = (route: string, status: string) =>
			(after.value("idpool_http_responses_total", { route, status }) ?? 0) -
			(before.value("idpool_http_responses_total", { route, status }) ?? 0);
		assert.equal(answered("unmatched", "404"), 1);
		assert.equal(answered("/.well-known/jwks_uri", "200"), 1);
		assert.equal(answered("/", "413"), 1);
		assert.equal(
			after
				.find("idpool_http_responses_total")
				.filter((s) => s.labels.route?.startsWith("/health")).length,
			0,
		);
		assert.equal(
			after.value("idpool_http_refused_total", { reason: "malformed" }),
			1,
		);
		assert.equal(
			after.value("idpool_http_refused_total", {
				reason: "headers_too_large",
			}),
			1,
		);
		const text = await (await fetch(`${t.url}/metrics`)).text();
		assert.ok(!text.includes("7f3a9c"), "no path a client chose");
	});
});

describe("GET /metrics with --metrics off", () => {
	const t = useServer({ config: { metrics: false } });

	test("is a 404 in the error envelope of any unknown path", async () => {
		await t.client.send(new ListIdentityPoolsCommand({ MaxResults: 1 }));
		const metrics = await fetch(`${t.url}/metrics`);
		const other = await fetch(`${t.url}/no-such-path`);
		assert.equal(metrics.status, 404);
		assert.equal(
			metrics.headers.get("x-amzn-errortype"),
			other.headers.get("x-amzn-errortype"),
		);
		const body = (await metrics.json()) as Record<string, string>;
		assert.equal(body.__type, "UnknownOperationException");
		assert.equal(body.message, "No such resource: GET /metrics");
	});
});

describe("GET /metrics with --metrics-port", () => {
	const t = useServer(async () => ({
		config: { metricsPort: await freePort() },
	}));

	test("answers on its own port, and the main port does not serve it", async () => {
		const metricsUrl = t.server.metricsUrl as string;
		assert.equal(metricsUrl, `http://127.0.0.1:${t.server.config.metricsPort}`);
		await t.client.send(new ListIdentityPoolsCommand({ MaxResults: 1 }));
		await t.client.send(new ListIdentityPoolsCommand({ MaxResults: 1 }));
		const m = await scrape(metricsUrl);
		// This server's own registry: the calls of the other servers of this file are not here.
		assert.equal(
			m.value("idpool_requests_total", cognito("ListIdentityPools")),
			2,
		);
		assert.equal(m.value("idpool_requests_total", cognito("GetId")), 0);

		const onMain = await fetch(`${t.url}/metrics`);
		assert.equal(onMain.status, 404);
		assert.equal(
			((await onMain.json()) as Record<string, string>).__type,
			"UnknownOperationException",
		);
		const elsewhere = await fetch(`${metricsUrl}/`);
		assert.equal(elsewhere.status, 404);
		assert.equal(
			((await elsewhere.json()) as Record<string, string>).__type,
			"UnknownOperationException",
		);
	});
});

describeForEngine("postgres", "GET /metrics on PostgreSQL", () => {
	let schema: Awaited<ReturnType<typeof freshSchema>> | undefined;
	const t = useServer(async () => {
		schema = await freshSchema();
		return { config: { db: schema.url } };
	});
	after(() => schema?.drop());

	test("first logins of one user at once: one identity counted, retries by reason, no group commits", async () => {
		const pool = await t.client.send(
			new CreateIdentityPoolCommand({
				IdentityPoolName: "contended",
				AllowUnauthenticatedIdentities: false,
				DeveloperProviderName: DEV,
			}),
		);
		const answers = await Promise.all(
			Array.from({ length: 12 }, () =>
				t.client.send(
					new GetOpenIdTokenForDeveloperIdentityCommand({
						IdentityPoolId: pool.IdentityPoolId as string,
						Logins: { [DEV]: "same-user" },
					}),
				),
			),
		);
		assert.equal(new Set(answers.map((a) => a.IdentityId)).size, 1);
		const m = await scrape(t.url);
		// However many times the losers' transactions ran again, one identity was created.
		assert.equal(
			m.value("idpool_identities_created_total", { kind: "authenticated" }),
			1,
		);
		assert.equal(
			m.value(
				"idpool_requests_total",
				cognito("GetOpenIdTokenForDeveloperIdentity"),
			),
			12,
		);
		assert.equal(
			m.types.get("idpool_store_transaction_retries_total"),
			"counter",
		);
		for (const retry of m.find("idpool_store_transaction_retries_total")) {
			assert.ok(
				[
					"serialization_failure",
					"deadlock",
					"unique_violation",
					"stale_connection",
				].includes(retry.labels.reason as string),
				JSON.stringify(retry),
			);
		}
		assert.equal(m.value("idpool_store_group_commit_size_count"), 0);
	});
});
