import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
	SerializationException,
	ValidationException,
} from "../errors/protocol-errors.ts";
import { characterProblem } from "../lib/storable.ts";
import {
	displayPattern,
	javaString,
	memberPath,
	validateInput,
} from "./validation.ts";

const POOL = "us-east-1:00000000-0000-0000-0000-000000000000";
const IDENTITY = "us-east-1:11111111-1111-1111-1111-111111111111";
const ROLE = "arn:aws:iam::123456789012:role/test";

/** The message of the ValidationException thrown by `fn`. */
function validationMessage(fn: () => unknown): string {
	try {
		fn();
	} catch (error) {
		assert.ok(
			error instanceof ValidationException,
			`expected ValidationException, got ${String(error)}`,
		);
		return error.message;
	}
	assert.fail("expected a ValidationException");
}

function serializationMessage(fn: () => unknown): string {
	try {
		fn();
	} catch (error) {
		assert.ok(
			error instanceof SerializationException,
			`expected SerializationException, got ${String(error)}`,
		);
		return error.message;
	}
	assert.fail("expected a SerializationException");
}

describe("validateInput: required members", () => {
	test("a missing required member", () => {
		assert.equal(
			validationMessage(() => validateInput("DescribeIdentityPool", {})),
			"1 validation error detected: Value null at 'identityPoolId' failed to satisfy constraint: Member must not be null",
		);
	});

	test("several missing members are counted and listed in model order", () => {
		assert.equal(
			validationMessage(() => validateInput("UnlinkDeveloperIdentity", {})),
			"4 validation errors detected: " +
				"Value null at 'identityId' failed to satisfy constraint: Member must not be null; " +
				"Value null at 'identityPoolId' failed to satisfy constraint: Member must not be null; " +
				"Value null at 'developerProviderName' failed to satisfy constraint: Member must not be null; " +
				"Value null at 'developerUserIdentifier' failed to satisfy constraint: Member must not be null",
		);
	});

	test("@required with a @default (AllowUnauthenticatedIdentities) is still required", () => {
		assert.equal(
			validationMessage(() =>
				validateInput("CreateIdentityPool", { IdentityPoolName: "pool" }),
			),
			"1 validation error detected: Value null at 'allowUnauthenticatedIdentities' failed to satisfy constraint: Member must not be null",
		);
	});

	test("JSON null counts as absent", () => {
		assert.equal(
			validationMessage(() =>
				validateInput("DescribeIdentityPool", { IdentityPoolId: null }),
			),
			"1 validation error detected: Value null at 'identityPoolId' failed to satisfy constraint: Member must not be null",
		);
		assert.deepEqual(
			validateInput("ListIdentityPools", { MaxResults: 10, NextToken: null }),
			{ MaxResults: 10 },
		);
	});

	test("required members of nested structures", () => {
		const message = validationMessage(() =>
			validateInput("SetIdentityPoolRoles", {
				IdentityPoolId: POOL,
				Roles: {},
				RoleMappings: {
					"graph.facebook.com": {
						RulesConfiguration: { Rules: [{ Claim: "sub" }] },
					},
				},
			}),
		);
		assert.equal(
			message,
			"4 validation errors detected: " +
				"Value null at 'roleMappings.graph.facebook.com.member.type' failed to satisfy constraint: Member must not be null; " +
				"Value null at 'roleMappings.graph.facebook.com.member.rulesConfiguration.rules.1.member.matchType' failed to satisfy constraint: Member must not be null; " +
				"Value null at 'roleMappings.graph.facebook.com.member.rulesConfiguration.rules.1.member.value' failed to satisfy constraint: Member must not be null; " +
				"Value null at 'roleMappings.graph.facebook.com.member.rulesConfiguration.rules.1.member.roleARN' failed to satisfy constraint: Member must not be null",
		);
	});
});

