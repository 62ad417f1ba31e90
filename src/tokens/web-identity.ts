/**
 * @module tokens/web-identity
 * How the STS endpoint checks a `WebIdentityToken`: it must be a token this server issued,
 * checked as STS checks a token of an IAM OIDC provider, in STS's order and with its error
 * codes: a JWS compact JWT (else `InvalidIdentityToken`), issued by this server's issuer
 * (else `No OpenIDConnect provider found ...`), signed RS512 or ES256 by a key of this server's JWKS,
 * with an identity pool id as `aud` (the "client id" of the provider), a `sub`, and not
 * expired (`ExpiredTokenException`). Its `https://aws.amazon.com/tags` claim gives the
 * session tags, as STS reads it.
 */
import {
	type CompactVerifyGetKey,
	compactVerify,
	createLocalJWKSet,
	decodeJwt,
	decodeProtectedHeader,
	errors,
	type JSONWebKeySet,
	type JWTPayload,
} from "jose";
import {
	expiredWebIdentityToken,
	INCORRECT_AUDIENCE,
	invalidIdentityToken,
	NO_VERIFICATION_KEY,
	NOT_A_JWT,
	NOT_VALIDATED,
	noOidcProvider,
} from "../errors/sts-errors.ts";
import type { Clock } from "../lib/clock.ts";
import { TOKEN_ALGORITHMS } from "./keys.ts";
import { TAGS_CLAIM } from "./tokens.ts";

/** What the STS endpoint uses of a verified token. */
export interface WebIdentityClaims {
	/** The identity id. */
	sub: string;
	/** The identity pool id. */
	aud: string;
	iss: string;
	/** `["authenticated", ...]` or `["unauthenticated"]`; `[]` when the claim is absent. */
	amr: string[];
	/** Seconds since the epoch. */
	exp: number;
	/** The session tags of the tags claim (`principal_tags`, first value of each). */
	principalTags: Record<string, string>;
}

/** Verifies a web identity token; throws an `StsError`. */
export type WebIdentityVerifier = (token: string) => Promise<WebIdentityClaims>;

/** Pool ids (`<region>:<uuid>`), the only audiences this server's tokens carry. */
const POOL_ID = /^[\w-]+:[0-9a-f-]+$/;

export interface OwnTokenVerifierOptions {
	/** This server's issuer (`iss`), without a trailing slash. */
	issuer: () => string;
	/** This server's published keys (the key ring's JWKS). */
	jwks: () => Promise<{ keys: readonly object[] }>;
	clock: Clock;
	/** How long after its `exp` a token is still accepted, in seconds (default 0). */
	graceSeconds?: number;
}

/** A verifier of this server's own tokens, with its own key cache (one per server). */
export function ownTokenVerifier(
	options: OwnTokenVerifierOptions,
): WebIdentityVerifier {
	let cached: { text: string; getKey: CompactVerifyGetKey } | undefined;
	const keys = async (): Promise<CompactVerifyGetKey> => {
		const jwks = await options.jwks();
		const text = JSON.stringify(jwks.keys);
		if (cached?.text !== text) {
			cached = {
				text,
				getKey: createLocalJWKSet({
					keys: [...jwks.keys],
				} as unknown as JSONWebKeySet),
			};
		}
		return cached.getKey;
	};

	return async (token) => {
		let claims: JWTPayload;
		try {
			decodeProtectedHeader(token);
			claims = decodeJwt(token);
		} catch {
			throw invalidIdentityToken(NOT_A_JWT);
		}
		const issuer = options.issuer();
		if (claims.iss !== issuer) {
			throw invalidIdentityToken(
				noOidcProvider(typeof claims.iss === "string" ? claims.iss : ""),
			);
		}
		try {
			await compactVerify(token, await keys(), {
				algorithms: [...TOKEN_ALGORITHMS],
			});
		} catch (err) {
			throw invalidIdentityToken(
				err instanceof errors.JWKSNoMatchingKey
					? NO_VERIFICATION_KEY
					: NOT_VALIDATED,
			);
		}
		const aud = claims.aud;
		if (typeof aud !== "string" || !POOL_ID.test(aud)) {
			throw invalidIdentityToken(INCORRECT_AUDIENCE);
		}
		if (typeof claims.sub !== "string" || claims.sub === "") {
			throw invalidIdentityToken("Missing a required claim: sub");
		}
		if (typeof claims.exp !== "number") {
			throw invalidIdentityToken("Missing a required claim: exp");
		}
		const now = Math.floor(options.clock.now() / 1000);
		if (now >= claims.exp + (options.graceSeconds ?? 0)) {
			throw expiredWebIdentityToken(now, claims.exp);
		}
		return {
			sub: claims.sub,
			aud,
			iss: issuer,
			amr: Array.isArray(claims.amr)
				? claims.amr.filter((a): a is string => typeof a === "string")
				: [],
			exp: claims.exp,
			principalTags: sessionTags(claims[TAGS_CLAIM]),
		};
	};
}

/**
 * The session tags of a tags claim, `{"principal_tags": {"k": ["v"]}}` (a plain string value
 * is taken too); anything else in it is ignored. Tags live in a null-prototype-safe record:
 * a tag named `__proto__` stays a tag.
 */
export function sessionTags(claim: unknown): Record<string, string> {
	if (typeof claim !== "object" || claim === null) return {};
	const principal = (claim as Record<string, unknown>).principal_tags;
	if (typeof principal !== "object" || principal === null) return {};
	const entries: [string, string][] = [];
	for (const [key, value] of Object.entries(principal)) {
		const first = Array.isArray(value) ? value[0] : value;
		if (typeof first === "string") entries.push([key, first]);
	}
	return Object.fromEntries(entries);
}
