/**
 * The region of a call is the region its signature is scoped to: only names of AWS's region
 * form are taken, in every partition (docs/behaviour.md#authentication), and a pool made in
 * any of them can be used by every operation: its id stays within the model's 55
 * characters and its ARN names the region's partition (docs/behaviour.md#ids-and-arns).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
	CreateIdentityPoolCommand,
	DeleteIdentityPoolCommand,
	DescribeIdentityPoolCommand,
	GetOpenIdTokenForDeveloperIdentityCommand,
	ListIdentityPoolsCommand,
	ListTagsForResourceCommand,
	TagResourceCommand,
	UntagResourceCommand,
} from "@aws-sdk/client-cognito-identity";
import { decodeJwt } from "jose";
import { raw } from "../support/raw.ts";
import { rejectsWith, TEST_ACCOUNT, useServer } from "../support/server.ts";

const DEV = "login.example.app";

/** A region of each partition, and the partition AWS puts in its ARNs. */
const REGIONS: [region: string, partition: string][] = [
	["us-gov-west-1", "aws-us-gov"],
	["cn-north-1", "aws-cn"],
	["eusc-de-east-1", "aws-eusc"],
	["us-iso-east-1", "aws-iso"],
	["us-isob-east-1", "aws-iso-b"],
	["eu-isoe-west-1", "aws-iso-e"],
	["us-isof-south-1", "aws-iso-f"],
	["ap-southeast-7", "aws"],
	["mx-central-1", "aws"],
	["il-central-1", "aws"],
];

describe("regions of every partition", () => {
	const t = useServer();

	for (const [region, partition] of REGIONS) {
		test(`${region}: create, describe, list, tag by ARN, token, delete`, async () => {
			const client = t.sdk({ region });
			const created = await client.send(
				new CreateIdentityPoolCommand({
					IdentityPoolName: "regional",
					AllowUnauthenticatedIdentities: false,
					DeveloperProviderName: DEV,
				}),
			);
			const poolId = created.IdentityPoolId as string;
			assert.match(poolId, new RegExp(`^${region}:[0-9a-f-]{36}$`));
			const described = await client.send(
				new DescribeIdentityPoolCommand({ IdentityPoolId: poolId }),
			);
			assert.equal(described.IdentityPoolId, poolId);
			const listed = await client.send(
				new ListIdentityPoolsCommand({ MaxResults: 60 }),
			);
			assert.deepEqual(
				listed.IdentityPools?.map((p) => p.IdentityPoolId),
				[poolId],
			);

			const arn = `arn:${partition}:cognito-identity:${region}:${TEST_ACCOUNT}:identitypool/${poolId}`;
			await client.send(
				new TagResourceCommand({ ResourceArn: arn, Tags: { team: "blue" } }),
			);
			const tags = await client.send(
				new ListTagsForResourceCommand({ ResourceArn: arn }),
			);
			assert.deepEqual(tags.Tags, { team: "blue" });
			await client.send(
				new UntagResourceCommand({ ResourceArn: arn, TagKeys: ["team"] }),
			);

			const token = await client.send(
				new GetOpenIdTokenForDeveloperIdentityCommand({
					IdentityPoolId: poolId,
					Logins: { [DEV]: "user-1" },
				}),
			);
			assert.match(token.IdentityId ?? "", new RegExp(`^${region}:`));
			assert.equal(
				decodeJwt(token.Token as string)[
					"https://cognito-identity.amazonaws.com/identity-pool-arn"
				],
				`arn:${partition}:cognito-identity:${region}:${TEST_ACCOUNT}:identitypool/${poolId}`,
			);

			await client.send(
				new DeleteIdentityPoolCommand({ IdentityPoolId: poolId }),
			);
			await rejectsWith(
				client.send(
					new DescribeIdentityPoolCommand({ IdentityPoolId: poolId }),
				),
				"ResourceNotFoundException",
				`IdentityPool '${poolId}' not found.`,
			);
		});
	}

	test("a region not of AWS's form is refused with the scope error, and nothing is created", async () => {
		for (const region of [
			"a".repeat(40),
			"local",
			"US-EAST-1",
			"us-east-1a",
			"us_east-1",
			"moon-north-1",
			"us-east-123",
			"eusc-fr-east-1",
			// AWS's form, but an id `<region>:<uuid>` would exceed the model's 55 characters.
			"us-isob-northwest-1",
		]) {
			const res = await raw(t.url, {
				region,
				target: "AWSCognitoIdentityService.CreateIdentityPool",
				body: JSON.stringify({
					IdentityPoolName: "nowhere",
					AllowUnauthenticatedIdentities: false,
				}),
			});
			assert.equal(res.status, 400, region);
			assert.deepEqual(
				res.json,
				{
					__type: "InvalidSignatureException",
					message: `Credential should be scoped to a valid region, not '${region}'. `,
				},
				region,
			);
			const stored = await t.server.store.pools.list(
				{ accountId: TEST_ACCOUNT, region },
				{ limit: 60 },
			);
			assert.deepEqual(stored.items, [], region);
		}
	});
});
