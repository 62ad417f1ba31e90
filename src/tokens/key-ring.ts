/**
 * @module tokens/key-ring
 * The signing keys one server works with: a cache of the store's keys that answers which key
 * signs now and which keys the JWKS publishes (docs/behaviour.md#keys). The store is the single source
 * of truth, shared by every server on one database; each server re-reads it at least every
 * `reloadIntervalMs`, and a rotated key only starts signing `rotationDelayMs` (longer than
 * that interval) after it is stored, so by the time any server signs with it every server's
 * JWKS already holds it. Reads never need the database to be up: a failed reload keeps the
 * keys already loaded, because refusing to issue tokens during a database blip would be worse
 * than serving keys that are a little stale.
 *
 * A ring signs with keys of one algorithm, RS512 or ES256 (`--token-algorithm`,
 * docs/keys.md#es256). When the store's keys are of the other kind (the setting changed),
 * {@link KeyRing.switchAlgorithm} rotates in a key of the configured kind, exactly as
 * `idpool keys rotate` would: published at once, signing one rotation delay later, the old
 * kind's keys retiring then and staying published until their last token has expired.
 *
 * The private keys are stored as its {@link KeyEncryption} says (encrypted at rest when the
 * server has a key-encryption key, docs/behaviour.md#keys rule 7). Each is decrypted and
 * parsed once, when the ring first reads it: a key the server cannot decrypt fails that read
 * (so a server refuses to start on keys it could not sign with), never a request later.
 */
import { createPrivateKey, type KeyObject } from "node:crypto";
import type { SigningKeyRecord } from "../domain/records.ts";
import type { Clock } from "../lib/clock.ts";
import type { SigningKeyRepository } from "../store/store.ts";
import {
	KeyEncryption,
	KeyEncryptionError,
	storedKekId,
} from "./key-encryption.ts";
import {
	DEFAULT_TOKEN_ALGORITHM,
	generateSigningKey,
	type SigningKeyGenerator,
	type TokenAlgorithm,
} from "./keys.ts";

/** A key that may sign tokens now. */
export interface SigningKey {
	readonly kid: string;
	readonly alg: string;
	/** Parsed once per key and reused for every signature. */
	readonly privateKey: KeyObject;
}

/** What every published key says besides its key material. */
interface JwkCommon {
	readonly kid: string;
	readonly alg: string;
	readonly use: "sig";
}

/**
 * One public key as published in the JWKS (RFC 7517, RFC 7518 section 6): an RSA key (RS512)
 * or a P-256 key (ES256).
 */
export type PublicJwk =
	| ({
			readonly kty: "RSA";
			readonly n: string;
			readonly e: string;
	  } & JwkCommon)
	| ({
			readonly kty: "EC";
			readonly crv: string;
			readonly x: string;
			readonly y: string;
	  } & JwkCommon);

/** The document served at `/.well-known/jwks_uri`. */
export interface Jwks {
	keys: PublicJwk[];
}

export interface KeyRingOptions {
	/** How old the loaded keys may get before they are re-read from the store. Default 30 s. */
	reloadIntervalMs?: number;
	/**
	 * How long after a rotation the new key starts signing. Must exceed `reloadIntervalMs`
	 * (every server must have reloaded first). Default twice the reload interval.
	 */
	rotationDelayMs?: number;
	/** The longest lifetime of a token; retired keys stay published this long. Default 24 h. */
	maxTokenLifetimeMs?: number;
	/** Told about reloads that failed in the background (the old keys stay in use). */
	onReloadError?: (error: unknown) => void;
	/** How private keys are stored: encrypted with these key-encryption keys, or (default) plain. */
	encryption?: KeyEncryption;
	/** The algorithm new keys are made for and that signs when a key of it is active (default RS512). */
	algorithm?: TokenAlgorithm;
	/** What makes new keys (default {@link generateSigningKey}). */
	generate?: SigningKeyGenerator;
}

