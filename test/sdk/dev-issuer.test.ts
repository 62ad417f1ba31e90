/**
 * The development issuer (docs/federation.md#a-development-issuer) against a real server:
 * its discovery document, JWKS and token endpoint over HTTP (bad input, CORS, off by
 * default), and its tokens taken by pools through the ordinary OpenID Connect path with the
 * official JS v3 clients: GetId, GetCredentialsForIdentity, GetOpenIdToken, a `Rules` role
 * mapping on a claim (the role checked through the STS endpoint's GetCallerIdentity),
 * principal tags mapped from its claims, audiences (the default one with no configuration,
 * another one configured as docs/federation.md shows), and a restart, after which tokens
 * minted before no longer verify. (The JavaScript snippet of docs/federation.md is run by
 * the docs snippets test, test/docs.)
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import {
	CreateIdentityPoolCommand,
	GetCredentialsForIdentityCommand,
	GetIdCommand,
	GetOpenIdTokenCommand,
	type RoleMapping,
	SetIdentityPoolRolesCommand,
	SetPrincipalTagAttributeMapCommand,
} from "@aws-sdk/client-cognito-identity";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import {
	createRemoteJWKSet,
	decodeJwt,
	decodeProtectedHeader,
	jwtVerify,
} from "jose";
import { loadConfig } from "../../src/config/load.ts";
import { codeBlocks, onPort } from "../support/docs.ts";
import {
	rejectsWith,
	type ServerFixture,
	stsClient,
	TEST_ACCOUNT,
	useServer,
	withServer,
} from "../support/server.ts";
import { freePort } from "../support/sockets.ts";

const AUTH_ROLE = `arn:aws:iam::${TEST_ACCOUNT}:role/DevUser`;
const ADMIN_ROLE = `arn:aws:iam::${TEST_ACCOUNT}:role/DevAdmin`;
const TAGS_CLAIM = "https://aws.amazon.com/tags";
const MESSAGES = {
	audience: "Invalid login token. Incorrect token audience.",
	couldNotVerify: "Invalid login token. Couldn't verify signed token.",
};

/** What `POST /dev-issuer/token` answered: status, headers and JSON body. */
async function post(
	url: string,
	body: unknown,
	headers: Record<string, string> = { "content-type": "application/json" },
) {
	const res = await fetch(`${url}/dev-issuer/token`, {
		method: "POST",
		headers,
		body: typeof body === "string" ? body : JSON.stringify(body),
	});
	return {
		status: res.status,
		headers: res.headers,
		body: (await res.json()) as Record<string, unknown>,
	};
}

/** A token of the development issuer of the server at `url`. */
async function mint(url: string, request: object): Promise<string> {
	const answer = await post(url, request);
	assert.equal(answer.status, 200, JSON.stringify(answer.body));
	return answer.body.id_token as string;
}

/** GetId (unsigned) in `poolId` with `token` as the development issuer's login. */
function getId(t: ServerFixture, poolId: string, token: string) {
	return t.app.send(
		new GetIdCommand({
			IdentityPoolId: poolId,
			Logins: { [providerOf(t.url).name]: token },
		}),
	);
}

/** The development issuer's provider name and ARN on the server at `url`. */
function providerOf(url: string) {
	const name = `${new URL(url).host}/dev-issuer`;
	return {
		name,
		arn: `arn:aws:iam::${TEST_ACCOUNT}:oidc-provider/${name}`,
	};
}

/** A pool listing the development issuer, with the authenticated role (and role mappings). */
async function devPool(
	t: ServerFixture,
	roleMappings?: Record<string, RoleMapping>,
) {
	const { arn } = providerOf(t.url);
	const { IdentityPoolId } = await t.client.send(
		new CreateIdentityPoolCommand({
			IdentityPoolName: "dev",
			AllowUnauthenticatedIdentities: false,
			OpenIdConnectProviderARNs: [arn],
		}),
	);
	await t.client.send(
		new SetIdentityPoolRolesCommand({
			IdentityPoolId,
			Roles: { authenticated: AUTH_ROLE },
			...(roleMappings ? { RoleMappings: roleMappings } : {}),
		}),
	);
	return IdentityPoolId as string;
}

