/**
 * Test support for the npm package: the example of docs/testing-with-idpool.md, and the
 * package packed and installed as a user installs it (test/package/pack.test.ts).
 */
import { execFile } from "node:child_process";
import {
	cpSync,
	mkdirSync,
	readFileSync,
	symlinkSync,
	writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
	type CognitoIdentityClient,
	ListIdentityPoolsCommand,
} from "@aws-sdk/client-cognito-identity";
import { codeBlocks } from "./docs.ts";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** The ids of the pools a client's account has (the first 60). */
export async function listedPoolIds(
	client: CognitoIdentityClient,
): Promise<(string | undefined)[]> {
	const list = await client.send(
		new ListIdentityPoolsCommand({ MaxResults: 60 }),
	);
	return (list.IdentityPools ?? []).map((p) => p.IdentityPoolId);
}

/** The one `js` code block of docs/testing-with-idpool.md's "With Node's test runner". */
export function docExample(): string {
	const blocks = codeBlocks(
		"docs/testing-with-idpool.md",
		"With Node's test runner",
	).filter((b) => b.lang === "js");
	if (blocks.length !== 1) {
		throw new Error(`expected one js block, found ${blocks.length}`);
	}
	return blocks[0]?.code ?? "";
}

/**
 * The environment of npm and the programs it starts: this process's, with this process's
 * Node.js first on PATH (the suite runs on Node 20 and on Node 24, docs/development.md).
 */
export function npmEnvironment(
	extra: Record<string, string> = {},
): NodeJS.ProcessEnv {
	const env = { ...process.env };
	// Set for the processes of a test run: a `node --test` that sees it reports to its parent.
	delete env.NODE_TEST_CONTEXT;
	return {
		...env,
		PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ""}`,
		...extra,
	};
}

/** Runs a command to its end; answers its output, or rejects with it. */
export function run(
	file: string,
	args: string[],
	options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<{ stdout: string; stderr: string }> {
	return new Promise((resolve, reject) => {
		execFile(
			file,
			args,
			{
				cwd: options.cwd,
				env: options.env ?? npmEnvironment(),
				timeout: options.timeoutMs ?? 300_000,
				maxBuffer: 64 * 1024 * 1024,
			},
			(error, stdout, stderr) => {
				if (error) {
					reject(
						new Error(
							`${file} ${args.join(" ")} failed: ${error.message}\n${stdout}\n${stderr}`,
						),
					);
				} else resolve({ stdout, stderr });
			},
		);
	});
}

/** What the package is built from (package.json's `files`, and what the build reads). */
const SOURCES = [
	"package.json",
	"tsconfig.json",
	"tsconfig.build.json",
	"README.md",
	"bin",
	"docs",
	"src",
	// The web console's sources and their build (docs/console.md).
	"console",
	"scripts/build-console.ts",
];

/**
 * Packs the package as `npm pack` in a clean copy of the sources does (its `prepare` script
 * builds dist/ there, so the repository's own dist/ is neither used nor touched); answers the
 * tarball's path and the files npm put in it.
 */
export async function packPackage(
	dir: string,
): Promise<{ tarball: string; files: string[] }> {
	const source = join(dir, "source");
	mkdirSync(source);
	for (const entry of SOURCES) {
		mkdirSync(dirname(join(source, entry)), { recursive: true });
		cpSync(join(ROOT, entry), join(source, entry), { recursive: true });
	}
	// The build's compiler comes from the repository's node_modules.
	symlinkSync(join(ROOT, "node_modules"), join(source, "node_modules"));
	const { stdout } = await run(
		"npm",
		["pack", "--json", "--pack-destination", dir],
		{ cwd: source },
	);
	// npm prints the scripts' output before the JSON.
	const [report] = JSON.parse(stdout.slice(stdout.indexOf("[\n"))) as {
		filename: string;
		files: { path: string }[];
	}[];
	if (!report) throw new Error(`npm pack answered no package: ${stdout}`);
	return {
		tarball: join(dir, report.filename),
		files: report.files.map((f) => f.path),
	};
}

/**
 * Installs `tarball` into a new, empty project at `app`, from npm's cache where it can
 * (`--prefer-offline`). better-sqlite3's native addon is not compiled again: the addon this
 * checkout built for this very Node.js (same version of better-sqlite3, same ABI) is offered
 * as a local prebuilt binary, which its installer (prebuild-install) takes before it would
 * compile, through its documented `local-prebuilds` setting. Should the versions differ, it
 * compiles as on a user's machine: slower, as correct.
 */
export async function installPackage(
	tarball: string,
	app: string,
): Promise<void> {
	mkdirSync(app);
	writeFileSync(
		join(app, "package.json"),
		JSON.stringify({ name: "app", private: true, type: "module" }),
	);
	const prebuilds = join(dirname(app), "prebuilds");
	mkdirSync(prebuilds);
	const sqlite = join(ROOT, "node_modules/better-sqlite3");
	const { version } = JSON.parse(
		readFileSync(join(sqlite, "package.json"), "utf8"),
	) as { version: string };
	const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
	await run(
		"tar",
		["-czf", join(prebuilds, name), "build/Release/better_sqlite3.node"],
		{ cwd: sqlite },
	);
	await run(
		"npm",
		["install", "--prefer-offline", "--no-audit", "--no-fund", tarball],
		{
			cwd: app,
			env: npmEnvironment({
				npm_config_better_sqlite3_local_prebuilds: prebuilds,
			}),
		},
	);
}
