/**
 * Builds the example's pages into `outdir` (default `examples/amplify-browser/dist`): the two
 * HTML pages and their scripts, bundled by esbuild for the browser with everything they
 * import (Amplify, the AWS SDK v3).
 *
 *     npx tsx examples/amplify-browser/build.ts [outdir]
 */
import { copyFileSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = fileURLToPath(new URL(".", import.meta.url));

/** The example's own folder. */
export const EXAMPLE_DIR = here;

/** Builds the pages into `outdir`. */
export async function buildExample(
	outdir = join(here, "dist"),
): Promise<string> {
	mkdirSync(outdir, { recursive: true });
	await build({
		entryPoints: [join(here, "src/app.ts"), join(here, "src/sdk.ts")],
		outdir,
		bundle: true,
		format: "esm",
		platform: "browser",
		target: "es2022",
		logLevel: "warning",
	});
	for (const page of ["index.html", "sdk.html"]) {
		copyFileSync(join(here, page), join(outdir, page));
	}
	return outdir;
}

if (
	process.argv[1] &&
	resolve(process.argv[1]) === fileURLToPath(import.meta.url)
) {
	const outdir = await buildExample(
		process.argv[2] ? resolve(process.argv[2]) : undefined,
	);
	console.log(`built ${outdir}`);
}
