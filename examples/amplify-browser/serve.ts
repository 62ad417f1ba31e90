/**
 * Serves the built pages of the example over http (a page's origin must be http, not a file),
 * after building them:
 *
 *     npx tsx examples/amplify-browser/serve.ts [--port 8080] [--host localhost] [--outdir DIR]
 *
 * then open http://localhost:8080/?identityPoolId=... (README.md). Without `--port` and
 * `--host`, the port and host of `EXAMPLE_PAGE` (the page's origin, as setup.ts reads it) are
 * taken when it is set: idpool's test of README.md's commands
 * (test/browser/example-readme.test.ts) runs them as written, on other ports when those are
 * taken.
 */
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { buildExample } from "./build.ts";

const TYPES: Record<string, string> = {
	".html": "text/html; charset=utf-8",
	".js": "text/javascript; charset=utf-8",
};

/** A static server of the files of `dir` (no listing, nothing above it). */
export interface StaticServer {
	/** `http://<host>:<port>` */
	readonly url: string;
	close(): Promise<void>;
}

/** Serves `dir` on `host` and `port` (0 picks a free port). */
export async function serveStatic(
	dir: string,
	options: { host: string; port: number },
): Promise<StaticServer> {
	const server = createServer(async (req, res) => {
		const path = new URL(req.url ?? "/", "http://x").pathname;
		const name = path === "/" ? "index.html" : path.slice(1);
		const type = TYPES[extname(name)];
		if (req.method !== "GET" || !/^[\w.-]+$/.test(name) || !type) {
			res.writeHead(404).end("not found");
			return;
		}
		try {
			const body = await readFile(join(dir, name));
			res.writeHead(200, { "content-type": type, "cache-control": "no-store" });
			res.end(body);
		} catch {
			res.writeHead(404).end("not found");
		}
	});
	await new Promise<void>((done, fail) => {
		server.once("error", fail);
		server.listen(options.port, options.host, done);
	});
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://${options.host}:${port}`,
		close: () =>
			new Promise((done) => {
				server.closeAllConnections();
				server.close(() => done());
			}),
	};
}

if (
	process.argv[1] &&
	resolve(process.argv[1]) === fileURLToPath(import.meta.url)
) {
	const page = new URL(process.env.EXAMPLE_PAGE || "http://localhost:8080");
	const { values } = parseArgs({
		options: {
			port: { type: "string", default: page.port || "80" },
			host: { type: "string", default: page.hostname.replace(/^\[|\]$/g, "") },
			outdir: { type: "string" },
		},
	});
	const dir = await buildExample(values.outdir && resolve(values.outdir));
	const served = await serveStatic(dir, {
		host: values.host,
		port: Number(values.port),
	});
	console.log(`the example is at ${served.url}/ (stop with Ctrl-C)`);
}
