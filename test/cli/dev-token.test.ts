/**
 * The development issuer from the command line (the built binary): `idpool serve
 * --dev-issuer` and its banner (a line on standard output, a warning on standard error,
 * louder beyond loopback), and `idpool dev-token`, which prints a token of a running server's
 * issuer, with exit code 1 and one line when the issuer is off, nobody answers or the server
 * refuses the request, and 2 for wrong arguments. The shell snippets of docs/federation.md
 * ("A development issuer") run as they are written, with `idpool` on PATH and the port in
 * `IDPOOL_PORT`.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import {
	chmodSync,
	mkdirSync,
	mkdtempSync,
	rmSync,
	writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createRemoteJWKSet, decodeJwt, jwtVerify } from "jose";
import { BIN, runIdpool, serveIdpool } from "../support/cli.ts";
import { type CodeBlock, codeBlocks, onPort } from "../support/docs.ts";
import { freePort, waitFor } from "../support/sockets.ts";

const dir = mkdtempSync(join(tmpdir(), "idpool-dev-token-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const SECTION = "A development issuer";
const USAGE_LINE = /usage: idpool dev-token --sub SUBJECT/;

/** `idpool serve` on a free port, in memory, with the development issuer on (and `extra`). */
const serveDev = (...extra: string[]) =>
	serveIdpool(["--port", "0", "--db", ":memory:", "--dev-issuer", ...extra]);

/** `idpool dev-token args` against `url`. */
const devToken = (url: string, args: string[]) =>
	runIdpool(["dev-token", "--endpoint", url, ...args]);

/** Asserts that a command printed nothing, and `stderr` on standard error, exiting `code`. */
function failed(
	result: { code: number | null; stdout: string; stderr: string },
	code: number,
	stderr: string | RegExp,
): void {
	assert.equal(result.code, code, result.stderr);
	assert.equal(result.stdout, "");
	if (typeof stderr === "string") assert.equal(result.stderr, stderr);
	else assert.match(result.stderr, stderr);
}

