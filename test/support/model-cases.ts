/**
 * Walks the generated model table and yields one test case for every constraint of every
 * input member of every operation (required, length min/max, pattern, range min/max, enum,
 * list/map sizes, list elements, map keys and values, nested members in lists, maps and
 * structures). Each case holds a minimal otherwise-valid input with exactly that violation
 * injected, and the same input with a valid value instead, so that the same cases can be
 * checked against `validateInput` and, later, sent over HTTP.
 *
 * Paths follow `src/protocol/validation.ts`: `a.b` for nested structures,
 * `list.1.member.x` for structures in lists, `map.<key>.member.x` for structures that are map
 * values; plain list elements and map keys/values are reported at the list or map path.
 * `site` is the same path with map keys written `*`, so that it does not depend on the key
 * chosen here.
 *
 * Valid strings come from a hand-written table keyed by the model's pattern text: a pattern
 * that is not in it fails loudly, so a model update cannot be skipped silently.
 */
import {
	type MemberDef,
	OPERATIONS,
	type OperationName,
	SHAPES,
	type ShapeDef,
	type ShapeName,
} from "../../src/model/model.generated.ts";

export type Constraint =
	| "required"
	| "length.min"
	| "length.max"
	| "pattern"
	| "range.min"
	| "range.max"
	| "enum";

export interface ModelCase {
	readonly operation: OperationName;
	/** Where the violation is reported (AWS path). */
	readonly path: string;
	/** `path` with map keys written `*`. */
	readonly site: string;
	/**
	 * The constraint violated; prefixed with `member.` (list element), `key.` or `value.` (map)
	 * when it belongs to the element shape of a list or map reported at the collection's path.
	 */
	readonly constraint: string;
	readonly invalidInput: Record<string, unknown>;
	readonly validInput: Record<string, unknown>;
	/** Contained in the ValidationException message; includes the path. */
	readonly expectedMessageFragment: string;
	/** For element/key/value cases: the message that must appear inside the `[..]` list. */
	readonly innerMessage?: string;
	/** The value must not be echoed (`Value at '<path>'`). */
	readonly sensitive: boolean;
	/** The injected value (undefined for `required`), to check it is not echoed when sensitive. */
	readonly invalidValue: unknown;
	/** The invalid input has this one violation only (else the message may list others too). */
	readonly exact: boolean;
}

// ---------------------------------------------------------------------------------------
// Valid values.

const shapes: Readonly<Record<string, ShapeDef>> = SHAPES;

function shapeOf(name: string): ShapeDef {
	const shape = shapes[name];
	if (!shape) throw new Error(`model-cases: unknown shape ${name}`);
	return shape;
}

/** `base` followed by a distinguishing tag, cut or padded with `filler` to exactly n. */
function sized(
	base: string,
	index: number,
	n: number | undefined,
	filler: string,
): string | undefined {
	const tag = index === 0 ? "" : String(index);
	if (n === undefined) return base + tag;
	if (tag.length > n) return undefined;
	let s = base.slice(0, n - tag.length) + tag;
	while (s.length < n) s += filler;
	return s;
}

interface PatternSample {
	/** A distinct (per index) matching value of exactly n characters, or of a natural length. */
	readonly make: (n: number | undefined, index: number) => string | undefined;
	/** A short value that does not match. */
	readonly invalid: string;
}

const simple = (
	base: string,
	filler: string,
	invalid: string,
): PatternSample => ({
	make: (n, i) => (n === 0 ? undefined : sized(base, i, n, filler)),
	invalid,
});

