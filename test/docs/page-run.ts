/**
 * One page of the documentation run as a reader would run it, block after block, in a folder
 * of its own (docs/development.md, "Docs snippets"): shell blocks with bash, JavaScript
 * blocks as ES modules in one tsx process, Python blocks with /usr/bin/python3, JSON blocks
 * through the configuration loader, against an idpool server on a free port that stands for
 * the documented `http://127.0.0.1:8700`.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import {
	mkdirSync,
	mkdtempSync,
	readFileSync,
	rmSync,
	symlinkSync,
	writeFileSync,
} from "node:fs";

import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import type { Readable, Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../../src/config/load.ts";
import { type GroupProcess, startGroup } from "../support/process-group.ts";
import { startServer, type TestServer } from "../support/server.ts";
import { freePort } from "../support/sockets.ts";
import {
	type Block,
	isTypeScript,
	type Marker,
	type RunKind,
} from "./markdown.ts";
import {
	type RealmIssuer,
	SETUPS,
	type SetupResult,
	startRealmIssuer,
} from "./setups.ts";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const RUNNER = fileURLToPath(new URL("runner.mjs", import.meta.url));

/** What a block may take before it counts as hung. */
const BLOCK_TIMEOUT_MS = 120_000;

/** The folders of the deployment examples, made in a page's folder and standing for them. */
const SYSTEM_FOLDERS = ["/etc/idpool", "/var/lib/idpool", "/backups"];

/** The repository's files a page's folder links to, so that it works like a clone. */
const LINKED = ["package.json", "bin", "dist", "node_modules"];

/** A block (or a JavaScript block and those that continue it) as the test runs it. */
export interface Step {
	kind: RunKind;
	blocks: Block[];
	marker: Marker;
}

/** The environment of a page: the test's, without AWS, idpool, npm and test settings. */
function pageEnvironment(
	home: string,
	commands: string,
): Record<string, string> {
	const env: Record<string, string> = {};
	for (const [name, value] of Object.entries(process.env)) {
		if (value === undefined) continue;
		if (/^(AWS_|BOTO_|PYTHON|IDPOOL_|npm_|NODE_)/i.test(name)) continue;
		if (name === "VIRTUAL_ENV" || name === "INIT_CWD") continue;
		env[name] = value;
	}
	return {
		...env,
		// The node running the test first (CI runs the suite on a second Node.js too, whose
		// native modules the machine's node cannot load; the folder of that one holds node
		// alone), then Debian's aws and python3 (with boto3 and PyJWT) before any other copy,
		// then `idpool`, as an installed package puts it on PATH.
		PATH: `${dirname(process.execPath)}:/usr/bin:/bin:${commands}:${process.env.PATH ?? ""}`,
		HOME: home,
		// The development credentials, as README's quick start exports them.
		AWS_ACCESS_KEY_ID: "test",
		AWS_SECRET_ACCESS_KEY: "test",
		// No instance metadata service to wait for, no pager.
		AWS_EC2_METADATA_DISABLED: "true",
		AWS_PAGER: "",
		// npm checks the registry for a newer npm now and then: not from a test.
		NPM_CONFIG_UPDATE_NOTIFIER: "false",
	};
}

interface Exited {
	code: number | null;
	stdout: string;
	stderr: string;
}

function runProcess(
	file: string,
	args: string[],
	options: { cwd: string; env: Record<string, string> },
): Promise<Exited> {
	return new Promise((done) => {
		execFile(
			file,
			args,
			{
				...options,
				timeout: BLOCK_TIMEOUT_MS,
				killSignal: "SIGKILL",
				maxBuffer: 16 * 1024 * 1024,
				encoding: "utf8",
			},
			(error, stdout, stderr) => {
				const code = error
					? typeof error.code === "number"
						? error.code
						: null
					: 0;
				done({ code, stdout, stderr });
			},
		);
	});
}

function describeFailure(step: Step, what: string, result: Exited): Error {
	const first = step.blocks[0] as Block;
	return new Error(
		`${first.page}:${first.line}: ${what} (exit ${result.code})\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`,
	);
}

