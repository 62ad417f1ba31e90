/**
 * @module server/sealed-credentials
 * The issued credentials' secret keys at rest (docs/deployment.md#files-and-keys-at-rest):
 * with a key-encryption key, the store keeps each secret sealed as the signing keys' private
 * halves are (AES-256-GCM, tokens/key-encryption.ts), bound to its access key id, so that a
 * copy of the database does not hand out credentials that sign calls to this server. Without
 * one, secrets are kept in plain, as the keys are. The session token is sent with every
 * call and is no secret on its own.
 */
import type { IssuedCredentialRecord } from "../domain/records.ts";
import type { CredentialRepository } from "../store/store.ts";
import { KeyEncryption, KeyEncryptionError } from "../tokens/key-encryption.ts";

/** What the server's calls do with issued credentials: store them, and find them again. */
export type SealedCredentials = Pick<CredentialRepository, "insert" | "get">;

/** The name a secret is sealed under: apart from the signing keys' `kid`s. */
const sealedName = (accessKeyId: string) => `issued-credentials:${accessKeyId}`;

/**
 * `repo` with the secret keys sealed on the way in and opened on the way out. Credentials
 * whose secret cannot be opened (sealed with a key-encryption key this server was not
 * given, or damaged) are unknown to it, as credentials it never issued are; a secret kept in
 * plain (issued before a key-encryption key was set) is read as it is.
 */
export function sealedCredentials(
	repo: CredentialRepository,
	encryption: KeyEncryption,
): SealedCredentials {
	return {
		insert: (credential) =>
			repo.insert({
				...credential,
				secretAccessKey: encryption.seal(
					sealedName(credential.accessKeyId),
					credential.secretAccessKey,
				),
			}),
		async get(accessKeyId): Promise<IssuedCredentialRecord | undefined> {
			const stored = await repo.get(accessKeyId);
			if (!stored) return undefined;
			try {
				return {
					...stored,
					secretAccessKey: encryption.open(
						sealedName(accessKeyId),
						stored.secretAccessKey,
					),
				};
			} catch (err) {
				if (err instanceof KeyEncryptionError) return undefined;
				throw err;
			}
		},
	};
}

/**
 * `idpool keys rewrap` for the issued credentials that have not expired at `now`: each secret
 * not sealed under the first key-encryption key (kept in plain, or sealed under another key
 * given) is sealed again under it, so that the servers go on recognising the credentials
 * once the other keys are taken away (docs/deployment.md#files-and-keys-at-rest). A secret
 * that none of the keys given opens is left as it is: no server with these keys knows those
 * credentials, before or after. Expired credentials are left to be pruned. `keys`: the
 * key-encryption keys given, the first one sealing.
 * @throws KeyEncryptionError without a key-encryption key
 */
export async function rewrapCredentials(
	repo: CredentialRepository,
	keys: readonly Uint8Array[],
	now: number,
): Promise<{ rewrapped: number; unreadable: number }> {
	const encryption = new KeyEncryption(keys);
	if (encryption.currentId === undefined) {
		throw new KeyEncryptionError(
			"no key-encryption key is set: issued credentials are sealed with the first key given",
		);
	}
	// By access key id: a batch that the store runs again counts its credentials once.
	const unreadable = new Set<string>();
	const rewrapped = await repo.updateSecrets(now, (credential) => {
		const name = sealedName(credential.accessKeyId);
		if (encryption.isCurrent(credential.secretAccessKey)) return undefined;
		try {
			return encryption.seal(
				name,
				encryption.open(name, credential.secretAccessKey),
			);
		} catch (err) {
			if (!(err instanceof KeyEncryptionError)) throw err;
			unreadable.add(credential.accessKeyId);
			return undefined;
		}
	});
	return { rewrapped, unreadable: unreadable.size };
}