/** A stored key as `idpool keys list` shows it. */
export interface KeyListing {
	readonly record: SigningKeyRecord;
	/** `signing`, `pending` (published, not signing yet) or `retired` (published until expiry). */
	readonly status: "signing" | "pending" | "retired";
	/** The id of the key-encryption key its private key is stored under; `undefined`: plain. */
	readonly encryptedWith: string | undefined;
}

const DEFAULT_RELOAD_INTERVAL_MS = 30_000;
const DEFAULT_MAX_TOKEN_LIFETIME_MS = 86_400_000;

/** A stored key with what is derived from it once per load. */
interface Entry {
	readonly record: SigningKeyRecord;
	readonly jwk: PublicJwk;
}

/** Keeps the store's signing keys in memory and rotates them. */
export class KeyRing {
	readonly #repo: SigningKeyRepository;
	readonly #clock: Clock;
	readonly #reloadIntervalMs: number;
	readonly #rotationDelayMs: number;
	readonly #maxTokenLifetimeMs: number;
	readonly #onReloadError: (error: unknown) => void;
	readonly #encryption: KeyEncryption;
	readonly #algorithm: TokenAlgorithm;
	readonly #generate: SigningKeyGenerator;

	#entries: readonly Entry[] = [];
	/** Private keys by kid, kept across reloads so that each PEM is parsed only once. */
	#privateKeys = new Map<string, KeyObject>();
	/** Clock time at which the loaded keys were read (the start of the read, conservatively). */
	#loadedAt = Number.NEGATIVE_INFINITY;
	#inflight: Promise<void> | undefined;
	#lastReloadFailed = false;

