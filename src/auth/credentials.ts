/**
 * @module auth/credentials
 * The registry of the access keys this server accepts (docs/behaviour.md#accounts-and-regions). Each access key id
 * belongs to exactly one account (a 12-digit id) and has a secret used to verify SigV4
 * signatures. Without a credentials file the server knows only {@link DEFAULT_CREDENTIAL}
 * (`test`/`test`, account `000000000000`, as local AWS emulators do); with one
 * (`--credentials FILE`, `IDPOOL_CREDENTIALS_FILE`) the file's JSON array of
 * `{"accessKeyId", "secretAccessKey", "accountId"}` objects is parsed and checked by
 * {@link parseCredentialsFile}, whose errors are one line naming the file and the problem.
 */

/** An access key, its secret and the account it belongs to. */
export interface AccountCredential {
	accessKeyId: string;
	secretAccessKey: string;
	accountId: string;
}

/**
 * The one access key of settings that name no credentials file (`--access-key-id`,
 * `--secret-access-key`, `--account-id`; a Config is such settings).
 */
export function singleKey(settings: AccountCredential): AccountCredential {
	return {
		accessKeyId: settings.accessKeyId,
		secretAccessKey: settings.secretAccessKey,
		accountId: settings.accountId,
	};
}

/**
 * The default account of `keys`: the first key's, else that of the settings. Declared pools
 * without `AccountId` go there, and so do calls with unknown keys under
 * `--accept-any-credentials`.
 */
export function defaultAccount(
	keys: readonly AccountCredential[],
	settings: { accountId: string },
): string {
	return keys[0]?.accountId ?? settings.accountId;
}

/** The credential known when no credentials file is given. */
export const DEFAULT_CREDENTIAL: AccountCredential = Object.freeze({
	accessKeyId: "test",
	secretAccessKey: "test",
	accountId: "000000000000",
});

/** A credentials file that cannot be used; the message is one line naming the file. */
export class CredentialsFileError extends Error {
	override get name(): string {
		return "CredentialsFileError";
	}
}

const FIELDS = ["accessKeyId", "secretAccessKey", "accountId"] as const;
const ACCOUNT_ID = /^\d{12}$/;
/**
 * An access key id is written into the SigV4 `Credential=` parameter, which is split on
 * whitespace, `,` and `/`: only printable ASCII other than those (and `=`) can be presented.
 */
const ACCESS_KEY_ID = /^[!-~]+$/;
const ACCESS_KEY_ID_FORBIDDEN = /[,/=]/;

function oneLine(text: string): string {
	return text.replace(/[\r\n]+/g, " ");
}

/**
 * Parses and checks the text of a credentials file: a JSON array of
 * `{"accessKeyId", "secretAccessKey", "accountId"}` objects (other members are ignored).
 * `source` (the file name) starts every error message.
 * @throws CredentialsFileError when the text is not JSON, not a non-empty array, an entry
 *   is not an object or lacks a field (or has an empty or non-string one), an `accountId`
 *   is not 12 digits, an `accessKeyId` has characters a SigV4 credential cannot carry, or
 *   an `accessKeyId` appears twice.
 */
export function parseCredentialsFile(
	text: string,
	source: string,
): AccountCredential[] {
	function fail(problem: string): never {
		throw new CredentialsFileError(
			oneLine(`credentials file ${source}: ${problem}`),
		);
	}
	let data: unknown;
	try {
		data = JSON.parse(text);
	} catch (error) {
		fail(
			`not valid JSON (${error instanceof Error ? error.message : String(error)})`,
		);
	}
	if (!Array.isArray(data)) {
		fail(
			'expected a JSON array of {"accessKeyId", "secretAccessKey", "accountId"} objects',
		);
	}
	if (data.length === 0)
		fail("the array is empty: it must list at least one credential");
	const result: AccountCredential[] = [];
	const seen = new Map<string, number>();
	data.forEach((entry: unknown, index: number) => {
		const where = `entry ${index}`;
		if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
			fail(`${where} is not an object`);
		}
		const record = entry as Record<string, unknown>;
		for (const field of FIELDS) {
			const value = record[field];
			if (value === undefined || value === null)
				fail(`${where} is missing "${field}"`);
			if (typeof value !== "string")
				fail(`${where}: "${field}" must be a string`);
			if (value === "") fail(`${where}: "${field}" is empty`);
		}
		const credential: AccountCredential = {
			accessKeyId: record.accessKeyId as string,
			secretAccessKey: record.secretAccessKey as string,
			accountId: record.accountId as string,
		};
		if (!ACCOUNT_ID.test(credential.accountId)) {
			fail(
				`${where}: "accountId" must be exactly 12 digits, got "${credential.accountId}"`,
			);
		}
		const keyId = credential.accessKeyId;
		if (!ACCESS_KEY_ID.test(keyId) || ACCESS_KEY_ID_FORBIDDEN.test(keyId)) {
			fail(
				`${where}: "accessKeyId" must be printable ASCII without spaces, ",", "/" or "="`,
			);
		}
		const previous = seen.get(credential.accessKeyId);
		if (previous !== undefined) {
			fail(
				`${where}: duplicate "accessKeyId" "${credential.accessKeyId}" (already in entry ${previous})`,
			);
		}
		seen.set(credential.accessKeyId, index);
		result.push(credential);
	});
	return result;
}

/** The access keys the server accepts, looked up by access key id. */
export class CredentialRegistry {
	readonly #byKeyId = new Map<string, AccountCredential>();
	readonly #list: readonly AccountCredential[];

	/** @throws Error when an access key id appears twice. */
	constructor(list: AccountCredential[]) {
		const copies: AccountCredential[] = [];
		for (const item of list) {
			if (this.#byKeyId.has(item.accessKeyId)) {
				throw new Error(`duplicate access key id "${item.accessKeyId}"`);
			}
			const copy = Object.freeze({
				accessKeyId: item.accessKeyId,
				secretAccessKey: item.secretAccessKey,
				accountId: item.accountId,
			});
			this.#byKeyId.set(copy.accessKeyId, copy);
			copies.push(copy);
		}
		this.#list = Object.freeze(copies);
	}

	/** The credential of an access key id, or undefined when it is not known. */
	lookup(accessKeyId: string): AccountCredential | undefined {
		return this.#byKeyId.get(accessKeyId);
	}

	/** How many access keys are known. */
	get size(): number {
		return this.#byKeyId.size;
	}

	/** Every known credential, in the order given. */
	list(): readonly AccountCredential[] {
		return this.#list;
	}
}
