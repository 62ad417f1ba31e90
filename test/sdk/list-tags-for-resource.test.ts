import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
	DeleteIdentityPoolCommand,
	ListTagsForResourceCommand,
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
import { arnOf, createPool } from "../support/tags.ts";

const OTHER_ACCOUNT = OTHER.accountId;

describe("ListTagsForResource (JS v3 SDK)", () => {
	const t = useServer({
		credentials: TWO_ACCOUNTS,
	});

	test("answers the pool's IdentityPoolTags", async () => {
		const id = await createPool(t.client, { team: "a", env: "" }, "listed");
		const { $metadata: _, ...out } = await t.client.send(
			new ListTagsForResourceCommand({ ResourceArn: arnOf(id) }),
		);
		assert.deepEqual(out, { Tags: { team: "a", env: "" } });
	});

	test("Tags is present even when the pool has none (docs/behaviour.md#wire-protocol)", async () => {
		const id = await createPool(t.client, undefined, "listed");
		const { $metadata: _, ...out } = await t.client.send(
			new ListTagsForResourceCommand({ ResourceArn: arnOf(id) }),
		);
		// The SDK leaves out members absent from the body: {} proves it was sent.
		assert.deepEqual(out, { Tags: {} });
	});

	test("follows TagResource and UpdateIdentityPool", async () => {
		const id = await createPool(t.client, { team: "a" }, "listed");
		await t.client.send(
			new TagResourceCommand({ ResourceArn: arnOf(id), Tags: { env: "prod" } }),
		);
		let out = await t.client.send(
			new ListTagsForResourceCommand({ ResourceArn: arnOf(id) }),
		);
		assert.deepEqual(out.Tags, { team: "a", env: "prod" });
		await t.client.send(
			new UpdateIdentityPoolCommand({
				IdentityPoolId: id,
				IdentityPoolName: "listed",
				AllowUnauthenticatedIdentities: true,
				IdentityPoolTags: {},
			}),
		);
		out = await t.client.send(
			new ListTagsForResourceCommand({ ResourceArn: arnOf(id) }),
		);
		assert.deepEqual(out.Tags, {});
	});

	test("a malformed ARN is InvalidParameterException", async () => {
		const id = await createPool(t.client, undefined, "listed");
		await rejectsWith(
			t.client.send(
				new ListTagsForResourceCommand({
					ResourceArn: `arn:aws:cognito-identity:us-west-2:${TEST_ACCOUNT}:identitypool/${id}`,
				}),
			),
			"InvalidParameterException",
			`Invalid ResourceArn: the identity pool '${id}' is of region 'us-east-1', not of the ARN's region 'us-west-2'. Expected arn:<partition>:cognito-identity:<region>:<12-digit account id>:identitypool/<IdentityPoolId>.`,
		);
		await rejectsWith(
			t.client.send(
				new ListTagsForResourceCommand({
					ResourceArn: `arn:aws:cognito-identity:us-east-1:${TEST_ACCOUNT}:${id}`,
				}),
			),
			"InvalidParameterException",
			/^Invalid ResourceArn: the resource '.*' is not identitypool\/<IdentityPoolId>\./,
		);
	});

	test("an unknown or deleted pool is ResourceNotFoundException", async () => {
		const unknown = "us-east-1:00000000-0000-4000-8000-000000000000";
		await rejectsWith(
			t.client.send(
				new ListTagsForResourceCommand({ ResourceArn: arnOf(unknown) }),
			),
			"ResourceNotFoundException",
			`IdentityPool '${unknown}' not found.`,
		);
		const id = await createPool(t.client, { team: "a" }, "listed");
		await t.client.send(new DeleteIdentityPoolCommand({ IdentityPoolId: id }));
		await rejectsWith(
			t.client.send(new ListTagsForResourceCommand({ ResourceArn: arnOf(id) })),
			"ResourceNotFoundException",
			`IdentityPool '${id}' not found.`,
		);
	});

	test("a pool of another account or region is not found", async () => {
		const id = await createPool(t.client, { team: "a" }, "listed");
		const other = t.sdk({
			accessKeyId: "other",
			secretAccessKey: "other-secret",
		});
		const eu = t.sdk({ region: "eu-west-1" });
		for (const [c, arn] of [
			[other, arnOf(id)],
			[other, arnOf(id, OTHER_ACCOUNT)],
			[eu, arnOf(id)],
			[t.client, arnOf(id, OTHER_ACCOUNT)],
		] as const) {
			await rejectsWith(
				c.send(new ListTagsForResourceCommand({ ResourceArn: arn })),
				"ResourceNotFoundException",
				`IdentityPool '${id}' not found.`,
			);
		}
	});

	test("ResourceArn is required", async () => {
		await rejectsWith(
			t.client.send(
				// @ts-expect-error ResourceArn is required
				new ListTagsForResourceCommand({}),
			),
			"ValidationException",
			/^1 validation error detected: Value null at 'resourceArn' failed to satisfy constraint: Member must not be null$/,
		);
	});
});

describe("ListTagsForResource across a restart (JS v3 SDK)", () => {
	test("answers the same tags after stopping and starting the server", async () => {
		await withServer(async (t) => {
			const tagged = await createPool(t.client, { team: "a" }, "listed");
			const bare = await createPool(t.client, undefined, "listed");
			await t.client.send(
				new TagResourceCommand({
					ResourceArn: arnOf(tagged),
					Tags: { env: "prod" },
				}),
			);
			await t.restart();
			const out = await t.client.send(
				new ListTagsForResourceCommand({ ResourceArn: arnOf(tagged) }),
			);
			assert.deepEqual(out.Tags, { team: "a", env: "prod" });
			const none = await t.client.send(
				new ListTagsForResourceCommand({ ResourceArn: arnOf(bare) }),
			);
			assert.deepEqual(none.Tags, {});
		});
	});
});
