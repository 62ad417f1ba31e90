/**
 * @module lib/version
 * idpool's version: that of the package it runs from (`package.json` at the root of the
 * package, beside `src/` and `dist/`), read once. `idpool version` prints it and the metrics
 * carry it (`idpool_build_info`).
 */
import { readFileSync } from "node:fs";

function packageVersion(): string {
	try {
		const manifest = JSON.parse(
			readFileSync(new URL("../../package.json", import.meta.url), "utf8"),
		) as { name?: unknown; version?: unknown };
		if (manifest.name === "idpool" && typeof manifest.version === "string") {
			return manifest.version;
		}
	} catch {
		// A copy without its package.json: the version is not known.
	}
	return "unknown";
}

/** The version of the package, or `unknown` when its package.json cannot be read. */
export const VERSION = packageVersion();
