#!/usr/bin/env node
/**
 * @module bin/idpool
 * The executable: runs the CLI, maps failures to exit codes and exits with them at once
 * (the only place that calls `process.exit`), so that a second signal stops `serve` even
 * while its first shutdown still holds connections. Expected failures print one line;
 * unexpected ones print one line too, with the detail only when IDPOOL_DEBUG is set.
 */
import { isUserError, main } from "../cli/main.ts";

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
// At once: after a second signal, the first shutdown may still hold connections open.
process.exit(code);
