import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import {
	CreateIdentityPoolCommand,
	DescribeIdentityPoolCommand,
} from "@aws-sdk/client-cognito-identity";
import { runIdpool, serveIdpool } from "../support/cli.ts";
import { sdkClient } from "../support/server.ts";

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

	test("runs the thread pool that signs tokens below the event loop's priority", {
		skip: process.platform !== "linux",
	}, async () => {
		/** The nice value of each thread of a process, by thread id. */
		const niceOf = (pid: number) =>
			Object.fromEntries(
				readdirSync(`/proc/${pid}/task`).map((tid) => {
					const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
					return [
						tid,
						Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]),
					];
				}),
			);
		const s = await serve(["--port", "0", "--db", ":memory:"]);
		assert.match(s.stdout(), /signing: +4 thread-pool threads at nice 5\n/);
		const pid = s.child.pid as number;
		const nice = niceOf(pid);
		assert.equal(nice[String(pid)], 0);
		assert.equal(Object.values(nice).filter((n) => n === 5).length, 4);
		s.child.kill("SIGTERM");
		assert.equal(await s.exited, 0);

		const sized = await serve(
			["--port", "0", "--db", ":memory:", "--thread-pool-nice", "10"],
			{ UV_THREADPOOL_SIZE: "2" },
		);
		assert.match(
			sized.stdout(),
			/signing: +2 thread-pool threads at nice 10\n/,
		);
		const sizedNice = niceOf(sized.child.pid as number);
		assert.equal(Object.values(sizedNice).filter((n) => n === 10).length, 2);
		sized.child.kill("SIGTERM");
		assert.equal(await sized.exited, 0);

		const off = await serve(["--port", "0", "--db", ":memory:"], {
			IDPOOL_THREAD_POOL_NICE: "0",
		});
		assert.doesNotMatch(off.stdout(), /signing:/);
		assert.ok(
			Object.values(niceOf(off.child.pid as number)).every((n) => n === 0),
		);
		off.child.kill("SIGTERM");
		assert.equal(await off.exited, 0);
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