/** One entry per distinct pattern of the model (the key is the model's text, anchors included). */
export const PATTERN_SAMPLES: Readonly<Record<string, PatternSample>> = {
	"^\\d+$": {
		make: (n, i) => {
			const digits = String(i + 1);
			if (n === undefined) return `12345678901${digits}`.slice(-12);
			return n >= digits.length ? digits.padStart(n, "0") : undefined;
		},
		invalid: "12a",
	},
	"^[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+$": simple("email", "x", "a b"),
	"^[\\w_]+$": simple("clientid", "x", "a b"),
	"^[\\w._:/-]+$": simple(
		"cognito-idp.us-east-1.amazonaws.com/us-east-1_Example",
		"x",
		"a b",
	),
	"^[\\w._-]+$": simple("login.example.dev", "x", "a b"),
	"^[\\w-]+:[0-9a-f-]+$": {
		make: (n, i) => {
			const hex = i.toString(16);
			if (n === undefined)
				return `us-east-1:00000000-0000-0000-0000-${hex.padStart(12, "0")}`;
			const prefix = n >= 10 + Math.max(hex.length, 1) ? "us-east-1:" : "u:";
			const rest = n - prefix.length;
			return rest >= hex.length && rest >= 1
				? prefix + hex.padStart(rest, "0")
				: undefined;
		},
		invalid: "us-east-1_no-colon",
	},
	"^[\\w\\s+=,.@-]+$": simple("test pool", "x", "pool#1"),
	"^[\\w.;_/-]+$": simple("app.example", "x", "a b"),
	"^[\\S]+$": simple("token", "x", "a b"),
	"^(un)?authenticated$": {
		make: (n, i) => {
			const v = ["authenticated", "unauthenticated"][i];
			return v !== undefined && (n === undefined || v.length === n)
				? v
				: undefined;
		},
		invalid: "guest",
	},
};

/** Natural bases for strings without a pattern (anything else is `value`). */
const PLAIN_BASES: Partial<Record<ShapeName, string>> = {
	ARNString: "arn:aws:iam::123456789012:role/test",
	IdentityProviderName: "graph.facebook.com",
};

function patternSample(pattern: string): PatternSample {
	const sample = PATTERN_SAMPLES[pattern];
	if (!sample) {
		throw new Error(
			`model-cases: no sample values for pattern ${pattern}: add it to PATTERN_SAMPLES`,
		);
	}
	return sample;
}

/** A valid string of shape `name` of length n (natural when undefined), distinct per index. */
export function validString(
	name: string,
	n: number | undefined,
	index: number,
): string | undefined {
	const shape = shapeOf(name);
	if (shape.kind !== "string")
		throw new Error(`model-cases: ${name} is not a string`);
	const min = shape.length?.min ?? 0;
	const max = shape.length?.max ?? Number.POSITIVE_INFINITY;
	if (shape.pattern !== undefined) {
		const sample = patternSample(shape.pattern);
		const natural = sample.make(undefined, index);
		const length =
			n ??
			(natural !== undefined && natural.length >= min && natural.length <= max
				? undefined
				: min);
		return sample.make(length, index);
	}
	const base = PLAIN_BASES[name as ShapeName] ?? "value";
	const length =
		n ?? Math.min(Math.max(base.length + String(index).length, min), max);
	return sized(base, index, length, "x");
}

/** A valid value of shape `name`, distinct per index where the shape allows it. */
export function validValue(name: string, index = 0): unknown {
	const shape = shapeOf(name);
	switch (shape.kind) {
		case "string": {
			const v = validString(name, undefined, index);
			if (v === undefined)
				throw new Error(`model-cases: no valid value #${index} for ${name}`);
			return v;
		}
		case "enum":
			return shape.values[index % shape.values.length];
		case "boolean":
			return false;
		case "timestamp":
			return 0;
		case "integer":
		case "long":
			return Math.min(
				Math.max(10, shape.range?.min ?? 10),
				shape.range?.max ?? 10,
			);
		case "structure":
			return minimalStructure(name);
		case "list":
			return validList(
				shape.member,
				Math.min(Math.max(1, shape.length?.min ?? 0), shape.length?.max ?? 1),
			);
		case "map": {
			const count = Math.min(
				Math.max(1, shape.length?.min ?? 0),
				shape.length?.max ?? 1,
			);
			return validMap(shape.key, shape.value, count).map;
		}
	}
}

