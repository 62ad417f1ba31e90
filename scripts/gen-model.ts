/**
 * Generates, from the official Smithy JSON AST of Amazon Cognito Identity (2014-06-30):
 * - `src/model/model.generated.ts`: a compact table of the operations and of every shape
 *   reachable from their inputs and outputs, with the constraints the validator needs (each
 *   `@pattern` both as the model writes it and as a ready JavaScript RegExp, translated here
 *   by `scripts/java-regex.ts`), and the operations whose output holds a timestamp;
 * - `src/model/types.generated.ts`: the input and output types of the operations, one
 *   interface per structure shape, named as the model (and the SDK) name them.
 * The model is data: no documentation text is carried over.
 *
 * Usage:
 *   tsx scripts/gen-model.ts [model.json]           write both files
 *   tsx scripts/gen-model.ts --check [model.json]   exit 1 when a committed file is stale
 *
 * The default model path is `../shared/spec/cognito-identity-2014-06-30.json` beside the
 * repository. When it is absent, `--check` skips (users do not have it) and generation fails.
 * The output opts out of Biome formatting (the table is one entry per line), so that the drift
 * check compares the exact text.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { javaPatternToRegExp, regExpLiteral } from "./java-regex.ts";

const NAMESPACE = "com.amazonaws.cognitoidentity#";
const UNIT = "smithy.api#Unit";
const DEFAULT_MODEL = fileURLToPath(
	new URL(
		"../../shared/spec/cognito-identity-2014-06-30.json",
		import.meta.url,
	),
);
/** The generated files, relative to the repository. */
const OUTPUTS = {
	table: "src/model/model.generated.ts",
	types: "src/model/types.generated.ts",
} as const;
const outputPath = (relative: string): string =>
	fileURLToPath(new URL(`../${relative}`, import.meta.url));

// ---------------------------------------------------------------------------------------
// The Smithy JSON AST, as much of it as this generator reads.

type Traits = Record<string, unknown>;
interface AstRef {
	target: string;
	traits?: Traits;
}
interface AstShape {
	type: string;
	traits?: Traits;
	members?: Record<string, AstRef>;
	member?: AstRef;
	key?: AstRef;
	value?: AstRef;
	input?: AstRef;
	output?: AstRef;
	errors?: AstRef[];
	operations?: AstRef[];
}
interface Ast {
	shapes: Record<string, AstShape>;
}

// Traits that carry no validation meaning for this table; any other trait is an error, so
// that a model update with a new constraint cannot slip through unnoticed.
const IGNORED_TRAITS = new Set([
	"smithy.api#documentation",
	"smithy.api#input",
	"smithy.api#output",
	"smithy.api#error",
	"smithy.api#httpError",
	"smithy.api#suppress",
	"smithy.api#paginated",
	"smithy.test#smokeTests",
]);
const SHAPE_TRAITS = new Set([
	"smithy.api#length",
	"smithy.api#pattern",
	"smithy.api#range",
	"smithy.api#sensitive",
	"smithy.api#default",
]);
const MEMBER_TRAITS = new Set([
	"smithy.api#required",
	"smithy.api#default",
	"smithy.api#sensitive",
]);

// ---------------------------------------------------------------------------------------
// The table written out (plain data; the emitted file declares the matching types).

interface Bounds {
	min?: number;
	max?: number;
}
interface MemberOut {
	name: string;
	target: string;
	required: boolean;
	sensitive: boolean;
	default?: unknown;
}
type ShapeOut =
	| { kind: "structure"; members: MemberOut[] }
	| {
			kind: "string";
			length?: Bounds;
			pattern?: string;
			regex?: RegExp;
			sensitive?: true;
	  }
	| { kind: "enum"; values: string[] }
	| { kind: "boolean"; default?: unknown }
	| { kind: "integer" | "long"; range?: Bounds }
	| { kind: "timestamp" }
	| { kind: "list"; member: string; length?: Bounds }
	| { kind: "map"; key: string; value: string; length?: Bounds };

interface OperationOut {
	name: string;
	input: string | null;
	output: string | null;
	auth: "sigv4" | "none";
	errors: string[];
}

function fail(message: string): never {
	throw new Error(`gen-model: ${message}`);
}

function shortName(id: string): string {
	if (!id.startsWith(NAMESPACE)) fail(`shape ${id} is outside ${NAMESPACE}`);
	return id.slice(NAMESPACE.length);
}

