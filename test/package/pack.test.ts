/**
 * The npm package as a user gets it: packed (`npm pack`, which builds dist/), installed into
 * an empty project, and used there: `npx idpool serve --port 0` and `startIdpool` from an ES
 * module, the example of docs/testing-with-idpool.md, and its types from a TypeScript file.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import {
	existsSync,
	mkdtempSync,
	readdirSync,
	readFileSync,
	rmSync,
	symlinkSync,
	writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
	CognitoIdentityClient,
	CreateIdentityPoolCommand,
	GetIdCommand,
	GetOpenIdTokenCommand,
} from "@aws-sdk/client-cognito-identity";
import { decodeJwt } from "jose";
import {
	docExample,
	installPackage,
	listedPoolIds,
	npmEnvironment,
	packPackage,
	ROOT,
	run,
} from "../support/package.ts";

const dir = mkdtempSync(join(tmpdir(), "idpool-package-"));
const app = join(dir, "app");
const installed = join(app, "node_modules/idpool");
after(() => rmSync(dir, { recursive: true, force: true }));

/** A process started in the project, with its output as it comes. */
function start(file: string, args: string[]) {
	const child = spawn(file, args, {
		cwd: app,
		env: npmEnvironment(),
		// A process group of its own: npx runs idpool under a shell, and a signal goes to the
		// group, as a terminal or a process supervisor sends it.
		detached: true,
		stdio: ["pipe", "pipe", "pipe"],
	});
	let stdout = "";
	let stderr = "";
	child.stdout.on("data", (d) => {
		stdout += d;
	});
	child.stderr.on("data", (d) => {
		stderr += d;
	});
	// Every process of the group has ended once the pipes they share are closed.
	const closed = new Promise<number | null>((resolve) =>
		child.on("close", (code) => resolve(code)),
	);
	const timer = setTimeout(() => {
		try {
			process.kill(-(child.pid ?? 0), "SIGKILL");
		} catch {}
	}, 60_000);
	closed.finally(() => clearTimeout(timer));
	return {
		child,
		closed,
		stdout: () => stdout,
		stderr: () => stderr,
		async line(pattern: RegExp): Promise<RegExpMatchArray> {
			for (;;) {
				const match = stdout.match(pattern);
				if (match) return match;
				if (child.exitCode !== null || child.signalCode !== null) {
					throw new Error(`ended without ${pattern}: ${stdout}\n${stderr}`);
				}
				await new Promise((r) => setTimeout(r, 50));
			}
		},
	};
}

function sdk(endpoint: string, region = "us-east-1") {
	return new CognitoIdentityClient({
		endpoint,
		region,
		credentials: { accessKeyId: "test", secretAccessKey: "test" },
	});
}

