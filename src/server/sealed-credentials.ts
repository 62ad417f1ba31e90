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
import {
	type KeyEncryption,
	KeyEncryptionError,
} from "../tokens/key-encryption.ts";

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
): CredentialRepository {
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
		prune: (before) => repo.prune(before),
	};
}
