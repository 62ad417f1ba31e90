/**
 * Test support: a shell command run as a reader runs it in a terminal of its own (`bash -c`),
 * as the leader of a process group of its own, so that a stop reaches everything it started
 * (`npx` runs npm, which runs a shell, which runs node, which may run node again). A watchdog
 * ends the group within a second should the test's process die without stopping it (killed by
 * the test runner, say): no process is left behind.
 */
import { type ChildProcess, spawn } from "node:child_process";

/** How long a stopped group may take to end before it is killed (SIGKILL). */
const STOP_GRACE_MS = 15_000;

/** A command running in a process group of its own. */
export interface GroupProcess {
	/** The command, as run. */
	readonly command: string;
	/** The process id of bash, the group's leader; also the group's id. */
	readonly pid: number;
	/** What the command printed so far, standard output and error interleaved. */
	output(): string;
	/** What the command printed to its standard output so far. */
	stdout(): string;
	/** The leader's exit code once it has exited (null when a signal ended it). */
	readonly exited: Promise<number | null>;
	/** Whether the leader has not exited yet. */
	running(): boolean;
	/**
	 * SIGTERM to the whole group, then waits until no process of it is left (SIGKILL after
	 * {@link STOP_GRACE_MS}).
	 */
	stop(): Promise<void>;
}

/** Starts `command` with bash in a process group of its own. */
export function startGroup(
	command: string,
	options: { cwd: string; env: NodeJS.ProcessEnv },
): GroupProcess {
	const child: ChildProcess = spawn("bash", ["-c", command], {
		cwd: options.cwd,
		env: options.env,
		detached: true,
		stdio: ["ignore", "pipe", "pipe"],
	});
	const group = child.pid;
	if (group === undefined) throw new Error(`bash did not start: ${command}`);
	let output = "";
	let stdout = "";
	child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
		output += chunk;
		stdout += chunk;
	});
	child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
		output += chunk;
	});
	let running = true;
	const exited = new Promise<number | null>((done) =>
		child.once("exit", (code) => {
			running = false;
			done(code);
		}),
	);
	spawn(
		"bash",
		[
			"-c",
			`while kill -0 ${process.pid} && kill -0 -${group}; do sleep 1; done 2>/dev/null; kill -TERM -${group} 2>/dev/null; exit 0`,
		],
		{ detached: true, stdio: "ignore" },
	).unref();
	const signal = (name: NodeJS.Signals | 0): boolean => {
		try {
			process.kill(-group, name);
			return true;
		} catch {
			return false;
		}
	};
	return {
		command,
		pid: group,
		output: () => output,
		stdout: () => stdout,
		exited,
		running: () => running,
		async stop() {
			signal("SIGTERM");
			const deadline = Date.now() + STOP_GRACE_MS;
			let killed = false;
			while (signal(0) && Date.now() < deadline + 5_000) {
				if (!killed && Date.now() > deadline) killed = signal("SIGKILL");
				await new Promise((r) => setTimeout(r, 50));
			}
			if (signal(0)) {
				throw new Error(`the process group of \`${command}\` did not end`);
			}
		},
	};
}

/** Whether a process of group `pid` is left. */
export function groupAlive(pid: number): boolean {
	try {
		process.kill(-pid, 0);
		return true;
	} catch {
		return false;
	}
}
