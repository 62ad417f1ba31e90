import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import {
	CreateIdentityPoolCommand,
	GetCredentialsForIdentityCommand,
	GetIdCommand,
	GetOpenIdTokenCommand,
	GetOpenIdTokenForDeveloperIdentityCommand,
	SetIdentityPoolRolesCommand,
} from "@aws-sdk/client-cognito-identity";
import {
	AssumeRoleWithWebIdentityCommand,
	GetCallerIdentityCommand,
	STSClient,
} from "@aws-sdk/client-sts";
import { rejectsWith, useServer } from "../support/server.ts";

const DEV = "login.example.app";
const AUTH = "arn:aws:iam::000000000000:role/Cognito_Auth";
const UNAUTH = "arn:aws:iam::000000000000:role/Cognito_Unauth";

describe("the STS endpoint beside Cognito Identity (official STS client)", () => {
	let poolId: string;
	const t = useServer();
	before(async () => {
		const pool = await t.client.send(
			new CreateIdentityPoolCommand({
				IdentityPoolName: "sts",
				AllowUnauthenticatedIdentities: true,
				DeveloperProviderName: DEV,
			}),
		);
		poolId = pool.IdentityPoolId as string;
		await t.client.send(
			new SetIdentityPoolRolesCommand({
				IdentityPoolId: poolId,
				Roles: { authenticated: AUTH, unauthenticated: UNAUTH },
			}),
		);
	});

	function sts(credentials?: {
		accessKeyId: string;
		secretAccessKey: string;
		sessionToken?: string;
	}) {
		return new STSClient({
			endpoint: t.url,
			region: "us-east-1",
			maxAttempts: 1,
			...(credentials ? { credentials } : {}),
		});
	}

	test("enhanced flow: credentials from GetCredentialsForIdentity say who they are through GetCallerIdentity", async () => {
		const { IdentityId, Token } = await t.client.send(
			new GetOpenIdTokenForDeveloperIdentityCommand({
				IdentityPoolId: poolId,
				Logins: { [DEV]: "u1" },
			}),
		);
		const { Credentials } = await t.app.send(
			new GetCredentialsForIdentityCommand({
				IdentityId,
				Logins: { "cognito-identity.amazonaws.com": Token as string },
			}),
		);
		const client = sts({
			accessKeyId: Credentials?.AccessKeyId as string,
			secretAccessKey: Credentials?.SecretKey as string,
			sessionToken: Credentials?.SessionToken as string,
		});
		const me = await client.send(new GetCallerIdentityCommand({}));
		assert.equal(me.Account, "000000000000");
		assert.equal(
			me.Arn,
			"arn:aws:sts::000000000000:assumed-role/Cognito_Auth/CognitoIdentityCredentials",
		);
		client.destroy();
	});

	test("classic flow: a GetOpenIdToken token is exchanged with AssumeRoleWithWebIdentity", async () => {
		const { IdentityId } = await t.app.send(
			new GetIdCommand({ IdentityPoolId: poolId }),
		);
		const { Token } = await t.app.send(
			new GetOpenIdTokenCommand({ IdentityId }),
		);
		const anonymous = sts({ accessKeyId: "unused", secretAccessKey: "unused" });
		const out = await anonymous.send(
			new AssumeRoleWithWebIdentityCommand({
				RoleArn: UNAUTH,
				RoleSessionName: "guest-session",
				WebIdentityToken: Token as string,
			}),
		);
		assert.match(out.Credentials?.AccessKeyId ?? "", /^ASIA/);
		assert.equal(out.SubjectFromWebIdentityToken, IdentityId);
		assert.equal(
			out.AssumedRoleUser?.Arn,
			"arn:aws:sts::000000000000:assumed-role/Cognito_Unauth/guest-session",
		);
		const client = sts({
			accessKeyId: out.Credentials?.AccessKeyId as string,
			secretAccessKey: out.Credentials?.SecretAccessKey as string,
			sessionToken: out.Credentials?.SessionToken as string,
		});
		const me = await client.send(new GetCallerIdentityCommand({}));
		assert.equal(
			me.Arn,
			"arn:aws:sts::000000000000:assumed-role/Cognito_Unauth/guest-session",
		);
		client.destroy();
		anonymous.destroy();
	});

	test("a token that is not this server's is refused", async () => {
		const anonymous = sts({ accessKeyId: "unused", secretAccessKey: "unused" });
		await rejectsWith(
			anonymous.send(
				new AssumeRoleWithWebIdentityCommand({
					RoleArn: UNAUTH,
					RoleSessionName: "x1",
					WebIdentityToken: "eyJhbGciOiJSUzUxMiJ9.eyJzdWIiOiJ4In0.c2ln",
				}),
			),
			"InvalidIdentityTokenException",
		);
		anonymous.destroy();
	});

	test("Cognito Identity calls still work beside STS on the same endpoint", async () => {
		const { IdentityId } = await t.app.send(
			new GetIdCommand({ IdentityPoolId: poolId }),
		);
		assert.match(IdentityId ?? "", /^us-east-1:/);
	});
});
