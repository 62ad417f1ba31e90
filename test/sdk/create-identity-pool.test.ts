import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
	CreateIdentityPoolCommand,
	DescribeIdentityPoolCommand,
} from "@aws-sdk/client-cognito-identity";
import { rejectsWith, useServer } from "../support/server.ts";

describe("CreateIdentityPool (JS v3 SDK)", () => {
	const t = useServer({
		config: { maxPools: 3, maxTags: 2, maxUserPoolProviders: 2 },
	});

	test("creates a pool with every member and echoes what it stored", async () => {
		const out = await t.client.send(
			new CreateIdentityPoolCommand({
				IdentityPoolName: "My Pool.v1",
				AllowUnauthenticatedIdentities: true,
				AllowClassicFlow: false,
				SupportedLoginProviders: {
					"accounts.google.com": "123.apps.googleusercontent.com",
				},
				DeveloperProviderName: "login.example.app",
				OpenIdConnectProviderARNs: [
					"arn:aws:iam::000000000000:oidc-provider/oidc.example.com",
				],
				CognitoIdentityProviders: [
					{
						ProviderName: "cognito-idp.us-east-1.amazonaws.com/us-east-1_Abc",
						ClientId: "client1",
					},
				],
				SamlProviderARNs: ["arn:aws:iam::000000000000:saml-provider/corp"],
				IdentityPoolTags: { team: "a" },
			}),
		);
		assert.match(
			out.IdentityPoolId ?? "",
			/^us-east-1:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/,
		);
		assert.equal(out.IdentityPoolName, "My Pool.v1");
		assert.equal(out.AllowUnauthenticatedIdentities, true);
		assert.equal(out.AllowClassicFlow, false);
		assert.deepEqual(out.SupportedLoginProviders, {
			"accounts.google.com": "123.apps.googleusercontent.com",
		});
		assert.equal(out.DeveloperProviderName, "login.example.app");
		assert.deepEqual(out.CognitoIdentityProviders, [
			{
				ProviderName: "cognito-idp.us-east-1.amazonaws.com/us-east-1_Abc",
				ClientId: "client1",
				ServerSideTokenCheck: false,
			},
		]);
		assert.deepEqual(out.IdentityPoolTags, { team: "a" });
		const described = await t.client.send(
			new DescribeIdentityPoolCommand({ IdentityPoolId: out.IdentityPoolId }),
		);
		const { $metadata: _a, ...createdBody } = out;
		const { $metadata: _b, ...describedBody } = described;
		assert.deepEqual(describedBody, createdBody);
	});

	test("a minimal pool omits unset members but always answers IdentityPoolTags", async () => {
		const out = await t.client.send(
			new CreateIdentityPoolCommand({
				IdentityPoolName: "minimal",
				AllowUnauthenticatedIdentities: false,
			}),
		);
		const { $metadata: _, ...body } = out;
		assert.deepEqual(Object.keys(body).sort(), [
			"AllowUnauthenticatedIdentities",
			"IdentityPoolId",
			"IdentityPoolName",
			"IdentityPoolTags",
		]);
		assert.deepEqual(out.IdentityPoolTags, {});
	});

	test("ids are created in the region of the signature", async () => {
		const eu = t.sdk({ region: "eu-west-1" });
		const out = await eu.send(
			new CreateIdentityPoolCommand({
				IdentityPoolName: "eu",
				AllowUnauthenticatedIdentities: false,
			}),
		);
		assert.match(out.IdentityPoolId ?? "", /^eu-west-1:/);
	});

	test("a user-pool provider without a name is InvalidParameterException", async () => {
		await rejectsWith(
			t.client.send(
				new CreateIdentityPoolCommand({
					IdentityPoolName: "p",
					AllowUnauthenticatedIdentities: false,
					CognitoIdentityProviders: [{ ClientId: "abc" }],
				}),
			),
			"InvalidParameterException",
			"Invalid Cognito Identity Provider",
		);
	});

	test("malformed provider ARNs are InvalidParameterException", async () => {
		await rejectsWith(
			t.client.send(
				new CreateIdentityPoolCommand({
					IdentityPoolName: "p",
					AllowUnauthenticatedIdentities: false,
					OpenIdConnectProviderARNs: [
						"arn:aws:iam::000000000000:role/not-an-oidc",
					],
				}),
			),
			"InvalidParameterException",
			/OpenIdConnectProviderARN/,
		);
		await rejectsWith(
			t.client.send(
				new CreateIdentityPoolCommand({
					IdentityPoolName: "p",
					AllowUnauthenticatedIdentities: false,
					SamlProviderARNs: [
						"arn:aws:iam::000000000000:oidc-provider/x.example",
					],
				}),
			),
			"InvalidParameterException",
			/SamlProviderARN/,
		);
	});

	test("too many user-pool providers is LimitExceededException", async () => {
		await rejectsWith(
			t.client.send(
				new CreateIdentityPoolCommand({
					IdentityPoolName: "p",
					AllowUnauthenticatedIdentities: false,
					CognitoIdentityProviders: ["a", "b", "c"].map((c) => ({
						ProviderName: "cognito-idp.us-east-1.amazonaws.com/us-east-1_Abc",
						ClientId: c,
					})),
				}),
			),
			"LimitExceededException",
		);
	});

	test("reserved and too many tags are refused", async () => {
		await rejectsWith(
			t.client.send(
				new CreateIdentityPoolCommand({
					IdentityPoolName: "p",
					AllowUnauthenticatedIdentities: false,
					IdentityPoolTags: { "aws:owner": "x" },
				}),
			),
			"InvalidParameterException",
			/aws:/,
		);
		await rejectsWith(
			t.client.send(
				new CreateIdentityPoolCommand({
					IdentityPoolName: "p",
					AllowUnauthenticatedIdentities: false,
					IdentityPoolTags: { a: "1", b: "2", c: "3" },
				}),
			),
			"LimitExceededException",
		);
	});

	test("model constraints answer ValidationException with AWS's wording", async () => {
		await rejectsWith(
			t.client.send(
				new CreateIdentityPoolCommand({
					IdentityPoolName: "bad*name",
					AllowUnauthenticatedIdentities: false,
				}),
			),
			"ValidationException",
			"1 validation error detected: Value 'bad*name' at 'identityPoolName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+",
		);
		await rejectsWith(
			t.client.send(
				// @ts-expect-error AllowUnauthenticatedIdentities is required, even with a model default
				new CreateIdentityPoolCommand({ IdentityPoolName: "p" }),
			),
			"ValidationException",
			/Value null at 'allowUnauthenticatedIdentities' failed to satisfy constraint: Member must not be null/,
		);
	});

	test("the pool quota per account and region is LimitExceededException", async () => {
		// maxPools is 3 in us-east-1 for this server: two were created above.
		const other = t.sdk({ region: "ap-south-1" });
		for (let i = 0; i < 3; i++) {
			await other.send(
				new CreateIdentityPoolCommand({
					IdentityPoolName: `q${i}`,
					AllowUnauthenticatedIdentities: false,
				}),
			);
		}
		await rejectsWith(
			other.send(
				new CreateIdentityPoolCommand({
					IdentityPoolName: "q4",
					AllowUnauthenticatedIdentities: false,
				}),
			),
			"LimitExceededException",
		);
	});
});
