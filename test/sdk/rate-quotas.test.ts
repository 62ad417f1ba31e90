/**
 * Rate quotas (`--rate-limits`) over the wire: a signed call counts against its caller's
 * account, a public one against the account that owns the pool it names, so one account's
 * traffic (or anonymous calls for pools that do not exist) never throttles another's. The
 * clock stands still, so the buckets do not refill during a test.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
	CreateIdentityPoolCommand,
	GetIdCommand,
	ListIdentitiesCommand,
} from "@aws-sdk/client-cognito-identity";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { FakeClock } from "../../src/lib/clock.ts";
import { OTHER_ACCOUNT, TWO_ACCOUNTS } from "../support/identities.ts";
import { rejectsWith, stsClient, useServer } from "../support/server.ts";

const RATE = 3;

describe("rate quotas, per account", () => {
	const t = useServer({
		credentials: TWO_ACCOUNTS,
		clock: new FakeClock(),
		config: {
			rateLimits: {
				GetId: RATE,
				ListIdentities: RATE,
				GetCallerIdentity: RATE,
			},
		},
	});

	const guestPool = async (client = t.client) =>
		(
			await client.send(
				new CreateIdentityPoolCommand({
					IdentityPoolName: "quota",
					AllowUnauthenticatedIdentities: true,
				}),
			)
		).IdentityPoolId as string;

	test("public calls count against the pool's owner; calls for no pool count against nobody", async () => {
		const mine = await guestPool();
		const theirs = await guestPool(t.sdk(OTHER_ACCOUNT));
		// Many anonymous calls for a pool that does not exist: not found, never throttled.
		for (let i = 0; i < RATE * 4; i++) {
			await rejectsWith(
				t.app.send(
					new GetIdCommand({
						IdentityPoolId: "us-east-1:00000000-0000-4000-8000-000000000000",
					}),
				),
				"ResourceNotFoundException",
			);
		}
		for (let i = 0; i < RATE; i++) {
			await t.app.send(new GetIdCommand({ IdentityPoolId: mine }));
		}
		await rejectsWith(
			t.app.send(new GetIdCommand({ IdentityPoolId: mine })),
			"TooManyRequestsException",
			"Rate exceeded",
		);
		// The other account's pool has its own quota.
		const out = await t.app.send(new GetIdCommand({ IdentityPoolId: theirs }));
		assert.match(out.IdentityId ?? "", /^us-east-1:/);
	});

	test("signed calls count against the caller's account", async () => {
		const mine = await guestPool();
		const other = t.sdk(OTHER_ACCOUNT);
		const theirs = await guestPool(other);
		const list = (client: typeof other, poolId: string) =>
			client.send(
				new ListIdentitiesCommand({ IdentityPoolId: poolId, MaxResults: 10 }),
			);
		for (let i = 0; i < RATE; i++) await list(t.client, mine);
		await rejectsWith(
			list(t.client, mine),
			"TooManyRequestsException",
			"Rate exceeded",
		);
		await list(other, theirs);
	});

	test("the STS endpoint's calls are counted too, and answered in STS's words", async () => {
		const sts = stsClient(t.url, { region: "us-east-1" });
		try {
			for (let i = 0; i < RATE; i++) {
				await sts.send(new GetCallerIdentityCommand({}));
			}
			await assert.rejects(sts.send(new GetCallerIdentityCommand({})), {
				name: "Throttling",
				message: "Rate exceeded",
			});
		} finally {
			sts.destroy();
		}
	});
});
