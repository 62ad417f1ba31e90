/**
 * Login validation of ID tokens against local issuers with their own keys: Cognito user
 * pools, OpenID Connect providers (configured JWKS, inline keys, discovery), Google and Apple
 * (through their public URLs, routed to the doubles), every documented failure, key caching
 * and rotation.
 */
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { generateKeyPair } from "jose";
import { FakeClock } from "../../src/lib/clock.ts";
import {
	type FakeOidc,
	type FakeUserPool,
	startFakeOidc,
	startFakeUserPool,
} from "../support/fake-idp.ts";
import {
	ACCOUNT,
	harness,
	poolWith,
	rejectsWith,
	routedFetch,
} from "./helpers.ts";

const NA = "NotAuthorizedException";
const OIDC_KEY = "oidc.example.com";
const OIDC_ARN = `arn:aws:iam::${ACCOUNT}:oidc-provider/${OIDC_KEY}`;
const allow = { allowCognitoTokens: false };

describe("Cognito user pools", () => {
	let up: FakeUserPool;
	const clock = new FakeClock();
	before(async () => {
		up = await startFakeUserPool({ clock });
	});
	after(() => up.close());
	const pool = () =>
		poolWith({
			CognitoIdentityProviders: [
				{ ProviderName: up.providerName, ClientId: "webclient" },
				{ ProviderName: up.providerName, ClientId: "mobileclient" },
			],
		});
	const setup = () =>
		harness({ [up.providerName]: { jwksUri: up.jwksUri } }, { clock });

	test("an ID token of a configured client: subject, claims, amr", async () => {
		const { verifier } = await setup();
		const token = await up.mintIdToken({
			sub: "user-1",
			aud: "mobileclient",
			groups: ["admins"],
			roles: ["arn:aws:iam::123456789012:role/Admin"],
			preferredRole: "arn:aws:iam::123456789012:role/Admin",
		});
		const [login] = await verifier.verifyAll(
			pool(),
			{ [up.providerName]: token },
			allow,
		);
		assert.ok(login);
		assert.equal(login.provider, up.providerName);
		assert.equal(login.kind, "external");
		assert.equal(login.subject, "user-1");
		assert.deepEqual(login.claims["cognito:groups"], ["admins"]);
		assert.equal(
			login.claims["cognito:preferred_role"],
			"arn:aws:iam::123456789012:role/Admin",
		);
		assert.equal(login.claims.iss, up.realIssuer);
		assert.deepEqual(login.amr, [
			up.providerName,
			`${up.providerName}:CognitoSignIn:user-1`,
		]);
	});

	test("an access token: Missing a required claim: aud", async () => {
		const { verifier } = await setup();
		const token = await up.mintAccessToken({ sub: "u", clientId: "webclient" });
		await rejectsWith(
			verifier.verifyAll(pool(), { [up.providerName]: token }, allow),
			NA,
			"Invalid login token. Missing a required claim: aud",
		);
	});

	test("a client id the pool does not list: not a supported provider (as observed)", async () => {
		const { verifier } = await setup();
		const token = await up.mintIdToken({ sub: "u", aud: "otherclient" });
		await rejectsWith(
			verifier.verifyAll(pool(), { [up.providerName]: token }, allow),
			NA,
			"Token is not from a supported provider of this identity pool.",
		);
	});

	test("a token_use other than id", async () => {
		const { verifier } = await setup();
		const token = await up.mintIdToken({
			sub: "u",
			aud: "webclient",
			token_use: "access",
		});
		await rejectsWith(
			verifier.verifyAll(pool(), { [up.providerName]: token }, allow),
			NA,
			/^Invalid login token\. The token_use claim must be 'id'/,
		);
	});

	test("a token of another user pool under this key: Issuer doesn't match providerName", async () => {
		const { verifier } = await setup();
		const token = await up.mintIdToken({
			sub: "u",
			aud: "webclient",
			iss: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other",
		});
		await rejectsWith(
			verifier.verifyAll(pool(), { [up.providerName]: token }, allow),
			NA,
			"Invalid login token. Issuer doesn't match providerName",
		);
	});

	test("a token signed by another key under the pool's kid: Couldn't verify signed token", async () => {
		const { verifier } = await setup();
		const forged = await generateKeyPair("RS256");
		const token = await up.mintIdToken(
			{ sub: "u", aud: "webclient" },
			{ key: forged.privateKey },
		);
		await rejectsWith(
			verifier.verifyAll(pool(), { [up.providerName]: token }, allow),
			NA,
			"Invalid login token. Couldn't verify signed token.",
		);
	});

	test("expired: accepted within the five-minute skew, then Amazon's message", async () => {
		const { verifier } = await setup();
		const token = await up.mintIdToken(
			{ sub: "u", aud: "webclient" },
			{ expiresIn: 60 },
		);
		const exp = Math.floor(clock.now() / 1000) + 60;
		clock.advanceBy((60 + 299) * 1000);
		await verifier.verifyAll(pool(), { [up.providerName]: token }, allow);
		clock.advanceBy(1000);
		await rejectsWith(
			verifier.verifyAll(pool(), { [up.providerName]: token }, allow),
			NA,
			`Invalid login token. Token expired: ${exp + 300} >= ${exp}`,
		);
	});

	test("keys from the public URL of the user pool when nothing is configured", async () => {
		const routed = routedFetch({
			[`https://${up.providerName}/`]: `${up.issuer}/`,
		});
		const { verifier } = await harness({}, { clock, fetch: routed.fetch });
		const token = await up.mintIdToken({ sub: "u", aud: "webclient" });
		await verifier.verifyAll(pool(), { [up.providerName]: token }, allow);
		assert.deepEqual(routed.asked, [
			`https://${up.providerName}/.well-known/jwks.json`,
		]);
	});
});

