/**
 * @module protocol/validation
 * Checks a decoded awsJson1_1 request body against the input shape of its operation, the way
 * the real service (Coral) does (docs/behaviour.md#validation):
 *
 * - wrong JSON types anywhere in a modeled member → `SerializationException`, at once;
 * - every constraint violation (required, length, pattern, range, enum, list/map size) is
 *   collected, in model member order and depth first, into one `ValidationException`:
 *   `N validation error(s) detected: <violation>; <violation>`;
 * - unknown members are dropped; a JSON `null` counts as absent (also inside lists and
 *   maps, where it is dropped before the size is counted).
 *
 * Paths are the member names with the first letter lower-cased, joined with `.`:
 * - a member of a structure inside a list: `<list>.<1-based index>.member.<member>`,
 *   e.g. `cognitoIdentityProviders.1.member.providerName`;
 * - a member of a structure that is a map value: `<map>.<key>.member.<member>`,
 *   e.g. `roleMappings.graph.facebook.com.member.type` (the key is written verbatim);
 * - list elements and map keys/values that are plain values are reported once at the path of
 *   the list or map, listing every constraint of the element shape:
 *   `Member must satisfy constraint: [..]`, `Map keys must satisfy constraint: [..]`,
 *   `Map value must satisfy constraint: [..]`, with the whole list (`[a, b]`) or map
 *   (`{k=v}`) printed as Java prints it.
 * For one value, the violations are listed length first, then pattern (range, then enum for
 * the other kinds); inside `[..]` the constraints are listed in the same order.
 * A value that is, or contains, something `@sensitive` is never printed: `Value at '<path>'`.
 *
 * Every string (a member, a list item, a map key or value) must also be one that every
 * store keeps as it was sent ({@link characterProblem}): without the null character U+0000
 * (PostgreSQL refuses it) and without an unpaired UTF-16 surrogate (a JSON `\ud800` escape
 * decodes to one; UTF-8 cannot carry it, so two different strings would become one). Such a
 * string is reported alone, without its value and without its other constraints:
 * `Value at '<path>' failed to satisfy constraint: Member must not contain ...` (`Map keys
 * must not contain ...`, `Map value must not contain ...` for a map's).
 *
 * Everything is compiled once, at module load, into one closure per shape.
 */

import {
	SerializationException,
	ValidationException,
} from "../errors/protocol-errors.ts";
import { characterProblem } from "../lib/storable.ts";
import {
	type MemberDef,
	OPERATIONS,
	type OperationName,
	SHAPES,
	type ShapeDef,
	type ShapeName,
} from "../model/model.generated.ts";

// ---------------------------------------------------------------------------------------
// Patterns. The generated table carries each `@pattern` twice: as the model writes it (Java,
// for messages) and as a ready JavaScript RegExp (translated by scripts/java-regex.ts when
// scripts/gen-model.ts generates the table).

/** The model pattern as AWS prints it in messages: without a leading `^` and trailing `$`. */
export function displayPattern(pattern: string): string {
	let body = pattern;
	if (body.startsWith("^")) body = body.slice(1);
	if (body.endsWith("$") && !body.endsWith("\\$")) body = body.slice(0, -1);
	return body;
}

// ---------------------------------------------------------------------------------------
// Printing values as Coral (Java) does.

/** Member name → path segment: the first letter lower-cased. */
export function memberPath(name: string): string {
	return name.charAt(0).toLowerCase() + name.slice(1);
}

