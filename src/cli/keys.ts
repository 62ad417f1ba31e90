/**
 * @module cli/keys
 * `idpool keys list` and `idpool keys rotate`: the signing keys kept in the database named by
 * `--db` (or IDPOOL_DB). Rotation adds a key that every server publishes within one reload
 * interval and that starts signing after two; the previous key keeps signing until then and
 * stays published until its last token has expired (docs/behaviour.md#keys).
 */
import { existsSync } from "node:fs";
import { ConfigError } from "../config/load.ts";
import type { Config } from "../config/schema.ts";
import type { SigningKeyRecord } from "../domain/records.ts";
import { systemClock } from "../lib/clock.ts";
import { newKeyRing, openConfiguredStore } from "../server/create-server.ts";
import { isPostgresUrl } from "../server/open-store.ts";
import type { Output } from "./output.ts";

function iso(ms: number): string {
	return new Date(ms).toISOString();
}

/** `signing`, `pending` (published, not signing yet) or `retired` (published until expiry). */
function keyStatus(key: SigningKeyRecord, signer: string, now: number): string {
	if (key.kid === signer) return "signing";
	if (key.activatesAt > now) return "pending";
	return "retired";
}

/** Whether `db` names a SQLite file (not `:memory:`, not a PostgreSQL URL) that does not exist. */
function isMissingSqliteFile(db: string): boolean {
	return db !== ":memory:" && !isPostgresUrl(db) && !existsSync(db);
}

/** Runs `keys list` or `keys rotate`. */
export async function keysCommand(
	action: string,
	config: Config,
	output: Output,
): Promise<void> {
	if (action === "list" && isMissingSqliteFile(config.db)) {
		// Listing changes nothing: a mistyped path must not leave an empty database behind.
		throw new ConfigError(
			`--db: no database at ${config.db} (\`idpool serve\` or \`idpool keys rotate\` creates one)`,
		);
	}
	const store = await openConfiguredStore(config);
	try {
		await store.migrate();
		const ring = newKeyRing(store, systemClock, config);
		// Listing changes nothing; rotating on a new database first creates the first key.
		if (action === "list") await ring.reload();
		else await ring.init();
		if (action === "rotate") {
			const key = await ring.rotate();
			output.out(`rotated: new key ${key.kid}`);
			output.out(`  published now; signs from ${iso(key.activatesAt)}`);
		}
		const keys = await store.signingKeys.list();
		if (keys.length === 0) {
			output.out(
				"no signing keys yet: the first `idpool serve` (or `idpool keys rotate`) on this database creates one",
			);
			return;
		}
		const now = systemClock.now();
		const signer = (await ring.signer()).kid;
		for (const key of keys) {
			const retired =
				key.retiredAt === undefined ? "" : `  retired ${iso(key.retiredAt)}`;
			output.out(
				`${key.kid}  ${key.alg}  ${keyStatus(key, signer, now).padEnd(7)}  created ${iso(key.createdAt)}  signs from ${iso(key.activatesAt)}${retired}`,
			);
		}
	} finally {
		await store.close();
	}
}
