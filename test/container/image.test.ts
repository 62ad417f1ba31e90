/**
 * The container image: built from the Containerfile with podman (its base built locally by
 * scripts/container-base.sh where no registry can be reached), then run as the commands of
 * docs/deployment.md#container-image say: each of that section's snippets is run here, with
 * names, ports and the tag made unique to this run, so the suite may run beside others.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import {
	assertClientsInstalled,
	cognitoCli,
	PYTHON,
	run,
} from "../compat/clients.ts";
import { codeBlocks } from "../support/docs.ts";
import { delay, freePort } from "../support/sockets.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

interface Result {
	code: number;
	stdout: string;
	stderr: string;
}

/** Runs `file args` in the repository's root; never throws. */
function exec(
	file: string,
	args: readonly string[],
	timeoutMs = 120_000,
): Promise<Result> {
	return new Promise((resolve) => {
		execFile(
			file,
			args,
			{ cwd: ROOT, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
			(error, stdout, stderr) => {
				const code = error
					? typeof error.code === "number"
						? error.code
						: -1
					: 0;
				resolve({ code, stdout, stderr });
			},
		);
	});
}

const podman = (args: readonly string[], timeoutMs?: number) =>
	exec("podman", args, timeoutMs);

/** Runs a shell snippet, with `docker` meaning podman (which takes Docker's command line). */
function shell(snippet: string, timeoutMs?: number): Promise<Result> {
	return exec(
		"/bin/sh",
		["-ec", `docker() { podman "$@"; }\n${snippet}`],
		timeoutMs,
	);
}

function succeeded(r: Result, what: string): string {
	assert.equal(
		r.code,
		0,
		`${what} exited ${r.code}:\n${r.stderr.slice(-3000)}`,
	);
	return r.stdout;
}

/** `text` with each `[from, to]` replaced, every one of which must be there. */
function localize(text: string, swaps: readonly [string, string][]): string {
	let out = text;
	for (const [from, to] of swaps) {
		assert.ok(out.includes(from), `the snippet lacks ${from}:\n${text}`);
		out = out.replaceAll(from, to);
	}
	return out;
}

/**
 * Runs the image's health check (`podman healthcheck run`, as podman's timers would) until it
 * passes, at most `tries` times a second apart; answers podman's health status then.
 */
async function becomesHealthy(name: string, tries = 90): Promise<string> {
	let last: Result | undefined;
	for (let i = 0; i < tries; i++) {
		last = await podman(["healthcheck", "run", name]);
		if (last.code === 0) break;
		await delay(1000);
	}
	assert.equal(
		last?.code,
		0,
		`${name} never became healthy: ${last?.stdout}${last?.stderr}\n${(await podman(["logs", name])).stderr.slice(-3000)}`,
	);
	return succeeded(
		await podman(["inspect", "--format", "{{.State.Health.Status}}", name]),
		"podman inspect",
	).trim();
}

/** `podman stop`s a container; answers its status, exit code and stop timeout then. */
async function stop(name: string): Promise<string> {
	succeeded(await podman(["stop", name], 60_000), "podman stop");
	return succeeded(
		await podman([
			"inspect",
			"--format",
			"{{.State.Status}} {{.State.ExitCode}} {{.Config.StopTimeout}}",
			name,
		]),
		"podman inspect",
	).trim();
}

const RUN_ID = `${process.pid}-${Date.now().toString(36)}`;
const TAG = `localhost/idpool-test-${RUN_ID}:0.1.0`;
const containers = [`idpool-test-${RUN_ID}-a`, `idpool-test-${RUN_ID}-b`];
const VOLUME = `idpool-test-${RUN_ID}-data`;
const COMPOSE_PROJECT = `idpool-test-${RUN_ID.replace(/-/g, "")}`;
const composeDir = mkdtempSync(join(tmpdir(), "idpool-compose-"));

after(async () => {
	await podman(["rm", "--force", "--time", "0", ...containers]);
	const composed = await podman([
		"ps",
		"--all",
		"--quiet",
		"--filter",
		`label=io.podman.compose.project=${COMPOSE_PROJECT}`,
	]);
	const ids = composed.stdout.split("\n").filter(Boolean);
	if (ids.length > 0) await podman(["rm", "--force", "--time", "0", ...ids]);
	await podman([
		"volume",
		"rm",
		"--force",
		VOLUME,
		`${COMPOSE_PROJECT}_idpool-data`,
	]);
	// The tag only: the layers stay cached for the next build.
	await podman(["rmi", "--force", TAG]);
	rmSync(composeDir, { recursive: true, force: true });
});

describe("the container image (podman)", () => {
	const snippets = codeBlocks("docs/deployment.md", "Container image");
	const snippet = (lang: string, prefix: string) => {
		const found = snippets.filter(
			(s) => s.lang === lang && s.code.startsWith(prefix),
		);
		assert.equal(found.length, 1, `one ${lang} snippet starting ${prefix}`);
		return found[0]?.code ?? "";
	};
	let url = "";
	const cli = cognitoCli(() => url);
	let poolId = "";

	before(async () => {
		await assertClientsInstalled();
		const version = await podman(["--version"]);
		assert.equal(
			version.code,
			0,
			`this test needs podman (\`bash .ci/run\` installs and configures it): ${version.stderr}`,
		);
	});

	test("docs/deployment.md's Container image section has exactly the snippets run here", () => {
		assert.deepEqual(
			snippets.map(
				(s) =>
					`${s.lang}: ${(s.code.split("\n")[0] ?? "").split(" ").slice(0, 2).join(" ")}`,
			),
			[
				"sh: podman build",
				"sh: podman run",
				"sh: docker run",
				"yaml: services:",
				"sh: podman healthcheck",
			],
		);
	});

	test("README's quick start runs the image with the same docker run command", () => {
		const readme = codeBlocks("README.md", "Quick start").find((b) =>
			b.code.startsWith("docker run"),
		);
		assert.equal(readme?.code, snippet("sh", "docker run"));
	});

	test("the image builds from the Containerfile, on its pinned base; no compiler, npm or curl in it", async () => {
		succeeded(
			await exec("bash", ["scripts/container-base.sh"], 900_000),
			"scripts/container-base.sh",
		);
		const build = localize(snippet("sh", "podman build"), [
			["idpool:0.1.0", TAG],
		]);
		succeeded(await shell(build, 1_800_000), build);

		const [image] = JSON.parse(
			succeeded(
				await podman(["image", "inspect", TAG]),
				"podman image inspect",
			),
		) as {
			Config: {
				User: string;
				ExposedPorts: Record<string, unknown>;
				Volumes: Record<string, unknown>;
				StopSignal: string;
				Env: string[];
			};
			Healthcheck?: { Test: string[] };
		}[];
		assert.ok(image);
		assert.equal(image.Config.User, "idpool:idpool");
		assert.deepEqual(Object.keys(image.Config.ExposedPorts), ["8700/tcp"]);
		assert.deepEqual(Object.keys(image.Config.Volumes), ["/data"]);
		assert.equal(image.Config.StopSignal, "SIGTERM");
		assert.deepEqual(image.Healthcheck?.Test, [
			"CMD",
			"node",
			"/app/bin/idpool.js",
			"healthcheck",
		]);
		for (const setting of [
			"IDPOOL_HOST=0.0.0.0",
			"IDPOOL_PORT=8700",
			"IDPOOL_DB=/data/idpool.db",
		]) {
			assert.ok(image.Config.Env.includes(setting), setting);
		}

		const tools = await podman([
			"run",
			"--rm",
			"--entrypoint",
			"/bin/sh",
			TAG,
			"-c",
			'node --version; for t in g++ gcc make python3 npm curl wget; do command -v "$t" || true; done',
		]);
		assert.equal(succeeded(tools, "the tool probe"), "v24.22.3\n");
	});

	test("podman run (the documented command): the container becomes healthy", async () => {
		const port = await freePort();
		url = `http://127.0.0.1:${port}`;
		const command = localize(snippet("sh", "podman run"), [
			["--name idpool ", `--name ${containers[0]} `],
			["127.0.0.1:8700:8700", `127.0.0.1:${port}:8700`],
			["http://127.0.0.1:8700", url],
			["idpool-data:/data", `${VOLUME}:/data`],
			["idpool:0.1.0", TAG],
		]);
		succeeded(await shell(command), command);
		assert.equal(await becomesHealthy(containers[0] ?? ""), "healthy");
		const logs = await podman(["logs", containers[0] ?? ""]);
		assert.match(logs.stdout, /database: +\/data\/idpool\.db/);
		assert.match(
			logs.stderr,
			/WARNING: the built-in development credentials \(test\/test\) are in use on 0\.0\.0\.0/,
		); // It listens on every interface of the container: no web console unless asked.
		assert.doesNotMatch(logs.stdout, /console:/);
		assert.equal((await fetch(`${url}/console/`)).status, 404);
	});

	test("the server runs as uid and gid 10001, not root, and its files are theirs", async () => {
		const name = containers[0] ?? "";
		const status = succeeded(
			await podman(["exec", name, "cat", "/proc/1/status"]),
			"podman exec",
		);
		assert.match(status, /^Uid:\t10001\t10001\t10001\t10001$/m);
		assert.match(status, /^Gid:\t10001\t10001\t10001\t10001$/m);
		const files = succeeded(
			await podman([
				"exec",
				name,
				"stat",
				"-c",
				"%u:%g %a %n",
				"/data",
				"/data/idpool.db",
			]),
			"podman exec stat",
		);
		assert.equal(
			files,
			"10001:10001 700 /data\n10001:10001 600 /data/idpool.db\n",
		);
	});

	test("the AWS CLI and boto3 on the host work against it through the published port", async () => {
		const created = await cli.awsJson<{ IdentityPoolId: string }>([
			"create-identity-pool",
			"--identity-pool-name",
			"in_a_container",
			"--allow-unauthenticated-identities",
		]);
		poolId = created.IdentityPoolId;
		assert.match(poolId, /^us-east-1:[0-9a-f-]{36}$/);

		const script = `
import sys, boto3
url, pool = sys.argv[1], sys.argv[2]
c = boto3.client("cognito-identity", endpoint_url=url, region_name="us-east-1")
assert c.describe_identity_pool(IdentityPoolId=pool)["IdentityPoolName"] == "in_a_container"
identity = c.get_id(IdentityPoolId=pool)["IdentityId"]
token = c.get_open_id_token(IdentityId=identity)
assert token["IdentityId"] == identity
print(identity.split(":")[0], token["Token"].count("."))
`;
		const r = await run(PYTHON, ["-c", script, url, poolId]);
		assert.equal(r.code, 0, r.stderr);
		assert.equal(r.stdout, "us-east-1 2\n");
	});

	test("podman stop: SIGTERM stops the server cleanly (exit 0) before the stop timeout", async () => {
		const name = containers[0] ?? "";
		// 137 would be the kill at the end of the stop timeout (15 s, from the command).
		assert.equal(await stop(name), "exited 0 15");
		const logs = await podman(["logs", name]);
		assert.match(
			logs.stdout,
			/idpool: SIGTERM received, shutting down \(requests in flight get 10 s\)\n$/,
		);
		assert.doesNotMatch(logs.stderr, /exiting at once/);
		succeeded(await podman(["rm", name]), "podman rm");
	});

	test("docs/console.md's docker run is the documented one with the console turned on", () => {
		const withConsole = codeBlocks(
			"docs/console.md",
			"Where it is served",
		).find((b) => b.code.startsWith("docker run"));
		assert.equal(
			withConsole?.code,
			snippet("sh", "docker run").replace(
				"-e IDPOOL_ISSUER=http://127.0.0.1:8700 ",
				"-e IDPOOL_ISSUER=http://127.0.0.1:8700 -e IDPOOL_CONSOLE=on ",
			),
		);
	});

	test("docker run (the documented command, by podman, with docs/console.md's IDPOOL_CONSOLE=on) on the same volume: the pool is still there, and the console is served", async () => {
		const name = containers[1] ?? "";
		const port = await freePort();
		url = `http://127.0.0.1:${port}`;
		const documented = codeBlocks("docs/console.md", "Where it is served").find(
			(b) => b.code.startsWith("docker run"),
		);
		const command = localize(documented?.code ?? "", [
			["--name idpool ", `--name ${name} `],
			["127.0.0.1:8700:8700", `127.0.0.1:${port}:8700`],
			["http://127.0.0.1:8700", url],
			["idpool-data:/data", `${VOLUME}:/data`],
			["idpool:0.1.0", TAG],
		]);
		succeeded(await shell(command), command);
		assert.equal(await becomesHealthy(name), "healthy");

		const check = localize(snippet("sh", "podman healthcheck"), [
			["run idpool ", `run ${name} `],
			["}}' idpool", `}}' ${name}`],
		]);
		assert.equal(succeeded(await shell(check), check), "healthy\n");

		const described = await cli.awsJson<{ IdentityPoolName: string }>([
			"describe-identity-pool",
			"--identity-pool-id",
			poolId,
		]);
		assert.equal(described.IdentityPoolName, "in_a_container");
		const page = await fetch(`${url}/console/`);
		assert.equal(page.status, 200);
		assert.match(page.headers.get("content-security-policy") ?? "", /'self'/);
		assert.equal((await fetch(`${url}/console/app.js`)).status, 200);
		assert.equal(await stop(name), "exited 0 15");
	});

	test("the compose service (podman-compose): healthy, reachable, stops cleanly", async () => {
		const port = await freePort();
		url = `http://127.0.0.1:${port}`;
		const file = join(composeDir, "compose.yaml");
		writeFileSync(
			file,
			localize(snippet("yaml", "services:"), [
				["image: idpool:0.1.0", `image: ${TAG}`],
				['"127.0.0.1:8700:8700"', `"127.0.0.1:${port}:8700"`],
				["http://127.0.0.1:8700", url],
			]),
		);
		const up = await exec(
			"podman-compose",
			["--project-name", COMPOSE_PROJECT, "--file", file, "up", "--detach"],
			300_000,
		);
		succeeded(up, `podman-compose up (${basename(file)})`);
		const ids = succeeded(
			await podman([
				"ps",
				"--quiet",
				"--filter",
				`label=io.podman.compose.project=${COMPOSE_PROJECT}`,
			]),
			"podman ps",
		)
			.split("\n")
			.filter(Boolean);
		assert.equal(ids.length, 1, "one container");
		const id = ids[0] ?? "";
		assert.equal(await becomesHealthy(id), "healthy");
		const pools = await cli.awsJson<{ IdentityPools: unknown[] }>([
			"list-identity-pools",
			"--max-results",
			"10",
		]);
		assert.deepEqual(pools.IdentityPools, [], "a volume of its own");
		// podman-compose 1.0.3 does not pass stop_grace_period on (docker compose does): the
		// stop timeout is podman's default, 10 s, which an idle server does not need.
		assert.equal(await stop(id), "exited 0 10");
	});
});
