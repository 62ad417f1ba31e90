/**
 * @module test/support/memory-keys
 * An in-memory {@link SigningKeyRepository} for unit tests of the key ring, with the same
 * contract as the real stores: records are copied in and out (so callers cannot change what
 * is "stored" by mutating objects), `insertFirst`, `rotate` and `updatePrivateKeys` are atomic, and a failure can
 * be switched on to play a database outage.
 */
import type { SigningKeyRecord } from "../../src/domain/records.ts";
import type { SigningKeyRepository } from "../../src/store/store.ts";

export class MemorySigningKeys implements SigningKeyRepository {
	#keys: SigningKeyRecord[] = [];
	/** While set, every call rejects with this error. */
	failWith: Error | undefined;
	/** How many times `list` was called, failed calls included. */
	listCalls = 0;

	/** What is stored, for assertions. */
	get stored(): SigningKeyRecord[] {
		return structuredClone(this.#keys);
	}

	async list(): Promise<SigningKeyRecord[]> {
		this.listCalls++;
		this.#check();
		return structuredClone(this.#keys);
	}

	async insertFirst(key: SigningKeyRecord): Promise<boolean> {
		this.#check();
		if (this.#keys.length > 0) return false;
		this.#keys.push(structuredClone(key));
		return true;
	}

	async rotate(key: SigningKeyRecord): Promise<void> {
		this.#check();
		for (const stored of this.#keys) {
			stored.retiredAt ??= key.activatesAt;
		}
		this.#keys.push(structuredClone(key));
	}

	async prune(before: number): Promise<number> {
		this.#check();
		const kept = this.#keys.filter(
			(k) => k.retiredAt === undefined || k.retiredAt >= before,
		);
		const pruned = this.#keys.length - kept.length;
		this.#keys = kept;
		return pruned;
	}

	async updatePrivateKeys(
		apply: (key: SigningKeyRecord) => string | undefined,
	): Promise<number> {
		this.#check();
		// Computed on copies first: a throw of `apply` changes nothing.
		const next = this.#keys.map((k) => apply(structuredClone(k)));
		let changed = 0;
		for (const [i, pem] of next.entries()) {
			const stored = this.#keys[i];
			if (pem === undefined || !stored) continue;
			stored.privateKeyPem = pem;
			changed++;
		}
		return changed;
	}

	#check(): void {
		if (this.failWith) throw this.failWith;
	}
}
