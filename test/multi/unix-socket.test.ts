/**
 * A PostgreSQL reached through its Unix socket (docs/deployment.md, "Several servers on
 * PostgreSQL"): `IDPOOL_DB=postgres://user@<the socket's folder, URL-encoded>/db`. The
 * machine's PostgreSQL may listen on TCP alone, so the test makes a socket of its own: a
 * proxy listening at `<folder>/.s.PGSQL.5432`, the name PostgreSQL's clients look for in a
 * socket folder, that carries each connection to the database's TCP port (the suites'
 * cuttable proxy, on a socket). Its count of connections shows that the built server went
 * through the socket.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import {
	CreateIdentityPoolCommand,
	GetOpenIdTokenForDeveloperIdentityCommand,
} from "@aws-sdk/client-cognito-identity";
import { serveIdpool } from "../support/cli.ts";
import {
	CuttableProxy,
	freshSchema,
	POSTGRES_URL,
	postgresTarget,
} from "../support/postgres.ts";
import { sdkClient } from "../support/server.ts";
import { describeForEngine } from "../support/stores.ts";

const DEV = "login.example.app";

describeForEngine("postgres", "PostgreSQL through a Unix socket", () => {
	const folder = mkdtempSync(join(tmpdir(), "idpool-pg-socket-"));
	const proxy = new CuttableProxy(postgresTarget(), {
		socketPath: join(folder, ".s.PGSQL.5432"),
	});
	let schema: Awaited<ReturnType<typeof freshSchema>>;

	before(async () => {
		schema = await freshSchema();
		await proxy.open();
	});
	after(async () => {
		await proxy.cut();
		await schema?.drop();
		rmSync(folder, { recursive: true, force: true });
	});

	test("the server keeps its identities there, through the socket", async () => {
		// The user, password and database of the test database's URL; the socket's folder as
		// the host, and no port (the socket's name carries the default, 5432).
		const tcp = new URL(POSTGRES_URL);
		const user = tcp.password
			? `${tcp.username}:${tcp.password}`
			: tcp.username;
		const db = `postgres://${user}@${encodeURIComponent(folder)}${tcp.pathname}?schema=${schema.schema}`;
		const server = await serveIdpool(["--port", "0"], {
			env: { IDPOOL_DB: db },
		});
		try {
			assert.ok(
				proxy.connections > 0,
				"the server connected through the socket",
			);
			const client = sdkClient(server.url);
			const pool = await client.send(
				new CreateIdentityPoolCommand({
					IdentityPoolName: "socket",
					AllowUnauthenticatedIdentities: false,
					DeveloperProviderName: DEV,
				}),
			);
			const call = () =>
				client.send(
					new GetOpenIdTokenForDeveloperIdentityCommand({
						IdentityPoolId: pool.IdentityPoolId,
						Logins: { [DEV]: "through-the-socket" },
					}),
				);
			const first = await call();
			assert.equal((await call()).IdentityId, first.IdentityId);
			client.destroy();
		} finally {
			assert.equal(await server.stop(), 0);
		}
		// What it wrote is in the schema, as over TCP.
		const count = await countIdentities(schema.schema);
		assert.equal(count, 1);
	});
});

async function countIdentities(name: string): Promise<number> {
	const { default: pg } = await import("pg");
	const client = new pg.Client({ connectionString: POSTGRES_URL });
	await client.connect();
	try {
		const { rows } = await client.query<{ n: string }>(
			`SELECT count(*) AS n FROM ${name}.identities`,
		);
		return Number(rows[0]?.n);
	} finally {
		await client.end();
	}
}
