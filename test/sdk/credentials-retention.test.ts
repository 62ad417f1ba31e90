/**
 * Issued credentials do not pile up: a server deletes those that expired more than a day ago
 * (at start and every ten minutes), and keeps the others, so that the STS endpoint can still
 * tell expired credentials from unknown ones.
 */
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import {
	CreateIdentityPoolCommand,
	GetCredentialsForIdentityCommand,
	GetIdCommand,
	SetIdentityPoolRolesCommand,
} from "@aws-sdk/client-cognito-identity";
import { FakeClock } from "../../src/lib/clock.ts";
import { CREDENTIALS_RETENTION_MS } from "../../src/server/create-server.ts";
import { openStore } from "../../src/server/open-store.ts";
import { useServer, withServer } from "../support/server.ts";

describe("retention of issued credentials", () => {
	const clock = new FakeClock(Date.now());
	const t = useServer({ clock });
	let poolId: string;
	before(async () => {
		const pool = await t.client.send(
			new CreateIdentityPoolCommand({
				IdentityPoolName: "retention",
				AllowUnauthenticatedIdentities: true,
			}),
		);
		poolId = pool.IdentityPoolId as string;
		await t.client.send(
			new SetIdentityPoolRolesCommand({
				IdentityPoolId: poolId,
				Roles: { unauthenticated: "arn:aws:iam::000000000000:role/Guest" },
			}),
		);
	});

	/** Credentials for a new guest (public operations: no signature, so the clock may move). */
	async function guestCredentials(): Promise<string> {
		const { IdentityId } = await t.app.send(
			new GetIdCommand({ IdentityPoolId: poolId }),
		);
		const out = await t.app.send(
			new GetCredentialsForIdentityCommand({ IdentityId }),
		);
		return out.Credentials?.AccessKeyId as string;
	}

	test("credentials are deleted a day after they expire, not before", async () => {
		const store = t.server.store;
		const old = await guestCredentials();
		// One hour of validity, then almost a day of retention: still kept.
		clock.advanceBy(3600_000 + CREDENTIALS_RETENTION_MS - 60_000);
		const recent = await guestCredentials();
		assert.equal(await t.server.pruneExpiredCredentials(), 0);
		assert.ok(await store.credentials.get(old));

		clock.advanceBy(120_000);
		assert.equal(await t.server.pruneExpiredCredentials(), 1);
		assert.equal(await store.credentials.get(old), undefined);
		assert.ok(await store.credentials.get(recent));
	});

	test("a server deletes them when it starts", async () => {
		const old = await guestCredentials();
		clock.advanceBy(3600_000 + CREDENTIALS_RETENTION_MS + 60_000);
		// A second server on the same file: its start-up prune runs in the background, and
		// close() waits for it before closing the database.
		await withServer({ config: { db: t.dbPath }, clock }, async () => {});
		const store = await openStore(t.dbPath);
		try {
			await store.migrate();
			assert.equal(await store.credentials.get(old), undefined);
		} finally {
			await store.close();
		}
	});
});