	constructor(
		repo: SigningKeyRepository,
		clock: Clock,
		options: KeyRingOptions = {},
	) {
		this.#repo = repo;
		this.#clock = clock;
		this.#reloadIntervalMs =
			options.reloadIntervalMs ?? DEFAULT_RELOAD_INTERVAL_MS;
		this.#rotationDelayMs =
			options.rotationDelayMs ?? 2 * this.#reloadIntervalMs;
		this.#maxTokenLifetimeMs =
			options.maxTokenLifetimeMs ?? DEFAULT_MAX_TOKEN_LIFETIME_MS;
		this.#onReloadError = options.onReloadError ?? (() => {});
		this.#encryption = options.encryption ?? new KeyEncryption();
		this.#algorithm = options.algorithm ?? DEFAULT_TOKEN_ALGORITHM;
		this.#generate = options.generate ?? generateSigningKey;
		if (!(this.#reloadIntervalMs > 0)) {
			throw new RangeError("reloadIntervalMs must be positive");
		}
		// The whole propagation argument rests on this inequality (docs/behaviour.md#keys).
		if (!(this.#rotationDelayMs > this.#reloadIntervalMs)) {
			throw new RangeError("rotationDelayMs must exceed reloadIntervalMs");
		}
		if (!(this.#maxTokenLifetimeMs > 0)) {
			throw new RangeError("maxTokenLifetimeMs must be positive");
		}
	}

	/**
	 * Loads the keys; on a store without any, generates the first key (active at once). When
	 * several servers start on one new database, `insertFirst` lets exactly one of them win
	 * and the others adopt its key. With a key-encryption key, the keys still stored in plain
	 * are then encrypted with it (docs/behaviour.md#keys rule 8); answers how many.
	 * @throws KeyEncryptionError when a stored key cannot be decrypted
	 */
	async init(): Promise<{ encrypted: number }> {
		await this.reload();
		if (this.#entries.length === 0) {
			await this.#repo.insertFirst(await this.#newKey(this.#clock.now(), 0));
			await this.reload();
			if (this.#entries.length === 0) {
				throw new Error("the store holds no signing key after inserting one");
			}
		}
		const plain = (key: SigningKeyRecord) =>
			storedKekId(key.privateKeyPem) === undefined;
		if (
			this.#encryption.currentId === undefined ||
			!this.#entries.some((e) => plain(e.record))
		) {
			return { encrypted: 0 };
		}
		// A key stored in plain is readable without any KEK, so any server may seal it.
		const encrypted = await this.#repo.updatePrivateKeys((key) =>
			plain(key)
				? this.#encryption.seal(key.kid, key.privateKeyPem)
				: undefined,
		);
		return { encrypted };
	}

	/** The algorithm this ring makes keys for and prefers to sign with. */
	get algorithm(): TokenAlgorithm {
		return this.#algorithm;
	}

	/**
	 * When the store is not heading for a key of this ring's algorithm (the key that signs once
	 * every pending key has activated is of the other kind: the setting changed), rotates in a
	 * key of it as {@link rotate} does, so that verifiers caching the JWKS see it before it
	 * signs; the old kind keeps signing until then and stays published until its tokens have
	 * expired (docs/behaviour.md#keys). Answers the new key, or `undefined` when nothing had
	 * to change. Call after {@link init}.
	 */
	async switchAlgorithm(): Promise<SigningKeyRecord | undefined> {
		await this.reload();
		const heading = finalRecord(this.#entries.map((e) => e.record));
		if (heading === undefined || heading.alg === this.#algorithm) {
			return undefined;
		}
		return this.rotate();
	}

	/** The id of the key-encryption key new keys are stored under; `undefined`: plain. */
	get encryptionKeyId(): string | undefined {
		return this.#encryption.currentId;
	}

	/**
	 * Re-encrypts every stored private key that is not under the current key-encryption key
	 * (in plain, or under another KEK this ring was given) with it, in one transaction of the
	 * store (docs/behaviour.md#keys rule 9). Answers how many keys changed.
	 * @throws KeyEncryptionError without a key-encryption key, or when a stored key cannot be
	 *   decrypted with the KEKs given (nothing is changed then)
	 */
	async rewrap(): Promise<number> {
		if (this.#encryption.currentId === undefined) {
			throw new KeyEncryptionError(
				"no key-encryption key is set (IDPOOL_KEY_ENCRYPTION_KEY_FILE or IDPOOL_KEY_ENCRYPTION_KEY): the first key given is the one every signing key is encrypted with",
			);
		}
		return this.#repo.updatePrivateKeys((key) =>
			this.#encryption.isCurrent(key.privateKeyPem)
				? undefined
				: this.#encryption.seal(
						key.kid,
						this.#encryption.open(key.kid, key.privateKeyPem),
					),
		);
	}

	/**
	 * The stored keys with their state, read from the store now; no private key is decrypted,
	 * so this works without the key-encryption key.
	 */
	async list(): Promise<KeyListing[]> {
		const records = await this.#repo.list();
		const now = this.#clock.now();
		const signer = signingRecord(records, now, this.#algorithm)?.kid;
		return records.map((record) => ({
			record,
			status:
				record.kid === signer
					? "signing"
					: record.activatesAt > now
						? "pending"
						: "retired",
			encryptedWith: storedKekId(record.privateKeyPem),
		}));
	}

	/**
	 * Re-reads the keys from the store. What it answers reflects the store at or after the
	 * call: a reload already in flight may have read before the caller's change, so it is
	 * awaited and a fresh one started (or joined, if another caller already started it).
	 * Rejects when the store fails; the old keys stay in use then.
	 */
	async reload(): Promise<void> {
		const prior = this.#inflight;
		if (prior) await prior.catch(() => {});
		return this.#startReload();
	}

	/**
	 * The key that signs now: the newest of the keys of this ring's algorithm active now, or,
	 * when none is (during a switch of algorithm, before the new kind's key activates), the
	 * newest of the keys active now.
	 */
	async signer(): Promise<SigningKey> {
		await this.#refresh();
		const best = signingRecord(
			this.#entries.map((e) => e.record),
			this.#clock.now(),
			this.#algorithm,
		);
		if (!best) throw new Error("no signing key is active");
		const privateKey = this.#privateKeys.get(best.kid);
		// #load parses every key it keeps; a key without one is a fault of this class.
		if (!privateKey) throw new Error(`signing key ${best.kid} is not loaded`);
		return { kid: best.kid, alg: best.alg, privateKey };
	}

	/**
	 * Whether one of the keys loaded now can sign (its private key parsed), reading nothing:
	 * for readiness, which checks the store on its own.
	 */
	get canSign(): boolean {
		const best = signingRecord(
			this.#entries.map((e) => e.record),
			this.#clock.now(),
			this.#algorithm,
		);
		return best !== undefined && this.#privateKeys.has(best.kid);
	}

	/**
	 * The public keys to publish: active ones, pending ones (published before they sign) and
	 * retired ones that may still have signed an unexpired token.
	 */
	async jwks(): Promise<Jwks> {
		await this.#refresh();
		const oldestUseful = this.#clock.now() - this.#maxTokenLifetimeMs;
		return {
			keys: this.#entries
				.filter(
					({ record }) =>
						record.retiredAt === undefined || record.retiredAt > oldestUseful,
				)
				.map(({ jwk }) => jwk),
		};
	}

	/** The algorithms of the keys {@link jwks} publishes, each once, oldest key first (for discovery). */
	async algorithms(): Promise<string[]> {
		return [...new Set((await this.jwks()).keys.map((k) => k.alg))];
	}

	/**
	 * Generates a new key of this ring's algorithm that signs from `now + rotationDelayMs` on and stores it, retiring
	 * the current key at that moment; keys no token can still need are pruned first. Answers
	 * the new key.
	 */
	async rotate(): Promise<SigningKeyRecord> {
		const now = this.#clock.now();
		// `prune` deletes keys retired strictly before its argument; +1 makes that exactly the
		// keys jwks() has stopped publishing.
		await this.#repo.prune(now - this.#maxTokenLifetimeMs + 1);
		const key = await this.#newKey(now, this.#rotationDelayMs);
		await this.#repo.rotate(key);
		// The rotation is done even if this read fails: the new key is pending for longer than
		// the reload interval, so the next access picks it up in time.
		await this.reload().catch((error: unknown) => this.#onReloadError(error));
		return key;
	}

	/**
	 * Reloads when the keys are older than the reload interval. Usually the caller goes on
	 * with the loaded keys while the reload runs, which is safe: a rotation activates its key
	 * `rotationDelayMs` after storing it, so keys younger than that still say correctly which
	 * key signs and hold every key any server signs with. Older keys (a server idle for a long
	 * time) are not safe to use, so then the caller waits for the reload, unless the previous
	 * reload failed: while the store is down, requests must not each wait for it to fail.
	 */
	async #refresh(): Promise<void> {
		const age = this.#clock.now() - this.#loadedAt;
		if (age < this.#reloadIntervalMs) return;
		const reloading = this.#startReload().catch((error: unknown) =>
			this.#onReloadError(error),
		);
		if (age >= this.#rotationDelayMs && !this.#lastReloadFailed) {
			await reloading;
		}
	}

	/** A new key that signs `delayMs` after `now`, its private key stored as configured. */
	async #newKey(now: number, delayMs: number): Promise<SigningKeyRecord> {
		const key = await this.#generate(now, now + delayMs, this.#algorithm);
		return {
			...key,
			privateKeyPem: this.#encryption.seal(key.kid, key.privateKeyPem),
		};
	}

	/** Starts a reload unless one is in flight, which is joined instead. */
	#startReload(): Promise<void> {
		this.#inflight ??= this.#load().finally(() => {
			this.#inflight = undefined;
		});
		return this.#inflight;
	}

	async #load(): Promise<void> {
		const startedAt = this.#clock.now();
		let records: SigningKeyRecord[];
		// Private keys by kid: those parsed before are kept (a rewrapped key is the same key);
		// new ones are decrypted and parsed now, so that a key this server cannot use fails
		// the read (and keeps the keys loaded before), not a request.
		const kept = new Map<string, KeyObject>();
		try {
			records = await this.#repo.list();
			for (const record of records) {
				kept.set(
					record.kid,
					this.#privateKeys.get(record.kid) ??
						createPrivateKey(
							this.#encryption.open(record.kid, record.privateKeyPem),
						),
				);
			}
		} catch (error) {
			this.#lastReloadFailed = true;
			throw error;
		}
		this.#lastReloadFailed = false;
		this.#entries = records.map((record) => ({
			record,
			jwk: publicJwk(record),
		}));
		// Private keys of pruned keys are forgotten.
		this.#privateKeys = kept;
		this.#loadedAt = startedAt;
	}
}

