/**
 * @module federation/jwt.test
 * Unit tests of the token checks that need no keys: what counts as a JWT, the five-minute
 * skew on `exp` and `nbf` with Amazon's exact expiry message, `aud` forms and `sub`.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { audiences, checkTimes, decodeToken, requireSubject } from "./jwt.ts";

function rejects(fn: () => unknown, message: string): void {
	assert.throws(fn, (err: Error) => {
		assert.equal(err.name, "NotAuthorizedException");
		assert.equal(err.message, message);
		return true;
	});
}

const unsigned = (claims: object) =>
	`${Buffer.from('{"alg":"RS256"}').toString("base64url")}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.c2ln`;

test("anything but a JWS compact JWT is not an OpenID Connect token", () => {
	for (const token of [
		"EAAabc123", // a Facebook access token
		"a.b",
		"a.b.c",
		"x.y.z.w.v",
		`${Buffer.from("{}").toString("base64url")}.bm90IGpzb24.c2ln`,
	]) {
		rejects(
			() => decodeToken(token),
			"Invalid login token. Not a valid OpenId Connect identity token.",
		);
	}
	assert.deepEqual(decodeToken(unsigned({ sub: "u" })).claims, { sub: "u" });
});

test("exp: five minutes of skew, then Amazon's message with now and exp in seconds", () => {
	const exp = 1_700_000_000;
	checkTimes({ exp }, (exp - 1) * 1000, 300);
	checkTimes({ exp }, (exp + 299) * 1000 + 999, 300);
	rejects(
		() => checkTimes({ exp }, (exp + 300) * 1000, 300),
		`Invalid login token. Token expired: ${exp + 300} >= ${exp}`,
	);
	rejects(
		() => checkTimes({ exp }, (exp + 86400) * 1000 + 500, 300),
		`Invalid login token. Token expired: ${exp + 86400} >= ${exp}`,
	);
	// No grace at all: a token is refused from its `exp` on.
	checkTimes({ exp }, (exp - 1) * 1000 + 999, 0);
	rejects(
		() => checkTimes({ exp }, exp * 1000, 0),
		`Invalid login token. Token expired: ${exp} >= ${exp}`,
	);
	rejects(
		() => checkTimes({}, 0, 300),
		"Invalid login token. Missing a required claim: exp",
	);
});

test("nbf: five minutes of skew", () => {
	const nbf = 1_700_000_000;
	checkTimes({ exp: nbf + 600, nbf }, (nbf - 300) * 1000, 300);
	rejects(
		() => checkTimes({ exp: nbf + 600, nbf }, (nbf - 301) * 1000, 300),
		`Invalid login token. Token not yet valid: ${nbf - 301} < ${nbf}`,
	);
});

test("aud as a string or a list; sub required", () => {
	assert.deepEqual(audiences({ aud: "a" }), ["a"]);
	assert.deepEqual(audiences({ aud: ["a", "b"] }), ["a", "b"]);
	assert.equal(audiences({}), undefined);
	assert.equal(requireSubject({ sub: "s" }), "s");
	rejects(
		() => requireSubject({}),
		"Invalid login token. Missing a required claim: sub",
	);
});
