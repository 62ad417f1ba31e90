/**
 * @module credentials/session-token
 * The session tokens of locally issued credentials. A session token is opaque to clients
 * (AWS's are base64 blobs too); this server's carry, besides 176 random bytes, the role
 * session name the credentials were issued under, so that `GetCallerIdentity` can answer
 * `assumed-role/<role>/<session name>` without a column for it in the store. Nothing read
 * from a token is trusted on its own: the STS endpoint only reads the token stored with the
 * credentials, after the caller presented exactly that token.
 *
 * Layout, then base64: `"idp"`, version `1`, name length (one byte), the name (ASCII: role
 * session names match `[\w+=,.@-]*`), random bytes.
 */
import { randomBytes } from "node:crypto";

const MAGIC = Buffer.from("idp\u0001", "latin1");
const RANDOM_BYTES = 176;
/** What STS allows as a role session name (2..64 of `[\w+=,.@-]`). */
export const ROLE_SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

/** A new session token carrying `roleSessionName`. */
export function newSessionToken(roleSessionName: string): string {
	if (!ROLE_SESSION_NAME.test(roleSessionName)) {
		throw new RangeError(`invalid role session name "${roleSessionName}"`);
	}
	const name = Buffer.from(roleSessionName, "latin1");
	return Buffer.concat([
		MAGIC,
		Buffer.from([name.length]),
		name,
		randomBytes(RANDOM_BYTES),
	]).toString("base64");
}

/**
 * The role session name a token of {@link newSessionToken} carries, or `undefined` for any
 * other token (e.g. one issued before session names were recorded).
 */
export function sessionNameOf(sessionToken: string): string | undefined {
	let bytes: Buffer;
	try {
		bytes = Buffer.from(sessionToken, "base64");
	} catch {
		return undefined;
	}
	if (bytes.length < MAGIC.length + 1) return undefined;
	if (!bytes.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
	const length = bytes[MAGIC.length] ?? 0;
	const start = MAGIC.length + 1;
	if (bytes.length < start + length + RANDOM_BYTES) return undefined;
	const name = bytes.subarray(start, start + length).toString("latin1");
	return ROLE_SESSION_NAME.test(name) ? name : undefined;
}