describe("validateInput: strings", () => {
	test("too long", () => {
		assert.equal(
			validationMessage(() =>
				validateInput("CreateIdentityPool", {
					IdentityPoolName: "a".repeat(129),
					AllowUnauthenticatedIdentities: false,
				}),
			),
			`1 validation error detected: Value '${"a".repeat(129)}' at 'identityPoolName' failed to satisfy constraint: Member must have length less than or equal to 128`,
		);
	});

	test("too short and not matching the pattern are two violations", () => {
		assert.equal(
			validationMessage(() =>
				validateInput("DescribeIdentityPool", { IdentityPoolId: "" }),
			),
			"2 validation errors detected: " +
				"Value '' at 'identityPoolId' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
				"Value '' at 'identityPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+:[0-9a-f-]+",
		);
	});

	test("too long and not matching the pattern: length first", () => {
		const value = `${"x".repeat(60)}#`;
		assert.equal(
			validationMessage(() =>
				validateInput("DescribeIdentity", { IdentityId: value }),
			),
			"2 validation errors detected: " +
				`Value '${value}' at 'identityId' failed to satisfy constraint: Member must have length less than or equal to 55; ` +
				`Value '${value}' at 'identityId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+:[0-9a-f-]+`,
		);
	});

	test("pattern (the observed AWS message)", () => {
		assert.equal(
			validationMessage(() =>
				validateInput("DescribeIdentityPool", {
					IdentityPoolId: "eu*******q6",
				}),
			),
			"1 validation error detected: Value 'eu*******q6' at 'identityPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+:[0-9a-f-]+",
		);
	});

	test("a pool name with spaces and the allowed punctuation is valid; other characters are not", () => {
		assert.doesNotThrow(() =>
			validateInput("CreateIdentityPool", {
				IdentityPoolName: "My pool +=,.@-_ 1",
				AllowUnauthenticatedIdentities: true,
			}),
		);
		assert.match(
			validationMessage(() =>
				validateInput("CreateIdentityPool", {
					IdentityPoolName: "pool#1",
					AllowUnauthenticatedIdentities: true,
				}),
			),
			/Value 'pool#1' at 'identityPoolName' failed to satisfy constraint: Member must satisfy regular expression pattern: \[\\w\\s\+=,\.@-\]\+$/,
		);
	});

	test("the pattern matches the whole value", () => {
		assert.match(
			validationMessage(() =>
				validateInput("DescribeIdentity", { IdentityId: `${IDENTITY}\n` }),
			),
			/regular expression pattern/,
		);
		assert.match(
			validationMessage(() =>
				validateInput("DescribeIdentity", { IdentityId: ` ${IDENTITY}` }),
			),
			/regular expression pattern/,
		);
	});

	test("length counts Unicode code points", () => {
		const claim = "😀".repeat(64); // 128 UTF-16 units, 64 code points
		const body = (c: string) => ({
			IdentityPoolId: POOL,
			Roles: {},
			RoleMappings: {
				p: {
					Type: "Rules",
					RulesConfiguration: {
						Rules: [
							{ Claim: c, MatchType: "Equals", Value: "v", RoleARN: ROLE },
						],
					},
				},
			},
		});
		assert.doesNotThrow(() =>
			validateInput("SetIdentityPoolRoles", body(claim)),
		);
		assert.match(
			validationMessage(() =>
				validateInput("SetIdentityPoolRoles", body(`${claim}😀`)),
			),
			/^1 validation error detected: .* at 'roleMappings\.p\.member\.rulesConfiguration\.rules\.1\.member\.claim' failed to satisfy constraint: Member must have length less than or equal to 64$/,
		);
	});

	test("Java \\s is ASCII white space only", () => {
		const create = (name: string) =>
			validateInput("CreateIdentityPool", {
				IdentityPoolName: name,
				AllowUnauthenticatedIdentities: false,
			});
		assert.doesNotThrow(() => create("a\tb\u000bc"));
		assert.throws(() => create("a\u00a0b"), ValidationException); // no-break space
		assert.throws(() => create("a\u2003b"), ValidationException); // em space
	});

	test("Java \\S in a class: PaginationKey", () => {
		const list = (token: string) =>
			validateInput("ListIdentityPools", { MaxResults: 1, NextToken: token });
		assert.doesNotThrow(() => list("abc\u00a0def")); // not a Java space
		assert.equal(
			validationMessage(() => list("a b")),
			"1 validation error detected: Value 'a b' at 'nextToken' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\S]+",
		);
	});

	test("Unicode classes: ClaimName", () => {
		const body = (claim: string) => ({
			IdentityPoolId: POOL,
			Roles: {},
			RoleMappings: {
				p: {
					Type: "Rules",
					RulesConfiguration: {
						Rules: [
							{ Claim: claim, MatchType: "Equals", Value: "v", RoleARN: ROLE },
						],
					},
				},
			},
		});
		assert.doesNotThrow(() =>
			validateInput("SetIdentityPoolRoles", body("custom:Grüße_€-1")),
		);
		assert.match(
			validationMessage(() =>
				validateInput("SetIdentityPoolRoles", body("a b")),
			),
			/Member must satisfy regular expression pattern: \[\\p\{L\}\\p\{M\}\\p\{S\}\\p\{N\}\\p\{P\}\]\+$/,
		);
	});
});

