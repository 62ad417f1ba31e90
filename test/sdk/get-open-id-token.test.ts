import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
	CreateIdentityPoolCommand,
	GetIdCommand,
	GetOpenIdTokenCommand,
	GetOpenIdTokenForDeveloperIdentityCommand,
	SetIdentityPoolRolesCommand,
} from "@aws-sdk/client-cognito-identity";
import { createRemoteJWKSet, jwtVerify } from "jose";
import { rejectsWith, useServer } from "../support/server.ts";

const DEV = "login.example.app";

describe("GetOpenIdToken (JS v3 SDK, unsigned)", () => {
	const t = useServer();

	async function pool(extra: Record<string, unknown> = {}) {
		const out = await t.client.send(
			new CreateIdentityPoolCommand({
				IdentityPoolName: "classic",
				AllowUnauthenticatedIdentities: true,
				DeveloperProviderName: DEV,
				SupportedLoginProviders: {
					"accounts.google.com": "client.apps.googleusercontent.com",
				},
				...extra,
			}),
		);
		return out.IdentityPoolId as string;
	}

	test("a guest gets a 10-minute unauthenticated token that verifies through the JWKS", async () => {
		const poolId = await pool();
		const { IdentityId } = await t.app.send(
			new GetIdCommand({ IdentityPoolId: poolId }),
		);
		const out = await t.app.send(new GetOpenIdTokenCommand({ IdentityId }));
		assert.equal(out.IdentityId, IdentityId);
		const { payload } = await jwtVerify(
			out.Token as string,
			createRemoteJWKSet(new URL("/.well-known/jwks_uri", t.url)),
			{ issuer: t.url, audience: poolId, algorithms: ["RS512"] },
		);
		assert.equal(payload.sub, IdentityId);
		assert.deepEqual(payload.amr, ["unauthenticated"]);
		assert.equal((payload.exp as number) - (payload.iat as number), 600);
	});

	test("AllowClassicFlow unset allows the classic flow; false refuses it", async () => {
		const off = await pool({ AllowClassicFlow: false });
		const { IdentityId } = await t.app.send(
			new GetIdCommand({ IdentityPoolId: off }),
		);
		await rejectsWith(
			t.app.send(new GetOpenIdTokenCommand({ IdentityId })),
			"InvalidParameterException",
			"Basic (classic) flow is not enabled, please use enhanced flow.",
		);
	});

	test("a pool with role mappings refuses the classic flow", async () => {
		const poolId = await pool();
		await t.client.send(
			new SetIdentityPoolRolesCommand({
				IdentityPoolId: poolId,
				Roles: { authenticated: "arn:aws:iam::000000000000:role/Auth" },
				RoleMappings: {
					"accounts.google.com": {
						Type: "Token",
						AmbiguousRoleResolution: "AuthenticatedRole",
					},
				},
			}),
		);
		const { IdentityId } = await t.app.send(
			new GetIdCommand({ IdentityPoolId: poolId }),
		);
		await rejectsWith(
			t.app.send(new GetOpenIdTokenCommand({ IdentityId })),
			"InvalidParameterException",
			"Basic (classic) flow is not supported with RoleMappings, please use enhanced flow.",
		);
	});

	test("no unauthenticated token for an identity that has logins", async () => {
		const poolId = await pool();
		const { IdentityId } = await t.client.send(
			new GetOpenIdTokenForDeveloperIdentityCommand({
				IdentityPoolId: poolId,
				Logins: { [DEV]: "u" },
			}),
		);
		await rejectsWith(
			t.app.send(new GetOpenIdTokenCommand({ IdentityId })),
			"NotAuthorizedException",
			`Access to Identity '${IdentityId}' is forbidden.`,
		);
	});

	test("this server's own token is refused in GetOpenIdToken", async () => {
		const poolId = await pool();
		const { IdentityId, Token } = await t.client.send(
			new GetOpenIdTokenForDeveloperIdentityCommand({
				IdentityPoolId: poolId,
				Logins: { [DEV]: "v" },
			}),
		);
		await rejectsWith(
			t.app.send(
				new GetOpenIdTokenCommand({
					IdentityId,
					Logins: { "cognito-identity.amazonaws.com": Token as string },
				}),
			),
			"NotAuthorizedException",
			"Invalid login token. Can't pass in a Cognito token.",
		);
	});

	test("an unknown identity is ResourceNotFoundException", async () => {
		const id = "us-east-1:00000000-0000-4000-8000-000000000000";
		await rejectsWith(
			t.app.send(new GetOpenIdTokenCommand({ IdentityId: id })),
			"ResourceNotFoundException",
			`Identity '${id}' not found.`,
		);
	});
});
