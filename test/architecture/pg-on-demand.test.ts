/**
 * The PostgreSQL engine and its driver are loaded only when a PostgreSQL URL is given: a
 * server on SQLite never loads `pg`. Checked in a process of its own (a fresh module graph),
 * by looking for `pg`'s files among the CommonJS modules loaded. Opening a PostgreSQL store
 * connects to nothing, so no database is needed.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { test } from "node:test";

const src = new URL("../../src/", import.meta.url).href;

const child = `
import { createRequire } from "node:module";
const req = createRequire(import.meta.url);
const loaded = () => Object.keys(req.cache).some((k) => /[\\\\/]node_modules[\\\\/]pg[\\\\/]/.test(k));
const { createServer } = await import(${JSON.stringify(`${src}server/create-server.ts`)});
const { defaultConfig } = await import(${JSON.stringify(`${src}config/load.ts`)});
const { openStore } = await import(${JSON.stringify(`${src}server/open-store.ts`)});
const server = await createServer(defaultConfig({ port: 0, db: ":memory:", logLevel: "silent" }));
await server.listen();
const withSqlite = loaded();
const store = await openStore("postgres://nobody@127.0.0.1:1/none");
const withPostgres = loaded();
await store.close();
await server.close();
console.log(JSON.stringify({ withSqlite, withPostgres }));
`;

test("pg is loaded only once a PostgreSQL store is opened", () => {
	const out = execFileSync(
		process.execPath,
		["--import", "tsx", "--input-type=module", "-e", child],
		{ encoding: "utf8" },
	);
	assert.deepEqual(JSON.parse(out.trim().split("\n").at(-1) ?? ""), {
		withSqlite: false,
		withPostgres: true,
	});
});