function validList(member: string, count: number): unknown[] {
	return Array.from({ length: count }, (_, i) => validValue(member, i));
}

/** `count` entries with distinct keys; `exact` is false when valid keys ran out. */
function validMap(
	key: string,
	value: string,
	count: number,
): { map: Record<string, unknown>; exact: boolean } {
	const map: Record<string, unknown> = {};
	let exact = true;
	for (let i = 0; i < count; i++) {
		let k = tryValid(key, i);
		if (k === undefined || k in map) {
			exact = false;
			k = `key${i}`;
		}
		map[k] = validValue(value, i);
	}
	return { map, exact };
}

function tryValid(name: string, index: number): string | undefined {
	try {
		const v = validValue(name, index);
		return typeof v === "string" ? v : undefined;
	} catch {
		return undefined;
	}
}

/** The structure with every required member set to a valid value. */
export function minimalStructure(name: string): Record<string, unknown> {
	const shape = shapeOf(name);
	if (shape.kind !== "structure")
		throw new Error(`model-cases: ${name} is not a structure`);
	const out: Record<string, unknown> = {};
	for (const m of shape.members)
		if (m.required) out[m.name] = validValue(m.target);
	return out;
}

/** A minimal valid input of the operation: all required members filled. */
export function minimalInput(
	operation: OperationName,
): Record<string, unknown> {
	const input = OPERATIONS[operation].input;
	return input === null ? {} : minimalStructure(input);
}

// ---------------------------------------------------------------------------------------
// Violations of a plain value.

interface ScalarViolation {
	readonly constraint: Constraint;
	readonly value: unknown;
	readonly message: string;
	/** The value breaks this constraint only. */
	readonly exact: boolean;
}

export function containsSensitive(name: string): boolean {
	const shape = shapeOf(name);
	switch (shape.kind) {
		case "string":
			return shape.sensitive === true;
		case "structure":
			return shape.members.some(
				(m) => m.sensitive === true || containsSensitive(m.target),
			);
		case "list":
			return containsSensitive(shape.member);
		case "map":
			return containsSensitive(shape.key) || containsSensitive(shape.value);
		default:
			return false;
	}
}

/** One invalid value per constraint of a plain (string, enum, number) shape. */
function scalarViolations(name: string): ScalarViolation[] {
	const shape = shapeOf(name);
	const out: ScalarViolation[] = [];
	switch (shape.kind) {
		case "string": {
			const { min, max } = shape.length ?? {};
			if (max !== undefined) {
				const v = validString(name, max + 1, 0);
				out.push({
					constraint: "length.max",
					value: v ?? "x".repeat(max + 1),
					message: `Member must have length less than or equal to ${max}`,
					exact: v !== undefined,
				});
			}
			if (min !== undefined && min > 0) {
				const v = validString(name, min - 1, 0);
				out.push({
					constraint: "length.min",
					value: v ?? "x".repeat(min - 1),
					message: `Member must have length greater than or equal to ${min}`,
					exact: v !== undefined,
				});
			}
			if (shape.pattern !== undefined) {
				const invalid = patternSample(shape.pattern).invalid;
				if (
					invalid.length < (min ?? 0) ||
					invalid.length > (max ?? Number.POSITIVE_INFINITY)
				) {
					throw new Error(
						`model-cases: invalid sample for ${shape.pattern} breaks the length of ${name}`,
					);
				}
				const body = shape.pattern.replace(/^\^/, "").replace(/\$$/, "");
				out.push({
					constraint: "pattern",
					value: invalid,
					message: `Member must satisfy regular expression pattern: ${body}`,
					exact: true,
				});
			}
			return out;
		}
		case "enum":
			out.push({
				constraint: "enum",
				value: "NotAnEnumValue",
				message: `Member must satisfy enum value set: [${shape.values.join(", ")}]`,
				exact: true,
			});
			return out;
		case "integer":
		case "long": {
			const { min, max } = shape.range ?? {};
			if (max !== undefined) {
				out.push({
					constraint: "range.max",
					value: max + 1,
					message: `Member must have value less than or equal to ${max}`,
					exact: true,
				});
			}
			if (min !== undefined) {
				out.push({
					constraint: "range.min",
					value: min - 1,
					message: `Member must have value greater than or equal to ${min}`,
					exact: true,
				});
			}
			return out;
		}
		default:
			return out;
	}
}

