import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import {
	type CognitoIdentityClient,
	DeleteIdentitiesCommand,
	DescribeIdentityCommand,
	LookupDeveloperIdentityCommand,
	MergeDeveloperIdentitiesCommand,
} from "@aws-sdk/client-cognito-identity";
import {
	createDeveloperPool,
	DEV_PROVIDER,
	developerIdentity,
	listAllIdentities,
	OTHER_ACCOUNT,
	TWO_ACCOUNTS,
} from "../support/identities.ts";
import { rejectsWith, useServer } from "../support/server.ts";

const UNKNOWN = "us-east-1:00000000-0000-4000-8000-000000000000";

describe("DeleteIdentities (JS v3 SDK)", () => {
	let poolId: string;
	const t = useServer({ credentials: TWO_ACCOUNTS });
	before(async () => {
		poolId = await createDeveloperPool(t.client);
	});

	const deleteIdentities = (ids: string[]) =>
		t.client.send(new DeleteIdentitiesCommand({ IdentityIdsToDelete: ids }));

	async function assertGone(c: CognitoIdentityClient, id: string) {
		await rejectsWith(
			c.send(new DescribeIdentityCommand({ IdentityId: id })),
			"ResourceNotFoundException",
			`Identity '${id}' not found.`,
		);
	}

	test("deletes an identity and its logins: the same user later gets a new identity", async () => {
		const id = await developerIdentity(t.client, poolId, "alice");
		const keep = await developerIdentity(t.client, poolId, "keep");
		const out = await deleteIdentities([id]);
		assert.deepEqual(out.UnprocessedIdentityIds, []);
		await assertGone(t.client, id);
		// The others are untouched.
		const kept = await t.client.send(
			new DescribeIdentityCommand({ IdentityId: keep }),
		);
		assert.deepEqual(kept.Logins, [DEV_PROVIDER]);
		assert.ok(
			!(await listAllIdentities(t.client, poolId)).some(
				(i) => i.IdentityId === id,
			),
		);
		// The login went with the identity.
		await rejectsWith(
			t.client.send(
				new LookupDeveloperIdentityCommand({
					IdentityPoolId: poolId,
					DeveloperUserIdentifier: "alice",
				}),
			),
			"ResourceNotFoundException",
		);
		const again = await developerIdentity(t.client, poolId, "alice");
		assert.notEqual(again, id);
		assert.equal(await developerIdentity(t.client, poolId, "alice"), again);
	});

	test("deletes several identities, of several pools, in one call", async () => {
		const otherPool = await createDeveloperPool(t.client, { name: "second" });
		const a = await developerIdentity(t.client, poolId, "several-a");
		const b = await developerIdentity(t.client, poolId, "several-b");
		const c = await developerIdentity(t.client, otherPool, "several-c");
		const out = await deleteIdentities([a, b, c]);
		assert.deepEqual(out.UnprocessedIdentityIds, []);
		for (const id of [a, b, c]) await assertGone(t.client, id);
	});

	test("deleting an identity that holds several users frees all of them", async () => {
		const id = await developerIdentity(t.client, poolId, "multi-1");
		await developerIdentity(t.client, poolId, "multi-2", id);
		const merged = await developerIdentity(t.client, poolId, "multi-3");
		await t.client.send(
			new MergeDeveloperIdentitiesCommand({
				IdentityPoolId: poolId,
				DeveloperProviderName: DEV_PROVIDER,
				SourceUserIdentifier: "multi-3",
				DestinationUserIdentifier: "multi-1",
			}),
		);
		assert.deepEqual((await deleteIdentities([id])).UnprocessedIdentityIds, []);
		const fresh = new Set<string>();
		for (const user of ["multi-1", "multi-2", "multi-3"]) {
			const next = await developerIdentity(t.client, poolId, user);
			assert.notEqual(next, id);
			assert.notEqual(next, merged);
			fresh.add(next);
		}
		assert.equal(fresh.size, 3, "each user is a new identity of its own");
		// The merged-away (disabled) identity can be deleted as well.
		assert.deepEqual(
			(await deleteIdentities([merged])).UnprocessedIdentityIds,
			[],
		);
		await assertGone(t.client, merged);
	});

	test("unknown ids count as deleted", async () => {
		const id = await developerIdentity(t.client, poolId, "bob");
		const out = await deleteIdentities([UNKNOWN, id]);
		assert.deepEqual(out.UnprocessedIdentityIds, []);
		await assertGone(t.client, id);
		// Deleting it again is no error either.
		assert.deepEqual((await deleteIdentities([id])).UnprocessedIdentityIds, []);
	});

	test("an id of another account is answered AccessDenied and kept", async () => {
		const other = t.sdk(OTHER_ACCOUNT);
		const mine = await developerIdentity(t.client, poolId, "carol");
		const theirPool = await createDeveloperPool(other);
		const theirs = await developerIdentity(other, theirPool, "carol");
		const out = await deleteIdentities([theirs, mine, UNKNOWN]);
		assert.deepEqual(out.UnprocessedIdentityIds, [
			{ IdentityId: theirs, ErrorCode: "AccessDenied" },
		]);
		await assertGone(t.client, mine);
		const still = await other.send(
			new DescribeIdentityCommand({ IdentityId: theirs }),
		);
		assert.equal(still.IdentityId, theirs);
		assert.deepEqual(still.Logins, [DEV_PROVIDER]);
		assert.equal(await developerIdentity(other, theirPool, "carol"), theirs);
	});

	test("an id of another region counts as deleted, and stays in its region", async () => {
		const eu = t.sdk({ region: "eu-west-1" });
		const euPool = await createDeveloperPool(eu);
		const id = await developerIdentity(eu, euPool, "dave");
		const out = await deleteIdentities([id]);
		assert.deepEqual(out.UnprocessedIdentityIds, []);
		const still = await eu.send(
			new DescribeIdentityCommand({ IdentityId: id }),
		);
		assert.equal(still.IdentityId, id);
	});

	test("1..60 ids: 0 or 61 ids are ValidationException", async () => {
		const sixtyOne = Array.from(
			{ length: 61 },
			(_, i) =>
				`us-east-1:00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
		);
		await rejectsWith(
			deleteIdentities(sixtyOne),
			"ValidationException",
			`1 validation error detected: Value '[${sixtyOne.join(", ")}]' at 'identityIdsToDelete' failed to satisfy constraint: Member must have length less than or equal to 60`,
		);
		await rejectsWith(
			deleteIdentities([]),
			"ValidationException",
			"1 validation error detected: Value '[]' at 'identityIdsToDelete' failed to satisfy constraint: Member must have length greater than or equal to 1",
		);
		const id = await developerIdentity(t.client, poolId, "sixty");
		const sixty = [...sixtyOne.slice(0, 59), id];
		assert.deepEqual(
			(await deleteIdentities(sixty)).UnprocessedIdentityIds,
			[],
		);
		await assertGone(t.client, id);
	});

	test("a malformed id is ValidationException", async () => {
		await rejectsWith(
			deleteIdentities(["not an id"]),
			"ValidationException",
			/^1 validation error detected: .* at 'identityIdsToDelete' failed to satisfy constraint: Member must satisfy constraint: \[Member must have length less than or equal to 55, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: \[\\w-\]\+:\[0-9a-f-\]\+\]$/,
		);
	});
});
