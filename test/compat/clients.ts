/**
 * Test support for the compatibility suite: runs independent AWS clients (Debian's `awscli`
 * and `python3-boto3`) against a test server, in an environment that no profile, config
 * file or `AWS_*` variable of the machine can leak into.
 */
import assert from "node:assert/strict";
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { accessSync, constants, mkdtempSync, rmSync } from "node:fs";
import type { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import {
	type ServerFixture,
	type ServerOptionsSource,
	useServer,
} from "../support/server.ts";

/** The AWS CLI v2 from Debian's `awscli` package (other copies on PATH may differ). */
export const AWS_CLI = "/usr/bin/aws";
/** The Python from Debian, which has `python3-boto3` (other copies on PATH lack it). */
export const PYTHON = "/usr/bin/python3";

export interface RunResult {
	/** Exit code; -1 when the process could not be started or was killed. */
	code: number;
	stdout: string;
	stderr: string;
}

let emptyHome: string | undefined;

/** An empty HOME for the clients, so no `~/.aws` (config, credentials, models) is read. */
function clientHome(): string {
	if (!emptyHome) {
		const dir = mkdtempSync(join(tmpdir(), "idpool-compat-home-"));
		process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
		emptyHome = dir;
	}
	return emptyHome;
}

/**
 * The environment for a client: the parent's, minus every `AWS_*` variable (endpoint URLs,
 * profiles, CA bundles, ...) and Python path overrides, plus test credentials and a region,
 * with config and credentials files pointing at /dev/null and an empty HOME.
 */
export function clientEnv(region = "us-east-1"): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {};
	for (const [name, value] of Object.entries(process.env)) {
		if (/^(AWS_|BOTO_|PYTHON)/i.test(name)) continue;
		if (name === "VIRTUAL_ENV") continue;
		env[name] = value;
	}
	return {
		...env,
		HOME: clientHome(),
		AWS_ACCESS_KEY_ID: "test",
		AWS_SECRET_ACCESS_KEY: "test",
		AWS_DEFAULT_REGION: region,
		AWS_REGION: region,
		AWS_CONFIG_FILE: "/dev/null",
		AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
		AWS_EC2_METADATA_DISABLED: "true",
		// One attempt: a failure must show, not be retried into a slow pass.
		AWS_MAX_ATTEMPTS: "1",
		AWS_RETRY_MODE: "standard",
		AWS_PAGER: "",
		AWS_CLI_AUTO_PROMPT: "off",
		PYTHONDONTWRITEBYTECODE: "1",
		PYTHONIOENCODING: "utf-8",
	};
}

/**
 * How long one client process may run before it is killed (exit code -1): long enough for a
 * machine that runs other suites at the same time (one AWS CLI call is about half a second
 * of CPU, and waits its turn for a core), short enough that a hang still fails the test.
 */
const CLIENT_TIMEOUT_MS = 120_000;

/**
 * Runs `file args` with {@link clientEnv} (and `env` over it); never throws, whatever the
 * exit code.
 */
export function run(
	file: string,
	args: readonly string[],
	options: {
		region?: string;
		timeoutMs?: number;
		env?: Record<string, string>;
	} = {},
): Promise<RunResult> {
	return new Promise((resolve) => {
		execFile(
			file,
			args,
			{
				env: { ...clientEnv(options.region), ...options.env },
				timeout: options.timeoutMs ?? CLIENT_TIMEOUT_MS,
				maxBuffer: 16 * 1024 * 1024,
				encoding: "utf8",
			},
			(error, stdout, stderr) => {
				let code = 0;
				if (error) {
					code = typeof error.code === "number" ? error.code : -1;
					if (code === -1 && !stderr) stderr = error.message;
				}
				resolve({ code, stdout, stderr });
			},
		);
	});
}

/**
 * One Python process (test/compat/aws_cli.py) that runs AWS CLI commands with the code of
 * /usr/bin/aws (`awscli.clidriver`), one after the other, each with its own environment and
 * output: the CLI's start-up (about a second of CPU) is paid once per test file instead of
 * once per command. It holds the event loop only while a command is under way.
 */
class AwsCliProcess {
	readonly #child: ChildProcess;
	readonly #waiting: ((result: RunResult) => void)[] = [];
	#buffer = "";

