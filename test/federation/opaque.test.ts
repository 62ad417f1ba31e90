/**
 * Opaque tokens checked through each provider's own API, against doubles that speak the real
 * formats: Facebook's Graph API, Login with Amazon's tokeninfo, Twitter's verify_credentials
 * (which checks the OAuth 1.0a signature independently).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
	type FakeAmazon,
	type FakeFacebook,
	type FakeTwitter,
	startFakeAmazon,
	startFakeFacebook,
	startFakeTwitter,
} from "../support/fake-idp.ts";
import { harness, poolWith, rejectsWith, routedFetch } from "./helpers.ts";

const NA = "NotAuthorizedException";
const no = { allowCognitoTokens: false };

describe("Facebook", () => {
	let fb: FakeFacebook;
	before(async () => {
		fb = await startFakeFacebook({ appId: "1234567890" });
	});
	after(() => fb.close());
	const pool = (appId = "1234567890") =>
		poolWith({ SupportedLoginProviders: { "graph.facebook.com": appId } });
	const setup = () => harness({ "graph.facebook.com": { verifyUrl: fb.url } });

	test("a token of the pool's app: the user id from /me, amr with the app id", async () => {
		const { verifier } = await setup();
		const token = fb.issueToken("10220000000000001");
		const seen = fb.requests.length;
		const [login] = await verifier.verifyAll(
			pool(),
			{ "graph.facebook.com": token },
			no,
		);
		assert.equal(login?.subject, "10220000000000001");
		assert.equal(login?.kind, "external");
		assert.deepEqual(login?.amr, [
			"graph.facebook.com",
			"graph.facebook.com:1234567890:10220000000000001",
		]);
		assert.deepEqual(login?.claims, {
			sub: "10220000000000001",
			aud: "1234567890",
			id: "10220000000000001",
			app_id: "1234567890",
		});
		const asked = fb.requests.slice(seen).sort();
		assert.deepEqual(asked, [
			`/app?access_token=${encodeURIComponent(token)}`,
			`/me?fields=id&access_token=${encodeURIComponent(token)}`,
		]);
	});

	test("a token of another app, an invalid token", async () => {
		const { verifier } = await setup();
		await rejectsWith(
			verifier.verifyAll(
				pool(),
				{ "graph.facebook.com": fb.issueToken("1", "5555") },
				no,
			),
			NA,
			"Token is not from a supported provider of this identity pool.",
		);
		await rejectsWith(
			verifier.verifyAll(pool(), { "graph.facebook.com": "EAAbogus" }, no),
			NA,
			"Invalid login token. Not a valid Facebook token.",
		);
	});

	test("the public Graph API when nothing is configured; a versioned base URL works", async () => {
		const routed = routedFetch({ "https://graph.facebook.com/": `${fb.url}/` });
		const { verifier } = await harness({}, { fetch: routed.fetch });
		const token = fb.issueToken("42");
		await verifier.verifyAll(pool(), { "graph.facebook.com": token }, no);
		assert.deepEqual(
			routed.asked.map((u) => new URL(u).origin + new URL(u).pathname).sort(),
			["https://graph.facebook.com/app", "https://graph.facebook.com/me"],
		);
		const versioned = routedFetch({
			"https://graph.facebook.com/v19.0/": `${fb.url}/`,
		});
		const v = await harness(
			{
				"graph.facebook.com": { verifyUrl: "https://graph.facebook.com/v19.0" },
			},
			{ fetch: versioned.fetch },
		);
		await v.verifier.verifyAll(pool(), { "graph.facebook.com": token }, no);
		assert.ok(
			versioned.asked.every((u) =>
				u.startsWith("https://graph.facebook.com/v19.0/"),
			),
		);
	});
});

describe("Login with Amazon", () => {
	let amazon: FakeAmazon;
	const clientId = "amzn1.application-oa2-client.0123456789abcdef";
	const appId = "amzn1.application.fedcba9876543210";
	before(async () => {
		amazon = await startFakeAmazon({ clientId, appId });
	});
	after(() => amazon.close());
	const pool = (id: string) =>
		poolWith({ SupportedLoginProviders: { "www.amazon.com": id } });
	const setup = () => harness({ "www.amazon.com": { verifyUrl: amazon.url } });

	test("the pool may hold the app id or the client id; amr with it; claims are tokeninfo's answer", async () => {
		const { verifier } = await setup();
		for (const configured of [appId, clientId]) {
			const token = amazon.issueToken("amzn1.account.AAAA");
			const [login] = await verifier.verifyAll(
				pool(configured),
				{ "www.amazon.com": token },
				no,
			);
			assert.equal(login?.subject, "amzn1.account.AAAA");
			assert.deepEqual(login?.amr, [
				"www.amazon.com",
				`www.amazon.com:${configured}:amzn1.account.AAAA`,
			]);
			assert.equal(login?.claims.user_id, "amzn1.account.AAAA");
			assert.equal(login?.claims.aud, clientId);
		}
	});

	test("a token of another app, an invalid token", async () => {
		const { verifier } = await setup();
		await rejectsWith(
			verifier.verifyAll(
				pool(appId),
				{
					"www.amazon.com": amazon.issueToken("amzn1.account.B", {
						clientId: "amzn1.application-oa2-client.other",
						appId: "amzn1.application.other",
					}),
				},
				no,
			),
			NA,
			"Token is not from a supported provider of this identity pool.",
		);
		await rejectsWith(
			verifier.verifyAll(pool(appId), { "www.amazon.com": "Atza|bogus" }, no),
			NA,
			"Invalid login token. Not a valid Login with Amazon token.",
		);
	});

	test("the public tokeninfo endpoint when nothing is configured", async () => {
		const routed = routedFetch({
			"https://api.amazon.com/auth/o2/tokeninfo": amazon.url,
		});
		const { verifier } = await harness({}, { fetch: routed.fetch });
		const token = amazon.issueToken("amzn1.account.C");
		await verifier.verifyAll(pool(appId), { "www.amazon.com": token }, no);
		assert.deepEqual(routed.asked, [
			`https://api.amazon.com/auth/o2/tokeninfo?access_token=${encodeURIComponent(token)}`,
		]);
	});
});

describe("Twitter", () => {
	let tw: FakeTwitter;
	before(async () => {
		tw = await startFakeTwitter({
			consumerKey: "ck-123",
			consumerSecret: "cs-secret/with+odd=chars",
		});
	});
	after(() => tw.close());
	const pool = (value = "ck-123;cs-secret/with+odd=chars") =>
		poolWith({ SupportedLoginProviders: { "api.twitter.com": value } });
	const setup = () => harness({ "api.twitter.com": { verifyUrl: tw.url } });

	test("a token;secret pair, signed with the consumer key and secret: the user's id_str", async () => {
		const { verifier } = await setup();
		const [login] = await verifier.verifyAll(
			pool(),
			{ "api.twitter.com": tw.issueToken("1234567890123456789", "jack") },
			no,
		);
		assert.equal(login?.subject, "1234567890123456789");
		assert.deepEqual(login?.amr, [
			"api.twitter.com",
			"api.twitter.com:ck-123:1234567890123456789",
		]);
		assert.equal(login?.claims.screen_name, "jack");
	});

	test("a pool with the wrong consumer secret fails Twitter's signature check", async () => {
		const { verifier } = await setup();
		await rejectsWith(
			verifier.verifyAll(
				pool("ck-123;wrong"),
				{ "api.twitter.com": tw.issueToken("1") },
				no,
			),
			NA,
			"Invalid login token. Not a valid Twitter token.",
		);
	});

	test("an unknown token, a token without its secret, a pool without a consumer secret", async () => {
		const { verifier } = await setup();
		await rejectsWith(
			verifier.verifyAll(pool(), { "api.twitter.com": "1-abc;def" }, no),
			NA,
			"Invalid login token. Not a valid Twitter token.",
		);
		await rejectsWith(
			verifier.verifyAll(pool(), { "api.twitter.com": "1-abc" }, no),
			NA,
			"Invalid login token. Not a valid Twitter token.",
		);
		await rejectsWith(
			verifier.verifyAll(
				pool("ck-123"),
				{ "api.twitter.com": tw.issueToken("1") },
				no,
			),
			NA,
			"The api.twitter.com provider of this identity pool must be configured as 'consumerKey;consumerSecret'.",
		);
	});
});
