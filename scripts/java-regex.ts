/**
 * Translates the Java regular expressions of the Smithy model (`@pattern`) into JavaScript
 * RegExps with Java's meaning. Used by `scripts/gen-model.ts` at generation time: the
 * generated table carries the translated RegExp literals, so nothing is translated at run
 * time.
 */
import { displayPattern } from "../src/protocol/validation.ts";

/**
 * Java's `\s`: ASCII white space only (JavaScript's `\s` also matches Unicode spaces).
 * `\v` is U+000B (Java's `\x0B`), written so rather than as a hex escape so that the
 * generated RegExp literals hold no control-character escape (Biome refuses those).
 */
const JAVA_SPACE = " \\t\\n\\v\\f\\r";
const JAVA_WORD = "A-Za-z0-9_";
const JAVA_DIGIT = "0-9";
/** Java's `.`: anything but a line terminator. */
const JAVA_DOT = "[^\\n\\r\\u0085\\u2028\\u2029]";
/** `\p{..}` names whose meaning is the same in Java and JavaScript (general categories). */
const GENERAL_CATEGORIES = new Set(
	"L Lu Ll Lt Lm Lo M Mn Mc Me N Nd Nl No P Pc Pd Ps Pe Pi Pf Po S Sm Sc Sk So Z Zs Zl Zp C Cc Cf Cs Co Cn".split(
		" ",
	),
);
const SHORTHAND_CLASS: Readonly<Record<string, string>> = {
	s: JAVA_SPACE,
	w: JAVA_WORD,
	d: JAVA_DIGIT,
};

/**
 * Translates a Java regular expression (as the model writes them) into a JavaScript RegExp
 * that matches the WHOLE value with Java's meaning: `\s`, `\w`, `\d` are ASCII classes
 * (also inside character classes), `\p{..}` keeps general categories (`u` flag). Constructs
 * whose meaning differs and that the model does not use are refused, so that a model update
 * that needs them fails loudly when the table is generated.
 */
export function javaPatternToRegExp(pattern: string): RegExp {
	const body = displayPattern(pattern);
	let out = "";
	let i = 0;
	const unsupported = (what: string): never => {
		throw new Error(`unsupported Java regex construct ${what} in ${pattern}`);
	};
	/** Reads `\p{X}` / `\pX` at i (pointing at the `p`/`P`), returns its JS form. */
	const property = (): string => {
		const letter = body[i] as string;
		let name: string;
		if (body[i + 1] === "{") {
			const close = body.indexOf("}", i + 2);
			if (close < 0) unsupported(`\\${letter}`);
			name = body.slice(i + 2, close);
			i = close + 1;
		} else {
			name = body[i + 1] ?? "";
			i += 2;
		}
		const category = name.startsWith("Is") ? name.slice(2) : name;
		if (!GENERAL_CATEGORIES.has(category)) unsupported(`\\${letter}{${name}}`);
		return `\\${letter}{${category}}`;
	};
	/** A literal character, escaped where the `u` flag requires it. */
	const literalChar = (c: string, inClass: boolean): string =>
		(inClass ? "\\[]^-" : "\\^$.*+?()[]{}|/").includes(c) ? `\\${c}` : c;

	while (i < body.length) {
		const c = body[i] as string;
		if (c === "\\") {
			const e = body[i + 1];
			if (e === undefined) unsupported("trailing \\");
			const lower = (e as string).toLowerCase();
			if (lower in SHORTHAND_CLASS) {
				const set = SHORTHAND_CLASS[lower] as string;
				out += e === lower ? `[${set}]` : `[^${set}]`;
				i += 2;
			} else if (e === "p" || e === "P") {
				i += 1;
				out += property();
			} else if (/[A-Za-z0-9]/.test(e as string)) {
				// \t, \n, \r, \f, \x.., \u.... and back references mean the same in both;
				// the others (\Q..\E, \A, \z, \Z, \G, \R, \h, \v, \b, \0..) are refused.
				if (!/[tnrfxu1-9]/.test(e as string)) unsupported(`\\${e}`);
				out += `\\${e}`;
				i += 2;
			} else {
				out += literalChar(e as string, false);
				i += 2;
			}
		} else if (c === "[") {
			i += 1;
			let negated = false;
			if (body[i] === "^") {
				negated = true;
				i += 1;
			}
			let set = "";
			const complements: string[] = [];
			let first = true;
			while (i < body.length && (body[i] !== "]" || first)) {
				const d = body[i] as string;
				first = false;
				if (d === "[") unsupported("nested character class");
				if (d === "&" && body[i + 1] === "&") unsupported("class intersection");
				if (d === "\\") {
					const e = body[i + 1];
					if (e === undefined) unsupported("trailing \\");
					const lower = (e as string).toLowerCase();
					if (lower in SHORTHAND_CLASS) {
						const expansion = SHORTHAND_CLASS[lower] as string;
						if (e === lower) set += expansion;
						else if (negated) unsupported(`\\${e} in a negated class`);
						else complements.push(`[^${expansion}]`);
						i += 2;
						// A `-` after a class shorthand is a literal in Java.
						if (body[i] === "-" && body[i + 1] !== "]") {
							set += "\\-";
							i += 1;
						}
					} else if (e === "p" || e === "P") {
						i += 1;
						set += property();
					} else if (/[A-Za-z0-9]/.test(e as string)) {
						if (!/[tnrfxu1-9]/.test(e as string)) unsupported(`\\${e}`);
						set += `\\${e}`;
						i += 2;
					} else {
						set += literalChar(e as string, true);
						i += 2;
					}
				} else {
					// Unescaped, a Java class character means the same in a JavaScript class.
					set += d;
					i += 1;
				}
			}
			if (body[i] !== "]") unsupported("unterminated character class");
			i += 1;
			const parts = set === "" ? [] : [`[${negated ? "^" : ""}${set}]`];
			parts.push(...complements);
			if (parts.length === 0) unsupported("empty character class");
			out += parts.length === 1 ? parts[0] : `(?:${parts.join("|")})`;
		} else if (c === ".") {
			out += JAVA_DOT;
			i += 1;
		} else if (
			(c === "+" || c === "*" || c === "?" || c === "}") &&
			body[i + 1] === "+"
		) {
			unsupported("possessive quantifier");
		} else {
			out += c;
			i += 1;
		}
	}
	return new RegExp(`^(?:${out})$`, "u");
}

/**
 * The RegExp as a JavaScript literal (`/source/flags`). `source` escapes `/` and line
 * terminators, so the literal parses back to the same RegExp.
 */
export function regExpLiteral(regex: RegExp): string {
	return `/${regex.source}/${regex.flags}`;
}
