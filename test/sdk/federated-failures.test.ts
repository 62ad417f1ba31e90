/**
 * Every documented failure of login validation, with its exact type and message
 * (docs/federation.md "Errors", docs/behaviour.md#getid, docs/behaviour.md#getcredentialsforidentity and docs/behaviour.md#getopenidtoken), through the official JS v3 client
 * against a real server. The server and the doubles share a fake clock, so the times in the
 * "Token expired" message are known.
 */
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { after, before, describe, test } from "node:test";
import {
	GetCredentialsForIdentityCommand,
	GetIdCommand,
	GetOpenIdTokenCommand,
	GetOpenIdTokenForDeveloperIdentityCommand,
	ListIdentitiesCommand,
} from "@aws-sdk/client-cognito-identity";
import { FakeClock } from "../../src/lib/clock.ts";
import { type FakeOidc, startFakeOidc } from "../support/fake-idp.ts";
import {
	AMAZON,
	DEV,
	FACEBOOK,
	GOOGLE,
	GOOGLE_CLIENT,
	MESSAGES,
	OIDC_ARN,
	OIDC_CLIENT,
	OIDC_ISSUER,
	OIDC_KEY,
	SAML_ARN,
	TWITTER,
	USER_POOL_CLIENT,
	useFederation,
} from "../support/federation.ts";
import { rejectsWith } from "../support/server.ts";

const NA = "NotAuthorizedException";
const EXTERNAL = "ExternalServiceException";
/** Providers whose keys are fetched only by the tests that need them. */
const ROTATING = "rotating.example.com";
const DOWN = "down.example.com";
const BROKEN = "broken.example.com";
const HANGING = "hanging.example.com";
const NO_CLIENTS = "noclients.example.com";
const arn = (key: string) => `arn:aws:iam::000000000000:oidc-provider/${key}`;
/** The provider's name, and a reason that does not disclose the URL asked. */
const unreachable = (key: string) =>
	new RegExp(
		`^The identity provider ${key.replace(/[./]/g, "\\$&")} could not be reached: (?!.*(?:127\\.0\\.0\\.1|https?:)).+\\.$`,
	);

