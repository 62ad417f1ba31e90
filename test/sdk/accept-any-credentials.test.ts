/**
 * The development mode that accepts any access key (docs/security.md#accepting-any-credentials),
 * with the official JS SDK and random keys: signed operations run as the default account
 * without a signature check, the server's own keys are still checked, unsigned calls to
 * signed operations are still refused, and the public flow is unchanged. Off by default.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, test } from "node:test";
import {
	CreateIdentityPoolCommand,
	DescribeIdentityPoolCommand,
	GetIdCommand,
	ListIdentityPoolsCommand,
} from "@aws-sdk/client-cognito-identity";
import { parseDeclaredPools } from "../../src/config/pools.ts";
import { raw } from "../support/raw.ts";
import { rejectsWith, useServer, withServer } from "../support/server.ts";

const randomKeys = () => ({
	accessKeyId: `AKIA${randomBytes(8).toString("hex").toUpperCase()}`,
	secretAccessKey: randomBytes(30).toString("base64"),
});

describe("--accept-any-credentials on (JS v3 SDK)", () => {
	const t = useServer({
		config: { acceptAnyCredentials: true },
		credentials: [
			{
				accessKeyId: "first",
				secretAccessKey: "first-secret",
				accountId: "111111111111",
			},
			{
				accessKeyId: "second",
				secretAccessKey: "second-secret",
				accountId: "222222222222",
			},
		],
	});

	test("random keys manage the pools of the default account (the first of the credentials)", async () => {
		const pool = await t.sdk(randomKeys()).send(
			new CreateIdentityPoolCommand({
				IdentityPoolName: "any",
				AllowUnauthenticatedIdentities: true,
			}),
		);
		const described = await t.sdk(randomKeys()).send(
			new DescribeIdentityPoolCommand({
				IdentityPoolId: pool.IdentityPoolId,
			}),
		);
		assert.equal(described.IdentityPoolName, "any");
		const first = t.sdk({
			accessKeyId: "first",
			secretAccessKey: "first-secret",
		});
		const listed = await first.send(
			new ListIdentityPoolsCommand({ MaxResults: 10 }),
		);
		assert.deepEqual(
			listed.IdentityPools?.map((p) => p.IdentityPoolId),
			[pool.IdentityPoolId],
		);
		const second = t.sdk({
			accessKeyId: "second",
			secretAccessKey: "second-secret",
		});
		await rejectsWith(
			second.send(
				new DescribeIdentityPoolCommand({
					IdentityPoolId: pool.IdentityPoolId,
				}),
			),
			"ResourceNotFoundException",
		);
		// The public flow works unsigned, as always.
		const { IdentityId } = await t.app.send(
			new GetIdCommand({ IdentityPoolId: pool.IdentityPoolId }),
		);
		assert.match(IdentityId ?? "", /^us-east-1:/);
	});

	test("the server's own keys are still checked, and a signed operation still needs a signature", async () => {
		await rejectsWith(
			t
				.sdk({ accessKeyId: "first", secretAccessKey: "wrong" })
				.send(new ListIdentityPoolsCommand({ MaxResults: 10 })),
			"InvalidSignatureException",
		);
		const unsigned = await raw(t.url, {
			target: "AWSCognitoIdentityService.ListIdentityPools",
			body: '{"MaxResults": 10}',
			sign: false,
		});
		assert.equal(unsigned.status, 400);
		assert.equal(unsigned.json?.__type, "MissingAuthenticationTokenException");
	});
});

describe("--accept-any-credentials and a reload", () => {
	const first = {
		accessKeyId: "first",
		secretAccessKey: "first-secret",
		accountId: "111111111111",
	};
	const second = {
		accessKeyId: "second",
		secretAccessKey: "second-secret",
		accountId: "222222222222",
	};
	test("a reload that puts another key first moves any key to its account, as it does the declared pools", async () => {
		await withServer(
			{ config: { acceptAnyCredentials: true }, credentials: [first, second] },
			async (t) => {
				const listed = async () =>
					(
						await t
							.sdk(randomKeys())
							.send(new ListIdentityPoolsCommand({ MaxResults: 10 }))
					).IdentityPools?.map((p) => p.IdentityPoolName);
				assert.equal(t.server.acceptAnyKeyAs, "111111111111");
				await t.server.reload(
					{
						...t.server.config,
						pools: parseDeclaredPools(
							[
								{
									IdentityPoolId:
										"us-east-1:0c0c0c0c-1111-4222-8333-444444444444",
									IdentityPoolName: "declared",
									AllowUnauthenticatedIdentities: false,
								},
							],
							t.server.config,
						),
					},
					[second, first],
				);
				assert.equal(t.server.acceptAnyKeyAs, "222222222222");
				// The declared pool went to the new first key's account, and so do random keys.
				assert.deepEqual(await listed(), ["declared"]);
				const ofSecond = await t
					.sdk(second)
					.send(new ListIdentityPoolsCommand({ MaxResults: 10 }));
				assert.deepEqual(
					ofSecond.IdentityPools?.map((p) => p.IdentityPoolName),
					["declared"],
				);
			},
		);
	});

	test("off, a reload leaves random keys refused", async () => {
		await withServer({ credentials: [first] }, async (t) => {
			await t.server.reload(t.server.config, [second]);
			assert.equal(t.server.acceptAnyKeyAs, undefined);
			await rejectsWith(
				t
					.sdk(randomKeys())
					.send(new ListIdentityPoolsCommand({ MaxResults: 10 })),
				"UnrecognizedClientException",
			);
		});
	});
});

describe("--accept-any-credentials off (the default)", () => {
	const t = useServer();
	test("random keys are refused", async () => {
		await rejectsWith(
			t
				.sdk(randomKeys())
				.send(new ListIdentityPoolsCommand({ MaxResults: 10 })),
			"UnrecognizedClientException",
		);
	});
});