/**
 * The key that signs at `now`: the newest of the keys of `alg` active then, else the newest of
 * all keys active then (docs/behaviour.md#keys). When none is active yet, the one that
 * activates first: the first key activates when the server that made it says so, and a
 * server on the same database whose clock runs behind would otherwise refuse to sign until
 * its clock catches up.
 */
function signingRecord(
	records: readonly SigningKeyRecord[],
	now: number,
	alg: string,
): SigningKeyRecord | undefined {
	let best: SigningKeyRecord | undefined;
	let bestOfAlg: SigningKeyRecord | undefined;
	let next: SigningKeyRecord | undefined;
	for (const record of records) {
		if (record.retiredAt !== undefined && record.retiredAt <= now) continue;
		if (record.activatesAt > now) {
			if (!next || record.activatesAt < next.activatesAt) next = record;
			continue;
		}
		if (!best || record.activatesAt >= best.activatesAt) best = record;
		if (
			record.alg === alg &&
			(!bestOfAlg || record.activatesAt >= bestOfAlg.activatesAt)
		) {
			bestOfAlg = record;
		}
	}
	return bestOfAlg ?? best ?? next;
}

/**
 * The key that will sign once every pending key has activated: the newest (latest to
 * activate) of the keys no rotation has retired yet, or `undefined` on an empty store.
 */