/** The JavaScript process of a page (test/docs/runner.mjs under tsx). */
class JsRunner {
	readonly #child: ChildProcess;
	readonly #waiting: ((answer: { ok: boolean; error?: string }) => void)[] = [];
	#stdout = "";
	#stderr = "";
	#buffer = "";

	constructor(cwd: string, env: Record<string, string>) {
		this.#child = spawn(process.execPath, ["--import", "tsx", RUNNER], {
			cwd,
			env,
			stdio: ["pipe", "pipe", "pipe", "pipe"],
		});
		this.#child.stdout?.setEncoding("utf8");
		this.#child.stdout?.on("data", (chunk: string) => {
			this.#stdout += chunk;
		});
		this.#child.stderr?.setEncoding("utf8");
		this.#child.stderr?.on("data", (chunk: string) => {
			this.#stderr += chunk;
		});
		const answers = this.#child.stdio[3] as Readable;
		answers.setEncoding("utf8");
		answers.on("data", (chunk: string) => {
			this.#buffer += chunk;
			for (let nl = this.#buffer.indexOf("\n"); nl >= 0; ) {
				const line = this.#buffer.slice(0, nl);
				this.#buffer = this.#buffer.slice(nl + 1);
				this.#waiting.shift()?.(JSON.parse(line));
				nl = this.#buffer.indexOf("\n");
			}
		});
		this.#child.on("exit", (code) => {
			for (const reply of this.#waiting.splice(0)) {
				reply({ ok: false, error: `the JavaScript process ended (${code})` });
			}
		});
	}

	/** Imports `file` with `env`; answers whether it ran, and what it printed meanwhile. */
	async run(file: string, env: Record<string, string>): Promise<Exited> {
		this.#stdout = "";
		this.#stderr = "";
		let timer: NodeJS.Timeout | undefined;
		const answer = await Promise.race([
			new Promise<{ ok: boolean; error?: string }>((reply) => {
				this.#waiting.push(reply);
				(this.#child.stdin as Writable).write(
					`${JSON.stringify({ file, env })}\n`,
				);
			}),
			new Promise<{ ok: boolean; error?: string }>((reply) => {
				timer = setTimeout(() => {
					this.#child.kill("SIGKILL");
					reply({ ok: false, error: "the block did not finish in time" });
				}, BLOCK_TIMEOUT_MS);
			}),
		]);
		clearTimeout(timer);
		return {
			code: answer.ok ? 0 : 1,
			stdout: this.#stdout,
			stderr: `${this.#stderr}${answer.error ?? ""}`,
		};
	}

	stop(): void {
		this.#child.kill("SIGKILL");
	}
}

/** A server started by a `server` block: the bash process (a group of its own) and its output. */
export class PageRun {
	readonly page: string;
	readonly #blocksText: string;
	#dir = "";
	#port = 0;
	/** The documented ports (8700..8799) the page uses, and the free ports that stand for them. */
	readonly #ports = new Map<number, number>();
	readonly #cleanups: (() => Promise<void>)[] = [];
	#env: Record<string, string> = {};
	#server: TestServer | undefined;
	/** The page's server when a `server` block started it. */
	#process: GroupProcess | undefined;
	#js: JsRunner | undefined;
	#realms: RealmIssuer | undefined;
	#count = 0;
	/** What the last block that ran printed (a server's output grows while it runs). */
	#lastOutput: () => string = () => "";
	/** Whether that output may still grow (a server's). */
	#outputGrows = false;

	constructor(page: string, blocks: Block[]) {
		this.page = page;
		this.#blocksText = blocks
			.map((b) => `${b.marker ?? ""}\n${b.code}`)
			.join("\n");
	}

