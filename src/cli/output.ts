/**
 * @module cli/output
 * Where the command line writes: standard output and standard error in the executable, a
 * capture in the tests.
 */

/** Where the CLI writes; the tests capture it. */
export interface Output {
	out(line: string): void;
	err(line: string): void;
}