describe("validateInput: the null character and unpaired surrogates", () => {
	const NUL = "must not contain the null character (U+0000)";
	const SURROGATE = "must not contain an unpaired surrogate";

	test("characterProblem: NUL first, then any surrogate without its partner", () => {
		assert.equal(characterProblem("s\u0000x"), NUL);
		assert.equal(characterProblem("\ud800\u0000"), NUL);
		for (const s of ["s\ud800x", "s\udbff", "\udc00x", "\udc00\ud800"]) {
			assert.equal(characterProblem(s), SURROGATE, JSON.stringify(s));
		}
		for (const s of ["", "s\ufffdx", "\ud83d\ude00", "caf\u00e9", "\u0001"]) {
			assert.equal(characterProblem(s), undefined, JSON.stringify(s));
		}
	});

	test("reported alone, at the path, without the value or the string's other constraints", () => {
		assert.equal(
			validationMessage(() =>
				validateInput("CreateIdentityPool", {
					IdentityPoolName: "a\u0000b",
					AllowUnauthenticatedIdentities: false,
					DeveloperProviderName: `${"x".repeat(200)}\ud800`,
				}),
			),
			"2 validation errors detected: " +
				`Value at 'identityPoolName' failed to satisfy constraint: Member ${NUL}; ` +
				`Value at 'developerProviderName' failed to satisfy constraint: Member ${SURROGATE}`,
		);
	});

	test("in structures of a list, map keys, map values, enums", () => {
		assert.equal(
			validationMessage(() =>
				validateInput("CreateIdentityPool", {
					IdentityPoolName: "pool",
					AllowUnauthenticatedIdentities: false,
					CognitoIdentityProviders: [
						{ ProviderName: "cognito-idp.us-east-1.amazonaws.com/a\u0000" },
					],
					SupportedLoginProviders: { "graph.facebook.com\udfff": "123" },
					IdentityPoolTags: { team: "\ud800" },
				}),
			),
			"3 validation errors detected: " +
				`Value at 'supportedLoginProviders' failed to satisfy constraint: Map keys ${SURROGATE}; ` +
				`Value at 'cognitoIdentityProviders.1.member.providerName' failed to satisfy constraint: Member ${NUL}; ` +
				`Value at 'identityPoolTags' failed to satisfy constraint: Map value ${SURROGATE}`,
		);
		assert.equal(
			validationMessage(() =>
				validateInput("SetIdentityPoolRoles", {
					IdentityPoolId: POOL,
					Roles: { "authenticated\u0000": ROLE },
				}),
			),
			`1 validation error detected: Value at 'roles' failed to satisfy constraint: Map keys ${NUL}`,
		);
	});

	test("a value of another JSON type is still a type error", () => {
		assert.equal(
			serializationMessage(() =>
				validateInput("UntagResource", {
					ResourceArn: `arn:aws:cognito-identity:us-east-1:123456789012:identitypool/${POOL}`,
					TagKeys: ["a\u0000", 1],
				}),
			),
			"NUMBER_VALUE can not be converted to a String",
		);
	});
});

