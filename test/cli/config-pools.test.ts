/**
 * Configuration as code with the built binary (docs/configuration-as-code.md): `idpool serve
 * --config` seeds the pools and lists them and the providers in its banner, SIGHUP applies
 * the edited file, `idpool apply FILE` prints what it changed and refuses a bad file without
 * changing anything; the banner is not broken up by log lines; a port in use and the mode that
 * accepts any access key beyond loopback are refused in one line.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import {
	CreateIdentityPoolCommand,
	DescribeIdentityPoolCommand,
	GetIdentityPoolRolesCommand,
	ListIdentityPoolsCommand,
} from "@aws-sdk/client-cognito-identity";
import { runIdpool, serveIdpool } from "../support/cli.ts";
import { signedGet } from "../support/console.ts";
import { freshSchema } from "../support/postgres.ts";
import { sdkClient } from "../support/server.ts";
import { describeForEngine } from "../support/stores.ts";

const dir = mkdtempSync(join(tmpdir(), "idpool-cli-pools-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const APP = "us-east-1:1a1a1a1a-2222-4333-8444-555555555555";
const OTHER = "us-east-1:2b2b2b2b-2222-4333-8444-555555555555";
const AUTH = "arn:aws:iam::000000000000:role/Auth";

function pool(name: string, extra: Record<string, unknown> = {}) {
	return {
		IdentityPoolId: APP,
		IdentityPoolName: name,
		AllowUnauthenticatedIdentities: true,
		...extra,
	};
}

function write(path: string, doc: unknown): string {
	writeFileSync(path, JSON.stringify(doc, null, 2));
	return path;
}

/** Waits (up to 10 s) until `read()` matches `pattern`. */
async function until(read: () => string, pattern: RegExp): Promise<string> {
	for (let i = 0; i < 500; i++) {
		const m = pattern.exec(read());
		if (m) return m[0];
		await new Promise((r) => setTimeout(r, 20));
	}
	throw new Error(`no ${pattern} in: ${read()}`);
}

describe("idpool serve --config with pools", () => {
	test("seeds the pools, lists them and the providers in the banner, and applies the edited file on SIGHUP", async () => {
		const file = write(join(dir, "serve.json"), {
			providers: { "oidc.example.com": { clientIds: ["app"] } },
			pools: [pool("App", { Roles: { authenticated: AUTH } })],
		});
		const s = await serveIdpool([
			"--port",
			"0",
			"--db",
			join(dir, "serve.db"),
			"--config",
			file,
		]);
		try {
			assert.match(s.stdout(), /\n {2}providers: oidc\.example\.com\n/);
			assert.match(
				s.stdout(),
				new RegExp(`\\n {2}pools: +${APP} App \\(created\\)\\n`),
			);
			const client = sdkClient(s.url);
			assert.equal(
				(
					await client.send(
						new DescribeIdentityPoolCommand({ IdentityPoolId: APP }),
					)
				).IdentityPoolName,
				"App",
			);

			write(file, {
				providers: {},
				pools: [
					pool("Renamed", { Roles: { authenticated: AUTH } }),
					pool("Second", { IdentityPoolId: OTHER }),
				],
			});
			s.child.kill("SIGHUP");
			const reloaded = await until(
				s.stdout,
				/idpool: SIGHUP: configuration reloaded .*\n.*\n.*\n/,
			);
			assert.match(
				reloaded,
				/\(1 access key, 0 providers, 2 pools, 2 changed\)/,
			);
			assert.match(
				reloaded,
				new RegExp(
					`pool ${APP} \\(Renamed, account 000000000000\\): updated \\(IdentityPoolName\\)`,
				),
			);
			assert.match(
				reloaded,
				new RegExp(`pool ${OTHER} \\(Second, .*\\): created`),
			);
			const listed = await client.send(
				new ListIdentityPoolsCommand({ MaxResults: 10 }),
			);
			assert.deepEqual(
				listed.IdentityPools?.map((p) => [
					p.IdentityPoolId,
					p.IdentityPoolName,
				]),
				[
					[APP, "Renamed"],
					[OTHER, "Second"],
				],
			);

			// A file that cannot be used is reported in one line; the server keeps running as it was.
			write(file, { pools: [pool("Bad", { Roles: { admin: AUTH } })] });
			s.child.kill("SIGHUP");
			const line = await s.stderrLine(/SIGHUP/);
			assert.match(
				line,
				/^idpool: SIGHUP: the configuration was not reloaded: config file .*: pools\[0\]\.Roles\.admin: /,
			);
			assert.equal(
				(
					await client.send(
						new DescribeIdentityPoolCommand({ IdentityPoolId: APP }),
					)
				).IdentityPoolName,
				"Renamed",
			);
			client.destroy();
			assert.equal(await s.stop(), 0);
		} finally {
			s.child.kill("SIGKILL");
		}
	});

	test("a file whose pools are bad stops the server at start, in one line naming the member", async () => {
		const file = write(join(dir, "bad.json"), {
			pools: [pool("App", { IdentityPoolId: "us-east-1:1234-5678" })],
		});
		const r = await runIdpool([
			"serve",
			"--port",
			"0",
			"--db",
			":memory:",
			"--config",
			file,
		]);
		assert.equal(r.code, 2);
		assert.equal(
			r.stderr,
			`idpool: config file ${file}: pools[0].IdentityPoolId: 'us-east-1:1234-5678' is not a pool id: <region>:<lowercase UUID>, with a region such as us-east-1\n`,
		);
	});
});