	constructor() {
		this.#child = spawn(PYTHON, [AWS_CLI_DRIVER], {
			env: clientEnv(),
			stdio: ["pipe", "pipe", "inherit"],
		});
		this.#child.stdout?.setEncoding("utf8");
		this.#child.stdout?.on("data", (chunk: string) => {
			this.#buffer += chunk;
			for (let nl = this.#buffer.indexOf("\n"); nl >= 0; ) {
				const line = this.#buffer.slice(0, nl);
				this.#buffer = this.#buffer.slice(nl + 1);
				this.#waiting.shift()?.(JSON.parse(line) as RunResult);
				nl = this.#buffer.indexOf("\n");
			}
			this.#idle();
		});
		this.#child.on("exit", () => this.#fail("the AWS CLI process ended"));
		this.#child.on("error", (err) => this.#fail(err.message));
		this.#idle();
	}

	run(args: readonly string[], env: NodeJS.ProcessEnv): Promise<RunResult> {
		return new Promise((resolve) => {
			this.#waiting.push(resolve);
			this.#child.ref();
			(this.#child.stdout as Socket | null)?.ref();
			this.#child.stdin?.write(`${JSON.stringify({ args, env })}\n`);
		});
	}

	kill(): void {
		this.#child.kill();
	}

	#idle(): void {
		if (this.#waiting.length > 0) return;
		this.#child.unref();
		(this.#child.stdout as Socket | null)?.unref();
		(this.#child.stdin as Socket | null)?.unref();
	}

	#fail(message: string): void {
		for (const resolve of this.#waiting.splice(0)) {
			resolve({ code: -1, stdout: "", stderr: message });
		}
	}
}

let awsCliProcess: AwsCliProcess | undefined;

/**
 * Runs the AWS CLI command `aws <args>` (in the process above) with {@link clientEnv}; a
 * command that has not finished within the timeout ends the process and answers code -1.
 */
export async function awsCli(
	args: readonly string[],
	options: { region?: string; timeoutMs?: number } = {},
): Promise<RunResult> {
	awsCliProcess ??= new AwsCliProcess();
	const cli = awsCliProcess;
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<RunResult>((resolve) => {
		timer = setTimeout(() => {
			cli.kill();
			if (awsCliProcess === cli) awsCliProcess = undefined;
			resolve({
				code: -1,
				stdout: "",
				stderr: "the AWS CLI did not finish in time",
			});
		}, options.timeoutMs ?? CLIENT_TIMEOUT_MS);
	});
	try {
		return await Promise.race([
			cli.run(args, clientEnv(options.region)),
			timeout,
		]);
	} finally {
		clearTimeout(timer);
	}
}

/** The AWS CLI's exit code for an error the service answered. */
export const SERVICE_ERROR = 254;

export interface CognitoCliOptions {
	/** The region of the call (and of the client's environment); us-east-1 by default. */
	readonly region?: string;
	/** Global options placed before the service name, such as `--debug`. */
	readonly global?: readonly string[];
}

/** Runners of `aws cognito-identity ...` commands against the server at `url()`. */
export interface CognitoCli {
	/** Runs `aws --endpoint-url <url> ... cognito-identity <args>`. */
	aws(args: readonly string[], options?: CognitoCliOptions): Promise<RunResult>;
	/** Runs a command that must succeed, and parses its JSON output. */
	awsJson<T>(args: readonly string[], options?: CognitoCliOptions): Promise<T>;
	/** Runs a command that must succeed and print nothing. */
	awsQuiet(args: readonly string[], options?: CognitoCliOptions): Promise<void>;
}

/** {@link CognitoCli} against the server whose URL `url` answers (read at each call). */
export function cognitoCli(url: () => string): CognitoCli {
	const aws = (args: readonly string[], options: CognitoCliOptions = {}) => {
		const region = options.region ?? "us-east-1";
		return awsCli(
			[
				"--endpoint-url",
				url(),
				"--region",
				region,
				"--output",
				"json",
				...(options.global ?? []),
				"cognito-identity",
				...args,
			],
			{ region },
		);
	};
	const succeeded = async (
		args: readonly string[],
		options?: CognitoCliOptions,
	) => {
		const r = await aws(args, options);
		assert.equal(
			r.code,
			0,
			`aws ${args.join(" ")} exited ${r.code}:\n${r.stderr}`,
		);
		return r;
	};
	return {
		aws,
		async awsJson<T>(args: readonly string[], options?: CognitoCliOptions) {
			return JSON.parse((await succeeded(args, options)).stdout) as T;
		},
		async awsQuiet(args: readonly string[], options?: CognitoCliOptions) {
			assert.equal((await succeeded(args, options)).stdout.trim(), "");
		},
	};
}

/** Asserts a service error: exit 254, nothing on stdout, `(Code)` and the message on stderr. */
export function assertServiceError(
	r: RunResult,
	code: string,
	message: string,
): void {
	const stderr = r.stderr.slice(-2000);
	assert.equal(r.code, SERVICE_ERROR, `exit code; stderr:\n${stderr}`);
	assert.equal(r.stdout, "");
	assert.ok(
		r.stderr.includes(`(${code})`),
		`stderr names no ${code}:\n${stderr}`,
	);
	assert.ok(
		r.stderr.includes(message),
		`stderr lacks ${JSON.stringify(message)}:\n${stderr}`,
	);
}

const AWS_CLI_DRIVER = fileURLToPath(new URL("aws_cli.py", import.meta.url));

const INSTALL_HINT =
	"`bash .ci/run` installs them (Debian packages awscli, python3-boto3).";

/**
 * Fails (never skips) when the clients this suite needs are missing: /usr/bin/aws, and
 * /usr/bin/python3 able to import boto3.
 */
export async function assertClientsInstalled(): Promise<void> {
	for (const file of [AWS_CLI, PYTHON]) {
		try {
			accessSync(file, constants.X_OK);
		} catch {
			throw new Error(
				`The compatibility suite needs ${file}, which is missing: ${INSTALL_HINT}`,
			);
		}
	}
	const probe = await run(PYTHON, [
		"-c",
		"import boto3, botocore; print(boto3.__version__, botocore.__version__)",
	]);
	if (probe.code !== 0) {
		throw new Error(
			`The compatibility suite needs boto3 for ${PYTHON}, which cannot import it: ${INSTALL_HINT}\n${probe.stderr}`,
		);
	}
}

/** One line a check script prints (see test/compat/checks.py). */
interface CheckLine {
	check: string;
	ok: boolean;
	detail?: unknown;
	trace?: string;
}

/** Fails, with the install hint, unless PyJWT imports in Debian's Python. */
async function assertPyJwtInstalled(): Promise<void> {
	const jwt = await run(PYTHON, ["-c", "import jwt; print(jwt.__version__)"]);
	assert.equal(
		jwt.code,
		0,
		`This suite needs PyJWT for ${PYTHON}, which cannot import it: \`bash .ci/run\` installs it (Debian package python3-jwt).\n${jwt.stderr}`,
	);
	// PyJWT verifies RSA and EC signatures with python3-cryptography (only recommended by
	// python3-jwt, so not installed with it under --no-install-recommends).
	const crypto = await run(PYTHON, ["-c", "import cryptography"]);
	assert.equal(
		crypto.code,
		0,
		`This suite needs python3-cryptography for PyJWT's RSA and EC keys, which ${PYTHON} cannot import: \`bash .ci/run\` installs it.\n${crypto.stderr}`,
	);
}

/**
 * Declares a suite around one boto3 check script, run against a server of its own
 * ({@link useServer} with `server`): `setup` may first register hooks of its own (doubles the
 * server's options name); `args` answers the script's arguments after its path. Every check
 * the script prints becomes a test, so a failure names its check, and a last test proves the
 * script ran exactly `checks`, in order, printed nothing else, and exited 0.
 */
export function describeCheckScript(
	title: string,
	options: {
		script: string;
		checks: readonly string[];
		needsPyJwt?: boolean;
		setup?: () => void;
		server?: ServerOptionsSource;
		args: (t: ServerFixture) => string[] | Promise<string[]>;
	},
): void {
	describe(title, () => {
		let result: RunResult;
		const lines = new Map<string, CheckLine>();
		/** Output lines that are not check lines (the scripts print none). */
		const stray: string[] = [];

		before(async () => {
			await assertClientsInstalled();
			if (options.needsPyJwt) await assertPyJwtInstalled();
		});
		options.setup?.();
		const t = useServer(options.server);
		before(async () => {
			const args = await options.args(t);
			result = await run(PYTHON, [options.script, ...args], {
				timeoutMs: 3 * CLIENT_TIMEOUT_MS,
			});
			for (const text of result.stdout.split("\n")) {
				if (!text.trim()) continue;
				try {
					const line = JSON.parse(text) as CheckLine;
					lines.set(line.check, line);
				} catch {
					stray.push(text);
				}
			}
		});

		for (const name of options.checks) {
			test(name, () => {
				const line = lines.get(name);
				assert.ok(
					line,
					`the script printed no line for ${name} (exit ${result.code}):\n${result.stderr}`,
				);
				assert.equal(
					line.ok,
					true,
					`${name}: ${JSON.stringify(line.detail)}${line.trace ? `\n${line.trace}` : ""}`,
				);
			});
		}

		test("the script ran exactly these checks and exited 0", () => {
			assert.deepEqual(stray, [], "lines that are not checks");
			assert.deepEqual([...lines.keys()], options.checks);
			assert.equal(result.code, 0, result.stderr);
		});
	});
}
