/**
 * @module federation/classify.test
 * Unit tests of the classification of `Logins` keys against a pool (docs/behaviour.md#federation and
 * docs/behaviour.md#issuer): every kind, keys that must not match (prototype names, prefixes, the developer
 * provider), and the checks that keep configured keys from naming other hosts.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { oidcKeyOfArn } from "../domain/logins.ts";
import type { PoolRecord, PoolSettings } from "../domain/records.ts";
import { classifyLogin, ownLoginKeys } from "./classify.ts";
import { isPlainIssuerKey } from "./kinds/oidc.ts";
import {
	issuersOfKey,
	type ProviderMap,
	userPoolSettingsOf,
} from "./providers.ts";

const UP = "cognito-idp.us-east-1.amazonaws.com/us-east-1_Abc";
const OIDC_ARN =
	"arn:aws:iam::123456789012:oidc-provider/oidc.example.com/tenant";
const SAML_ARN = "arn:aws:iam::123456789012:saml-provider/corp";

function pool(settings: Partial<PoolSettings> = {}): PoolRecord {
	return {
		accountId: "000000000000",
		region: "us-east-1",
		poolId: "us-east-1:00000000-0000-0000-0000-000000000001",
		settings: {
			IdentityPoolName: "p",
			AllowUnauthenticatedIdentities: false,
			DeveloperProviderName: "login.example.app",
			SupportedLoginProviders: {
				"accounts.google.com": "g-client",
				"appleid.apple.com": "com.example.app",
				"graph.facebook.com": "1234",
				"www.amazon.com": "amzn1.application.x",
				"api.twitter.com": "ck;cs",
				"www.digits.com": "dk;ds",
			},
			CognitoIdentityProviders: [
				{ ProviderName: UP, ClientId: "client1" },
				{ ProviderName: UP, ClientId: "client2" },
				{ ProviderName: "cognito-idp.us-east-1.amazonaws.com/us-east-1_Other" },
			],
			OpenIdConnectProviderARNs: [OIDC_ARN],
			SamlProviderARNs: [SAML_ARN],
			...settings,
		},
		roles: {},
		tags: {},
		createdAt: 0,
		updatedAt: 0,
	};
}

const own = ownLoginKeys("http://127.0.0.1:8700");

test("own login keys: cognito-identity.amazonaws.com and the issuer without scheme or trailing slash", () => {
	assert.deepEqual(
		[...own],
		["cognito-identity.amazonaws.com", "127.0.0.1:8700"],
	);
	assert.deepEqual(
		[...ownLoginKeys("https://id.example.com/base/")],
		["cognito-identity.amazonaws.com", "id.example.com/base"],
	);
});

test("OIDC keys are the ARN's part after oidc-provider/", () => {
	assert.equal(oidcKeyOfArn(OIDC_ARN), "oidc.example.com/tenant");
	assert.equal(oidcKeyOfArn(SAML_ARN), undefined);
});

test("every kind of key", () => {
	const p = pool();
	assert.deepEqual(classifyLogin(p, "cognito-identity.amazonaws.com", own), {
		kind: "own",
	});
	assert.deepEqual(classifyLogin(p, "127.0.0.1:8700", own), { kind: "own" });
	assert.deepEqual(classifyLogin(p, UP, own), {
		kind: "userPool",
		clientIds: ["client1", "client2"],
	});
	assert.deepEqual(
		classifyLogin(
			p,
			"cognito-idp.us-east-1.amazonaws.com/us-east-1_Other",
			own,
		),
		{ kind: "userPool", clientIds: [] },
	);
	assert.deepEqual(classifyLogin(p, "oidc.example.com/tenant", own), {
		kind: "oidc",
		arn: OIDC_ARN,
	});
	assert.deepEqual(classifyLogin(p, "accounts.google.com", own), {
		kind: "google",
		appId: "g-client",
	});
	assert.deepEqual(classifyLogin(p, "appleid.apple.com", own), {
		kind: "apple",
		appId: "com.example.app",
	});
	assert.deepEqual(classifyLogin(p, "graph.facebook.com", own), {
		kind: "facebook",
		appId: "1234",
	});
	assert.deepEqual(classifyLogin(p, "www.amazon.com", own), {
		kind: "amazon",
		appId: "amzn1.application.x",
	});
	assert.deepEqual(classifyLogin(p, "api.twitter.com", own), {
		kind: "twitter",
		consumerKey: "ck",
		consumerSecret: "cs",
	});
	assert.deepEqual(classifyLogin(p, "www.digits.com", own), {
		kind: "unsupportedSocial",
	});
	assert.deepEqual(classifyLogin(p, SAML_ARN, own), {
		kind: "saml",
		arn: SAML_ARN,
	});
});

test("keys that are not providers of the pool are unknown", () => {
	const p = pool();
	for (const key of [
		"login.example.app", // the developer provider name
		"oidc.example.com", // a prefix of a configured OIDC key
		"https://oidc.example.com/tenant",
		"cognito-idp.us-east-1.amazonaws.com/us-east-1_Nope",
		"arn:aws:iam::123456789012:saml-provider/other",
		"constructor",
		"__proto__",
		"toString",
	]) {
		assert.deepEqual(classifyLogin(p, key, own), { kind: "unknown" }, key);
	}
	assert.deepEqual(
		classifyLogin(
			pool({ SupportedLoginProviders: {} }),
			"accounts.google.com",
			own,
		),
		{ kind: "unknown" },
	);
});

test("own keys win over a pool provider of the same name", () => {
	const p = pool({
		OpenIdConnectProviderARNs: [
			"arn:aws:iam::123456789012:oidc-provider/cognito-identity.amazonaws.com",
		],
	});
	assert.deepEqual(classifyLogin(p, "cognito-identity.amazonaws.com", own), {
		kind: "own",
	});
});

test("Twitter without a consumer secret is reported as such", () => {
	assert.deepEqual(
		classifyLogin(
			pool({ SupportedLoginProviders: { "api.twitter.com": "ck" } }),
			"api.twitter.com",
			own,
		),
		{ kind: "twitter", consumerKey: "ck", consumerSecret: undefined },
	);
});

test("OIDC keys that could smuggle another host into the discovery URL are not plain", () => {
	assert.ok(isPlainIssuerKey("oidc.example.com"));
	assert.ok(isPlainIssuerKey("token.actions.githubusercontent.com"));
	assert.ok(isPlainIssuerKey("login.example.com:8443/realms/main"));
	assert.ok(!isPlainIssuerKey("user@internal.example/x"));
	assert.ok(!isPlainIssuerKey("oidc.example.com?x=1"));
	assert.ok(!isPlainIssuerKey("oidc.example.com#frag"));
	assert.ok(!isPlainIssuerKey(""));
	// The IPv6 loopback, and no other literal.
	assert.ok(isPlainIssuerKey("[::1]:8700/dev-issuer"));
	assert.ok(!isPlainIssuerKey("[fe80::1]:8700/x"));
	assert.ok(!isPlainIssuerKey("[::1]@evil.example/x"));
});

test("issuers of OIDC and user-pool keys: https://<key>, and http://<key> only on loopback", () => {
	assert.deepEqual(issuersOfKey("oidc.example.com/t"), [
		"https://oidc.example.com/t",
	]);
	assert.deepEqual(issuersOfKey("localhost:8080/realms/main"), [
		"https://localhost:8080/realms/main",
		"http://localhost:8080/realms/main",
	]);
	assert.deepEqual(issuersOfKey("127.0.0.1:9000"), [
		"https://127.0.0.1:9000",
		"http://127.0.0.1:9000",
	]);
	assert.deepEqual(issuersOfKey("127.0.0.1.evil.example"), [
		"https://127.0.0.1.evil.example",
	]);
	assert.deepEqual(issuersOfKey("localhost.evil.example:80"), [
		"https://localhost.evil.example:80",
	]);
});

test("a user pool's settings: its own entry, else its emulator's <host>/* entry, never for other names", () => {
	const own = { jwksUri: "http://localhost:9229/own.json" };
	const emulator = { jwksUri: "http://localhost:9229/keys.json" };
	const providers: ProviderMap = Object.assign(Object.create(null), {
		"localhost:9229/local_Own": own,
		"localhost:9229/*": emulator,
	});
	assert.equal(userPoolSettingsOf(providers, "localhost:9229/local_Own"), own);
	assert.equal(
		userPoolSettingsOf(providers, "localhost:9229/local_Other-1"),
		emulator,
	);
	// Another port, another host, more than one segment, dots, the wildcard itself.
	for (const key of [
		"localhost:9230/local_X",
		"127.0.0.1:9229/local_X",
		"localhost:9229/a/b",
		"localhost:9229/..",
		"localhost:9229/local.X",
		"localhost:9229/*",
		"user@localhost:9229/local_X",
	]) {
		assert.equal(userPoolSettingsOf(providers, key), undefined, key);
	}
});