describe("idpool serve --credentials: SIGHUP takes the file's access keys again", () => {
	test("a key taken out is refused at once, a key added works, a bad file changes nothing", async () => {
		const file = write(join(dir, "keys.json"), [
			{
				accessKeyId: "OLDKEY",
				secretAccessKey: "old-secret",
				accountId: "111111111111",
			},
		]);
		const s = await serveIdpool([
			"--port",
			"0",
			"--db",
			join(dir, "keys.db"),
			"--credentials",
			file,
		]);
		const old = sdkClient(s.url, {
			accessKeyId: "OLDKEY",
			secretAccessKey: "old-secret",
		});
		const next = sdkClient(s.url, {
			accessKeyId: "NEWKEY",
			secretAccessKey: "new-secret",
		});
		try {
			const created = await old.send(
				new CreateIdentityPoolCommand({
					IdentityPoolName: "Kept",
					AllowUnauthenticatedIdentities: false,
				}),
			);
			await assert.rejects(
				next.send(new ListIdentityPoolsCommand({ MaxResults: 10 })),
				{ name: "UnrecognizedClientException" },
			);
			// A live view of the console opened with the key about to be taken away.
			const view = await signedGet(`${s.url}/console/api/requests`, {
				accessKeyId: "OLDKEY",
				secretAccessKey: "old-secret",
			});
			assert.equal(view.status, 200);
			const viewEnded = (async () => {
				const reader = (view.body as ReadableStream<Uint8Array>).getReader();
				while (!(await reader.read()).done) {}
				return true;
			})();

			// The leaked key out, a new one of the same account in.
			write(file, [
				{
					accessKeyId: "NEWKEY",
					secretAccessKey: "new-secret",
					accountId: "111111111111",
				},
			]);
			s.child.kill("SIGHUP");
			await until(
				s.stdout,
				/idpool: SIGHUP: configuration reloaded \(1 access key, 0 providers, 0 pools, 0 changed\)\n/,
			);
			await assert.rejects(
				old.send(new ListIdentityPoolsCommand({ MaxResults: 10 })),
				{ name: "UnrecognizedClientException" },
			);
			assert.equal(
				await Promise.race([
					viewEnded,
					new Promise((r) => setTimeout(() => r(false), 5000)),
				]),
				true,
				"its live view ended",
			);
			const listed = await next.send(
				new ListIdentityPoolsCommand({ MaxResults: 10 }),
			);
			assert.deepEqual(
				listed.IdentityPools?.map((p) => p.IdentityPoolId),
				[created.IdentityPoolId],
				"the new key's account holds the pool",
			);

			// A file that is not a credentials file: one line, and the keys in force stay.
			writeFileSync(file, "[{");
			s.child.kill("SIGHUP");
			const line = await s.stderrLine(/SIGHUP/);
			assert.match(
				line,
				/^idpool: SIGHUP: the configuration was not reloaded: .*keys\.json/,
			);
			assert.equal(
				(await next.send(new ListIdentityPoolsCommand({ MaxResults: 10 })))
					.IdentityPools?.length,
				1,
			);
			assert.equal(await s.stop(), 0);
		} finally {
			old.destroy();
			next.destroy();
			s.child.kill("SIGKILL");
		}
	});
});