describe("validateInput: numbers, enums", () => {
	test("range min and max", () => {
		assert.equal(
			validationMessage(() =>
				validateInput("ListIdentityPools", { MaxResults: 0 }),
			),
			"1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1",
		);
		assert.equal(
			validationMessage(() =>
				validateInput("ListIdentityPools", { MaxResults: 61 }),
			),
			"1 validation error detected: Value '61' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 60",
		);
	});

	test("long range", () => {
		assert.equal(
			validationMessage(() =>
				validateInput("GetOpenIdTokenForDeveloperIdentity", {
					IdentityPoolId: POOL,
					Logins: { "login.dev": "user" },
					TokenDuration: 86401,
				}),
			),
			"1 validation error detected: Value '86401' at 'tokenDuration' failed to satisfy constraint: Member must have value less than or equal to 86400",
		);
	});

	test("enum", () => {
		assert.equal(
			validationMessage(() =>
				validateInput("SetIdentityPoolRoles", {
					IdentityPoolId: POOL,
					Roles: {},
					RoleMappings: {
						"graph.facebook.com": {
							Type: "token",
							AmbiguousRoleResolution: "Allow",
						},
					},
				}),
			),
			"2 validation errors detected: " +
				"Value 'token' at 'roleMappings.graph.facebook.com.member.type' failed to satisfy constraint: Member must satisfy enum value set: [Token, Rules]; " +
				"Value 'Allow' at 'roleMappings.graph.facebook.com.member.ambiguousRoleResolution' failed to satisfy constraint: Member must satisfy enum value set: [AuthenticatedRole, Deny]",
		);
	});
});

describe("validateInput: lists and maps", () => {
	test("list size", () => {
		assert.equal(
			validationMessage(() =>
				validateInput("DeleteIdentities", { IdentityIdsToDelete: [] }),
			),
			"1 validation error detected: Value '[]' at 'identityIdsToDelete' failed to satisfy constraint: Member must have length greater than or equal to 1",
		);
		const ids = Array.from(
			{ length: 61 },
			(_, i) => `us-east-1:${i.toString(16)}`,
		);
		assert.equal(
			validationMessage(() =>
				validateInput("DeleteIdentities", { IdentityIdsToDelete: ids }),
			),
			`1 validation error detected: Value '[${ids.join(", ")}]' at 'identityIdsToDelete' failed to satisfy constraint: Member must have length less than or equal to 60`,
		);
	});

	test("plain list elements are reported once at the list, with every constraint of the element", () => {
		assert.equal(
			validationMessage(() =>
				validateInput("DeleteIdentities", {
					IdentityIdsToDelete: [IDENTITY, "bad", ""],
				}),
			),
			`1 validation error detected: Value '[${IDENTITY}, bad, ]' at 'identityIdsToDelete' failed to satisfy constraint: ` +
				"Member must satisfy constraint: [Member must have length less than or equal to 55, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [\\w-]+:[0-9a-f-]+]",
		);
	});

	test("list of structures: 1-based index and .member", () => {
		assert.equal(
			validationMessage(() =>
				validateInput("CreateIdentityPool", {
					IdentityPoolName: "pool",
					AllowUnauthenticatedIdentities: false,
					CognitoIdentityProviders: [
						{
							ProviderName: "cognito-idp.us-east-1.amazonaws.com/us-east-1_A",
							ClientId: "abc",
						},
						{ ProviderName: "bad name", ClientId: "abc" },
					],
				}),
			),
			"1 validation error detected: Value 'bad name' at 'cognitoIdentityProviders.2.member.providerName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w._:/-]+",
		);
	});

	test("map size", () => {
		const tags = Object.fromEntries(
			Array.from({ length: 51 }, (_, i) => [`k${i}`, "v"]),
		);
		assert.match(
			validationMessage(() =>
				validateInput("GetOpenIdTokenForDeveloperIdentity", {
					IdentityPoolId: POOL,
					Logins: { "login.dev": "user" },
					PrincipalTags: tags,
				}),
			),
			/^1 validation error detected: Value '\{k0=v, k1=v, .*, k50=v\}' at 'principalTags' failed to satisfy constraint: Member must have length less than or equal to 50$/,
		);
	});

	test("map keys and values: reported at the map, Java-style value", () => {
		assert.equal(
			validationMessage(() =>
				validateInput("SetIdentityPoolRoles", {
					IdentityPoolId: POOL,
					Roles: { authenticated: ROLE, guest: "arn:short" },
				}),
			),
			"2 validation errors detected: " +
				`Value '{authenticated=${ROLE}, guest=arn:short}' at 'roles' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: (un)?authenticated]; ` +
				`Value '{authenticated=${ROLE}, guest=arn:short}' at 'roles' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 2048, Member must have length greater than or equal to 20]`,
		);
	});

	test("map value with length min 0 lists only the max", () => {
		assert.equal(
			validationMessage(() =>
				validateInput("TagResource", {
					ResourceArn: ROLE,
					Tags: { k: "v".repeat(257) },
				}),
			),
			`1 validation error detected: Value '{k=${"v".repeat(257)}}' at 'tags' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 256]`,
		);
		assert.doesNotThrow(() =>
			validateInput("TagResource", { ResourceArn: ROLE, Tags: { k: "" } }),
		);
	});

	test("null list elements and map values are dropped before counting", () => {
		assert.deepEqual(
			validateInput("UntagResource", {
				ResourceArn: ROLE,
				TagKeys: ["a", null, "b"],
			}),
			{ ResourceArn: ROLE, TagKeys: ["a", "b"] },
		);
		assert.deepEqual(
			validateInput("TagResource", {
				ResourceArn: ROLE,
				Tags: { a: "1", b: null },
			}),
			{
				ResourceArn: ROLE,
				Tags: { a: "1" },
			},
		);
	});
});

