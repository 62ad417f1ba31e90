import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import {
	type CognitoIdentityClient,
	CreateIdentityPoolCommand,
	DescribeIdentityCommand,
	LookupDeveloperIdentityCommand,
	MergeDeveloperIdentitiesCommand,
} from "@aws-sdk/client-cognito-identity";
import {
	createDeveloperPool,
	DEV_PROVIDER,
	developerIdentity,
	listAllIdentities,
} from "../support/identities.ts";
import { rejectsWith, useServer } from "../support/server.ts";

const UNKNOWN_POOL = "us-east-1:00000000-0000-4000-8000-000000000000";

function merge(
	client: CognitoIdentityClient,
	poolId: string,
	source: string,
	destination: string,
	provider: string = DEV_PROVIDER,
) {
	return client.send(
		new MergeDeveloperIdentitiesCommand({
			IdentityPoolId: poolId,
			DeveloperProviderName: provider,
			SourceUserIdentifier: source,
			DestinationUserIdentifier: destination,
		}),
	);
}

async function identifiersOf(
	client: CognitoIdentityClient,
	poolId: string,
	identityId: string,
): Promise<string[]> {
	const out = await client.send(
		new LookupDeveloperIdentityCommand({
			IdentityPoolId: poolId,
			IdentityId: identityId,
		}),
	);
	assert.equal(out.IdentityId, identityId);
	return [...(out.DeveloperUserIdentifierList ?? [])].sort();
}

async function visibleIds(
	client: CognitoIdentityClient,
	poolId: string,
): Promise<string[]> {
	return (await listAllIdentities(client, poolId, { hideDisabled: true })).map(
		(i) => i.IdentityId as string,
	);
}

describe("MergeDeveloperIdentities (JS v3 SDK)", () => {
	let poolId: string;
	const t = useServer();
	before(async () => {
		poolId = await createDeveloperPool(t.client);
	});

	test("the source user joins the destination identity; the source identity is disabled", async () => {
		const destination = await developerIdentity(t.client, poolId, "dest");
		const source = await developerIdentity(t.client, poolId, "src");
		assert.notEqual(source, destination);
		const out = await merge(t.client, poolId, "src", "dest");
		assert.equal(out.IdentityId, destination);

		// Both users now resolve to the destination identity.
		assert.equal(await developerIdentity(t.client, poolId, "src"), destination);
		assert.equal(
			await developerIdentity(t.client, poolId, "dest"),
			destination,
		);
		assert.deepEqual(await identifiersOf(t.client, poolId, destination), [
			"dest",
			"src",
		]);
		const bySource = await t.client.send(
			new LookupDeveloperIdentityCommand({
				IdentityPoolId: poolId,
				DeveloperUserIdentifier: "src",
			}),
		);
		assert.equal(bySource.IdentityId, destination);
		assert.deepEqual(await identifiersOf(t.client, poolId, source), []);

		// The source identity is disabled: still described and listed, hidden by HideDisabled,
		// and refused.
		const described = await t.client.send(
			new DescribeIdentityCommand({ IdentityId: source }),
		);
		assert.equal(described.IdentityId, source);
		assert.equal(described.Logins, undefined);
		const all = (await listAllIdentities(t.client, poolId)).map(
			(i) => i.IdentityId,
		);
		assert.ok(all.includes(source));
		const visible = await visibleIds(t.client, poolId);
		assert.ok(!visible.includes(source));
		assert.ok(visible.includes(destination));
		await rejectsWith(
			developerIdentity(t.client, poolId, "newcomer", source),
			"NotAuthorizedException",
			`Access to Identity '${source}' is forbidden.`,
		);
		// The newcomer was not linked anywhere by the refused call.
		await rejectsWith(
			t.client.send(
				new LookupDeveloperIdentityCommand({
					IdentityPoolId: poolId,
					DeveloperUserIdentifier: "newcomer",
				}),
			),
			"ResourceNotFoundException",
		);
		// The destination can still take new users.
		assert.equal(
			await developerIdentity(t.client, poolId, "dest-2", destination),
			destination,
		);
	});

	test("every identifier of the source identity moves", async () => {
		const destination = await developerIdentity(t.client, poolId, "d-1");
		const source = await developerIdentity(t.client, poolId, "s-1");
		await developerIdentity(t.client, poolId, "s-2", source);
		assert.equal(
			(await merge(t.client, poolId, "s-2", "d-1")).IdentityId,
			destination,
		);
		assert.deepEqual(await identifiersOf(t.client, poolId, destination), [
			"d-1",
			"s-1",
			"s-2",
		]);
		assert.equal(await developerIdentity(t.client, poolId, "s-1"), destination);
		assert.equal(await developerIdentity(t.client, poolId, "s-2"), destination);
	});

	test("merges chain: a merged destination can itself be merged away", async () => {
		const a = await developerIdentity(t.client, poolId, "chain-a");
		const b = await developerIdentity(t.client, poolId, "chain-b");
		const c = await developerIdentity(t.client, poolId, "chain-c");
		assert.equal(
			(await merge(t.client, poolId, "chain-a", "chain-b")).IdentityId,
			b,
		);
		assert.equal(
			(await merge(t.client, poolId, "chain-b", "chain-c")).IdentityId,
			c,
		);
		assert.deepEqual(await identifiersOf(t.client, poolId, c), [
			"chain-a",
			"chain-b",
			"chain-c",
		]);
		const visible = await visibleIds(t.client, poolId);
		assert.ok(visible.includes(c));
		assert.ok(!visible.includes(a));
		assert.ok(!visible.includes(b));
	});

	test("merging a user with itself, or users already on one identity, changes nothing", async () => {
		const id = await developerIdentity(t.client, poolId, "same-1");
		await developerIdentity(t.client, poolId, "same-2", id);
		const before = await t.client.send(
			new DescribeIdentityCommand({ IdentityId: id }),
		);
		assert.equal(
			(await merge(t.client, poolId, "same-1", "same-1")).IdentityId,
			id,
		);
		assert.equal(
			(await merge(t.client, poolId, "same-2", "same-1")).IdentityId,
			id,
		);
		assert.equal(
			(await merge(t.client, poolId, "same-1", "same-2")).IdentityId,
			id,
		);
		const after = await t.client.send(
			new DescribeIdentityCommand({ IdentityId: id }),
		);
		assert.deepEqual(after.Logins, [DEV_PROVIDER]);
		assert.deepEqual(after.LastModifiedDate, before.LastModifiedDate);
		assert.ok((await visibleIds(t.client, poolId)).includes(id));
		assert.deepEqual(await identifiersOf(t.client, poolId, id), [
			"same-1",
			"same-2",
		]);
	});

	test("an unknown source or destination user is ResourceNotFoundException", async () => {
		const id = await developerIdentity(t.client, poolId, "known");
		await rejectsWith(
			merge(t.client, poolId, "ghost", "known"),
			"ResourceNotFoundException",
			"Developer user identifier 'ghost' not found.",
		);
		await rejectsWith(
			merge(t.client, poolId, "known", "ghost"),
			"ResourceNotFoundException",
			"Developer user identifier 'ghost' not found.",
		);
		assert.ok((await visibleIds(t.client, poolId)).includes(id));
		assert.equal(await developerIdentity(t.client, poolId, "known"), id);
	});

	test("an unknown pool is ResourceNotFoundException", async () => {
		await rejectsWith(
			merge(t.client, UNKNOWN_POOL, "a", "b"),
			"ResourceNotFoundException",
			`IdentityPool '${UNKNOWN_POOL}' not found.`,
		);
	});

	test("another developer provider name, or a pool without one, is NotAuthorizedException", async () => {
		await developerIdentity(t.client, poolId, "np-1");
		await developerIdentity(t.client, poolId, "np-2");
		await rejectsWith(
			merge(t.client, poolId, "np-1", "np-2", "other.example.app"),
			"NotAuthorizedException",
			"This identity pool does not support the specified developer provider",
		);
		const plain = await t.client.send(
			new CreateIdentityPoolCommand({
				IdentityPoolName: "no-developer",
				AllowUnauthenticatedIdentities: true,
			}),
		);
		await rejectsWith(
			merge(t.client, plain.IdentityPoolId as string, "np-1", "np-2"),
			"NotAuthorizedException",
			"This identity pool does not support the specified developer provider",
		);
		// Nothing was merged.
		assert.notEqual(
			await developerIdentity(t.client, poolId, "np-1"),
			await developerIdentity(t.client, poolId, "np-2"),
		);
	});
});