// ---------------------------------------------------------------------------------------
// The walk.

const ABSENT: unique symbol = Symbol("absent");
type Build = (value: unknown) => Record<string, unknown>;

interface Site {
	readonly operation: OperationName;
	readonly path: string;
	readonly site: string;
	/** The whole input with `value` at this site (ABSENT: the member left out). */
	readonly build: Build;
	readonly sensitive: boolean;
}

function join(base: string, segment: string): string {
	return base === "" ? segment : `${base}.${segment}`;
}

function lowerFirst(name: string): string {
	return name.charAt(0).toLowerCase() + name.slice(1);
}

function* walkStructure(
	operation: OperationName,
	structure: string,
	path: string,
	site: string,
	build: Build,
): Generator<ModelCase> {
	const shape = shapeOf(structure);
	if (shape.kind !== "structure")
		throw new Error(`model-cases: ${structure} is not a structure`);
	for (const member of shape.members) {
		yield* walkMember(operation, structure, member, path, site, build);
	}
}

function* walkMember(
	operation: OperationName,
	structure: string,
	member: MemberDef,
	path: string,
	site: string,
	buildParent: Build,
): Generator<ModelCase> {
	const build: Build = (value) => {
		const parent = minimalStructure(structure);
		if (value === ABSENT) delete parent[member.name];
		else parent[member.name] = value;
		return buildParent(parent);
	};
	const here: Site = {
		operation,
		path: join(path, lowerFirst(member.name)),
		site: join(site, lowerFirst(member.name)),
		build,
		sensitive: member.sensitive === true || containsSensitive(member.target),
	};
	if (member.required) {
		yield {
			operation,
			path: here.path,
			site: here.site,
			constraint: "required",
			invalidInput: build(ABSENT),
			validInput: build(validValue(member.target)),
			expectedMessageFragment: `Value null at '${here.path}' failed to satisfy constraint: Member must not be null`,
			sensitive: here.sensitive,
			invalidValue: undefined,
			exact: true,
		};
	}
	yield* walkValue(here, member.target);
}

function fragment(
	site: Site,
	message: string,
	value: unknown,
	printable: boolean,
): string {
	const tail = `at '${site.path}' failed to satisfy constraint: ${message}`;
	if (site.sensitive) return `Value ${tail}`;
	return printable ? `Value '${String(value)}' ${tail}` : tail;
}

