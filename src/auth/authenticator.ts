/**
 * @module auth/authenticator
 * The authentication step of every call, whatever its service: public operations are not
 * checked (a signature they carry is ignored); signed ones must carry a valid SigV4 signature
 * for the service's signing name, made with one of the server's access keys (and then without
 * a session token, which a long-term key does not have), and, for the
 * operations that accept them (the STS endpoint's GetCallerIdentity), with credentials the
 * server issued, presented with their session token and before they expire. Each server has
 * its own authenticator, so its cache of derived signing keys is its own.
 */
import type { IssuedCredentialRecord } from "../domain/records.ts";
import {
	ExpiredTokenException,
	UnrecognizedClientException,
} from "../errors/protocol-errors.ts";
import {
	EXPIRED_SECURITY_TOKEN,
	INVALID_CLIENT_TOKEN,
} from "../errors/sts-errors.ts";
import type { Clock } from "../lib/clock.ts";
import type { AuthMode, Caller, ServiceName } from "../operations/operation.ts";
import type { CredentialRepository } from "../store/store.ts";
import {
	type SignedRequest,
	type SigningCredential,
	SigningKeyCache,
	verifySigV4,
} from "./sigv4.ts";

/** What an authenticator needs of the server. */
export interface AuthenticatorOptions {
	/** The server's own access keys (the credential registry's `lookup`). */
	lookupAccessKey: (accessKeyId: string) => SigningCredential | undefined;
	/** The credentials the server issued. */
	issued: Pick<CredentialRepository, "get">;
	clock: Clock;
	/**
	 * The development mode that accepts any access key (docs/security.md#accepting-any-credentials):
	 * a signed call with a key that is neither the server's nor one it issued is accepted
	 * without a signature check, as the account this returns (read at each call: a reload may
	 * change it), unless it returns `undefined`. The server's own keys and issued credentials
	 * are checked as always.
	 */
	acceptAnyKeyAs?: () => string | undefined;
}

/** The access key id named in a SigV4 `Authorization` header, if one can be read. */
function signingKeyId(request: SignedRequest): string | undefined {
	const raw = request.headers.authorization;
	const authorization = Array.isArray(raw) ? raw.join(",") : raw;
	if (!authorization) return undefined;
	return /Credential=([^/,\s]+)\//.exec(authorization)?.[1];
}

function securityToken(request: SignedRequest): string | undefined {
	const raw = request.headers["x-amz-security-token"];
	return Array.isArray(raw) ? raw.join(",") : raw;
}

/** Authenticates calls for one server. */
export class Authenticator {
	readonly #options: AuthenticatorOptions;
	readonly #signingKeys = new SigningKeyCache();

	constructor(options: AuthenticatorOptions) {
		this.#options = options;
	}

	/** An unknown key, accepted unchecked in the development mode that accepts any key. */
	#anyKey(accessKeyId: string): SigningCredential | undefined {
		const accountId = this.#options.acceptAnyKeyAs?.();
		return accountId === undefined
			? undefined
			: { accessKeyId, secretAccessKey: "", accountId, unchecked: true };
	}

	/**
	 * The caller of a call to an operation of `service` authenticated as `mode`; `undefined` for
	 * a public operation.
	 * @throws the SigV4 protocol errors (MissingAuthenticationTokenException,
	 *   IncompleteSignatureException, UnrecognizedClientException, InvalidSignatureException)
	 *   and ExpiredTokenException for issued credentials past their expiration
	 */
	async authenticate(
		request: SignedRequest,
		service: ServiceName,
		mode: AuthMode,
	): Promise<Caller | undefined> {
		if (mode === "none") return undefined;
		const now = this.#options.clock.now();
		const token = securityToken(request);
		// A long-term key has no session token to present: one sent with it is refused, as
		// AWS refuses it (docs/behaviour.md#authentication).
		const ownKey = (id: string): SigningCredential | undefined => {
			const own = this.#options.lookupAccessKey(id);
			if (own && token !== undefined) {
				throw new UnrecognizedClientException(INVALID_CLIENT_TOKEN);
			}
			return own;
		};
		const lookup = (id: string) => ownKey(id) ?? this.#anyKey(id);
		if (mode === "sigv4") {
			const verified = verifySigV4(
				request,
				lookup,
				new Date(now),
				service,
				this.#signingKeys,
			);
			return { ...verified, kind: "key" };
		}
		// Issued credentials live in the store, which is asynchronous, while the verifier's
		// lookup is synchronous: the record is read first.
		const keyId = signingKeyId(request);
		let issued: IssuedCredentialRecord | undefined;
		if (
			keyId !== undefined &&
			this.#options.lookupAccessKey(keyId) === undefined
		) {
			issued = await this.#options.issued.get(keyId);
		}
		const verified = verifySigV4(
			request,
			(id) => {
				const own = ownKey(id);
				if (own) return own;
				if (!issued || issued.accessKeyId !== id) return this.#anyKey(id);
				if (token !== issued.sessionToken) {
					throw new UnrecognizedClientException(INVALID_CLIENT_TOKEN);
				}
				if (now >= issued.expiresAt) {
					throw new ExpiredTokenException(EXPIRED_SECURITY_TOKEN);
				}
				return {
					accessKeyId: issued.accessKeyId,
					secretAccessKey: issued.secretAccessKey,
					accountId: issued.accountId,
				};
			},
			new Date(now),
			service,
			this.#signingKeys,
		);
		if (issued && issued.accessKeyId === verified.accessKeyId) {
			return { ...verified, kind: "session", session: issued };
		}
		return { ...verified, kind: "key" };
	}
}
