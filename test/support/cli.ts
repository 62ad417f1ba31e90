/**
 * Test support: the built `idpool` binary (`npm run build` first, as `npm run test:cli` does),
 * run as a command ({@link runIdpool}) or as a server ({@link serveIdpool}), in a clean
 * environment (PATH and HOME only, plus what the test gives) and, when asked, under a given
 * umask (through `sh`, since a umask is inherited from the parent process). Servers still
 * running when the test module ends are killed.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { after } from "node:test";

export const BIN = new URL("../../bin/idpool.js", import.meta.url).pathname;

/** How the binary is run. */
export interface BinaryOptions {
	/** Environment variables besides PATH and HOME. */
	env?: Record<string, string>;
	/** The umask to run under (default: the test process's). */
	umask?: number;
}

/** The executable and arguments that run `idpool args` as `options` say. */
function commandLine(
	args: string[],
	options: BinaryOptions,
): [string, string[]] {
	if (options.umask === undefined) return [process.execPath, [BIN, ...args]];
	const umask = options.umask.toString(8).padStart(3, "0");
	return [
		"/bin/sh",
		["-c", `umask ${umask}; exec "$0" "$@"`, process.execPath, BIN, ...args],
	];
}

function environment(options: BinaryOptions): NodeJS.ProcessEnv {
	return {
		PATH: process.env.PATH,
		HOME: process.env.HOME,
		...options.env,
	};
}

/**
 * Runs `idpool args` to its end; one that runs for longer than 30 s (a server that was meant
 * to refuse to start) is killed, and its code is then `null`.
 */
export function runIdpool(
	args: string[],
	options: BinaryOptions = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
	const [file, argv] = commandLine(args, options);
	return new Promise((resolve) => {
		execFile(
			file,
			argv,
			{ env: environment(options), timeout: 30_000, killSignal: "SIGKILL" },
			(error, stdout, stderr) => {
				const code = error ? (error.code as number | null) : 0;
				resolve({
					code: typeof code === "number" ? code : null,
					stdout,
					stderr,
				});
			},
		);
	});
}

/** A server started by {@link serveIdpool}. */
export interface RunningIdpool {
	child: ChildProcess;
	url: string;
	stdout: () => string;
	stderr: () => string;
	exited: Promise<number | null>;
	/** Waits (up to 5 s) for a line of standard error matching `pattern`; answers it. */
	stderrLine(pattern: RegExp): Promise<string>;
	/** SIGTERM, then the exit code. */
	stop(): Promise<number | null>;
}

const children: ChildProcess[] = [];
after(() => {
	for (const child of children) {
		if (child.exitCode === null && child.signalCode === null) {
			child.kill("SIGKILL");
		}
	}
});

/**
 * Starts `idpool serve --log-level warn args` and waits for its banner (which ends with the
 * issuer line); rejects with its standard error if it exits first.
 */
export async function serveIdpool(
	args: string[],
	options: BinaryOptions = {},
): Promise<RunningIdpool> {
	const [file, argv] = commandLine(
		["serve", "--log-level", "warn", ...args],
		options,
	);
	const child = spawn(file, argv, {
		env: environment(options),
		stdio: ["ignore", "pipe", "pipe"],
	});
	children.push(child);
	let out = "";
	let err = "";
	child.stderr?.on("data", (d) => {
		err += d;
	});
	const exited = new Promise<number | null>((resolve) =>
		child.on("exit", (code) => resolve(code)),
	);
	const url = await new Promise<string>((resolve, reject) => {
		child.stdout?.on("data", (d) => {
			out += d;
			const m = /idpool listening on (\S+)\n[\s\S]*issuer: +\S+\n/.exec(out);
			if (m?.[1]) resolve(m[1]);
		});
		exited.then((code) => reject(new Error(`exited ${code}: ${err}`)));
	});
	return {
		child,
		url,
		stdout: () => out,
		stderr: () => err,
		exited,
		async stderrLine(pattern) {
			for (let i = 0; i < 250; i++) {
				const line = err.split("\n").find((l) => pattern.test(l));
				if (line !== undefined) return line;
				await new Promise((r) => setTimeout(r, 20));
			}
			throw new Error(`no line matching ${pattern} in: ${err}`);
		},
		async stop() {
			child.kill("SIGTERM");
			return exited;
		},
	};
}