test("a user-pool ProviderName not of the form cognito-idp.<region>.amazonaws.com/<id> gets no default key URL", async () => {
	const up = await startFakeUserPool();
	try {
		const routed = routedFetch({});
		const { verifier } = await harness({}, { fetch: routed.fetch });
		const name = "internal.example/us-east-1_X";
		const token = await up.mintIdToken({
			sub: "u",
			aud: "c",
			iss: `https://${name}`,
		});
		await rejectsWith(
			verifier.verifyAll(
				poolWith({
					CognitoIdentityProviders: [{ ProviderName: name, ClientId: "c" }],
				}),
				{ [name]: token },
				allow,
			),
			NA,
			'Invalid login token. The user pool internal.example/us-east-1_X is not one of Amazon Cognito\'s, and idpool is configured with no keys for it (providers["internal.example/us-east-1_X"] or providers["internal.example/*"]), so it accepts no token.',
		);
		assert.deepEqual(routed.asked, []);
	} finally {
		await up.close();
	}
});

describe("a local user-pool emulator (<host>/* in the configuration)", () => {
	let emulator: FakeOidc;
	/** `127.0.0.1:<port>`, the emulator's address. */
	let address: string;
	/** `127.0.0.1:<port>/local_Pool1`: the ProviderName, as Amplify names the login. */
	let name: string;
	before(async () => {
		emulator = await startFakeOidc({ issuerPath: "local_Pool1" });
		name = emulator.host;
		address = name.slice(0, name.indexOf("/"));
	});
	after(() => emulator.close());
	const pool = () =>
		poolWith({
			CognitoIdentityProviders: [{ ProviderName: name, ClientId: "web" }],
		});
	/** An ID token of the emulator, `iss` http://<name> as cognito-local issues them. */
	const idToken = (claims: Record<string, unknown> = {}) =>
		emulator.mint({ sub: "user-1", aud: "web", token_use: "id", ...claims });
	const jwksFetches = () =>
		emulator.requests.filter((r) => r.endsWith("/.well-known/jwks.json"));

	test("its http issuer on loopback, keys at <issuer>/.well-known/jwks.json", async () => {
		const { verifier } = await harness({ [`${address}/*`]: {} });
		const before = jwksFetches().length;
		const [login] = await verifier.verifyAll(
			pool(),
			{ [name]: await idToken() },
			allow,
		);
		assert.equal(login?.subject, "user-1");
		assert.equal(login?.claims.iss, `http://${name}`);
		assert.deepEqual(login?.amr, [name, `${name}:CognitoSignIn:user-1`]);
		assert.deepEqual(jwksFetches().slice(before), [
			"/local_Pool1/.well-known/jwks.json",
		]);
	});

	test("the emulator's jwksUri or inline keys serve every pool of it", async () => {
		const other = await startFakeOidc({ issuerPath: "keys" });
		try {
			const { verifier } = await harness({
				[`${address}/*`]: { jwksUri: other.jwksUri },
			});
			const token = await other.mint({
				iss: `http://${name}`,
				sub: "user-2",
				aud: "web",
				token_use: "id",
			});
			const [login] = await verifier.verifyAll(
				pool(),
				{ [name]: token },
				allow,
			);
			assert.equal(login?.subject, "user-2");
			assert.ok(
				other.requests.some((r) => r.endsWith("/keys/.well-known/jwks.json")),
			);
		} finally {
			await other.close();
		}
	});

	test("without an entry for the pool or its address, nothing is fetched and the login is refused", async () => {
		for (const providers of [
			{},
			{ "127.0.0.1:1/*": {} },
			{ [`${address}/local_Other`]: {} },
		]) {
			const { verifier } = await harness(providers);
			const before = emulator.requests.length;
			await rejectsWith(
				verifier.verifyAll(pool(), { [name]: await idToken() }, allow),
				NA,
				/^Invalid login token\. The user pool 127\.0\.0\.1:\d+\/local_Pool1 is not one of Amazon Cognito's, and idpool is configured with no keys for it/,
			);
			assert.equal(emulator.requests.length, before);
		}
	});

	test("its tokens are checked as a user pool's: issuer, client, token_use, signature", async () => {
		const { verifier } = await harness({ [`${address}/*`]: {} });
		const run = async (claims: Record<string, unknown>) =>
			verifier.verifyAll(pool(), { [name]: await idToken(claims) }, allow);
		await rejectsWith(
			run({ iss: `http://${address}/local_Other` }),
			NA,
			"Invalid login token. Issuer doesn't match providerName",
		);
		await rejectsWith(
			run({ aud: "other-client" }),
			NA,
			"Token is not from a supported provider of this identity pool.",
		);
		await rejectsWith(
			run({ token_use: "access" }),
			NA,
			/^Invalid login token\. The token_use claim must be 'id'/,
		);
		const { privateKey } = await generateKeyPair("RS256");
		await rejectsWith(
			verifier.verifyAll(
				pool(),
				{
					[name]: await emulator.mint(
						{ sub: "u", aud: "web", token_use: "id" },
						{ key: privateKey },
					),
				},
				allow,
			),
			NA,
			"Invalid login token. Couldn't verify signed token.",
		);
	});

	test("an emulator beyond loopback: https issuers only", async () => {
		const remote = "users.example.test/local_Pool1";
		const { verifier } = await harness({
			"users.example.test/*": {
				jwks: {
					keys: [
						(await emulatorJwks(emulator)).keys[0] as Record<string, unknown>,
					],
				},
			},
		});
		const remotePool = poolWith({
			CognitoIdentityProviders: [{ ProviderName: remote, ClientId: "web" }],
		});
		await rejectsWith(
			verifier.verifyAll(
				remotePool,
				{ [remote]: await idToken({ iss: `http://${remote}` }) },
				allow,
			),
			NA,
			"Invalid login token. Issuer doesn't match providerName",
		);
		const [login] = await verifier.verifyAll(
			remotePool,
			{ [remote]: await idToken({ iss: `https://${remote}` }) },
			allow,
		);
		assert.equal(login?.subject, "user-1");
	});
});

