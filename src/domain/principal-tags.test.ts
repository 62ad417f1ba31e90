/**
 * @module domain/principal-tags.test
 * Unit tests of the principal tag rules (docs/behaviour.md#federation and docs/behaviour.md#principal-tags): the provider names
 * a pool accepts, the map stored from an input, the map in force with the defaults, and the
 * session tags a login's claims yield.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ServiceError } from "../errors/service-errors.ts";
import {
	AMAZON_DEFAULT_PRINCIPAL_TAGS,
	DEFAULT_PRINCIPAL_TAGS,
	defaultPrincipalTags,
	principalTagMapFromInput,
	principalTagMapInForce,
	principalTagProviderNames,
	principalTagProviderOf,
	principalTagsFor,
	providerNotConfigured,
	requireTagProvider,
} from "./principal-tags.ts";
import type { PoolSettings } from "./records.ts";

const POOL_ID = "us-east-1:00000000-0000-4000-8000-000000000001";
const USER_POOL = "cognito-idp.us-east-1.amazonaws.com/us-east-1_Abc";
const OIDC =
	"arn:aws:iam::111111111111:oidc-provider/issuer.example.com/tenant";
const SAML = "arn:aws:iam::111111111111:saml-provider/corp";

const FULL: PoolSettings = {
	IdentityPoolName: "full",
	AllowUnauthenticatedIdentities: false,
	SupportedLoginProviders: {
		"accounts.google.com": "g-client",
		"www.amazon.com": "amzn1.application.x",
	},
	DeveloperProviderName: "login.example.app",
	CognitoIdentityProviders: [
		{ ProviderName: USER_POOL, ClientId: "c1" },
		{ ProviderName: USER_POOL, ClientId: "c2" },
	],
	OpenIdConnectProviderARNs: [OIDC],
	SamlProviderARNs: [SAML],
};

const INACTIVE = { useDefaults: false, principalTags: {} };
const DEFAULTS = { useDefaults: true, principalTags: {} };

describe("principal tag provider names (docs/behaviour.md#federation)", () => {
	test("each configured provider by its name (docs/behaviour.md#federation); nothing else", () => {
		assert.deepEqual(
			[...principalTagProviderNames(FULL)].sort(),
			["accounts.google.com", "www.amazon.com", USER_POOL, OIDC, SAML].sort(),
		);
		assert.deepEqual(
			[
				...principalTagProviderNames({
					IdentityPoolName: "bare",
					AllowUnauthenticatedIdentities: true,
				}),
			],
			[],
		);
	});

	test("requireTagProvider accepts those names exactly and refuses every other", () => {
		for (const name of principalTagProviderNames(FULL)) {
			requireTagProvider({ poolId: POOL_ID, settings: FULL }, name);
		}
		for (const name of [
			"login.example.app",
			"cognito-identity.amazonaws.com",
			`${USER_POOL}:c1`,
			"issuer.example.com/tenant",
			"https://accounts.google.com",
			"Accounts.google.com",
			"graph.facebook.com",
			"arn:aws:iam::111111111111:oidc-provider/other",
			"constructor",
			"__proto__",
		]) {
			assert.throws(
				() => requireTagProvider({ poolId: POOL_ID, settings: FULL }, name),
				(e: unknown) =>
					e instanceof ServiceError &&
					e.name === "ResourceNotFoundException" &&
					e.message === providerNotConfigured(POOL_ID, name),
				name,
			);
		}
	});

	test("the message names the provider and the pool", () => {
		assert.equal(
			providerNotConfigured(POOL_ID, "graph.facebook.com"),
			`Identity provider 'graph.facebook.com' is not configured for identity pool '${POOL_ID}'.`,
		);
	});

	test("principalTagProviderOf maps a Logins key to the name of its map", () => {
		assert.equal(
			principalTagProviderOf(FULL, "accounts.google.com"),
			"accounts.google.com",
		);
		assert.equal(
			principalTagProviderOf(FULL, "www.amazon.com"),
			"www.amazon.com",
		);
		assert.equal(principalTagProviderOf(FULL, USER_POOL), USER_POOL);
		// OIDC: the Logins key is the issuer host (and path); the map is named by the ARN.
		assert.equal(
			principalTagProviderOf(FULL, "issuer.example.com/tenant"),
			OIDC,
		);
		assert.equal(principalTagProviderOf(FULL, SAML), SAML);
		for (const key of [
			"login.example.app",
			"cognito-identity.amazonaws.com",
			"issuer.example.com",
			OIDC,
			"graph.facebook.com",
			"constructor",
		]) {
			assert.equal(principalTagProviderOf(FULL, key), undefined, key);
		}
	});
});

describe("the stored map and the map in force (docs/behaviour.md#principal-tags)", () => {
	test("UseDefaults true keeps no custom map; omitted members are false and {}", () => {
		assert.deepEqual(principalTagMapFromInput({}), INACTIVE);
		assert.deepEqual(principalTagMapFromInput({ UseDefaults: true }), DEFAULTS);
		assert.deepEqual(
			principalTagMapFromInput({
				UseDefaults: true,
				PrincipalTags: { a: "b" },
			}),
			DEFAULTS,
		);
		assert.deepEqual(
			principalTagMapFromInput({ UseDefaults: false, PrincipalTags: {} }),
			INACTIVE,
		);
		assert.deepEqual(principalTagMapFromInput({ PrincipalTags: { a: "b" } }), {
			useDefaults: false,
			principalTags: { a: "b" },
		});
	});

	test("the stored map is a copy in the caller's order", () => {
		const input = { PrincipalTags: { z: "1", a: "2", m: "3" } };
		const map = principalTagMapFromInput(input);
		input.PrincipalTags.z = "changed";
		assert.deepEqual(Object.entries(map.principalTags), [
			["z", "1"],
			["a", "2"],
			["m", "3"],
		]);
	});

	test("never set is inactive; defaults are reported populated, Amazon's with user_id", () => {
		assert.deepEqual(principalTagMapInForce(USER_POOL, undefined), {
			UseDefaults: false,
			PrincipalTags: {},
		});
		assert.deepEqual(principalTagMapInForce(USER_POOL, DEFAULTS), {
			UseDefaults: true,
			PrincipalTags: { username: "sub", client: "aud" },
		});
		assert.deepEqual(
			Object.keys(principalTagMapInForce(OIDC, DEFAULTS).PrincipalTags),
			["username", "client"],
		);
		assert.deepEqual(principalTagMapInForce("www.amazon.com", DEFAULTS), {
			UseDefaults: true,
			PrincipalTags: { username: "user_id", client: "aud" },
		});
		assert.deepEqual(principalTagMapInForce(USER_POOL, INACTIVE), {
			UseDefaults: false,
			PrincipalTags: {},
		});
		assert.deepEqual(
			principalTagMapInForce(USER_POOL, {
				useDefaults: false,
				principalTags: { tenant: "custom:tenant" },
			}),
			{ UseDefaults: false, PrincipalTags: { tenant: "custom:tenant" } },
		);
	});

	test("the defaults are frozen and handed out as copies", () => {
		assert.ok(Object.isFrozen(DEFAULT_PRINCIPAL_TAGS));
		assert.ok(Object.isFrozen(AMAZON_DEFAULT_PRINCIPAL_TAGS));
		const copy = defaultPrincipalTags("accounts.google.com");
		copy.username = "changed";
		assert.equal(defaultPrincipalTags("accounts.google.com").username, "sub");
		const answered = principalTagMapInForce(USER_POOL, DEFAULTS).PrincipalTags;
		answered.client = "changed";
		assert.equal(DEFAULT_PRINCIPAL_TAGS.client, "aud");
	});
});

describe("principalTagsFor", () => {
	const claims = {
		sub: "user-1",
		aud: "client-1",
		email: "a@example.com",
		"custom:tenant": "acme",
	};

	test("no map, or an inactive one, yields no tags", () => {
		const login = { provider: USER_POOL, claims };
		assert.deepEqual(principalTagsFor(undefined, login), {});
		assert.deepEqual(principalTagsFor(INACTIVE, login), {});
	});

	test("defaults: username from sub, client from aud", () => {
		assert.deepEqual(
			principalTagsFor(DEFAULTS, { provider: USER_POOL, claims }),
			{
				username: "user-1",
				client: "client-1",
			},
		);
	});

	test("Amazon's defaults read user_id, not sub", () => {
		assert.deepEqual(
			principalTagsFor(DEFAULTS, {
				provider: "www.amazon.com",
				claims: {
					user_id: "amzn1.account.X",
					aud: "amzn1.application-oa2-client.Y",
					sub: "not-this",
				},
			}),
			{ username: "amzn1.account.X", client: "amzn1.application-oa2-client.Y" },
		);
		// Without user_id, Amazon's username tag is absent (sub is not a fallback).
		assert.deepEqual(
			principalTagsFor(DEFAULTS, {
				provider: "www.amazon.com",
				claims: { sub: "s", aud: "a" },
			}),
			{ client: "a" },
		);
	});

	test("a custom map, in its order, with missing claims skipped", () => {
		const tags = principalTagsFor(
			{
				useDefaults: false,
				principalTags: {
					tenant: "custom:tenant",
					missing: "custom:none",
					mail: "email",
					again: "sub",
					user: "sub",
				},
			},
			{ provider: USER_POOL, claims },
		);
		assert.deepEqual(Object.entries(tags), [
			["tenant", "acme"],
			["mail", "a@example.com"],
			["again", "user-1"],
			["user", "user-1"],
		]);
	});

	test("value types: strings as is, numbers and booleans as JSON text, arrays by their first element", () => {
		const map = {
			useDefaults: false,
			principalTags: {
				s: "s",
				empty: "empty",
				n: "n",
				f: "f",
				t: "t",
				no: "no",
				groups: "groups",
				one: "one",
				numbers: "numbers",
				nestedFirst: "nestedFirst",
				emptyArray: "emptyArray",
				nil: "nil",
				obj: "obj",
			},
		};
		const tags = principalTagsFor(map, {
			provider: "accounts.google.com",
			claims: {
				s: "text",
				empty: "",
				n: 42,
				f: 1.5,
				t: true,
				no: false,
				groups: ["admins", "devs"],
				one: ["only"],
				numbers: [7, "x"],
				nestedFirst: [{ a: 1 }, "second"],
				emptyArray: [],
				nil: null,
				obj: { a: "b" },
			},
		});
		assert.deepEqual(tags, {
			s: "text",
			empty: "",
			n: "42",
			f: "1.5",
			t: "true",
			no: "false",
			groups: "admins",
			one: "only",
			numbers: "7",
		});
	});

	test("claims are read as own properties only", () => {
		const tags = principalTagsFor(
			{
				useDefaults: false,
				principalTags: { a: "toString", b: "constructor", c: "__proto__" },
			},
			{ provider: USER_POOL, claims: { sub: "x" } },
		);
		assert.deepEqual(tags, {});
	});

	test("a tag named __proto__ stays an own tag", () => {
		const principalTags = JSON.parse(
			'{"__proto__": "sub", "b": "aud"}',
		) as Record<string, string>;
		const tags = principalTagsFor(
			{ useDefaults: false, principalTags },
			{ provider: USER_POOL, claims },
		);
		assert.ok(Object.hasOwn(tags, "__proto__"));
		assert.equal(
			Object.getOwnPropertyDescriptor(tags, "__proto__")?.value,
			"user-1",
		);
		assert.equal(tags.b, "client-1");
		assert.equal(Object.getPrototypeOf(tags), Object.prototype);
	});

	test("the stored custom map is ignored when defaults are in force", () => {
		assert.deepEqual(
			principalTagsFor(
				{ useDefaults: true, principalTags: { tenant: "custom:tenant" } },
				{ provider: USER_POOL, claims },
			),
			{ username: "user-1", client: "client-1" },
		);
	});
});
