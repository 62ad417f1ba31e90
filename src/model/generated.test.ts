/**
 * The generated files, checked without the model source: the RegExp literals of the table are
 * the translation of the model's patterns, OUTPUT_HAS_TIMESTAMPS agrees with the table, and
 * the generated types name every structure and enum of the table and agree with the official
 * SDK's types (member names and which members are required). The type checks are compile-time
 * (`npm run typecheck`); the test only states that they compiled.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import type * as sdk from "@aws-sdk/client-cognito-identity";
import { javaPatternToRegExp } from "../../scripts/java-regex.ts";
import {
	OPERATIONS,
	type OperationName,
	OUTPUT_HAS_TIMESTAMPS,
	SHAPES,
	type ShapeDef,
} from "./model.generated.ts";
import type * as types from "./types.generated.ts";
import type { OperationInput, OperationOutput } from "./types.generated.ts";

const shapes: Readonly<Record<string, ShapeDef>> = SHAPES;

describe("model.generated.ts: patterns", () => {
	test("every pattern comes with its RegExp, translated as the generator does", () => {
		let patterns = 0;
		for (const [name, shape] of Object.entries(shapes)) {
			if (shape.kind !== "string") continue;
			assert.equal(
				shape.regex === undefined,
				shape.pattern === undefined,
				name,
			);
			if (shape.pattern === undefined || shape.regex === undefined) continue;
			patterns++;
			const expected = javaPatternToRegExp(shape.pattern);
			assert.equal(shape.regex.source, expected.source, name);
			assert.equal(shape.regex.flags, "u", name);
		}
		assert.ok(patterns > 0);
	});
});

describe("model.generated.ts: OUTPUT_HAS_TIMESTAMPS", () => {
	const holdsTimestamp = (name: string, seen: Set<string>): boolean => {
		if (seen.has(name)) return false;
		seen.add(name);
		const shape = shapes[name];
		assert.ok(shape, name);
		switch (shape.kind) {
			case "timestamp":
				return true;
			case "structure":
				return shape.members.some((m) => holdsTimestamp(m.target, seen));
			case "list":
				return holdsTimestamp(shape.member, seen);
			case "map":
				return (
					holdsTimestamp(shape.key, seen) || holdsTimestamp(shape.value, seen)
				);
			default:
				return false;
		}
	};

	test("names the operations whose output holds a timestamp anywhere, and no other", () => {
		const found = Object.values(OPERATIONS)
			.filter(
				(op) => op.output !== null && holdsTimestamp(op.output, new Set()),
			)
			.map((op) => op.name)
			.sort();
		assert.deepEqual([...OUTPUT_HAS_TIMESTAMPS].sort(), found);
		assert.deepEqual(found, [
			"DescribeIdentity",
			"GetCredentialsForIdentity",
			"ListIdentities",
		]);
	});
});

describe("types.generated.ts", () => {
	const text = readFileSync(
		new URL("./types.generated.ts", import.meta.url),
		"utf8",
	);

	test("declares one type per structure and enum of the table", () => {
		const declared = [...text.matchAll(/^export (?:interface|type) (\w+)/gm)]
			.map((m) => m[1])
			.filter((name) => !name?.startsWith("Operation"))
			.sort();
		const expected = Object.entries(shapes)
			.filter(
				([, shape]) => shape.kind === "structure" || shape.kind === "enum",
			)
			.map(([name]) => name)
			.sort();
		assert.deepEqual(declared, expected);
	});

	test("maps every operation to the input and output shapes of the table", () => {
		for (const op of Object.values(OPERATIONS)) {
			const input = op.input ?? "Record<string, never>";
			const output = op.output ?? "Record<string, never>";
			assert.ok(
				text.includes(
					`\n\t${op.name}: { input: ${input}; output: ${output} };\n`,
				),
				op.name,
			);
		}
	});

	test("agree with the SDK's types (checked by the compiler)", () => {
		assert.equal(sdkAgreement, true);
	});
});

// ---------------------------------------------------------------------------------------
// Compile-time agreement with @aws-sdk/client-cognito-identity (generated from the same
// model): our types are assignable to the SDK's, with the same member names and the same
// required members (the SDK writes a required member `X: T | undefined`, an optional one
// `X?: T | undefined`). Our types differ only in that required members cannot be undefined.

type Equal<A, B> =
	(<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2
		? true
		: false;
type RequiredKeys<T> = {
	[K in keyof T]-?: Partial<Pick<T, K>> extends Pick<T, K> ? never : K;
}[keyof T];
/** `Ours` may stand for `Theirs`, with the same members, required alike. */
type Agrees<Ours, Theirs> =
	Equal<keyof Theirs, never> extends true
		? Equal<Ours, Record<string, never>>
		: [Ours] extends [Theirs]
			? Equal<keyof Ours, keyof Theirs> extends true
				? Equal<RequiredKeys<Ours>, RequiredKeys<Theirs>>
				: false
			: false;
type Wire<T> = Omit<T, "$metadata">;

