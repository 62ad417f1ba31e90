/**
 * `idpool backup FILE` (the built binary): while a server runs and takes new identities, it
 * writes a copy of the SQLite database as of one moment, readable by its owner only whatever
 * the umask, from which a server starts with the pools, identities and signing keys it held
 * (tokens signed before verify); it never writes over a file, and a missing database, a
 * PostgreSQL URL or a folder that does not exist are one-line errors.
 */
import assert from "node:assert/strict";
import {
	mkdtempSync,
	readFileSync,
	rmSync,
	statSync,
	writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import {
	CreateIdentityPoolCommand,
	DescribeIdentityCommand,
	GetIdCommand,
} from "@aws-sdk/client-cognito-identity";
import Database from "better-sqlite3";
import { runIdpool, serveIdpool } from "../support/cli.ts";
import { appClient, sdkClient } from "../support/server.ts";

const dir = mkdtempSync(join(tmpdir(), "idpool-backup-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const jwks = async (url: string) =>
	(await fetch(new URL("/.well-known/jwks_uri", url))).json();

describe("idpool backup", () => {
	test("copies the database while a server writes to it; a server starts from the copy with what it held", async () => {
		const db = join(dir, "live", "idpool.db");
		const copy = join(dir, "copy.db");
		const s = await serveIdpool(["--port", "0", "--db", db]);
		const admin = sdkClient(s.url);
		const app = appClient(s.url);
		let writing = true;
		try {
			const pool = await admin.send(
				new CreateIdentityPoolCommand({
					IdentityPoolName: "backed-up",
					AllowUnauthenticatedIdentities: true,
				}),
			);
			const poolId = pool.IdentityPoolId as string;
			const before = await app.send(
				new GetIdCommand({ IdentityPoolId: poolId }),
			);
			const keys = await jwks(s.url);
			// New guests all along the backup.
			const load = (async () => {
				let n = 0;
				while (writing) {
					await app.send(new GetIdCommand({ IdentityPoolId: poolId }));
					n++;
				}
				return n;
			})();
			// Under a umask that would let every user read a new file.
			const r = await runIdpool(["backup", copy, "--db", db], { umask: 0 });
			writing = false;
			assert.ok((await load) > 0, "identities were created meanwhile");
			assert.equal(r.code, 0, r.stderr);
			assert.match(
				r.stdout,
				/^idpool: backed up .*live\/idpool\.db to .*copy\.db \(\d+\.\d MiB, readable by its owner only\)\n$/,
			);
			assert.equal(statSync(copy).mode & 0o777, 0o600);
			// One file, whole: no WAL beside it to lose, and every page checks.
			const check = new Database(copy, { readonly: true });
			try {
				assert.equal(check.pragma("integrity_check", { simple: true }), "ok");
				assert.equal(check.pragma("journal_mode", { simple: true }), "delete");
			} finally {
				check.close();
			}
			assert.equal(await s.stop(), 0);

			const restored = await serveIdpool(["--port", "0", "--db", copy]);
			const client = sdkClient(restored.url);
			try {
				const described = await client.send(
					new DescribeIdentityCommand({ IdentityId: before.IdentityId }),
				);
				assert.equal(described.IdentityId, before.IdentityId);
				assert.deepEqual(
					await jwks(restored.url),
					keys,
					"the same signing keys",
				);
				assert.equal(await restored.stop(), 0);
			} finally {
				client.destroy();
			}
		} finally {
			writing = false;
			admin.destroy();
			app.destroy();
			s.child.kill("SIGKILL");
		}
	});

	test("never writes over a file; a missing database, PostgreSQL or a missing folder is one line", async () => {
		const db = join(dir, "small", "idpool.db");
		const made = await runIdpool(["migrate", "--db", db]);
		assert.equal(made.code, 0, made.stderr);
		const there = join(dir, "there.db");
		writeFileSync(there, "not to be lost");
		const cases: [string[], RegExp][] = [
			[
				["backup", there, "--db", db],
				/^idpool: .*there\.db exists: idpool backup writes a new file, never over one\n$/,
			],
			[
				["backup", join(dir, "x.db"), "--db", join(dir, "nowhere.db")],
				/^idpool: --db: no database at .*nowhere\.db\n$/,
			],
			[
				[
					"backup",
					join(dir, "y.db"),
					"--db",
					"postgres://idpool@127.0.0.1:5432/test",
				],
				/^idpool: --db: idpool backup copies a SQLite database; back up PostgreSQL with pg_dump/,
			],
			[
				["backup", join(dir, "no-such-folder", "z.db"), "--db", db],
				/^idpool: cannot write the backup .*z\.db: /,
			],
			[["backup"], /^idpool: usage: idpool backup FILE \[--db PATH\]\n$/],
		];
		for (const [args, message] of cases) {
			const r = await runIdpool(args);
			assert.equal(r.code, 2, args.join(" "));
			assert.match(r.stderr, message);
			assert.equal(r.stdout, "");
		}
		assert.equal(readFileSync(there, "utf8"), "not to be lost");
	});
});
