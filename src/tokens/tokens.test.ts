/**
 * @module tokens/tokens.test
 * Unit tests of token minting: tokens verify against the ring's JWKS with a standard JWT
 * library, and their bytes match what Amazon emits (header member order, payload member
 * order, the principal tags claim), including across a key rotation.
 */
import assert from "node:assert/strict";
import { createPrivateKey, createPublicKey, verify } from "node:crypto";
import { describe, test } from "node:test";
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { MemorySigningKeys } from "../../test/support/memory-keys.ts";
import { FakeClock } from "../lib/clock.ts";
import { noMetrics } from "../lib/metrics.ts";
import { KeyRing } from "./key-ring.ts";
import { generateSigningKey } from "./keys.ts";
import {
	discoveryDocument,
	signOnce,
	type TokenClaims,
	TokenIssuer,
} from "./tokens.ts";

const ISS = "https://idpool.example.com";
const POOL = "eu-west-1:11111111-2222-3333-4444-555555555555";
const IDENTITY = "eu-west-1:66666666-7777-8888-9999-000000000000";
const ARN = `arn:aws:cognito-identity:eu-west-1:111111111111:identitypool/${POOL}`;
const START = Date.UTC(2025, 0, 1);
const LIFETIME = 86_400_000;

async function setup() {
	const clock = new FakeClock(START);
	const ring = new KeyRing(new MemorySigningKeys(), clock, {
		reloadIntervalMs: 30_000,
		maxTokenLifetimeMs: LIFETIME,
	});
	await ring.init();
	return { clock, ring, issuer: new TokenIssuer(ring) };
}

function claims(
	clock: FakeClock,
	more: Partial<TokenClaims> = {},
): TokenClaims {
	const iat = Math.floor(clock.now() / 1000);
	return {
		sub: IDENTITY,
		aud: POOL,
		amr: ["unauthenticated"],
		iss: ISS,
		poolArn: ARN,
		iat,
		exp: iat + 600,
		...more,
	};
}

/** Verifies as a relying party would, at the fake clock's time. */
async function verifyToken(token: string, ring: KeyRing, clock: FakeClock) {
	return jwtVerify(token, createLocalJWKSet(await ring.jwks()), {
		issuer: ISS,
		audience: POOL,
		algorithms: ["RS512"],
		currentDate: new Date(clock.now()),
	});
}

const segment = (token: string, index: number) =>
	Buffer.from(token.split(".")[index] ?? "", "base64url").toString("utf8");

describe("TokenIssuer", () => {
	test("mints a token that verifies against the JWKS", async () => {
		const { clock, ring, issuer } = await setup();
		const token = await issuer.mint(claims(clock));
		const { payload, protectedHeader } = await verifyToken(token, ring, clock);
		assert.equal(payload.sub, IDENTITY);
		assert.deepEqual(payload.amr, ["unauthenticated"]);
		assert.equal(protectedHeader.kid, (await ring.signer()).kid);
	});

	test("the header is exactly kid, typ JWS, alg RS512, in that order", async () => {
		const { clock, ring, issuer } = await setup();
		const token = await issuer.mint(claims(clock));
		const { kid } = await ring.signer();
		assert.equal(
			segment(token, 0),
			`{"kid":"${kid}","typ":"JWS","alg":"RS512"}`,
		);
		assert.equal(decodeProtectedHeader(token).kid, kid);
		// The kid is the key's RFC 7638 thumbprint, as published.
		assert.deepEqual(
			(await ring.jwks()).keys.map((k) => k.kid),
			[kid],
		);
	});

	test("payload members come in Amazon's order, tags as single-element arrays", async () => {
		const { clock, issuer } = await setup();
		const amr = [
			"authenticated",
			"login.example",
			`login.example:${POOL}:alice`,
		];
		const token = await issuer.mint(
			claims(clock, {
				amr,
				principalTags: { actor: "alice", repository: "org/repo" },
			}),
		);
		const iat = Math.floor(START / 1000);
		assert.equal(
			segment(token, 1),
			JSON.stringify({
				sub: IDENTITY,
				aud: POOL,
				amr,
				"https://aws.amazon.com/tags": {
					principal_tags: { actor: ["alice"], repository: ["org/repo"] },
				},
				iss: ISS,
				"https://cognito-identity.amazonaws.com/identity-pool-arn": ARN,
				exp: iat + 600,
				iat,
			}),
		);
	});

	test("no tags claim without principal tags", async () => {
		const { clock, issuer } = await setup();
		for (const principalTags of [undefined, {}]) {
			const more = principalTags ? { principalTags } : {};
			const payload = JSON.parse(
				segment(await issuer.mint(claims(clock, more)), 1),
			);
			assert.deepEqual(Object.keys(payload), [
				"sub",
				"aud",
				"amr",
				"iss",
				"https://cognito-identity.amazonaws.com/identity-pool-arn",
				"exp",
				"iat",
			]);
		}
	});

	test("a tag named __proto__ stays a tag", async () => {
		const { clock, issuer } = await setup();
		const principalTags = JSON.parse('{"__proto__":"x"}') as Record<
			string,
			string
		>;
		const payload = JSON.parse(
			segment(await issuer.mint(claims(clock, { principalTags })), 1),
		);
		assert.deepEqual(
			Object.entries(payload["https://aws.amazon.com/tags"].principal_tags),
			[["__proto__", ["x"]]],
		);
	});

	test("refuses times that are not whole seconds", async () => {
		const { clock, issuer } = await setup();
		await assert.rejects(issuer.mint(claims(clock, { iat: 1.5 })), RangeError);
	});

	test("across a rotation: old tokens keep verifying, new tokens switch key after the delay", async () => {
		const { clock, ring, issuer } = await setup();
		const oldKid = (await ring.signer()).kid;
		const before = await issuer.mint(
			claims(clock, { exp: Math.floor(START / 1000) + 86_400 }),
		);

		const fresh = await ring.rotate();
		const pending = await issuer.mint(claims(clock));
		assert.equal(decodeProtectedHeader(pending).kid, oldKid);
		await verifyToken(before, ring, clock);

		clock.set(fresh.activatesAt);
		const after = await issuer.mint(claims(clock));
		assert.equal(decodeProtectedHeader(after).kid, fresh.kid);
		await verifyToken(after, ring, clock);
		await verifyToken(before, ring, clock);

		// The old key is published until the longest-lived token it signed has expired.
		clock.set(fresh.activatesAt + LIFETIME - 1000);
		const late = await issuer.mint(
			claims(clock, { exp: Math.floor(clock.now() / 1000) + 1 }),
		);
		await verifyToken(late, ring, clock);
		assert.ok((await ring.jwks()).keys.some((k) => k.kid === oldKid));
		clock.set(fresh.activatesAt + LIFETIME);
		assert.ok(!(await ring.jwks()).keys.some((k) => k.kid === oldKid));
	});
});

