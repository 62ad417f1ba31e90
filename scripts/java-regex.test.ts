/**
 * The translator of the model's Java regular expressions (used by scripts/gen-model.ts at
 * generation time). The first test moved here from src/protocol/validation.test.ts with the
 * translator.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { runInNewContext } from "node:vm";
import { javaPatternToRegExp, regExpLiteral } from "./java-regex.ts";

/** Every code point, lone surrogates excepted. */
function* codePoints(): Generator<string> {
	for (let cp = 0; cp <= 0x10ffff; cp++) {
		if (cp < 0xd800 || cp > 0xdfff) yield String.fromCodePoint(cp);
	}
}

describe("javaPatternToRegExp", () => {
	test("javaPatternToRegExp translates Java classes and anchors the whole value", () => {
		assert.equal(
			javaPatternToRegExp("^[\\w-]+$").source,
			"^(?:[A-Za-z0-9_-]+)$",
		);
		assert.equal(javaPatternToRegExp("^\\s$").test("\u00a0"), false);
		assert.equal(javaPatternToRegExp("^\\s$").test("\u000b"), true);
		assert.equal(javaPatternToRegExp("^[\\S]+$").test("a\u00a0"), true);
		assert.equal(javaPatternToRegExp("^[a\\S]+$").test("ab"), true);
		assert.equal(javaPatternToRegExp("abc").test("xabcx"), false);
		assert.throws(() => javaPatternToRegExp("^[^\\S]$"), /unsupported/);
		assert.throws(() => javaPatternToRegExp("^\\p{Alpha}+$"), /unsupported/);
		assert.throws(() => javaPatternToRegExp("^a++$"), /unsupported/);
		assert.throws(() => javaPatternToRegExp("^[a[b]]$"), /unsupported/);
	});

	test("\\s, \\w, \\d are Java's ASCII classes, in and out of a character class", () => {
		const expected: Record<string, string> = {
			"\\s": " \t\n\u000b\f\r",
			"\\w": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_",
			"\\d": "0123456789",
		};
		for (const [shorthand, members] of Object.entries(expected)) {
			const upper = shorthand.toUpperCase();
			const forms = {
				plain: javaPatternToRegExp(`^${shorthand}$`),
				inClass: javaPatternToRegExp(`^[${shorthand}]$`),
				negated: javaPatternToRegExp(`^${upper}$`),
				negatedInClass: javaPatternToRegExp(`^[${upper}]$`),
			};
			for (const regex of Object.values(forms)) assert.equal(regex.flags, "u");
			const matched = { plain: "", inClass: "", negated: 0, negatedInClass: 0 };
			for (const c of codePoints()) {
				if (forms.plain.test(c)) matched.plain += c;
				if (forms.inClass.test(c)) matched.inClass += c;
				if (forms.negated.test(c)) matched.negated++;
				if (forms.negatedInClass.test(c)) matched.negatedInClass++;
				// The complement matches exactly what the class does not.
				assert.equal(forms.negated.test(c), !members.includes(c), c);
			}
			const sorted = [...members].sort().join("");
			assert.equal([...matched.plain].sort().join(""), sorted, shorthand);
			assert.equal([...matched.inClass].sort().join(""), sorted, shorthand);
			assert.equal(matched.negatedInClass, matched.negated, upper);
		}
	});

	test("`.` is anything but a Java line terminator; \\p{..} keeps general categories", () => {
		const dot = javaPatternToRegExp("^.$");
		for (const c of ["\n", "\r", "\u0085", "\u2028", "\u2029"])
			assert.equal(dot.test(c), false, JSON.stringify(c));
		assert.equal(dot.test("a"), true);
		assert.equal(dot.test("\u{1f600}"), true);
		const letters = javaPatternToRegExp("^\\p{IsL}+$");
		assert.equal(letters.test("éa"), true);
		assert.equal(letters.test("a1"), false);
	});
});

describe("regExpLiteral", () => {
	test("parses back to the same RegExp, slashes and line terminators included", () => {
		for (const pattern of [
			"^[\\w._:/-]+$",
			"^a/b$",
			"^a\\/b$",
			"^[\\w\\s+=,.@-]+$",
			"^[\\S]+$",
			"^x\\ny$",
		]) {
			const regex = javaPatternToRegExp(pattern);
			const literal = regExpLiteral(regex);
			assert.match(literal, /^\/.*\/u$/s);
			assert.doesNotMatch(literal, /[\n\r\u2028\u2029]/);
			const parsed = runInNewContext(literal) as RegExp;
			assert.equal(parsed.source, regex.source, pattern);
			assert.equal(parsed.flags, regex.flags, pattern);
		}
		assert.equal(regExpLiteral(javaPatternToRegExp("^a/b$")), "/^(?:a\\/b)$/u");
	});
});
