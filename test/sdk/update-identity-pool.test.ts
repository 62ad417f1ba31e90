import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
	CreateIdentityPoolCommand,
	DescribeIdentityPoolCommand,
	UpdateIdentityPoolCommand,
} from "@aws-sdk/client-cognito-identity";
import { rejectsWith, useServer } from "../support/server.ts";

describe("UpdateIdentityPool (JS v3 SDK)", () => {
	const t = useServer({ config: { maxTags: 3 } });

	async function fullPool() {
		const out = await t.client.send(
			new CreateIdentityPoolCommand({
				IdentityPoolName: "before",
				AllowUnauthenticatedIdentities: true,
				AllowClassicFlow: true,
				SupportedLoginProviders: { "graph.facebook.com": "7346241598935555" },
				DeveloperProviderName: "login.example.app",
				OpenIdConnectProviderARNs: [
					"arn:aws:iam::000000000000:oidc-provider/oidc.example.com",
				],
				CognitoIdentityProviders: [
					{
						ProviderName: "cognito-idp.us-east-1.amazonaws.com/us-east-1_Abc",
						ClientId: "c1",
					},
				],
				IdentityPoolTags: { team: "a" },
			}),
		);
		return out.IdentityPoolId as string;
	}

	test("replaces every member and clears omitted optional ones", async () => {
		const id = await fullPool();
		const out = await t.client.send(
			new UpdateIdentityPoolCommand({
				IdentityPoolId: id,
				IdentityPoolName: "after",
				AllowUnauthenticatedIdentities: false,
			}),
		);
		assert.equal(out.IdentityPoolName, "after");
		assert.equal(out.AllowUnauthenticatedIdentities, false);
		assert.equal(out.AllowClassicFlow, undefined);
		assert.equal(out.SupportedLoginProviders, undefined);
		assert.equal(out.OpenIdConnectProviderARNs, undefined);
		assert.equal(out.CognitoIdentityProviders, undefined);
		// Kept when omitted: the developer provider (immutable) and the tags.
		assert.equal(out.DeveloperProviderName, "login.example.app");
		assert.deepEqual(out.IdentityPoolTags, { team: "a" });
		const described = await t.client.send(
			new DescribeIdentityPoolCommand({ IdentityPoolId: id }),
		);
		assert.equal(described.IdentityPoolName, "after");
		assert.equal(described.SupportedLoginProviders, undefined);
		assert.deepEqual(described.IdentityPoolTags, { team: "a" });
	});

	test("tags given in the update replace the stored tags", async () => {
		const id = await fullPool();
		const out = await t.client.send(
			new UpdateIdentityPoolCommand({
				IdentityPoolId: id,
				IdentityPoolName: "before",
				AllowUnauthenticatedIdentities: true,
				IdentityPoolTags: { env: "prod" },
			}),
		);
		assert.deepEqual(out.IdentityPoolTags, { env: "prod" });
		await rejectsWith(
			t.client.send(
				new UpdateIdentityPoolCommand({
					IdentityPoolId: id,
					IdentityPoolName: "before",
					AllowUnauthenticatedIdentities: true,
					IdentityPoolTags: { a: "1", b: "2", c: "3", d: "4" },
				}),
			),
			"LimitExceededException",
		);
	});

	test("the developer provider name can be set once and never changed", async () => {
		const created = await t.client.send(
			new CreateIdentityPoolCommand({
				IdentityPoolName: "nodev",
				AllowUnauthenticatedIdentities: false,
			}),
		);
		const id = created.IdentityPoolId as string;
		const set = await t.client.send(
			new UpdateIdentityPoolCommand({
				IdentityPoolId: id,
				IdentityPoolName: "nodev",
				AllowUnauthenticatedIdentities: false,
				DeveloperProviderName: "first.example",
			}),
		);
		assert.equal(set.DeveloperProviderName, "first.example");
		const same = await t.client.send(
			new UpdateIdentityPoolCommand({
				IdentityPoolId: id,
				IdentityPoolName: "renamed",
				AllowUnauthenticatedIdentities: false,
				DeveloperProviderName: "first.example",
			}),
		);
		assert.equal(same.IdentityPoolName, "renamed");
		await rejectsWith(
			t.client.send(
				new UpdateIdentityPoolCommand({
					IdentityPoolId: id,
					IdentityPoolName: "renamed",
					AllowUnauthenticatedIdentities: false,
					DeveloperProviderName: "second.example",
				}),
			),
			"InvalidParameterException",
			/cannot be changed/,
		);
		const described = await t.client.send(
			new DescribeIdentityPoolCommand({ IdentityPoolId: id }),
		);
		assert.equal(described.DeveloperProviderName, "first.example");
		assert.equal(described.IdentityPoolName, "renamed");
	});

	test("a refused update changes nothing", async () => {
		const id = await fullPool();
		await rejectsWith(
			t.client.send(
				new UpdateIdentityPoolCommand({
					IdentityPoolId: id,
					IdentityPoolName: "changed",
					AllowUnauthenticatedIdentities: false,
					CognitoIdentityProviders: [{ ClientId: "nameless" }],
				}),
			),
			"InvalidParameterException",
			"Invalid Cognito Identity Provider",
		);
		const described = await t.client.send(
			new DescribeIdentityPoolCommand({ IdentityPoolId: id }),
		);
		assert.equal(described.IdentityPoolName, "before");
		assert.equal(described.AllowUnauthenticatedIdentities, true);
	});

	test("an unknown pool is ResourceNotFoundException", async () => {
		const id = "us-east-1:00000000-0000-4000-8000-000000000001";
		await rejectsWith(
			t.client.send(
				new UpdateIdentityPoolCommand({
					IdentityPoolId: id,
					IdentityPoolName: "x",
					AllowUnauthenticatedIdentities: false,
				}),
			),
			"ResourceNotFoundException",
			`IdentityPool '${id}' not found.`,
		);
	});

	test("required members are required", async () => {
		await rejectsWith(
			t.client.send(
				// @ts-expect-error IdentityPoolName and AllowUnauthenticatedIdentities are required
				new UpdateIdentityPoolCommand({
					IdentityPoolId: "us-east-1:00000000-0000-4000-8000-000000000001",
				}),
			),
			"ValidationException",
			/^2 validation errors detected: Value null at 'identityPoolName' failed to satisfy constraint: Member must not be null; Value null at 'allowUnauthenticatedIdentities' failed to satisfy constraint: Member must not be null$/,
		);
	});
});
