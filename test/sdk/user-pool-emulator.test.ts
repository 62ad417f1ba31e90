/**
 * A local user-pool emulator as an identity pool's provider (docs/federation.md#a-local-user-pool-emulator),
 * with the official JS v3 clients: a user signs in to cognito-local (the npm package, run
 * here on a free port), and its ID token, under the name Amplify gives it (the issuer without
 * its scheme), gets an identity and credentials from idpool, configured with the documented
 * snippet. Without that configuration the same login is refused, and nothing is fetched.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
	CreateIdentityPoolCommand,
	DescribeIdentityCommand,
	GetCredentialsForIdentityCommand,
	GetIdCommand,
	SetIdentityPoolRolesCommand,
} from "@aws-sdk/client-cognito-identity";
import { InitiateAuthCommand } from "@aws-sdk/client-cognito-identity-provider";
import {
	type CognitoLocal,
	documentedEmulatorProviders,
	documentedEmulatorSnippet,
	exampleConfigFile,
	type LocalUserPool,
	startCognitoLocal,
} from "../support/cognito-local.ts";
import {
	rejectsWith,
	type ServerFixture,
	useServer,
} from "../support/server.ts";

const AUTH = "arn:aws:iam::000000000000:role/Cognito_Auth";

describe("cognito-local's user pools as providers (JS v3 SDK)", () => {
	let local: CognitoLocal;
	let userPool: LocalUserPool;
	let sub: string;
	before(async () => {
		local = await startCognitoLocal();
		userPool = await local.createPool("sdk");
		sub = await userPool.createUser("carol@example.com", "Carol-Passw0rd!");
	});
	after(() => local?.stop());
	const t = useServer(() => ({
		config: { providers: documentedEmulatorProviders(local.port) },
	}));
	/** The same, without the emulator's entry in the configuration. */
	const unconfigured = useServer();

	async function poolOf(server: ServerFixture): Promise<string> {
		const pool = await server.client.send(
			new CreateIdentityPoolCommand({
				IdentityPoolName: "emulated",
				AllowUnauthenticatedIdentities: false,
				CognitoIdentityProviders: [
					{ ProviderName: userPool.providerName, ClientId: userPool.clientId },
				],
			}),
		);
		await server.client.send(
			new SetIdentityPoolRolesCommand({
				IdentityPoolId: pool.IdentityPoolId,
				Roles: { authenticated: AUTH },
			}),
		);
		return pool.IdentityPoolId as string;
	}

	async function idToken(): Promise<string> {
		const auth = await local.client.send(
			new InitiateAuthCommand({
				AuthFlow: "USER_PASSWORD_AUTH",
				ClientId: userPool.clientId,
				AuthParameters: {
					USERNAME: "carol@example.com",
					PASSWORD: "Carol-Passw0rd!",
				},
			}),
		);
		return auth.AuthenticationResult?.IdToken as string;
	}

	test("the example's idpool.json is the snippet of docs/federation.md", () => {
		assert.deepEqual(
			JSON.parse(exampleConfigFile()),
			JSON.parse(documentedEmulatorSnippet()),
		);
	});

	test("its tokens' issuer is its address and pool: the ProviderName Amplify uses", async () => {
		const token = await idToken();
		const claims = JSON.parse(
			Buffer.from(token.split(".")[1] ?? "", "base64url").toString(),
		) as Record<string, unknown>;
		assert.equal(claims.iss, `http://${userPool.providerName}`);
		assert.equal(claims.aud, userPool.clientId);
		assert.equal(claims.token_use, "id");
		assert.equal(claims.sub, sub);
	});

	test("GetId and GetCredentialsForIdentity with its ID token: one identity per user", async () => {
		const poolId = await poolOf(t);
		const logins = { [userPool.providerName]: await idToken() };
		const { IdentityId } = await t.app.send(
			new GetIdCommand({ IdentityPoolId: poolId, Logins: logins }),
		);
		const again = await t.app.send(
			new GetIdCommand({
				IdentityPoolId: poolId,
				Logins: { [userPool.providerName]: await idToken() },
			}),
		);
		assert.equal(again.IdentityId, IdentityId);
		const { Credentials } = await t.app.send(
			new GetCredentialsForIdentityCommand({ IdentityId, Logins: logins }),
		);
		assert.match(Credentials?.AccessKeyId ?? "", /^ASIA/);
		const identity = await t.client.send(
			new DescribeIdentityCommand({ IdentityId }),
		);
		assert.deepEqual(identity.Logins, [userPool.providerName]);
	});

	test("a server configured with no entry for the emulator refuses its logins", async () => {
		const poolId = await poolOf(unconfigured);
		await rejectsWith(
			unconfigured.app.send(
				new GetIdCommand({
					IdentityPoolId: poolId,
					Logins: { [userPool.providerName]: await idToken() },
				}),
			),
			"NotAuthorizedException",
			`Invalid login token. The user pool ${userPool.providerName} is not one of Amazon Cognito's, and idpool is configured with no keys for it (providers["${userPool.providerName}"] or providers["${local.address}/*"]), so it accepts no token.`,
		);
	});
});