describe("validateInput: sensitive values are never echoed", () => {
	test("a login token that is too long", () => {
		const token = "t".repeat(50001);
		const message = validationMessage(() =>
			validateInput("GetId", {
				IdentityPoolId: POOL,
				Logins: { "accounts.google.com": token },
			}),
		);
		assert.equal(
			message,
			"1 validation error detected: Value at 'logins' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 50000, Member must have length greater than or equal to 1]",
		);
	});

	test("a bad provider key next to a token does not print the token", () => {
		const message = validationMessage(() =>
			validateInput("GetCredentialsForIdentity", {
				IdentityId: IDENTITY,
				Logins: { "": "secret-token-value" },
			}),
		);
		assert.ok(!message.includes("secret-token-value"));
		assert.equal(
			message,
			"1 validation error detected: Value at 'logins' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1]",
		);
	});

	test("too many logins", () => {
		const logins = Object.fromEntries(
			Array.from({ length: 11 }, (_, i) => [`p${i}`, `secret${i}`]),
		);
		const message = validationMessage(() =>
			validateInput("GetOpenIdToken", { IdentityId: IDENTITY, Logins: logins }),
		);
		assert.ok(!message.includes("secret"));
		assert.equal(
			message,
			"1 validation error detected: Value at 'logins' failed to satisfy constraint: Member must have length less than or equal to 10",
		);
	});

	test("non-sensitive members of the same request are still echoed", () => {
		const message = validationMessage(() =>
			validateInput("GetId", { IdentityPoolId: "bad", Logins: { p: "" } }),
		);
		assert.equal(
			message,
			"2 validation errors detected: " +
				"Value 'bad' at 'identityPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+:[0-9a-f-]+; " +
				"Value at 'logins' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 50000, Member must have length greater than or equal to 1]",
		);
	});
});

