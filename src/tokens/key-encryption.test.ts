/**
 * @module tokens/key-encryption.test
 * Unit tests of the encryption at rest of signing keys (docs/behaviour.md#keys rules 7 to 9):
 * the stored form, that only the KEK named decrypts, that a ciphertext damaged or moved to
 * another key does not, and that with several KEKs the first encrypts and every one decrypts.
 */
import assert from "node:assert/strict";
import { createPrivateKey, randomBytes } from "node:crypto";
import { describe, test } from "node:test";
import {
	KeyEncryption,
	KeyEncryptionError,
	storedKekId,
} from "./key-encryption.ts";
import { generateSigningKey } from "./keys.ts";

const key = await generateSigningKey(0, 0);
const KID = key.kid;
const PEM = key.privateKeyPem;

function refuses(stored: () => unknown, message: RegExp): void {
	assert.throws(stored, (err: Error) => {
		assert.ok(err instanceof KeyEncryptionError, String(err));
		assert.match(err.message, message);
		assert.doesNotMatch(err.message, /\n/);
		return true;
	});
}

describe("KeyEncryption", () => {
	test("without a KEK keys are stored as their PEM", () => {
		const plain = new KeyEncryption();
		assert.equal(plain.currentId, undefined);
		assert.equal(plain.seal(KID, PEM), PEM);
		assert.equal(plain.open(KID, PEM), PEM);
		assert.equal(storedKekId(PEM), undefined);
		assert.equal(plain.isCurrent(PEM), true);
	});

	test("with a KEK a key is stored as AES-256-GCM ciphertext that names the KEK, with a fresh IV each time", () => {
		const kek = randomBytes(32);
		const enc = new KeyEncryption([kek]);
		const id = enc.currentId as string;
		assert.match(id, /^[0-9a-f]{16}$/);
		// The id is derived from the key: the same key gives the same id, another key another.
		assert.equal(new KeyEncryption([kek]).currentId, id);
		assert.notEqual(new KeyEncryption([randomBytes(32)]).currentId, id);

		const stored = enc.seal(KID, PEM);
		const parts = stored.split(":");
		assert.equal(parts.length, 6);
		assert.deepEqual(parts.slice(0, 3), ["aes-256-gcm", "v1", id]);
		const [, , , iv, ciphertext, tag] = parts as string[];
		assert.equal(Buffer.from(iv as string, "base64url").length, 12);
		assert.equal(Buffer.from(tag as string, "base64url").length, 16);
		assert.equal(
			Buffer.from(ciphertext as string, "base64url").length,
			Buffer.byteLength(PEM),
		);
		assert.doesNotMatch(stored, /PRIVATE KEY/);
		assert.equal(storedKekId(stored), id);
		assert.equal(enc.isCurrent(stored), true);
		assert.equal(enc.isCurrent(PEM), false);

		const again = enc.seal(KID, PEM);
		assert.notEqual(again.split(":")[3], iv);
		assert.equal(enc.open(KID, stored), PEM);
		assert.equal(enc.open(KID, again), PEM);
		// What it decrypts to is the key itself.
		assert.equal(
			createPrivateKey(enc.open(KID, stored)).asymmetricKeyDetails
				?.modulusLength,
			2048,
		);
		// A key still stored in plain is read as it is.
		assert.equal(enc.open(KID, PEM), PEM);
	});

	test("a key under a KEK not given cannot be opened, and the error names both KEKs", () => {
		const stored = new KeyEncryption([randomBytes(32)]).seal(KID, PEM);
		const id = storedKekId(stored) as string;
		refuses(
			() => new KeyEncryption().open(KID, stored),
			new RegExp(
				`^signing key ${KID} is encrypted at rest with key-encryption key ${id} and no key-encryption key is set .*idpool cannot sign without it$`,
			),
		);
		const other = new KeyEncryption([randomBytes(32)]);
		refuses(
			() => other.open(KID, stored),
			new RegExp(
				`key-encryption key ${id}, which is not among the key-encryption keys given \\(${other.currentId}\\)`,
			),
		);
	});

	test("a damaged ciphertext, or one moved to another key, does not decrypt", () => {
		const enc = new KeyEncryption([randomBytes(32)]);
		const stored = enc.seal(KID, PEM);
		const parts = stored.split(":");
		const damaged = /the stored key is damaged$/;
		const flip = (index: number) => {
			const bytes = Buffer.from(parts[index] as string, "base64url");
			bytes[0] = (bytes[0] as number) ^ 1;
			return parts
				.map((p, i) => (i === index ? bytes.toString("base64url") : p))
				.join(":");
		};
		refuses(() => enc.open(KID, flip(3)), damaged); // IV
		refuses(() => enc.open(KID, flip(4)), damaged); // ciphertext
		refuses(() => enc.open(KID, flip(5)), damaged); // tag
		refuses(() => enc.open(KID, parts.slice(0, 5).join(":")), damaged);
		refuses(() => enc.open(KID, `${stored}:extra`), damaged);
		// The kid is authenticated: another key's row cannot take this ciphertext.
		refuses(() => enc.open("another-kid", stored), damaged);
	});

	test("with several KEKs the first encrypts and every one decrypts", () => {
		const oldKek = randomBytes(32);
		const newKek = randomBytes(32);
		const before = new KeyEncryption([oldKek]);
		const during = new KeyEncryption([newKek, oldKek]);
		const underOld = before.seal(KID, PEM);
		const underNew = during.seal(KID, PEM);
		assert.equal(storedKekId(underNew), new KeyEncryption([newKek]).currentId);
		assert.equal(during.open(KID, underOld), PEM);
		assert.equal(during.open(KID, underNew), PEM);
		assert.equal(during.isCurrent(underOld), false);
		assert.equal(during.isCurrent(underNew), true);
		refuses(() => before.open(KID, underNew), /not among/);
	});

	test("a KEK must have 32 bytes", () => {
		assert.throws(() => new KeyEncryption([randomBytes(16)]), RangeError);
	});
});
