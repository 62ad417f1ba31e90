/**
 * @module server/signing-keys
 * The key ring a server or an `idpool keys` command works with, as the configuration says:
 * `--token-algorithm`, the key reload interval and the key-encryption keys. A module of its
 * own so that the key commands load neither Fastify nor the operations.
 */
import { ConfigError } from "../config/load.ts";
import type { Config } from "../config/schema.ts";
import type { Clock } from "../lib/clock.ts";
import type { Store } from "../store/store.ts";
import { KeyEncryption } from "../tokens/key-encryption.ts";
import { KeyRing, type KeyRingOptions } from "../tokens/key-ring.ts";
import {
	isTokenAlgorithm,
	TOKEN_ALGORITHMS,
	type TokenAlgorithm,
} from "../tokens/keys.ts";

/** `--token-algorithm`, checked (any case). @throws ConfigError for another value */
export function configuredTokenAlgorithm(config: Config): TokenAlgorithm {
	const algorithm = config.tokenAlgorithm.toUpperCase();
	if (!isTokenAlgorithm(algorithm)) {
		throw new ConfigError(
			`token algorithm must be ${TOKEN_ALGORITHMS.join(" or ")}, got '${config.tokenAlgorithm}'`,
		);
	}
	return algorithm;
}

/**
 * The key ring of a server or command working on `store` (one reload interval for all), with
 * the key-encryption keys of `config`.
 */
export function newKeyRing(
	store: Store,
	clock: Clock,
	config: Config,
	options: Pick<KeyRingOptions, "onReloadError" | "generate"> = {},
): KeyRing {
	return new KeyRing(store.signingKeys, clock, {
		algorithm: configuredTokenAlgorithm(config),
		reloadIntervalMs: config.keyReloadSeconds * 1000,
		rotationDelayMs: config.keyReloadSeconds * 2000,
		encryption: new KeyEncryption(config.keyEncryptionKeys),
		...options,
	});
}
