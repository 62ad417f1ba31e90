#!/usr/bin/env node
// The package's executable: runs the compiled CLI (built by `npm run build`, which
// `npm install` runs through the `prepare` script).
import { existsSync } from "node:fs";

const entry = new URL("../dist/bin/idpool.js", import.meta.url);
if (!existsSync(entry)) {
	process.stderr.write(
		"idpool: not built yet; run `npm run build` (or `npm install`) first\n",
	);
	process.exit(1);
}
await import(entry.href);
