/**
 * Test support: the scripts of examples/amplify-browser run as its README runs them
 * (`npx tsx examples/amplify-browser/<script>.ts ...`), as processes of their own: `serve.ts`
 * builds the pages and serves them, `setup.ts` creates the pools and users and prints the
 * page's settings.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { PageSettings } from "../../examples/amplify-browser/setup.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** How long a script may take to print what the test waits for. */
const SCRIPT_TIMEOUT_MS = 60_000;

/** Starts `examples/amplify-browser/<script>` with tsx, as `npx tsx` would. */
function startScript(script: string, args: string[]): ChildProcess {
	return spawn(
		process.execPath,
		["--import", "tsx", `examples/amplify-browser/${script}`, ...args],
		{ cwd: root, stdio: ["ignore", "pipe", "pipe"] },
	);
}

/**
 * Resolves with the first match of `pattern` in the script's standard output, or, when
 * `untilExit`, with the whole output once it has exited 0; rejects with its output otherwise.
 */
function outputOf(
	child: ChildProcess,
	pattern: RegExp,
	untilExit: boolean,
): Promise<RegExpExecArray> {
	return new Promise((resolve, reject) => {
		let out = "";
		let err = "";
		const timer = setTimeout(() => {
			child.kill("SIGTERM");
			reject(
				new Error(`the example's script did not answer in time:\n${out}${err}`),
			);
		}, SCRIPT_TIMEOUT_MS);
		const settle = (match: RegExpExecArray | null) => {
			if (!match) return false;
			clearTimeout(timer);
			resolve(match);
			return true;
		};
		child.stdout?.on("data", (chunk: Buffer) => {
			out += chunk.toString();
			if (!untilExit) settle(pattern.exec(out));
		});
		child.stderr?.on("data", (chunk: Buffer) => {
			err += chunk.toString();
		});
		child.once("exit", (code) => {
			if (untilExit && code === 0 && settle(pattern.exec(out))) return;
			clearTimeout(timer);
			reject(new Error(`the example's script exited (${code}):\n${out}${err}`));
		});
	});
}

/** The example served by its own `serve.ts` on a free port of `localhost`. */
export interface ServedExample {
	/** `http://localhost:<port>` */
	readonly url: string;
	stop(): Promise<void>;
}

/** Runs `serve.ts --port 0 --outdir <outdir>`: builds the pages, serves them. */
export async function serveExample(outdir: string): Promise<ServedExample> {
	const child = startScript("serve.ts", ["--port", "0", "--outdir", outdir]);
	const exited = new Promise<void>((done) => child.once("exit", () => done()));
	const stop = async () => {
		if (child.exitCode === null && child.signalCode === null) {
			child.kill("SIGTERM");
			await exited;
		}
	};
	try {
		const match = await outputOf(
			child,
			/the example is at (http:\/\/localhost:\d+)\//,
			false,
		);
		return { url: match[1] as string, stop };
	} catch (err) {
		await stop();
		throw err;
	}
}

/**
 * Runs `setup.ts` against an idpool and a cognito-local: answers the settings it printed and
 * the page address it printed for `page`.
 */
export async function setUpExample(options: {
	idpool: string;
	userPoolEndpoint: string;
	page: string;
}): Promise<{
	settings: PageSettings;
	users: Record<string, string>;
	address: string;
}> {
	const child = startScript("setup.ts", [
		"--idpool",
		options.idpool,
		"--user-pool-endpoint",
		options.userPoolEndpoint,
		"--page",
		options.page,
	]);
	const match = await outputOf(child, /^([\s\S]*)\nopen (\S+)\n$/, true);
	const printed = JSON.parse(match[1] as string) as PageSettings & {
		users: Record<string, string>;
	};
	const { users, ...settings } = printed;
	return { settings, users, address: match[2] as string };
}