describe("validateInput: unknown members", () => {
	test("are removed, recursively", () => {
		const out = validateInput("CreateIdentityPool", {
			IdentityPoolName: "pool",
			AllowUnauthenticatedIdentities: true,
			Extra: { anything: [1, 2] },
			identityPoolName: "lower-case is another member",
			CognitoIdentityProviders: [
				{ ProviderName: "p", ClientId: "c", Unknown: true },
			],
			IdentityPoolTags: { k: "v" },
			SupportedLoginProviders: { "graph.facebook.com": "123" },
		});
		assert.deepEqual(out, {
			IdentityPoolName: "pool",
			AllowUnauthenticatedIdentities: true,
			CognitoIdentityProviders: [{ ProviderName: "p", ClientId: "c" }],
			IdentityPoolTags: { k: "v" },
			SupportedLoginProviders: { "graph.facebook.com": "123" },
		});
	});

	test("unknown members of any JSON type are ignored, not type-checked", () => {
		assert.deepEqual(
			validateInput("DescribeIdentityPool", {
				IdentityPoolId: POOL,
				X: [{}],
				Y: null,
			}),
			{
				IdentityPoolId: POOL,
			},
		);
	});

	test("structures in map values are cleaned too", () => {
		const out = validateInput("SetIdentityPoolRoles", {
			IdentityPoolId: POOL,
			Roles: { authenticated: ROLE },
			RoleMappings: {
				p: { Type: "Token", AmbiguousRoleResolution: "Deny", Junk: 1 },
			},
		});
		assert.deepEqual(out, {
			IdentityPoolId: POOL,
			Roles: { authenticated: ROLE },
			RoleMappings: { p: { Type: "Token", AmbiguousRoleResolution: "Deny" } },
		});
	});

	test("a __proto__ map key stays an own key", () => {
		const body = JSON.parse(
			`{"IdentityPoolId":"${POOL}","Roles":{},"RoleMappings":{"__proto__":{"Type":"Token"}}}`,
		) as unknown;
		const out = validateInput("SetIdentityPoolRoles", body);
		const mappings = out.RoleMappings as Record<string, unknown>;
		assert.deepEqual(Object.keys(mappings), ["__proto__"]);
		assert.equal(Object.getPrototypeOf(mappings), Object.prototype);
	});
});

describe("validateInput: SerializationException", () => {
	test("the body is not a JSON object", () => {
		assert.equal(
			serializationMessage(() => validateInput("GetId", [])),
			"Start of list found where not expected",
		);
		assert.equal(
			serializationMessage(() => validateInput("GetId", "x")),
			"STRING_VALUE can not be converted to a Structure",
		);
		assert.throws(() => validateInput("GetId", 1), SerializationException);
		assert.throws(() => validateInput("GetId", null), SerializationException);
	});

	test("an array where a string is expected", () => {
		assert.equal(
			serializationMessage(() =>
				validateInput("DescribeIdentityPool", { IdentityPoolId: [POOL] }),
			),
			"Start of list found where not expected",
		);
	});

	test("an object where a string or list is expected", () => {
		assert.equal(
			serializationMessage(() =>
				validateInput("DescribeIdentityPool", { IdentityPoolId: {} }),
			),
			"Start of structure or map found where not expected.",
		);
		assert.equal(
			serializationMessage(() =>
				validateInput("UntagResource", {
					ResourceArn: ROLE,
					TagKeys: { a: 1 },
				}),
			),
			"Start of structure or map found where not expected.",
		);
	});

	test("an array where a map or structure is expected", () => {
		assert.equal(
			serializationMessage(() =>
				validateInput("GetId", { IdentityPoolId: POOL, Logins: [] }),
			),
			"Start of list found where not expected",
		);
		assert.equal(
			serializationMessage(() =>
				validateInput("SetIdentityPoolRoles", {
					IdentityPoolId: POOL,
					Roles: {},
					RoleMappings: { p: [] },
				}),
			),
			"Start of list found where not expected",
		);
	});

	test("scalar mismatches", () => {
		assert.equal(
			serializationMessage(() =>
				validateInput("CreateIdentityPool", {
					IdentityPoolName: "p",
					AllowUnauthenticatedIdentities: "true",
				}),
			),
			"STRING_VALUE can not be converted to a Boolean",
		);
		assert.equal(
			serializationMessage(() =>
				validateInput("DescribeIdentityPool", { IdentityPoolId: 12 }),
			),
			"NUMBER_VALUE can not be converted to a String",
		);
		assert.equal(
			serializationMessage(() =>
				validateInput("ListIdentityPools", { MaxResults: "10" }),
			),
			"STRING_VALUE can not be converted to an Integer",
		);
		assert.equal(
			serializationMessage(() =>
				validateInput("ListIdentityPools", { MaxResults: true }),
			),
			"BOOLEAN_VALUE can not be converted to an Integer",
		);
		assert.equal(
			serializationMessage(() =>
				validateInput("GetId", { IdentityPoolId: POOL, Logins: { p: 1 } }),
			),
			"NUMBER_VALUE can not be converted to a String",
		);
		assert.equal(
			serializationMessage(() =>
				validateInput("UntagResource", { ResourceArn: ROLE, TagKeys: [true] }),
			),
			"BOOLEAN_VALUE can not be converted to a String",
		);
	});

	test("integers and longs must be whole numbers in range", () => {
		assert.equal(
			serializationMessage(() =>
				validateInput("ListIdentityPools", { MaxResults: 1.5 }),
			),
			"NUMBER_VALUE can not be converted to an Integer",
		);
		assert.throws(
			() => validateInput("ListIdentityPools", { MaxResults: 2 ** 31 }),
			SerializationException,
		);
		assert.throws(
			() =>
				validateInput("GetOpenIdTokenForDeveloperIdentity", {
					IdentityPoolId: POOL,
					Logins: { d: "u" },
					TokenDuration: 60.5,
				}),
			SerializationException,
		);
		// 2^31 is a valid long: a range violation, not a type error.
		assert.throws(
			() =>
				validateInput("GetOpenIdTokenForDeveloperIdentity", {
					IdentityPoolId: POOL,
					Logins: { d: "u" },
					TokenDuration: 2 ** 31,
				}),
			ValidationException,
		);
	});

	test("a type error wins over constraint violations found before it", () => {
		assert.throws(
			() =>
				validateInput("CreateIdentityPool", {
					IdentityPoolName: "",
					AllowUnauthenticatedIdentities: 1,
				}),
			SerializationException,
		);
	});
});

