/**
 * Every constraint of every input member of the 23 operations, walked from the generated
 * model table (test/support/model-cases.ts), checked against `validateInput`: the invalid
 * input answers a ValidationException naming the member's path and constraint, the valid
 * one passes. A second, independent walk of the table counts the constraints so that a
 * constraint the case generator does not know cannot be skipped silently.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ValidationException } from "../../src/errors/protocol-errors.ts";
import {
	OPERATIONS,
	type OperationName,
	SHAPES,
	type ShapeDef,
} from "../../src/model/model.generated.ts";
import { validateInput } from "../../src/protocol/validation.ts";
import {
	type ModelCase,
	minimalInput,
	modelCases,
} from "../support/model-cases.ts";

const cases: ModelCase[] = [...modelCases()];
const operations = Object.keys(OPERATIONS) as OperationName[];

/**
 * The constraints of the table, found without the case generator: one entry
 * `<operation> <site> <constraint>` per constraint that a request can violate.
 */
function expectedConstraints(): string[] {
	const shapes: Readonly<Record<string, ShapeDef>> = SHAPES;
	const out: string[] = [];
	const lower = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);
	const plain = (prefix: string, name: string, add: (c: string) => void) => {
		const shape = shapes[name];
		assert.ok(shape, name);
		if (shape.kind === "string") {
			if (shape.length?.max !== undefined) add(`${prefix}length.max`);
			if ((shape.length?.min ?? 0) > 0) add(`${prefix}length.min`);
			if (shape.pattern !== undefined) add(`${prefix}pattern`);
		} else if (shape.kind === "enum") {
			add(`${prefix}enum`);
		} else if (shape.kind === "integer" || shape.kind === "long") {
			if (shape.range?.max !== undefined) add(`${prefix}range.max`);
			if (shape.range?.min !== undefined) add(`${prefix}range.min`);
		}
	};
	const value = (op: string, site: string, name: string) => {
		const shape = shapes[name];
		assert.ok(shape, name);
		const add = (c: string) => out.push(`${op} ${site} ${c}`);
		switch (shape.kind) {
			case "structure":
				structure(op, site, name);
				break;
			case "list":
				if (shape.length?.max !== undefined) add("length.max");
				if ((shape.length?.min ?? 0) > 0) add("length.min");
				if (shapes[shape.member]?.kind === "structure")
					structure(op, `${site}.1.member`, shape.member);
				else plain("member.", shape.member, add);
				break;
			case "map":
				if (shape.length?.max !== undefined) add("length.max");
				if ((shape.length?.min ?? 0) > 0) add("length.min");
				plain("key.", shape.key, add);
				if (shapes[shape.value]?.kind === "structure")
					structure(op, `${site}.*.member`, shape.value);
				else plain("value.", shape.value, add);
				break;
			default:
				plain("", name, add);
		}
	};
	const structure = (op: string, site: string, name: string) => {
		const shape = shapes[name];
		assert.ok(shape?.kind === "structure", name);
		for (const m of shape.members) {
			const memberSite =
				site === "" ? lower(m.name) : `${site}.${lower(m.name)}`;
			if (m.required) out.push(`${op} ${memberSite} required`);
			value(op, memberSite, m.target);
		}
	};
	for (const op of operations) {
		const input = OPERATIONS[op].input;
		if (input !== null) structure(op, "", input);
	}
	return out;
}

describe("model walk", () => {
	test("covers every constraint of the table, once", () => {
		const expected = expectedConstraints().sort();
		const actual = cases
			.map((c) => `${c.operation} ${c.site} ${c.constraint}`)
			.sort();
		assert.deepEqual(actual, expected);
		assert.equal(new Set(actual).size, actual.length, "duplicate cases");
	});

	test("covers all 23 operations", () => {
		assert.equal(operations.length, 23);
		for (const op of operations) {
			assert.ok(
				cases.some((c) => c.operation === op),
				`no case for ${op}`,
			);
		}
	});

	test("the minimal input of every operation is valid", () => {
		for (const op of operations) {
			assert.doesNotThrow(() => validateInput(op, minimalInput(op)), op);
		}
	});
});

describe("every constraint of the model", () => {
	for (const c of cases) {
		test(`${c.operation} ${c.path} ${c.constraint}`, () => {
			let error: unknown;
			try {
				validateInput(c.operation, c.invalidInput);
			} catch (e) {
				error = e;
			}
			assert.ok(
				error instanceof ValidationException,
				`expected ValidationException, got ${String(error)}`,
			);
			const message = error.message;
			assert.ok(
				message.includes(c.expectedMessageFragment),
				`message lacks ${JSON.stringify(c.expectedMessageFragment)}:\n${message}`,
			);
			assert.ok(
				message.includes(`at '${c.path}' failed to satisfy constraint: `),
				message,
			);
			if (c.innerMessage !== undefined) {
				assert.ok(
					message.includes(c.innerMessage),
					`message lacks ${c.innerMessage}:\n${message}`,
				);
			}
			if (c.exact)
				assert.ok(message.startsWith("1 validation error detected: "), message);
			// A missing value is `Value null` even for sensitive members: there is nothing to hide.
			if (c.sensitive && c.constraint !== "required") {
				assert.ok(message.includes(`Value at '${c.path}'`), message);
				if (typeof c.invalidValue === "string" && c.invalidValue.length > 3) {
					assert.ok(
						!message.includes(`${c.invalidValue}`),
						"sensitive value echoed",
					);
				}
			}
			assert.doesNotThrow(() => validateInput(c.operation, c.validInput));
		});
	}
});
