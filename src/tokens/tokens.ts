/**
 * @module tokens/tokens
 * Minting of Cognito Identity OpenID tokens (docs/behaviour.md#tokens) and the OpenID
 * discovery document that points verifiers at the JWKS. Tokens are built by hand rather than
 * with a JWT library because the header and the payload must have Amazon's exact member
 * order, and because signing goes through node:crypto's callback API, which runs RSA and ECDSA
 * on the libuv thread pool: the event loop stays free and signatures use every core.
 */
import { type KeyObject, sign } from "node:crypto";
import { type Metrics, noMetrics } from "../lib/metrics.ts";
import type { KeyRing } from "./key-ring.ts";
import { DEFAULT_TOKEN_ALGORITHM } from "./keys.ts";

/** The claim that carries principal tags (the format STS reads for session tags). */
export const TAGS_CLAIM = "https://aws.amazon.com/tags";
/** The claim that names the identity pool by ARN. */
const POOL_ARN_CLAIM =
	"https://cognito-identity.amazonaws.com/identity-pool-arn";

/** What a token says. Times are NumericDates (seconds since the epoch). */
export interface TokenClaims {
	/** IdentityId. */
	sub: string;
	/** IdentityPoolId. */
	aud: string;
	amr: string[];
	/** Applied principal tags; absent or empty means the tags claim is left out. */
	principalTags?: Record<string, string>;
	iss: string;
	poolArn: string;
	iat: number;
	exp: number;
}

/**
 * Signs `data` for the JWS algorithm `alg` on the libuv thread pool: RSASSA-PKCS1-v1_5 with
 * SHA-512 (RS512, the default) or ECDSA P-256 with SHA-256 (ES256), whose JWS signature is
 * the raw 64 bytes r || s (RFC 7518 section 3.4), not DER.
 */
export function signOnce(
	key: KeyObject,
	data: Buffer,
	alg: string = DEFAULT_TOKEN_ALGORITHM,
): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const done = (error: Error | null, signature: Buffer) => {
			if (error) reject(error);
			else resolve(signature);
		};
		if (alg === "ES256") {
			sign("sha256", data, { key, dsaEncoding: "ieee-p1363" }, done);
		} else if (alg === "RS512") {
			sign("sha512", data, key, done);
		} else {
			reject(new Error(`cannot sign with algorithm ${alg}`));
		}
	});
}

/**
 * Mints tokens with whichever key of the ring signs at the moment, and tells `metrics` of
 * each one signed and of the time its signature took.
 */
export class TokenIssuer {
	readonly #keys: KeyRing;
	readonly #metrics: Metrics;
	/** The encoded header of the key that signed last (it only changes with the key). */
	#header: { kid: string; encoded: string } | undefined;

	constructor(keys: KeyRing, metrics: Metrics = noMetrics) {
		this.#keys = keys;
		this.#metrics = metrics;
	}

	/** A signed JWS compact token carrying `claims`. */
	async mint(claims: TokenClaims): Promise<string> {
		if (
			!Number.isSafeInteger(claims.iat) ||
			!Number.isSafeInteger(claims.exp)
		) {
			// Catches milliseconds or fractions passed by mistake, which verifiers would misread.
			throw new RangeError("iat and exp must be whole seconds");
		}
		const key = await this.#keys.signer();
		if (this.#header?.kid !== key.kid) {
			// Member order kid, typ, alg as observed from Amazon (docs/behaviour.md#tokens).
			const encoded = encode({ kid: key.kid, typ: "JWS", alg: key.alg });
			this.#header = { kid: key.kid, encoded };
		}
		const signingInput = `${this.#header.encoded}.${encode(payload(claims))}`;
		const started = performance.now();
		const signature = await signOnce(
			key.privateKey,
			Buffer.from(signingInput, "ascii"),
			key.alg,
		);
		this.#metrics.tokenSigned(key.alg, (performance.now() - started) / 1000);
		return `${signingInput}.${signature.toString("base64url")}`;
	}
}

/** The payload in Amazon's observed member order (docs/behaviour.md#tokens). */
function payload(claims: TokenClaims): Record<string, unknown> {
	const body: Record<string, unknown> = {
		sub: claims.sub,
		aud: claims.aud,
		amr: claims.amr,
	};
	const tags = Object.entries(claims.principalTags ?? {});
	if (tags.length > 0) {
		// Object.fromEntries defines own properties, so a tag named `__proto__` stays a tag.
		body[TAGS_CLAIM] = {
			principal_tags: Object.fromEntries(tags.map(([k, v]) => [k, [v]])),
		};
	}
	body.iss = claims.iss;
	body[POOL_ARN_CLAIM] = claims.poolArn;
	body.exp = claims.exp;
	body.iat = claims.iat;
	return body;
}

function encode(value: unknown): string {
	return Buffer.from(JSON.stringify(value), "utf8").toString("base64url");
}

/**
 * The OpenID discovery document served at `<issuer>/.well-known/openid-configuration`;
 * `algorithms` are those of the keys the JWKS publishes (RS512 unless ES256 is configured;
 * both while a switch between them is under way).
 */
export function discoveryDocument(
	issuer: string,
	algorithms: readonly string[] = [DEFAULT_TOKEN_ALGORITHM],
) {
	return {
		issuer,
		jwks_uri: `${issuer.replace(/\/+$/, "")}/.well-known/jwks_uri`,
		response_types_supported: ["id_token"],
		subject_types_supported: ["public"],
		id_token_signing_alg_values_supported: [...algorithms],
		claims_supported: [
			"sub",
			"aud",
			"amr",
			"iss",
			"exp",
			"iat",
			TAGS_CLAIM,
			POOL_ARN_CLAIM,
		],
	};
}
