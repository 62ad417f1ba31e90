/**
 * @module tokens/dev-issuer.test
 * Unit tests of the development issuer: what a token request may say (and the exact refusal
 * of each mistake), and that its tokens carry what was asked, with the issuer's own `iss`,
 * `iat` and `exp`, and verify against its JWKS with a standard JWT library.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { FakeClock } from "../lib/clock.ts";
import {
	DEV_AUDIENCE,
	DevIssuer,
	devIssuerUrl,
	parseDevTokenRequest,
	providerNameOf,
} from "./dev-issuer.ts";

const START = Date.UTC(2026, 0, 1);
const URL_ = "http://127.0.0.1:8700/dev-issuer";

const body = (value: unknown) =>
	Buffer.from(typeof value === "string" ? value : JSON.stringify(value));

describe("a token request", () => {
	test("only sub is required: aud idpool-dev, no claims, one hour", () => {
		assert.deepEqual(parseDevTokenRequest(body({ sub: "alice" })), {
			sub: "alice",
			aud: DEV_AUDIENCE,
			claims: {},
			expiresIn: 3600,
		});
		assert.equal(DEV_AUDIENCE, "idpool-dev");
	});

	test("every member given", () => {
		assert.deepEqual(
			parseDevTokenRequest(
				body({
					sub: "bob",
					aud: ["a", "b"],
					claims: { groups: ["admin"], n: 1 },
					expiresIn: 86400,
				}),
			),
			{
				sub: "bob",
				aud: ["a", "b"],
				claims: { groups: ["admin"], n: 1 },
				expiresIn: 86400,
			},
		);
	});

	const NOT_AN_OBJECT: [string, string] = [
		"SerializationException",
		'The body must be a JSON object such as {"sub": "alice"}.',
	];
	const invalid = (message: string): [string, string] => [
		"ValidationException",
		message,
	];
	const SUB = invalid("sub must be a string of 1 to 255 characters.");
	const AUD = invalid(
		"aud must be a non-empty string or a non-empty list of non-empty strings.",
	);
	const EXPIRES = invalid(
		"expiresIn must be a whole number of seconds from 1 to 86400.",
	);
	const RESERVED =
		": the issuer sets iss, iat and exp itself, and sub and aud come from the members of the same name.";
	const refusals: [string, unknown, [string, string]][] = [
		["not JSON", "{sub:", NOT_AN_OBJECT],
		["empty", "", NOT_AN_OBJECT],
		["a JSON array", [{ sub: "a" }], NOT_AN_OBJECT],
		["no sub", { aud: "x" }, SUB],
		["an empty sub", { sub: "" }, SUB],
		["a sub of 256 characters", { sub: "x".repeat(256) }, SUB],
		["a numeric sub", { sub: 42 }, SUB],
		["an empty aud", { sub: "a", aud: "" }, AUD],
		["an empty aud list", { sub: "a", aud: [] }, AUD],
		[
			"claims as a list",
			{ sub: "a", claims: ["x"] },
			invalid("claims must be a JSON object."),
		],
		[
			"claims setting iss and exp",
			{ sub: "a", claims: { iss: "https://evil", exp: 1, k: "v" } },
			invalid(`claims may not set iss, exp${RESERVED}`),
		],
		[
			"claims setting sub",
			{ sub: "a", claims: { sub: "b" } },
			invalid(`claims may not set sub${RESERVED}`),
		],
		["expiresIn 0", { sub: "a", expiresIn: 0 }, EXPIRES],
		["expiresIn past a day", { sub: "a", expiresIn: 86401 }, EXPIRES],
		["expiresIn as text", { sub: "a", expiresIn: "60" }, EXPIRES],
		["a fractional expiresIn", { sub: "a", expiresIn: 1.5 }, EXPIRES],
		[
			"a misspelt member",
			{ sub: "a", audience: "x" },
			invalid(
				"Unknown member 'audience': the members are sub, aud, claims, expiresIn.",
			),
		],
	];
	for (const [what, value, [type, message]] of refusals) {
		test(`refused: ${what}`, () => {
			assert.throws(
				() => parseDevTokenRequest(body(value)),
				(err: Error & { type?: string; statusCode?: number }) => {
					assert.equal(err.type, type);
					assert.equal(err.statusCode, 400);
					assert.equal(err.message, message);
					return true;
				},
			);
		});
	}
});

describe("the development issuer", () => {
	test("its URL and provider name follow the server's issuer", () => {
		assert.equal(devIssuerUrl("http://127.0.0.1:8700"), URL_);
		assert.equal(
			devIssuerUrl("https://id.example.com/"),
			"https://id.example.com/dev-issuer",
		);
		assert.equal(providerNameOf(URL_), "127.0.0.1:8700/dev-issuer");
	});

	test("mints RS256 tokens that verify against its JWKS, with the claims asked for", async () => {
		const clock = new FakeClock(START);
		const issuer = await DevIssuer.create(clock, () => URL_);
		const discovery = issuer.discovery();
		assert.equal(discovery.issuer, URL_);
		assert.equal(discovery.jwks_uri, `${URL_}/.well-known/jwks.json`);
		assert.deepEqual(discovery.id_token_signing_alg_values_supported, [
			"RS256",
		]);
		const answer = await issuer.mint(
			body({
				sub: "alice",
				aud: "my-app",
				claims: { groups: ["admin", "dev"], "custom:team": "blue" },
				expiresIn: 120,
			}),
		);
		assert.equal(answer.token_type, "Bearer");
		assert.equal(answer.expires_in, 120);
		const jwks = issuer.jwks();
		assert.equal(jwks.keys.length, 1);
		assert.equal("d" in (jwks.keys[0] as object), false);
		const header = decodeProtectedHeader(answer.id_token);
		assert.deepEqual(header, {
			alg: "RS256",
			kid: jwks.keys[0]?.kid,
			typ: "JWT",
		});
		const { payload } = await jwtVerify(
			answer.id_token,
			createLocalJWKSet(jwks),
			{
				issuer: URL_,
				audience: "my-app",
				algorithms: ["RS256"],
				currentDate: new Date(START),
			},
		);
		assert.deepEqual(payload, {
			groups: ["admin", "dev"],
			"custom:team": "blue",
			iss: URL_,
			sub: "alice",
			aud: "my-app",
			iat: START / 1000,
			exp: START / 1000 + 120,
		});
	});

	test("each issuer has a key of its own (a restart makes a new one)", async () => {
		const clock = new FakeClock(START);
		const [a, b] = await Promise.all([
			DevIssuer.create(clock, () => URL_),
			DevIssuer.create(clock, () => URL_),
		]);
		assert.notEqual(a.jwks().keys[0]?.kid, b.jwks().keys[0]?.kid);
		const token = (await a.mint(body({ sub: "alice" }))).id_token;
		await assert.rejects(
			jwtVerify(token, createLocalJWKSet(b.jwks()), {
				currentDate: new Date(START),
			}),
			{ code: "ERR_JWKS_NO_MATCHING_KEY" },
		);
	});
});
