import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import {
	LookupDeveloperIdentityCommand,
	type LookupDeveloperIdentityCommandOutput,
	UnlinkDeveloperIdentityCommand,
} from "@aws-sdk/client-cognito-identity";
import {
	createDeveloperPool,
	DEV_PROVIDER,
	developerIdentity,
	OTHER_ACCOUNT,
	TWO_ACCOUNTS,
} from "../support/identities.ts";
import { rejectsWith, useServer } from "../support/server.ts";

const UNKNOWN = "us-east-1:00000000-0000-4000-8000-000000000000";

describe("LookupDeveloperIdentity (JS v3 SDK)", () => {
	let poolId: string;
	/** An identity with five developer users, linked in this order. */
	let multi: string;
	const users = ["m-1", "m-2", "m-3", "m-4", "m-5"];
	const t = useServer({ credentials: TWO_ACCOUNTS });
	before(async () => {
		poolId = await createDeveloperPool(t.client);
		multi = await developerIdentity(t.client, poolId, users[0] as string);
		for (const u of users.slice(1))
			assert.equal(await developerIdentity(t.client, poolId, u, multi), multi);
	});

	const lookup = (input: {
		IdentityId?: string;
		DeveloperUserIdentifier?: string;
		MaxResults?: number;
		NextToken?: string;
		IdentityPoolId?: string;
	}) =>
		t.client.send(
			new LookupDeveloperIdentityCommand({ IdentityPoolId: poolId, ...input }),
		);

	test("by identifier: the owning identity and that identifier", async () => {
		const id = await developerIdentity(t.client, poolId, "alice");
		const out = await lookup({ DeveloperUserIdentifier: "alice" });
		assert.equal(out.IdentityId, id);
		assert.deepEqual(out.DeveloperUserIdentifierList, ["alice"]);
		assert.equal(out.NextToken, undefined);
		// One of several identifiers of an identity: still only that identifier.
		const m3 = await lookup({ DeveloperUserIdentifier: "m-3" });
		assert.equal(m3.IdentityId, multi);
		assert.deepEqual(m3.DeveloperUserIdentifierList, ["m-3"]);
	});

	test("by identity: every identifier linked to it", async () => {
		const out = await lookup({ IdentityId: multi });
		assert.equal(out.IdentityId, multi);
		assert.deepEqual(out.DeveloperUserIdentifierList, users);
		assert.equal(out.NextToken, undefined);
	});

	test("by identity, paginated by MaxResults and NextToken", async () => {
		const seen: string[] = [];
		const pages: LookupDeveloperIdentityCommandOutput[] = [];
		let token: string | undefined;
		do {
			const page = await lookup({
				IdentityId: multi,
				MaxResults: 2,
				...(token === undefined ? {} : { NextToken: token }),
			});
			pages.push(page);
			assert.equal(page.IdentityId, multi);
			assert.ok((page.DeveloperUserIdentifierList ?? []).length <= 2);
			seen.push(...(page.DeveloperUserIdentifierList ?? []));
			token = page.NextToken;
		} while (token);
		assert.equal(pages.length, 3);
		assert.deepEqual(
			pages.map((p) => p.DeveloperUserIdentifierList),
			[["m-1", "m-2"], ["m-3", "m-4"], ["m-5"]],
		);
		assert.deepEqual(seen, users);
	});

	test("by identity, identifiers linked or unlinked between pages are neither skipped nor repeated", async () => {
		const id = await developerIdentity(t.client, poolId, "p-1");
		for (const u of ["p-2", "p-3", "p-4"])
			await developerIdentity(t.client, poolId, u, id);
		const first = await lookup({ IdentityId: id, MaxResults: 2 });
		assert.deepEqual(first.DeveloperUserIdentifierList, ["p-1", "p-2"]);
		assert.ok(first.NextToken);
		await t.client.send(
			new UnlinkDeveloperIdentityCommand({
				IdentityPoolId: poolId,
				IdentityId: id,
				DeveloperProviderName: DEV_PROVIDER,
				DeveloperUserIdentifier: "p-1",
			}),
		);
		await developerIdentity(t.client, poolId, "p-5", id);
		const second = await lookup({
			IdentityId: id,
			MaxResults: 2,
			NextToken: first.NextToken,
		});
		assert.deepEqual(second.DeveloperUserIdentifierList, ["p-3", "p-4"]);
		assert.ok(second.NextToken);
		const third = await lookup({
			IdentityId: id,
			MaxResults: 2,
			NextToken: second.NextToken,
		});
		assert.deepEqual(third.DeveloperUserIdentifierList, ["p-5"]);
		assert.equal(third.NextToken, undefined);
	});

	test("by both: answers them when they belong together", async () => {
		const out = await lookup({
			IdentityId: multi,
			DeveloperUserIdentifier: "m-2",
		});
		assert.equal(out.IdentityId, multi);
		assert.deepEqual(out.DeveloperUserIdentifierList, ["m-2"]);
	});

	test("by both: an identifier of another identity is ResourceConflictException", async () => {
		await developerIdentity(t.client, poolId, "bob");
		await rejectsWith(
			lookup({ IdentityId: multi, DeveloperUserIdentifier: "bob" }),
			"ResourceConflictException",
			`The developer user identifier is not linked to identity '${multi}'.`,
		);
	});

	test("neither IdentityId nor DeveloperUserIdentifier is InvalidParameterException", async () => {
		await rejectsWith(
			lookup({}),
			"InvalidParameterException",
			"Either IdentityId or DeveloperUserIdentifier must be specified.",
		);
		await rejectsWith(lookup({ MaxResults: 10 }), "InvalidParameterException");
	});

	test("an unknown identifier is ResourceNotFoundException", async () => {
		await rejectsWith(
			lookup({ DeveloperUserIdentifier: "nobody" }),
			"ResourceNotFoundException",
			"Developer user identifier 'nobody' not found.",
		);
		await rejectsWith(
			lookup({ IdentityId: multi, DeveloperUserIdentifier: "nobody" }),
			"ResourceNotFoundException",
			"Developer user identifier 'nobody' not found.",
		);
	});

	test("an unknown identity is ResourceNotFoundException", async () => {
		await rejectsWith(
			lookup({ IdentityId: UNKNOWN }),
			"ResourceNotFoundException",
			`Identity '${UNKNOWN}' not found.`,
		);
	});

	test("an identity of another pool, account or region is not found", async () => {
		const otherPool = await createDeveloperPool(t.client, { name: "other" });
		const elsewhere = await developerIdentity(t.client, otherPool, "carol");
		await rejectsWith(
			lookup({ IdentityId: elsewhere }),
			"ResourceNotFoundException",
			`Identity '${elsewhere}' not found.`,
		);
		// The identifier is per pool.
		await rejectsWith(
			lookup({ DeveloperUserIdentifier: "carol" }),
			"ResourceNotFoundException",
		);
		const other = t.sdk(OTHER_ACCOUNT);
		await rejectsWith(
			other.send(
				new LookupDeveloperIdentityCommand({
					IdentityPoolId: poolId,
					IdentityId: multi,
				}),
			),
			"ResourceNotFoundException",
			`IdentityPool '${poolId}' not found.`,
		);
		const theirPool = await createDeveloperPool(other);
		await rejectsWith(
			other.send(
				new LookupDeveloperIdentityCommand({
					IdentityPoolId: theirPool,
					IdentityId: multi,
				}),
			),
			"ResourceNotFoundException",
			`Identity '${multi}' not found.`,
		);
	});

	test("an unknown pool is ResourceNotFoundException", async () => {
		await rejectsWith(
			lookup({ IdentityPoolId: UNKNOWN, DeveloperUserIdentifier: "m-1" }),
			"ResourceNotFoundException",
			`IdentityPool '${UNKNOWN}' not found.`,
		);
	});

	test("DeveloperUserIdentifierList is present even when empty", async () => {
		const id = await developerIdentity(t.client, poolId, "dave");
		await t.client.send(
			new UnlinkDeveloperIdentityCommand({
				IdentityPoolId: poolId,
				IdentityId: id,
				DeveloperProviderName: DEV_PROVIDER,
				DeveloperUserIdentifier: "dave",
			}),
		);
		const out = await lookup({ IdentityId: id });
		assert.equal(out.IdentityId, id);
		assert.deepEqual(out.DeveloperUserIdentifierList, []);
		assert.equal(out.NextToken, undefined);
	});

	test("a NextToken of another identity, or garbage, is InvalidParameterException", async () => {
		const other = await developerIdentity(t.client, poolId, "q-1");
		await developerIdentity(t.client, poolId, "q-2", other);
		await developerIdentity(t.client, poolId, "q-3", other);
		const page = await lookup({ IdentityId: multi, MaxResults: 1 });
		assert.ok(page.NextToken);
		await rejectsWith(
			lookup({ IdentityId: other, MaxResults: 1, NextToken: page.NextToken }),
			"InvalidParameterException",
		);
		await rejectsWith(
			lookup({ IdentityId: multi, MaxResults: 1, NextToken: "garbage" }),
			"InvalidParameterException",
		);
	});

	test("MaxResults is 1..60", async () => {
		await rejectsWith(
			lookup({ IdentityId: multi, MaxResults: 0 }),
			"ValidationException",
			"1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1",
		);
		await rejectsWith(
			lookup({ IdentityId: multi, MaxResults: 61 }),
			"ValidationException",
			"1 validation error detected: Value '61' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 60",
		);
	});
});