/** The payload of `token`, verified against the development issuer of `url`. */
async function verified(url: string, token: string, audience: string) {
	const issuer = `${url}/dev-issuer`;
	const { payload } = await jwtVerify(
		token,
		createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks.json`)),
		{ issuer, audience, algorithms: ["RS256"] },
	);
	return payload;
}

describe("idpool serve --dev-issuer and idpool dev-token", () => {
	test("help lists dev-token and the setting", async () => {
		const { code, stdout } = await runIdpool(["help"]);
		assert.equal(code, 0);
		assert.match(stdout, /\n {2}dev-token {4}Print an ID token/);
		assert.match(stdout, /--dev-issuer +IDPOOL_DEV_ISSUER \(default: false\)/);
	});

	test("the banner says where the issuer is, and warns on standard error", async () => {
		const s = await serveDev();
		try {
			const name = `${new URL(s.url).host}/dev-issuer`;
			await waitFor(() => s.stdout().includes("dev issuer:"), 5000);
			assert.match(
				s.stdout(),
				new RegExp(
					`\\n {2}dev issuer: ${s.url}/dev-issuer \\(provider name ${name}, default audience idpool-dev\\)\\n`,
				),
			);
			const warning = await s.stderrLine(/development issuer/);
			assert.equal(
				warning,
				`WARNING: the development issuer is on (--dev-issuer): anyone who can connect to this server, from this machine, can mint ID tokens that pools listing ${name} accept. For development only.`,
			);
		} finally {
			await s.stop();
		}
	});

	test("beyond loopback (IDPOOL_DEV_ISSUER=true): the louder warning; a plain-http issuer there cannot be verified", async () => {
		const s = await serveIdpool(
			["--port", "0", "--db", ":memory:", "--host", "0.0.0.0"],
			{ env: { IDPOOL_DEV_ISSUER: "true" } },
		);
		try {
			const name = `${new URL(s.url).host}/dev-issuer`;
			assert.equal(
				await s.stderrLine(/development issuer is on/),
				`WARNING: the development issuer is on (--dev-issuer) and the server listens on 0.0.0.0: anyone who can reach it over the network can mint ID tokens that pools listing ${name} accept. Never turn it on for a server that others use.`,
			);
			// The default issuer is on loopback: the issuer's keys can be fetched, no such warning.
			assert.doesNotMatch(s.stderr(), /cannot accept/);
		} finally {
			await s.stop();
		}
		const other = await serveDev("--issuer", "http://10.1.2.3:8700");
		try {
			assert.equal(
				await other.stderrLine(/cannot accept/),
				"WARNING: pools cannot accept the development issuer's tokens: its keys would be fetched from http://10.1.2.3:8700/dev-issuer over plain http, which idpool allows on loopback only; set --issuer to an https URL that reaches this server.",
			);
		} finally {
			await other.stop();
		}
	});

	test("without the flag: no banner line, and dev-token says the issuer is off (exit 1)", async () => {
		const s = await serveIdpool(["--port", "0", "--db", ":memory:"]);
		try {
			assert.doesNotMatch(s.stdout(), /dev issuer/);
			failed(
				await devToken(s.url, ["--sub", "alice"]),
				1,
				`idpool: the development issuer is off at ${s.url}: start the server with --dev-issuer (or IDPOOL_DEV_ISSUER=true)\n`,
			);
		} finally {
			await s.stop();
		}
		assert.doesNotMatch(s.stderr(), /development issuer/);
	});

	test("a setting that is not true or false stops the server (exit 2)", async () => {
		const { code, stderr } = await runIdpool(
			["serve", "--port", "0", "--db", ":memory:"],
			{
				env: { IDPOOL_DEV_ISSUER: "maybe" },
			},
		);
		assert.equal(code, 2);
		assert.equal(
			stderr,
			"idpool: IDPOOL_DEV_ISSUER must be true or false, got 'maybe'\n",
		);
	});

	test("nobody at the endpoint: exit 1 with one line", async () => {
		const url = `http://127.0.0.1:${await freePort()}`;
		failed(
			await devToken(url, ["--sub", "alice"]),
			1,
			new RegExp(
				`^idpool: cannot reach idpool at ${url} \\(.+\\): is \`idpool serve --dev-issuer\` running there\\? \\(--endpoint names another server\\)\\n$`,
			),
		);
	});

	describe("against a running issuer", () => {
		let url: string;
		let stop: (() => Promise<unknown>) | undefined;
		before(async () => {
			const s = await serveDev();
			url = s.url;
			stop = () => s.stop();
		});
		after(() => stop?.());

		test("prints the token alone: subject, audience, string and JSON claims, lifetime", async () => {
			const { code, stdout, stderr } = await devToken(url, [
				"--sub",
				"alice",
				"--aud",
				"my-app",
				"--claim",
				"cognito:groups=admin",
				"--claim",
				"n:=42",
				"--claim",
				'groups:=["a","b"]',
				"--claim",
				"note=x=y",
				"--expires-in",
				"120",
			]);
			assert.equal(stderr, "");
			assert.equal(code, 0);
			assert.match(stdout, /^[\w-]+\.[\w-]+\.[\w-]+\n$/);
			const payload = await verified(url, stdout.trim(), "my-app");
			assert.equal(payload.sub, "alice");
			assert.equal(payload["cognito:groups"], "admin");
			assert.equal(payload.n, 42);
			assert.deepEqual(payload.groups, ["a", "b"]);
			assert.equal(payload.note, "x=y");
			assert.equal((payload.exp as number) - (payload.iat as number), 120);
		});

		test("the server's refusal is shown (exit 1)", async () => {
			failed(
				await devToken(url, ["--sub", "alice", "--expires-in", "999999"]),
				1,
				`idpool: the development issuer at ${url} refused the request (HTTP 400): expiresIn must be a whole number of seconds from 1 to 86400.\n`,
			);
			failed(
				await devToken(url, ["--sub", "a", "--claim", "iss=x"]),
				1,
				/claims may not set iss/,
			);
		});

		const usage: [string, string[], RegExp][] = [
			["no --sub", [], /^idpool: --sub is required\n/],
			[
				"a claim without =",
				["--sub", "a", "--claim", "admin"],
				/^idpool: --claim must be NAME=VALUE or NAME:=JSON, got 'admin'\n$/,
			],
			[
				"a claim of bad JSON",
				["--sub", "a", "--claim", "g:=[x"],
				/^idpool: --claim g:= must be followed by JSON/,
			],
			[
				"a claim given twice",
				["--sub", "a", "--claim", "g=1", "--claim", "g=2"],
				/^idpool: --claim g is given twice\n$/,
			],
			[
				"--expires-in that is not a number",
				["--sub", "a", "--expires-in", "soon"],
				/^idpool: --expires-in must be a whole number of seconds, got 'soon'\n$/,
			],
			[
				"an unknown option",
				["--sub", "a", "--subject", "b"],
				/^idpool: Unknown option '--subject'/,
			],
		];
		for (const [what, args, message] of usage) {
			test(`wrong arguments exit 2 before asking anything: ${what}`, async () => {
				failed(await devToken(url, args), 2, message);
			});
		}

		test("an endpoint that is not an http URL exits 2", async () => {
			const { code, stderr } = await runIdpool([
				"dev-token",
				"--sub",
				"a",
				"--endpoint",
				"ftp://127.0.0.1",
			]);
			assert.equal(code, 2);
			assert.equal(
				stderr,
				"idpool: --endpoint must be the server's http(s) URL, got 'ftp://127.0.0.1'\n",
			);
			assert.match(
				(await devToken(url, [])).stderr,
				USAGE_LINE,
				"the usage line follows a missing --sub",
			);
		});
	});

	test("the shell snippets of docs/federation.md run as written", async () => {
		const blocks = codeBlocks("docs/federation.md", SECTION);
		const shell = blocks.filter((b) => b.lang === "sh");
		const banner = blocks.find((b) => b.lang === "text");
		assert.equal(shell.length, 2, "a block that serves, one that mints");
		assert.ok(banner, "the section shows the banner line");
		const [serveBlock, mintBlock] = shell as [CodeBlock, CodeBlock];
		// `idpool` on PATH, as after `npm install -g` or in an npm script.
		const bin = join(dir, "bin");
		mkdirSync(bin, { recursive: true });
		writeFileSync(
			join(bin, "idpool"),
			`#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`,
		);
		chmodSync(join(bin, "idpool"), 0o755);
		const port = await freePort();
		const env = {
			PATH: `${bin}:${process.env.PATH}`,
			HOME: process.env.HOME,
			IDPOOL_PORT: String(port),
			IDPOOL_DB: ":memory:",
			IDPOOL_LOG_LEVEL: "warn",
		};
		const server = spawn("/bin/sh", ["-c", serveBlock.code], {
			env,
			stdio: ["ignore", "pipe", "pipe"],
			detached: true,
		});
		let out = "";
		server.stdout?.on("data", (d) => {
			out += d;
		});
		server.stderr?.resume();
		const exited = new Promise((resolve) => server.on("exit", resolve));
		try {
			await waitFor(() => out.includes("dev issuer:"), 20_000);
			assert.ok(
				out.includes(`${onPort(banner.code, port)}\n`),
				`the banner ${JSON.stringify(out)} has the line of the docs`,
			);
			const minted = await new Promise<{
				code: number | null;
				out: string;
				err: string;
			}>((resolve) => {
				const child = spawn("/bin/sh", ["-e", "-c", mintBlock.code], {
					env,
					stdio: ["ignore", "pipe", "pipe"],
				});
				let o = "";
				let e = "";
				child.stdout?.on("data", (d) => {
					o += d;
				});
				child.stderr?.on("data", (d) => {
					e += d;
				});
				child.on("close", (code) => resolve({ code, out: o, err: e }));
			});
			assert.equal(minted.code, 0, minted.err);
			const tokens = minted.out.trim().split("\n");
			assert.equal(tokens.length, 2);
			const url = `http://127.0.0.1:${port}`;
			const alice = await verified(url, tokens[0] as string, "idpool-dev");
			assert.equal(alice.sub, "alice");
			const bob = await verified(url, tokens[1] as string, "my-app");
			assert.equal(bob.sub, "bob");
			assert.equal(bob.email, "bob@example.com");
			assert.deepEqual(bob.groups, ["admin", "dev"]);
			assert.equal((bob.exp as number) - (bob.iat as number), 600);
			assert.equal(decodeJwt(tokens[1] as string).aud, "my-app");
		} finally {
			// The shell and the server it started are one process group.
			if (server.pid !== undefined && server.exitCode === null) {
				process.kill(-server.pid, "SIGTERM");
			}
			await exited;
		}
	});
});