describe("validateInput: valid inputs", () => {
	test("a full CreateIdentityPool body passes unchanged", () => {
		const body = {
			IdentityPoolName: "My pool",
			AllowUnauthenticatedIdentities: true,
			AllowClassicFlow: false,
			SupportedLoginProviders: {
				"graph.facebook.com": "1234567890",
				"accounts.google.com": "client.apps.x",
			},
			DeveloperProviderName: "login.example.dev",
			OpenIdConnectProviderARNs: [
				"arn:aws:iam::123456789012:oidc-provider/example.com",
			],
			CognitoIdentityProviders: [
				{
					ProviderName: "cognito-idp.us-east-1.amazonaws.com/us-east-1_Example",
					ClientId: "7lhlkkfbfb4q5kpp90urffao",
					ServerSideTokenCheck: false,
				},
			],
			SamlProviderARNs: ["arn:aws:iam::123456789012:saml-provider/example"],
			IdentityPoolTags: { team: "a", empty: "" },
		};
		assert.deepEqual(validateInput("CreateIdentityPool", body), body);
	});

	test("a full SetIdentityPoolRoles body passes unchanged", () => {
		const body = {
			IdentityPoolId: POOL,
			Roles: { authenticated: ROLE, unauthenticated: ROLE },
			RoleMappings: {
				"cognito-idp.us-east-1.amazonaws.com/us-east-1_Example:client": {
					Type: "Rules",
					AmbiguousRoleResolution: "AuthenticatedRole",
					RulesConfiguration: {
						Rules: [
							{
								Claim: "cognito:groups",
								MatchType: "Contains",
								Value: "admin",
								RoleARN: ROLE,
							},
						],
					},
				},
			},
		};
		assert.deepEqual(validateInput("SetIdentityPoolRoles", body), body);
	});
});

describe("helpers", () => {
	test("memberPath lower-cases the first letter only", () => {
		assert.equal(memberPath("IdentityPoolName"), "identityPoolName");
		assert.equal(
			memberPath("OpenIdConnectProviderARNs"),
			"openIdConnectProviderARNs",
		);
		assert.equal(memberPath("RoleARN"), "roleARN");
	});

	test("javaString prints as Java does", () => {
		assert.equal(javaString(["a", "b"]), "[a, b]");
		assert.equal(javaString({ k: "v", k2: "v2" }), "{k=v, k2=v2}");
		assert.equal(javaString(true), "true");
		assert.equal(javaString(0), "0");
		assert.equal(javaString([]), "[]");
	});

	test("displayPattern strips the anchors only", () => {
		assert.equal(displayPattern("^[\\w-]+:[0-9a-f-]+$"), "[\\w-]+:[0-9a-f-]+");
		assert.equal(displayPattern("^(un)?authenticated$"), "(un)?authenticated");
		assert.equal(displayPattern("a\\$"), "a\\$");
	});
});
