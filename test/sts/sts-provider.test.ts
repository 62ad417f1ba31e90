import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, beforeEach, describe, test } from "node:test";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { ownTokenMinter } from "../../src/credentials/own-token.ts";
import type { CredentialRequest } from "../../src/credentials/provider.ts";
import { stsCredentialsProvider } from "../../src/credentials/sts-provider.ts";
import type { IdentityRecord } from "../../src/domain/records.ts";
import { INVALID_POOL_CONFIGURATION } from "../../src/domain/role-resolution.ts";
import type { ServiceError } from "../../src/errors/service-errors.ts";
import { ownTokenVerifier } from "../../src/tokens/web-identity.ts";
import { type StsDouble, startStsDouble } from "../support/sts-double.ts";
import { ACCOUNT, AUTH_ROLE, type StsEnv, startStsEnv } from "./helpers.ts";

/** Asserts that `promise` rejects with the Cognito Identity error `type`. */
async function rejectsWithType(
	promise: Promise<unknown>,
	type: string,
	message?: string | RegExp,
): Promise<ServiceError> {
	try {
		await promise;
	} catch (err) {
		const e = err as ServiceError;
		assert.equal(e.type, type, `${e.name}: ${e.message}`);
		if (typeof message === "string") assert.equal(e.message, message);
		if (message instanceof RegExp) assert.match(e.message, message);
		return e;
	}
	throw new Error(`expected ${type}, but the call succeeded`);
}

