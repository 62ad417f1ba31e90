import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { runIdpool, serveIdpool } from "../support/cli.ts";

const dir = mkdtempSync(join(tmpdir(), "idpool-healthcheck-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A plain HTTP server on loopback answering every request with `handler`; closed after. */
async function stub(
	handler: Parameters<typeof createServer>[1],
): Promise<{ server: Server; url: string; port: number }> {
	const server = createServer(handler);
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	after(() => {
		server.closeAllConnections();
		server.close();
	});
	const { port } = server.address() as AddressInfo;
	return { server, url: `http://127.0.0.1:${port}`, port };
}

/** A loopback port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	const { port } = server.address() as AddressInfo;
	await new Promise((resolve) => server.close(resolve));
	return port;
}

describe("idpool healthcheck (the built binary)", () => {
	test("exits 0 when the server of the same settings answers /health/ready 200; a server on every interface is asked on loopback", async () => {
		const s = await serveIdpool(["--db", join(dir, "a.db")], {
			env: { IDPOOL_HOST: "0.0.0.0", IDPOOL_PORT: "0" },
		});
		const port = new URL(s.url).port;
		const r = await runIdpool(["healthcheck"], {
			env: { IDPOOL_HOST: "0.0.0.0", IDPOOL_PORT: port },
		});
		assert.equal(r.code, 0, r.stderr);
		assert.equal(
			r.stdout,
			`idpool healthcheck: http://127.0.0.1:${port}/health/ready answered 200\n`,
		);
		assert.equal(r.stderr, "");
		const byFlags = await runIdpool(["healthcheck", "--port", port], {
			env: { IDPOOL_HOST: "127.0.0.1" },
		});
		assert.equal(byFlags.code, 0, byFlags.stderr);
		const byEndpoint = await runIdpool(["healthcheck", "--endpoint", s.url]);
		assert.equal(byEndpoint.code, 0, byEndpoint.stderr);
		assert.equal(await s.stop(), 0);

		// Stopped: nothing listens there any more.
		const gone = await runIdpool(["healthcheck", "--endpoint", s.url]);
		assert.equal(gone.code, 1);
		assert.equal(gone.stdout, "");
		assert.equal(
			gone.stderr,
			`idpool healthcheck: ${new URL("/health/ready", s.url)}: ECONNREFUSED\n`,
		);
	});

	test("exits 1 with the checks that failed when /health/ready answers 503 (or an older server's problem)", async () => {
		const paths: string[] = [];
		let body: object = {};
		const { url } = await stub((req, res) => {
			paths.push(req.url ?? "");
			res.writeHead(503, { "content-type": "application/json" });
			res.end(JSON.stringify(body));
		});
		body = {
			status: "fail",
			checks: [
				{ name: "database", status: "ok" },
				{ name: "store", status: "fail", detail: "SQLITE_FULL" },
				{ name: "signing-keys", status: "fail" },
			],
		};
		const r = await runIdpool(["healthcheck", "--endpoint", url]);
		assert.equal(r.code, 1);
		assert.equal(
			r.stderr,
			`idpool healthcheck: ${url}/health/ready answered 503: store: SQLITE_FULL; signing-keys\n`,
		);
		body = { status: "unavailable", store: "sqlite", problem: "SQLITE_FULL" };
		const older = await runIdpool(["healthcheck", "--endpoint", url]);
		assert.equal(older.code, 1);
		assert.equal(
			older.stderr,
			`idpool healthcheck: ${url}/health/ready answered 503: SQLITE_FULL\n`,
		);
		assert.deepEqual(paths, ["/health/ready", "/health/ready"]);
	});

	test("exits 1 when a redirect or a body that is not JSON answers", async () => {
		const { url } = await stub((_req, res) => {
			res.writeHead(302, { location: "/elsewhere" });
			res.end("moved");
		});
		const r = await runIdpool(["healthcheck", "--endpoint", url]);
		assert.equal(r.code, 1);
		assert.equal(
			r.stderr,
			`idpool healthcheck: ${url}/health/ready answered 302\n`,
		);
	});

	test("exits 1 after its timeout when the server accepts but never answers", async () => {
		const { url } = await stub(() => {
			// Holds the request: no answer.
		});
		const r = await runIdpool(["healthcheck", "--endpoint", url]);
		assert.equal(r.code, 1);
		assert.equal(
			r.stderr,
			`idpool healthcheck: ${url}/health/ready: no answer within 3 s\n`,
		);
	});

	test("exits 1, never 2 (reserved by Docker), on a bad endpoint, flag or setting", async () => {
		const port = await closedPort();
		for (const [args, env, message] of [
			[
				["healthcheck", "--endpoint", "ftp://127.0.0.1/"],
				{},
				"--endpoint must be an http(s) URL, got 'ftp://127.0.0.1/'",
			],
			[["healthcheck", "--nope"], {}, "Unknown option '--nope'"],
			[
				["healthcheck"],
				{ IDPOOL_PORT: "99999" },
				"IDPOOL_PORT must be a port number from 0 to 65535, got '99999'",
			],
			[
				["healthcheck", "--port", String(port)],
				{},
				`http://127.0.0.1:${port}/health/ready: ECONNREFUSED`,
			],
		] as const) {
			const r = await runIdpool([...args], { env: { ...env } });
			assert.equal(r.code, 1, `${args.join(" ")}: ${r.stderr}`);
			assert.equal(r.stdout, "");
			assert.match(r.stderr, /^idpool healthcheck: [^\n]+\n$/);
			assert.ok(
				r.stderr.includes(message),
				`${args.join(" ")}: ${r.stderr} lacks ${message}`,
			);
		}
	});
});
