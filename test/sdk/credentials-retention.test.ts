/**
 * Issued credentials do not pile up: a server deletes those that expired more than a day ago
 * (at start and every ten minutes), and keeps the others, so that the STS endpoint can still
 * tell expired credentials from unknown ones.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
	CognitoIdentityClient,
	CreateIdentityPoolCommand,
	GetCredentialsForIdentityCommand,
	GetIdCommand,
	SetIdentityPoolRolesCommand,
} from "@aws-sdk/client-cognito-identity";
import { FakeClock } from "../../src/lib/clock.ts";
import {
	CREDENTIALS_RETENTION_MS,
	createServer,
} from "../../src/server/create-server.ts";
import { openStore } from "../../src/server/open-store.ts";
import { sdkClient, startServer, type TestServer } from "../support/server.ts";

describe("retention of issued credentials", () => {
	const clock = new FakeClock(Date.now());
	let ts: TestServer;
	let app: CognitoIdentityClient;
	let poolId: string;

	before(async () => {
		ts = await startServer({ clock });
		app = new CognitoIdentityClient({
			endpoint: ts.url,
			region: "us-east-1",
			maxAttempts: 1,
		});
		const admin = sdkClient(ts.url);
		const pool = await admin.send(
			new CreateIdentityPoolCommand({
				IdentityPoolName: "retention",
				AllowUnauthenticatedIdentities: true,
			}),
		);
		poolId = pool.IdentityPoolId as string;
		await admin.send(
			new SetIdentityPoolRolesCommand({
				IdentityPoolId: poolId,
				Roles: { unauthenticated: "arn:aws:iam::000000000000:role/Guest" },
			}),
		);
		admin.destroy();
	});
	after(async () => {
		app.destroy();
		await ts.stop();
	});

	/** Credentials for a new guest (public operations: no signature, so the clock may move). */
	async function guestCredentials(): Promise<string> {
		const { IdentityId } = await app.send(
			new GetIdCommand({ IdentityPoolId: poolId }),
		);
		const out = await app.send(
			new GetCredentialsForIdentityCommand({ IdentityId }),
		);
		return out.Credentials?.AccessKeyId as string;
	}

	test("credentials are deleted a day after they expire, not before", async () => {
		const store = ts.server.store;
		const old = await guestCredentials();
		// One hour of validity, then almost a day of retention: still kept.
		clock.advanceBy(3600_000 + CREDENTIALS_RETENTION_MS - 60_000);
		const recent = await guestCredentials();
		assert.equal(await ts.server.pruneExpiredCredentials(), 0);
		assert.ok(await store.credentials.get(old));

		clock.advanceBy(120_000);
		assert.equal(await ts.server.pruneExpiredCredentials(), 1);
		assert.equal(await store.credentials.get(old), undefined);
		assert.ok(await store.credentials.get(recent));
	});

	test("a server deletes them when it starts", async () => {
		const old = await guestCredentials();
		clock.advanceBy(3600_000 + CREDENTIALS_RETENTION_MS + 60_000);
		// Restart on the same file: the start-up prune runs in the background, and close()
		// waits for it before closing the database.
		await ts.stop({ keepData: true });
		const restarted = await createServer(ts.server.config, { clock });
		await restarted.listen();
		await restarted.close();
		const store = await openStore(ts.dbPath);
		try {
			await store.migrate();
			assert.equal(await store.credentials.get(old), undefined);
		} finally {
			await store.close();
		}
		ts = await startServer({ dbPath: ts.dbPath, clock });
	});
});