describe("MergeDeveloperIdentities: the linked-logins limit (maxLogins 3)", () => {
	let poolId: string;
	const t = useServer({ config: { maxLogins: 3 } });
	before(async () => {
		poolId = await createDeveloperPool(t.client);
	});

	test("a merge past the limit is InvalidParameterException and changes nothing", async () => {
		const destination = await developerIdentity(t.client, poolId, "d-1");
		await developerIdentity(t.client, poolId, "d-2", destination);
		const source = await developerIdentity(t.client, poolId, "s-1");
		await developerIdentity(t.client, poolId, "s-2", source);
		const before = await t.client.send(
			new DescribeIdentityCommand({ IdentityId: source }),
		);
		await rejectsWith(
			merge(t.client, poolId, "s-1", "d-1"),
			"InvalidParameterException",
			"An identity can have at most 3 linked logins.",
		);
		assert.deepEqual(await identifiersOf(t.client, poolId, destination), [
			"d-1",
			"d-2",
		]);
		assert.deepEqual(await identifiersOf(t.client, poolId, source), [
			"s-1",
			"s-2",
		]);
		const after = await t.client.send(
			new DescribeIdentityCommand({ IdentityId: source }),
		);
		assert.deepEqual(after.Logins, [DEV_PROVIDER]);
		assert.deepEqual(after.LastModifiedDate, before.LastModifiedDate);
		assert.deepEqual(await visibleIds(t.client, poolId), [destination, source]);
		assert.equal(await developerIdentity(t.client, poolId, "s-1"), source);
	});

	test("a merge reaching exactly the limit is allowed", async () => {
		const destination = await developerIdentity(t.client, poolId, "e-1");
		await developerIdentity(t.client, poolId, "e-2", destination);
		await developerIdentity(t.client, poolId, "f-1");
		assert.equal(
			(await merge(t.client, poolId, "f-1", "e-1")).IdentityId,
			destination,
		);
		assert.deepEqual(await identifiersOf(t.client, poolId, destination), [
			"e-1",
			"e-2",
			"f-1",
		]);
	});
});
