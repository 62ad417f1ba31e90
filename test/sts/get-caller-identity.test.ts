import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { Sha256 } from "@aws-crypto/sha256-js";
import {
	AssumeRoleWithWebIdentityCommand,
	GetCallerIdentityCommand,
} from "@aws-sdk/client-sts";
import { SignatureV4 } from "@smithy/signature-v4";
import {
	ACCOUNT,
	AUTH_ROLE,
	postForm,
	rejectsWithSts,
	type StsEnv,
	startStsEnv,
	UNAUTH_ROLE,
} from "./helpers.ts";

describe("STS GetCallerIdentity (@aws-sdk/client-sts)", () => {
	let env: StsEnv;
	before(async () => {
		env = await startStsEnv();
	});
	after(async () => {
		await env.stop();
	});

	/** Credentials from AssumeRoleWithWebIdentity, as the SDK's credential shape. */
	async function assumed(sessionName = "checker") {
		const out = await env.client().send(
			new AssumeRoleWithWebIdentityCommand({
				RoleArn: AUTH_ROLE,
				RoleSessionName: sessionName,
				WebIdentityToken: await env.mint(),
			}),
		);
		const c = out.Credentials;
		return {
			accessKeyId: c?.AccessKeyId as string,
			secretAccessKey: c?.SecretAccessKey as string,
			sessionToken: c?.SessionToken as string,
		};
	}

	/** Credentials as GetCredentialsForIdentity issues them (the local provider). */
	async function cognitoCredentials(roleArn = AUTH_ROLE) {
		const issued = await env.local.issue({
			identityId: `us-east-1:${randomUUID()}`,
			poolId: env.pool.poolId,
			accountId: ACCOUNT,
			region: "us-east-1",
			roleArn,
			principalTags: {},
		});
		return {
			accessKeyId: issued.AccessKeyId,
			secretAccessKey: issued.SecretKey,
			sessionToken: issued.SessionToken,
		};
	}

	test("credentials from AssumeRoleWithWebIdentity answer their assumed role and session", async () => {
		const credentials = await assumed("checker");
		const out = await env
			.client(credentials)
			.send(new GetCallerIdentityCommand({}));
		assert.equal(
			out.Arn,
			`arn:aws:sts::${ACCOUNT}:assumed-role/Cognito_Auth/checker`,
		);
		assert.match(out.UserId ?? "", /^AROA[A-Z2-7]{17}:checker$/);
		assert.equal(out.Account, ACCOUNT);
	});

	test("credentials from GetCredentialsForIdentity answer the CognitoIdentityCredentials session", async () => {
		const out = await env
			.client(await cognitoCredentials())
			.send(new GetCallerIdentityCommand({}));
		assert.equal(
			out.Arn,
			`arn:aws:sts::${ACCOUNT}:assumed-role/Cognito_Auth/CognitoIdentityCredentials`,
		);
		assert.match(
			out.UserId ?? "",
			/^AROA[A-Z2-7]{17}:CognitoIdentityCredentials$/,
		);
		assert.equal(out.Account, ACCOUNT);
		// A role with a path: the ARN names the role without it; the role id is the role's.
		const guest = await env
			.client(await cognitoCredentials(UNAUTH_ROLE))
			.send(new GetCallerIdentityCommand({}));
		assert.equal(
			guest.Arn,
			`arn:aws:sts::${ACCOUNT}:assumed-role/Cognito_Unauth/CognitoIdentityCredentials`,
		);
		assert.notEqual(guest.UserId, out.UserId);
	});

	test("the same role has the same role id in every session", async () => {
		const a = await env
			.client(await assumed("one"))
			.send(new GetCallerIdentityCommand({}));
		const b = await env
			.client(await cognitoCredentials())
			.send(new GetCallerIdentityCommand({}));
		assert.equal(a.UserId?.split(":")[0], b.UserId?.split(":")[0]);
	});

	test("the server's own access keys answer the account's root", async () => {
		const out = await env.client().send(new GetCallerIdentityCommand({}));
		assert.equal(out.Arn, `arn:aws:iam::${ACCOUNT}:root`);
		assert.equal(out.UserId, ACCOUNT);
		assert.equal(out.Account, ACCOUNT);
	});

	test("a wrong secret is SignatureDoesNotMatch", async () => {
		const credentials = await assumed();
		await rejectsWithSts(
			env
				.client({ ...credentials, secretAccessKey: "x".repeat(40) })
				.send(new GetCallerIdentityCommand({})),
			"SignatureDoesNotMatch",
			403,
			/^The request signature we calculated does not match the signature you provided/,
		);
	});

	test("an unknown access key is InvalidClientTokenId", async () => {
		await rejectsWithSts(
			env
				.client({
					accessKeyId: "ASIAUNKNOWNUNKNOWN00",
					secretAccessKey: "x".repeat(40),
					sessionToken: "token",
				})
				.send(new GetCallerIdentityCommand({})),
			"InvalidClientTokenId",
			403,
			"The security token included in the request is invalid.",
		);
	});

	test("issued credentials without their session token, or with another, are InvalidClientTokenId", async () => {
		const credentials = await assumed();
		await rejectsWithSts(
			env
				.client({
					accessKeyId: credentials.accessKeyId,
					secretAccessKey: credentials.secretAccessKey,
				})
				.send(new GetCallerIdentityCommand({})),
			"InvalidClientTokenId",
			403,
		);
		const other = await assumed();
		await rejectsWithSts(
			env
				.client({ ...credentials, sessionToken: other.sessionToken })
				.send(new GetCallerIdentityCommand({})),
			"InvalidClientTokenId",
			403,
		);
		// The server's own keys have no session token.
		await rejectsWithSts(
			env
				.client({
					accessKeyId: "test",
					secretAccessKey: "test",
					sessionToken: credentials.sessionToken,
				})
				.send(new GetCallerIdentityCommand({})),
			"InvalidClientTokenId",
			403,
		);
	});

	test("expired credentials are ExpiredToken", async () => {
		// Issued two hours ago (valid one hour), checked now.
		const realNow = env.clock.now();
		env.clock.set(realNow - 2 * 3600_000);
		let credentials: Awaited<ReturnType<typeof assumed>>;
		let cognito: Awaited<ReturnType<typeof cognitoCredentials>>;
		try {
			credentials = await assumed();
			cognito = await cognitoCredentials();
		} finally {
			env.clock.set(realNow);
		}
		for (const c of [credentials, cognito]) {
			await rejectsWithSts(
				env.client(c).send(new GetCallerIdentityCommand({})),
				"ExpiredToken",
				403,
				"The security token included in the request is expired",
			);
		}
		// Credentials for longer than an hour are still good after one.
		env.clock.set(realNow - 2 * 3600_000);
		let long: Awaited<ReturnType<typeof assumed>>;
		try {
			const out = await env.client().send(
				new AssumeRoleWithWebIdentityCommand({
					RoleArn: AUTH_ROLE,
					RoleSessionName: "long",
					WebIdentityToken: await env.mint(),
					DurationSeconds: 3 * 3600,
				}),
			);
			long = {
				accessKeyId: out.Credentials?.AccessKeyId as string,
				secretAccessKey: out.Credentials?.SecretAccessKey as string,
				sessionToken: out.Credentials?.SessionToken as string,
			};
		} finally {
			env.clock.set(realNow);
		}
		const out = await env.client(long).send(new GetCallerIdentityCommand({}));
		assert.match(out.Arn ?? "", /\/long$/);
	});

	test("an unsigned call is MissingAuthenticationToken; a malformed signature IncompleteSignature", async () => {
		const unsigned = await postForm(env.url, {
			Action: "GetCallerIdentity",
			Version: "2011-06-15",
		});
		assert.equal(unsigned.status, 403);
		assert.match(
			unsigned.text,
			/<Error><Type>Sender<\/Type><Code>MissingAuthenticationToken<\/Code><Message>Request is missing Authentication Token<\/Message><\/Error>/,
		);
		const malformed = await postForm(
			env.url,
			{ Action: "GetCallerIdentity", Version: "2011-06-15" },
			{ authorization: "AWS4-HMAC-SHA256 Credential" },
		);
		assert.equal(malformed.status, 400);
		assert.match(malformed.text, /<Code>IncompleteSignature<\/Code>/);
	});

	test("a signature for another service is SignatureDoesNotMatch", async () => {
		const credentials = await assumed();
		const body = "Action=GetCallerIdentity&Version=2011-06-15";
		const host = new URL(env.url).host;
		const signer = new SignatureV4({
			service: "cognito-identity",
			region: "us-east-1",
			credentials,
			sha256: Sha256,
		});
		const signed = await signer.sign({
			method: "POST",
			protocol: "http:",
			hostname: "127.0.0.1",
			port: Number(new URL(env.url).port),
			path: "/",
			headers: {
				host,
				"content-type": "application/x-www-form-urlencoded; charset=utf-8",
			},
			body,
		});
		const answer = await postForm(
			env.url,
			body,
			signed.headers as Record<string, string>,
		);
		assert.equal(answer.status, 403);
		assert.match(
			answer.text,
			/<Code>SignatureDoesNotMatch<\/Code><Message>Credential should be scoped to correct service: 'sts'\. <\/Message>/,
		);
	});

	test("no internal failure happened", () => {
		assert.deepEqual(env.internalErrors, []);
	});
});
