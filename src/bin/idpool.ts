#!/usr/bin/env node
/**
 * @module bin/idpool
 * The executable: runs the CLI, maps failures to exit codes and exits with them at once
 * (the only place that calls `process.exit`), so that a second signal stops `serve` even
 * while its first shutdown still holds connections. Expected failures print one line;
 * unexpected ones print one line too, with the detail only when IDPOOL_DEBUG is set.
 */
import { isUserError, main } from "../cli/main.ts";

// A reader that goes away (`idpool export | head`) is no failure of the command, and no
// crash: what it did not read is dropped (EPIPE), as other commands' output is.
for (const stream of [process.stdout, process.stderr])
	stream.on("error", () => {});

const output = {
	out: (line: string) => process.stdout.write(`${line}\n`),
	err: (line: string) => process.stderr.write(`${line}\n`),
};

let code: number;
try {
	code = await main(process.argv.slice(2), process.env, output);
} catch (err) {
	if (isUserError(err)) {
		output.err(`idpool: ${err.message}`);
		code = 2;
	} else {
		output.err(`idpool: ${(err as Error)?.message ?? String(err)}`);
		if (process.env.IDPOOL_DEBUG) output.err(String((err as Error)?.stack));
		code = 1;
	}
}
/**
 * Resolves once what was written to `stream` has been handed to the system. A write to a pipe
 * is asynchronous: exiting before it ends cuts the output (`idpool export | jq`, or through
 * `docker exec`, lost all past 64 KiB).
 */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
	return new Promise((resolve) => stream.write("", () => resolve()));
}

// A second signal's exit (128 + its number) is at once, even past a reader that does not
// read: the first shutdown may still hold connections open.
if (code < 128) {
	await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
}
process.exit(code);
