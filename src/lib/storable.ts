/**
 * @module lib/storable
 * Whether a string can be stored exactly as it is, on SQLite and PostgreSQL alike
 * (docs/behaviour.md#validation): the wire's validation refuses what cannot, and so does
 * login verification for the user a token names (docs/behaviour.md#federation).
 */

/** Node 20's `String.prototype.isWellFormed` (ES2024, newer than the compiled library). */
function isWellFormed(s: string): boolean {
	return (s as unknown as { isWellFormed(): boolean }).isWellFormed();
}

/**
 * Why no store could keep `s` as it was sent, as the end of a constraint message (`must
 * not contain ...`), or `undefined` when it is an ordinary string: PostgreSQL's text cannot
 * hold the null character, and UTF-8 cannot carry an unpaired surrogate (stored, it would
 * become U+FFFD, making distinct strings one).
 */
export function characterProblem(s: string): string | undefined {
	if (s.includes("\0")) return "must not contain the null character (U+0000)";
	if (!isWellFormed(s)) return "must not contain an unpaired surrogate";
	return undefined;
}