interface Sdk {
	CreateIdentityPool: [
		sdk.CreateIdentityPoolCommandInput,
		sdk.CreateIdentityPoolCommandOutput,
	];
	DeleteIdentities: [
		sdk.DeleteIdentitiesCommandInput,
		sdk.DeleteIdentitiesCommandOutput,
	];
	DeleteIdentityPool: [
		sdk.DeleteIdentityPoolCommandInput,
		sdk.DeleteIdentityPoolCommandOutput,
	];
	DescribeIdentity: [
		sdk.DescribeIdentityCommandInput,
		sdk.DescribeIdentityCommandOutput,
	];
	DescribeIdentityPool: [
		sdk.DescribeIdentityPoolCommandInput,
		sdk.DescribeIdentityPoolCommandOutput,
	];
	GetCredentialsForIdentity: [
		sdk.GetCredentialsForIdentityCommandInput,
		sdk.GetCredentialsForIdentityCommandOutput,
	];
	GetId: [sdk.GetIdCommandInput, sdk.GetIdCommandOutput];
	GetIdentityPoolRoles: [
		sdk.GetIdentityPoolRolesCommandInput,
		sdk.GetIdentityPoolRolesCommandOutput,
	];
	GetOpenIdToken: [
		sdk.GetOpenIdTokenCommandInput,
		sdk.GetOpenIdTokenCommandOutput,
	];
	GetOpenIdTokenForDeveloperIdentity: [
		sdk.GetOpenIdTokenForDeveloperIdentityCommandInput,
		sdk.GetOpenIdTokenForDeveloperIdentityCommandOutput,
	];
	GetPrincipalTagAttributeMap: [
		sdk.GetPrincipalTagAttributeMapCommandInput,
		sdk.GetPrincipalTagAttributeMapCommandOutput,
	];
	ListIdentities: [
		sdk.ListIdentitiesCommandInput,
		sdk.ListIdentitiesCommandOutput,
	];
	ListIdentityPools: [
		sdk.ListIdentityPoolsCommandInput,
		sdk.ListIdentityPoolsCommandOutput,
	];
	ListTagsForResource: [
		sdk.ListTagsForResourceCommandInput,
		sdk.ListTagsForResourceCommandOutput,
	];
	LookupDeveloperIdentity: [
		sdk.LookupDeveloperIdentityCommandInput,
		sdk.LookupDeveloperIdentityCommandOutput,
	];
	MergeDeveloperIdentities: [
		sdk.MergeDeveloperIdentitiesCommandInput,
		sdk.MergeDeveloperIdentitiesCommandOutput,
	];
	SetIdentityPoolRoles: [
		sdk.SetIdentityPoolRolesCommandInput,
		sdk.SetIdentityPoolRolesCommandOutput,
	];
	SetPrincipalTagAttributeMap: [
		sdk.SetPrincipalTagAttributeMapCommandInput,
		sdk.SetPrincipalTagAttributeMapCommandOutput,
	];
	TagResource: [sdk.TagResourceCommandInput, sdk.TagResourceCommandOutput];
	UnlinkDeveloperIdentity: [
		sdk.UnlinkDeveloperIdentityCommandInput,
		sdk.UnlinkDeveloperIdentityCommandOutput,
	];
	UnlinkIdentity: [
		sdk.UnlinkIdentityCommandInput,
		sdk.UnlinkIdentityCommandOutput,
	];
	UntagResource: [
		sdk.UntagResourceCommandInput,
		sdk.UntagResourceCommandOutput,
	];
	UpdateIdentityPool: [
		sdk.UpdateIdentityPoolCommandInput,
		sdk.UpdateIdentityPoolCommandOutput,
	];
}

/** Per operation: [input agrees, output agrees]. A `false` fails the assignment below. */
type OperationAgreement = {
	[N in OperationName]: [
		Agrees<OperationInput<N>, Sdk[N][0]>,
		Agrees<OperationOutput<N>, Wire<Sdk[N][1]>>,
	];
};
/** The structures and enums that appear only inside inputs and outputs. */
interface NestedAgreement {
	CognitoIdentityProvider: Agrees<
		types.CognitoIdentityProvider,
		sdk.CognitoIdentityProvider
	>;
	Credentials: Agrees<types.Credentials, sdk.Credentials>;
	IdentityDescription: Agrees<
		types.IdentityDescription,
		sdk.IdentityDescription
	>;
	IdentityPool: Agrees<types.IdentityPool, sdk.IdentityPool>;
	IdentityPoolShortDescription: Agrees<
		types.IdentityPoolShortDescription,
		sdk.IdentityPoolShortDescription
	>;
	MappingRule: Agrees<types.MappingRule, sdk.MappingRule>;
	RoleMapping: Agrees<types.RoleMapping, sdk.RoleMapping>;
	RulesConfigurationType: Agrees<
		types.RulesConfigurationType,
		sdk.RulesConfigurationType
	>;
	UnprocessedIdentityId: Agrees<
		types.UnprocessedIdentityId,
		sdk.UnprocessedIdentityId
	>;
	AmbiguousRoleResolutionType: Equal<
		types.AmbiguousRoleResolutionType,
		sdk.AmbiguousRoleResolutionType
	>;
	ErrorCode: Equal<types.ErrorCode, sdk.ErrorCode>;
	MappingRuleMatchType: Equal<
		types.MappingRuleMatchType,
		sdk.MappingRuleMatchType
	>;
	RoleMappingType: Equal<types.RoleMappingType, sdk.RoleMappingType>;
}
type AllTrue<T> = {
	[K in keyof T]: T[K] extends [true, true] | true ? T[K] : never;
};

const operationAgreement: AllTrue<OperationAgreement> =
	{} as OperationAgreement;
const nestedAgreement: AllTrue<NestedAgreement> = {} as NestedAgreement;
const sdkAgreement: boolean =
	operationAgreement !== undefined && nestedAgreement !== undefined;

// Required members are required; the others may be left out.
const getId: types.GetIdInput = { IdentityPoolId: "us-east-1:0" };
// @ts-expect-error IdentityPoolId is required
const getIdWithoutPool: types.GetIdInput = {};
const noOutput: OperationOutput<"DeleteIdentityPool"> = {};
void [getId, getIdWithoutPool, noOutput];
