/**
 * `idpool copy` with the built binary (docs/deployment.md#moving-to-another-database): a
 * SQLite database that servers used (pools, developer identities, a guest, a principal tag
 * map, signing keys, issued credentials) is copied into PostgreSQL, and a server there goes
 * on where the first stopped: the same JWKS, a token of before verifies, a returning user
 * gets the same identity, credentials issued before sign calls, a new user is added after the
 * others; copied back into SQLite, the listing is the same again. A database to copy into
 * that holds data is refused, and left as it was.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import {
	type CognitoIdentityClient,
	CreateIdentityPoolCommand,
	type Credentials,
	GetCredentialsForIdentityCommand,
	GetIdCommand,
	GetOpenIdTokenForDeveloperIdentityCommand,
	ListIdentitiesCommand,
	SetIdentityPoolRolesCommand,
	SetPrincipalTagAttributeMapCommand,
} from "@aws-sdk/client-cognito-identity";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import Database from "better-sqlite3";
import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from "jose";
import pg from "pg";
import { type RunningIdpool, runIdpool, serveIdpool } from "../support/cli.ts";
import { freshSchema, POSTGRES_URL } from "../support/postgres.ts";
import { sdkClient, stsClient } from "../support/server.ts";
import { engineSkipReason } from "../support/stores.ts";

const dir = mkdtempSync(join(tmpdir(), "idpool-copy-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const ISSUER = "https://idpool.test";
const DEVELOPER = "login.app";

function serve(db: string): Promise<RunningIdpool> {
	return serveIdpool(["--port", "0", "--db", db, "--issuer", ISSUER]);
}

async function jwks(s: RunningIdpool): Promise<JSONWebKeySet> {
	return (await (
		await fetch(new URL("/.well-known/jwks_uri", s.url))
	).json()) as JSONWebKeySet;
}

/** The developer user `user`'s identity id and token from the server of `client`. */
async function developerToken(
	client: CognitoIdentityClient,
	poolId: string,
	user: string,
): Promise<{ id: string; token: string }> {
	const answer = await client.send(
		new GetOpenIdTokenForDeveloperIdentityCommand({
			IdentityPoolId: poolId,
			Logins: { [DEVELOPER]: user },
		}),
	);
	return { id: answer.IdentityId as string, token: answer.Token as string };
}

/** Every identity of the pool as ListIdentities answers it (ids and logins). */
async function listing(client: CognitoIdentityClient, poolId: string) {
	const { Identities } = await client.send(
		new ListIdentitiesCommand({ IdentityPoolId: poolId, MaxResults: 60 }),
	);
	return (Identities ?? []).map((i) => ({
		id: i.IdentityId,
		logins: i.Logins,
		created: i.CreationDate?.getTime(),
	}));
}

