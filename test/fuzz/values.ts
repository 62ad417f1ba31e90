/**
 * Values for the wire fuzz test: random valid values of a model shape (from the generated
 * table, through `test/support/model-cases.ts`), odd strings and numbers, and the places
 * ("sites") of a JSON value where a mutation can go.
 */
import { SHAPES, type ShapeDef } from "../../src/model/model.generated.ts";
import { validString, validValue } from "../support/model-cases.ts";
import type { Rng } from "./prng.ts";

const shapes: Readonly<Record<string, ShapeDef>> = SHAPES;

export function shapeOf(name: string): ShapeDef {
	const shape = shapes[name];
	if (!shape) throw new Error(`fuzz: unknown shape ${name}`);
	return shape;
}

/** `validValue(name, index)`, or the first valid value when that index has none. */
function valid(name: string, index: number): unknown {
	try {
		return validValue(name, index);
	} catch {
		return validValue(name);
	}
}

/** A valid string of `name`, sometimes of its shortest or longest allowed length. */
function randomString(name: string, rng: Rng): unknown {
	const shape = shapeOf(name);
	const index = rng.int(6);
	if (shape.kind === "string" && rng.chance(0.15)) {
		const { min = 1, max } = shape.length ?? {};
		const n = rng.chance(0.5) && max !== undefined ? max : Math.max(min, 1);
		const value = validString(name, n, index);
		if (value !== undefined) return value;
	}
	return valid(name, index);
}

/**
 * A random value of shape `name` that satisfies every constraint of the model: required
 * members always, optional ones now and then, collections of a few elements within their
 * bounds.
 */
export function randomValid(name: string, rng: Rng, depth = 0): unknown {
	const shape = shapeOf(name);
	switch (shape.kind) {
		case "string":
			return randomString(name, rng);
		case "enum":
			return rng.pick(shape.values);
		case "boolean":
			return rng.chance(0.5);
		case "integer":
		case "long": {
			const { min = 0, max = 1000 } = shape.range ?? {};
			return rng.chance(0.3) ? rng.pick([min, max]) : rng.between(min, max);
		}
		case "timestamp":
			return rng.between(0, 2_000_000_000);
		case "structure": {
			const out: Record<string, unknown> = {};
			for (const m of shape.members) {
				if (m.required || (depth < 3 && rng.chance(0.35))) {
					out[m.name] = randomValid(m.target, rng, depth + 1);
				}
			}
			return out;
		}
		case "list": {
			const { min = 0, max = 3 } = shape.length ?? {};
			const count = rng.between(min, Math.min(max, min + 3));
			return Array.from({ length: count }, () =>
				randomValid(shape.member, rng, depth + 1),
			);
		}
		case "map": {
			const { min = 0, max = 3 } = shape.length ?? {};
			const count = rng.between(min, Math.min(max, min + 3));
			const out: Record<string, unknown> = {};
			for (let i = 0; i < count; i++) {
				const key = valid(shape.key, rng.int(8));
				out[String(key)] = randomValid(shape.value, rng, depth + 1);
			}
			return out;
		}
	}
}

/** Strings that have broken servers before: control characters, broken UTF-16, long runs. */
export const ODD_STRINGS: readonly string[] = [
	"\u0000",
	"a\u0000b",
	"\u0000".repeat(64),
	"\ud800",
	"x\udfff",
	"\udc00\ud800",
	"a\ud83d",
	"\ud83d\ude00\u0000",
	"\u202eevil\u202c",
	"\u200f\u200e",
	"\u2066\u2069",
	"\ufeffbom",
	"\uffff",
	"\ufffe",
	"\ufffd",
	"\u0085\u2028\u2029",
	"\u0001\u0002\u001f\u007f",
	"😀",
	"👩‍👩‍👧‍👦",
	"🏳️‍🌈".repeat(40),
	"e\u0301\u0301\u0301",
	"\t\n\r",
	" ",
	"   x   ",
	"\u00a0\u3000",
	"ＡＢＣ",
	"İıßǄ",
	"é".repeat(129),
	"😀".repeat(1025),
	"x".repeat(50_001),
	"\u0000x".repeat(600),
	"'; DROP TABLE identities; --",
	"\\",
	'"',
	"%00%ff",
	"%s%n%x",
	`\${jndi:ldap://127.0.0.1/x}`,
	"<x>&amp;]]></x>",
	"../../etc/passwd",
	"__proto__",
	"constructor",
	"toString",
	"null",
	"NaN",
	"-0",
	"",
];

/** An odd string, alone or put into `around` (so that the rest of the value stays valid). */
export function oddString(rng: Rng, around?: unknown): string {
	const odd = rng.pick(ODD_STRINGS);
	if (typeof around !== "string" || rng.chance(0.4)) return odd;
	switch (rng.int(3)) {
		case 0:
			return around + odd;
		case 1:
			return odd + around;
		default: {
			const at = rng.int(around.length + 1);
			return around.slice(0, at) + odd + around.slice(at);
		}
	}
}

