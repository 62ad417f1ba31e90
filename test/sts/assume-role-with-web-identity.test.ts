import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import {
	AssumeRoleWithWebIdentityCommand,
	type STSClient,
} from "@aws-sdk/client-sts";
import { SignJWT } from "jose";
import { sessionNameOf } from "../../src/credentials/session-token.ts";
import { generateSigningKey } from "../../src/tokens/keys.ts";
import {
	ACCOUNT,
	AUTH_ROLE,
	postForm,
	rejectsWithSts,
	type StsEnv,
	startStsEnv,
	UNAUTH_ROLE,
} from "./helpers.ts";

describe("STS AssumeRoleWithWebIdentity (@aws-sdk/client-sts)", () => {
	let env: StsEnv;
	let sts: STSClient;
	before(async () => {
		env = await startStsEnv();
		// No credentials: the call is unsigned, as an application makes it.
		sts = env.client();
	});
	after(async () => {
		await env.stop();
	});

	const assume = (
		token: string,
		extra: Partial<{
			RoleArn: string;
			RoleSessionName: string;
			DurationSeconds: number;
		}> = {},
	) =>
		sts.send(
			new AssumeRoleWithWebIdentityCommand({
				RoleArn: AUTH_ROLE,
				RoleSessionName: "my-app@example.com",
				WebIdentityToken: token,
				...extra,
			}),
		);

	test("a token of this server becomes credentials of the role, answered in STS's shape", async () => {
		const identityId = `us-east-1:${randomUUID()}`;
		const token = await env.mint({ identityId });
		const out = await assume(token);
		const c = out.Credentials;
		assert.match(c?.AccessKeyId ?? "", /^ASIA[A-Z2-7]{16}$/);
		assert.equal(c?.SecretAccessKey?.length, 40);
		assert.ok((c?.SessionToken?.length ?? 0) > 100);
		const expires = c?.Expiration?.getTime() ?? 0;
		assert.ok(Math.abs(expires - (env.clock.now() + 3600_000)) < 2000);
		assert.equal(out.SubjectFromWebIdentityToken, identityId);
		assert.equal(out.Audience, env.pool.poolId);
		assert.equal(out.Provider, env.issuer.replace(/^http:\/\//, ""));
		assert.equal(
			out.AssumedRoleUser?.Arn,
			`arn:aws:sts::${ACCOUNT}:assumed-role/Cognito_Auth/my-app@example.com`,
		);
		assert.match(
			out.AssumedRoleUser?.AssumedRoleId ?? "",
			/^AROA[A-Z2-7]{17}:my-app@example\.com$/,
		);

		const stored = await env.store.credentials.get(c?.AccessKeyId as string);
		assert.ok(stored);
		assert.equal(stored.identityId, identityId);
		assert.equal(stored.poolId, env.pool.poolId);
		assert.equal(stored.accountId, ACCOUNT);
		assert.equal(stored.region, "us-east-1");
		assert.equal(stored.roleArn, AUTH_ROLE);
		assert.equal(stored.secretAccessKey, c?.SecretAccessKey);
		assert.equal(stored.sessionToken, c?.SessionToken);
		assert.deepEqual(stored.principalTags, {});
		assert.equal(sessionNameOf(stored.sessionToken), "my-app@example.com");
	});

	test("the token's tags claim becomes the session tags", async () => {
		const token = await env.mint({
			principalTags: { username: "alice", client: "abc123" },
		});
		const out = await assume(token);
		const stored = await env.store.credentials.get(
			out.Credentials?.AccessKeyId as string,
		);
		assert.deepEqual(stored?.principalTags, {
			username: "alice",
			client: "abc123",
		});
	});

	test("DurationSeconds sets the lifetime (900..43200)", async () => {
		const out = await assume(await env.mint(), { DurationSeconds: 900 });
		const expires = out.Credentials?.Expiration?.getTime() ?? 0;
		assert.ok(Math.abs(expires - (env.clock.now() + 900_000)) < 2000);
		const long = await assume(await env.mint(), { DurationSeconds: 43200 });
		assert.ok(
			Math.abs(
				(long.Credentials?.Expiration?.getTime() ?? 0) -
					(env.clock.now() + 43_200_000),
			) < 2000,
		);
	});

	test("a guest's token may assume the unauthenticated role only", async () => {
		const guest = await env.mint({ amr: ["unauthenticated"] });
		const out = await assume(guest, { RoleArn: UNAUTH_ROLE });
		assert.equal(
			out.AssumedRoleUser?.Arn,
			`arn:aws:sts::${ACCOUNT}:assumed-role/Cognito_Unauth/my-app@example.com`,
		);
		await rejectsWithSts(
			assume(guest),
			"AccessDenied",
			403,
			"Not authorized to perform sts:AssumeRoleWithWebIdentity",
		);
	});

	test("a role the pool does not grant is refused with AccessDenied", async () => {
		await rejectsWithSts(
			assume(await env.mint(), {
				RoleArn: `arn:aws:iam::${ACCOUNT}:role/Admin`,
			}),
			"AccessDenied",
			403,
		);
		await rejectsWithSts(
			assume(await env.mint(), { RoleArn: UNAUTH_ROLE }),
			"AccessDenied",
			403,
		);
	});

	test("a token that is not a JWT is InvalidIdentityToken", async () => {
		await rejectsWithSts(
			assume("not-a-token"),
			"InvalidIdentityTokenException",
			400,
			"The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)",
		);
	});

	test("a token of another issuer is InvalidIdentityToken", async () => {
		await rejectsWithSts(
			assume(await env.mint({ iss: "https://cognito-identity.amazonaws.com" })),
			"InvalidIdentityTokenException",
			400,
			"No OpenIDConnect provider found in your account for https://cognito-identity.amazonaws.com",
		);
	});

	test("a token signed by a key this server does not publish is InvalidIdentityToken", async () => {
		const foreign = await generateSigningKey(env.clock.now(), env.clock.now());
		const { createPrivateKey } = await import("node:crypto");
		const key = createPrivateKey(foreign.privateKeyPem);
		const now = Math.floor(env.clock.now() / 1000);
		const claims = {
			sub: `us-east-1:${randomUUID()}`,
			aud: env.pool.poolId,
			amr: ["authenticated"],
			iss: env.issuer,
			exp: now + 600,
			iat: now,
		};
		// Unknown kid.
		const unknownKid = await new SignJWT(claims)
			.setProtectedHeader({ alg: "RS512", kid: foreign.kid, typ: "JWS" })
			.sign(key);
		await rejectsWithSts(
			assume(unknownKid),
			"InvalidIdentityTokenException",
			400,
			/Couldn't retrieve verification key/,
		);
		// This server's kid, another key's signature.
		const [published] = (await env.keys.jwks()).keys;
		const forged = await new SignJWT(claims)
			.setProtectedHeader({ alg: "RS512", kid: published?.kid, typ: "JWS" })
			.sign(key);
		await rejectsWithSts(
			assume(forged),
			"InvalidIdentityTokenException",
			400,
			/could not be validated/,
		);
		// Another algorithm than RS512 is refused too.
		const rs256 = await new SignJWT(claims)
			.setProtectedHeader({ alg: "RS256", kid: published?.kid, typ: "JWS" })
			.sign(key);
		await rejectsWithSts(assume(rs256), "InvalidIdentityTokenException", 400);
	});

	test("a token whose audience is not a pool of this server is InvalidIdentityToken", async () => {
		await rejectsWithSts(
			assume(await env.mint({ aud: `us-east-1:${randomUUID()}` })),
			"InvalidIdentityTokenException",
			400,
			"Incorrect token audience",
		);
		await rejectsWithSts(
			assume(await env.mint({ aud: "some-client-id" })),
			"InvalidIdentityTokenException",
			400,
			"Incorrect token audience",
		);
	});

	test("a token is accepted up to the grace period (300 s by default) past its exp, then ExpiredTokenException", async () => {
		const token = await env.mint({ lifetimeSeconds: 600 });
		const exp = Math.floor(env.clock.now() / 1000) + 600;
		env.clock.advanceBy((600 + 299) * 1000);
		try {
			const out = await assume(token);
			assert.match(out.Credentials?.AccessKeyId ?? "", /^ASIA/);
			env.clock.advanceBy(2000);
			await rejectsWithSts(
				assume(token),
				"ExpiredTokenException",
				400,
				new RegExp(
					`^Token expired: current date/time \\d+ must be before the expiration date/time ${exp}$`,
				),
			);
		} finally {
			env.clock.advanceBy(-(600 + 301) * 1000);
		}
	});

	test("parameters out of the model's constraints are ValidationError", async () => {
		const token = await env.mint();
		await rejectsWithSts(
			assume(token, { RoleSessionName: "bad name!" }),
			"ValidationError",
			400,
			"1 validation error detected: Value 'bad name!' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*",
		);
		await rejectsWithSts(
			assume(token, { RoleSessionName: "x" }),
			"ValidationError",
			400,
			"1 validation error detected: Value 'x' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2",
		);
		await rejectsWithSts(
			assume(token, { RoleSessionName: "a".repeat(65) }),
			"ValidationError",
			400,
			/Member must have length less than or equal to 64$/,
		);
		await rejectsWithSts(
			assume(token, { DurationSeconds: 899 }),
			"ValidationError",
			400,
			"1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
		);
		await rejectsWithSts(
			assume(token, { DurationSeconds: 43201 }),
			"ValidationError",
			400,
			/Member must have value less than or equal to 43200$/,
		);
		await rejectsWithSts(
			assume(token, { RoleArn: "arn:aws:iam::1:role" }),
			"ValidationError",
			400,
			/^1 validation error detected: Value 'arn:aws:iam::1:role' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20$/,
		);
		await rejectsWithSts(
			assume(token, { RoleArn: "arn:aws:s3:::some-bucket-name" }),
			"ValidationError",
			400,
			"Request ARN is invalid",
		);
		// Several problems are reported together; the token's value never is.
		await rejectsWithSts(
			assume("abc", { RoleSessionName: "x" }),
			"ValidationError",
			400,
			"2 validation errors detected: Value 'x' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2; Value '*** Sensitive Data Redacted ***' at 'webIdentityToken' failed to satisfy constraint: Member must have length greater than or equal to 4",
		);
	});

	test("the raw answer is STS's XML", async () => {
		const token = await env.mint();
		const ok = await postForm(env.url, {
			Action: "AssumeRoleWithWebIdentity",
			Version: "2011-06-15",
			RoleArn: AUTH_ROLE,
			RoleSessionName: "raw",
			WebIdentityToken: token,
		});
		assert.equal(ok.status, 200);
		assert.equal(ok.headers.get("content-type"), "text/xml");
		const requestId = ok.headers.get("x-amzn-requestid") ?? "";
		assert.match(requestId, /^[0-9a-f-]{36}$/);
		assert.match(
			ok.text,
			/^<AssumeRoleWithWebIdentityResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/"><AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>ASIA[A-Z2-7]{16}<\/AccessKeyId><SecretAccessKey>[^<]{40}<\/SecretAccessKey><SessionToken>[^<]+<\/SessionToken><Expiration>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ<\/Expiration><\/Credentials><SubjectFromWebIdentityToken>us-east-1:[0-9a-f-]{36}<\/SubjectFromWebIdentityToken><AssumedRoleUser><AssumedRoleId>AROA[A-Z2-7]{17}:raw<\/AssumedRoleId><Arn>arn:aws:sts::000000000000:assumed-role\/Cognito_Auth\/raw<\/Arn><\/AssumedRoleUser><Provider>127\.0\.0\.1:\d+<\/Provider><Audience>us-east-1:[0-9a-f-]{36}<\/Audience><\/AssumeRoleWithWebIdentityResult><ResponseMetadata><RequestId>[0-9a-f-]{36}<\/RequestId><\/ResponseMetadata><\/AssumeRoleWithWebIdentityResponse>$/,
		);
		assert.ok(ok.text.includes(`<RequestId>${requestId}</RequestId>`));

		const bad = await postForm(env.url, {
			Action: "AssumeRoleWithWebIdentity",
			Version: "2011-06-15",
			RoleArn: AUTH_ROLE,
			RoleSessionName: "raw",
			WebIdentityToken: "a.b.c",
		});
		assert.equal(bad.status, 400);
		assert.match(
			bad.text,
			/^<ErrorResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/"><Error><Type>Sender<\/Type><Code>InvalidIdentityToken<\/Code><Message>The ID Token provided is not a valid JWT\. \(You may see this error if you sent an Access Token\)<\/Message><\/Error><RequestId>[0-9a-f-]{36}<\/RequestId><\/ErrorResponse>$/,
		);
	});

	test("missing parameters, actions and versions are answered as STS answers them", async () => {
		const missing = await postForm(env.url, {
			Action: "AssumeRoleWithWebIdentity",
			Version: "2011-06-15",
		});
		assert.equal(missing.status, 400);
		assert.match(missing.text, /<Code>ValidationError<\/Code>/);
		assert.ok(
			missing.text.includes(
				"3 validation errors detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null; Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null; Value null at 'webIdentityToken' failed to satisfy constraint: Member must not be null",
			),
		);

		const noAction = await postForm(env.url, { Version: "2011-06-15" });
		assert.equal(noAction.status, 400);
		assert.match(noAction.text, /<Code>MissingAction<\/Code>/);

		const unknown = await postForm(env.url, {
			Action: "Frobnicate",
			Version: "2011-06-15",
		});
		assert.equal(unknown.status, 400);
		assert.match(
			unknown.text,
			/<Code>InvalidAction<\/Code><Message>Could not find operation Frobnicate for version 2011-06-15<\/Message>/,
		);

		const other = await postForm(env.url, {
			Action: "AssumeRole",
			Version: "2011-06-15",
		});
		assert.equal(other.status, 400);
		assert.match(other.text, /<Code>InvalidAction<\/Code>.*AssumeRole/);

		const oldVersion = await postForm(env.url, {
			Action: "GetCallerIdentity",
			Version: "2010-01-01",
		});
		assert.equal(oldVersion.status, 400);
		assert.match(
			oldVersion.text,
			/Could not find operation GetCallerIdentity for version 2010-01-01/,
		);
	});

	test("no internal failure happened", () => {
		assert.deepEqual(env.internalErrors, []);
	});
});

describe("STS AssumeRoleWithWebIdentity: roles of other accounts", () => {
	const OTHER = "arn:aws:iam::222222222222:role/Elsewhere";
	const SHARED = "arn:aws:iam::333333333333:role/Shared";
	let env: StsEnv;
	before(async () => {
		env = await startStsEnv({
			crossAccountRoles: [
				{ poolAccountId: ACCOUNT, roleAccountId: "333333333333" },
			],
		});
	});
	after(() => env.stop());

	const assumeAs = async (roleArn: string) =>
		env.client().send(
			new AssumeRoleWithWebIdentityCommand({
				RoleArn: roleArn,
				RoleSessionName: "app",
				WebIdentityToken: await env.mint(),
			}),
		);

	test("the pool's authenticated role of another account is refused with AccessDenied; one of a trusted account is served", async () => {
		const key = {
			accountId: env.pool.accountId,
			region: env.pool.region,
			poolId: env.pool.poolId,
		};
		await env.store.pools.setRoles(
			key,
			{ authenticated: OTHER },
			undefined,
			env.clock.now(),
		);
		await rejectsWithSts(
			assumeAs(OTHER),
			"AccessDenied",
			403,
			"Not authorized to perform sts:AssumeRoleWithWebIdentity",
		);
		await env.store.pools.setRoles(
			key,
			{ authenticated: SHARED },
			undefined,
			env.clock.now(),
		);
		const out = await assumeAs(SHARED);
		assert.equal(
			out.AssumedRoleUser?.Arn,
			"arn:aws:sts::333333333333:assumed-role/Shared/app",
		);
	});
});