describe("signOnce", () => {
	test("produces an RS512 (PKCS#1 v1.5, SHA-512) signature", async () => {
		const record = await generateSigningKey(0, 0);
		const privateKey = createPrivateKey(record.privateKeyPem);
		const data = Buffer.from("header.payload");
		const signature = await signOnce(privateKey, data);
		assert.equal(signature.length, 256);
		assert.ok(verify("sha512", data, createPublicKey(privateKey), signature));
	});
});

describe("discoveryDocument", () => {
	test("points at this issuer's JWKS and advertises RS512", () => {
		assert.deepEqual(discoveryDocument(ISS), {
			issuer: ISS,
			jwks_uri: `${ISS}/.well-known/jwks_uri`,
			response_types_supported: ["id_token"],
			subject_types_supported: ["public"],
			id_token_signing_alg_values_supported: ["RS512"],
			claims_supported: [
				"sub",
				"aud",
				"amr",
				"iss",
				"exp",
				"iat",
				"https://aws.amazon.com/tags",
				"https://cognito-identity.amazonaws.com/identity-pool-arn",
			],
		});
	});
});

describe("ES256 (docs/keys.md#es256)", () => {
	test("an ES256 ring's tokens say alg ES256 and verify against its JWKS; the metrics get the label", async () => {
		const clock = new FakeClock(START);
		const ring = new KeyRing(new MemorySigningKeys(), clock, {
			algorithm: "ES256",
		});
		await ring.init();
		const signed: string[] = [];
		const metrics = {
			...noMetrics,
			tokenSigned: (alg: string) => signed.push(alg),
		};
		const token = await new TokenIssuer(ring, metrics).mint(claims(clock));
		const { kid } = await ring.signer();
		assert.equal(
			segment(token, 0),
			`{"kid":"${kid}","typ":"JWS","alg":"ES256"}`,
		);
		const { payload } = await jwtVerify(
			token,
			createLocalJWKSet(await ring.jwks()),
			{
				issuer: ISS,
				audience: POOL,
				algorithms: ["ES256"],
				currentDate: new Date(clock.now()),
			},
		);
		assert.equal(payload.sub, IDENTITY);
		assert.deepEqual(signed, ["ES256"]);
	});

	test("signOnce makes a raw r || s P-256 signature (64 bytes, not DER)", async () => {
		const record = await generateSigningKey(0, 0, "ES256");
		const privateKey = createPrivateKey(record.privateKeyPem);
		const data = Buffer.from("header.payload");
		const signature = await signOnce(privateKey, data, "ES256");
		assert.equal(signature.length, 64);
		assert.ok(
			verify(
				"sha256",
				data,
				{ key: createPublicKey(privateKey), dsaEncoding: "ieee-p1363" },
				signature,
			),
		);
	});

	test("signOnce refuses an algorithm it does not know", async () => {
		const record = await generateSigningKey(0, 0, "ES256");
		await assert.rejects(
			signOnce(
				createPrivateKey(record.privateKeyPem),
				Buffer.from("x"),
				"HS256",
			),
			/cannot sign with algorithm HS256/,
		);
	});

	test("discovery lists the algorithms it is given", () => {
		assert.deepEqual(
			discoveryDocument(ISS, ["RS512", "ES256"])
				.id_token_signing_alg_values_supported,
			["RS512", "ES256"],
		);
	});
});
