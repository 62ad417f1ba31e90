/**
 * Builds the web console (docs/console.md) into `dist/console/` (or `outdir`): its page and
 * style sheet as they are, and its TypeScript (`console/src/main.ts`) bundled by esbuild for
 * the browser with everything it imports (the AWS SDK's Cognito Identity and STS clients,
 * jose), minified, in one file. Part of `npm run build`; ADR 6 says why esbuild.
 *
 *     npx tsx scripts/build-console.ts [outdir]
 */
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));

/** The console's sources. */
export const CONSOLE_SOURCES = join(root, "console");

/** Builds the console into `outdir` (default `dist/console/`); answers the folder. */
export async function buildConsole(
	outdir = join(root, "dist", "console"),
): Promise<string> {
	rmSync(outdir, { recursive: true, force: true });
	mkdirSync(outdir, { recursive: true });
	await build({
		entryPoints: [join(CONSOLE_SOURCES, "src/main.ts")],
		outfile: join(outdir, "app.js"),
		bundle: true,
		format: "esm",
		platform: "browser",
		target: "es2022",
		minify: true,
		legalComments: "none",
		logLevel: "warning",
	});
	for (const file of ["index.html", "style.css"]) {
		copyFileSync(join(CONSOLE_SOURCES, file), join(outdir, file));
	}
	return outdir;
}

if (
	process.argv[1] &&
	resolve(process.argv[1]) === fileURLToPath(import.meta.url)
) {
	const outdir = await buildConsole(
		process.argv[2] ? resolve(process.argv[2]) : undefined,
	);
	console.log(`built ${outdir}`);
}
