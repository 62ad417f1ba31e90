/**
 * @module cli/keys
 * `idpool keys list`, `idpool keys rotate` and `idpool keys rewrap`: the signing keys kept in
 * the database named by `--db` (or IDPOOL_DB). Rotation adds a key that every server publishes
 * within one reload interval and that starts signing after two; the previous key keeps signing
 * until then and stays published until its last token has expired (docs/behaviour.md#keys).
 * A rotation makes a key of the configured `--token-algorithm` (docs/keys.md#es256).
 * Rewrapping re-encrypts every stored private key with the first key-encryption key given,
 * reading them with any of those given, then the secret keys of the issued credentials that
 * have not expired (docs/deployment.md#files-and-keys-at-rest).
 */
import type { Config } from "../config/schema.ts";
import { systemClock } from "../lib/clock.ts";
import { openConfiguredStore } from "../server/open-store.ts";
import { rewrapCredentials } from "../server/sealed-credentials.ts";
import { newKeyRing } from "../server/signing-keys.ts";
import { requireExistingDatabase } from "./database-file.ts";
import type { Output } from "./output.ts";

function iso(ms: number): string {
	return new Date(ms).toISOString();
}

/** Runs `keys list`, `keys rotate` or `keys rewrap`. */
export async function keysCommand(
	action: "list" | "rotate" | "rewrap",
	config: Config,
	output: Output,
): Promise<void> {
	if (action !== "rotate") {
		// Only rotating creates keys: a mistyped path must not leave an empty database behind.
		requireExistingDatabase(
			config.db,
			"`idpool serve` or `idpool keys rotate` creates one",
		);
	}
	const store = await openConfiguredStore(config);
	try {
		// Listing reads: it migrates nothing (an upgrade's step, not a look's side effect).
		await store.migrate({ readOnly: action === "list" });
		const ring = newKeyRing(store, systemClock, config);
		if (action === "rotate") {
			// On a new database this first creates the first key.
			await ring.init();
			const key = await ring.rotate();
			output.out(`rotated: new key ${key.kid}`);
			output.out(
				`  ${key.alg} (--token-algorithm); published now; signs from ${iso(key.activatesAt)}`,
			);
		} else if (action === "rewrap") {
			// The signing keys first: if one of them cannot be read, nothing is changed.
			const changed = await ring.rewrap();
			output.out(
				`rewrapped: ${changed} signing key${changed === 1 ? "" : "s"} re-encrypted with key-encryption key ${ring.encryptionKeyId}`,
			);
			const credentials = await rewrapCredentials(
				store.credentials,
				config.keyEncryptionKeys,
				systemClock.now(),
			);
			output.out(
				`rewrapped: ${credentials.rewrapped === 1 ? "1 issued credential's secret key" : `${credentials.rewrapped} issued credentials' secret keys`} re-encrypted with it`,
			);
			if (credentials.unreadable > 0) {
				output.out(
					`  left as they are: ${credentials.unreadable} issued credentials sealed under a key-encryption key not given (no server with these keys knows them)`,
				);
			}
		}
		// Listing decrypts nothing: it works without the key-encryption key.
		const keys = await ring.list();
		if (keys.length === 0) {
			output.out(
				"no signing keys yet: the first `idpool serve` (or `idpool keys rotate`) on this database creates one",
			);
			return;
		}
		for (const { record, status, encryptedWith } of keys) {
			const retired =
				record.retiredAt === undefined
					? ""
					: `  retired ${iso(record.retiredAt)}`;
			const atRest =
				encryptedWith === undefined
					? "plain"
					: `encrypted with key-encryption key ${encryptedWith}`;
			output.out(
				`${record.kid}  ${record.alg}  ${status.padEnd(7)}  created ${iso(record.createdAt)}  signs from ${iso(record.activatesAt)}${retired}  at rest: ${atRest}`,
			);
		}
	} finally {
		await store.close();
	}
}
