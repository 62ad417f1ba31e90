/**
 * Providers that are down, hang or fail: every case answers ExternalServiceException within
 * the configured bound, and verification works again once the provider is back. A provider
 * whose discovery document is unreachable keeps its last known key location.
 */
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { after, before, describe, test } from "node:test";
import { FakeClock } from "../../src/lib/clock.ts";
import {
	type FakeMode,
	type FakeServer,
	startFakeAmazon,
	startFakeFacebook,
	startFakeOidc,
	startFakeTwitter,
} from "../support/fake-idp.ts";
import {
	ACCOUNT,
	harness,
	poolWith,
	rejectsWith,
	routedFetch,
} from "./helpers.ts";

const ES = "ExternalServiceException";
/**
 * The fetch bound of these tests: a hang costs this long, and a healthy provider on loopback
 * must answer within it even on a machine busy with other suites (300 ms was not always
 * enough for the recovery fetch there).
 */
const TIMEOUT = 2000;
const OIDC_KEY = "oidc.example.com";
const OIDC_ARN = `arn:aws:iam::${ACCOUNT}:oidc-provider/${OIDC_KEY}`;
const no = { allowCognitoTokens: false };

/** A loopback port nobody listens on. */
async function closedPort(): Promise<number> {
	const server = createServer();
	await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
	const { port } = server.address() as { port: number };
	await new Promise<void>((r) => server.close(() => r()));
	return port;
}

/**
 * Runs `call`, asserting ExternalServiceException naming `provider` and the `reason` that
 * ended the fetch (a refusal, an error answer, or the configured timeout).
 */
async function failsInTime(
	call: () => Promise<unknown>,
	provider: string,
	reason: RegExp,
): Promise<void> {
	await rejectsWith(
		call(),
		ES,
		new RegExp(
			`^The identity provider ${provider.replace(/\./g, "\\.")} could not be reached: ${reason.source}`,
		),
	);
}

describe("JWKS of an ID-token issuer", () => {
	const pool = () => poolWith({ OpenIdConnectProviderARNs: [OIDC_ARN] });

	for (const [mode, reason] of [
		["down", /connection failed/],
		["hang", /no answer within 2000 ms/],
		["error", /its JWKS answered HTTP 503|HTTP 503/],
	] as [FakeMode, RegExp][]) {
		test(`provider ${mode}: ExternalServiceException in bounded time, then recovery`, async () => {
			const idp = await startFakeOidc();
			try {
				const { verifier } = await harness(
					{ [OIDC_KEY]: { jwksUri: idp.jwksUri, clientIds: ["app1"] } },
					{ fetchTimeoutMs: TIMEOUT },
				);
				const token = await idp.mint({
					iss: `https://${OIDC_KEY}`,
					sub: "u",
					aud: "app1",
				});
				idp.setMode(mode);
				await failsInTime(
					() => verifier.verifyAll(pool(), { [OIDC_KEY]: token }, no),
					OIDC_KEY,
					reason,
				);
				idp.setMode("ok");
				const [login] = await verifier.verifyAll(
					pool(),
					{ [OIDC_KEY]: token },
					no,
				);
				assert.equal(login?.subject, "u");
			} finally {
				await idp.close();
			}
		});
	}

	test("nobody listening at the configured URL", async () => {
		const port = await closedPort();
		const idp = await startFakeOidc();
		try {
			const { verifier } = await harness(
				{
					[OIDC_KEY]: {
						jwksUri: `http://127.0.0.1:${port}/jwks.json`,
						clientIds: ["app1"],
					},
				},
				{ fetchTimeoutMs: TIMEOUT },
			);
			const token = await idp.mint({
				iss: `https://${OIDC_KEY}`,
				sub: "u",
				aud: "app1",
			});
			await failsInTime(
				() => verifier.verifyAll(pool(), { [OIDC_KEY]: token }, no),
				OIDC_KEY,
				/connection failed/,
			);
		} finally {
			await idp.close();
		}
	});

	test("a JWKS URL that answers 404 or something that is not a key set", async () => {
		const idp = await startFakeOidc();
		try {
			const token = await idp.mint({
				iss: `https://${OIDC_KEY}`,
				sub: "u",
				aud: "app1",
			});
			for (const [url, reason] of [
				[`${idp.issuer}/nowhere`, /its JWKS answered HTTP 404/],
				[idp.discoveryUrl, /its JWKS is not a key set/],
			] as [string, RegExp][]) {
				const { verifier } = await harness(
					{ [OIDC_KEY]: { jwksUri: url, clientIds: ["app1"] } },
					{ fetchTimeoutMs: TIMEOUT },
				);
				await failsInTime(
					() => verifier.verifyAll(pool(), { [OIDC_KEY]: token }, no),
					OIDC_KEY,
					reason,
				);
			}
		} finally {
			await idp.close();
		}
	});

	test("discovery down: a hang is bounded; a stale discovery document is kept once known", async () => {
		const idp = await startFakeOidc();
		const clock = new FakeClock();
		try {
			const routed = routedFetch({
				[`https://${OIDC_KEY}/`]: `${idp.issuer}/`,
			});
			const { verifier } = await harness(
				{ [OIDC_KEY]: { clientIds: ["app1"] } },
				{ fetchTimeoutMs: TIMEOUT, fetch: routed.fetch, clock },
			);
			const mint = () =>
				idp.mint({ iss: `https://${OIDC_KEY}`, sub: "u", aud: "app1" });
			const token = await mint();
			idp.setMode("hang");
			await failsInTime(
				() => verifier.verifyAll(pool(), { [OIDC_KEY]: token }, no),
				OIDC_KEY,
				/no answer within 2000 ms/,
			);
			idp.setMode("ok");
			await verifier.verifyAll(pool(), { [OIDC_KEY]: await mint() }, no);
			// Eleven minutes later the document is stale; the provider's discovery is down,
			// but its keys (cached by the key set) still verify.
			clock.advanceBy(11 * 60_000);
			idp.setMode("error");
			const [login] = await verifier.verifyAll(
				pool(),
				{ [OIDC_KEY]: await mint() },
				no,
			);
			assert.equal(login?.subject, "u");
		} finally {
			await idp.close();
		}
	});
});

