import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
	CreateIdentityPoolCommand,
	GetCredentialsForIdentityCommand,
	GetIdCommand,
	GetOpenIdTokenForDeveloperIdentityCommand,
	SetIdentityPoolRolesCommand,
} from "@aws-sdk/client-cognito-identity";
import { fromCognitoIdentity } from "@aws-sdk/credential-provider-cognito-identity";
import { FakeClock } from "../../src/lib/clock.ts";
import { rejectsWith, useServer } from "../support/server.ts";

const DEV = "login.example.app";
const AUTH_ROLE = "arn:aws:iam::000000000000:role/Cognito_Auth";
const UNAUTH_ROLE = "arn:aws:iam::000000000000:role/Cognito_Unauth";

describe("GetCredentialsForIdentity (JS v3 SDK)", () => {
	const t = useServer();

	async function pool(
		options: { guests?: boolean; roles?: Record<string, string> } = {},
	) {
		const out = await t.client.send(
			new CreateIdentityPoolCommand({
				IdentityPoolName: "creds",
				AllowUnauthenticatedIdentities: options.guests ?? true,
				DeveloperProviderName: DEV,
			}),
		);
		const poolId = out.IdentityPoolId as string;
		await t.client.send(
			new SetIdentityPoolRolesCommand({
				IdentityPoolId: poolId,
				Roles: options.roles ?? {
					authenticated: AUTH_ROLE,
					unauthenticated: UNAUTH_ROLE,
				},
			}),
		);
		return poolId;
	}

	test("a guest gets one-hour ASIA credentials for the unauthenticated role", async () => {
		const poolId = await pool();
		const { IdentityId } = await t.app.send(
			new GetIdCommand({ IdentityPoolId: poolId }),
		);
		const out = await t.app.send(
			new GetCredentialsForIdentityCommand({ IdentityId }),
		);
		assert.equal(out.IdentityId, IdentityId);
		assert.match(out.Credentials?.AccessKeyId ?? "", /^ASIA[A-Z2-7]{16}$/);
		assert.equal(out.Credentials?.SecretKey?.length, 40);
		assert.ok((out.Credentials?.SessionToken?.length ?? 0) > 100);
		const expires = out.Credentials?.Expiration?.getTime() ?? 0;
		assert.ok(Math.abs(expires - (Date.now() + 3600_000)) < 10_000);
		const stored = await t.server.store.credentials.get(
			out.Credentials?.AccessKeyId as string,
		);
		assert.equal(stored?.roleArn, UNAUTH_ROLE);
		assert.equal(stored?.identityId, IdentityId);
	});

	test("the developer flow across processes: backend token, then the client's credentials", async () => {
		const poolId = await pool({ guests: false });
		// The backend, signed with developer credentials.
		const { IdentityId, Token } = await t.client.send(
			new GetOpenIdTokenForDeveloperIdentityCommand({
				IdentityPoolId: poolId,
				Logins: { [DEV]: "user-7" },
			}),
		);
		// The client, unsigned, presents the token under cognito-identity.amazonaws.com.
		const out = await t.app.send(
			new GetCredentialsForIdentityCommand({
				IdentityId,
				Logins: { "cognito-identity.amazonaws.com": Token as string },
			}),
		);
		assert.equal(out.IdentityId, IdentityId);
		const stored = await t.server.store.credentials.get(
			out.Credentials?.AccessKeyId as string,
		);
		assert.equal(stored?.roleArn, AUTH_ROLE);
		// The issuer's host is accepted as the key too (docs/behaviour.md#issuer).
		const host = new URL(t.url).host;
		const again = await t.app.send(
			new GetCredentialsForIdentityCommand({
				IdentityId,
				Logins: { [host]: Token as string },
			}),
		);
		assert.equal(again.IdentityId, IdentityId);
	});

	test("the SDK's own fromCognitoIdentity credential provider works against the server", async () => {
		const poolId = await pool({ guests: false });
		const { IdentityId, Token } = await t.client.send(
			new GetOpenIdTokenForDeveloperIdentityCommand({
				IdentityPoolId: poolId,
				Logins: { [DEV]: "user-sdk" },
			}),
		);
		// The provider builds its own client (AWS's nested one) from this configuration.
		const provider = fromCognitoIdentity({
			clientConfig: { endpoint: t.url, region: "us-east-1" },
			identityId: IdentityId as string,
			logins: { "cognito-identity.amazonaws.com": Token as string },
		});
		const credentials = await provider();
		assert.match(credentials.accessKeyId, /^ASIA/);
		assert.ok(credentials.secretAccessKey);
		assert.ok(credentials.sessionToken);
		assert.ok(
			credentials.expiration && credentials.expiration.getTime() > Date.now(),
		);
		assert.equal(credentials.identityId, IdentityId);
	});

	test("a token for another identity does not prove this one", async () => {
		const poolId = await pool({ guests: false });
		const a = await t.client.send(
			new GetOpenIdTokenForDeveloperIdentityCommand({
				IdentityPoolId: poolId,
				Logins: { [DEV]: "a" },
			}),
		);
		const b = await t.client.send(
			new GetOpenIdTokenForDeveloperIdentityCommand({
				IdentityPoolId: poolId,
				Logins: { [DEV]: "b" },
			}),
		);
		await rejectsWith(
			t.app.send(
				new GetCredentialsForIdentityCommand({
					IdentityId: a.IdentityId,
					Logins: { "cognito-identity.amazonaws.com": b.Token as string },
				}),
			),
			"NotAuthorizedException",
			"Logins don't match. Please include at least one valid login for this identity or identity pool.",
		);
	});

	test("an identity with logins needs them: without, its access is forbidden", async () => {
		const poolId = await pool();
		const { IdentityId } = await t.client.send(
			new GetOpenIdTokenForDeveloperIdentityCommand({
				IdentityPoolId: poolId,
				Logins: { [DEV]: "c" },
			}),
		);
		await rejectsWith(
			t.app.send(new GetCredentialsForIdentityCommand({ IdentityId })),
			"NotAuthorizedException",
			`Access to Identity '${IdentityId}' is forbidden.`,
		);
	});

	test("guests of a pool that does not allow them are refused", async () => {
		const poolId = await pool();
		const { IdentityId } = await t.app.send(
			new GetIdCommand({ IdentityPoolId: poolId }),
		);
		await t.client.send(
			new (
				await import("@aws-sdk/client-cognito-identity")
			).UpdateIdentityPoolCommand({
				IdentityPoolId: poolId,
				IdentityPoolName: "creds",
				AllowUnauthenticatedIdentities: false,
			}),
		);
		await rejectsWith(
			t.app.send(new GetCredentialsForIdentityCommand({ IdentityId })),
			"NotAuthorizedException",
			"Unauthenticated access is not supported for this identity pool.",
		);
	});

	test("no role for the identity is InvalidIdentityPoolConfigurationException", async () => {
		const poolId = await pool({ roles: { authenticated: AUTH_ROLE } });
		const { IdentityId } = await t.app.send(
			new GetIdCommand({ IdentityPoolId: poolId }),
		);
		await rejectsWith(
			t.app.send(new GetCredentialsForIdentityCommand({ IdentityId })),
			"InvalidIdentityPoolConfigurationException",
			"Invalid identity pool configuration. Check assigned IAM roles for this pool.",
		);
	});

	test("an unknown identity is ResourceNotFoundException", async () => {
		const id = "us-east-1:00000000-0000-4000-8000-000000000000";
		await rejectsWith(
			t.app.send(new GetCredentialsForIdentityCommand({ IdentityId: id })),
			"ResourceNotFoundException",
			`Identity '${id}' not found.`,
		);
	});

	test("a token that was tampered with is refused", async () => {
		const poolId = await pool({ guests: false });
		const { IdentityId, Token } = await t.client.send(
			new GetOpenIdTokenForDeveloperIdentityCommand({
				IdentityPoolId: poolId,
				Logins: { [DEV]: "t" },
			}),
		);
		const [h, p, s] = (Token as string).split(".");
		const payload = JSON.parse(
			Buffer.from(p as string, "base64url").toString(),
		);
		payload.exp += 3600;
		const forged = `${h}.${Buffer.from(JSON.stringify(payload)).toString("base64url")}.${s}`;
		await rejectsWith(
			t.app.send(
				new GetCredentialsForIdentityCommand({
					IdentityId,
					Logins: { "cognito-identity.amazonaws.com": forged },
				}),
			),
			"NotAuthorizedException",
			/Invalid login token/,
		);
	});
});