/** Java's toString of the decoded value: `[a, b]` for lists, `{k=v}` for maps/structures. */
export function javaString(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map(javaString).join(", ")}]`;
	if (typeof value === "object" && value !== null) {
		const parts: string[] = [];
		for (const [k, v] of Object.entries(value))
			parts.push(`${k}=${javaString(v)}`);
		return `{${parts.join(", ")}}`;
	}
	return String(value);
}

function countCodePoints(s: string): number {
	let n = 0;
	for (let i = 0; i < s.length; i++) {
		const c = s.charCodeAt(i);
		// A high surrogate followed by a low one is one code point.
		if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
			const d = s.charCodeAt(i + 1);
			if (d >= 0xdc00 && d <= 0xdfff) i++;
		}
		n++;
	}
	return n;
}

/** The violation of a string {@link characterProblem} refuses: never printed, as sent. */
function characterViolation(
	ctx: Context,
	path: string,
	subject: "Member" | "Map keys" | "Map value",
	problem: string,
): void {
	ctx.violations.push(
		`Value at '${path}' failed to satisfy constraint: ${subject} ${problem}`,
	);
}

/**
 * The first {@link characterProblem} of `values` when the shape holds strings (values of
 * other JSON types are left to the shape's type check).
 */
function firstCharacterProblem(
	shape: Compiled,
	values: Iterable<unknown>,
): string | undefined {
	if (!shape.strings) return undefined;
	for (const v of values) {
		const problem = typeof v === "string" ? characterProblem(v) : undefined;
		if (problem !== undefined) return problem;
	}
	return undefined;
}

// ---------------------------------------------------------------------------------------
// Type errors (SerializationException).

function jsonToken(value: unknown): string {
	switch (typeof value) {
		case "string":
			return "STRING_VALUE";
		case "number":
			return "NUMBER_VALUE";
		case "boolean":
			return "BOOLEAN_VALUE";
		default:
			return value === null ? "NULL_VALUE" : "VALUE";
	}
}

function typeError(
	value: unknown,
	expected: string,
): InstanceType<typeof SerializationException> {
	if (Array.isArray(value)) {
		return new SerializationException("Start of list found where not expected");
	}
	if (typeof value === "object" && value !== null) {
		return new SerializationException(
			"Start of structure or map found where not expected.",
		);
	}
	return new SerializationException(
		`${jsonToken(value)} can not be converted to ${expected}`,
	);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
	return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Sets `key` even when it is `__proto__` (map keys are caller-controlled). */
function setOwn(
	target: Record<string, unknown>,
	key: string,
	value: unknown,
): void {
	if (key === "__proto__") {
		Object.defineProperty(target, key, {
			value,
			enumerable: true,
			writable: true,
			configurable: true,
		});
	} else {
		target[key] = value;
	}
}

// ---------------------------------------------------------------------------------------
// Compiled validators.

interface Context {
	violations: string[];
}

/**
 * Validates `value` (never null/undefined) found at `path`; reports violations into `ctx`;
 * throws SerializationException on a type error; returns the value with unknown members
 * removed. `hide`: do not print the value.
 */
type Validator = (
	value: unknown,
	path: string,
	ctx: Context,
	hide: boolean,
) => unknown;

/** A compiled shape. Plain values also answer whether a value satisfies every constraint. */
interface Compiled {
	validate: Validator;
	/** For plain values: type-checks (throws) and tells whether all constraints hold. */
	satisfied?: (value: unknown) => boolean;
	/** For plain values: every constraint message of the shape, for `[..]` lists. */
	constraintMessages?: readonly string[];
	/** The shape is a string or an enum: its values are checked by {@link characterProblem}. */
	strings?: true;
	/** The shape is, or contains, something sensitive. */
	sensitive: boolean;
}

const shapes: Readonly<Record<string, ShapeDef>> = SHAPES;
const compiled = new Map<string, Compiled>();

function violation(
	ctx: Context,
	value: unknown,
	path: string,
	hide: boolean,
	message: string,
): void {
	ctx.violations.push(
		hide
			? `Value at '${path}' failed to satisfy constraint: ${message}`
			: `Value '${javaString(value)}' at '${path}' failed to satisfy constraint: ${message}`,
	);
}

function lengthMessages(length: { min?: number; max?: number } | undefined): {
	max?: string;
	min?: string;
} {
	return {
		max:
			length?.max === undefined
				? undefined
				: `Member must have length less than or equal to ${length.max}`,
		min:
			length?.min === undefined || length.min <= 0
				? undefined
				: `Member must have length greater than or equal to ${length.min}`,
	};
}

function containsSensitive(name: string, seen = new Set<string>()): boolean {
	if (seen.has(name)) return false;
	seen.add(name);
	const shape = shapes[name];
	if (!shape) throw new Error(`unknown shape ${name}`);
	switch (shape.kind) {
		case "string":
			return shape.sensitive === true;
		case "structure":
			return shape.members.some(
				(m) => m.sensitive === true || containsSensitive(m.target, seen),
			);
		case "list":
			return containsSensitive(shape.member, seen);
		case "map":
			return (
				containsSensitive(shape.key, seen) ||
				containsSensitive(shape.value, seen)
			);
		default:
			return false;
	}
}

function compile(name: string): Compiled {
	const existing = compiled.get(name);
	if (existing) return existing;
	const shape = shapes[name];
	if (!shape) throw new Error(`unknown shape ${name}`);
	const sensitive = containsSensitive(name);
	let result: Compiled;
	switch (shape.kind) {
		case "string":
			result = compileString(shape, sensitive);
			break;
		case "enum":
			result = compileEnum(shape.values);
			break;
		case "boolean":
			result = compileScalar("boolean", "a Boolean");
			break;
		case "timestamp":
			result = compileScalar("number", "a Timestamp");
			break;
		case "integer":
		case "long":
			result = compileNumber(shape.kind, shape.range);
			break;
		case "structure": {
			// Registered before its members compile, should the model ever recurse.
			const holder: Compiled = { validate: () => undefined, sensitive };
			compiled.set(name, holder);
			holder.validate = compileStructure(shape.members);
			return holder;
		}
		case "list":
			result = compileList(shape.member, shape.length, sensitive);
			break;
		case "map":
			result = compileMap(shape.key, shape.value, shape.length, sensitive);
			break;
	}
	compiled.set(name, result);
	return result;
}

function compileString(
	shape: {
		length?: { min?: number; max?: number };
		pattern?: string;
		regex?: RegExp;
	},
	sensitive: boolean,
): Compiled {
	const min = shape.length?.min ?? 0;
	const max = shape.length?.max ?? Number.POSITIVE_INFINITY;
	const { max: maxMessage, min: minMessage } = lengthMessages(shape.length);
	const regex = shape.regex;
	if ((regex === undefined) !== (shape.pattern === undefined)) {
		throw new Error(
			"a string shape has a pattern without its RegExp, or the reverse",
		);
	}
	const patternMessage =
		shape.pattern === undefined
			? undefined
			: `Member must satisfy regular expression pattern: ${displayPattern(shape.pattern)}`;
	const constraintMessages = [maxMessage, minMessage, patternMessage].filter(
		(m): m is string => m !== undefined,
	);
	const lengthOk = (s: string): boolean => {
		// A string of n UTF-16 units has between ceil(n/2) and n code points.
		if (s.length <= max && Math.ceil(s.length / 2) >= min) return true;
		const n = countCodePoints(s);
		return n >= min && n <= max;
	};
	const check = (value: unknown): string => {
		if (typeof value !== "string") throw typeError(value, "a String");
		return value;
	};
	if (constraintMessages.length === 0) {
		return {
			validate: (value, path, ctx) => {
				const s = check(value);
				storable(s, path, ctx);
				return s;
			},
			satisfied: (value) => {
				check(value);
				return true;
			},
			constraintMessages,
			sensitive,
			strings: true,
		};
	}
	return {
		validate: (value, path, ctx, hide) => {
			const s = check(value);
			if (!storable(s, path, ctx)) return s;
			if (!lengthOk(s)) {
				const n = countCodePoints(s);
				if (n > max) violation(ctx, s, path, hide, maxMessage as string);
				if (n < min) violation(ctx, s, path, hide, minMessage as string);
			}
			if (regex && !regex.test(s))
				violation(ctx, s, path, hide, patternMessage as string);
			return s;
		},
		satisfied: (value) => {
			const s = check(value);
			return lengthOk(s) && (!regex || regex.test(s));
		},
		constraintMessages,
		sensitive,
		strings: true,
	};
}

/**
 * Reports the {@link characterProblem} of a string member, if it has one; answers whether it
 * has none (its other constraints are checked only then).
 */
function storable(s: string, path: string, ctx: Context): boolean {
	const problem = characterProblem(s);
	if (problem === undefined) return true;
	characterViolation(ctx, path, "Member", problem);
	return false;
}

function compileEnum(values: readonly string[]): Compiled {
	const allowed = new Set(values);
	const message = `Member must satisfy enum value set: [${values.join(", ")}]`;
	const check = (value: unknown): string => {
		if (typeof value !== "string") throw typeError(value, "a String");
		return value;
	};
	return {
		validate: (value, path, ctx, hide) => {
			const s = check(value);
			if (storable(s, path, ctx) && !allowed.has(s)) {
				violation(ctx, s, path, hide, message);
			}
			return s;
		},
		satisfied: (value) => allowed.has(check(value)),
		constraintMessages: [message],
		sensitive: false,
		strings: true,
	};
}

function compileScalar(
	jsType: "boolean" | "number",
	expected: string,
): Compiled {
	const check = (value: unknown): unknown => {
		if (typeof value !== jsType) throw typeError(value, expected);
		return value;
	};
	return {
		validate: (value) => check(value),
		satisfied: (value) => {
			check(value);
			return true;
		},
		constraintMessages: [],
		sensitive: false,
	};
}

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;
const LONG_LIMIT = 2 ** 63;

function compileNumber(
	kind: "integer" | "long",
	range: { min?: number; max?: number } | undefined,
): Compiled {
	const expected = kind === "integer" ? "an Integer" : "a Long";
	const low = kind === "integer" ? INT_MIN : -LONG_LIMIT;
	const high = kind === "integer" ? INT_MAX : LONG_LIMIT;
	const min = range?.min ?? Number.NEGATIVE_INFINITY;
	const max = range?.max ?? Number.POSITIVE_INFINITY;
	const maxMessage =
		range?.max === undefined
			? undefined
			: `Member must have value less than or equal to ${range.max}`;
	const minMessage =
		range?.min === undefined
			? undefined
			: `Member must have value greater than or equal to ${range.min}`;
	const check = (value: unknown): number => {
		if (typeof value !== "number") throw typeError(value, expected);
		// Java would refuse a fraction, or a number out of the type's range, when decoding.
		if (!Number.isInteger(value) || value < low || value >= high) {
			throw new SerializationException(
				`NUMBER_VALUE can not be converted to ${expected}`,
			);
		}
		return value;
	};
	return {
		validate: (value, path, ctx, hide) => {
			const n = check(value);
			if (n > max) violation(ctx, n, path, hide, maxMessage as string);
			if (n < min) violation(ctx, n, path, hide, minMessage as string);
			return n;
		},
		satisfied: (value) => {
			const n = check(value);
			return n >= min && n <= max;
		},
		constraintMessages: [maxMessage, minMessage].filter(
			(m): m is string => m !== undefined,
		),
		sensitive: false,
	};
}

interface CompiledMember {
	readonly name: string;
	readonly segment: string;
	readonly required: boolean;
	readonly hide: boolean;
	readonly shape: Compiled;
}

function compileStructure(members: readonly MemberDef[]): Validator {
	const compiledMembers: CompiledMember[] = members.map((m) => {
		const shape = compile(m.target);
		return {
			name: m.name,
			segment: memberPath(m.name),
			required: m.required === true,
			hide: m.sensitive === true || shape.sensitive,
			shape,
		};
	});
	return (value, path, ctx) => {
		if (!isPlainObject(value)) throw typeError(value, "a Structure");
		const out: Record<string, unknown> = {};
		for (const m of compiledMembers) {
			const v = Object.hasOwn(value, m.name) ? value[m.name] : undefined;
			const memberPathText = path === "" ? m.segment : `${path}.${m.segment}`;
			if (v === undefined || v === null) {
				if (m.required) {
					ctx.violations.push(
						`Value null at '${memberPathText}' failed to satisfy constraint: Member must not be null`,
					);
				}
				continue;
			}
			out[m.name] = m.shape.validate(v, memberPathText, ctx, m.hide);
		}
		return out;
	};
}

/** Element shapes that are structures, lists or maps are validated one by one, with a path. */
function isAggregate(shape: Compiled): boolean {
	return shape.satisfied === undefined;
}

function compileList(
	memberName: ShapeName,
	length: { min?: number; max?: number } | undefined,
	sensitive: boolean,
): Compiled {
	const element = compile(memberName);
	const min = length?.min ?? 0;
	const max = length?.max ?? Number.POSITIVE_INFINITY;
	const { max: maxMessage, min: minMessage } = lengthMessages(length);
	const elementMessage = isAggregate(element)
		? undefined
		: element.constraintMessages?.length
			? `Member must satisfy constraint: [${element.constraintMessages.join(", ")}]`
			: undefined;
	const aggregate = isAggregate(element);
	const validate: Validator = (value, path, ctx, hide) => {
		if (!Array.isArray(value)) throw typeError(value, "a List");
		let list: unknown[] = value;
		if (list.includes(null)) list = list.filter((v) => v !== null);
		if (list.length > max)
			violation(ctx, list, path, hide, maxMessage as string);
		if (list.length < min)
			violation(ctx, list, path, hide, minMessage as string);
		if (aggregate) {
			const out: unknown[] = new Array(list.length);
			for (let i = 0; i < list.length; i++) {
				out[i] = element.validate(
					list[i],
					`${path}.${i + 1}.member`,
					ctx,
					element.sensitive,
				);
			}
			return out;
		}
		const satisfied = element.satisfied as (v: unknown) => boolean;
		let ok = true;
		for (const v of list) if (!satisfied(v)) ok = false;
		const problem = firstCharacterProblem(element, list);
		if (problem !== undefined) characterViolation(ctx, path, "Member", problem);
		else if (!ok && elementMessage) {
			violation(ctx, list, path, hide, elementMessage);
		}
		return list;
	};
	return { validate, sensitive };
}

function compileMap(
	keyName: ShapeName,
	valueName: ShapeName,
	length: { min?: number; max?: number } | undefined,
	sensitive: boolean,
): Compiled {
	const key = compile(keyName);
	const val = compile(valueName);
	if (isAggregate(key))
		throw new Error(`map key ${keyName} is not a plain value`);
	const keySatisfied = key.satisfied as (v: unknown) => boolean;
	const min = length?.min ?? 0;
	const max = length?.max ?? Number.POSITIVE_INFINITY;
	const { max: maxMessage, min: minMessage } = lengthMessages(length);
	const keyMessage = key.constraintMessages?.length
		? `Map keys must satisfy constraint: [${key.constraintMessages.join(", ")}]`
		: undefined;
	const valueMessage =
		!isAggregate(val) && val.constraintMessages?.length
			? `Map value must satisfy constraint: [${val.constraintMessages.join(", ")}]`
			: undefined;
	const aggregateValues = isAggregate(val);
	const validate: Validator = (value, path, ctx, hide) => {
		if (!isPlainObject(value)) throw typeError(value, "a Map");
		let map: Record<string, unknown> = value;
		let keys = Object.keys(map);
		// Null values count as absent: drop them before counting.
		if (keys.some((k) => map[k] === null)) {
			const copy: Record<string, unknown> = {};
			for (const k of keys) if (map[k] !== null) setOwn(copy, k, map[k]);
			map = copy;
			keys = Object.keys(map);
		}
		if (keys.length > max)
			violation(ctx, map, path, hide, maxMessage as string);
		if (keys.length < min)
			violation(ctx, map, path, hide, minMessage as string);
		let keysOk = true;
		for (const k of keys) if (!keySatisfied(k)) keysOk = false;
		const keyProblem = firstCharacterProblem(key, keys);
		if (keyProblem !== undefined) {
			characterViolation(ctx, path, "Map keys", keyProblem);
		} else if (!keysOk && keyMessage) {
			violation(ctx, map, path, hide, keyMessage);
		}
		if (aggregateValues) {
			const out: Record<string, unknown> = {};
			for (const k of keys) {
				setOwn(
					out,
					k,
					val.validate(map[k], `${path}.${k}.member`, ctx, val.sensitive),
				);
			}
			return out;
		}
		const valueSatisfied = val.satisfied as (v: unknown) => boolean;
		let valuesOk = true;
		for (const k of keys) if (!valueSatisfied(map[k])) valuesOk = false;
		const valueProblem = firstCharacterProblem(
			val,
			keys.map((k) => map[k]),
		);
		if (valueProblem !== undefined) {
			characterViolation(ctx, path, "Map value", valueProblem);
		} else if (!valuesOk && valueMessage) {
			violation(ctx, map, path, hide, valueMessage);
		}
		return map;
	};
	return { validate, sensitive };
}

// Compile every operation's input once, at module load.
const inputValidators = new Map<string, Validator | null>();
for (const [operation, def] of Object.entries(OPERATIONS)) {
	inputValidators.set(
		operation,
		def.input === null ? null : compile(def.input).validate,
	);
}

/**
 * Checks the decoded JSON body of `operation` against its input shape. Returns the input with
 * unknown members (and `null` members) removed, recursively. Throws `SerializationException`
 * when the body is not a JSON object or a member has the wrong JSON type, and
 * `ValidationException` listing every constraint violation.
 */
export function validateInput(
	operation: OperationName,
	body: unknown,
): Record<string, unknown> {
	const validator = inputValidators.get(operation);
	if (validator === undefined)
		throw new Error(`unknown operation ${operation}`);
	if (!isPlainObject(body)) throw typeError(body, "a Structure");
	if (validator === null) return {};
	const ctx: Context = { violations: [] };
	const result = validator(body, "", ctx, false) as Record<string, unknown>;
	const n = ctx.violations.length;
	if (n > 0) {
		throw new ValidationException(
			`${n} validation error${n === 1 ? "" : "s"} detected: ${ctx.violations.join("; ")}`,
		);
	}
	return result;
}
