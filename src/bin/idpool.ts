#!/usr/bin/env node
/**
 * @module bin/idpool
 * The executable: runs the CLI and maps failures to exit codes. The only place that calls
 * `process.exit`. Expected failures print one line; unexpected ones print one line too,
 * with the detail only when IDPOOL_DEBUG is set.
 */
import { isUserError, main } from "../cli/main.ts";

const output = {
	out: (line: string) => process.stdout.write(`${line}\n`),
	err: (line: string) => process.stderr.write(`${line}\n`),
};

try {
	process.exitCode = await main(process.argv.slice(2), process.env, output);
} catch (err) {
	if (isUserError(err)) {
		output.err(`idpool: ${err.message}`);
		process.exitCode = 2;
	} else {
		output.err(`idpool: ${(err as Error)?.message ?? String(err)}`);
		if (process.env.IDPOOL_DEBUG) output.err(String((err as Error)?.stack));
		process.exitCode = 1;
	}
}