describe("token-inspection APIs", () => {
	const servers: FakeServer[] = [];
	let cases: {
		name: string;
		key: string;
		server: FakeServer;
		pool: ReturnType<typeof poolWith>;
		verifyUrl: string;
		token: () => string;
	}[] = [];
	before(async () => {
		const fb = await startFakeFacebook({ appId: "1" });
		const amz = await startFakeAmazon({ clientId: "c", appId: "a" });
		const tw = await startFakeTwitter({
			consumerKey: "k",
			consumerSecret: "s",
		});
		servers.push(fb, amz, tw);
		cases = [
			{
				name: "Facebook",
				key: "graph.facebook.com",
				server: fb,
				pool: poolWith({
					SupportedLoginProviders: { "graph.facebook.com": "1" },
				}),
				verifyUrl: fb.url,
				token: () => fb.issueToken("u"),
			},
			{
				name: "Amazon",
				key: "www.amazon.com",
				server: amz,
				pool: poolWith({ SupportedLoginProviders: { "www.amazon.com": "a" } }),
				verifyUrl: amz.url,
				token: () => amz.issueToken("amzn1.account.u"),
			},
			{
				name: "Twitter",
				key: "api.twitter.com",
				server: tw,
				pool: poolWith({
					SupportedLoginProviders: { "api.twitter.com": "k;s" },
				}),
				verifyUrl: tw.url,
				token: () => tw.issueToken("7"),
			},
		];
	});
	after(async () => {
		for (const s of servers) await s.close();
	});

	test("down, hanging or failing: ExternalServiceException in bounded time, then recovery", async () => {
		for (const c of cases) {
			const { verifier } = await harness(
				{ [c.key]: { verifyUrl: c.verifyUrl } },
				{ fetchTimeoutMs: TIMEOUT },
			);
			for (const [mode, reason] of [
				["down", /connection failed/],
				["hang", /no answer within 2000 ms/],
				["error", /HTTP 503/],
			] as [FakeMode, RegExp][]) {
				c.server.setMode(mode);
				await failsInTime(
					() => verifier.verifyAll(c.pool, { [c.key]: c.token() }, no),
					c.key,
					reason,
				);
			}
			c.server.setMode("ok");
			const [login] = await verifier.verifyAll(
				c.pool,
				{ [c.key]: c.token() },
				no,
			);
			assert.equal(login?.provider, c.key, c.name);
		}
	});
});
