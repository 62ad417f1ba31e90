/**
 * The example of docs/testing-with-idpool.md, run as written (a file of Node's test runner)
 * against the sources: `"idpool"` is read as src/api/index.ts. test/package/pack.test.ts runs
 * it against the packed package.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { docExample, npmEnvironment } from "../support/package.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

test("the node:test example of docs/testing-with-idpool.md passes against the sources", async () => {
	const dir = mkdtempSync(join(tmpdir(), "idpool-docs-example-"));
	after(() => rmSync(dir, { recursive: true, force: true }));
	// Its packages (the AWS SDK) resolve from the repository's node_modules.
	symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
	const source = new URL("../../src/api/index.ts", import.meta.url).href;
	const file = join(dir, "example.test.mjs");
	writeFileSync(
		file,
		docExample().replace(/from "idpool";/, `from ${JSON.stringify(source)};`),
	);
	const { stdout } = await promisify(execFile)(
		process.execPath,
		["--import", "tsx", "--test", "--test-reporter=tap", file],
		{ cwd: dir, env: npmEnvironment(), timeout: 60_000 },
	);
	assert.match(stdout, /^# pass 1$/m);
	assert.match(stdout, /^# fail 0$/m);
});