/** The keys an issuer double publishes. */
async function emulatorJwks(idp: FakeOidc): Promise<{ keys: unknown[] }> {
	return (await (await fetch(idp.jwksUri)).json()) as { keys: unknown[] };
}

describe("OpenID Connect providers", () => {
	let idp: FakeOidc;
	before(async () => {
		idp = await startFakeOidc({ issuerPath: "realms/main" });
	});
	after(() => idp.close());
	const pool = () => poolWith({ OpenIdConnectProviderARNs: [OIDC_ARN] });
	const mint = (claims: Record<string, unknown>, options = {}) =>
		idp.mint(
			{ iss: `https://${OIDC_KEY}`, sub: "oidc-user", ...claims },
			options,
		);

	test("a token of a configured client id, keys from the configured jwksUri; amr with the ARN", async () => {
		const { verifier } = await harness({
			[OIDC_KEY]: { jwksUri: idp.jwksUri, clientIds: ["app1", "app2"] },
		});
		const [login] = await verifier.verifyAll(
			pool(),
			{ [OIDC_KEY]: await mint({ aud: "app2" }) },
			allow,
		);
		assert.equal(login?.subject, "oidc-user");
		assert.equal(login?.kind, "external");
		assert.deepEqual(login?.amr, [OIDC_KEY, `${OIDC_ARN}:OIDC:oidc-user`]);
	});

	test("azp is checked when present, else aud (a string or a list)", async () => {
		const { verifier } = await harness({
			[OIDC_KEY]: { jwksUri: idp.jwksUri, clientIds: ["app1"] },
		});
		const check = async (claims: Record<string, unknown>) =>
			verifier.verifyAll(pool(), { [OIDC_KEY]: await mint(claims) }, allow);
		await check({ aud: ["other", "app1"] });
		await check({ aud: "other", azp: "app1" });
		await rejectsWith(
			check({ aud: "app1", azp: "other" }),
			NA,
			"Invalid login token. Incorrect token audience.",
		);
		await rejectsWith(
			check({ aud: "other" }),
			NA,
			"Invalid login token. Incorrect token audience.",
		);
		await rejectsWith(
			check({}),
			NA,
			"Invalid login token. Missing a required claim: aud",
		);
	});

	test("no clientIds configured: every token is refused, saying so, without asking the provider", async () => {
		const before = idp.requests.length;
		const { verifier } = await harness({
			[OIDC_KEY]: { jwksUri: idp.jwksUri },
		});
		await rejectsWith(
			verifier.verifyAll(
				pool(),
				{ [OIDC_KEY]: await mint({ aud: "app1" }) },
				allow,
			),
			NA,
			/No client ids are configured for the OpenID Connect provider oidc\.example\.com/,
		);
		assert.equal(idp.requests.length, before);
	});

	test("wrong issuer, missing sub, not a JWT, HMAC and alg none", async () => {
		const { verifier } = await harness({
			[OIDC_KEY]: { jwksUri: idp.jwksUri, clientIds: ["app1"] },
		});
		const run = (token: string) =>
			verifier.verifyAll(pool(), { [OIDC_KEY]: token }, allow);
		await rejectsWith(
			run(await mint({ aud: "app1", iss: idp.issuer })),
			NA,
			"Invalid login token. Issuer doesn't match providerName",
		);
		await rejectsWith(
			run(await mint({ aud: "app1", sub: undefined })),
			NA,
			"Invalid login token. Missing a required claim: sub",
		);
		await rejectsWith(
			run("EAAB-not-a-jwt"),
			NA,
			"Invalid login token. Not a valid OpenId Connect identity token.",
		);
		// An HMAC token "signed" with the public key is the classic algorithm confusion.
		const hs = await mint(
			{ aud: "app1" },
			{
				alg: "HS256",
				key: new TextEncoder().encode("public-key-bytes-as-a-secret!!!!"),
			},
		);
		await rejectsWith(
			run(hs),
			NA,
			"Invalid login token. Couldn't verify signed token.",
		);
		const [h, p] = (await mint({ aud: "app1" })).split(".");
		const none = `${Buffer.from('{"alg":"none"}').toString("base64url")}.${p}.`;
		assert.ok(h);
		await rejectsWith(
			run(none),
			NA,
			"Invalid login token. Couldn't verify signed token.",
		);
	});

	test("inline keys: nothing is fetched", async () => {
		const { privateKey, publicKey } = generateKeyPairSync("rsa", {
			modulusLength: 2048,
		});
		const jwk = { ...publicKey.export({ format: "jwk" }), kid: "inline-1" };
		const { verifier } = await harness({
			[OIDC_KEY]: { jwks: { keys: [jwk] }, clientIds: ["app1"] },
		});
		const before = idp.requests.length;
		const token = await mint(
			{ aud: "app1" },
			{ key: privateKey, kid: "inline-1" },
		);
		await verifier.verifyAll(pool(), { [OIDC_KEY]: token }, allow);
		assert.equal(idp.requests.length, before);
	});

	test("keys through the discovery document of https://<key>, both cached", async () => {
		const routed = routedFetch({ [`https://${OIDC_KEY}/`]: `${idp.issuer}/` });
		const { verifier } = await harness(
			{ [OIDC_KEY]: { clientIds: ["app1"] } },
			{ fetch: routed.fetch },
		);
		for (let i = 0; i < 3; i++) {
			await verifier.verifyAll(
				pool(),
				{ [OIDC_KEY]: await mint({ aud: "app1" }) },
				allow,
			);
		}
		assert.deepEqual(routed.asked, [
			`https://${OIDC_KEY}/.well-known/openid-configuration`,
			idp.jwksUri,
		]);
	});

	test("a local provider without TLS: its real http issuer on loopback, keys through its discovery", async () => {
		const key = idp.host; // 127.0.0.1:<port>/realms/main
		const arn = `arn:aws:iam::${ACCOUNT}:oidc-provider/${key}`;
		const { verifier } = await harness({ [key]: { clientIds: ["app1"] } });
		const seen = idp.requests.length;
		const token = await idp.mint({ sub: "local-user", aud: "app1" }); // iss: http://<key>
		const [login] = await verifier.verifyAll(
			poolWith({ OpenIdConnectProviderARNs: [arn] }),
			{ [key]: token },
			allow,
		);
		assert.deepEqual(login?.amr, [key, `${arn}:OIDC:local-user`]);
		assert.deepEqual(idp.requests.slice(seen), [
			"/realms/main/.well-known/openid-configuration",
			"/realms/main/.well-known/jwks.json",
		]);
	});

	test("an ES256 issuer", async () => {
		const ec = await startFakeOidc({ alg: "ES256" });
		try {
			const { verifier } = await harness({
				[OIDC_KEY]: { jwksUri: ec.jwksUri, clientIds: ["app1"] },
			});
			const token = await ec.mint({
				iss: `https://${OIDC_KEY}`,
				sub: "ec-user",
				aud: "app1",
			});
			const [login] = await verifier.verifyAll(
				pool(),
				{ [OIDC_KEY]: token },
				allow,
			);
			assert.equal(login?.subject, "ec-user");
		} finally {
			await ec.close();
		}
	});
});