test("a SQLite database copied into PostgreSQL and back: servers there go on where the first stopped", {
	skip: engineSkipReason("postgres") ?? engineSkipReason("sqlite"),
}, async () => {
	const sourceDb = join(dir, "source.db");
	const schema = await freshSchema();
	const backDb = join(dir, "back.db");
	try {
		// Servers use the SQLite database, then stop.
		const source = await serve(sourceDb);
		const client = sdkClient(source.url);
		let poolId: string;
		let alice: { id: string; token: string };
		let issued: Credentials;
		let before: Awaited<ReturnType<typeof listing>>;
		let keys: JSONWebKeySet;
		try {
			const pool = await client.send(
				new CreateIdentityPoolCommand({
					IdentityPoolName: "App",
					AllowUnauthenticatedIdentities: true,
					DeveloperProviderName: DEVELOPER,
					SupportedLoginProviders: { "accounts.google.com": "client-1" },
				}),
			);
			poolId = pool.IdentityPoolId as string;
			await client.send(
				new SetIdentityPoolRolesCommand({
					IdentityPoolId: poolId,
					Roles: { unauthenticated: "arn:aws:iam::000000000000:role/Guest" },
				}),
			);
			await client.send(
				new SetPrincipalTagAttributeMapCommand({
					IdentityPoolId: poolId,
					IdentityProviderName: "accounts.google.com",
					UseDefaults: true,
				}),
			);
			alice = await developerToken(client, poolId, "alice");
			await developerToken(client, poolId, "bob");
			const guest = await client.send(
				new GetIdCommand({ IdentityPoolId: poolId }),
			);
			const credentials = await client.send(
				new GetCredentialsForIdentityCommand({
					IdentityId: guest.IdentityId,
				}),
			);
			issued = credentials.Credentials as Credentials;
			before = await listing(client, poolId);
			assert.equal(before.length, 3);
			keys = await jwks(source);
		} finally {
			client.destroy();
			assert.equal(await source.stop(), 0);
		}

		const copied = await runIdpool(["copy", schema.url, "--db", sourceDb]);
		assert.equal(copied.code, 0, copied.stderr);
		assert.match(
			copied.stdout,
			/^idpool: copied .*source\.db to postgres:\/\/.*: 1 pool, 3 identities, 2 logins, 1 principal tag map, [1-9]\d* signing keys?, 1 issued credential\n$/,
		);

		// Each sequence goes on past the rows copied (a server's next insert takes a new number
		// at once, rather than colliding and trying again).
		const pgClient = new pg.Client({ connectionString: POSTGRES_URL });
		await pgClient.connect();
		try {
			for (const table of [
				"identity_pools",
				"identities",
				"identity_logins",
				"signing_keys",
				"issued_credentials",
			]) {
				const name = `${schema.schema}.${table}`;
				const { rows } = await pgClient.query(
					`SELECT nextval(pg_get_serial_sequence('${name}', 'seq')) AS next, (SELECT MAX(seq) FROM ${name}) AS max`,
				);
				assert.ok(
					Number(rows[0].next) > Number(rows[0].max),
					`${table}: ${JSON.stringify(rows[0])}`,
				);
			}
		} finally {
			await pgClient.end();
		}

		const moved = await serve(schema.url);
		const there = sdkClient(moved.url);
		try {
			assert.deepEqual(await jwks(moved), keys, "the same signing keys");
			const verified = await jwtVerify(alice.token, createLocalJWKSet(keys), {
				issuer: ISSUER,
			});
			assert.equal(verified.payload.sub, alice.id);
			assert.deepEqual(await listing(there, poolId), before);
			assert.equal(
				(await developerToken(there, poolId, "alice")).id,
				alice.id,
				"a returning user has the identity of before",
			);
			const sts = stsClient(moved.url, { issued });
			try {
				const caller = await sts.send(new GetCallerIdentityCommand({}));
				assert.match(caller.Arn ?? "", /:assumed-role\/Guest\//);
			} finally {
				sts.destroy();
			}
			const carol = await developerToken(there, poolId, "carol");
			const after = await listing(there, poolId);
			assert.deepEqual(
				after.map((i) => i.id),
				[...before.map((i) => i.id), carol.id],
				"a new identity comes after the copied ones",
			);

			// Back into SQLite, with carol.
			const back = await runIdpool(["copy", backDb, "--db", schema.url]);
			assert.equal(back.code, 0, back.stderr);
			assert.match(back.stdout, /: 1 pool, 4 identities, 3 logins, /);
			const returned = await serve(backDb);
			const here = sdkClient(returned.url);
			try {
				assert.deepEqual(await listing(here, poolId), after);
				assert.deepEqual(await jwks(returned), keys);
			} finally {
				here.destroy();
				assert.equal(await returned.stop(), 0);
			}

			// A database that holds data is not copied into: one line, nothing written.
			const again = await runIdpool(["copy", schema.url, "--db", sourceDb]);
			assert.equal(again.code, 2);
			assert.equal(
				again.stderr,
				"idpool: the database to copy into holds data already (identity_pools): copy into a new database\n",
			);
			assert.deepEqual(await listing(there, poolId), after);
		} finally {
			there.destroy();
			assert.equal(await moved.stop(), 0);
		}
	} finally {
		await schema.drop();
	}
});

test("a TARGET that holds an older idpool database is refused before anything is written to it", async () => {
	const source = join(dir, "small.db");
	const migrated = await runIdpool(["migrate", "--db", source]);
	assert.equal(migrated.code, 0, migrated.stderr);
	// An idpool database that lacks the last migration, as an older idpool leaves it.
	const older = join(dir, "older.db");
	assert.equal((await runIdpool(["migrate", "--db", older])).code, 0);
	const db = new Database(older);
	const [last] = db
		.prepare(
			"SELECT version FROM schema_migrations ORDER BY version DESC LIMIT 1",
		)
		.all() as { version: number }[];
	db.prepare("DELETE FROM schema_migrations WHERE version = ?").run(
		last?.version,
	);
	db.close();
	const r = await runIdpool(["copy", older, "--db", source]);
	assert.equal(r.code, 2);
	assert.equal(
		r.stderr,
		"idpool: TARGET: the database to copy into holds an idpool database of an older version: copy into a new database\n",
	);
	const after = new Database(older, { readonly: true });
	try {
		const recorded = after
			.prepare("SELECT count(*) AS n FROM schema_migrations WHERE version = ?")
			.get(last?.version) as { n: number };
		assert.equal(recorded.n, 0, "not migrated");
	} finally {
		after.close();
	}
});

test("an error of the TARGET says so (and never its password)", async () => {
	const source = join(dir, "small2.db");
	assert.equal((await runIdpool(["migrate", "--db", source])).code, 0);
	const r = await runIdpool([
		"copy",
		"postgres://root:s3cr3t-Pa55@127.0.0.1:1/nowhere",
		"--db",
		source,
	]);
	assert.equal(r.code, 1);
	assert.match(
		r.stderr,
		/^idpool: TARGET: connect ECONNREFUSED 127\.0\.0\.1:1\n$/,
	);
});

test("copy needs a TARGET other than the source, and a source that exists", async () => {
	const usage = await runIdpool(["copy"]);
	assert.equal(usage.code, 2);
	assert.match(
		usage.stderr,
		/^idpool: usage: idpool copy TARGET \[--db SOURCE\]\n$/,
	);
	const missing = await runIdpool([
		"copy",
		join(dir, "to.db"),
		"--db",
		join(dir, "nowhere.db"),
	]);
	assert.equal(missing.code, 2);
	assert.match(
		missing.stderr,
		/^idpool: --db: no database at .*nowhere\.db\n$/,
	);
	const same = await runIdpool([
		"copy",
		join(dir, "x.db"),
		"--db",
		join(dir, "x.db"),
	]);
	assert.equal(same.code, 2);
	assert.match(same.stderr, /TARGET is the database --db names/);
});