describe("idpool apply FILE", () => {
	test("prints one line a pool (created, updated with the members, unchanged) and is idempotent", async () => {
		const db = join(dir, "apply.db");
		const file = write(join(dir, "apply.json"), { pools: [pool("App")] });
		const first = await runIdpool(["apply", file, "--db", db]);
		assert.equal(first.code, 0, first.stderr);
		assert.equal(
			first.stdout,
			`pool ${APP} (App, account 000000000000): created\n`,
		);
		const again = await runIdpool(["apply", file], { env: { IDPOOL_DB: db } });
		assert.equal(
			again.stdout,
			`pool ${APP} (App, account 000000000000): unchanged\n`,
		);
		write(file, {
			pools: [
				pool("App", {
					IdentityPoolTags: { team: "web" },
					Roles: { authenticated: AUTH },
				}),
			],
		});
		const updated = await runIdpool(["apply", file, "--db", db]);
		assert.equal(
			updated.stdout,
			`pool ${APP} (App, account 000000000000): updated (IdentityPoolTags, Roles)\n`,
		);
	});

	test("a bad file changes nothing: a good pool before a bad one is not created", async () => {
		const db = join(dir, "refused.db");
		const file = write(join(dir, "refused.json"), {
			pools: [
				pool("Good", { IdentityPoolId: OTHER }),
				pool("Bad", {
					RoleMappings: {
						"graph.facebook.com": {
							Type: "Token",
							AmbiguousRoleResolution: "Deny",
						},
					},
				}),
			],
		});
		const refused = await runIdpool(["apply", file, "--db", db]);
		assert.equal(refused.code, 2);
		assert.equal(refused.stdout, "");
		assert.equal(
			refused.stderr,
			`idpool: config file ${file}: pools[1].RoleMappings["graph.facebook.com"]: graph.facebook.com is not a valid RoleMapping ProviderName or is not a configured provider.\n`,
		);
		write(file, { pools: [pool("Good", { IdentityPoolId: OTHER })] });
		const applied = await runIdpool(["apply", file, "--db", db]);
		assert.equal(
			applied.stdout,
			`pool ${OTHER} (Good, account 000000000000): created\n`,
		);
	});

	test("needs its file", async () => {
		const r = await runIdpool(["apply"]);
		assert.equal(r.code, 2);
		assert.equal(
			r.stderr,
			"idpool: usage: idpool apply FILE [--db PATH] [options]\n",
		);
	});
});

describe("the start-up output", () => {
	test("at --log-level info, the banner comes whole, with no log line inside it", async () => {
		const file = write(join(dir, "banner.json"), { pools: [pool("App")] });
		const s = await serveIdpool([
			"--port",
			"0",
			"--db",
			":memory:",
			"--log-level",
			"info",
			"--config",
			file,
		]);
		try {
			const lines = s.stdout().split("\n");
			const start = lines.findIndex((l) =>
				l.startsWith("idpool listening on "),
			);
			const end = lines.findIndex((l) => /^ {2}issuer: /.test(l));
			assert.ok(start >= 0 && end > start, s.stdout());
			for (const line of lines.slice(start + 1, end + 1)) {
				assert.match(line, /^ {2}[a-z ]+:/, `inside the banner: ${line}`);
			}
			assert.doesNotMatch(s.stdout(), /Server listening/);
			// What applying did is logged (before the banner), as a JSON line.
			assert.match(
				s.stdout(),
				/"msg":"pool us-east-1:1a1a1a1a-[^"]*: created"/,
			);
		} finally {
			assert.equal(await s.stop(), 0);
		}
	});

	test("a port in use is refused in one line that suggests --port", async () => {
		const first = await serveIdpool(["--port", "0", "--db", ":memory:"]);
		try {
			const port = new URL(first.url).port;
			const r = await runIdpool(["serve", "--port", port, "--db", ":memory:"]);
			assert.equal(r.code, 2);
			assert.equal(
				r.stderr,
				`idpool: cannot listen on 127.0.0.1:${port}: EADDRINUSE, the port is in use: choose another with --port (0 picks a free one)\n`,
			);
		} finally {
			assert.equal(await first.stop(), 0);
		}
	});
});

