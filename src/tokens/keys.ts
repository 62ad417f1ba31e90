/**
 * @module tokens/keys
 * Generation of token-signing key pairs (docs/behaviour.md#tokens and docs/behaviour.md#keys):
 * 2048-bit RSA keys for RS512 (the default, as AWS) or P-256 keys for ES256 (opt-in,
 * `--token-algorithm`, docs/keys.md#es256). A key is born as a plain
 * {@link SigningKeyRecord} so that it can go straight into the store, which is the only place
 * keys live: every server on one database then signs with and publishes the same keys. The
 * `kid` is the RFC 7638 thumbprint, so it is derived from the key itself and can never clash
 * or disagree between servers.
 */
import { generateKeyPair, type KeyObject } from "node:crypto";
import { promisify } from "node:util";
import { calculateJwkThumbprint } from "jose";
import {
	DEFAULT_TOKEN_ALGORITHM,
	type SigningKeyRecord,
	TOKEN_ALGORITHMS,
	type TokenAlgorithm,
} from "../domain/records.ts";

export { DEFAULT_TOKEN_ALGORITHM, TOKEN_ALGORITHMS, type TokenAlgorithm };

/** Whether `alg` is one of {@link TOKEN_ALGORITHMS}. */
export function isTokenAlgorithm(alg: string): alg is TokenAlgorithm {
	return (TOKEN_ALGORITHMS as readonly string[]).includes(alg);
}

/** RSA modulus size in bits (docs/behaviour.md#tokens). */
const RSA_MODULUS_BITS = 2048;

const generateKeyPairAsync = promisify(generateKeyPair);

/** A new RSA key pair: its private half, its public half as a JWK and its thumbprint. */
export interface RsaKey {
	/** The RFC 7638 thumbprint (SHA-256) of the public key. */
	kid: string;
	publicJwk: { kty: string; n: string; e: string };
	privateKey: KeyObject;
}

/**
 * Generates a new RSA key pair of {@link RSA_MODULUS_BITS} bits. Generation runs on the libuv
 * thread pool (it takes tens to hundreds of milliseconds), so it never stalls requests being
 * served.
 */
export async function generateRsaKey(): Promise<RsaKey> {
	const { publicKey, privateKey } = await generateKeyPairAsync("rsa", {
		modulusLength: RSA_MODULUS_BITS,
		publicExponent: 0x10001,
	});
	// Node exports JWK members as unpadded base64url without a leading zero octet, which is
	// what RFC 7517/7518 require (unlike Amazon's own JWKS, docs/behaviour.md#keys).
	const jwk = publicKey.export({ format: "jwk" });
	if (jwk.kty !== "RSA" || !jwk.n || !jwk.e) {
		throw new Error("generated key did not export as an RSA JWK");
	}
	const publicJwk = { kty: jwk.kty, n: jwk.n, e: jwk.e };
	const kid = await calculateJwkThumbprint(publicJwk, "sha256");
	return { kid, publicJwk, privateKey };
}

/** A new P-256 key pair for ES256: its public half as a JWK (`kty`, `crv`, `x`, `y`). */
async function generateEcKey(): Promise<{
	kid: string;
	publicJwk: { kty: string; crv: string; x: string; y: string };
	privateKey: KeyObject;
}> {
	const { publicKey, privateKey } = await generateKeyPairAsync("ec", {
		namedCurve: "P-256",
	});
	const jwk = publicKey.export({ format: "jwk" });
	if (jwk.kty !== "EC" || jwk.crv !== "P-256" || !jwk.x || !jwk.y) {
		throw new Error("generated key did not export as a P-256 JWK");
	}
	const publicJwk = { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y };
	const kid = await calculateJwkThumbprint(publicJwk, "sha256");
	return { kid, publicJwk, privateKey };
}

/**
 * What makes a new signing key: {@link generateSigningKey}, or (for tests) something that
 * answers a key made earlier.
 */
export type SigningKeyGenerator = (
	now: number,
	activatesAt: number,
	alg: TokenAlgorithm,
) => Promise<SigningKeyRecord>;

/** Generates a new key pair for `alg` (default RS512) that may sign from `activatesAt` on. */
export async function generateSigningKey(
	now: number,
	activatesAt: number,
	alg: TokenAlgorithm = DEFAULT_TOKEN_ALGORITHM,
): Promise<SigningKeyRecord> {
	const { kid, publicJwk, privateKey } =
		alg === "ES256" ? await generateEcKey() : await generateRsaKey();
	const privateKeyPem = privateKey.export({ format: "pem", type: "pkcs8" });
	return {
		kid,
		alg,
		publicJwk,
		privateKeyPem: String(privateKeyPem),
		createdAt: now,
		activatesAt,
	};
}
