import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import {
	CreateIdentityPoolCommand,
	DescribeIdentityCommand,
	GetOpenIdTokenForDeveloperIdentityCommand,
	ListIdentitiesCommand,
} from "@aws-sdk/client-cognito-identity";
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { TWO_ACCOUNTS } from "../support/identities.ts";
import { scrape } from "../support/metrics.ts";
import { rejectsWith, useServer, withServer } from "../support/server.ts";

const DEV = "login.example.app";
const ID =
	/^us-east-1:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("GetOpenIdTokenForDeveloperIdentity (JS v3 SDK)", () => {
	let poolId: string;
	const t = useServer({
		credentials: TWO_ACCOUNTS,
	});
	before(async () => {
		poolId = await newPool({ DeveloperProviderName: DEV });
	});

	async function newPool(extra: Record<string, unknown> = {}): Promise<string> {
		const out = await t.client.send(
			new CreateIdentityPoolCommand({
				IdentityPoolName: "dev",
				AllowUnauthenticatedIdentities: false,
				SupportedLoginProviders: {
					"accounts.google.com": "client.apps.googleusercontent.com",
				},
				...extra,
			}),
		);
		return out.IdentityPoolId as string;
	}

	function token(
		user: string,
		extra: Record<string, unknown> = {},
		pool = poolId,
	) {
		return t.client.send(
			new GetOpenIdTokenForDeveloperIdentityCommand({
				IdentityPoolId: pool,
				Logins: { [DEV]: user },
				...extra,
			}),
		);
	}

	async function verify(jwt: string, pool = poolId) {
		const jwks = createRemoteJWKSet(new URL("/.well-known/jwks_uri", t.url));
		return jwtVerify(jwt, jwks, {
			issuer: t.url,
			audience: pool,
			algorithms: ["RS512"],
		});
	}

	test("a new user gets a new authenticated identity and a token for it", async () => {
		const out = await token("alice");
		assert.match(out.IdentityId ?? "", ID);
		const { payload, protectedHeader } = await verify(out.Token as string);
		assert.equal(protectedHeader.alg, "RS512");
		assert.equal(protectedHeader.typ, "JWS");
		assert.equal(payload.sub, out.IdentityId);
		assert.equal(payload.aud, poolId);
		assert.deepEqual(payload.amr, [
			"authenticated",
			DEV,
			`${DEV}:${poolId}:alice`,
		]);
		assert.equal(payload.iss, t.url);
		assert.equal(
			payload["https://cognito-identity.amazonaws.com/identity-pool-arn"],
			`arn:aws:cognito-identity:us-east-1:000000000000:identitypool/${poolId}`,
		);
		assert.equal((payload.exp as number) - (payload.iat as number), 900);
		assert.ok(Math.abs((payload.iat as number) - Date.now() / 1000) < 5);
		assert.equal(payload["https://aws.amazon.com/tags"], undefined);
		const described = await t.client.send(
			new DescribeIdentityCommand({ IdentityId: out.IdentityId }),
		);
		assert.deepEqual(described.Logins, [DEV]);
	});

	test("the same user always gets the same identity, and a fresh token", async () => {
		const first = await token("bob");
		const second = await token("bob");
		assert.equal(second.IdentityId, first.IdentityId);
		assert.equal(
			(await verify(second.Token as string)).payload.sub,
			first.IdentityId,
		);
	});

	test("N parallel first calls for one new user create exactly one identity, and every token names it", async () => {
		const pool = await newPool({ DeveloperProviderName: DEV });
		const answers = await Promise.all(
			Array.from({ length: 25 }, () => token("racer", {}, pool)),
		);
		const ids = new Set(answers.map((a) => a.IdentityId));
		assert.equal(ids.size, 1);
		// Each call signed a token early for an identity of its own choosing; all but one lost
		// the race, and theirs must not be the token they answer.
		for (const answer of answers) {
			const { payload } = await verify(answer.Token as string, pool);
			assert.equal(payload.sub, answer.IdentityId);
		}
		const list = await t.client.send(
			new ListIdentitiesCommand({ IdentityPoolId: pool, MaxResults: 60 }),
		);
		assert.equal(list.Identities?.length, 1);
	});

	test("TokenDuration sets the lifetime (1..86400 seconds)", async () => {
		const out = await token("carol", { TokenDuration: 86400 });
		const { payload } = await verify(out.Token as string);
		assert.equal((payload.exp as number) - (payload.iat as number), 86400);
		const short = await token("carol", { TokenDuration: 1 });
		const decoded = JSON.parse(
			Buffer.from(
				(short.Token as string).split(".")[1] as string,
				"base64url",
			).toString(),
		);
		assert.equal(decoded.exp - decoded.iat, 1);
		await rejectsWith(
			token("carol", { TokenDuration: 86401 }),
			"ValidationException",
			/tokenDuration/,
		);
		await rejectsWith(
			token("carol", { TokenDuration: 0 }),
			"ValidationException",
			/tokenDuration/,
		);
	});

	test("PrincipalTags go into the tags claim as single-element arrays", async () => {
		const out = await token("dave", {
			PrincipalTags: { team: "blue", level: "3" },
		});
		const { payload } = await verify(out.Token as string);
		assert.deepEqual(payload["https://aws.amazon.com/tags"], {
			principal_tags: { team: ["blue"], level: ["3"] },
		});
		const tooMany = Object.fromEntries(
			Array.from({ length: 51 }, (_, i) => [`k${i}`, "v"]),
		);
		await rejectsWith(
			token("dave", { PrincipalTags: tooMany }),
			"ValidationException",
			/principalTags/,
		);
	});

	test("the header carries kid, typ and alg in that order, and kid is published", async () => {
		const out = await token("erin");
		const header = Buffer.from(
			(out.Token as string).split(".")[0] as string,
			"base64url",
		).toString();
		assert.match(header, /^\{"kid":"[\w-]+","typ":"JWS","alg":"RS512"\}$/);
		const jwks = (await (
			await fetch(new URL("/.well-known/jwks.json", t.url))
		).json()) as {
			keys: { kid: string }[];
		};
		assert.ok(
			jwks.keys.some(
				(k) => k.kid === decodeProtectedHeader(out.Token as string).kid,
			),
		);
	});

	test("concurrent first calls for one new user: one identity, and one signature for each answer", async () => {
		const signed = async () =>
			(await scrape(t.url)).value("idpool_tokens_issued_total", {
				alg: "RS512",
			}) ?? 0;
		const before = await signed();
		const calls = 8;
		const answers = await Promise.all(
			Array.from({ length: calls }, () => token("racing-first-login")),
		);
		const ids = new Set(answers.map((a) => a.IdentityId));
		assert.equal(ids.size, 1, "one identity for the user");
		for (const a of answers) {
			const { payload } = await verify(a.Token as string);
			assert.equal(payload.sub, [...ids][0]);
		}
		// A call that lost the race used to sign a token for an identity of its own, drop it
		// and sign again for the winner's.
		assert.equal((await signed()) - before, calls);
	});

	test("IdentityId links a second developer user to an identity with developer logins only", async () => {
		const first = await token("frank");
		const linked = await token("frank-alt", { IdentityId: first.IdentityId });
		assert.equal(linked.IdentityId, first.IdentityId);
		const again = await token("frank-alt");
		assert.equal(again.IdentityId, first.IdentityId);
		const { payload } = await verify(linked.Token as string);
		assert.deepEqual(payload.amr, [
			"authenticated",
			DEV,
			`${DEV}:${poolId}:frank-alt`,
		]);
	});

	test("IdentityId naming the user's own identity answers it", async () => {
		const first = await token("gina");
		const same = await token("gina", { IdentityId: first.IdentityId });
		assert.equal(same.IdentityId, first.IdentityId);
	});

	test("a user linked to another identity is DeveloperUserAlreadyRegisteredException", async () => {
		const a = await token("hank");
		await token("ivy");
		await rejectsWith(
			token("ivy", { IdentityId: a.IdentityId }),
			"DeveloperUserAlreadyRegisteredException",
			"The provided developer user identifier is already registered with Cognito under a different identity ID.",
		);
	});

	test("an unknown IdentityId, or one of another account or region, is ResourceNotFoundException", async () => {
		const unknown = "us-east-1:00000000-0000-4000-8000-000000000000";
		await rejectsWith(
			token("jack", { IdentityId: unknown }),
			"ResourceNotFoundException",
			`Identity '${unknown}' not found.`,
		);
		const otherPool = await newPool({ DeveloperProviderName: DEV });
		const elsewhere = await token("kim", {}, otherPool);
		await rejectsWith(
			token("kim2", { IdentityId: elsewhere.IdentityId }),
			"ResourceNotFoundException",
			`Identity '${elsewhere.IdentityId}' not found.`,
		);
	});

	test("an unknown pool, or one of another account or region, is ResourceNotFoundException", async () => {
		const other = t.sdk({
			accessKeyId: "other",
			secretAccessKey: "other-secret",
		});
		await rejectsWith(
			other.send(
				new GetOpenIdTokenForDeveloperIdentityCommand({
					IdentityPoolId: poolId,
					Logins: { [DEV]: "x" },
				}),
			),
			"ResourceNotFoundException",
			`IdentityPool '${poolId}' not found.`,
		);
		const eu = t.sdk({ region: "eu-west-1" });
		await rejectsWith(
			eu.send(
				new GetOpenIdTokenForDeveloperIdentityCommand({
					IdentityPoolId: poolId,
					Logins: { [DEV]: "x" },
				}),
			),
			"ResourceNotFoundException",
		);
	});

	test("the developer login key must be the pool's developer provider name", async () => {
		await rejectsWith(
			t.client.send(
				new GetOpenIdTokenForDeveloperIdentityCommand({
					IdentityPoolId: poolId,
					Logins: { "other.example.app": "u" },
				}),
			),
			"NotAuthorizedException",
			"This identity pool does not support the specified developer provider",
		);
		const noDev = await newPool();
		await rejectsWith(
			token("u", {}, noDev),
			"NotAuthorizedException",
			"This identity pool does not support the specified developer provider",
		);
		await rejectsWith(
			t.client.send(
				new GetOpenIdTokenForDeveloperIdentityCommand({
					IdentityPoolId: poolId,
					Logins: {},
				}),
			),
			"NotAuthorizedException",
			/must include the developer provider/,
		);
		await rejectsWith(
			t.client.send(
				new GetOpenIdTokenForDeveloperIdentityCommand({
					IdentityPoolId: poolId,
					Logins: { [DEV]: "u", "unknown.example": "t" },
				}),
			),
			"NotAuthorizedException",
			"Token is not from a supported provider of this identity pool.",
		);
	});

	test("an external login of a configured provider is verified: a bad token refuses the call", async () => {
		await rejectsWith(
			t.client.send(
				new GetOpenIdTokenForDeveloperIdentityCommand({
					IdentityPoolId: poolId,
					Logins: { [DEV]: "u", "accounts.google.com": "not-a-token" },
				}),
			),
			"NotAuthorizedException",
			/Invalid login token/,
		);
	});

	test("a developer user identifier over 1,024 characters is InvalidParameterException", async () => {
		await rejectsWith(
			token("x".repeat(1025)),
			"InvalidParameterException",
			/1024/,
		);
		const ok = await token("y".repeat(1024));
		assert.match(ok.IdentityId ?? "", ID);
	});

	test("Logins is required and the call must be signed", async () => {
		await rejectsWith(
			t.client.send(
				// @ts-expect-error Logins is required
				new GetOpenIdTokenForDeveloperIdentityCommand({
					IdentityPoolId: poolId,
				}),
			),
			"ValidationException",
			/Value null at 'logins' failed to satisfy constraint: Member must not be null/,
		);
	});
});