function* walkValue(here: Site, target: string): Generator<ModelCase> {
	const shape = shapeOf(target);
	const valid = validValue(target);
	const base = {
		operation: here.operation,
		path: here.path,
		site: here.site,
		validInput: here.build(valid),
		sensitive: here.sensitive,
	};
	switch (shape.kind) {
		case "string":
		case "enum":
		case "integer":
		case "long":
			for (const v of scalarViolations(target)) {
				yield {
					...base,
					constraint: v.constraint,
					invalidInput: here.build(v.value),
					expectedMessageFragment: fragment(here, v.message, v.value, true),
					invalidValue: v.value,
					exact: v.exact,
				};
			}
			return;
		case "boolean":
		case "timestamp":
			return;
		case "structure":
			yield* walkStructure(
				here.operation,
				target,
				here.path,
				here.site,
				here.build,
			);
			return;
		case "list": {
			const { min, max } = shape.length ?? {};
			if (max !== undefined) {
				const value = validList(shape.member, max + 1);
				yield {
					...base,
					constraint: "length.max",
					invalidInput: here.build(value),
					expectedMessageFragment: fragment(
						here,
						`Member must have length less than or equal to ${max}`,
						value,
						false,
					),
					invalidValue: value,
					exact: true,
				};
			}
			if (min !== undefined && min > 0) {
				const value = validList(shape.member, min - 1);
				yield {
					...base,
					constraint: "length.min",
					invalidInput: here.build(value),
					expectedMessageFragment: fragment(
						here,
						`Member must have length greater than or equal to ${min}`,
						value,
						false,
					),
					invalidValue: value,
					exact: true,
				};
			}
			const element = shapeOf(shape.member);
			if (element.kind === "structure") {
				yield* walkStructure(
					here.operation,
					shape.member,
					`${here.path}.1.member`,
					`${here.site}.1.member`,
					(v) => here.build([v]),
				);
			} else if (element.kind === "list" || element.kind === "map") {
				throw new Error(
					`model-cases: nested collections (${target}) are not supported yet`,
				);
			} else {
				for (const v of scalarViolations(shape.member)) {
					const value = [v.value];
					yield {
						...base,
						constraint: `member.${v.constraint}`,
						invalidInput: here.build(value),
						expectedMessageFragment: fragment(
							here,
							"Member must satisfy constraint: [",
							value,
							false,
						),
						innerMessage: v.message,
						invalidValue: v.value,
						exact: true,
					};
				}
			}
			return;
		}
		case "map": {
			const { min, max } = shape.length ?? {};
			if (max !== undefined) {
				const { map, exact } = validMap(shape.key, shape.value, max + 1);
				yield {
					...base,
					constraint: "length.max",
					invalidInput: here.build(map),
					expectedMessageFragment: fragment(
						here,
						`Member must have length less than or equal to ${max}`,
						map,
						false,
					),
					invalidValue: map,
					exact,
				};
			}
			if (min !== undefined && min > 0) {
				const { map, exact } = validMap(shape.key, shape.value, min - 1);
				yield {
					...base,
					constraint: "length.min",
					invalidInput: here.build(map),
					expectedMessageFragment: fragment(
						here,
						`Member must have length greater than or equal to ${min}`,
						map,
						false,
					),
					invalidValue: map,
					exact,
				};
			}
			const validVal = validValue(shape.value);
			for (const v of scalarViolations(shape.key)) {
				const key = String(v.value);
				yield {
					...base,
					constraint: `key.${v.constraint}`,
					invalidInput: here.build({ [key]: validVal }),
					expectedMessageFragment: fragment(
						here,
						"Map keys must satisfy constraint: [",
						undefined,
						false,
					),
					innerMessage: v.message,
					invalidValue: key,
					exact: true,
				};
			}
			const key = String(validValue(shape.key));
			const valueShape = shapeOf(shape.value);
			if (valueShape.kind === "structure") {
				yield* walkStructure(
					here.operation,
					shape.value,
					`${here.path}.${key}.member`,
					`${here.site}.*.member`,
					(v) => here.build({ [key]: v }),
				);
			} else if (valueShape.kind === "list" || valueShape.kind === "map") {
				throw new Error(
					`model-cases: nested collections (${target}) are not supported yet`,
				);
			} else {
				for (const v of scalarViolations(shape.value)) {
					yield {
						...base,
						constraint: `value.${v.constraint}`,
						invalidInput: here.build({ [key]: v.value }),
						expectedMessageFragment: fragment(
							here,
							"Map value must satisfy constraint: [",
							undefined,
							false,
						),
						innerMessage: v.message,
						invalidValue: v.value,
						exact: true,
					};
				}
			}
			return;
		}
	}
}

/** Every constraint case of one operation, or of all 23 when none is given. */
export function* modelCases(operation?: OperationName): Generator<ModelCase> {
	const operations = operation
		? [operation]
		: (Object.keys(OPERATIONS) as OperationName[]);
	for (const op of operations) {
		const input = OPERATIONS[op].input;
		if (input === null) continue;
		yield* walkStructure(
			op,
			input,
			"",
			"",
			(v) => v as Record<string, unknown>,
		);
	}
}