describe("--accept-any-credentials", () => {
	test("is announced in the banner", async () => {
		const s = await serveIdpool([
			"--port",
			"0",
			"--db",
			":memory:",
			"--accept-any-credentials",
		]);
		try {
			assert.match(
				s.stdout(),
				/\n {2}any key: +signed calls with any access key are accepted, unchecked, as account 000000000000/,
			);
			assert.match(
				await s.stderrLine(/any access key/),
				/^WARNING: any access key is accepted without a signature check/,
			);
		} finally {
			assert.equal(await s.stop(), 0);
		}
	});

	test("a reload that puts another account's key first says that any key is now of that account", async () => {
		const keys = (accounts: string[]) =>
			accounts.map((accountId) => ({
				accessKeyId: `K${accountId}`,
				secretAccessKey: "secret",
				accountId,
			}));
		const file = write(
			join(dir, "any-keys.json"),
			keys(["111111111111", "222222222222"]),
		);
		const s = await serveIdpool([
			"--port",
			"0",
			"--db",
			":memory:",
			"--accept-any-credentials",
			"--credentials",
			file,
		]);
		try {
			assert.match(s.stdout(), /unchecked, as account 111111111111/);
			write(file, keys(["222222222222", "111111111111"]));
			s.child.kill("SIGHUP");
			await until(
				s.stdout,
				/idpool: SIGHUP: configuration reloaded \(2 access keys, .*\n {2}any key: +now accepted as account 222222222222 \(the first access key's\)\n/,
			);
			// The same order again: nothing to say.
			s.child.kill("SIGHUP");
			await until(
				s.stdout,
				/reloaded \(2 access keys[^\n]*\n(?:(?!reloaded)[\s\S])*reloaded \(2 access keys[^\n]*\n/,
			);
			assert.equal(s.stdout().match(/now accepted as account/g)?.length, 1);
		} finally {
			assert.equal(await s.stop(), 0);
		}
	});

	test("beyond loopback, needs the second confirmation", async () => {
		const refused = await runIdpool(
			["serve", "--port", "0", "--db", ":memory:", "--host", "0.0.0.0"],
			{ env: { IDPOOL_ACCEPT_ANY_CREDENTIALS: "true" } },
		);
		assert.equal(refused.code, 2);
		assert.equal(
			refused.stderr,
			"idpool: --accept-any-credentials on 0.0.0.0, which other machines can reach, lets anyone manage the pools: confirm it with --accept-any-credentials-beyond-loopback (IDPOOL_ACCEPT_ANY_CREDENTIALS_BEYOND_LOOPBACK=true), or listen on 127.0.0.1\n",
		);
		const s = await serveIdpool(
			[
				"--port",
				"0",
				"--db",
				":memory:",
				"--host",
				"0.0.0.0",
				"--accept-any-credentials-beyond-loopback",
			],
			{ env: { IDPOOL_ACCEPT_ANY_CREDENTIALS: "true" } },
		);
		try {
			assert.match(
				await s.stderrLine(/any access key/),
				/on 0\.0\.0\.0: anyone who can reach this server can manage its pools/,
			);
			const client = sdkClient(s.url, {
				accessKeyId: "anything",
				secretAccessKey: "at-all",
			});
			const roles = client.send(
				new GetIdentityPoolRolesCommand({ IdentityPoolId: APP }),
			);
			await assert.rejects(roles, { name: "ResourceNotFoundException" });
			client.destroy();
		} finally {
			assert.equal(await s.stop(), 0);
		}
	});
});

describeForEngine("postgres", "idpool apply on PostgreSQL", () => {
	let schema: Awaited<ReturnType<typeof freshSchema>> | undefined;
	after(() => schema?.drop());

	test("two applies of one file at once create each pool once, and both succeed", async () => {
		schema = await freshSchema();
		const file = write(join(dir, "pg.json"), {
			pools: [
				pool("App", { Roles: { authenticated: AUTH } }),
				pool("Second", { IdentityPoolId: OTHER }),
			],
		});
		const runs = await Promise.all(
			[0, 1].map(() => runIdpool(["apply", file, "--db", schema?.url ?? ""])),
		);
		for (const r of runs) assert.equal(r.code, 0, r.stderr);
		const lines = runs.flatMap((r) => r.stdout.trim().split("\n"));
		for (const id of [APP, OTHER]) {
			const outcomes = lines.filter((l) => l.startsWith(`pool ${id} `));
			assert.equal(outcomes.length, 2);
			assert.equal(
				outcomes.filter((l) => l.endsWith(": created")).length,
				1,
				lines.join("\n"),
			);
		}
		const again = await runIdpool(["apply", file, "--db", schema.url]);
		assert.equal(
			again.stdout,
			`pool ${APP} (App, account 000000000000): unchanged\npool ${OTHER} (Second, account 000000000000): unchanged\n`,
		);
	});
});
