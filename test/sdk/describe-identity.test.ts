import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import {
	DescribeIdentityCommand,
	MergeDeveloperIdentitiesCommand,
	UnlinkDeveloperIdentityCommand,
} from "@aws-sdk/client-cognito-identity";
import { FakeClock } from "../../src/lib/clock.ts";
import {
	assertCloseTo,
	createDeveloperPool,
	DEV_PROVIDER,
	developerIdentity,
	OTHER_ACCOUNT,
	TWO_ACCOUNTS,
} from "../support/identities.ts";
import { rejectsWith, useServer } from "../support/server.ts";

describe("DescribeIdentity (JS v3 SDK)", () => {
	let poolId: string;
	// A clock that moves only when told to (a few seconds at a time, well within SigV4's skew),
	// from the time the suite starts (its file may have been loaded a while before).
	const clock = new FakeClock();
	before(() => clock.set(Date.now()));
	const t = useServer({ credentials: TWO_ACCOUNTS, clock });
	before(async () => {
		poolId = await createDeveloperPool(t.client);
	});

	const describeIdentity = (identityId: string) =>
		t.client.send(new DescribeIdentityCommand({ IdentityId: identityId }));

	test("answers the developer provider name and the dates of a new identity", async () => {
		const createdAt = clock.now();
		const id = await developerIdentity(t.client, poolId, "alice");
		const out = await describeIdentity(id);
		assert.equal(out.IdentityId, id);
		assert.deepEqual(out.Logins, [DEV_PROVIDER]);
		assertCloseTo(out.CreationDate, Date.now());
		assertCloseTo(out.CreationDate, createdAt, 1);
		assertCloseTo(out.LastModifiedDate, createdAt, 1);
	});

	test("LastModifiedDate moves when a login is linked, unlinked or merged; CreationDate does not", async () => {
		const createdAt = clock.now();
		const id = await developerIdentity(t.client, poolId, "bob");

		clock.advanceBy(5_000);
		const linkedAt = clock.now();
		assert.equal(await developerIdentity(t.client, poolId, "bob-2", id), id);
		let out = await describeIdentity(id);
		// Two identifiers of one provider: the provider is named once.
		assert.deepEqual(out.Logins, [DEV_PROVIDER]);
		assertCloseTo(out.CreationDate, createdAt, 1);
		assertCloseTo(out.LastModifiedDate, linkedAt, 1);

		clock.advanceBy(5_000);
		const unlinkedAt = clock.now();
		await t.client.send(
			new UnlinkDeveloperIdentityCommand({
				IdentityPoolId: poolId,
				IdentityId: id,
				DeveloperProviderName: DEV_PROVIDER,
				DeveloperUserIdentifier: "bob-2",
			}),
		);
		out = await describeIdentity(id);
		assert.deepEqual(out.Logins, [DEV_PROVIDER]);
		assertCloseTo(out.CreationDate, createdAt, 1);
		assertCloseTo(out.LastModifiedDate, unlinkedAt, 1);

		const source = await developerIdentity(t.client, poolId, "bob-source");
		clock.advanceBy(5_000);
		const mergedAt = clock.now();
		await t.client.send(
			new MergeDeveloperIdentitiesCommand({
				IdentityPoolId: poolId,
				DeveloperProviderName: DEV_PROVIDER,
				SourceUserIdentifier: "bob-source",
				DestinationUserIdentifier: "bob",
			}),
		);
		out = await describeIdentity(id);
		assert.deepEqual(out.Logins, [DEV_PROVIDER]);
		assertCloseTo(out.CreationDate, createdAt, 1);
		assertCloseTo(out.LastModifiedDate, mergedAt, 1);
		// The merged-away identity changed too.
		const merged = await describeIdentity(source);
		assertCloseTo(merged.LastModifiedDate, mergedAt, 1);
	});

	test("a merged-away identity is still described, without Logins", async () => {
		const source = await developerIdentity(t.client, poolId, "carol-source");
		const destination = await developerIdentity(t.client, poolId, "carol");
		await t.client.send(
			new MergeDeveloperIdentitiesCommand({
				IdentityPoolId: poolId,
				DeveloperProviderName: DEV_PROVIDER,
				SourceUserIdentifier: "carol-source",
				DestinationUserIdentifier: "carol",
			}),
		);
		const out = await describeIdentity(source);
		assert.equal(out.IdentityId, source);
		assert.equal(out.Logins, undefined);
		assert.ok(out.CreationDate instanceof Date);
		assert.ok(out.LastModifiedDate instanceof Date);
		assert.deepEqual((await describeIdentity(destination)).Logins, [
			DEV_PROVIDER,
		]);
	});

	test("an identity whose last login was unlinked is described without Logins", async () => {
		const id = await developerIdentity(t.client, poolId, "dave");
		await t.client.send(
			new UnlinkDeveloperIdentityCommand({
				IdentityPoolId: poolId,
				IdentityId: id,
				DeveloperProviderName: DEV_PROVIDER,
				DeveloperUserIdentifier: "dave",
			}),
		);
		const out = await describeIdentity(id);
		assert.equal(out.IdentityId, id);
		assert.equal(out.Logins, undefined);
		assert.ok(out.CreationDate instanceof Date);
	});

	test("an unknown identity is ResourceNotFoundException with AWS's message", async () => {
		const id = "us-east-1:00000000-0000-4000-8000-000000000000";
		await rejectsWith(
			describeIdentity(id),
			"ResourceNotFoundException",
			`Identity '${id}' not found.`,
		);
	});

	test("an identity of another region is not found", async () => {
		const id = await developerIdentity(t.client, poolId, "erin");
		const eu = t.sdk({ region: "eu-west-1" });
		await rejectsWith(
			eu.send(new DescribeIdentityCommand({ IdentityId: id })),
			"ResourceNotFoundException",
			`Identity '${id}' not found.`,
		);
	});

	test("an identity of another account is not found", async () => {
		const id = await developerIdentity(t.client, poolId, "frank");
		const other = t.sdk(OTHER_ACCOUNT);
		await rejectsWith(
			other.send(new DescribeIdentityCommand({ IdentityId: id })),
			"ResourceNotFoundException",
			`Identity '${id}' not found.`,
		);
	});

	test("a malformed identity id is ValidationException", async () => {
		await rejectsWith(
			describeIdentity("not an id"),
			"ValidationException",
			"1 validation error detected: Value 'not an id' at 'identityId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+:[0-9a-f-]+",
		);
	});
});
