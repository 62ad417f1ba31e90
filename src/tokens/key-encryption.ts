/**
 * @module tokens/key-encryption
 * Encryption at rest of the signing keys' private halves (docs/behaviour.md#keys, rule 7), with
 * the key-encryption keys (KEKs) an operator gives the server. The store keeps an opaque
 * string either way; this module decides what that string is. With no KEK it is the PKCS#8
 * PEM, as generated. With KEKs the first one encrypts: AES-256-GCM from node:crypto, a random
 * 96-bit IV per key, the 128-bit tag, and the additional data binding the ciphertext to its
 * format, to the KEK's id and to the signing key's `kid` (a ciphertext moved to another row
 * fails to decrypt). Every KEK given decrypts, so a server can hold the new and the old KEK
 * while a rotation is rolled out. The stored form is
 *
 *     aes-256-gcm:v1:<kek id>:<iv>:<ciphertext>:<tag>      (each part base64url)
 *
 * where the KEK id is the first 8 bytes (hex) of HMAC-SHA-256(KEK, "idpool key-encryption key
 * id"): it names a KEK without revealing it, so that a key encrypted with a KEK the server
 * was not given is recognised as such and named in the error.
 */
import {
	createCipheriv,
	createDecipheriv,
	createHmac,
	randomBytes,
} from "node:crypto";

/** The AES key size, and so the size of a key-encryption key, in bytes. */
const KEK_BYTES = 32;

const FORMAT = "aes-256-gcm:v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * A stored private key that cannot be used: encrypted with a KEK this process was not given,
 * damaged, or a rewrap asked for without a KEK. Its message is one line for an operator.
 */
export class KeyEncryptionError extends Error {
	override readonly name = "KeyEncryptionError";
}

interface Kek {
	readonly id: string;
	readonly key: Uint8Array;
}

function kekId(key: Uint8Array): string {
	return createHmac("sha256", key)
		.update("idpool key-encryption key id")
		.digest()
		.subarray(0, 8)
		.toString("hex");
}

function additionalData(id: string, kid: string): Buffer {
	return Buffer.from(`${FORMAT}:${id}:${kid}`, "utf8");
}

/**
 * The id of the KEK a stored private key is encrypted with, or `undefined` when it is stored
 * in plain (a PEM).
 */
export function storedKekId(stored: string): string | undefined {
	if (!stored.startsWith(`${FORMAT}:`)) return undefined;
	return stored.slice(FORMAT.length + 1).split(":", 1)[0];
}

/** The key-encryption keys of one server or command: the first encrypts, all decrypt. */
export class KeyEncryption {
	readonly #keks: readonly Kek[];

	/** @param keys KEKs of {@link KEK_BYTES} bytes each; none stores keys in plain. */
	constructor(keys: readonly Uint8Array[] = []) {
		this.#keks = keys.map((key) => {
			if (key.length !== KEK_BYTES) {
				throw new RangeError(
					`a key-encryption key has ${KEK_BYTES} bytes, not ${key.length}`,
				);
			}
			return { id: kekId(key), key: Uint8Array.from(key) };
		});
	}

	/** The id of the KEK that encrypts, or `undefined` when keys are stored in plain. */
	get currentId(): string | undefined {
		return this.#keks[0]?.id;
	}

	/** Whether `stored` is stored as {@link seal} would store it now (under the current KEK). */
	isCurrent(stored: string): boolean {
		return storedKekId(stored) === this.currentId;
	}

	/** What the store keeps for the private key `pem` of the signing key `kid`. */
	seal(kid: string, pem: string): string {
		const kek = this.#keks[0];
		if (!kek) return pem;
		const iv = randomBytes(IV_BYTES);
		const cipher = createCipheriv("aes-256-gcm", kek.key, iv, {
			authTagLength: TAG_BYTES,
		});
		cipher.setAAD(additionalData(kek.id, kid));
		const ciphertext = Buffer.concat([
			cipher.update(pem, "utf8"),
			cipher.final(),
		]);
		return [
			FORMAT,
			kek.id,
			iv.toString("base64url"),
			ciphertext.toString("base64url"),
			cipher.getAuthTag().toString("base64url"),
		].join(":");
	}

	/**
	 * The PEM of the signing key `kid` from what the store keeps: a plain PEM as it is, a
	 * ciphertext decrypted with the KEK it names.
	 * @throws KeyEncryptionError when that KEK was not given or the ciphertext does not
	 *   decrypt (damaged, or moved from another key)
	 */
	open(kid: string, stored: string): string {
		const id = storedKekId(stored);
		if (id === undefined) return stored;
		const kek = this.#keks.find((k) => k.id === id);
		if (!kek) {
			throw new KeyEncryptionError(
				this.#keks.length === 0
					? `signing key ${kid} is encrypted at rest with key-encryption key ${id} and no key-encryption key is set (IDPOOL_KEY_ENCRYPTION_KEY_FILE or IDPOOL_KEY_ENCRYPTION_KEY): idpool cannot sign without it`
					: `signing key ${kid} is encrypted at rest with key-encryption key ${id}, which is not among the key-encryption keys given (${this.#keks.map((k) => k.id).join(", ")}): idpool cannot sign without it`,
			);
		}
		const [, , , iv, ciphertext, tag, extra] = stored.split(":");
		try {
			if (!iv || !ciphertext || !tag || extra !== undefined) {
				throw new Error("malformed");
			}
			const decipher = createDecipheriv(
				"aes-256-gcm",
				kek.key,
				Buffer.from(iv, "base64url"),
				{ authTagLength: TAG_BYTES },
			);
			decipher.setAAD(additionalData(id, kid));
			decipher.setAuthTag(Buffer.from(tag, "base64url"));
			return Buffer.concat([
				decipher.update(Buffer.from(ciphertext, "base64url")),
				decipher.final(),
			]).toString("utf8");
		} catch {
			throw new KeyEncryptionError(
				`signing key ${kid} does not decrypt with key-encryption key ${id}: the stored key is damaged`,
			);
		}
	}
}