describe("GetOpenIdTokenForDeveloperIdentity with an external login (JS v3 SDK)", () => {
	test("a valid login of a configured provider is linked to the developer user's identity", async () => {
		const { startFakeOidc } = await import("../support/fake-idp.ts");
		const oidc = await startFakeOidc();
		try {
			await withServer(
				{
					config: {
						providers: {
							"oidc.example.com": { jwksUri: oidc.jwksUri, clientIds: ["app"] },
						},
					},
				},
				async (t) => {
					const arn =
						"arn:aws:iam::000000000000:oidc-provider/oidc.example.com";
					const pool = await t.client.send(
						new CreateIdentityPoolCommand({
							IdentityPoolName: "dev-and-oidc",
							AllowUnauthenticatedIdentities: false,
							DeveloperProviderName: DEV,
							OpenIdConnectProviderARNs: [arn],
						}),
					);
					const poolId = pool.IdentityPoolId as string;
					const idToken = await oidc.mint({
						iss: "https://oidc.example.com",
						aud: "app",
						sub: "oidc-user",
					});
					const out = await t.client.send(
						new GetOpenIdTokenForDeveloperIdentityCommand({
							IdentityPoolId: poolId,
							Logins: { [DEV]: "dev-user", "oidc.example.com": idToken },
						}),
					);
					const described = await t.client.send(
						new DescribeIdentityCommand({ IdentityId: out.IdentityId }),
					);
					assert.deepEqual(
						described.Logins?.sort(),
						[DEV, "oidc.example.com"].sort(),
					);
					const payload = JSON.parse(
						Buffer.from(
							(out.Token as string).split(".")[1] as string,
							"base64url",
						).toString(),
					);
					assert.deepEqual(payload.amr, [
						"authenticated",
						DEV,
						`${DEV}:${poolId}:dev-user`,
						"oidc.example.com",
						`${arn}:OIDC:oidc-user`,
					]);
					// Linking a second developer user to that identity now needs the external login.
					await rejectsWith(
						t.client.send(
							new GetOpenIdTokenForDeveloperIdentityCommand({
								IdentityPoolId: poolId,
								IdentityId: out.IdentityId,
								Logins: { [DEV]: "dev-user-2" },
							}),
						),
						"NotAuthorizedException",
						"Logins don't match. Please include at least one valid login for this identity or identity pool.",
					);
					const linked = await t.client.send(
						new GetOpenIdTokenForDeveloperIdentityCommand({
							IdentityPoolId: poolId,
							IdentityId: out.IdentityId,
							Logins: { [DEV]: "dev-user-2", "oidc.example.com": idToken },
						}),
					);
					assert.equal(linked.IdentityId, out.IdentityId);
				},
			);
		} finally {
			await oidc.close();
		}
	});
});
