/**
 * The PostgreSQL engine and its driver are loaded only when a PostgreSQL URL is given: a
 * server on SQLite never loads `pg`. Checked in a process of its own (a fresh module graph),
 * by looking for `pg`'s files among the CommonJS modules loaded. Opening a PostgreSQL store
 * connects to nothing, so no database is needed. Likewise the CLI commands that open a store
 * (keys, migrate, apply, vacuum) load neither Fastify nor the operations, and a running server
 * does not load Fastify's JSON-schema compilers (Ajv and its compiler, fast-json-stringify's
 * compiler): no route has a schema, and they cost a tenth of a start.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { test } from "node:test";

const src = new URL("../../src/", import.meta.url).href;

const child = `
import { createRequire } from "node:module";
const req = createRequire(import.meta.url);
const loaded = (name = "pg") => Object.keys(req.cache).some((k) => k.split(/[\\\\/]/).includes(name) && /[\\\\/]node_modules[\\\\/]/.test(k));
const { createServer } = await import(${JSON.stringify(`${src}server/create-server.ts`)});
const { defaultConfig } = await import(${JSON.stringify(`${src}config/load.ts`)});
const { openStore } = await import(${JSON.stringify(`${src}server/open-store.ts`)});
const server = await createServer(defaultConfig({ port: 0, db: ":memory:", logLevel: "silent" }));
const url = await server.listen();
const withSqlite = loaded();
await fetch(\`\${url}/health\`);
const schemaCompilers = ["ajv", "ajv-compiler", "fast-json-stringify-compiler"].some(loaded);
const store = await openStore("postgres://nobody@127.0.0.1:1/none");
const withPostgres = loaded();
await store.close();
await server.close();
console.log(JSON.stringify({ withSqlite, withPostgres, schemaCompilers }));
`;

/** Runs `code` in a process of its own (a fresh module graph); answers the JSON it printed last. */
function inFreshProcess(code: string): unknown {
	const out = execFileSync(
		process.execPath,
		["--import", "tsx", "--input-type=module", "-e", code],
		{ encoding: "utf8" },
	);
	return JSON.parse(out.trim().split("\n").at(-1) ?? "");
}

test("pg is loaded only once a PostgreSQL store is opened; a server loads no JSON-schema compiler", () => {
	assert.deepEqual(inFreshProcess(child), {
		withSqlite: false,
		withPostgres: true,
		schemaCompilers: false,
	});
});

const storeCommand = `
import { createRequire } from "node:module";
const req = createRequire(import.meta.url);
const { defaultConfig } = await import(${JSON.stringify(`${src}config/load.ts`)});
const { openConfiguredStore } = await import(${JSON.stringify(`${src}server/open-store.ts`)});
const { newKeyRing } = await import(${JSON.stringify(`${src}server/signing-keys.ts`)});
const { systemClock } = await import(${JSON.stringify(`${src}lib/clock.ts`)});
const config = defaultConfig({ db: ":memory:" });
const store = await openConfiguredStore(config);
await store.migrate();
const ring = newKeyRing(store, systemClock, config);
await ring.init();
const kids = (await ring.jwks()).keys.length;
await store.close();
const fastify = Object.keys(req.cache).some((k) => /[\\\\/]node_modules[\\\\/]fastify[\\\\/]/.test(k));
console.log(JSON.stringify({ kids, fastify }));
`;

test("what the store commands (keys, migrate, apply, vacuum) load opens a store and its keys without Fastify", () => {
	assert.deepEqual(inFreshProcess(storeCommand), {
		kids: 1,
		fastify: false,
	});
});
