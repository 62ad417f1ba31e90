/**
 * Test support: a temporary directory for the SQLite files of one test module, removed once
 * its tests are done.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";

/** The directory, and a new database file name in it on each call (the file is not created). */
export function sqliteScratch(prefix: string): {
	dir: string;
	newFile: () => string;
} {
	const dir = mkdtempSync(join(tmpdir(), `idpool-${prefix}-`));
	after(() => rmSync(dir, { recursive: true, force: true }));
	let files = 0;
	return {
		dir,
		newFile: () => {
			files += 1;
			return join(dir, `${prefix}-${files}.sqlite`);
		},
	};
}
