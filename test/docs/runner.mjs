// The JavaScript side of the docs snippets test: one process per page (started with tsx)
// imports the page's JavaScript blocks, one module each, in the order the test sends them
// on standard input ({"file", "env"} a line); it answers on file descriptor 3, so that what
// the blocks print stays on standard output.
import { writeSync } from "node:fs";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";

for await (const line of createInterface({ input: process.stdin })) {
	const { file, env } = JSON.parse(line);
	for (const name of Object.keys(process.env)) {
		if (!(name in env)) delete process.env[name];
	}
	Object.assign(process.env, env);
	let answer;
	try {
		await import(pathToFileURL(file).href);
		answer = { ok: true };
	} catch (err) {
		answer = {
			ok: false,
			error: err instanceof Error ? (err.stack ?? err.message) : String(err),
		};
	}
	writeSync(3, `${JSON.stringify(answer)}\n`);
}
