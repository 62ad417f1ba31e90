/**
 * scripts/gen-model.ts on a small synthetic Smithy model: the table (ready RegExp literals,
 * the operations whose output holds a timestamp) and the types (required members, Smithy
 * types mapped to TypeScript, the operation map).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
	buildTable,
	emit,
	emitTypes,
	outputsWithTimestamps,
} from "./gen-model.ts";

const NS = "com.amazonaws.cognitoidentity#";
const ref = (name: string, traits?: Record<string, unknown>) => ({
	target: name.includes("#") ? name : `${NS}${name}`,
	...(traits ? { traits } : {}),
});
const required = { "smithy.api#required": {} };

function model(extra: Record<string, unknown> = {}) {
	return {
		shapes: {
			[`${NS}Service`]: {
				type: "service",
				operations: [ref("Get"), ref("Delete"), ref("List")],
			},
			[`${NS}Get`]: {
				type: "operation",
				input: ref("GetInput"),
				output: ref("GetResponse"),
				traits: { "smithy.api#auth": [] },
			},
			[`${NS}Delete`]: {
				type: "operation",
				input: ref("DeleteInput"),
				output: ref("smithy.api#Unit"),
			},
			[`${NS}List`]: {
				type: "operation",
				input: ref("DeleteInput"),
				output: ref("ListResponse"),
			},
			[`${NS}GetInput`]: {
				type: "structure",
				members: {
					Id: ref("Id", required),
					Kind: ref("Kind"),
					Count: ref("Count", required),
					Big: ref("Big"),
					Flag: ref("Flag"),
				},
			},
			[`${NS}GetResponse`]: {
				type: "structure",
				members: { Item: ref("Item") },
			},
			[`${NS}DeleteInput`]: {
				type: "structure",
				members: { Ids: ref("IdList", required) },
			},
			[`${NS}ListResponse`]: {
				type: "structure",
				members: { Items: ref("ItemMap") },
			},
			[`${NS}Item`]: {
				type: "structure",
				members: { Id: ref("Id"), When: ref("Date", required) },
			},
			[`${NS}ItemMap`]: { type: "map", key: ref("Name"), value: ref("Item") },
			[`${NS}IdList`]: { type: "list", member: ref("Id") },
			[`${NS}Id`]: {
				type: "string",
				traits: { "smithy.api#pattern": "^[\\w/-]+:\\s$" },
			},
			[`${NS}Name`]: { type: "string" },
			[`${NS}Kind`]: {
				type: "enum",
				members: {
					A: {
						target: "smithy.api#Unit",
						traits: { "smithy.api#enumValue": "a-value" },
					},
					B: {
						target: "smithy.api#Unit",
						traits: { "smithy.api#enumValue": "B" },
					},
				},
			},
			[`${NS}Count`]: {
				type: "integer",
				traits: { "smithy.api#range": { min: 1 } },
			},
			[`${NS}Big`]: { type: "long" },
			[`${NS}Flag`]: { type: "boolean" },
			[`${NS}Date`]: { type: "timestamp" },
			...extra,
		},
	};
}

describe("gen-model: the table", () => {
	test("patterns are carried as the model writes them and as ready RegExp literals", () => {
		const text = emit(buildTable(model()));
		assert.ok(
			text.includes(
				'Id: { kind: "string", pattern: "^[\\\\w/-]+:\\\\s$", regex: /^(?:[A-Za-z0-9_/-]+:[ \\t\\n\\v\\f\\r])$/u },',
			),
			text,
		);
		assert.doesNotMatch(text, /javaPatternToRegExp/);
	});

	test("a pattern the translator refuses fails generation, naming the shape", () => {
		const bad = model({
			[`${NS}Id`]: {
				type: "string",
				traits: { "smithy.api#pattern": "^a++$" },
			},
		});
		assert.throws(
			() => buildTable(bad),
			/gen-model: Id: unsupported Java regex construct/,
		);
	});

	test("the operations whose output holds a timestamp, however deep", () => {
		const table = buildTable(model());
		assert.deepEqual(outputsWithTimestamps(table), ["Get", "List"]);
		assert.ok(
			emit(table).includes(
				'export const OUTPUT_HAS_TIMESTAMPS: ReadonlySet<OperationName> = new Set<OperationName>(["Get", "List"]);',
			),
		);
	});
});

describe("gen-model: the types", () => {
	const text = emitTypes(buildTable(model()));

	test("one interface per structure; required members only are not optional", () => {
		assert.ok(
			text.includes(
				[
					"export interface GetInput {",
					"\tId: string;",
					"\tKind?: Kind;",
					"\tCount: number;",
					"\tBig?: number;",
					"\tFlag?: boolean;",
					"}",
				].join("\n"),
			),
			text,
		);
		assert.ok(
			text.includes(
				"export interface Item {\n\tId?: string;\n\tWhen: Date;\n}",
			),
		);
		assert.ok(
			text.includes("export interface DeleteInput {\n\tIds: string[];\n}"),
		);
		assert.ok(
			text.includes(
				"export interface ListResponse {\n\tItems?: Record<string, Item>;\n}",
			),
		);
	});

	test("enums are unions of their values, named as the model names them", () => {
		assert.ok(text.includes('export type Kind = "a-value" | "B";'));
	});

	test("the operation map, in name order; no output is Record<string, never>", () => {
		assert.ok(
			text.includes(
				[
					"export interface OperationShapes {",
					"\tDelete: { input: DeleteInput; output: Record<string, never> };",
					"\tGet: { input: GetInput; output: GetResponse };",
					"\tList: { input: DeleteInput; output: ListResponse };",
					"}",
				].join("\n"),
			),
			text,
		);
		assert.ok(
			text.includes(
				'export type OperationInput<N extends OperationName> = OperationShapes[N]["input"];',
			),
		);
		assert.ok(
			text.includes(
				'export type OperationOutput<N extends OperationName> = OperationShapes[N]["output"];',
			),
		);
	});

	test("no documentation text is carried over", () => {
		const documented = model({
			[`${NS}Flag`]: {
				type: "boolean",
				traits: { "smithy.api#documentation": "<p>AWS prose</p>" },
			},
		});
		assert.doesNotMatch(emitTypes(buildTable(documented)), /AWS prose/);
		assert.doesNotMatch(emit(buildTable(documented)), /AWS prose/);
	});

	test("a structure without members is Record<string, never>", () => {
		const empty = model({
			[`${NS}GetResponse`]: { type: "structure", members: {} },
		});
		assert.ok(
			emitTypes(buildTable(empty)).includes(
				"export type GetResponse = Record<string, never>;",
			),
		);
	});
});
