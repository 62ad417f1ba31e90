/**
 * Test support: the web console (docs/console.md) built once per test process into a
 * temporary folder, for servers to serve (`useServer(async () => ({ consoleDir: await
 * builtConsole() }))`). The repository's dist/ is neither needed nor touched, so tests that
 * run at the same time and serve dist/console/ never see it half rebuilt.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildConsole } from "../../scripts/build-console.ts";

let built: Promise<string> | undefined;

/** The folder of the console built from console/, once per process; removed at exit. */
export function builtConsole(): Promise<string> {
	built ??= (async () => {
		const dir = mkdtempSync(join(tmpdir(), "idpool-console-"));
		process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
		return buildConsole(join(dir, "console"));
	})();
	return built;
}
