/**
 * What the log keeps of an error the store raised. PostgreSQL's errors carry the values of
 * the row they are about (`detail`: `Failing row contains (...)`, `Key (...)=(...) already
 * exists`), which may be a user's identifier or a secret (an issued credential's key): the
 * log line keeps the SQLSTATE, the constraint, table and message, never those values
 * (docs/operating.md#logs).
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
	CreateIdentityPoolCommand,
	GetOpenIdTokenForDeveloperIdentityCommand,
} from "@aws-sdk/client-cognito-identity";
import pg from "pg";
import { freshSchema, POSTGRES_URL } from "../support/postgres.ts";
import { capturedLog, rejectsWith, withServer } from "../support/server.ts";
import { describeForEngine } from "../support/stores.ts";

const USER = "user-whose-id-is-private@example.com";

describeForEngine("postgres", "a PostgreSQL error in the log", () => {
	let schema: Awaited<ReturnType<typeof freshSchema>>;
	before(async () => {
		schema = await freshSchema();
	});
	after(async () => {
		await schema?.drop();
	});

	test("an insert the database refuses: 500, logged with its SQLSTATE and constraint, without the row's values", async () => {
		const log = capturedLog();
		await withServer(
			{ config: { db: schema.url, logLevel: "info" }, logStream: log.stream },
			async (t) => {
				const pool = await t.client.send(
					new CreateIdentityPoolCommand({
						IdentityPoolName: "logs",
						AllowUnauthenticatedIdentities: false,
						DeveloperProviderName: "login.example.app",
					}),
				);
				// A rule the database enforces and idpool does not know: every new login breaks it.
				const admin = new pg.Client({ connectionString: POSTGRES_URL });
				await admin.connect();
				try {
					await admin.query(
						`ALTER TABLE ${schema.schema}.identity_logins ADD CONSTRAINT idpool_test_refuse CHECK (subject <> '${USER}')`,
					);
				} finally {
					await admin.end();
				}
				await rejectsWith(
					t.client.send(
						new GetOpenIdTokenForDeveloperIdentityCommand({
							IdentityPoolId: pool.IdentityPoolId,
							Logins: { "login.example.app": USER },
						}),
					),
					"InternalErrorException",
					undefined,
					500,
				);
				const errors = log.lines.filter((l) => l.level >= 50);
				assert.ok(errors.length > 0, "the failure is logged");
				const text = JSON.stringify(errors);
				assert.ok(!text.includes(USER), `no value of the row: ${text}`);
				assert.ok(
					!text.includes(pool.IdentityPoolId as string),
					`no value of the row: ${text}`,
				);
				const err = errors.map((l) => l.err as Record<string, unknown>)[0];
				assert.equal(err?.code, "23514");
				assert.equal(err?.constraint, "idpool_test_refuse");
				assert.match(String(err?.message), /idpool_test_refuse/);
			},
		);
	});
});