describe("key caching and rotation", () => {
	const pool = () => poolWith({ OpenIdConnectProviderARNs: [OIDC_ARN] });

	test("the JWKS is fetched once for many tokens, also concurrently", async () => {
		const idp = await startFakeOidc();
		try {
			const { verifier } = await harness({
				[OIDC_KEY]: { jwksUri: idp.jwksUri, clientIds: ["app1"] },
			});
			const tokens = await Promise.all(
				Array.from({ length: 5 }, (_, i) =>
					idp.mint({ iss: `https://${OIDC_KEY}`, sub: `u${i}`, aud: "app1" }),
				),
			);
			await Promise.all(
				tokens.map((t) => verifier.verifyAll(pool(), { [OIDC_KEY]: t }, allow)),
			);
			await verifier.verifyAll(
				pool(),
				{ [OIDC_KEY]: tokens[0] as string },
				allow,
			);
			assert.equal(
				idp.requests.filter((r) => r.endsWith("/jwks.json")).length,
				1,
			);
		} finally {
			await idp.close();
		}
	});

	test("an unknown kid refetches the keys, so a rotation is picked up; a kid never published is refused", async () => {
		const idp = await startFakeOidc();
		try {
			const { verifier } = await harness(
				{ [OIDC_KEY]: { jwksUri: idp.jwksUri, clientIds: ["app1"] } },
				{ jwksCooldownMs: 0 },
			);
			const mint = (options = {}) =>
				idp.mint(
					{ iss: `https://${OIDC_KEY}`, sub: "u", aud: "app1" },
					options,
				);
			await verifier.verifyAll(pool(), { [OIDC_KEY]: await mint() }, allow);
			await idp.rotateKey({ dropOld: true });
			const [login] = await verifier.verifyAll(
				pool(),
				{ [OIDC_KEY]: await mint() },
				allow,
			);
			assert.equal(login?.subject, "u");
			assert.equal(
				idp.requests.filter((r) => r.endsWith("/jwks.json")).length,
				2,
			);
			await rejectsWith(
				verifier.verifyAll(
					pool(),
					{ [OIDC_KEY]: await mint({ kid: "nope" }) },
					allow,
				),
				NA,
				"Invalid login token. Couldn't verify signed token.",
			);
		} finally {
			await idp.close();
		}
	});

	test("the first unknown kid after a fetch refetches at once; more refetches for unknown kids wait for the cooldown", async () => {
		const idp = await startFakeOidc({ alg: "ES256" });
		try {
			const { verifier, clock } = await harness(
				{ [OIDC_KEY]: { jwksUri: idp.jwksUri, clientIds: ["app1"] } },
				{ jwksCooldownMs: 30_000 },
			);
			const mint = () =>
				idp.mint({ iss: `https://${OIDC_KEY}`, sub: "u", aud: "app1" });
			const fetches = () =>
				idp.requests.filter((r) => r.endsWith("/jwks.json")).length;
			await verifier.verifyAll(pool(), { [OIDC_KEY]: await mint() }, allow);
			assert.equal(fetches(), 1);
			// A key published a moment after that fetch: its first token refetches the keys.
			clock.advanceBy(1000);
			await idp.rotateKey();
			await verifier.verifyAll(pool(), { [OIDC_KEY]: await mint() }, allow);
			assert.equal(fetches(), 2);
			// Another new key within the cooldown of that refetch: refused, nothing fetched.
			clock.advanceBy(1000);
			await idp.rotateKey();
			const fresh = await mint();
			await rejectsWith(
				verifier.verifyAll(pool(), { [OIDC_KEY]: fresh }, allow),
				NA,
				"Invalid login token. Couldn't verify signed token.",
			);
			assert.equal(fetches(), 2);
			// Once the cooldown has passed, the same token refetches and is accepted.
			clock.advanceBy(30_000);
			await verifier.verifyAll(pool(), { [OIDC_KEY]: fresh }, allow);
			assert.equal(fetches(), 3);
		} finally {
			await idp.close();
		}
	});
});