function checkTraits(
	owner: string,
	traits: Traits | undefined,
	allowed: Set<string>,
): void {
	for (const trait of Object.keys(traits ?? {})) {
		if (!IGNORED_TRAITS.has(trait) && !allowed.has(trait)) {
			fail(
				`unsupported trait ${trait} on ${owner}: teach gen-model and the validator about it`,
			);
		}
	}
}

function bounds(value: unknown, owner: string): Bounds | undefined {
	if (value === undefined) return undefined;
	if (typeof value !== "object" || value === null)
		fail(`bad bounds on ${owner}`);
	const out: Bounds = {};
	const { min, max } = value as { min?: unknown; max?: unknown };
	if (min !== undefined) {
		if (typeof min !== "number") fail(`bad min on ${owner}`);
		out.min = min;
	}
	if (max !== undefined) {
		if (typeof max !== "number") fail(`bad max on ${owner}`);
		out.max = max;
	}
	return out;
}

export function buildTable(ast: Ast): {
	operations: OperationOut[];
	shapes: Map<string, ShapeOut>;
} {
	const all = ast.shapes;
	const service = Object.values(all).find((s) => s.type === "service");
	if (!service?.operations) fail("no service shape with operations");

	const shapes = new Map<string, ShapeOut>();
	const visit = (id: string): void => {
		const name = shortName(id);
		if (shapes.has(name)) return;
		const shape = all[id] ?? fail(`missing shape ${id}`);
		const traits = shape.traits ?? {};
		const owner = name;
		switch (shape.type) {
			case "structure": {
				checkTraits(owner, traits, new Set());
				const members: MemberOut[] = [];
				const out: ShapeOut = { kind: "structure", members };
				shapes.set(name, out); // before recursing: guards against cycles
				for (const [memberName, ref] of Object.entries(shape.members ?? {})) {
					const memberTraits = ref.traits ?? {};
					checkTraits(`${owner}$${memberName}`, memberTraits, MEMBER_TRAITS);
					const target = all[ref.target] ?? fail(`missing shape ${ref.target}`);
					const member: MemberOut = {
						name: memberName,
						target: shortName(ref.target),
						required: "smithy.api#required" in memberTraits,
						sensitive:
							"smithy.api#sensitive" in memberTraits ||
							"smithy.api#sensitive" in (target.traits ?? {}),
					};
					if ("smithy.api#default" in memberTraits) {
						member.default = memberTraits["smithy.api#default"];
					}
					members.push(member);
					visit(ref.target);
				}
				return;
			}
			case "string": {
				checkTraits(owner, traits, SHAPE_TRAITS);
				const out: ShapeOut = { kind: "string" };
				const length = bounds(traits["smithy.api#length"], owner);
				if (length) out.length = length;
				const pattern = traits["smithy.api#pattern"];
				if (pattern !== undefined) {
					if (typeof pattern !== "string") fail(`bad pattern on ${owner}`);
					out.pattern = pattern;
					try {
						out.regex = javaPatternToRegExp(pattern);
					} catch (err) {
						fail(`${owner}: ${(err as Error).message}`);
					}
				}
				if ("smithy.api#sensitive" in traits) out.sensitive = true;
				shapes.set(name, out);
				return;
			}
			case "enum": {
				checkTraits(owner, traits, new Set());
				const values = Object.entries(shape.members ?? {}).map(
					([memberName, ref]) => {
						const value = ref.traits?.["smithy.api#enumValue"];
						return typeof value === "string" ? value : memberName;
					},
				);
				shapes.set(name, { kind: "enum", values });
				return;
			}
			case "boolean": {
				checkTraits(owner, traits, SHAPE_TRAITS);
				const out: ShapeOut = { kind: "boolean" };
				if ("smithy.api#default" in traits)
					out.default = traits["smithy.api#default"];
				shapes.set(name, out);
				return;
			}
			case "integer":
			case "long": {
				checkTraits(owner, traits, SHAPE_TRAITS);
				const out: ShapeOut = { kind: shape.type };
				const range = bounds(traits["smithy.api#range"], owner);
				if (range) out.range = range;
				shapes.set(name, out);
				return;
			}
			case "timestamp": {
				checkTraits(owner, traits, SHAPE_TRAITS);
				shapes.set(name, { kind: "timestamp" });
				return;
			}
			case "list": {
				checkTraits(owner, traits, SHAPE_TRAITS);
				const ref = shape.member ?? fail(`list ${owner} has no member`);
				checkTraits(`${owner}$member`, ref.traits, new Set());
				const out: ShapeOut = { kind: "list", member: shortName(ref.target) };
				const length = bounds(traits["smithy.api#length"], owner);
				if (length) out.length = length;
				shapes.set(name, out);
				visit(ref.target);
				return;
			}
			case "map": {
				checkTraits(owner, traits, SHAPE_TRAITS);
				const key = shape.key ?? fail(`map ${owner} has no key`);
				const value = shape.value ?? fail(`map ${owner} has no value`);
				checkTraits(`${owner}$key`, key.traits, new Set());
				checkTraits(`${owner}$value`, value.traits, new Set());
				const out: ShapeOut = {
					kind: "map",
					key: shortName(key.target),
					value: shortName(value.target),
				};
				const length = bounds(traits["smithy.api#length"], owner);
				if (length) out.length = length;
				shapes.set(name, out);
				visit(key.target);
				visit(value.target);
				return;
			}
			default:
				fail(`unsupported shape type ${shape.type} (${id})`);
		}
	};

	const operations: OperationOut[] = [];
	for (const ref of service.operations) {
		const op = all[ref.target] ?? fail(`missing operation ${ref.target}`);
		if (op.type !== "operation") fail(`${ref.target} is not an operation`);
		const traits = op.traits ?? {};
		const auth = traits["smithy.api#auth"];
		const unauthenticated =
			(Array.isArray(auth) && auth.length === 0) ||
			"smithy.api#optionalAuth" in traits;
		const io = (r: AstRef | undefined): string | null => {
			if (!r || r.target === UNIT) return null;
			visit(r.target);
			return shortName(r.target);
		};
		operations.push({
			name: shortName(ref.target),
			input: io(op.input),
			output: io(op.output),
			auth: unauthenticated ? "none" : "sigv4",
			errors: (op.errors ?? []).map((e) => shortName(e.target)).sort(),
		});
	}
	operations.sort((a, b) => compare(a.name, b.name));
	return { operations, shapes };
}

