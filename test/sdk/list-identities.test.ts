import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
	DeleteIdentitiesCommand,
	ListIdentitiesCommand,
	type ListIdentitiesCommandOutput,
	ListIdentityPoolsCommand,
	MergeDeveloperIdentitiesCommand,
	UnlinkDeveloperIdentityCommand,
} from "@aws-sdk/client-cognito-identity";
import {
	assertCloseTo,
	createDeveloperPool,
	DEV_PROVIDER,
	developerIdentity,
	listAllIdentities,
	OTHER_ACCOUNT,
	TWO_ACCOUNTS,
} from "../support/identities.ts";
import { rejectsWith, useServer } from "../support/server.ts";

describe("ListIdentities (JS v3 SDK)", () => {
	const t = useServer({ credentials: TWO_ACCOUNTS });

	const ids = (page: ListIdentitiesCommandOutput) =>
		(page.Identities ?? []).map((i) => i.IdentityId as string);

	test("an empty pool answers Identities: [] without a token, echoing the pool id", async () => {
		const poolId = await createDeveloperPool(t.client, { name: "empty" });
		const out = await t.client.send(
			new ListIdentitiesCommand({ IdentityPoolId: poolId, MaxResults: 10 }),
		);
		assert.equal(out.IdentityPoolId, poolId);
		assert.deepEqual(out.Identities, []);
		assert.equal(out.NextToken, undefined);
		const hidden = await t.client.send(
			new ListIdentitiesCommand({
				IdentityPoolId: poolId,
				MaxResults: 10,
				HideDisabled: true,
			}),
		);
		assert.deepEqual(hidden.Identities, []);
	});

	test("items are identity descriptions, in creation order, of this pool only", async () => {
		const poolId = await createDeveloperPool(t.client, { name: "items" });
		const otherPool = await createDeveloperPool(t.client, { name: "items-2" });
		const a = await developerIdentity(t.client, poolId, "a");
		await developerIdentity(t.client, otherPool, "a");
		const b = await developerIdentity(t.client, poolId, "b");
		const out = await t.client.send(
			new ListIdentitiesCommand({ IdentityPoolId: poolId, MaxResults: 60 }),
		);
		assert.equal(out.IdentityPoolId, poolId);
		assert.deepEqual(ids(out), [a, b]);
		assert.equal(out.NextToken, undefined);
		const first = out.Identities?.[0];
		assert.deepEqual(first?.Logins, [DEV_PROVIDER]);
		assertCloseTo(first?.CreationDate, Date.now());
		assertCloseTo(first?.LastModifiedDate, Date.now());
	});

	test("MaxResults is required, 1..60", async () => {
		const poolId = await createDeveloperPool(t.client, { name: "max" });
		await rejectsWith(
			t.client.send(
				new ListIdentitiesCommand({
					IdentityPoolId: poolId,
				} as unknown as { IdentityPoolId: string; MaxResults: number }),
			),
			"ValidationException",
			"1 validation error detected: Value null at 'maxResults' failed to satisfy constraint: Member must not be null",
		);
		await rejectsWith(
			t.client.send(
				new ListIdentitiesCommand({ IdentityPoolId: poolId, MaxResults: 0 }),
			),
			"ValidationException",
			"1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1",
		);
		await rejectsWith(
			t.client.send(
				new ListIdentitiesCommand({ IdentityPoolId: poolId, MaxResults: 61 }),
			),
			"ValidationException",
			"1 validation error detected: Value '61' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 60",
		);
		const out = await t.client.send(
			new ListIdentitiesCommand({ IdentityPoolId: poolId, MaxResults: 60 }),
		);
		assert.deepEqual(out.Identities, []);
	});

	test("pages through every identity with creations and deletions between pages", async () => {
		const poolId = await createDeveloperPool(t.client, { name: "paged" });
		const created: string[] = [];
		for (let i = 0; i < 8; i++)
			created.push(await developerIdentity(t.client, poolId, `user-${i}`));
		const seen: string[] = [];
		const first = await t.client.send(
			new ListIdentitiesCommand({ IdentityPoolId: poolId, MaxResults: 3 }),
		);
		assert.equal(first.IdentityPoolId, poolId);
		assert.deepEqual(ids(first), created.slice(0, 3));
		seen.push(...ids(first));
		assert.ok(first.NextToken);

		// Between pages: one already listed and one not yet listed are deleted, one is created.
		const late = await developerIdentity(t.client, poolId, "late");
		await t.client.send(
			new DeleteIdentitiesCommand({
				IdentityIdsToDelete: [created[2] as string, created[4] as string],
			}),
		);
		let token: string | undefined = first.NextToken;
		let pages = 1;
		let later: string | undefined;
		while (token) {
			const page: ListIdentitiesCommandOutput = await t.client.send(
				new ListIdentitiesCommand({
					IdentityPoolId: poolId,
					MaxResults: 3,
					NextToken: token,
				}),
			);
			assert.equal(page.IdentityPoolId, poolId);
			assert.ok((page.Identities ?? []).length <= 3);
			seen.push(...ids(page));
			token = page.NextToken;
			pages++;
			if (pages === 2) {
				// And again between the second and third pages.
				assert.deepEqual(seen.slice(3), [created[3], created[5], created[6]]);
				later = await developerIdentity(t.client, poolId, "later");
				await t.client.send(
					new DeleteIdentitiesCommand({
						IdentityIdsToDelete: [created[7] as string],
					}),
				);
			}
		}
		assert.ok(pages >= 3);
		// Every identity that existed throughout (0, 1, 3, 5, 6) is listed exactly once, in
		// creation order; one deleted after it was listed (2) was listed once; those deleted
		// before they were reached (4, 7) are not; those created meanwhile follow.
		assert.equal(new Set(seen).size, seen.length, "no identity repeated");
		const [c0, c1, c2, c3, , c5, c6] = created;
		assert.deepEqual(seen, [c0, c1, c2, c3, c5, c6, late, later]);
	});

	test("HideDisabled leaves out merged-away and inaccessible identities", async () => {
		const poolId = await createDeveloperPool(t.client, { name: "hide" });
		const active = await developerIdentity(t.client, poolId, "active");
		const source = await developerIdentity(t.client, poolId, "source");
		const destination = await developerIdentity(
			t.client,
			poolId,
			"destination",
		);
		const unlinked = await developerIdentity(t.client, poolId, "unlinked");
		const last = await developerIdentity(t.client, poolId, "last");
		await t.client.send(
			new MergeDeveloperIdentitiesCommand({
				IdentityPoolId: poolId,
				DeveloperProviderName: DEV_PROVIDER,
				SourceUserIdentifier: "source",
				DestinationUserIdentifier: "destination",
			}),
		);
		await t.client.send(
			new UnlinkDeveloperIdentityCommand({
				IdentityPoolId: poolId,
				IdentityId: unlinked,
				DeveloperProviderName: DEV_PROVIDER,
				DeveloperUserIdentifier: "unlinked",
			}),
		);
		const all = await listAllIdentities(t.client, poolId);
		assert.deepEqual(
			all.map((i) => i.IdentityId),
			[active, source, destination, unlinked, last],
		);
		// Disabled ones are listed, without Logins.
		assert.equal(all[1]?.Logins, undefined);
		assert.equal(all[3]?.Logins, undefined);
		assert.deepEqual(
			(await listAllIdentities(t.client, poolId, { hideDisabled: false })).map(
				(i) => i.IdentityId,
			),
			[active, source, destination, unlinked, last],
		);
		const shown = [active, destination, last];
		assert.deepEqual(
			(await listAllIdentities(t.client, poolId, { hideDisabled: true })).map(
				(i) => i.IdentityId,
			),
			shown,
		);
		// Hidden identities take no room in a page.
		const paged = await listAllIdentities(t.client, poolId, {
			hideDisabled: true,
			pageSize: 1,
		});
		assert.deepEqual(
			paged.map((i) => i.IdentityId),
			shown,
		);
		const firstTwo = await t.client.send(
			new ListIdentitiesCommand({
				IdentityPoolId: poolId,
				MaxResults: 2,
				HideDisabled: true,
			}),
		);
		assert.deepEqual(ids(firstTwo), [active, destination]);
		assert.ok(firstTwo.NextToken);
	});

	test("a NextToken of another pool, of the other HideDisabled view, or garbage is InvalidParameterException", async () => {
		const poolA = await createDeveloperPool(t.client, { name: "token-a" });
		const poolB = await createDeveloperPool(t.client, { name: "token-b" });
		for (const u of ["x", "y", "z"]) {
			await developerIdentity(t.client, poolA, u);
			await developerIdentity(t.client, poolB, u);
		}
		const pageA = await t.client.send(
			new ListIdentitiesCommand({ IdentityPoolId: poolA, MaxResults: 1 }),
		);
		assert.ok(pageA.NextToken);
		await rejectsWith(
			t.client.send(
				new ListIdentitiesCommand({
					IdentityPoolId: poolB,
					MaxResults: 1,
					NextToken: pageA.NextToken,
				}),
			),
			"InvalidParameterException",
		);
		await rejectsWith(
			t.client.send(
				new ListIdentitiesCommand({
					IdentityPoolId: poolA,
					MaxResults: 1,
					HideDisabled: true,
					NextToken: pageA.NextToken,
				}),
			),
			"InvalidParameterException",
		);
		const hiddenA = await t.client.send(
			new ListIdentitiesCommand({
				IdentityPoolId: poolA,
				MaxResults: 1,
				HideDisabled: true,
			}),
		);
		assert.ok(hiddenA.NextToken);
		await rejectsWith(
			t.client.send(
				new ListIdentitiesCommand({
					IdentityPoolId: poolA,
					MaxResults: 1,
					NextToken: hiddenA.NextToken,
				}),
			),
			"InvalidParameterException",
		);
		await rejectsWith(
			t.client.send(
				new ListIdentitiesCommand({
					IdentityPoolId: poolA,
					MaxResults: 1,
					NextToken: "not-a-token",
				}),
			),
			"InvalidParameterException",
		);
		// A token of another operation.
		const pools = await t.client.send(
			new ListIdentityPoolsCommand({ MaxResults: 1 }),
		);
		assert.ok(pools.NextToken);
		await rejectsWith(
			t.client.send(
				new ListIdentitiesCommand({
					IdentityPoolId: poolA,
					MaxResults: 1,
					NextToken: pools.NextToken,
				}),
			),
			"InvalidParameterException",
		);
		// The right token continues, and HideDisabled: false is the same view as omitting it.
		const next = await t.client.send(
			new ListIdentitiesCommand({
				IdentityPoolId: poolA,
				MaxResults: 1,
				HideDisabled: false,
				NextToken: pageA.NextToken,
			}),
		);
		assert.equal(next.Identities?.length, 1);
		assert.notDeepEqual(ids(next), ids(pageA));
		const nextHidden = await t.client.send(
			new ListIdentitiesCommand({
				IdentityPoolId: poolA,
				MaxResults: 1,
				HideDisabled: true,
				NextToken: hiddenA.NextToken,
			}),
		);
		assert.deepEqual(ids(nextHidden), ids(next));
	});

	test("an unknown pool is ResourceNotFoundException with AWS's message", async () => {
		const id = "us-east-1:00000000-0000-4000-8000-000000000000";
		await rejectsWith(
			t.client.send(
				new ListIdentitiesCommand({ IdentityPoolId: id, MaxResults: 10 }),
			),
			"ResourceNotFoundException",
			`IdentityPool '${id}' not found.`,
		);
	});

	test("a pool of another account or region is not found", async () => {
		const poolId = await createDeveloperPool(t.client, { name: "tenant" });
		await developerIdentity(t.client, poolId, "someone");
		const other = t.sdk(OTHER_ACCOUNT);
		await rejectsWith(
			other.send(
				new ListIdentitiesCommand({ IdentityPoolId: poolId, MaxResults: 10 }),
			),
			"ResourceNotFoundException",
			`IdentityPool '${poolId}' not found.`,
		);
		const eu = t.sdk({ region: "eu-west-1" });
		await rejectsWith(
			eu.send(
				new ListIdentitiesCommand({ IdentityPoolId: poolId, MaxResults: 10 }),
			),
			"ResourceNotFoundException",
			`IdentityPool '${poolId}' not found.`,
		);
	});
});
