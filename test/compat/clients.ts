/**
 * Test support for the compatibility suite: runs independent AWS clients (Debian's `awscli`
 * and `python3-boto3`) against a test server, in an environment that no profile, config
 * file or `AWS_*` variable of the machine can leak into.
 */
import { execFile } from "node:child_process";
import { accessSync, constants, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

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

/** Runs `file args` with {@link clientEnv}; never throws, whatever the exit code. */
export function run(
	file: string,
	args: readonly string[],
	options: { region?: string; timeoutMs?: number } = {},
): Promise<RunResult> {
	return new Promise((resolve) => {
		execFile(
			file,
			args,
			{
				env: clientEnv(options.region),
				timeout: options.timeoutMs ?? 20_000,
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