describe("the npm package", () => {
	let files: string[] = [];
	before(async () => {
		const packed = await packPackage(dir);
		files = packed.files;
		await installPackage(packed.tarball, app);
	});

	test("holds the executable, the built code with its types and the docs; no sources, tests or source maps", () => {
		for (const file of [
			"package.json",
			"README.md",
			"bin/idpool.js",
			"dist/bin/idpool.js",
			"dist/api/index.js",
			"dist/api/index.d.ts",
			"dist/store/sqlite/checkpoint-worker.js",
			"dist/console/index.html",
			"dist/console/app.js",
			"dist/console/style.css",
			"docs/testing-with-idpool.md",
		]) {
			assert.ok(files.includes(file), `${file} is in the package`);
		}
		const unwanted = files.filter(
			(f) =>
				/\.test\.|\.map$/.test(f) ||
				/^(src|test|scripts|bench|examples|node_modules)\//.test(f),
		);
		assert.deepEqual(unwanted, []);
		const manifest = JSON.parse(
			readFileSync(join(installed, "package.json"), "utf8"),
		);
		assert.equal(manifest.private, undefined);
		assert.deepEqual(manifest.exports["."], {
			types: "./dist/api/index.d.ts",
			default: "./dist/api/index.js",
		});
	});

	test("its built code imports at run time exactly the packages of dependencies, and installs no devDependency", () => {
		const manifest = JSON.parse(
			readFileSync(join(ROOT, "package.json"), "utf8"),
		);
		const imported = new Set<string>();
		const scan = (folder: string) => {
			for (const entry of readdirSync(folder, { withFileTypes: true })) {
				const path = join(folder, entry.name);
				if (entry.isDirectory()) scan(path);
				else if (entry.name.endsWith(".js")) {
					const code = readFileSync(path, "utf8");
					for (const m of [
						...code.matchAll(/^(?:import|export)\s[^;]*?from\s*"([^"]+)"/gm),
						...code.matchAll(/^import\s*"([^"]+)"/gm),
						...code.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g),
					]) {
						const spec = m[1] as string;
						if (spec.startsWith("node:") || spec.startsWith(".")) continue;
						const parts = spec.split("/");
						imported.add(
							spec.startsWith("@") ? parts.slice(0, 2).join("/") : spec,
						);
					}
				}
			}
		};
		scan(join(installed, "dist"));
		assert.deepEqual(
			[...imported].sort(),
			Object.keys(manifest.dependencies).sort(),
		);
		for (const dev of Object.keys(manifest.devDependencies)) {
			assert.ok(
				!existsSync(join(app, "node_modules", dev)),
				`${dev} is not installed`,
			);
		}
	});

	test("npx idpool serve --port 0: the banner's URL answers the SDK, and SIGTERM stops it", async () => {
		const server = start("npx", [
			"idpool",
			"serve",
			"--port",
			"0",
			"--db",
			join(dir, "served.db"),
		]);
		const [, url] = await server.line(/idpool listening on (\S+)\n/);
		// The compiled checkpoint worker is in the package: a SQLite file uses it.
		await server.line(
			/database: .*served\.db \(checkpoints on a worker thread\)/,
		);
		// The web console, built into the package, is served on loopback (docs/console.md).
		await server.line(/console: +http:\/\/127\.0\.0\.1:\d+\/console\/\n/);
		for (const file of ["", "app.js", "style.css"]) {
			const answer = await fetch(`${url}/console/${file}`);
			assert.equal(answer.status, 200, `/console/${file}`);
			assert.match(
				answer.headers.get("content-security-policy") ?? "",
				/default-src 'self'/,
			);
		}
		const client = sdk(url as string);
		const pool = await client.send(
			new CreateIdentityPoolCommand({
				IdentityPoolName: "npx",
				AllowUnauthenticatedIdentities: false,
			}),
		);
		assert.deepEqual(await listedPoolIds(client), [pool.IdentityPoolId]);
		client.destroy();
		process.kill(-(server.child.pid ?? 0), "SIGTERM");
		await server.closed;
		assert.match(server.stdout(), /idpool: SIGTERM received, shutting down/);
		assert.doesNotMatch(server.stderr(), /WARNING|Error/);
	});

	test("startIdpool from an ES module: options, what the SDK needs, a quiet process that ends once stopped", async () => {
		writeFileSync(
			join(app, "main.mjs"),
			[
				'import { startIdpool } from "idpool";',
				"const idpool = await startIdpool(JSON.parse(process.argv[2]));",
				"console.log(JSON.stringify(idpool));",
				// Stops when the test closes standard input.
				"process.stdin.resume();",
				'process.stdin.on("end", async () => {',
				"\tawait idpool.stop();",
				'\tconsole.log("stopped");',
				"});",
				"",
			].join("\n"),
		);
		const module = start(process.execPath, [
			"main.mjs",
			JSON.stringify({ maxPools: 1, devIssuer: true, region: "eu-west-1" }),
		]);
		const [line] = await module.line(/^\{.*\}\n/);
		const idpool = JSON.parse(line);
		assert.match(idpool.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
		assert.equal(idpool.region, "eu-west-1");
		assert.equal(idpool.devIssuer.url, `${idpool.issuer}/dev-issuer`);
		const client = new CognitoIdentityClient({
			endpoint: idpool.endpoint,
			region: idpool.region,
			credentials: idpool.credentials,
		});
		const pool = await client.send(
			new CreateIdentityPoolCommand({
				IdentityPoolName: "api",
				AllowUnauthenticatedIdentities: true,
			}),
		);
		await assert.rejects(
			client.send(
				new CreateIdentityPoolCommand({
					IdentityPoolName: "over",
					AllowUnauthenticatedIdentities: true,
				}),
			),
			{ name: "LimitExceededException" },
		);
		const { IdentityId } = await client.send(
			new GetIdCommand({ IdentityPoolId: pool.IdentityPoolId }),
		);
		const { Token } = await client.send(
			new GetOpenIdTokenCommand({ IdentityId }),
		);
		assert.equal(decodeJwt(Token ?? "").iss, idpool.issuer);
		client.destroy();
		module.child.stdin.end();
		assert.equal(await module.closed, 0);
		assert.equal(module.stdout(), `${line}stopped\n`);
		assert.equal(module.stderr(), "");
	});

	test("the node:test example of docs/testing-with-idpool.md passes", async () => {
		// The example's SDK, from the repository's node_modules.
		symlinkSync(
			join(ROOT, "node_modules/@aws-sdk"),
			join(app, "node_modules/@aws-sdk"),
		);
		writeFileSync(join(app, "example.test.mjs"), docExample());
		const { stdout } = await run(
			process.execPath,
			["--test", "--test-reporter=tap", "example.test.mjs"],
			{ cwd: app, timeoutMs: 60_000 },
		);
		assert.match(stdout, /^# pass 1$/m);
		assert.match(stdout, /^# fail 0$/m);
	});

	test("its types check a TypeScript project that uses it (strict, NodeNext, library checks on)", async () => {
		writeFileSync(
			join(app, "consumer.ts"),
			[
				'import { type IdpoolOptions, type RunningIdpool, startIdpool } from "idpool";',
				'const options: IdpoolOptions = { maxPools: 3, devIssuer: true, providers: { "oidc.example.com": { clientIds: ["app"] } } };',
				"const idpool: RunningIdpool = await startIdpool(options);",
				"const endpoint: string = idpool.endpoint;",
				"const key: string = idpool.credentials.accessKeyId;",
				"await idpool.stop();",
				"// @ts-expect-error: maxPools is a number",
				"await startIdpool({ maxPools: [] });",
				"// @ts-expect-error: not a setting",
				"await startIdpool({ maxPool: 3 });",
				"export { endpoint, key };",
				"",
			].join("\n"),
		);
		writeFileSync(
			join(app, "tsconfig.json"),
			JSON.stringify({
				compilerOptions: {
					target: "ES2022",
					module: "NodeNext",
					moduleResolution: "NodeNext",
					strict: true,
					noEmit: true,
					skipLibCheck: false,
					types: ["node"],
					typeRoots: [join(ROOT, "node_modules/@types")],
				},
				files: ["consumer.ts"],
			}),
		);
		await run(join(ROOT, "node_modules/.bin/tsc"), ["-p", "tsconfig.json"], {
			cwd: app,
			timeoutMs: 120_000,
		});
	});
});