	/** Makes the page's folder (linked to the repository) and chooses its port. */
	async start(): Promise<void> {
		this.#dir = mkdtempSync(join(tmpdir(), "idpool-docs-"));
		for (const name of LINKED) {
			symlinkSync(join(ROOT, name), join(this.#dir, name));
		}
		mkdirSync(join(this.#dir, "home"));
		mkdirSync(join(this.#dir, ".snippets"));
		for (const folder of SYSTEM_FOLDERS) {
			mkdirSync(join(this.#dir, folder), { recursive: true });
		}
		for (const [port] of this.#blocksText.matchAll(
			/(?<=(?:127\.0\.0\.1|localhost):|--port[ =]|PORT=)87\d\d\b/g,
		)) {
			if (!this.#ports.has(Number(port))) {
				this.#ports.set(Number(port), await freePort());
			}
		}
		this.#port = this.#ports.get(8700) ?? (await freePort());
		this.#ports.set(8700, this.#port);
		// `idpool` runs the repository's built binary (`npx idpool` would rebuild dist/); its
		// default port, 8700, is the page's, as the blocks' 8700 is rewritten to it.
		const commands = join(this.#dir, ".commands");
		mkdirSync(commands);
		writeFileSync(
			join(commands, "idpool"),
			`#!/bin/sh\nexport IDPOOL_PORT="\${IDPOOL_PORT:-${this.#port}}"\nexec "${process.execPath}" "${join(ROOT, "bin", "idpool.js")}" "$@"\n`,
			{ mode: 0o755 },
		);
		this.#env = pageEnvironment(join(this.#dir, "home"), commands);
		if (/localhost:8080\b/.test(this.#blocksText)) {
			this.#realms = await startRealmIssuer();
		}
	}

	async stop(): Promise<void> {
		this.#js?.stop();
		await this.#stopServer();
		await this.#realms?.close();
		for (const cleanup of this.#cleanups.splice(0)) await cleanup();
		if (this.#dir) rmSync(this.#dir, { recursive: true, force: true });
	}

	/**
	 * The text with the documented addresses replaced by this page's: the ports 8700 to 8799
	 * on 127.0.0.1 or localhost (and after `--port` or `PORT=`) by free ports, 8700 being
	 * the page's server; `localhost:8080` (the examples' Keycloak) by the stand-in provider;
	 * the system folders of the deployment examples by folders of the page.
	 */
	localize(text: string): string {
		let out = text.replace(
			/(?<=(?:127\.0\.0\.1|localhost):|--port[ =]|PORT=)87\d\d\b/g,
			(port) => String(this.#ports.get(Number(port)) ?? port),
		);
		if (this.#realms) {
			out = out.replace(/\blocalhost:8080\b/g, this.#realms.host);
		}
		for (const folder of SYSTEM_FOLDERS) {
			out = out.replaceAll(folder, join(this.#dir, folder));
		}
		return out;
	}

	/** Runs one step; `skip` is called (and nothing run) when its setup says so. */
	async run(step: Step, skip: (why: string) => void): Promise<void> {
		this.#count += 1;
		const setup = await this.#setup(step.marker);
		if (setup.cleanup) this.#cleanups.push(setup.cleanup);
		if (setup.skip !== undefined) {
			skip(setup.skip);
			return;
		}
		let code = this.localize(step.blocks.map((b) => b.code).join("\n"));
		for (const [from, to] of Object.entries(setup.replace ?? {})) {
			code = code.replaceAll(from, to);
		}
		switch (step.kind) {
			case "json":
				return this.#json(step, code);
			case "file":
				this.#write(step.marker.file as string, code);
				// The SDK reads ~/.aws/config once a process: the blocks after a file is
				// written run in a new process, as a reader's next `node example.mjs` would.
				this.#js?.stop();
				this.#js = undefined;
				return;
			case "server":
				return this.#startServerBlock(step, code);
			case "sh":
				await this.#ensureServer();
				return this.#shell(step, code);
			case "js":
				await this.#ensureServer();
				return this.#javascript(step, code, setup);
			case "syntax":
				return this.#syntax(step, code);
			case "output":
				return this.#output(step, code);
			case "python":
				await this.#ensureServer();
				return this.#python(step, code, setup);
		}
	}

	async #setup(marker: Marker): Promise<SetupResult> {
		if (marker.setup === undefined) return {};
		const setup = SETUPS[marker.setup];
		if (!setup) throw new Error(`no setup named ${marker.setup}`);
		const options = Object.fromEntries(
			Object.entries(marker.options).map(([k, v]) => [k, this.localize(v)]),
		);
		const result = await setup(options, {
			realms: async () => {
				this.#realms ??= await startRealmIssuer();
				return this.#realms;
			},
		});
		Object.assign(this.#env, result.env);
		return {
			...result,
			...(result.js ? { js: this.localize(result.js) } : {}),
			...(result.python ? { python: this.localize(result.python) } : {}),
		};
	}

	#write(path: string, text: string): string {
		const local = this.localize(path);
		const full = local.startsWith("~/")
			? join(this.#env.HOME as string, local.slice(2))
			: resolve(this.#dir, local);
		mkdirSync(dirname(full), { recursive: true });
		writeFileSync(full, text.endsWith("\n") ? text : `${text}\n`);
		return full;
	}

	#snippetFile(extension: string, text: string): string {
		return this.#write(
			`.snippets/${String(this.#count).padStart(2, "0")}.${extension}`,
			text,
		);
	}

	/** A JSON block: a file for the blocks after it (`file=`), or a configuration file. */
	#json(step: Step, code: string): void {
		if (step.marker.file !== undefined) {
			this.#write(step.marker.file, code);
			return;
		}
		const file = this.#write(`.snippets/${this.#count}.json`, code);
		const first = step.blocks[0] as Block;
		try {
			loadConfig({ config: file }, {});
		} catch (err) {
			throw new Error(
				`${first.page}:${first.line}: the configuration loader refuses the block: ${(err as Error).message}`,
			);
		}
	}

	/** The default server of a page: in this process, on the page's port and database. */
	async #ensureServer(): Promise<void> {
		if (this.#server || this.#process) return;
		this.#server = await startServer({
			dbPath: join(this.#dir, ".idpool", "idpool.db"),
			config: { port: this.#port },
		});
	}

	async #stopServer(): Promise<void> {
		const server = this.#server;
		this.#server = undefined;
		await server?.stop({ keepData: true });
		const started = this.#process;
		this.#process = undefined;
		// SIGTERM to the whole group (bash, npm, sh, the server), then wait until no process
		// of it is left, so that the port and the database are free for what comes next.
		await started?.stop();
	}

	/**
	 * A `server` block: it replaces the page's server. It runs in the background (as in
	 * another terminal) on the page's port (IDPOOL_PORT, which wins over a configuration
	 * file's) and, unless it says otherwise, on the default database of the page's folder
	 * (`.idpool/idpool.db`, the one the test's own server uses), until the next server block
	 * or the end of the page.
	 */
	async #startServerBlock(step: Step, code: string): Promise<void> {
		await this.#stopServer();
		const script = this.#snippetFile("sh", `set -euo pipefail\n${code}\n`);
		// A process group of its own (so that a stop reaches npm's grandchild too), which a
		// watchdog ends should this process die before the page's `after` hook.
		const started = startGroup(`exec bash ${JSON.stringify(script)}`, {
			cwd: this.#dir,
			env: { ...this.#env, IDPOOL_PORT: String(this.#port) },
		});
		this.#process = started;
		const output = () => started.output();
		this.#lastOutput = output;
		this.#outputGrows = true;
		const url = `http://127.0.0.1:${this.#port}`;
		const deadline = Date.now() + BLOCK_TIMEOUT_MS;
		while (Date.now() < deadline) {
			if (!started.running()) break;
			try {
				const health = await fetch(`${url}/health`);
				if (
					health.status === 200 &&
					new RegExp(`listening on http://\\S+:${this.#port}\\b`).test(output())
				) {
					return;
				}
			} catch {}
			await new Promise((r) => setTimeout(r, 200));
		}
		throw describeFailure(
			step,
			`the server did not answer /health at ${url} with its banner`,
			{
				code: started.running() ? null : await started.exited,
				stdout: output(),
				stderr: "",
			},
		);
	}

	async #shell(step: Step, code: string): Promise<void> {
		const state = join(this.#dir, ".snippets", `${this.#count}.env`);
		const script = this.#snippetFile(
			"sh",
			`set -euo pipefail\n${code}\nenv -0 > ${JSON.stringify(state)}\n`,
		);
		const result = await runProcess("bash", [script], {
			cwd: this.#dir,
			env: this.#env,
		});
		this.#finished(step, "bash failed", result);
		// What the block exported is the environment of the blocks after it.
		const env: Record<string, string> = {};
		for (const entry of readFileSync(state, "utf8").split("\0")) {
			const eq = entry.indexOf("=");
			if (eq <= 0) continue;
			const name = entry.slice(0, eq);
			if (["_", "PWD", "OLDPWD", "SHLVL"].includes(name)) continue;
			env[name] = entry.slice(eq + 1);
		}
		this.#env = env;
	}

	async #javascript(
		step: Step,
		code: string,
		setup: SetupResult,
	): Promise<void> {
		const lang = (step.blocks[0] as Block).lang;
		const file = this.#snippetFile(
			isTypeScript(lang) ? "mts" : "mjs",
			setup.js ? `${setup.js}\n${code}` : code,
		);
		this.#js ??= new JsRunner(this.#dir, this.#env);
		const result = await this.#js.run(file, this.#env);
		this.#finished(step, "the module failed", result);
	}

	/**
	 * An `output` block: each of its lines, in order, is a line of what the block before
	 * printed (spaces folded; `<...>` in the block stands for any text). A server goes on
	 * printing after it answers (its banner comes in parts): its output is read again until
	 * it matches, for a few seconds.
	 */
	async #output(step: Step, expected: string): Promise<void> {
		const fold = (line: string) => line.trim().replace(/\s+/g, " ");
		const patterns = expected
			.split("\n")
			.map(fold)
			.filter((line) => line !== "")
			.map((line) => ({
				line,
				pattern: new RegExp(
					`^${line
						.split(/<[^>\s]+(?: [^>\s]+)*>/)
						.map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
						.join(".+?")}$`,
				),
			}));
		const deadline = Date.now() + (this.#outputGrows ? 10_000 : 0);
		for (;;) {
			const printed = this.#lastOutput().split("\n").map(fold);
			let at = 0;
			const missing = patterns.find(({ pattern }) => {
				const found = printed.findIndex((p, i) => i >= at && pattern.test(p));
				at = found + 1;
				return found < 0;
			});
			if (!missing) return;
			if (Date.now() >= deadline) {
				const first = step.blocks[0] as Block;
				throw new Error(
					`${first.page}:${first.line}: the block before did not print ${JSON.stringify(missing.line)} (in this order); it printed:\n${printed.join("\n")}`,
				);
			}
			await new Promise((r) => setTimeout(r, 100));
		}
	}

	async #syntax(step: Step, code: string): Promise<void> {
		const file = this.#snippetFile("mjs", code);
		const result = await runProcess(process.execPath, ["--check", file], {
			cwd: this.#dir,
			env: this.#env,
		});
		if (result.code !== 0) {
			throw describeFailure(step, "node --check refuses it", result);
		}
	}

	async #python(step: Step, code: string, setup: SetupResult): Promise<void> {
		const file = this.#snippetFile(
			"py",
			setup.python ? `${setup.python}\n${code}` : code,
		);
		const result = await runProcess("/usr/bin/python3", [file], {
			cwd: this.#dir,
			env: this.#env,
		});
		this.#finished(step, "python failed", result);
	}

	/** Fails the step unless `result` exited 0; what it printed is the output a check reads. */
	#finished(step: Step, what: string, result: Exited): void {
		if (result.code !== 0) throw describeFailure(step, what, result);
		this.#lastOutput = () => result.stdout;
		this.#outputGrows = false;
	}
}
