/**
 * Login validation at the level of the whole `Logins` map: this server's own tokens (allowed
 * in GetCredentialsForIdentity only), SAML, keys that are not providers of the pool, several
 * entries at once (order of the answers, which failure is reported).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type FakeOidc, startFakeOidc } from "../support/fake-idp.ts";
import {
	ACCOUNT,
	harness,
	ISSUER,
	POOL_ID,
	poolWith,
	rejectsWith,
} from "./helpers.ts";

const NA = "NotAuthorizedException";
const DEV = "login.example.app";
const IDENTITY = "us-east-1:99999999-8888-7777-6666-555555555555";
const OIDC_KEY = "oidc.example.com";
const OIDC_ARN = `arn:aws:iam::${ACCOUNT}:oidc-provider/${OIDC_KEY}`;
const SAML_ARN = `arn:aws:iam::${ACCOUNT}:saml-provider/corp`;

const pool = () =>
	poolWith({
		DeveloperProviderName: DEV,
		OpenIdConnectProviderARNs: [OIDC_ARN],
		SamlProviderARNs: [SAML_ARN],
		SupportedLoginProviders: { "www.digits.com": "k;s" },
	});

describe("this server's own tokens", () => {
	async function setup() {
		const h = await harness({});
		const now = Math.floor(h.clock.now() / 1000);
		const mint = (
			claims: { aud?: string; amr?: string[]; iss?: string } = {},
		) =>
			h.ownTokens.mint({
				sub: IDENTITY,
				aud: claims.aud ?? POOL_ID,
				amr: claims.amr ?? ["authenticated", DEV, `${DEV}:${POOL_ID}:alice`],
				iss: claims.iss ?? ISSUER,
				poolArn: `arn:aws:cognito-identity:us-east-1:${ACCOUNT}:identitypool/${POOL_ID}`,
				iat: now,
				exp: now + 900,
			});
		return { ...h, mint };
	}

	test("accepted where allowed, under cognito-identity.amazonaws.com and under the issuer host", async () => {
		const { verifier, mint } = await setup();
		for (const key of ["cognito-identity.amazonaws.com", "127.0.0.1:8700"]) {
			const [login] = await verifier.verifyAll(
				pool(),
				{ [key]: await mint() },
				{ allowCognitoTokens: true },
			);
			assert.ok(login);
			assert.equal(login.kind, "cognito");
			assert.equal(login.provider, key);
			assert.equal(login.subject, IDENTITY);
			assert.deepEqual(login.amr, [DEV, `${DEV}:${POOL_ID}:alice`]);
			assert.equal(login.claims.aud, POOL_ID);
		}
	});

	test("refused where not allowed, whatever the token", async () => {
		const { verifier, mint } = await setup();
		for (const token of [await mint(), "garbage"]) {
			await rejectsWith(
				verifier.verifyAll(
					pool(),
					{ "cognito-identity.amazonaws.com": token },
					{ allowCognitoTokens: false },
				),
				NA,
				"Invalid login token. Can't pass in a Cognito token.",
			);
		}
	});

	test("a token of another pool, another issuer, a guest's, a forged one", async () => {
		const { verifier, mint } = await setup();
		const run = (token: string) =>
			verifier.verifyAll(
				pool(),
				{ "cognito-identity.amazonaws.com": token },
				{ allowCognitoTokens: true },
			);
		await rejectsWith(
			run(
				await mint({ aud: "us-east-1:00000000-0000-0000-0000-000000000000" }),
			),
			NA,
			"Invalid login token. Incorrect token audience.",
		);
		await rejectsWith(
			run(await mint({ iss: "https://cognito-identity.amazonaws.com" })),
			NA,
			"Invalid login token. Issuer doesn't match providerName",
		);
		await rejectsWith(
			run(await mint({ iss: "https://accounts.google.com" })),
			NA,
			"Invalid login token. Not a Cognito token.",
		);
		await rejectsWith(
			run(await mint({ amr: ["unauthenticated"] })),
			NA,
			/^Invalid login token\. The token of an unauthenticated identity/,
		);
		const other = await setup(); // another key ring: same claims, another key
		await rejectsWith(
			run(await other.mint()),
			NA,
			"Invalid login token. Couldn't verify signed token.",
		);
	});
});

describe("keys the pool cannot accept", () => {
	test("unknown keys and the developer provider name: not a supported provider", async () => {
		const { verifier } = await harness({});
		for (const key of [
			DEV,
			"accounts.google.com",
			"constructor",
			"oidc.other.com",
		]) {
			await rejectsWith(
				verifier.verifyAll(
					pool(),
					{ [key]: "x" },
					{ allowCognitoTokens: true },
				),
				NA,
				"Token is not from a supported provider of this identity pool.",
			);
		}
	});

	test("SAML: not supported yet", async () => {
		const { verifier } = await harness({});
		await rejectsWith(
			verifier.verifyAll(
				pool(),
				{ [SAML_ARN]: "PHNhbWw+" },
				{ allowCognitoTokens: false },
			),
			NA,
			"SAML logins are not supported yet by idpool.",
		);
	});

	test("a public provider idpool has no verifier for", async () => {
		const { verifier } = await harness({});
		await rejectsWith(
			verifier.verifyAll(
				pool(),
				{ "www.digits.com": "t;s" },
				{ allowCognitoTokens: false },
			),
			NA,
			"Logins of www.digits.com are not supported by idpool.",
		);
	});
});

describe("several logins", () => {
	let idp: FakeOidc;
	before(async () => {
		idp = await startFakeOidc();
	});
	after(() => idp.close());

	test("answered in the order of the map; an empty map answers nothing", async () => {
		const h = await harness({
			[OIDC_KEY]: { jwksUri: idp.jwksUri, clientIds: ["app1"] },
		});
		const now = Math.floor(h.clock.now() / 1000);
		const own = await h.ownTokens.mint({
			sub: IDENTITY,
			aud: POOL_ID,
			amr: ["authenticated", DEV, `${DEV}:${POOL_ID}:bob`],
			iss: ISSUER,
			poolArn: "arn",
			iat: now,
			exp: now + 60,
		});
		const oidc = await idp.mint({
			iss: `https://${OIDC_KEY}`,
			sub: "o",
			aud: "app1",
		});
		const logins = await h.verifier.verifyAll(
			pool(),
			{ [OIDC_KEY]: oidc, "cognito-identity.amazonaws.com": own },
			{ allowCognitoTokens: true },
		);
		assert.deepEqual(
			logins.map((l) => [l.provider, l.kind, l.subject]),
			[
				[OIDC_KEY, "external", "o"],
				["cognito-identity.amazonaws.com", "cognito", IDENTITY],
			],
		);
		assert.deepEqual(
			await h.verifier.verifyAll(pool(), {}, { allowCognitoTokens: false }),
			[],
		);
	});

	test("a key that cannot be accepted fails the call before any provider is asked", async () => {
		const { verifier } = await harness({
			[OIDC_KEY]: { jwksUri: idp.jwksUri, clientIds: ["app1"] },
		});
		const asked = idp.requests.length;
		const oidc = await idp.mint({
			iss: `https://${OIDC_KEY}`,
			sub: "o",
			aud: "app1",
		});
		await rejectsWith(
			verifier.verifyAll(
				pool(),
				{ [OIDC_KEY]: oidc, "unknown.example.com": "x" },
				{ allowCognitoTokens: false },
			),
			NA,
			"Token is not from a supported provider of this identity pool.",
		);
		assert.equal(idp.requests.length, asked);
	});

	test("when several tokens fail, the first in the map is reported", async () => {
		const { verifier } = await harness({
			[OIDC_KEY]: { jwksUri: idp.jwksUri, clientIds: ["app1"] },
		});
		const expired = await idp.mint(
			{ iss: `https://${OIDC_KEY}`, sub: "o", aud: "app1" },
			{ expiresIn: -3600 },
		);
		await rejectsWith(
			verifier.verifyAll(
				pool(),
				{
					"cognito-identity.amazonaws.com": "not-a-jwt",
					[OIDC_KEY]: expired,
				},
				{ allowCognitoTokens: true },
			),
			NA,
			"Invalid login token. Not a valid OpenId Connect identity token.",
		);
		await rejectsWith(
			verifier.verifyAll(
				pool(),
				{
					[OIDC_KEY]: expired,
					"cognito-identity.amazonaws.com": "not-a-jwt",
				},
				{ allowCognitoTokens: true },
			),
			NA,
			/^Invalid login token\. Token expired: /,
		);
	});
});
