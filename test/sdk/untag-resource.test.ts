import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
	DescribeIdentityPoolCommand,
	TagResourceCommand,
	UntagResourceCommand,
	UpdateIdentityPoolCommand,
} from "@aws-sdk/client-cognito-identity";
import { TWO_ACCOUNTS } from "../support/identities.ts";
import {
	rejectsWith,
	TEST_ACCOUNT,
	useServer,
	withServer,
} from "../support/server.ts";
import { arnOf, createPool, tagsOf } from "../support/tags.ts";

describe("UntagResource (JS v3 SDK)", () => {
	const t = useServer({
		config: { maxTags: 3 },
		credentials: TWO_ACCOUNTS,
	});

	test("removes the listed keys and ignores absent ones; answers {}", async () => {
		const id = await createPool(t.client, { team: "a", env: "dev", cost: "1" });
		const { $metadata, ...out } = await t.client.send(
			new UntagResourceCommand({
				ResourceArn: arnOf(id),
				TagKeys: ["env", "never-set", "Team"],
			}),
		);
		assert.equal($metadata.httpStatusCode, 200);
		assert.deepEqual(out, {});
		// Keys are case-sensitive: "Team" is not "team".
		assert.deepEqual(await tagsOf(t.client, id), { team: "a", cost: "1" });
		await t.client.send(
			new UntagResourceCommand({ ResourceArn: arnOf(id), TagKeys: [] }),
		);
		assert.deepEqual(await tagsOf(t.client, id), { team: "a", cost: "1" });
		await t.client.send(
			new UntagResourceCommand({
				ResourceArn: arnOf(id),
				TagKeys: ["team", "cost", "team"],
			}),
		);
		assert.deepEqual(await tagsOf(t.client, id), {});
	});

	test("the tags removed are the pool's IdentityPoolTags", async () => {
		const id = await createPool(t.client, { team: "a", env: "dev" });
		await t.client.send(
			new TagResourceCommand({ ResourceArn: arnOf(id), Tags: { cost: "1" } }),
		);
		await t.client.send(
			new UntagResourceCommand({
				ResourceArn: arnOf(id),
				TagKeys: ["team", "cost"],
			}),
		);
		const described = await t.client.send(
			new DescribeIdentityPoolCommand({ IdentityPoolId: id }),
		);
		assert.deepEqual(described.IdentityPoolTags, { env: "dev" });
		const updated = await t.client.send(
			new UpdateIdentityPoolCommand({
				IdentityPoolId: id,
				IdentityPoolName: "tagged",
				AllowUnauthenticatedIdentities: true,
			}),
		);
		assert.deepEqual(updated.IdentityPoolTags, { env: "dev" });
		// Removing frees room under the quota (3 here).
		await t.client.send(
			new TagResourceCommand({
				ResourceArn: arnOf(id),
				Tags: { a: "1", b: "2" },
			}),
		);
		assert.deepEqual(await tagsOf(t.client, id), {
			env: "dev",
			a: "1",
			b: "2",
		});
	});

	test("a malformed ARN is InvalidParameterException; nothing is written", async () => {
		const id = await createPool(t.client, { team: "a" });
		for (const [arn, message] of [
			[
				`arn:aws:cognito-identity:eu-west-1:${TEST_ACCOUNT}:identitypool/${id}`,
				/the identity pool '.*' is of region 'us-east-1', not of the ARN's region 'eu-west-1'/,
			],
			[
				`arn:aws:iam::${TEST_ACCOUNT}:role/identitypool`,
				/the service is 'iam', not 'cognito-identity'/,
			],
			[
				`arn:aws:cognito-identity:us-east-1:${TEST_ACCOUNT}:identitypool/`,
				/'' is not an identity pool id/,
			],
		] as const) {
			await rejectsWith(
				t.client.send(
					new UntagResourceCommand({ ResourceArn: arn, TagKeys: ["team"] }),
				),
				"InvalidParameterException",
				message,
			);
		}
		assert.deepEqual(await tagsOf(t.client, id), { team: "a" });
	});

	test("an unknown pool is ResourceNotFoundException, even with no keys", async () => {
		const id = "us-east-1:00000000-0000-4000-8000-000000000000";
		for (const TagKeys of [["team"], []]) {
			await rejectsWith(
				t.client.send(
					new UntagResourceCommand({ ResourceArn: arnOf(id), TagKeys }),
				),
				"ResourceNotFoundException",
				`IdentityPool '${id}' not found.`,
			);
		}
	});

	test("a pool of another account or region is not found; nothing is written", async () => {
		const id = await createPool(t.client, { team: "a" });
		const other = t.sdk({
			accessKeyId: "other",
			secretAccessKey: "other-secret",
		});
		const eu = t.sdk({ region: "eu-west-1" });
		await rejectsWith(
			other.send(
				new UntagResourceCommand({
					ResourceArn: arnOf(id),
					TagKeys: ["team"],
				}),
			),
			"ResourceNotFoundException",
			`IdentityPool '${id}' not found.`,
		);
		await rejectsWith(
			eu.send(
				new UntagResourceCommand({
					ResourceArn: arnOf(id),
					TagKeys: ["team"],
				}),
			),
			"ResourceNotFoundException",
			`IdentityPool '${id}' not found.`,
		);

		assert.deepEqual(await tagsOf(t.client, id), { team: "a" });
	});

	test("TagKeys is required", async () => {
		await rejectsWith(
			t.client.send(
				// @ts-expect-error TagKeys is required
				new UntagResourceCommand({ ResourceArn: arnOf("us-east-1:0000") }),
			),
			"ValidationException",
			/^1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null$/,
		);
	});
});

describe("UntagResource across a restart (JS v3 SDK)", () => {
	test("removed tags stay removed after stopping and starting the server", async () => {
		await withServer(async (t) => {
			const id = await createPool(t.client, { team: "a", env: "dev" });
			await t.client.send(
				new UntagResourceCommand({ ResourceArn: arnOf(id), TagKeys: ["team"] }),
			);
			await t.restart();
			assert.deepEqual(await tagsOf(t.client, id), { env: "dev" });
			const described = await t.client.send(
				new DescribeIdentityPoolCommand({ IdentityPoolId: id }),
			);
			assert.deepEqual(described.IdentityPoolTags, { env: "dev" });
		});
	});
});