describe("GetCredentialsForIdentity: roles of other accounts (JS v3 SDK)", () => {
	const OTHER = "arn:aws:iam::222222222222:role/Elsewhere";
	const SHARED = "arn:aws:iam::333333333333:role/Shared";
	const t = useServer({
		config: {
			crossAccountRoles: [{ poolAccountId: "000000000000", roleArn: SHARED }],
		},
	});

	async function guestOfPoolWithRole(role: string) {
		const { IdentityPoolId } = await t.client.send(
			new CreateIdentityPoolCommand({
				IdentityPoolName: "cross",
				AllowUnauthenticatedIdentities: true,
			}),
		);
		await t.client.send(
			new SetIdentityPoolRolesCommand({
				IdentityPoolId,
				Roles: { unauthenticated: role },
			}),
		);
		const { IdentityId } = await t.app.send(
			new GetIdCommand({ IdentityPoolId }),
		);
		return IdentityId as string;
	}

	test("a role of another account is refused as AWS refuses a role its trust policy does not allow", async () => {
		const identityId = await guestOfPoolWithRole(OTHER);
		await rejectsWith(
			t.app.send(
				new GetCredentialsForIdentityCommand({ IdentityId: identityId }),
			),
			"InvalidIdentityPoolConfigurationException",
			"Invalid identity pool configuration. Check assigned IAM roles for this pool.",
		);
	});

	test("a role the configuration trusts for the pool's account is served", async () => {
		const identityId = await guestOfPoolWithRole(SHARED);
		const out = await t.app.send(
			new GetCredentialsForIdentityCommand({ IdentityId: identityId }),
		);
		const stored = await t.server.store.credentials.get(
			out.Credentials?.AccessKeyId as string,
		);
		assert.equal(stored?.roleArn, SHARED);
	});
});