/** A JSON fragment written into the body as is (numbers JSON.stringify cannot write). */
export class RawJson {
	readonly text: string;
	constructor(text: string) {
		this.text = text;
	}
}

/** Numbers at the edges of JSON and of the model's ranges. */
export const ODD_NUMBERS: readonly (number | RawJson)[] = [
	0,
	-1,
	1.5,
	-0,
	61,
	86_401,
	2 ** 31,
	2 ** 53 + 2,
	-(2 ** 63),
	1e308,
	1e-7,
	new RawJson("1e999"),
	new RawJson("-1e999"),
	new RawJson("12345678901234567890123"),
	new RawJson("1.0"),
	new RawJson("10E0"),
	new RawJson("-0.0"),
];

/** `value` as JSON, with every {@link RawJson} written as its text. */
export function stringify(value: unknown): string {
	const raws: string[] = [];
	const text = JSON.stringify(value, (_key, v: unknown) => {
		if (v instanceof RawJson) {
			raws.push(v.text);
			return `@@raw${raws.length - 1}@@`;
		}
		return v;
	});
	return text.replace(
		/"@@raw(\d+)@@"/g,
		(_m, i: string) => raws[Number(i)] ?? "",
	);
}

/**
 * A place in a JSON value: a member or element (`value`), or an object's key (`key`), with
 * the model shape that the value or key has there (undefined where the model has none: an
 * unknown member, a structure's member names).
 */
export type Site =
	| {
			kind: "value";
			parent: Record<string, unknown> | unknown[];
			key: string | number;
			value: unknown;
			shape: string | undefined;
	  }
	| {
			kind: "key";
			parent: Record<string, unknown>;
			key: string;
			shape: string | undefined;
	  };

/** Every site below `root` (root itself excluded), depth first; `shape` is root's shape. */
export function sitesOf(root: unknown, shape?: string): Site[] {
	const out: Site[] = [];
	const walk = (value: unknown, name: string | undefined) => {
		const def = name === undefined ? undefined : shapes[name];
		if (Array.isArray(value)) {
			const member = def?.kind === "list" ? def.member : undefined;
			value.forEach((item, i) => {
				out.push({
					kind: "value",
					parent: value,
					key: i,
					value: item,
					shape: member,
				});
				walk(item, member);
			});
		} else if (value !== null && typeof value === "object") {
			const object = value as Record<string, unknown>;
			for (const [key, item] of Object.entries(object)) {
				const target =
					def?.kind === "map"
						? def.value
						: def?.kind === "structure"
							? def.members.find((m) => m.name === key)?.target
							: undefined;
				const keyShape = def?.kind === "map" ? def.key : undefined;
				out.push({ kind: "key", parent: object, key, shape: keyShape });
				out.push({
					kind: "value",
					parent: object,
					key,
					value: item,
					shape: target,
				});
				walk(item, target);
			}
		}
	};
	walk(root, shape);
	return out;
}

/** Whether `site` holds free text: a string shape of the model without a pattern. */
export function isFreeText(site: Site): boolean {
	const def = site.shape === undefined ? undefined : shapes[site.shape];
	return def?.kind === "string" && def.pattern === undefined;
}

/** Replaces the value at `site`. */
export function setAt(site: Site, value: unknown): void {
	if (site.kind === "key") throw new Error("setAt: a key site");
	(site.parent as Record<string | number, unknown>)[site.key] = value;
}

/** Renames the key at `site` in place, keeping the order of the other members. */
export function renameKey(site: Site & { kind: "key" }, name: string): void {
	const entries = Object.entries(site.parent);
	for (const key of Object.keys(site.parent)) delete site.parent[key];
	for (const [key, value] of entries) {
		Object.defineProperty(site.parent, key === site.key ? name : key, {
			value,
			enumerable: true,
			writable: true,
			configurable: true,
		});
	}
}

/** A value of another JSON type than `value`. */
export function wrongType(rng: Rng, value: unknown): unknown {
	if (typeof value === "string")
		return rng.pick<unknown>([1, 1.5, true, [], {}, ["x"], { a: "b" }]);
	if (typeof value === "number")
		return rng.pick<unknown>([String(value), true, [], {}, [value]]);
	if (typeof value === "boolean")
		return rng.pick<unknown>([String(value), 1, 0, [], {}]);
	if (Array.isArray(value))
		return rng.pick<unknown>(["x", {}, 1, { 0: value[0] ?? "x" }, true]);
	return rng.pick<unknown>(["x", [], 1, true, [[]], [{}]]);
}