describe("the sts credentials provider", () => {
	let env: StsEnv;
	let double: StsDouble;
	before(async () => {
		env = await startStsEnv();
		double = await startStsDouble();
	});
	after(async () => {
		await double.close();
		await env.stop();
	});
	beforeEach(() => {
		double.setMode({ kind: "ok" });
		double.requests.length = 0;
	});

	const minter = () =>
		ownTokenMinter({
			tokens: env.tokens,
			issuer: () => env.issuer,
			clock: env.clock,
			identities: env.store.identities,
		});

	const request = (
		extra: Partial<CredentialRequest> = {},
	): CredentialRequest => ({
		identityId: `us-east-1:${randomUUID()}`,
		poolId: env.pool.poolId,
		accountId: ACCOUNT,
		region: "us-east-1",
		roleArn: AUTH_ROLE,
		principalTags: {},
		...extra,
	});

	const provider = (timeoutMs?: number) =>
		stsCredentialsProvider({
			endpoint: double.url,
			mintToken: minter(),
			...(timeoutMs === undefined ? {} : { timeoutMs }),
		});

	test("calls AssumeRoleWithWebIdentity with the identity's own token and answers STS's credentials", async () => {
		const req = request({
			amr: ["authenticated", "login.example.app"],
			principalTags: { username: "alice", client: "web" },
		});
		const issued = await provider().issue(req);
		const given = double.lastCredentials;
		assert.ok(given);
		assert.equal(issued.AccessKeyId, given.AccessKeyId);
		assert.equal(issued.SecretKey, given.SecretAccessKey);
		// The session token holds "&" and "<", escaped in the XML: read back as sent.
		assert.equal(issued.SessionToken, given.SessionToken);
		assert.equal(issued.expiresAt, Date.parse(given.Expiration));

		assert.equal(double.requests.length, 1);
		const [call] = double.requests;
		assert.equal(call?.method, "POST");
		assert.match(
			call?.headers["content-type"] ?? "",
			/^application\/x-www-form-urlencoded/,
		);
		// Unsigned, as STS needs no credentials for this call.
		assert.equal(call?.headers.authorization, undefined);
		const params = call?.params ?? {};
		assert.equal(params.Action, "AssumeRoleWithWebIdentity");
		assert.equal(params.Version, "2011-06-15");
		assert.equal(params.RoleArn, AUTH_ROLE);
		assert.equal(params.RoleSessionName, "CognitoIdentityCredentials");
		assert.equal(params.DurationSeconds, "3600");
		// No tags parameter: tags travel only inside the token (docs/behaviour.md#credentials).
		assert.deepEqual(Object.keys(params).sort(), [
			"Action",
			"DurationSeconds",
			"RoleArn",
			"RoleSessionName",
			"Version",
			"WebIdentityToken",
		]);
		const claims = await ownTokenVerifier({
			issuer: () => env.issuer,
			jwks: () => env.keys.jwks(),
			clock: env.clock,
		})(params.WebIdentityToken ?? "");
		assert.equal(claims.sub, req.identityId);
		assert.equal(claims.aud, env.pool.poolId);
		assert.equal(claims.iss, env.issuer);
		assert.deepEqual(claims.amr, ["authenticated", "login.example.app"]);
		assert.deepEqual(claims.principalTags, {
			username: "alice",
			client: "web",
		});
		assert.ok(claims.exp * 1000 - env.clock.now() <= 600_000);
	});

	test("without an amr, the token's is derived from the stored identity", async () => {
		const identity = (over: Partial<IdentityRecord>): IdentityRecord => ({
			identityId: "us-east-1:00000000-0000-0000-0000-000000000001",
			poolId: env.pool.poolId,
			accountId: ACCOUNT,
			region: "us-east-1",
			state: "active",
			authenticated: false,
			logins: [],
			createdAt: 0,
			updatedAt: 0,
			...over,
		});
		const verify = ownTokenVerifier({
			issuer: () => env.issuer,
			jwks: () => env.keys.jwks(),
			clock: env.clock,
		});
		const amrFor = async (record: IdentityRecord | undefined) => {
			const mint = ownTokenMinter({
				tokens: env.tokens,
				issuer: () => env.issuer,
				clock: env.clock,
				identities: { get: async () => record },
			});
			return (await verify(await mint(request()))).amr;
		};
		assert.deepEqual(await amrFor(identity({})), ["unauthenticated"]);
		assert.deepEqual(
			await amrFor(
				identity({
					authenticated: true,
					logins: [
						{ provider: "accounts.google.com", subject: "1", kind: "external" },
						{ provider: "login.example.app", subject: "a", kind: "developer" },
						{ provider: "login.example.app", subject: "b", kind: "developer" },
					],
				}),
			),
			["authenticated", "accounts.google.com", "login.example.app"],
		);
		assert.deepEqual(await amrFor(undefined), ["authenticated"]);
	});

	test("STS refusing the role is InvalidIdentityPoolConfigurationException", async () => {
		for (const [status, code, message] of [
			[
				403,
				"AccessDenied",
				"Not authorized to perform sts:AssumeRoleWithWebIdentity",
			],
			[
				400,
				"InvalidIdentityToken",
				"No OpenIDConnect provider found in your account for https://idpool.example.com",
			],
			[400, "InvalidIdentityToken", "Incorrect token audience"],
			[400, "ValidationError", "Request ARN is invalid"],
			[403, "RegionDisabledException", "STS is not activated in this region"],
		] as const) {
			double.setMode({ kind: "error", status, code, message });
			const error = await rejectsWithType(
				provider().issue(request()),
				"InvalidIdentityPoolConfigurationException",
				INVALID_POOL_CONFIGURATION,
			);
			assert.match(String((error.cause as Error).message), new RegExp(code));
		}
	});

	test("STS throttling is TooManyRequestsException", async () => {
		double.setMode({
			kind: "error",
			status: 400,
			code: "Throttling",
			message: "Rate exceeded",
		});
		await rejectsWithType(
			provider().issue(request()),
			"TooManyRequestsException",
		);
	});

	test("STS failing, or answering something else, is ExternalServiceException", async () => {
		double.setMode({
			kind: "error",
			status: 500,
			code: "InternalFailure",
			message: "oops",
		});
		await rejectsWithType(
			provider().issue(request()),
			"ExternalServiceException",
			/^STS could not be reached: HTTP 500 InternalFailure\.$/,
		);
		double.setMode({
			kind: "error",
			status: 400,
			code: "IDPCommunicationError",
			message: "Couldn't connect to the identity provider",
		});
		await rejectsWithType(
			provider().issue(request()),
			"ExternalServiceException",
		);
		double.setMode({ kind: "raw", status: 200, body: "<html>hello</html>" });
		await rejectsWithType(
			provider().issue(request()),
			"ExternalServiceException",
			/not an AssumeRoleWithWebIdentity result/,
		);
		double.setMode({ kind: "raw", status: 302, body: "" });
		await rejectsWithType(
			provider().issue(request()),
			"ExternalServiceException",
			/redirect/,
		);
		double.setMode({ kind: "drop" });
		await rejectsWithType(
			provider().issue(request()),
			"ExternalServiceException",
			"STS could not be reached: connection failed.",
		);
	});

	test("STS that does not answer in time is ExternalServiceException", async () => {
		double.setMode({ kind: "hang" });
		await rejectsWithType(
			provider(300).issue(request()),
			"ExternalServiceException",
			"STS could not be reached: no answer within 300 ms.",
		);
	});

	test("STS that is down is ExternalServiceException", async () => {
		const gone = await startStsDouble();
		await gone.close();
		await rejectsWithType(
			stsCredentialsProvider({
				endpoint: gone.url,
				mintToken: minter(),
			}).issue(request()),
			"ExternalServiceException",
			"STS could not be reached: connection failed.",
		);
	});

	test("without an endpoint, the regional AWS STS endpoint is called", async () => {
		const urls: string[] = [];
		const failing = (region?: string) =>
			stsCredentialsProvider({
				...(region ? { region } : {}),
				mintToken: async () => "token",
				fetch: async (input) => {
					urls.push(input);
					throw new Error("offline");
				},
			});
		await rejectsWithType(
			failing().issue(request({ region: "eu-west-1" })),
			"ExternalServiceException",
		);
		await rejectsWithType(
			failing("us-west-2").issue(request({ region: "eu-west-1" })),
			"ExternalServiceException",
		);
		assert.deepEqual(urls, [
			"https://sts.eu-west-1.amazonaws.com",
			"https://sts.us-west-2.amazonaws.com",
		]);
	});

	test("end to end against this server's own STS endpoint: GetCallerIdentity names the CognitoIdentityCredentials session", async () => {
		const viaSts = stsCredentialsProvider({
			endpoint: env.url,
			mintToken: minter(),
		});
		const req = request({
			amr: ["authenticated", "login.example.app"],
			principalTags: { team: "blue" },
		});
		const issued = await viaSts.issue(req);
		assert.ok(Math.abs(issued.expiresAt - (env.clock.now() + 3600_000)) < 2000);
		const stored = await env.store.credentials.get(issued.AccessKeyId);
		assert.equal(stored?.identityId, req.identityId);
		assert.deepEqual(stored?.principalTags, { team: "blue" });
		const who = await env
			.client({
				accessKeyId: issued.AccessKeyId,
				secretAccessKey: issued.SecretKey,
				sessionToken: issued.SessionToken,
			})
			.send(new GetCallerIdentityCommand({}));
		assert.equal(
			who.Arn,
			`arn:aws:sts::${ACCOUNT}:assumed-role/Cognito_Auth/CognitoIdentityCredentials`,
		);
		// A role the pool does not grant: this server's STS refuses, the provider reports it.
		await rejectsWithType(
			viaSts.issue(request({ roleArn: `arn:aws:iam::${ACCOUNT}:role/Admin` })),
			"InvalidIdentityPoolConfigurationException",
		);
	});
});
