/**
 * @module domain/role-resolution.test
 * Unit tests of role selection (docs/behaviour.md#roles) on hand-built pools: guests,
 * developer identities and own tokens, the key forms of mappings, `Token` and `Rules`
 * mappings with every match type on string, array and missing claims, the order of logins,
 * ambiguity, `CustomRoleArn`, and the pool configuration errors.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ServiceError } from "../errors/service-errors.ts";
import type {
	MappingRuleDoc,
	PoolRecord,
	PoolSettings,
	RoleMappingDoc,
} from "./records.ts";
import {
	ambiguousRoleDenied,
	customRoleNotAllowed,
	INVALID_POOL_CONFIGURATION,
	type ResolvableLogin,
	type RoleResolutionInput,
	resolveRole,
	roleMappingKeyFor,
	ruleMatches,
	tokenRoles,
} from "./role-resolution.ts";

const AUTH = "arn:aws:iam::111111111111:role/Auth";
const UNAUTH = "arn:aws:iam::111111111111:role/Unauth";
const role = (name: string) => `arn:aws:iam::111111111111:role/${name}`;

const GOOGLE = "accounts.google.com";
const FACEBOOK = "graph.facebook.com";
const USER_POOL = "cognito-idp.us-east-1.amazonaws.com/us-east-1_Abc";
const OIDC_HOST = "issuer.example.com";
const OIDC = `arn:aws:iam::111111111111:oidc-provider/${OIDC_HOST}`;
const SAML = "arn:aws:iam::111111111111:saml-provider/corp";

const SETTINGS: PoolSettings = {
	IdentityPoolName: "rbac",
	AllowUnauthenticatedIdentities: true,
	SupportedLoginProviders: { [GOOGLE]: "g-app", [FACEBOOK]: "fb-app" },
	DeveloperProviderName: "login.example.app",
	CognitoIdentityProviders: [
		{ ProviderName: USER_POOL, ClientId: "c1" },
		{ ProviderName: USER_POOL, ClientId: "c2" },
	],
	OpenIdConnectProviderARNs: [OIDC],
	SamlProviderARNs: [SAML],
};

function pool(
	roleMappings?: Record<string, RoleMappingDoc>,
	roles: Record<string, string> = {
		authenticated: AUTH,
		unauthenticated: UNAUTH,
	},
	settings: PoolSettings = SETTINGS,
): PoolRecord {
	return {
		accountId: "111111111111",
		region: "us-east-1",
		poolId: "us-east-1:00000000-0000-4000-8000-000000000001",
		settings,
		roles,
		...(roleMappings === undefined ? {} : { roleMappings }),
		tags: {},
		createdAt: 0,
		updatedAt: 0,
	};
}

function token(
	ambiguous: "AuthenticatedRole" | "Deny" = "Deny",
): RoleMappingDoc {
	return { Type: "Token", AmbiguousRoleResolution: ambiguous };
}

function rules(
	list: MappingRuleDoc[],
	ambiguous: "AuthenticatedRole" | "Deny" = "Deny",
): RoleMappingDoc {
	return {
		Type: "Rules",
		AmbiguousRoleResolution: ambiguous,
		RulesConfiguration: { Rules: list },
	};
}

function rule(
	Claim: string,
	MatchType: MappingRuleDoc["MatchType"],
	Value: string,
	RoleARN: string,
): MappingRuleDoc {
	return { Claim, MatchType, Value, RoleARN };
}

function login(
	provider: string,
	claims: Record<string, unknown> = {},
): ResolvableLogin {
	return { provider, claims };
}

function authed(
	logins: ResolvableLogin[],
	extra: Partial<RoleResolutionInput> = {},
): RoleResolutionInput {
	return { guest: false, developerOrOwnToken: false, logins, ...extra };
}

function throwsService(
	fn: () => unknown,
	type: string,
	message?: string,
): void {
	assert.throws(fn, (e: unknown) => {
		assert.ok(e instanceof ServiceError, `not a ServiceError: ${String(e)}`);
		assert.equal(e.name, type);
		if (message !== undefined) assert.equal(e.message, message);
		return true;
	});
}

describe("default roles", () => {
	test("a guest gets the unauthenticated role, whatever the mappings or CustomRoleArn", () => {
		const p = pool({
			[GOOGLE]: rules([rule("sub", "NotEqual", "x", role("G"))]),
		});
		assert.equal(
			resolveRole(p, {
				guest: true,
				developerOrOwnToken: false,
				logins: [],
				customRoleArn: role("Custom"),
			}),
			UNAUTH,
		);
	});

	test("a guest without an unauthenticated role is InvalidIdentityPoolConfigurationException", () => {
		for (const roles of [
			{},
			{ authenticated: AUTH },
			{ unauthenticated: "" },
		] as Record<string, string>[]) {
			throwsService(
				() =>
					resolveRole(pool(undefined, roles), {
						guest: true,
						developerOrOwnToken: false,
						logins: [],
					}),
				"InvalidIdentityPoolConfigurationException",
				INVALID_POOL_CONFIGURATION,
			);
		}
		assert.equal(
			INVALID_POOL_CONFIGURATION,
			"Invalid identity pool configuration. Check assigned IAM roles for this pool.",
		);
	});

	test("developer identities and own tokens get the authenticated role, mappings and CustomRoleArn aside", () => {
		const p = pool({
			[GOOGLE]: rules([rule("sub", "Equals", "u", role("G"))]),
			[`${USER_POOL}:c1`]: token(),
		});
		assert.equal(
			resolveRole(
				p,
				authed(
					[
						login("cognito-identity.amazonaws.com", { sub: "id" }),
						login(GOOGLE, { sub: "u" }),
					],
					{ developerOrOwnToken: true, customRoleArn: role("Custom") },
				),
			),
			AUTH,
		);
		throwsService(
			() =>
				resolveRole(pool(undefined, { unauthenticated: UNAUTH }), {
					guest: false,
					developerOrOwnToken: true,
					logins: [],
				}),
			"InvalidIdentityPoolConfigurationException",
			INVALID_POOL_CONFIGURATION,
		);
	});

	test("no mapping applies: the authenticated role (or the configuration error)", () => {
		// No mappings at all; mappings of other providers only; no logins.
		for (const p of [
			pool(),
			pool({ [FACEBOOK]: rules([rule("sub", "NotEqual", "x", role("F"))]) }),
		]) {
			assert.equal(resolveRole(p, authed([login(GOOGLE, { sub: "u" })])), AUTH);
			assert.equal(resolveRole(p, authed([])), AUTH);
		}
		throwsService(
			() =>
				resolveRole(
					pool(undefined, { unauthenticated: UNAUTH }),
					authed([login(GOOGLE, { sub: "u" })]),
				),
			"InvalidIdentityPoolConfigurationException",
			INVALID_POOL_CONFIGURATION,
		);
	});

	test("CustomRoleArn is ignored without a Token mapping", () => {
		const p = pool({
			[GOOGLE]: rules([rule("sub", "Equals", "u", role("G"))]),
		});
		const custom = { customRoleArn: role("Custom") };
		assert.equal(
			resolveRole(p, authed([login(GOOGLE, { sub: "u" })], custom)),
			role("G"),
		);
		assert.equal(
			resolveRole(p, authed([login(FACEBOOK, { sub: "u" })], custom)),
			AUTH,
		);
	});

	test("roles only come from own properties of the pool's roles", () => {
		const roles = Object.create({ authenticated: AUTH }) as Record<
			string,
			string
		>;
		throwsService(
			() => resolveRole(pool(undefined, roles), authed([])),
			"InvalidIdentityPoolConfigurationException",
		);
	});
});

describe("which mapping applies to a login (key forms as in docs/behaviour.md#federation)", () => {
	const all: Record<string, RoleMappingDoc> = {
		[GOOGLE]: token(),
		[FACEBOOK]: token(),
		[`${USER_POOL}:c1`]: token(),
		[`${USER_POOL}:c2`]: token(),
		[OIDC]: token(),
		[SAML]: token(),
	};

	test("public providers by their domain", () => {
		assert.equal(roleMappingKeyFor(SETTINGS, all, login(GOOGLE)), GOOGLE);
		assert.equal(roleMappingKeyFor(SETTINGS, all, login(FACEBOOK)), FACEBOOK);
	});

	test("user pools by ProviderName:ClientId, the client id from the token's aud", () => {
		assert.equal(
			roleMappingKeyFor(SETTINGS, all, login(USER_POOL, { aud: "c2" })),
			`${USER_POOL}:c2`,
		);
		assert.equal(
			roleMappingKeyFor(
				SETTINGS,
				all,
				login(USER_POOL, { aud: ["x", "c1", "c2"] }),
			),
			`${USER_POOL}:c1`,
		);
		// An audience without a mapping, or no aud at all: no mapping.
		const onlyC1 = { [`${USER_POOL}:c1`]: token() };
		assert.equal(
			roleMappingKeyFor(SETTINGS, onlyC1, login(USER_POOL, { aud: "c2" })),
			undefined,
		);
		assert.equal(
			roleMappingKeyFor(SETTINGS, all, login(USER_POOL, {})),
			undefined,
		);
		assert.equal(
			roleMappingKeyFor(SETTINGS, all, login(USER_POOL, { aud: 7 })),
			undefined,
		);
		// The bare user pool name is never a mapping key.
		assert.equal(
			roleMappingKeyFor(
				SETTINGS,
				{ [USER_POOL]: token() },
				login(USER_POOL, { aud: "c1" }),
			),
			undefined,
		);
	});

	test("OIDC providers by the ARN whose oidc-provider/ part is the login key", () => {
		assert.equal(roleMappingKeyFor(SETTINGS, all, login(OIDC_HOST)), OIDC);
		assert.equal(roleMappingKeyFor(SETTINGS, all, login(OIDC)), undefined);
		assert.equal(
			roleMappingKeyFor(SETTINGS, all, login("other.example.com")),
			undefined,
		);
	});

	test("SAML providers by their ARN", () => {
		assert.equal(roleMappingKeyFor(SETTINGS, all, login(SAML)), SAML);
	});

	test("only mappings of providers still configured on the pool count", () => {
		const settings: PoolSettings = {
			IdentityPoolName: "shrunk",
			AllowUnauthenticatedIdentities: false,
			CognitoIdentityProviders: [{ ProviderName: USER_POOL, ClientId: "c1" }],
		};
		for (const l of [
			login(GOOGLE),
			login(OIDC_HOST),
			login(SAML),
			login(USER_POOL, { aud: "c2" }),
			login("login.example.app"),
		]) {
			assert.equal(roleMappingKeyFor(settings, all, l), undefined, l.provider);
		}
		assert.equal(
			roleMappingKeyFor(settings, all, login(USER_POOL, { aud: "c1" })),
			`${USER_POOL}:c1`,
		);
		assert.equal(
			roleMappingKeyFor(SETTINGS, undefined, login(GOOGLE)),
			undefined,
		);
		// A stale mapping is not used by resolveRole either.
		assert.equal(
			resolveRole(
				pool(
					{ [GOOGLE]: rules([rule("sub", "Equals", "u", role("G"))]) },
					undefined,
					settings,
				),
				authed([login(GOOGLE, { sub: "u" })]),
			),
			AUTH,
		);
	});

	test("mapping keys are own properties", () => {
		const mappings = Object.create({ [GOOGLE]: token() }) as Record<
			string,
			RoleMappingDoc
		>;
		assert.equal(
			roleMappingKeyFor(SETTINGS, mappings, login(GOOGLE)),
			undefined,
		);
	});
});

describe("Token mappings", () => {
	const p = (ambiguous: "AuthenticatedRole" | "Deny" = "Deny") =>
		pool({ [`${USER_POOL}:c1`]: token(ambiguous) });
	const up = (claims: Record<string, unknown>) =>
		login(USER_POOL, { aud: "c1", ...claims });

	test("cognito:roles as an array or a comma-separated string", () => {
		assert.deepEqual(tokenRoles({ "cognito:roles": [role("A"), role("B")] }), [
			role("A"),
			role("B"),
		]);
		assert.deepEqual(
			tokenRoles({ "cognito:roles": `${role("A")}, ${role("B")},` }),
			[role("A"), role("B")],
		);
		assert.deepEqual(tokenRoles({ "cognito:roles": [role("A"), 5, null] }), [
			role("A"),
		]);
		assert.deepEqual(tokenRoles({}), []);
		assert.deepEqual(tokenRoles({ "cognito:roles": "" }), []);
		assert.deepEqual(tokenRoles({ "cognito:roles": { a: 1 } }), []);
	});

	test("CustomRoleArn listed in cognito:roles wins, over the preferred role", () => {
		for (const roles of [[role("A"), role("B")], `${role("A")},${role("B")}`]) {
			assert.equal(
				resolveRole(
					p(),
					authed(
						[
							up({
								"cognito:roles": roles,
								"cognito:preferred_role": role("A"),
							}),
						],
						{
							customRoleArn: role("B"),
						},
					),
				),
				role("B"),
			);
		}
	});

	test("CustomRoleArn not listed is NotAuthorizedException, whatever AmbiguousRoleResolution says", () => {
		for (const claims of [
			{ "cognito:roles": [role("A")], "cognito:preferred_role": role("A") },
			{ "cognito:preferred_role": role("B") },
			{},
		]) {
			for (const ambiguous of ["AuthenticatedRole", "Deny"] as const) {
				throwsService(
					() =>
						resolveRole(
							p(ambiguous),
							authed([up(claims)], { customRoleArn: role("B") }),
						),
					"NotAuthorizedException",
					customRoleNotAllowed(role("B"), `${USER_POOL}:c1`),
				);
			}
		}
	});

	test("without CustomRoleArn: the preferred role, else the only role", () => {
		assert.equal(
			resolveRole(
				p(),
				authed([
					up({
						"cognito:roles": [role("A"), role("B")],
						"cognito:preferred_role": role("B"),
					}),
				]),
			),
			role("B"),
		);
		assert.equal(
			resolveRole(p(), authed([up({ "cognito:preferred_role": role("P") })])),
			role("P"),
		);
		assert.equal(
			resolveRole(p(), authed([up({ "cognito:roles": [role("A")] })])),
			role("A"),
		);
		assert.equal(
			resolveRole(p(), authed([up({ "cognito:roles": role("A") })])),
			role("A"),
		);
	});

	test("several roles without a preferred one, or none, is ambiguous", () => {
		for (const claims of [
			{ "cognito:roles": [role("A"), role("B")] },
			{ "cognito:roles": `${role("A")},${role("B")}` },
			{ "cognito:roles": [] },
			{ "cognito:preferred_role": "" },
			{ "cognito:preferred_role": 5 },
			{},
		]) {
			assert.equal(
				resolveRole(p("AuthenticatedRole"), authed([up(claims)])),
				AUTH,
			);
			throwsService(
				() => resolveRole(p("Deny"), authed([up(claims)])),
				"NotAuthorizedException",
				ambiguousRoleDenied(`${USER_POOL}:c1`),
			);
		}
	});

	test("AuthenticatedRole resolution needs the authenticated role", () => {
		throwsService(
			() =>
				resolveRole(
					pool(
						{ [`${USER_POOL}:c1`]: token("AuthenticatedRole") },
						{ unauthenticated: UNAUTH },
					),
					authed([up({})]),
				),
			"InvalidIdentityPoolConfigurationException",
			INVALID_POOL_CONFIGURATION,
		);
		// A role resolved from the token needs no default role at all.
		assert.equal(
			resolveRole(
				pool({ [`${USER_POOL}:c1`]: token() }, {}),
				authed([up({ "cognito:preferred_role": role("P") })]),
			),
			role("P"),
		);
	});
});

describe("Rules mappings", () => {
	describe("ruleMatches", () => {
		const m = (
			type: MappingRuleDoc["MatchType"],
			value: string,
			claim: unknown,
			present = true,
		) =>
			ruleMatches(
				{ Claim: "c", MatchType: type, Value: value },
				present ? { c: claim } : {},
			);

		test("Equals is exact and case-sensitive", () => {
			assert.equal(m("Equals", "admin", "admin"), true);
			assert.equal(m("Equals", "admin", "Admin"), false);
			assert.equal(m("Equals", "admin", "admins"), false);
			assert.equal(m("Equals", "admin", " admin"), false);
		});

		test("Contains is a substring, StartsWith a prefix", () => {
			assert.equal(m("Contains", "eng", "dept-engineering"), true);
			assert.equal(m("Contains", "eng", "ENG"), false);
			assert.equal(m("Contains", "x", "x"), true);
			assert.equal(m("StartsWith", "admin@", "admin@example.com"), true);
			assert.equal(m("StartsWith", "admin@", "x-admin@example.com"), false);
			assert.equal(m("StartsWith", "abc", "ab"), false);
		});

		test("NotEqual matches a different value", () => {
			assert.equal(m("NotEqual", "guest", "admin"), true);
			assert.equal(m("NotEqual", "guest", "guest"), false);
			assert.equal(m("NotEqual", "guest", "Guest"), true);
		});

		test("array claims: NotEqual when no element equals, the others when any element matches", () => {
			const groups = ["devs", "admins"];
			assert.equal(m("Equals", "admins", groups), true);
			assert.equal(m("Equals", "ops", groups), false);
			assert.equal(m("Contains", "dmin", groups), true);
			assert.equal(m("StartsWith", "dev", groups), true);
			assert.equal(m("StartsWith", "ops", groups), false);
			assert.equal(m("NotEqual", "admins", groups), false);
			assert.equal(m("NotEqual", "ops", groups), true);
			// Empty array: present, with no element.
			assert.equal(m("Equals", "x", []), false);
			assert.equal(m("Contains", "x", []), false);
			assert.equal(m("NotEqual", "x", []), true);
			// Non-scalar elements are left out.
			assert.equal(m("Equals", "a", [{ a: 1 }, null, "a"]), true);
			assert.equal(m("NotEqual", "a", [{ a: 1 }, null]), true);
		});

		test("a missing claim matches nothing, NotEqual included (the rule is skipped)", () => {
			for (const type of [
				"Equals",
				"Contains",
				"StartsWith",
				"NotEqual",
			] as const) {
				assert.equal(m(type, "x", undefined, false), false, type);
				assert.equal(m(type, "x", undefined), false, type);
				assert.equal(m(type, "x", null), false, type);
				assert.equal(m(type, "x", { x: "x" }), false, type);
			}
		});

		test("numbers and booleans compare as their JSON text", () => {
			assert.equal(m("Equals", "42", 42), true);
			assert.equal(m("Equals", "true", true), true);
			assert.equal(m("NotEqual", "false", true), true);
			assert.equal(m("StartsWith", "1.", 1.5), true);
			assert.equal(m("Equals", "1", [1, 2]), true);
		});

		test("claims are own properties only", () => {
			assert.equal(
				ruleMatches(
					{ Claim: "toString", MatchType: "NotEqual", Value: "x" },
					{},
				),
				false,
			);
			assert.equal(
				ruleMatches(
					{ Claim: "constructor", MatchType: "Contains", Value: "Object" },
					{},
				),
				false,
			);
		});
	});

	test("the first matching rule wins, in the order of the rules", () => {
		const p = pool({
			[OIDC]: rules([
				rule("email", "StartsWith", "admin@", role("Admin")),
				rule("cognito:groups", "Equals", "devs", role("Dev")),
				rule("sub", "NotEqual", "nobody", role("Anyone")),
			]),
		});
		const l = (claims: Record<string, unknown>) =>
			authed([login(OIDC_HOST, claims)]);
		assert.equal(
			resolveRole(
				p,
				l({ email: "admin@x", "cognito:groups": ["devs"], sub: "u" }),
			),
			role("Admin"),
		);
		assert.equal(
			resolveRole(
				p,
				l({ email: "me@x", "cognito:groups": ["ops", "devs"], sub: "u" }),
			),
			role("Dev"),
		);
		assert.equal(
			resolveRole(p, l({ email: "me@x", sub: "u" })),
			role("Anyone"),
		);
		// NotEqual on a missing claim is skipped, so nothing matches: ambiguous (Deny).
		throwsService(
			() => resolveRole(p, l({ email: "me@x" })),
			"NotAuthorizedException",
			ambiguousRoleDenied(OIDC),
		);
	});

	test("no rule matches: AmbiguousRoleResolution", () => {
		const mapping = (a: "AuthenticatedRole" | "Deny") =>
			pool({ [GOOGLE]: rules([rule("sub", "Equals", "u", role("G"))], a) });
		const l = authed([login(GOOGLE, { sub: "v" })]);
		assert.equal(resolveRole(mapping("AuthenticatedRole"), l), AUTH);
		throwsService(
			() => resolveRole(mapping("Deny"), l),
			"NotAuthorizedException",
			ambiguousRoleDenied(GOOGLE),
		);
		throwsService(
			() =>
				resolveRole(
					pool(
						{
							[GOOGLE]: rules(
								[rule("sub", "Equals", "u", role("G"))],
								"AuthenticatedRole",
							),
						},
						{ unauthenticated: UNAUTH },
					),
					l,
				),
			"InvalidIdentityPoolConfigurationException",
			INVALID_POOL_CONFIGURATION,
		);
	});

	test("a mapping without AmbiguousRoleResolution denies", () => {
		const p = pool({
			[GOOGLE]: {
				Type: "Rules",
				RulesConfiguration: { Rules: [rule("sub", "Equals", "u", role("G"))] },
			},
		});
		throwsService(
			() => resolveRole(p, authed([login(GOOGLE, { sub: "v" })])),
			"NotAuthorizedException",
		);
	});

	test("user-pool Rules mappings follow the client id of the token", () => {
		const p = pool({
			[`${USER_POOL}:c1`]: rules([
				rule("cognito:groups", "Contains", "adm", role("C1")),
			]),
			[`${USER_POOL}:c2`]: rules([
				rule("cognito:groups", "Contains", "adm", role("C2")),
			]),
		});
		const groups = { "cognito:groups": ["admins"] };
		assert.equal(
			resolveRole(p, authed([login(USER_POOL, { aud: "c1", ...groups })])),
			role("C1"),
		);
		assert.equal(
			resolveRole(p, authed([login(USER_POOL, { aud: "c2", ...groups })])),
			role("C2"),
		);
	});

	test("SAML and public providers", () => {
		const p = pool({
			[SAML]: rules([rule("department", "Equals", "finance", role("Fin"))]),
			[FACEBOOK]: rules([rule("aud", "Equals", "fb-app", role("Fb"))]),
		});
		assert.equal(
			resolveRole(p, authed([login(SAML, { department: "finance" })])),
			role("Fin"),
		);
		assert.equal(
			resolveRole(p, authed([login(FACEBOOK, { aud: "fb-app", sub: "1" })])),
			role("Fb"),
		);
	});
});

describe("several logins (docs/behaviour.md#roles)", () => {
	const p = pool({
		[GOOGLE]: rules([rule("sub", "Equals", "g", role("G"))], "Deny"),
		[FACEBOOK]: rules(
			[rule("sub", "Equals", "f", role("F"))],
			"AuthenticatedRole",
		),
		[OIDC]: token("Deny"),
	});

	test("tried in the order of the Logins map: the first that yields a role wins", () => {
		const g = login(GOOGLE, { sub: "g" });
		const f = login(FACEBOOK, { sub: "f" });
		assert.equal(resolveRole(p, authed([g, f])), role("G"));
		assert.equal(resolveRole(p, authed([f, g])), role("F"));
	});

	test("logins without a mapping are passed over", () => {
		const unmapped = login(USER_POOL, { aud: "c1" });
		assert.equal(
			resolveRole(p, authed([unmapped, login(FACEBOOK, { sub: "f" })])),
			role("F"),
		);
	});

	test("an ambiguous login gives way to a later one that yields a role", () => {
		assert.equal(
			resolveRole(
				p,
				authed([login(GOOGLE, { sub: "nope" }), login(FACEBOOK, { sub: "f" })]),
			),
			role("F"),
		);
		assert.equal(
			resolveRole(
				p,
				authed([
					login(OIDC_HOST, { "cognito:roles": [role("A"), role("B")] }),
					login(GOOGLE, { sub: "g" }),
				]),
			),
			role("G"),
		);
	});

	test("none yields a role: the first mapped login's AmbiguousRoleResolution decides", () => {
		const gNope = login(GOOGLE, { sub: "nope" });
		const fNope = login(FACEBOOK, { sub: "nope" });
		throwsService(
			() => resolveRole(p, authed([gNope, fNope])),
			"NotAuthorizedException",
			ambiguousRoleDenied(GOOGLE),
		);
		assert.equal(resolveRole(p, authed([fNope, gNope])), AUTH);
		// An unmapped login before them does not count as the first mapped one.
		assert.equal(
			resolveRole(p, authed([login(USER_POOL, { aud: "c1" }), fNope, gNope])),
			AUTH,
		);
	});

	test("a Token mapping that refuses the CustomRoleArn ends the resolution", () => {
		throwsService(
			() =>
				resolveRole(
					p,
					authed(
						[
							login(OIDC_HOST, { "cognito:roles": [role("A")] }),
							login(GOOGLE, { sub: "g" }),
						],
						{ customRoleArn: role("B") },
					),
				),
			"NotAuthorizedException",
			customRoleNotAllowed(role("B"), OIDC),
		);
		// After a login that yields a role, later Token mappings are not consulted.
		assert.equal(
			resolveRole(
				p,
				authed(
					[
						login(GOOGLE, { sub: "g" }),
						login(OIDC_HOST, { "cognito:roles": [role("A")] }),
					],
					{ customRoleArn: role("B") },
				),
			),
			role("G"),
		);
	});
});
