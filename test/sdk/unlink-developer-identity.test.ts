import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import {
	type CognitoIdentityClient,
	CreateIdentityPoolCommand,
	DescribeIdentityCommand,
	LookupDeveloperIdentityCommand,
	MergeDeveloperIdentitiesCommand,
	UnlinkDeveloperIdentityCommand,
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

describe("UnlinkDeveloperIdentity (JS v3 SDK)", () => {
	let poolId: string;
	const t = useServer({ credentials: TWO_ACCOUNTS });
	before(async () => {
		poolId = await createDeveloperPool(t.client);
	});

	const unlink = (
		identityId: string,
		userId: string,
		options: {
			provider?: string;
			poolId?: string;
			client?: CognitoIdentityClient;
		} = {},
	) =>
		(options.client ?? t.client).send(
			new UnlinkDeveloperIdentityCommand({
				IdentityPoolId: options.poolId ?? poolId,
				IdentityId: identityId,
				DeveloperProviderName: options.provider ?? DEV_PROVIDER,
				DeveloperUserIdentifier: userId,
			}),
		);

	async function identifiersOf(identityId: string): Promise<string[]> {
		const out = await t.client.send(
			new LookupDeveloperIdentityCommand({
				IdentityPoolId: poolId,
				IdentityId: identityId,
			}),
		);
		return out.DeveloperUserIdentifierList ?? [];
	}

	test("unlinking one of two identifiers: that user is a new identity next time, the identity stays usable", async () => {
		const id = await developerIdentity(t.client, poolId, "alice");
		await developerIdentity(t.client, poolId, "alice-2", id);
		const out = await unlink(id, "alice-2");
		assert.deepEqual(Object.keys(out), ["$metadata"]);
		assert.equal(out.$metadata.httpStatusCode, 200);
		assert.deepEqual(await identifiersOf(id), ["alice"]);

		const fresh = await developerIdentity(t.client, poolId, "alice-2");
		assert.notEqual(fresh, id);
		// The identity keeps its other user and still takes new ones.
		assert.equal(await developerIdentity(t.client, poolId, "alice"), id);
		assert.equal(await developerIdentity(t.client, poolId, "alice-3", id), id);
		const described = await t.client.send(
			new DescribeIdentityCommand({ IdentityId: id }),
		);
		assert.deepEqual(described.Logins, [DEV_PROVIDER]);
		const visible = (
			await listAllIdentities(t.client, poolId, { hideDisabled: true })
		).map((i) => i.IdentityId);
		assert.ok(visible.includes(id));
	});

	test("unlinking the last identifier leaves the identity inaccessible", async () => {
		const id = await developerIdentity(t.client, poolId, "bob");
		await unlink(id, "bob");
		const described = await t.client.send(
			new DescribeIdentityCommand({ IdentityId: id }),
		);
		assert.equal(described.IdentityId, id);
		assert.equal(described.Logins, undefined);
		assert.deepEqual(await identifiersOf(id), []);
		await rejectsWith(
			developerIdentity(t.client, poolId, "bob-new", id),
			"NotAuthorizedException",
			`Access to Identity '${id}' is forbidden.`,
		);
		// The user is a new identity next time it is seen.
		const fresh = await developerIdentity(t.client, poolId, "bob");
		assert.notEqual(fresh, id);
		await rejectsWith(
			developerIdentity(t.client, poolId, "bob", id),
			"NotAuthorizedException",
			`Access to Identity '${id}' is forbidden.`,
		);
		// It counts as disabled: listed, but hidden by HideDisabled.
		assert.ok(
			(await listAllIdentities(t.client, poolId)).some(
				(i) => i.IdentityId === id,
			),
		);
		assert.ok(
			!(await listAllIdentities(t.client, poolId, { hideDisabled: true })).some(
				(i) => i.IdentityId === id,
			),
		);
	});

	test("an identifier not linked to that identity is ResourceConflictException, and nothing changes", async () => {
		const id = await developerIdentity(t.client, poolId, "carol");
		const other = await developerIdentity(t.client, poolId, "carol-other");
		const message = `The login of ${DEV_PROVIDER} is not linked to identity '${id}'.`;
		await rejectsWith(
			unlink(id, "carol-other"),
			"ResourceConflictException",
			message,
		);
		await rejectsWith(
			unlink(id, "never-seen"),
			"ResourceConflictException",
			message,
		);
		assert.deepEqual(await identifiersOf(id), ["carol"]);
		assert.deepEqual(await identifiersOf(other), ["carol-other"]);
		assert.equal(
			await developerIdentity(t.client, poolId, "carol-other"),
			other,
		);
		// Unlinking twice: the second time it is no longer linked.
		await unlink(id, "carol");
		await rejectsWith(
			unlink(id, "carol"),
			"ResourceConflictException",
			message,
		);
	});

	test("a merged-away identity holds no identifier to unlink", async () => {
		const source = await developerIdentity(t.client, poolId, "dave-src");
		const destination = await developerIdentity(t.client, poolId, "dave");
		await t.client.send(
			new MergeDeveloperIdentitiesCommand({
				IdentityPoolId: poolId,
				DeveloperProviderName: DEV_PROVIDER,
				SourceUserIdentifier: "dave-src",
				DestinationUserIdentifier: "dave",
			}),
		);
		await rejectsWith(
			unlink(source, "dave-src"),
			"ResourceConflictException",
			`The login of ${DEV_PROVIDER} is not linked to identity '${source}'.`,
		);
		// Unlinking it from the destination works.
		await unlink(destination, "dave-src");
		assert.deepEqual(await identifiersOf(destination), ["dave"]);
		const fresh = await developerIdentity(t.client, poolId, "dave-src");
		assert.notEqual(fresh, source);
		assert.notEqual(fresh, destination);
	});

	test("an unknown identity, or one of another pool or account, is ResourceNotFoundException", async () => {
		await developerIdentity(t.client, poolId, "erin");
		await rejectsWith(
			unlink(UNKNOWN, "erin"),
			"ResourceNotFoundException",
			`Identity '${UNKNOWN}' not found.`,
		);
		const otherPool = await createDeveloperPool(t.client, { name: "other" });
		const elsewhere = await developerIdentity(t.client, otherPool, "erin");
		await rejectsWith(
			unlink(elsewhere, "erin"),
			"ResourceNotFoundException",
			`Identity '${elsewhere}' not found.`,
		);
		const other = t.sdk(OTHER_ACCOUNT);
		const theirPool = await createDeveloperPool(other);
		await rejectsWith(
			unlink(elsewhere, "erin", { client: other, poolId: theirPool }),
			"ResourceNotFoundException",
			`Identity '${elsewhere}' not found.`,
		);
		await rejectsWith(
			unlink(elsewhere, "erin", { client: other, poolId: otherPool }),
			"ResourceNotFoundException",
			`IdentityPool '${otherPool}' not found.`,
		);
		assert.deepEqual(
			(
				await t.client.send(
					new LookupDeveloperIdentityCommand({
						IdentityPoolId: otherPool,
						IdentityId: elsewhere,
					}),
				)
			).DeveloperUserIdentifierList,
			["erin"],
		);
	});

	test("an unknown pool is ResourceNotFoundException", async () => {
		await rejectsWith(
			unlink(UNKNOWN, "x", { poolId: UNKNOWN }),
			"ResourceNotFoundException",
			`IdentityPool '${UNKNOWN}' not found.`,
		);
	});

	test("another developer provider name, or a pool without one, is NotAuthorizedException", async () => {
		const id = await developerIdentity(t.client, poolId, "frank");
		await rejectsWith(
			unlink(id, "frank", { provider: "other.example.app" }),
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
			unlink(id, "frank", { poolId: plain.IdentityPoolId as string }),
			"NotAuthorizedException",
			"This identity pool does not support the specified developer provider",
		);
		assert.deepEqual(await identifiersOf(id), ["frank"]);
	});
});