describe("GetCredentialsForIdentity: this server's tokens near their expiry", () => {
	for (const grace of [300, 0]) {
		describe(`with --token-grace-seconds ${grace}`, () => {
			const clock = new FakeClock();
			const t = useServer({ clock, config: { tokenGraceSeconds: grace } });

			test("a token is accepted until the grace period past its exp has run out", async () => {
				const { IdentityPoolId } = await t.client.send(
					new CreateIdentityPoolCommand({
						IdentityPoolName: "grace",
						AllowUnauthenticatedIdentities: false,
						DeveloperProviderName: DEV,
					}),
				);
				await t.client.send(
					new SetIdentityPoolRolesCommand({
						IdentityPoolId,
						Roles: { authenticated: AUTH_ROLE },
					}),
				);
				const { IdentityId, Token } = await t.client.send(
					new GetOpenIdTokenForDeveloperIdentityCommand({
						IdentityPoolId,
						Logins: { [DEV]: "near-expiry" },
						TokenDuration: 60,
					}),
				);
				const credentials = () =>
					t.app.send(
						new GetCredentialsForIdentityCommand({
							IdentityId,
							Logins: { "cognito-identity.amazonaws.com": Token as string },
						}),
					);
				// The last second still inside the grace period (the clock's milliseconds may
				// round the issue time down by up to one second).
				clock.advanceBy((60 + grace - 1) * 1000);
				const out = await credentials();
				assert.equal(out.IdentityId, IdentityId);
				clock.advanceBy(2000);
				await rejectsWith(
					credentials(),
					"NotAuthorizedException",
					/^Invalid login token\. Token expired: \d+ >= \d+$/,
				);
			});
		});
	}
});
