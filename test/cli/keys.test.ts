import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
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
	test("list shows the one signing key; rotate adds a pending key and retires the old one", async () => {
		const db = join(dir, "keys.db");
		const listed = await run(["keys", "list", "--db", db]);
		assert.equal(listed.code, 0, listed.stderr);
		const lines = listed.stdout.trim().split("\n");
		assert.equal(lines.length, 1);
		assert.match(lines[0] as string, /^[\w-]{43} +RS512 +signing /);
		const oldKid = (lines[0] as string).split(/\s+/)[0];

		const rotated = await run(["keys", "rotate"], { IDPOOL_DB: db });
		assert.equal(rotated.code, 0, rotated.stderr);
		assert.match(rotated.stdout, /^rotated: new key [\w-]{43}\n/);
		const after = (await run(["keys", "list", "--db", db])).stdout
			.trim()
			.split("\n");
		assert.equal(after.length, 2);
		assert.match(
			after[0] as string,
			new RegExp(`^${oldKid} +RS512 +signing .* retired `),
		);
		assert.match(after[1] as string, /^[\w-]{43} +RS512 +pending /);
	});

	test("a wrong action is a one-line usage error", async () => {
		const r = await run(["keys", "frob"]);
		assert.equal(r.code, 2);
		assert.equal(
			r.stderr.trim(),
			"idpool: usage: idpool keys list|rotate [--db PATH]",
		);
	});
});
