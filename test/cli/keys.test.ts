import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";

const BIN = new URL("../../bin/idpool.js", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "idpool-keys-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[], env: Record<string, string> = {}) {
	return new Promise<{ code: number; stdout: string; stderr: string }>(
		(resolve) => {
			execFile(
				process.execPath,
				[BIN, ...args],
				{ env: { PATH: process.env.PATH, ...env } },
				(error, stdout, stderr) =>
					resolve({ code: error ? (error.code as number) : 0, stdout, stderr }),
			);
		},
	);
}

describe("idpool keys (the built binary)", () => {
	test("list refuses a database file that does not exist, and creates none", async () => {
		const db = join(dir, "mistyped.db");
		const listed = await run(["keys", "list", "--db", db]);
		assert.equal(listed.code, 2);
		assert.equal(
			listed.stderr,
			`idpool: --db: no database at ${db} (\`idpool serve\` or \`idpool keys rotate\` creates one)\n`,
		);
		assert.equal(listed.stdout, "");
		assert.equal(existsSync(db), false);
	});

	test("list and rewrap refuse :memory:, a database no other process holds", async () => {
		for (const action of ["list", "rewrap"]) {
			const r = await run(["keys", action, "--db", ":memory:"]);
			assert.equal(r.code, 2, r.stderr);
			assert.equal(
				r.stderr,
				"idpool: --db: no database at :memory: (`idpool serve` or `idpool keys rotate` creates one)\n",
			);
			assert.equal(r.stdout, "");
		}
	});

	test("list changes nothing on a new database; rotate creates the first key and its successor", async () => {
		const db = join(dir, "keys.db");
		const migrated = await run(["migrate", "--db", db]);
		assert.equal(migrated.code, 0, migrated.stderr);
		for (let i = 0; i < 2; i++) {
			const listed = await run(["keys", "list", "--db", db]);
			assert.equal(listed.code, 0, listed.stderr);
			assert.equal(
				listed.stdout,
				"no signing keys yet: the first `idpool serve` (or `idpool keys rotate`) on this database creates one\n",
			);
		}

		const rotated = await run(["keys", "rotate"], { IDPOOL_DB: db });
		assert.equal(rotated.code, 0, rotated.stderr);
		const newKid = /^rotated: new key ([\w-]{43})\n/.exec(rotated.stdout)?.[1];
		assert.ok(newKid, rotated.stdout);
		const after = (await run(["keys", "list", "--db", db])).stdout
			.trim()
			.split("\n");
		assert.equal(after.length, 2);
		assert.match(after[0] as string, /^[\w-]{43} +RS512 +signing .* retired /);
		assert.notEqual((after[0] as string).split(/\s+/)[0], newKid);
		assert.match(after[1] as string, new RegExp(`^${newKid} +RS512 +pending `));
	});

	test("a wrong action is a one-line usage error", async () => {
		const r = await run(["keys", "frob"]);
		assert.equal(r.code, 2);
		assert.equal(
			r.stderr.trim(),
			"idpool: usage: idpool keys list|rotate|rewrap [--db PATH]",
		);
	});
});
