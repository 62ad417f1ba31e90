import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import {
	CreateIdentityPoolCommand,
	DescribeIdentityPoolCommand,
} from "@aws-sdk/client-cognito-identity";
import { type RunningIdpool, runIdpool, serveIdpool } from "../support/cli.ts";
import { freshSchema } from "../support/postgres.ts";
import { sdkClient } from "../support/server.ts";
import { connect, delay, waitFor } from "../support/sockets.ts";
import { engineSkipReason } from "../support/stores.ts";

const dir = mkdtempSync(join(tmpdir(), "idpool-cli-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const serve = (args: string[], env: Record<string, string> = {}) =>
	serveIdpool(args, { env });
const run = (args: string[], env: Record<string, string> = {}) =>
	runIdpool(args, { env });

describe("idpool serve (the built binary)", () => {
	test("starts, prints its endpoint, database and key, answers /health, and stops cleanly on SIGTERM", async () => {
		const db = join(dir, "a", "idpool.db");
		const s = await serve(["--port", "0", "--db", db]);
		assert.match(
			s.stdout(),
			/database: +.*a\/idpool\.db \(checkpoints on a worker thread\)\n/,
		);
		assert.match(s.stdout(), /access key: test/);
		const health = await fetch(new URL("/health", s.url));
		assert.equal(health.status, 200);
		const client = sdkClient(s.url);
		const pool = await client.send(
			new CreateIdentityPoolCommand({
				IdentityPoolName: "cli",
				AllowUnauthenticatedIdentities: false,
			}),
		);
		client.destroy();
		s.child.kill("SIGTERM");
		assert.equal(await s.exited, 0);
		assert.doesNotMatch(s.stderr(), /WARNING/);

		// Restart on the same file: the pool is still there.
		const again = await serve(["--port", "0", "--db", db]);
		const client2 = sdkClient(again.url);
		const described = await client2.send(
			new DescribeIdentityPoolCommand({ IdentityPoolId: pool.IdentityPoolId }),
		);
		assert.equal(described.IdentityPoolName, "cli");
		client2.destroy();
		again.child.kill("SIGINT");
		assert.equal(await again.exited, 0);
	});

	test("flags win over environment variables, which win over defaults", async () => {
		const s = await serve(["--db", join(dir, "flag.db")], {
			IDPOOL_PORT: "0",
			IDPOOL_DB: join(dir, "env.db"),
			IDPOOL_ACCESS_KEY_ID: "envkey",
		});
		assert.match(s.stdout(), /flag\.db/);
		assert.match(s.stdout(), /access key: envkey/);
		s.child.kill("SIGTERM");
		assert.equal(await s.exited, 0);
	});

	test("warns when the development credentials are used on a non-loopback address", async () => {
		const s = await serve([
			"--port",
			"0",
			"--host",
			"0.0.0.0",
			"--db",
			":memory:",
		]);
		for (let i = 0; i < 50 && !/--issuer/.test(s.stderr()); i++) {
			await new Promise((r) => setTimeout(r, 20));
		}
		assert.match(s.stderr(), /WARNING: the built-in development credentials/);
		assert.match(s.stderr(), /--issuer/);
		s.child.kill("SIGTERM");
		assert.equal(await s.exited, 0);
	});

	test("unknown flags, bad values and bad files exit non-zero with one line and no stack trace", async () => {
		const cases: [string[], Record<string, string>, RegExp][] = [
			[["serve", "--nope"], {}, /Unknown option '--nope'/],
			[["serve", "--port", "99999"], {}, /--port must be a port number/],
			[["serve"], { IDPOOL_PORT: "abc" }, /IDPOOL_PORT must be a port number/],
			[["serve", "--account-id", "12"], {}, /account id must be 12 digits/],
			[
				["serve", "--credentials", join(dir, "missing.json")],
				{},
				/cannot read credentials file/,
			],
			[["serve", "--rate-limits", "GetId"], {}, /Operation=perSecond/],
			[["frobnicate"], {}, /unknown command 'frobnicate'/],
		];
		for (const [args, env, message] of cases) {
			const r = await run(args, env);
			assert.notEqual(r.code, 0, args.join(" "));
			assert.match(r.stderr, message, args.join(" "));
			assert.equal(
				r.stderr.trim().split("\n").length,
				1,
				`one line for ${args.join(" ")}: ${r.stderr}`,
			);
			assert.doesNotMatch(r.stderr, /\n\s+at /);
		}
	});

	test("a port already in use is a one-line error", async () => {
		const s = await serve(["--port", "0", "--db", ":memory:"]);
		const port = new URL(s.url).port;
		const r = await run([
			"serve",
			"--port",
			port,
			"--db",
			":memory:",
			"--log-level",
			"silent",
		]);
		assert.equal(r.code, 2);
		assert.match(r.stderr, /cannot listen on 127\.0\.0\.1:\d+: EADDRINUSE/);
		s.child.kill("SIGTERM");
		await s.exited;
	});
});

describe("idpool serve on PostgreSQL (the built binary)", () => {
	test("the banner never shows the password of the database's URL", {
		skip: engineSkipReason("postgres"),
	}, async () => {
		const schema = await freshSchema();
		try {
			// Trust authentication takes any password: this one only has to stay unseen.
			const url = schema.url.replace("://root@", "://root:s3cr3t-Pa55@");
			assert.notEqual(url, schema.url);
			const s = await serve(["--port", "0", "--db", url]);
			try {
				assert.match(
					s.stdout(),
					/database: +postgres:\/\/root:\*\*\*@127\.0\.0\.1/,
				);
				assert.doesNotMatch(s.stdout() + s.stderr(), /s3cr3t-Pa55/);
			} finally {
				assert.equal(await s.stop(), 0);
			}
			// node-postgres also takes the password as a parameter of the URL.
			const param = await serve([
				"--port",
				"0",
				"--db",
				`${schema.url}&password=s3cr3t-Pa55`,
			]);
			try {
				assert.match(
					param.stdout(),
					/database: +postgres:.*[?&]password=\*\*\*/,
				);
				assert.doesNotMatch(param.stdout() + param.stderr(), /s3cr3t-Pa55/);
			} finally {
				assert.equal(await param.stop(), 0);
			}
		} finally {
			await schema.drop();
		}
	});
});

describe("idpool version (the built binary)", () => {
	test("prints the package's version, as --version does, and the metrics carry it", async () => {
		const { version } = JSON.parse(
			readFileSync(new URL("../../package.json", import.meta.url), "utf8"),
		) as { version: string };
		for (const args of [["version"], ["--version"]]) {
			const r = await run(args);
			assert.equal(r.code, 0, r.stderr);
			assert.equal(r.stdout, `idpool ${version}\n`);
		}
		const s = await serve(["--port", "0", "--db", ":memory:"]);
		try {
			const metrics = await (await fetch(new URL("/metrics", s.url))).text();
			assert.ok(
				metrics.includes(
					`idpool_build_info{version="${version}",node="${process.version}"} 1\n`,
				),
				metrics
					.split("\n")
					.filter((l) => l.includes("build_info"))
					.join("\n"),
			);
		} finally {
			s.child.kill("SIGTERM");
			assert.equal(await s.exited, 0);
		}
	});
});

describe("idpool serve: shutdown", () => {
	/** Creates a pool through the server at `url`; answers its id. */
	async function createPool(url: string, name: string): Promise<string> {
		const client = sdkClient(url);
		try {
			const pool = await client.send(
				new CreateIdentityPoolCommand({
					IdentityPoolName: name,
					AllowUnauthenticatedIdentities: false,
				}),
			);
			return pool.IdentityPoolId as string;
		} finally {
			client.destroy();
		}
	}

	/** Starts a server on `db` and answers the name of pool `poolId` there, then stops it. */
	async function poolNameAfterRestart(db: string, poolId: string) {
		const again = await serve(["--port", "0", "--db", db]);
		const client = sdkClient(again.url);
		try {
			const described = await client.send(
				new DescribeIdentityPoolCommand({ IdentityPoolId: poolId }),
			);
			return described.IdentityPoolName;
		} finally {
			client.destroy();
			again.child.kill("SIGTERM");
			await again.exited;
		}
	}

	/** A client that sent part of a request and then nothing: it holds its connection. */
	async function slowClient(url: string) {
		const c = await connect(url);
		c.write(
			"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: AWSCognitoIdentityService.GetId\r\nContent-Length: 1000\r\n\r\n{",
		);
		await delay(100);
		return c;
	}

	/**
	 * Starts a server on `db` that stops within `seconds`, makes a pool through it, connects a
	 * slow client and sends the server SIGTERM.
	 */
	async function stopWhileSlowClient(db: string, seconds: string) {
		const s = await serve([
			"--port",
			"0",
			"--db",
			db,
			"--shutdown-timeout-seconds",
			seconds,
		]);
		const poolId = await createPool(s.url, "answered");
		const slow = await slowClient(s.url);
		s.child.kill("SIGTERM");
		return { s, poolId, slow };
	}

	/** The exit code of `s` within 10 s, or "still running". */
	function exitOf(s: RunningIdpool) {
		return Promise.race([s.exited, delay(10_000).then(() => "still running")]);
	}

	test("SIGTERM stops within --shutdown-timeout-seconds although a slow client stays connected; what was answered is kept", async () => {
		const db = join(dir, "shutdown", "idpool.db");
		const { s, poolId, slow } = await stopWhileSlowClient(db, "1");
		assert.equal(await exitOf(s), 0, s.stderr());
		assert.ok(slow.isClosed() || (await waitFor(() => slow.isClosed(), 1000)));
		assert.match(s.stdout(), /SIGTERM received, shutting down/);
		assert.match(s.stdout(), /closed 1 connection still open after 1 s/);
		assert.equal(await poolNameAfterRestart(db, poolId), "answered");
	});

	test("a second signal during the shutdown exits at once, non-zero, and loses nothing answered", async () => {
		const db = join(dir, "second-signal", "idpool.db");
		const { s, poolId, slow } = await stopWhileSlowClient(db, "60");
		assert.ok(await waitFor(() => /shutting down/.test(s.stdout()), 5000));
		s.child.kill("SIGINT");
		assert.equal(await exitOf(s), 130, s.stderr());
		assert.match(
			s.stderr(),
			/SIGINT received during the shutdown: exiting at once/,
		);
		slow.destroy();
		assert.equal(await poolNameAfterRestart(db, poolId), "answered");
	});
});
