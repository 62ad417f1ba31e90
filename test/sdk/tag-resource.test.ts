import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
	DescribeIdentityPoolCommand,
	TagResourceCommand,
	UpdateIdentityPoolCommand,
} from "@aws-sdk/client-cognito-identity";
import { OTHER_ACCOUNT as OTHER, TWO_ACCOUNTS } from "../support/identities.ts";
import {
	rejectsWith,
	TEST_ACCOUNT,
	useServer,
	withServer,
} from "../support/server.ts";
import { arnOf, createPool, tagsOf } from "../support/tags.ts";

const OTHER_ACCOUNT = OTHER.accountId;
const MAX_TAGS = 5;

describe("TagResource (JS v3 SDK)", () => {
	const t = useServer({
		config: { maxTags: MAX_TAGS },
		credentials: TWO_ACCOUNTS,
	});

	test("adds tags and overwrites existing keys; answers {}", async () => {
		const id = await createPool(t.client, { team: "a", env: "dev" });
		const { $metadata, ...out } = await t.client.send(
			new TagResourceCommand({
				ResourceArn: arnOf(id),
				Tags: { env: "prod", owner: "ops" },
			}),
		);
		assert.equal($metadata.httpStatusCode, 200);
		assert.deepEqual(out, {});
		assert.deepEqual(await tagsOf(t.client, id), {
			team: "a",
			env: "prod",
			owner: "ops",
		});
	});

	test("an empty value is a tag; an empty map changes nothing", async () => {
		const id = await createPool(t.client, { team: "a" });
		await t.client.send(
			new TagResourceCommand({ ResourceArn: arnOf(id), Tags: { flag: "" } }),
		);
		await t.client.send(
			new TagResourceCommand({ ResourceArn: arnOf(id), Tags: {} }),
		);
		assert.deepEqual(await tagsOf(t.client, id), { team: "a", flag: "" });
	});

	test("the tags are the pool's IdentityPoolTags", async () => {
		const id = await createPool(t.client, { team: "a" });
		await t.client.send(
			new TagResourceCommand({ ResourceArn: arnOf(id), Tags: { cost: "42" } }),
		);
		const described = await t.client.send(
			new DescribeIdentityPoolCommand({ IdentityPoolId: id }),
		);
		assert.deepEqual(described.IdentityPoolTags, { team: "a", cost: "42" });
		// UpdateIdentityPool without IdentityPoolTags keeps them (docs/behaviour.md#updateidentitypool) ...
		const kept = await t.client.send(
			new UpdateIdentityPoolCommand({
				IdentityPoolId: id,
				IdentityPoolName: "renamed",
				AllowUnauthenticatedIdentities: true,
			}),
		);
		assert.deepEqual(kept.IdentityPoolTags, { team: "a", cost: "42" });
		// ... and with IdentityPoolTags replaces them, TagResource's included.
		await t.client.send(
			new UpdateIdentityPoolCommand({
				IdentityPoolId: id,
				IdentityPoolName: "renamed",
				AllowUnauthenticatedIdentities: true,
				IdentityPoolTags: { only: "this" },
			}),
		);
		assert.deepEqual(await tagsOf(t.client, id), { only: "this" });
		await t.client.send(
			new TagResourceCommand({ ResourceArn: arnOf(id), Tags: { more: "1" } }),
		);
		const again = await t.client.send(
			new DescribeIdentityPoolCommand({ IdentityPoolId: id }),
		);
		assert.deepEqual(again.IdentityPoolTags, { only: "this", more: "1" });
	});

	test("the aws: prefix is reserved, in any case; nothing is written", async () => {
		const id = await createPool(t.client, { team: "a" });
		for (const key of ["aws:cost", "AWS:cost", "Aws:x"]) {
			await rejectsWith(
				t.client.send(
					new TagResourceCommand({
						ResourceArn: arnOf(id),
						Tags: { fine: "1", [key]: "v" },
					}),
				),
				"InvalidParameterException",
				`Tag keys starting with 'aws:' are reserved for AWS use: ${key}`,
			);
		}
		assert.deepEqual(await tagsOf(t.client, id), { team: "a" });
	});

	test("more tags than the quota after the change: InvalidParameterException (the model has no LimitExceededException here); nothing is written", async () => {
		const id = await createPool(t.client, { a: "1", b: "2", c: "3" });
		await rejectsWith(
			t.client.send(
				new TagResourceCommand({
					ResourceArn: arnOf(id),
					Tags: { a: "changed", d: "4", e: "5", f: "6" },
				}),
			),
			"InvalidParameterException",
			`A resource can have at most ${MAX_TAGS} tags.`,
		);
		assert.deepEqual(await tagsOf(t.client, id), { a: "1", b: "2", c: "3" });
		// Exactly the quota is fine, and overwriting at the quota too.
		await t.client.send(
			new TagResourceCommand({
				ResourceArn: arnOf(id),
				Tags: { d: "4", e: "5" },
			}),
		);
		await t.client.send(
			new TagResourceCommand({ ResourceArn: arnOf(id), Tags: { a: "new" } }),
		);
		assert.deepEqual(await tagsOf(t.client, id), {
			a: "new",
			b: "2",
			c: "3",
			d: "4",
			e: "5",
		});
		await rejectsWith(
			t.client.send(
				new TagResourceCommand({ ResourceArn: arnOf(id), Tags: { f: "6" } }),
			),
			"InvalidParameterException",
			`A resource can have at most ${MAX_TAGS} tags.`,
		);
	});

	test("concurrent calls lose no tag and never exceed the quota", async () => {
		const id = await createPool(t.client);
		const keys = Array.from({ length: MAX_TAGS + 2 }, (_, i) => `k${i}`);
		const results = await Promise.allSettled(
			keys.map((k) =>
				t.client.send(
					new TagResourceCommand({ ResourceArn: arnOf(id), Tags: { [k]: k } }),
				),
			),
		);
		const ok = results.filter((r) => r.status === "fulfilled").length;
		assert.equal(ok, MAX_TAGS);
		for (const r of results) {
			if (r.status === "rejected") {
				assert.equal((r.reason as Error).name, "InvalidParameterException");
			}
		}
		const tags = (await tagsOf(t.client, id)) ?? {};
		assert.equal(Object.keys(tags).length, MAX_TAGS);
		for (const [k, v] of Object.entries(tags)) assert.equal(v, k);
	});

	test("a malformed ARN is InvalidParameterException naming the problem; nothing is written", async () => {
		const id = await createPool(t.client, { team: "a" });
		const uuid = id.slice(id.indexOf(":") + 1);
		const cases: [string, RegExp][] = [
			["not-an-arn-at-all-really", /it is not an ARN/],
			[
				`arn:aws:cognito-idp:us-east-1:${TEST_ACCOUNT}:identitypool/${id}`,
				/the service is 'cognito-idp', not 'cognito-identity'/,
			],
			[
				`arn:aws:cognito-identity:us-east-1:12345:identitypool/${id}`,
				/the account id '12345' is not 12 digits/,
			],
			[
				`arn:aws:cognito-identity:us-east-1:${TEST_ACCOUNT}:userpool/${id}`,
				/is not identitypool\/<IdentityPoolId>/,
			],
			[
				`arn:aws:cognito-identity:us-east-1:${TEST_ACCOUNT}:identitypool/not-a-pool-id`,
				/'not-a-pool-id' is not an identity pool id/,
			],
			[
				`arn:aws:cognito-identity:us-east-1:${TEST_ACCOUNT}:identitypool/us-east-1:NOT-HEX`,
				/'us-east-1:NOT-HEX' is not an identity pool id/,
			],
			[
				`arn:aws:cognito-identity:eu-west-1:${TEST_ACCOUNT}:identitypool/${id}`,
				new RegExp(
					`the identity pool '${id}' is of region 'us-east-1', not of the ARN's region 'eu-west-1'`,
				),
			],
			[
				`arn:aws-cn:cognito-identity:us-east-1:${TEST_ACCOUNT}:identitypool/${id}`,
				/the region 'us-east-1' is in partition 'aws', not 'aws-cn'/,
			],
			[
				`arn:aws:cognito-identity:us east 1:${TEST_ACCOUNT}:identitypool/us east 1:${uuid}`,
				/'us east 1' is not a region/,
			],
		];
		for (const [arn, message] of cases) {
			const err = await rejectsWith(
				t.client.send(
					new TagResourceCommand({ ResourceArn: arn, Tags: { x: "1" } }),
				),
				"InvalidParameterException",
				message,
			);
			assert.match(
				err.message,
				/^Invalid ResourceArn: .*\. Expected arn:<partition>:cognito-identity:<region>:<12-digit account id>:identitypool\/<IdentityPoolId>\.$/,
			);
		}
		assert.deepEqual(await tagsOf(t.client, id), { team: "a" });
	});

	test("an ARN shorter than the model allows is ValidationException", async () => {
		await rejectsWith(
			t.client.send(
				new TagResourceCommand({ ResourceArn: "arn:aws:x", Tags: {} }),
			),
			"ValidationException",
			/at 'resourceArn' failed to satisfy constraint: Member must have length greater than or equal to 20/,
		);
	});

	test("an unknown pool is ResourceNotFoundException", async () => {
		const id = "us-east-1:00000000-0000-4000-8000-000000000000";
		await rejectsWith(
			t.client.send(
				new TagResourceCommand({ ResourceArn: arnOf(id), Tags: { x: "1" } }),
			),
			"ResourceNotFoundException",
			`IdentityPool '${id}' not found.`,
		);
	});

	test("a pool of another account is not found, whichever account the ARN names", async () => {
		const id = await createPool(t.client, { team: "a" });
		const other = t.sdk({
			accessKeyId: "other",
			secretAccessKey: "other-secret",
		});
		for (const account of [TEST_ACCOUNT, OTHER_ACCOUNT]) {
			await rejectsWith(
				other.send(
					new TagResourceCommand({
						ResourceArn: arnOf(id, account),
						Tags: { x: "1" },
					}),
				),
				"ResourceNotFoundException",
				`IdentityPool '${id}' not found.`,
			);
		}
		// And the owner naming another account in the ARN does not reach it either.
		await rejectsWith(
			t.client.send(
				new TagResourceCommand({
					ResourceArn: arnOf(id, OTHER_ACCOUNT),
					Tags: { x: "1" },
				}),
			),
			"ResourceNotFoundException",
			`IdentityPool '${id}' not found.`,
		);

		assert.deepEqual(await tagsOf(t.client, id), { team: "a" });
	});

	test("a pool of another region is not found", async () => {
		const id = await createPool(t.client, { team: "a" });
		const eu = t.sdk({ region: "eu-west-1" });
		await rejectsWith(
			eu.send(
				new TagResourceCommand({ ResourceArn: arnOf(id), Tags: { x: "1" } }),
			),
			"ResourceNotFoundException",
			`IdentityPool '${id}' not found.`,
		);
		const euPool = await createPool(eu);
		await rejectsWith(
			t.client.send(
				new TagResourceCommand({
					ResourceArn: arnOf(euPool, TEST_ACCOUNT, "eu-west-1"),
					Tags: { x: "1" },
				}),
			),
			"ResourceNotFoundException",
			`IdentityPool '${euPool}' not found.`,
		);
		// Its own region's caller reaches it.
		await eu.send(
			new TagResourceCommand({
				ResourceArn: arnOf(euPool, TEST_ACCOUNT, "eu-west-1"),
				Tags: { x: "1" },
			}),
		);

		assert.deepEqual(await tagsOf(t.client, id), { team: "a" });
	});

	test("Tags is required", async () => {
		await rejectsWith(
			t.client.send(
				// @ts-expect-error Tags is required
				new TagResourceCommand({ ResourceArn: arnOf("us-east-1:0000") }),
			),
			"ValidationException",
			/^1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null$/,
		);
	});
});

describe("TagResource across a restart (JS v3 SDK)", () => {
	test("tags survive stopping and starting the server on the same file", async () => {
		await withServer(async (t) => {
			const id = await createPool(t.client, { team: "a" });
			await t.client.send(
				new TagResourceCommand({
					ResourceArn: arnOf(id),
					Tags: { team: "b", env: "prod" },
				}),
			);
			await t.restart();
			assert.deepEqual(await tagsOf(t.client, id), { team: "b", env: "prod" });
			const described = await t.client.send(
				new DescribeIdentityPoolCommand({ IdentityPoolId: id }),
			);
			assert.deepEqual(described.IdentityPoolTags, {
				team: "b",
				env: "prod",
			});
		});
	});
});