/**
 * GetId and GetCredentialsForIdentity in `poolId` with a new token of `request`: the login,
 * the identity and the record of the credentials issued (their role and session tags).
 */
async function issued(t: ServerFixture, poolId: string, request: object) {
	const Logins = { [providerOf(t.url).name]: await mint(t.url, request) };
	const { IdentityId } = await t.app.send(
		new GetIdCommand({ IdentityPoolId: poolId, Logins }),
	);
	const out = await t.app.send(
		new GetCredentialsForIdentityCommand({ IdentityId, Logins }),
	);
	assert.equal(out.IdentityId, IdentityId);
	const stored = await t.server.store.credentials.get(
		out.Credentials?.AccessKeyId as string,
	);
	assert.ok(stored, "no record of the credentials issued");
	return { Logins, IdentityId, stored };
}

describe("the development issuer's endpoints", () => {
	const t = useServer({ config: { devIssuer: true } });

	test("discovery and JWKS: its issuer, one RS256 public key, not to be cached", async () => {
		const issuer = `${t.url}/dev-issuer`;
		const res = await fetch(`${issuer}/.well-known/openid-configuration`);
		assert.equal(res.status, 200);
		assert.equal(res.headers.get("cache-control"), "no-store");
		const discovery = (await res.json()) as Record<string, unknown>;
		assert.equal(discovery.issuer, issuer);
		assert.equal(discovery.jwks_uri, `${issuer}/.well-known/jwks.json`);
		assert.deepEqual(discovery.id_token_signing_alg_values_supported, [
			"RS256",
		]);
		const jwksRes = await fetch(discovery.jwks_uri as string);
		assert.equal(jwksRes.status, 200);
		assert.equal(jwksRes.headers.get("cache-control"), "no-store");
		const jwks = (await jwksRes.json()) as { keys: Record<string, unknown>[] };
		assert.equal(jwks.keys.length, 1);
		const [key] = jwks.keys;
		assert.equal(key?.kty, "RSA");
		assert.equal(key?.alg, "RS256");
		assert.equal(key?.use, "sig");
		for (const secret of ["d", "p", "q", "dp", "dq", "qi"]) {
			assert.equal(secret in (key ?? {}), false, `the JWKS holds ${secret}`);
		}
		// Its key is not one of the server's token keys.
		const own = (await (
			await fetch(`${t.url}/.well-known/jwks.json`)
		).json()) as { keys: { kid: string }[] };
		assert.equal(
			own.keys.some((k) => k.kid === key?.kid),
			false,
		);
		assert.deepEqual(t.server.devIssuer, {
			url: issuer,
			providerName: providerOf(t.url).name,
			audience: "idpool-dev",
			verifiable: true,
		});
	});

	test("a token for sub alone: audience idpool-dev, one hour, verified with jose through the live JWKS", async () => {
		const answer = await post(t.url, { sub: "alice" });
		assert.equal(answer.status, 200);
		assert.equal(answer.headers.get("cache-control"), "no-store");
		assert.deepEqual(Object.keys(answer.body).sort(), [
			"expires_in",
			"id_token",
			"token_type",
		]);
		assert.equal(answer.body.token_type, "Bearer");
		assert.equal(answer.body.expires_in, 3600);
		const issuer = `${t.url}/dev-issuer`;
		const { payload, protectedHeader } = await jwtVerify(
			answer.body.id_token as string,
			createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks.json`)),
			{ issuer, audience: "idpool-dev", algorithms: ["RS256"] },
		);
		assert.equal(protectedHeader.typ, "JWT");
		assert.equal(payload.sub, "alice");
		assert.equal((payload.exp as number) - (payload.iat as number), 3600);
		assert.ok(
			Math.abs((payload.iat as number) - Date.now() / 1000) < 60,
			"iat is now",
		);
	});

	test("audience, claims and lifetime as asked; the content type is not checked", async () => {
		const answer = await post(
			t.url,
			{
				sub: "bob",
				aud: ["my-app", "other-app"],
				claims: { groups: ["admin", "dev"], email: "bob@example.com", n: 7 },
				expiresIn: 60,
			},
			{ "content-type": "text/plain" },
		);
		assert.equal(answer.status, 200);
		assert.equal(answer.body.expires_in, 60);
		const payload = decodeJwt(answer.body.id_token as string);
		assert.deepEqual(payload.aud, ["my-app", "other-app"]);
		assert.deepEqual(payload.groups, ["admin", "dev"]);
		assert.equal(payload.email, "bob@example.com");
		assert.equal(payload.n, 7);
		assert.equal((payload.exp as number) - (payload.iat as number), 60);
		assert.equal(
			decodeProtectedHeader(answer.body.id_token as string).alg,
			"RS256",
		);
	});

	const refusals: [string, unknown, string, RegExp][] = [
		["not JSON", "{sub: alice}", "SerializationException", /JSON object/],
		["an empty body", "", "SerializationException", /JSON object/],
		["a JSON string", '"alice"', "SerializationException", /JSON object/],
		["no sub", { aud: "x" }, "ValidationException", /^sub must be/],
		["a sub of null", { sub: null }, "ValidationException", /^sub must be/],
		["an aud of 3", { sub: "a", aud: 3 }, "ValidationException", /^aud must/],
		[
			"claims as text",
			{ sub: "a", claims: "x" },
			"ValidationException",
			/^claims must be a JSON object/,
		],
		[
			"claims that set iss, iat and exp",
			{ sub: "a", claims: { iss: "https://evil", iat: 1, exp: 2 } },
			"ValidationException",
			/^claims may not set iss, iat, exp: the issuer sets/,
		],
		[
			"claims that set aud",
			{ sub: "a", claims: { aud: "x" } },
			"ValidationException",
			/^claims may not set aud/,
		],
		[
			"claims nested 5,000 deep (the signing library's stack would overflow)",
			`{"sub":"a","claims":{"x":${"[".repeat(5000)}${"]".repeat(5000)}}}`,
			"ValidationException",
			/^claims may nest objects and lists 32 levels deep at most\.$/,
		],
		[
			"claims nested 33 deep",
			`{"sub":"a","claims":{"x":${"[".repeat(32)}${"]".repeat(32)}}}`,
			"ValidationException",
			/^claims may nest/,
		],
		[
			"expiresIn of a year",
			{ sub: "a", expiresIn: 31_536_000 },
			"ValidationException",
			/^expiresIn must be a whole number of seconds from 1 to 86400/,
		],
		[
			"an unknown member",
			{ sub: "a", subject: "b" },
			"ValidationException",
			/^Unknown member 'subject'/,
		],
	];
	test("claims nested 32 deep are minted as given", async () => {
		const lists = `${"[".repeat(31)}"deep"${"]".repeat(31)}`;
		const answer = await post(t.url, `{"sub":"a","claims":{"x":${lists}}}`);
		assert.equal(answer.status, 200);
		assert.deepEqual(
			decodeJwt(answer.body.id_token as string).x,
			JSON.parse(lists),
		);
	});

	for (const [what, body, type, message] of refusals) {
		test(`400 in the error envelope, never a 500: ${what}`, async () => {
			const answer = await post(t.url, body);
			assert.equal(answer.status, 400);
			assert.equal(answer.headers.get("x-amzn-errortype")?.split(":")[0], type);
			assert.ok(answer.headers.get("x-amzn-requestid"));
			assert.deepEqual(Object.keys(answer.body).sort(), ["__type", "message"]);
			assert.equal(answer.body.__type, type);
			assert.match(answer.body.message as string, message);
		});
	}

	test("GET on the token endpoint is an unknown path (404)", async () => {
		const res = await fetch(`${t.url}/dev-issuer/token`);
		assert.equal(res.status, 404);
		assert.equal(
			((await res.json()) as { __type: string }).__type,
			"UnknownOperationException",
		);
	});

	test("CORS: a page on another origin may POST a JSON body (preflight answered) and read the answer", async () => {
		const origin = "http://localhost:5173";
		/** Any origin is allowed by default: `*`, or the origin reflected. */
		const allowsOrigin = (headers: Headers, what = "") =>
			assert.ok(
				["*", origin].includes(
					headers.get("access-control-allow-origin") ?? "",
				),
				`access-control-allow-origin ${headers.get("access-control-allow-origin")} ${what}`,
			);
		const preflight = await fetch(`${t.url}/dev-issuer/token`, {
			method: "OPTIONS",
			headers: {
				origin,
				"access-control-request-method": "POST",
				"access-control-request-headers": "content-type",
			},
		});
		assert.equal(preflight.status, 204);
		allowsOrigin(preflight.headers);
		assert.match(
			preflight.headers.get("access-control-allow-methods") ?? "",
			/\bPOST\b/,
		);
		assert.match(
			preflight.headers.get("access-control-allow-headers") ?? "",
			/\bcontent-type\b/i,
		);
		const answer = await post(
			t.url,
			{ sub: "alice" },
			{ origin, "content-type": "application/json" },
		);
		assert.equal(answer.status, 200);
		allowsOrigin(answer.headers);
		const refused = await post(t.url, { sub: "" }, { origin });
		assert.equal(refused.status, 400);
		allowsOrigin(refused.headers);
		for (const path of [
			"/dev-issuer/.well-known/openid-configuration",
			"/dev-issuer/.well-known/jwks.json",
		]) {
			const res = await fetch(`${t.url}${path}`, { headers: { origin } });
			allowsOrigin(res.headers, path);
		}
	});
});

describe("the development issuer is off by default", () => {
	const t = useServer();

	test("its three paths answer 404 UnknownOperationException, like any unknown path", async () => {
		assert.equal(t.server.config.devIssuer, false);
		assert.equal(t.server.devIssuer, undefined);
		for (const [method, path] of [
			["GET", "/dev-issuer/.well-known/openid-configuration"],
			["GET", "/dev-issuer/.well-known/jwks.json"],
			["POST", "/dev-issuer/token"],
		] as const) {
			const res = await fetch(`${t.url}${path}`, {
				method,
				...(method === "POST" ? { body: '{"sub":"alice"}' } : {}),
			});
			assert.equal(res.status, 404, path);
			assert.equal(
				res.headers.get("x-amzn-errortype")?.split(":")[0],
				"UnknownOperationException",
			);
			const body = (await res.json()) as { __type: string; message: string };
			assert.equal(body.__type, "UnknownOperationException");
			assert.equal(body.message, `No such resource: ${method} ${path}`);
		}
	});

	test("a pool that lists its name has no client id for it: logins are refused before any fetch", async () => {
		const poolId = await devPool(t);
		const { name } = providerOf(t.url);
		await rejectsWith(
			getId(t, poolId, "x.y.z"),
			"NotAuthorizedException",
			`Invalid login token. No client ids are configured for the OpenID Connect provider ${name} in idpool (providers["${name}"].clientIds), so it accepts no token.`,
		);
	});
});

describe("its tokens through the ordinary OpenID Connect path (JS v3 SDK)", () => {
	const requests: string[] = [];
	const t = useServer({
		config: { devIssuer: true, logLevel: "debug" },
		logStream: {
			write(text: string) {
				for (const line of text.split("\n").filter(Boolean)) {
					const path = (JSON.parse(line) as { req?: { path?: string } }).req
						?.path;
					if (path) requests.push(path);
				}
			},
		},
	});

	test("GetId, GetCredentialsForIdentity and GetOpenIdToken, with no configuration; keys fetched over HTTP", async () => {
		const poolId = await devPool(t);
		const { name, arn } = providerOf(t.url);
		const alice = { [name]: await mint(t.url, { sub: "alice" }) };
		const { IdentityId } = await t.app.send(
			new GetIdCommand({ IdentityPoolId: poolId, Logins: alice }),
		);
		assert.ok(IdentityId);
		// The verifier asked the issuer over HTTP, as it asks any provider.
		assert.ok(
			requests.includes("/dev-issuer/.well-known/openid-configuration"),
			`requests: ${requests.join(", ")}`,
		);
		assert.ok(requests.includes("/dev-issuer/.well-known/jwks.json"));
		// Another token of the same subject is the same identity; another subject another one.
		const again = await getId(
			t,
			poolId,
			await mint(t.url, { sub: "alice", expiresIn: 60 }),
		);
		assert.equal(again.IdentityId, IdentityId);
		const bob = await getId(t, poolId, await mint(t.url, { sub: "bob" }));
		assert.notEqual(bob.IdentityId, IdentityId);

		const creds = await t.app.send(
			new GetCredentialsForIdentityCommand({ IdentityId, Logins: alice }),
		);
		assert.equal(creds.IdentityId, IdentityId);
		assert.match(creds.Credentials?.AccessKeyId ?? "", /^ASIA/);
		const sts = stsClient(t.url, {
			region: "us-east-1",
			issued: creds.Credentials,
		});
		try {
			const me = await sts.send(new GetCallerIdentityCommand({}));
			assert.equal(
				me.Arn,
				`arn:aws:sts::${TEST_ACCOUNT}:assumed-role/DevUser/CognitoIdentityCredentials`,
			);
		} finally {
			sts.destroy();
		}

		const { Token } = await t.app.send(
			new GetOpenIdTokenCommand({ IdentityId, Logins: alice }),
		);
		const { payload } = await jwtVerify(
			Token as string,
			createRemoteJWKSet(new URL("/.well-known/jwks.json", t.url)),
			{ issuer: t.url, audience: poolId, algorithms: ["RS512"] },
		);
		assert.equal(payload.sub, IdentityId);
		assert.deepEqual(payload.amr, ["authenticated", name, `${arn}:OIDC:alice`]);
	});

	test("a token for an audience that is not configured is refused", async () => {
		const poolId = await devPool(t);
		await rejectsWith(
			getId(t, poolId, await mint(t.url, { sub: "a", aud: "my-app" })),
			"NotAuthorizedException",
			MESSAGES.audience,
		);
	});

	test("a Rules role mapping on a claim of its tokens chooses the role", async () => {
		const { arn } = providerOf(t.url);
		const poolId = await devPool(t, {
			[arn]: {
				Type: "Rules",
				AmbiguousRoleResolution: "AuthenticatedRole",
				RulesConfiguration: {
					Rules: [
						{
							Claim: "groups",
							MatchType: "Contains",
							Value: "admin",
							RoleARN: ADMIN_ROLE,
						},
					],
				},
			},
		});
		const roleOf = async (claims: object) =>
			(await issued(t, poolId, { sub: `u-${Math.random()}`, claims })).stored
				.roleArn;
		assert.equal(await roleOf({ groups: ["dev", "admin"] }), ADMIN_ROLE);
		assert.equal(await roleOf({ groups: ["dev"] }), AUTH_ROLE);
		assert.equal(await roleOf({}), AUTH_ROLE);
	});

	test("principal tags mapped from its claims, by the provider's ARN", async () => {
		const poolId = await devPool(t);
		const { arn } = providerOf(t.url);
		await t.client.send(
			new SetPrincipalTagAttributeMapCommand({
				IdentityPoolId: poolId,
				IdentityProviderName: arn,
				UseDefaults: false,
				PrincipalTags: { team: "team", username: "sub" },
			}),
		);
		const { stored, IdentityId, Logins } = await issued(t, poolId, {
			sub: "carol",
			claims: { team: "blue" },
		});
		assert.deepEqual(stored.principalTags, {
			team: "blue",
			username: "carol",
		});
		const { Token } = await t.app.send(
			new GetOpenIdTokenCommand({ IdentityId, Logins }),
		);
		assert.deepEqual(decodeJwt(Token as string)[TAGS_CLAIM], {
			principal_tags: { team: ["blue"], username: ["carol"] },
		});
	});
});

describe("beyond 127.0.0.1", () => {
	test("a server on all interfaces keeps its issuer on loopback, where its keys can be fetched", async () => {
		await withServer(
			{ config: { host: "0.0.0.0", devIssuer: true } },
			async (t) => {
				assert.equal(
					t.server.devIssuer?.url,
					`http://127.0.0.1:${new URL(t.url).port}/dev-issuer`,
				);
				const poolId = await devPool(t);
				const { IdentityId } = await getId(
					t,
					poolId,
					await mint(t.url, { sub: "hal" }),
				);
				assert.ok(IdentityId);
			},
		);
	});

	test("a server on ::1 accepts its issuer's tokens, at [::1]:<port>/dev-issuer", async () => {
		await withServer(
			{ config: { host: "::1", devIssuer: true } },
			async (t) => {
				assert.match(t.url, /^http:\/\/\[::1\]:\d+$/);
				assert.equal(t.server.devIssuer?.verifiable, true);
				const poolId = await devPool(t);
				const token = await mint(t.url, { sub: "ivy" });
				const { IdentityId } = await getId(t, poolId, token);
				assert.ok(IdentityId);
			},
		);
	});
});

