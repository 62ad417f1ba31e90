/**
 * The log never holds a secret, at any level: a server logging at `trace` is driven through a
 * representative run (developer tokens, logins of an OpenID Connect provider and of Facebook,
 * credentials, the STS endpoint with a session token, query strings carrying tokens, a header
 * overflow, a client that leaves mid-request), then its whole log is searched for every
 * secret, token, signature, `Authorization` value and `Logins` value used, as text and as the
 * byte array a logged Buffer becomes (docs/operating.md#logs).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
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
} from "@aws-sdk/client-sts";
import { startFakeFacebook, startFakeOidc } from "../support/fake-idp.ts";
import { raw } from "../support/raw.ts";
import { Secrets } from "../support/secrets.ts";
import { stsClient, TEST_ACCOUNT, withServer } from "../support/server.ts";
import { connect, delay, exchange } from "../support/sockets.ts";

const ACCESS_KEY = "AKIDLOGSECRETS01";
const SECRET_KEY = "SeCrEt/LogTest+0123456789abcdefghijKLMN";
const DEV = "login.example.app";
const OIDC = "oidc.example.com";
const OIDC_CLIENT = "log-test-app";
const FB_APP = "1234567890123";
const ROLE = `arn:aws:iam::${TEST_ACCOUNT}:role/Cognito_Auth`;

describe("logs", () => {
	test("a trace-level log of a full run holds no secret, token, signature or Logins value, and no error", async () => {
		const oidc = await startFakeOidc({ issuerPath: "oidc" });
		const facebook = await startFakeFacebook({ appId: FB_APP });
		const lines: string[] = [];
		const secrets = new Secrets();
		secrets.add(SECRET_KEY);
		try {
			await withServer(
				{
					config: {
						logLevel: "trace",
						providers: {
							[OIDC]: { jwksUri: oidc.jwksUri, clientIds: [OIDC_CLIENT] },
							"graph.facebook.com": { verifyUrl: facebook.url },
						},
					},
					credentials: [
						{
							accessKeyId: ACCESS_KEY,
							secretAccessKey: SECRET_KEY,
							accountId: TEST_ACCOUNT,
						},
					],
					logStream: { write: (line) => lines.push(line) },
				},
				async (t) => {
					const admin = t.sdk({
						accessKeyId: ACCESS_KEY,
						secretAccessKey: SECRET_KEY,
					});
					secrets.watch(admin);
					const app = t.sdk({ unsigned: true });

					const { IdentityPoolId: poolId } = await admin.send(
						new CreateIdentityPoolCommand({
							IdentityPoolName: "logs",
							AllowUnauthenticatedIdentities: true,
							DeveloperProviderName: DEV,
							OpenIdConnectProviderARNs: [
								`arn:aws:iam::${TEST_ACCOUNT}:oidc-provider/${OIDC}`,
							],
							SupportedLoginProviders: { "graph.facebook.com": FB_APP },
						}),
					);
					await admin.send(
						new SetIdentityPoolRolesCommand({
							IdentityPoolId: poolId,
							Roles: { authenticated: ROLE, unauthenticated: ROLE },
						}),
					);

					// The developer flow: the developer user id is a Logins value; the token a secret.
					const devUser = "dev-user-LoginsValue-5f2c";
					const dev = await admin.send(
						new GetOpenIdTokenForDeveloperIdentityCommand({
							IdentityPoolId: poolId,
							Logins: { [DEV]: devUser },
						}),
					);
					secrets.add(devUser, dev.Token);
					const devCredentials = await app.send(
						new GetCredentialsForIdentityCommand({
							IdentityId: dev.IdentityId,
							Logins: { "cognito-identity.amazonaws.com": dev.Token as string },
						}),
					);
					secrets.add(
						devCredentials.Credentials?.SecretKey,
						devCredentials.Credentials?.SessionToken,
					);

					// The public flow with an OpenID Connect login.
					const idToken = await oidc.mint({
						sub: "oidc-user",
						aud: OIDC_CLIENT,
						iss: `https://${OIDC}`,
					});
					secrets.add(idToken);
					const { IdentityId } = await app.send(
						new GetIdCommand({
							IdentityPoolId: poolId,
							Logins: { [OIDC]: idToken },
						}),
					);
					const credentials = await app.send(
						new GetCredentialsForIdentityCommand({
							IdentityId,
							Logins: { [OIDC]: idToken },
						}),
					);
					secrets.add(
						credentials.Credentials?.SecretKey,
						credentials.Credentials?.SessionToken,
					);
					const openId = await app.send(
						new GetOpenIdTokenCommand({
							IdentityId,
							Logins: { [OIDC]: idToken },
						}),
					);
					secrets.add(openId.Token);

					// Logins that fail: not a JWT; an unknown Facebook token; Facebook down.
					const badJwt = "not-a-jwt-LoginsValue-91ab";
					secrets.add(badJwt);
					await assert.rejects(
						app.send(
							new GetIdCommand({
								IdentityPoolId: poolId,
								Logins: { [OIDC]: badJwt },
							}),
						),
						{ name: "NotAuthorizedException" },
					);
					/** GetId with a Facebook token: answers the error's name, or "ok". */
					const facebookGetId = (token: string) => {
						secrets.add(token);
						return app
							.send(
								new GetIdCommand({
									IdentityPoolId: poolId,
									Logins: { "graph.facebook.com": token },
								}),
							)
							.then(
								() => "ok",
								(err: Error) => err.name,
							);
					};
					assert.equal(
						await facebookGetId(facebook.issueToken("fb-user")),
						"ok",
					);
					assert.equal(
						await facebookGetId("EAAunknownTokenLoginsValue7d1e"),
						"NotAuthorizedException",
					);
					facebook.setMode("down");
					assert.equal(
						await facebookGetId(facebook.issueToken("fb-down")),
						"ExternalServiceException",
					);

					// The STS endpoint: a call signed with a session token, and a web identity token.
					const sts = stsClient(t.url, {
						region: "us-east-1",
						issued: credentials.Credentials,
					});
					secrets.watch(sts);
					try {
						await sts.send(new GetCallerIdentityCommand({}));
						const assumed = await sts.send(
							new AssumeRoleWithWebIdentityCommand({
								RoleArn: ROLE,
								RoleSessionName: "logs",
								WebIdentityToken: openId.Token as string,
							}),
						);
						secrets.add(
							assumed.Credentials?.SecretAccessKey,
							assumed.Credentials?.SessionToken,
						);
					} finally {
						sts.destroy();
					}

					// Query strings carrying tokens, on every kind of route.
					const queryTokens = [
						"QueryToken-jwks-3c1d",
						"QuerySignature-404-77aa",
						"QuerySessionToken-post-9e0f",
					];
					secrets.add(...queryTokens);
					await (
						await fetch(
							`${t.url}/.well-known/jwks.json?access_token=${queryTokens[0]}`,
						)
					).text();
					await (
						await fetch(`${t.url}/nowhere?X-Amz-Signature=${queryTokens[1]}`)
					).text();
					const signed = await raw(t.url, {
						path: `/?X-Amz-Security-Token=${queryTokens[2]}`,
						accessKeyId: ACCESS_KEY,
						secretAccessKey: SECRET_KEY,
						afterSign: (headers) =>
							secrets.addAuthorization(headers.authorization),
					});
					// The query string is not signed: the answer is InvalidSignatureException.
					assert.equal(signed.json?.__type, "InvalidSignatureException");

					// A header overflow on a request with an Authorization header.
					const overflowAuth = `AWS4-HMAC-SHA256 Credential=${ACCESS_KEY}/20260101/us-east-1/cognito-identity/aws4_request, SignedHeaders=host, Signature=0ddba11overflow0123456789abcdef`;
					const overflowToken = "OverflowSessionToken-44b2";
					secrets.add(overflowAuth, overflowToken);
					const overflow = await exchange(
						t.url,
						`POST / HTTP/1.1\r\nHost: x\r\nAuthorization: ${overflowAuth}\r\nX-Amz-Security-Token: ${overflowToken}\r\nX-Big: ${"b".repeat(20_000)}\r\n\r\n`,
					);
					assert.equal(overflow.answer?.status, 431);

					// A client that leaves in the middle of its request.
					const leavingAuth = `AWS4-HMAC-SHA256 Credential=${ACCESS_KEY}/20260101/us-east-1/cognito-identity/aws4_request, SignedHeaders=host, Signature=feedface1eaving0123456789abcdef`;
					const leavingLogin = "LeavingLoginsValue-0c3b";
					secrets.add(leavingAuth, leavingLogin);
					const leaving = await connect(t.url);
					leaving.write(
						`POST / HTTP/1.1\r\nHost: x\r\nAuthorization: ${leavingAuth}\r\nX-Amz-Target: AWSCognitoIdentityService.GetId\r\nContent-Length: 500\r\n\r\n{"Logins": {"${OIDC}": "${leavingLogin}`,
					);
					await delay(100);
					leaving.destroy();
					await delay(300);
				},
			);
		} finally {
			await oidc.close();
			await facebook.close();
		}

		const log = lines.join("");
		// The run was logged at trace level (requests included), so the search means something.
		assert.match(log, /"msg":"incoming request"/);
		assert.match(log, /\/\.well-known\/jwks\.json/);
		assert.deepEqual(secrets.foundIn(log), [], "secrets in the log");
		const errors = lines
			.map((line) => JSON.parse(line) as { level: number; msg?: string })
			.filter((entry) => entry.level >= 50);
		assert.deepEqual(errors, [], "nothing in the run is a fault of the server");
	});
});