function finalRecord(
	records: readonly SigningKeyRecord[],
): SigningKeyRecord | undefined {
	let last: SigningKeyRecord | undefined;
	for (const record of records) {
		if (record.retiredAt !== undefined) continue;
		if (!last || record.activatesAt >= last.activatesAt) last = record;
	}
	return last;
}

/** The JWK a stored key is published as, by the kind of key its record holds. */
function publicJwk(record: SigningKeyRecord): PublicJwk {
	const common = { kid: record.kid, alg: record.alg, use: "sig" as const };
	const kty = jwkMember(record, "kty");
	if (kty === "EC") {
		return Object.freeze({
			kty,
			crv: jwkMember(record, "crv"),
			x: jwkMember(record, "x"),
			y: jwkMember(record, "y"),
			...common,
		});
	}
	if (kty !== "RSA") {
		throw new Error(`signing key ${record.kid} has an unknown key type ${kty}`);
	}
	return Object.freeze({
		kty,
		n: jwkMember(record, "n"),
		e: jwkMember(record, "e"),
		...common,
	});
}

/**
 * A member of a stored public JWK. A damaged record fails the whole reload (so the keys
 * loaded before stay in use) rather than publishing a key nobody can verify with.
 */
function jwkMember(
	record: SigningKeyRecord,
	name: "kty" | "n" | "e" | "crv" | "x" | "y",
): string {
	const value = record.publicJwk[name];
	if (typeof value !== "string" || value === "") {
		throw new Error(
			`signing key ${record.kid} has no "${name}" in its public JWK`,
		);
	}
	return value;
}