describe("another audience, configured as docs/federation.md shows", () => {
	test("the JSON snippet of the section: my-app accepted besides idpool-dev, others refused", async () => {
		const blocks = codeBlocks("docs/federation.md", "Its tokens in a pool");
		const json = blocks.find((b) => b.lang === "json");
		assert.ok(json, "the section has a JSON block");
		const port = await freePort();
		const dir = mkdtempSync(join(tmpdir(), "idpool-dev-issuer-"));
		try {
			const path = join(dir, "idpool.json");
			writeFileSync(path, onPort(json.code, port));
			const loaded = loadConfig({ config: path }, {});
			assert.equal(loaded.devIssuer, true);
			await withServer(
				{
					config: {
						port,
						devIssuer: loaded.devIssuer,
						providers: loaded.providers,
					},
				},
				async (t) => {
					const poolId = await devPool(t);
					const danaFor = async (aud?: string) =>
						getId(
							t,
							poolId,
							await mint(t.url, { sub: "dana", ...(aud ? { aud } : {}) }),
						);
					const forApp = await danaFor("my-app");
					assert.equal((await danaFor()).IdentityId, forApp.IdentityId);
					await rejectsWith(
						danaFor("another-app"),
						"NotAuthorizedException",
						MESSAGES.audience,
					);
				},
			);
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});
});

describe("a restart gives the issuer a new key", () => {
	test("tokens minted before it no longer verify; new ones do", async () => {
		const port = await freePort();
		await withServer({ config: { port, devIssuer: true } }, async (t) => {
			const poolId = await devPool(t);
			const before = await mint(t.url, { sub: "erin" });
			const first = await getId(t, poolId, before);
			await t.restart();
			assert.equal(t.url, `http://127.0.0.1:${port}`);
			await rejectsWith(
				getId(t, poolId, before),
				"NotAuthorizedException",
				MESSAGES.couldNotVerify,
			);
			const after = await getId(t, poolId, await mint(t.url, { sub: "erin" }));
			assert.equal(after.IdentityId, first.IdentityId);
		});
	});
});