function compare(a: string, b: string): number {
	return a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------------------------------
// Emission: the table (src/model/model.generated.ts).

type Table = ReturnType<typeof buildTable>;

const header = (
	what: string,
): string => `// GENERATED FILE: do not edit by hand.
// Generated by scripts/gen-model.ts from the Smithy model of Amazon Cognito Identity
// (API 2014-06-30, cognito-identity-2014-06-30.json). Regenerate with \`npm run gen:model\`;
// \`npm run check:model\` fails when this file no longer matches the model.
// biome-ignore-all format: ${what}
`;

const TYPES = `
/** Lower and upper bounds of a \`@length\` or \`@range\` trait (either may be absent). */
export interface Bounds {
	readonly min?: number;
	readonly max?: number;
}

/** A member of a structure. \`sensitive\`: the member or its target is \`@sensitive\`. */
export interface MemberDef {
	readonly name: string;
	readonly target: ShapeName;
	readonly required?: boolean;
	readonly sensitive?: boolean;
	/** The member's \`@default\` trait (\`null\` removes the target's default). */
	readonly default?: boolean | number | string | null;
}

export type ShapeDef =
	| { readonly kind: "structure"; readonly members: readonly MemberDef[] }
	/**
	 * \`pattern\`: the Java regular expression of the model, anchors included (for messages);
	 * \`regex\`: the same, translated at generation time (Java's \`\\s\`, \`\\w\`, \`\\d\`; matches the
	 * whole value; \`u\` flag). Both or neither.
	 */
	| { readonly kind: "string"; readonly length?: Bounds; readonly pattern?: string; readonly regex?: RegExp; readonly sensitive?: boolean }
	| { readonly kind: "enum"; readonly values: readonly string[] }
	| { readonly kind: "boolean"; readonly default?: boolean }
	| { readonly kind: "integer" | "long"; readonly range?: Bounds }
	| { readonly kind: "timestamp" }
	| { readonly kind: "list"; readonly member: ShapeName; readonly length?: Bounds }
	| { readonly kind: "map"; readonly key: ShapeName; readonly value: ShapeName; readonly length?: Bounds };

export interface OperationDef {
	readonly name: OperationName;
	readonly input: ShapeName | null;
	readonly output: ShapeName | null;
	/** \`none\`: a public operation that accepts unsigned requests. */
	readonly auth: "sigv4" | "none";
	readonly errors: readonly string[];
}
`;

/**
 * A TypeScript literal of plain data, on one line, with unquoted keys where possible; a
 * RegExp is written as a RegExp literal.
 */
function literal(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map(literal).join(", ")}]`;
	if (value instanceof RegExp) return regExpLiteral(value);
	if (typeof value === "object" && value !== null) {
		const entries = Object.entries(value).filter(([, v]) => v !== undefined);
		if (entries.length === 0) return "{}";
		const body = entries
			.map(
				([k, v]) =>
					`${/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)}: ${literal(v)}`,
			)
			.join(", ");
		return `{ ${body} }`;
	}
	return JSON.stringify(value);
}

/** Drops the flags that are false, so that the table stays compact. */
function compactShape(shape: ShapeOut): ShapeOut {
	if (shape.kind !== "structure") return shape;
	return {
		kind: "structure",
		members: shape.members.map((m) => {
			const out: Record<string, unknown> = { name: m.name, target: m.target };
			if (m.required) out.required = true;
			if (m.sensitive) out.sensitive = true;
			if ("default" in m) out.default = m.default;
			return out as unknown as MemberOut;
		}),
	};
}

function shapeOf(table: Table, name: string): ShapeOut {
	return table.shapes.get(name) ?? fail(`lost shape ${name}`);
}

/** Whether the shape is, or holds anywhere inside it, a timestamp. */
function holdsTimestamp(
	table: Table,
	name: string,
	seen = new Set<string>(),
): boolean {
	if (seen.has(name)) return false;
	seen.add(name);
	const shape = shapeOf(table, name);
	switch (shape.kind) {
		case "timestamp":
			return true;
		case "structure":
			return shape.members.some((m) => holdsTimestamp(table, m.target, seen));
		case "list":
			return holdsTimestamp(table, shape.member, seen);
		case "map":
			return (
				holdsTimestamp(table, shape.key, seen) ||
				holdsTimestamp(table, shape.value, seen)
			);
		default:
			return false;
	}
}

/** The operations whose output holds a timestamp, in name order. */
export function outputsWithTimestamps(table: Table): string[] {
	return table.operations
		.filter((op) => op.output !== null && holdsTimestamp(table, op.output))
		.map((op) => op.name);
}

export function emit(table: Table): string {
	const names = table.operations.map((op) => op.name);
	const shapeNames = [...table.shapes.keys()].sort(compare);
	const union = (values: string[]) =>
		values.map((v) => `\n\t| ${literal(v)}`).join("");
	const lines: string[] = [header("generated table, one entry per line")];
	lines.push(`export type OperationName =${union(names)};`);
	lines.push("");
	lines.push(`export type ShapeName =${union(shapeNames)};`);
	lines.push(TYPES);
	lines.push(
		`export const OPERATION_NAMES: readonly OperationName[] = ${literal(names)};`,
	);
	lines.push("");
	lines.push("export const OPERATIONS = {");
	for (const op of table.operations)
		lines.push(`\t${op.name}: ${literal(op)},`);
	lines.push(
		"} as const satisfies Readonly<Record<OperationName, OperationDef>>;",
	);
	lines.push("");
	lines.push("export const SHAPES = {");
	for (const name of shapeNames) {
		lines.push(`\t${name}: ${literal(compactShape(shapeOf(table, name)))},`);
	}
	lines.push("} as const satisfies Readonly<Record<ShapeName, ShapeDef>>;");
	lines.push("");
	lines.push(
		"/** The operations whose output holds a timestamp anywhere (epoch seconds on the wire). */",
	);
	lines.push(
		`export const OUTPUT_HAS_TIMESTAMPS: ReadonlySet<OperationName> = new Set<OperationName>(${literal(outputsWithTimestamps(table))});`,
	);
	lines.push("");
	return lines.join("\n");
}

// ---------------------------------------------------------------------------------------
// Emission: the types (src/model/types.generated.ts).

/** The type of an operation without input or output, and of a structure without members. */
const EMPTY = "Record<string, never>";

/** The TypeScript type of a value of the shape. */
function typeExpression(table: Table, name: string): string {
	const shape = shapeOf(table, name);
	switch (shape.kind) {
		case "string":
			return "string";
		case "enum":
		case "structure":
			return name;
		case "boolean":
			return "boolean";
		case "integer":
		case "long":
			return "number";
		case "timestamp":
			return "Date";
		case "list":
			return `${typeExpression(table, shape.member)}[]`;
		case "map":
			if (shapeOf(table, shape.key).kind !== "string") {
				fail(`map ${name} has a key that is not a string: teach gen-model`);
			}
			return `Record<string, ${typeExpression(table, shape.value)}>`;
	}
}

export function emitTypes(table: Table): string {
	const shapeNames = [...table.shapes.keys()].sort(compare);
	const lines: string[] = [header("generated types")];
	lines.push('import type { OperationName } from "./model.generated.ts";');
	for (const name of shapeNames) {
		const shape = shapeOf(table, name);
		if (shape.kind === "enum") {
			lines.push("");
			lines.push(
				`export type ${name} = ${shape.values.map((v) => literal(v)).join(" | ")};`,
			);
		}
	}
	for (const name of shapeNames) {
		const shape = shapeOf(table, name);
		if (shape.kind !== "structure") continue;
		lines.push("");
		if (shape.members.length === 0) {
			lines.push(`export type ${name} = ${EMPTY};`);
			continue;
		}
		lines.push(`export interface ${name} {`);
		for (const m of shape.members) {
			if (!/^[A-Za-z_$][\w$]*$/.test(m.name))
				fail(`member ${name}$${m.name} is not an identifier`);
			const optional = m.required ? "" : "?";
			lines.push(`\t${m.name}${optional}: ${typeExpression(table, m.target)};`);
		}
		lines.push("}");
	}
	lines.push("");
	lines.push(
		"/** The input and output type of every operation (`Record<string, never>`: none). */",
	);
	lines.push("export interface OperationShapes {");
	for (const op of table.operations) {
		const input = op.input ?? EMPTY;
		const output = op.output ?? EMPTY;
		lines.push(`\t${op.name}: { input: ${input}; output: ${output} };`);
	}
	lines.push("}");
	lines.push("");
	lines.push(
		"/** What the handler of operation N receives, validated against the model. */",
	);
	lines.push(
		'export type OperationInput<N extends OperationName> = OperationShapes[N]["input"];',
	);
	lines.push("");
	lines.push(
		"/** What the handler of operation N returns (timestamps as `Date`). */",
	);
	lines.push(
		'export type OperationOutput<N extends OperationName> = OperationShapes[N]["output"];',
	);
	lines.push("");
	return lines.join("\n");
}

// ---------------------------------------------------------------------------------------
// Main.

/** The text of every generated file, keyed by its path relative to the repository. */
export function generate(modelPath: string): Map<string, string> {
	const ast = JSON.parse(readFileSync(modelPath, "utf8")) as Ast;
	const table = buildTable(ast);
	return new Map([
		[OUTPUTS.table, emit(table)],
		[OUTPUTS.types, emitTypes(table)],
	]);
}

function main(argv: string[]): number {
	const check = argv.includes("--check");
	const modelPath = argv.find((a) => !a.startsWith("--")) ?? DEFAULT_MODEL;
	if (!existsSync(modelPath)) {
		if (check) {
			console.log("model source not found, drift check skipped");
			return 0;
		}
		console.error(`gen-model: model source not found: ${modelPath}`);
		return 1;
	}
	const generated = generate(modelPath);
	if (check) {
		let stale = 0;
		for (const [relative, text] of generated) {
			const path = outputPath(relative);
			const committed = existsSync(path) ? readFileSync(path, "utf8") : "";
			if (committed !== text) {
				console.error(
					`${relative} does not match ${modelPath}: run \`npm run gen:model\` and commit the result`,
				);
				stale++;
			} else {
				console.log(`${relative} is up to date`);
			}
		}
		return stale === 0 ? 0 : 1;
	}
	for (const [relative, text] of generated) {
		writeFileSync(outputPath(relative), text);
		console.log(`wrote ${relative}`);
	}
	return 0;
}

if (
	process.argv[1] &&
	fileURLToPath(import.meta.url) === resolve(process.argv[1])
) {
	process.exitCode = main(process.argv.slice(2));
}
