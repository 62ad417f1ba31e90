import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import {
	type CognitoIdentityClient,
	CreateIdentityPoolCommand,
	DeleteIdentityPoolCommand,
	ListIdentityPoolsCommand,
	type ListIdentityPoolsCommandOutput,
	paginateListIdentityPools,
} from "@aws-sdk/client-cognito-identity";
import { rejectsWith, useServer } from "../support/server.ts";

describe("ListIdentityPools (JS v3 SDK)", () => {
	let client: CognitoIdentityClient;
	const t = useServer();
	before(async () => {
		client = t.sdk({ region: "us-west-2" });
	});

	async function create(name: string): Promise<string> {
		const out = await client.send(
			new CreateIdentityPoolCommand({
				IdentityPoolName: name,
				AllowUnauthenticatedIdentities: false,
			}),
		);
		return out.IdentityPoolId as string;
	}

	test("an empty region answers an empty list without a token", async () => {
		const empty = t.sdk({ region: "sa-east-1" });
		const out = await empty.send(
			new ListIdentityPoolsCommand({ MaxResults: 10 }),
		);
		assert.deepEqual(out.IdentityPools, []);
		assert.equal(out.NextToken, undefined);
	});

	test("pages through every pool with inserts and deletes between pages", async () => {
		const ids: string[] = [];
		for (let i = 0; i < 7; i++) ids.push(await create(`pool-${i}`));
		const seen: string[] = [];
		const first = await client.send(
			new ListIdentityPoolsCommand({ MaxResults: 3 }),
		);
		assert.equal(first.IdentityPools?.length, 3);
		assert.deepEqual(first.IdentityPools?.[0], {
			IdentityPoolId: ids[0],
			IdentityPoolName: "pool-0",
		});
		seen.push(
			...(first.IdentityPools ?? []).map((p) => p.IdentityPoolId as string),
		);
		assert.ok(first.NextToken);
		// Between pages: a new pool, and one already listed is deleted.
		const late = await create("late");
		await client.send(
			new DeleteIdentityPoolCommand({ IdentityPoolId: ids[1] as string }),
		);
		let token: string | undefined = first.NextToken;
		while (token) {
			const page: ListIdentityPoolsCommandOutput = await client.send(
				new ListIdentityPoolsCommand({ MaxResults: 3, NextToken: token }),
			);
			seen.push(
				...(page.IdentityPools ?? []).map((p) => p.IdentityPoolId as string),
			);
			token = page.NextToken;
		}
		// Every pool that existed throughout is listed exactly once, in creation order.
		assert.deepEqual(seen, [...ids, late]);
	});

	test("the SDK paginator walks every page", async () => {
		const other = t.sdk({ region: "ca-central-1" });
		const ids: string[] = [];
		for (let i = 0; i < 5; i++) {
			const out = await other.send(
				new CreateIdentityPoolCommand({
					IdentityPoolName: `p${i}`,
					AllowUnauthenticatedIdentities: false,
				}),
			);
			ids.push(out.IdentityPoolId as string);
		}
		const seen: string[] = [];
		let pages = 0;
		for await (const page of paginateListIdentityPools(
			{ client: other, pageSize: 2 },
			{ MaxResults: 2 },
		)) {
			pages++;
			seen.push(
				...(page.IdentityPools ?? []).map((p) => p.IdentityPoolId as string),
			);
		}
		assert.equal(pages, 3);
		assert.deepEqual(seen, ids);
	});

	test("items carry the id and name only", async () => {
		const sa = t.sdk({ region: "eu-north-1" });
		await sa.send(
			new CreateIdentityPoolCommand({
				IdentityPoolName: "tagged",
				AllowUnauthenticatedIdentities: true,
				IdentityPoolTags: { a: "b" },
			}),
		);
		const out = await sa.send(new ListIdentityPoolsCommand({ MaxResults: 1 }));
		assert.deepEqual(Object.keys(out.IdentityPools?.[0] ?? {}).sort(), [
			"IdentityPoolId",
			"IdentityPoolName",
		]);
	});

	test("a token from another account and region is InvalidParameterException", async () => {
		for (let i = 0; i < 2; i++) await create(`t${i}`);
		const page = await client.send(
			new ListIdentityPoolsCommand({ MaxResults: 1 }),
		);
		assert.ok(page.NextToken);
		const east = t.sdk({ region: "us-east-1" });
		await rejectsWith(
			east.send(
				new ListIdentityPoolsCommand({
					MaxResults: 1,
					NextToken: page.NextToken,
				}),
			),
			"InvalidParameterException",
		);
		await rejectsWith(
			client.send(
				new ListIdentityPoolsCommand({
					MaxResults: 1,
					NextToken: "garbage-token",
				}),
			),
			"InvalidParameterException",
		);
	});

	test("MaxResults is required and ranges from 1 to 60", async () => {
		await rejectsWith(
			client.send(new ListIdentityPoolsCommand({ MaxResults: 61 })),
			"ValidationException",
			"1 validation error detected: Value '61' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 60",
		);
		await rejectsWith(
			client.send(new ListIdentityPoolsCommand({ MaxResults: 0 })),
			"ValidationException",
			/Member must have value greater than or equal to 1/,
		);
	});
});