describe("login validation failures (JS v3 SDK, unsigned)", () => {
	const clock = new FakeClock();
	const nowSec = () => Math.floor(clock.now() / 1000);
	let poolId: string;
	let rotating: FakeOidc;
	let down: FakeOidc;
	let broken: FakeOidc;
	let hanging: FakeOidc;
	let discoveryDown: FakeOidc;
	before(async () => {
		[rotating, down, broken, hanging, discoveryDown] = await Promise.all([
			startFakeOidc({ issuerPath: "rot", clock }),
			startFakeOidc({ issuerPath: "down", clock }),
			startFakeOidc({ issuerPath: "broken", clock }),
			startFakeOidc({ issuerPath: "hang", clock }),
			startFakeOidc({ issuerPath: "disc", clock }),
		]);
	});
	const f = useFederation(() => ({
		clock,
		// A provider that never answers fails after this long (the default is 5 s).
		config: { providerTimeoutSeconds: 1 },
		extraProviders: {
			[ROTATING]: { jwksUri: rotating.jwksUri, clientIds: ["c"] },
			[DOWN]: { jwksUri: down.jwksUri, clientIds: ["c"] },
			[BROKEN]: { jwksUri: broken.jwksUri, clientIds: ["c"] },
			[HANGING]: { jwksUri: hanging.jwksUri, clientIds: ["c"] },
			[discoveryDown.host]: { clientIds: ["c"] },
		},
	}));
	before(async () => {
		poolId = await f.pool({
			OpenIdConnectProviderARNs: [
				OIDC_ARN,
				arn(ROTATING),
				arn(DOWN),
				arn(BROKEN),
				arn(HANGING),
				arn(NO_CLIENTS),
				arn(discoveryDown.host),
			],
		});
	});
	after(async () => {
		await Promise.all(
			[rotating, down, broken, hanging, discoveryDown].map((s) => s.close()),
		);
	});

	const getId = (logins: Record<string, string>) =>
		f.app.send(new GetIdCommand({ IdentityPoolId: poolId, Logins: logins }));

	describe("signatures", () => {
		test("a token signed with another key under the provider's kid", async () => {
			const { privateKey } = generateKeyPairSync("rsa", {
				modulusLength: 2048,
			});
			await rejectsWith(
				getId({
					[OIDC_KEY]: await f.oidc.mint(
						{ sub: "u", aud: OIDC_CLIENT, iss: OIDC_ISSUER },
						{ key: privateKey },
					),
				}),
				NA,
				MESSAGES.couldNotVerify,
			);
			await rejectsWith(
				getId({
					[f.userPool.providerName]: await f.userPool.mintIdToken(
						{ sub: "u", aud: USER_POOL_CLIENT },
						{ key: privateKey },
					),
				}),
				NA,
				MESSAGES.couldNotVerify,
			);
			await rejectsWith(
				getId({
					[GOOGLE]: await f.google.mint(
						{
							sub: "u",
							aud: GOOGLE_CLIENT,
							iss: "https://accounts.google.com",
						},
						{ key: privateKey },
					),
				}),
				NA,
				MESSAGES.couldNotVerify,
			);
		});

		test("a token whose claims were changed after signing", async () => {
			const [h, p, s] = (await f.tokens.oidc("mallory")).split(".");
			const claims = JSON.parse(
				Buffer.from(p as string, "base64url").toString(),
			);
			claims.sub = "alice";
			const forged = `${h}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${s}`;
			await rejectsWith(
				getId({ [OIDC_KEY]: forged }),
				NA,
				MESSAGES.couldNotVerify,
			);
		});

		test("an HMAC token made with a 'key' anybody could know", async () => {
			const token = await f.oidc.mint(
				{ sub: "u", aud: OIDC_CLIENT, iss: OIDC_ISSUER },
				{ alg: "HS256", key: new TextEncoder().encode("x".repeat(32)) },
			);
			await rejectsWith(
				getId({ [OIDC_KEY]: token }),
				NA,
				MESSAGES.couldNotVerify,
			);
		});

		test("something that is not a JWT", async () => {
			await rejectsWith(
				getId({ [OIDC_KEY]: "not-a-jwt" }),
				NA,
				"Invalid login token. Not a valid OpenId Connect identity token.",
			);
		});
	});

	describe("issuers and audiences", () => {
		test("a token of another issuer under the provider's key", async () => {
			await rejectsWith(
				getId({
					[OIDC_KEY]: await f.tokens.oidc("u", {
						iss: "https://evil.example.com",
					}),
				}),
				NA,
				MESSAGES.issuer,
			);
			// The double's own loopback issuer is not the name the pool knows the provider by.
			await rejectsWith(
				getId({ [OIDC_KEY]: await f.tokens.oidc("u", { iss: f.oidc.issuer }) }),
				NA,
				MESSAGES.issuer,
			);
			await rejectsWith(
				getId({
					[f.userPool.providerName]: await f.tokens.userPool("u", {
						iss: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other",
					}),
				}),
				NA,
				MESSAGES.issuer,
			);
			await rejectsWith(
				getId({
					[GOOGLE]: await f.tokens.google("u", {
						iss: "https://accounts.google.com.evil.example",
					}),
				}),
				NA,
				MESSAGES.issuer,
			);
			// A user-pool token presented under the OpenID Connect key.
			await rejectsWith(
				getId({ [OIDC_KEY]: await f.tokens.userPool("u") }),
				NA,
				MESSAGES.issuer,
			);
		});

		test("a token for another audience", async () => {
			await rejectsWith(
				getId({ [OIDC_KEY]: await f.tokens.oidc("u", { aud: "other-app" }) }),
				NA,
				MESSAGES.audience,
			);
			// `azp`, when present, is what names the client.
			await rejectsWith(
				getId({
					[OIDC_KEY]: await f.tokens.oidc("u", { azp: "other-app" }),
				}),
				NA,
				MESSAGES.audience,
			);
			await rejectsWith(
				getId({
					[GOOGLE]: await f.tokens.google("u", {
						aud: "999.apps.googleusercontent.com",
					}),
				}),
				NA,
				MESSAGES.audience,
			);
			// Observed: a user-pool client the identity pool does not list.
			await rejectsWith(
				getId({
					[f.userPool.providerName]: await f.tokens.userPool("u", {
						aud: "otherclient",
					}),
				}),
				NA,
				MESSAGES.notSupported,
			);
			await rejectsWith(
				getId({ [FACEBOOK]: f.facebook.issueToken("u", "111111111") }),
				NA,
				MESSAGES.notSupported,
			);
			await rejectsWith(
				getId({
					[AMAZON]: f.amazon.issueToken("amzn1.account.u", {
						clientId: "amzn1.application-oa2-client.other",
						appId: "amzn1.application.other",
					}),
				}),
				NA,
				MESSAGES.notSupported,
			);
		});

		test("a token without the subject or the expiry", async () => {
			await rejectsWith(
				getId({
					[OIDC_KEY]: await f.oidc.mint({
						aud: OIDC_CLIENT,
						iss: OIDC_ISSUER,
					}),
				}),
				NA,
				"Invalid login token. Missing a required claim: sub",
			);
			const now = nowSec();
			await rejectsWith(
				getId({
					[OIDC_KEY]: await f.tokens.oidc("u", { exp: undefined, iat: now }),
				}),
				NA,
				"Invalid login token. Missing a required claim: exp",
			);
		});

		test("a user pool's access token is refused: it has no aud", async () => {
			await rejectsWith(
				getId({
					[f.userPool.providerName]: await f.userPool.mintAccessToken({
						sub: "u",
						clientId: USER_POOL_CLIENT,
					}),
				}),
				NA,
				MESSAGES.missingAud,
			);
		});

		test("tokens their provider does not know", async () => {
			await rejectsWith(
				getId({ [FACEBOOK]: "EAAunknown" }),
				NA,
				"Invalid login token. Not a valid Facebook token.",
			);
			await rejectsWith(
				getId({ [AMAZON]: "Atza|unknown" }),
				NA,
				"Invalid login token. Not a valid Login with Amazon token.",
			);
			await rejectsWith(
				getId({ [TWITTER]: "123-unknown;secret" }),
				NA,
				"Invalid login token. Not a valid Twitter token.",
			);
			// A known token with the wrong secret: the OAuth 1.0a signature does not match.
			const [token] = f.tokens.twitter("77").split(";");
			await rejectsWith(
				getId({ [TWITTER]: `${token};wrong-secret` }),
				NA,
				"Invalid login token. Not a valid Twitter token.",
			);
		});
	});

	describe("times", () => {
		test("expired more than five minutes ago: refused, with the times; within the skew: accepted", async () => {
			const now = nowSec();
			const late = now - 300;
			await rejectsWith(
				getId({
					[OIDC_KEY]: await f.tokens.oidc("clock-user", {
						iat: late - 3600,
						exp: late,
					}),
				}),
				NA,
				MESSAGES.expired(now, late),
			);
			await rejectsWith(
				getId({
					[f.userPool.providerName]: await f.tokens.userPool("clock-user", {
						iat: late - 3600,
						exp: late - 1000,
					}),
				}),
				NA,
				MESSAGES.expired(now, late - 1000),
			);
			const id = await f.getId(poolId, {
				[OIDC_KEY]: await f.tokens.oidc("clock-user", {
					iat: now - 3600,
					exp: now - 299,
				}),
			});
			assert.deepEqual(await f.loginsOf(id), [OIDC_KEY]);
			// The server's clock moves on: the same token is now too old.
			const token = await f.tokens.oidc("clock-user", { exp: now + 10 });
			clock.advanceBy(311_000);
			try {
				await rejectsWith(
					getId({ [OIDC_KEY]: token }),
					NA,
					MESSAGES.expired(now + 311, now + 10),
				);
			} finally {
				clock.advanceBy(-311_000);
			}
		});

		test("not valid before a time more than five minutes ahead", async () => {
			const now = nowSec();
			await rejectsWith(
				getId({ [OIDC_KEY]: await f.tokens.oidc("u", { nbf: now + 301 }) }),
				NA,
				`Invalid login token. Token not yet valid: ${now} < ${now + 301}`,
			);
			await f.getId(poolId, {
				[OIDC_KEY]: await f.tokens.oidc("nbf-user", { nbf: now + 299 }),
			});
		});
	});

	test("an unknown kid refetches the keys once; more unknown kids wait for the cool-down; a rotation is picked up", async () => {
		// The server's clock is the test's: move it instead of waiting 30 s.
		const jwksFetches = () =>
			rotating.requests.filter((r) => r.endsWith("/jwks.json")).length;
		const mint = (sub: string, kid?: string) =>
			rotating.mint(
				{ sub, aud: "c", iss: `https://${ROTATING}` },
				kid === undefined ? {} : { kid },
			);
		const first = await f.getId(poolId, { [ROTATING]: await mint("r1") });
		assert.equal(jwksFetches(), 1);

		// A kid nobody published: the first one after a fetch makes the server look again
		// (it may be a key published a moment ago), then it is refused...
		await rejectsWith(
			getId({ [ROTATING]: await mint("r1", "made-up") }),
			NA,
			MESSAGES.couldNotVerify,
		);
		assert.equal(jwksFetches(), 2);
		// ...and more unknown kids cannot force a fetch within the cool-down.
		await rejectsWith(
			getId({ [ROTATING]: await mint("r1", "made-up-too") }),
			NA,
			MESSAGES.couldNotVerify,
		);
		assert.equal(jwksFetches(), 2);

		// The provider rotates: within the cool-down the new kid is not known yet...
		await rotating.rotateKey();
		await rejectsWith(
			getId({ [ROTATING]: await mint("r1") }),
			NA,
			MESSAGES.couldNotVerify,
		);
		assert.equal(jwksFetches(), 2);
		// ...after it, the unknown kid makes the server fetch the keys again.
		clock.advanceBy(31_000);
		assert.equal(
			await f.getId(poolId, { [ROTATING]: await mint("r1") }),
			first,
		);
		assert.equal(jwksFetches(), 3);
		// The provider drops its old keys: the newest key still verifies.
		await rotating.rotateKey({ dropOld: true });
		clock.advanceBy(31_000);
		assert.equal(
			await f.getId(poolId, { [ROTATING]: await mint("r1") }),
			first,
		);
		assert.equal(jwksFetches(), 4);
	});

	describe("providers that cannot be reached: ExternalServiceException", () => {
		test("a JWKS whose server drops the connection", async () => {
			down.setMode("down");
			await rejectsWith(
				getId({
					[DOWN]: await down.mint({
						sub: "u",
						aud: "c",
						iss: `https://${DOWN}`,
					}),
				}),
				EXTERNAL,
				unreachable(DOWN),
			);
		});

		test("a JWKS that answers 503, then recovers", async () => {
			broken.setMode("error");
			const token = await broken.mint({
				sub: "u",
				aud: "c",
				iss: `https://${BROKEN}`,
			});
			await rejectsWith(
				getId({ [BROKEN]: token }),
				EXTERNAL,
				unreachable(BROKEN),
			);
			broken.setMode("ok");
			const id = await f.getId(poolId, { [BROKEN]: token });
			// Keys once fetched are kept: a provider going down again does not stop known keys.
			broken.setMode("down");
			try {
				assert.equal(await f.getId(poolId, { [BROKEN]: token }), id);
			} finally {
				broken.setMode("ok");
			}
		});

		test("a discovery document that cannot be had", async () => {
			discoveryDown.setMode("error");
			await rejectsWith(
				getId({
					[discoveryDown.host]: await discoveryDown.mint({
						sub: "u",
						aud: "c",
					}),
				}),
				EXTERNAL,
				unreachable(discoveryDown.host),
			);
		});

		test("Facebook, Login with Amazon and Twitter down", async () => {
			for (const [key, fake, login] of [
				[FACEBOOK, f.facebook, () => f.tokens.facebook("1")],
				[AMAZON, f.amazon, () => f.tokens.amazon("amzn1.account.1")],
				[TWITTER, f.twitter, () => f.tokens.twitter("1")],
			] as const) {
				for (const mode of ["error", "down"] as const) {
					fake.setMode(mode);
					try {
						await rejectsWith(
							getId({ [key]: login() }),
							EXTERNAL,
							unreachable(key),
						);
					} finally {
						fake.setMode("ok");
					}
				}
				await f.getId(poolId, { [key]: login() });
			}
		});

		test("a provider that never answers fails after the provider timeout", async () => {
			hanging.setMode("hang");
			await rejectsWith(
				getId({
					[HANGING]: await hanging.mint({
						sub: "u",
						aud: "c",
						iss: `https://${HANGING}`,
					}),
				}),
				EXTERNAL,
				unreachable(HANGING),
			);
		});
	});

	describe("logins that are not accepted at all", () => {
		test("a provider that is not configured on the pool", async () => {
			await rejectsWith(
				getId({ "login.other.example": "x" }),
				NA,
				MESSAGES.notSupported,
			);
			const googleLess = await f.pool({ SupportedLoginProviders: {} });
			await rejectsWith(
				f.app.send(
					new GetIdCommand({
						IdentityPoolId: googleLess,
						Logins: { [GOOGLE]: await f.tokens.google("u") },
					}),
				),
				NA,
				MESSAGES.notSupported,
			);
		});

		test("an OpenID Connect provider without client ids in the configuration", async () => {
			await rejectsWith(
				getId({ [NO_CLIENTS]: "eyJhbGciOiJSUzI1NiJ9.e30.c2ln" }),
				NA,
				`Invalid login token. No client ids are configured for the OpenID Connect provider ${NO_CLIENTS} in idpool (providers["${NO_CLIENTS}"].clientIds), so it accepts no token.`,
			);
		});

		test("public providers idpool cannot check, or configured without a secret", async () => {
			const odd = await f.pool({
				SupportedLoginProviders: {
					"www.digits.com": "digitsKey;digitsSecret",
					[TWITTER]: "consumerKeyOnly",
				},
			});
			const send = (logins: Record<string, string>) =>
				f.app.send(new GetIdCommand({ IdentityPoolId: odd, Logins: logins }));
			await rejectsWith(
				send({ "www.digits.com": "t;s" }),
				NA,
				"Logins of www.digits.com are not supported by idpool.",
			);
			await rejectsWith(
				send({ [TWITTER]: f.tokens.twitter("5") }),
				NA,
				"The api.twitter.com provider of this identity pool must be configured as 'consumerKey;consumerSecret'.",
			);
		});

		test("SAML", async () => {
			await rejectsWith(
				getId({
					[SAML_ARN]: Buffer.from("<samlp:Response/>").toString("base64"),
				}),
				NA,
				MESSAGES.saml,
			);
		});

		test("the developer provider name, in GetId and GetOpenIdToken", async () => {
			await rejectsWith(getId({ [DEV]: "user-1" }), NA, MESSAGES.notSupported);
			const guest = await f.getId(poolId);
			await rejectsWith(
				f.app.send(
					new GetOpenIdTokenCommand({
						IdentityId: guest,
						Logins: { [DEV]: "user-1" },
					}),
				),
				NA,
				MESSAGES.notSupported,
			);
		});

		test("this server's own token, in GetId and GetOpenIdToken", async () => {
			const { IdentityId, Token } = await f.admin.send(
				new GetOpenIdTokenForDeveloperIdentityCommand({
					IdentityPoolId: poolId,
					Logins: { [DEV]: "own-token-user" },
				}),
			);
			const host = new URL(f.ts.url).host;
			for (const key of ["cognito-identity.amazonaws.com", host]) {
				await rejectsWith(
					getId({ [key]: Token as string }),
					NA,
					MESSAGES.cognitoToken,
				);
				await rejectsWith(
					f.app.send(
						new GetOpenIdTokenCommand({
							IdentityId,
							Logins: { [key]: Token as string },
						}),
					),
					NA,
					MESSAGES.cognitoToken,
				);
			}
		});
	});

	test("one failing entry fails the whole call, and nothing is linked", async () => {
		const before = await f.admin.send(
			new ListIdentitiesCommand({ IdentityPoolId: poolId, MaxResults: 60 }),
		);
		await rejectsWith(
			getId({
				[OIDC_KEY]: await f.tokens.oidc("all-or-nothing"),
				[GOOGLE]: await f.tokens.google("g", { aud: "other" }),
			}),
			NA,
			MESSAGES.audience,
		);
		const afterCall = await f.admin.send(
			new ListIdentitiesCommand({ IdentityPoolId: poolId, MaxResults: 60 }),
		);
		assert.equal(afterCall.Identities?.length, before.Identities?.length);
	});

	test("several failing entries: the first in the map's order is reported", async () => {
		const now = nowSec();
		const expired = await f.tokens.oidc("order", { exp: now - 600 });
		const wrongAud = await f.tokens.google("order", { aud: "other" });
		await rejectsWith(
			getId({ [GOOGLE]: wrongAud, [OIDC_KEY]: expired }),
			NA,
			MESSAGES.audience,
		);
		await rejectsWith(
			getId({ [OIDC_KEY]: expired, [GOOGLE]: wrongAud }),
			NA,
			MESSAGES.expired(now, now - 600),
		);
	});

	test("GetOpenIdToken and GetCredentialsForIdentity validate the same way", async () => {
		const id = await f.getId(poolId, {
			[OIDC_KEY]: await f.tokens.oidc("same-rules"),
		});
		const now = nowSec();
		const expired = await f.tokens.oidc("same-rules", { exp: now - 400 });
		await rejectsWith(
			f.app.send(
				new GetOpenIdTokenCommand({
					IdentityId: id,
					Logins: { [OIDC_KEY]: expired },
				}),
			),
			NA,
			MESSAGES.expired(now, now - 400),
		);
		await rejectsWith(
			f.app.send(
				new GetCredentialsForIdentityCommand({
					IdentityId: id,
					Logins: { [OIDC_KEY]: expired },
				}),
			),
			NA,
			MESSAGES.expired(now, now - 400),
		);
		await rejectsWith(
			f.app.send(
				new GetCredentialsForIdentityCommand({
					IdentityId: id,
					Logins: { [SAML_ARN]: "PHNhbWw+" },
				}),
			),
			NA,
			MESSAGES.saml,
		);
		// Under this server's own key, only this server's tokens of authenticated identities.
		await rejectsWith(
			f.app.send(
				new GetCredentialsForIdentityCommand({
					IdentityId: id,
					Logins: {
						"cognito-identity.amazonaws.com": await f.tokens.oidc("same-rules"),
					},
				}),
			),
			NA,
			"Invalid login token. Not a Cognito token.",
		);
		const guest = await f.getId(poolId);
		const { Token } = await f.app.send(
			new GetOpenIdTokenCommand({ IdentityId: guest }),
		);
		await rejectsWith(
			f.app.send(
				new GetCredentialsForIdentityCommand({
					IdentityId: guest,
					Logins: { "cognito-identity.amazonaws.com": Token as string },
				}),
			),
			NA,
			"Invalid login token. The token of an unauthenticated identity is not a login.",
		);
	});
});