describe("Google and Apple", () => {
	let google: FakeOidc;
	let apple: FakeOidc;
	before(async () => {
		google = await startFakeOidc({ issuerPath: "oauth2/v3" });
		apple = await startFakeOidc({ issuerPath: "auth" });
	});
	after(async () => {
		await google.close();
		await apple.close();
	});
	const pool = () =>
		poolWith({
			SupportedLoginProviders: {
				"accounts.google.com": "123-abc.apps.googleusercontent.com",
				"appleid.apple.com": "com.example.app",
			},
		});

	test("ID tokens through the public key URLs; both Google issuer forms; amr with the app id", async () => {
		const routed = routedFetch({
			"https://www.googleapis.com/oauth2/v3/certs": google.jwksUri,
			"https://appleid.apple.com/auth/keys": apple.jwksUri,
		});
		const { verifier } = await harness({}, { fetch: routed.fetch });
		for (const iss of ["https://accounts.google.com", "accounts.google.com"]) {
			const token = await google.mint({
				iss,
				sub: "1098",
				aud: "123-abc.apps.googleusercontent.com",
				email: "a@example.com",
			});
			const [login] = await verifier.verifyAll(
				pool(),
				{ "accounts.google.com": token },
				allow,
			);
			assert.deepEqual(login?.amr, [
				"accounts.google.com",
				"accounts.google.com:123-abc.apps.googleusercontent.com:1098",
			]);
			assert.equal(login?.claims.email, "a@example.com");
		}
		const appleToken = await apple.mint({
			iss: "https://appleid.apple.com",
			sub: "001234.abcd",
			aud: "com.example.app",
		});
		const [login] = await verifier.verifyAll(
			pool(),
			{ "appleid.apple.com": appleToken },
			allow,
		);
		assert.equal(login?.subject, "001234.abcd");
		assert.deepEqual(login?.amr, [
			"appleid.apple.com",
			"appleid.apple.com:com.example.app:001234.abcd",
		]);
		assert.deepEqual(routed.asked, [
			"https://www.googleapis.com/oauth2/v3/certs",
			"https://appleid.apple.com/auth/keys",
		]);
	});

	test("configured jwksUri, wrong audience, wrong issuer", async () => {
		const { verifier } = await harness({
			"accounts.google.com": { jwksUri: google.jwksUri },
		});
		const run = async (claims: Record<string, unknown>) =>
			verifier.verifyAll(
				pool(),
				{
					"accounts.google.com": await google.mint({
						iss: "https://accounts.google.com",
						sub: "1098",
						aud: "123-abc.apps.googleusercontent.com",
						...claims,
					}),
				},
				allow,
			);
		await run({});
		await rejectsWith(
			run({ aud: "999-other.apps.googleusercontent.com" }),
			NA,
			"Invalid login token. Incorrect token audience.",
		);
		await rejectsWith(
			run({ iss: "https://appleid.apple.com" }),
			NA,
			"Invalid login token. Issuer doesn't match providerName",
		);
	});
});
