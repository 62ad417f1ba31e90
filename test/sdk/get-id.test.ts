import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
	CreateIdentityPoolCommand,
	DescribeIdentityCommand,
	GetIdCommand,
} from "@aws-sdk/client-cognito-identity";
import { rejectsWith, useServer } from "../support/server.ts";

const DEV = "login.example.app";

describe("GetId (JS v3 SDK, unsigned)", () => {
	const t = useServer();

	async function pool(guests: boolean) {
		const out = await t.client.send(
			new CreateIdentityPoolCommand({
				IdentityPoolName: "getid",
				AllowUnauthenticatedIdentities: guests,
				DeveloperProviderName: DEV,
				SupportedLoginProviders: {
					"accounts.google.com": "client.apps.googleusercontent.com",
				},
			}),
		);
		return out.IdentityPoolId as string;
	}

	test("a guest gets a new identity on every call, in the pool's region", async () => {
		const poolId = await pool(true);
		const a = await t.app.send(new GetIdCommand({ IdentityPoolId: poolId }));
		const b = await t.app.send(
			new GetIdCommand({ IdentityPoolId: poolId, Logins: {} }),
		);
		assert.match(a.IdentityId ?? "", /^us-east-1:[0-9a-f-]{36}$/);
		assert.notEqual(a.IdentityId, b.IdentityId);
		const described = await t.client.send(
			new DescribeIdentityCommand({ IdentityId: a.IdentityId }),
		);
		assert.equal(described.Logins, undefined);
	});

	test("a pool that does not allow guests refuses them", async () => {
		const poolId = await pool(false);
		await rejectsWith(
			t.app.send(new GetIdCommand({ IdentityPoolId: poolId })),
			"NotAuthorizedException",
			"Unauthenticated access is not supported for this identity pool.",
		);
	});

	test("an unknown pool is ResourceNotFoundException", async () => {
		const id = "us-east-1:00000000-0000-4000-8000-000000000000";
		await rejectsWith(
			t.app.send(new GetIdCommand({ IdentityPoolId: id })),
			"ResourceNotFoundException",
			`IdentityPool '${id}' not found.`,
		);
	});

	test("the developer provider and this server's own tokens are refused in Logins", async () => {
		const poolId = await pool(true);
		await rejectsWith(
			t.app.send(
				new GetIdCommand({ IdentityPoolId: poolId, Logins: { [DEV]: "user" } }),
			),
			"NotAuthorizedException",
		);
		await rejectsWith(
			t.app.send(
				new GetIdCommand({
					IdentityPoolId: poolId,
					Logins: {
						"cognito-identity.amazonaws.com": "eyJhbGciOiJSUzUxMiJ9.e30.c2ln",
					},
				}),
			),
			"NotAuthorizedException",
			/Invalid login token/,
		);
	});

	test("a provider that is not configured on the pool is refused", async () => {
		const poolId = await pool(true);
		await rejectsWith(
			t.app.send(
				new GetIdCommand({
					IdentityPoolId: poolId,
					Logins: { "graph.facebook.com": "t" },
				}),
			),
			"NotAuthorizedException",
			"Token is not from a supported provider of this identity pool.",
		);
	});
});
