/**
 * @module tokens/dev-issuer
 * The development issuer (docs/federation.md#a-development-issuer): an OpenID Connect
 * provider inside idpool, off unless `--dev-issuer` is given, that mints an ID token for any
 * subject, audience and claims its caller names, so that federated flows can be tried without
 * a real identity provider. It publishes a discovery document and a JWKS under
 * `<issuer>/dev-issuer`, like any provider; pools accept its tokens through the ordinary
 * OpenID Connect path, which fetches both over HTTP (no shortcut). Its RS256 key pair (the
 * algorithm most providers use, unlike the server's own RS512 keys) is its own, generated in
 * memory when the server is built and never stored: tokens minted before a restart no longer
 * verify after it, and two servers on one database each have their own key.
 */
import { type JWTPayload, SignJWT } from "jose";
import {
	SerializationException,
	ValidationException,
} from "../errors/protocol-errors.ts";
import type { Clock } from "../lib/clock.ts";
import { generateRsaKey, type RsaKey } from "./keys.ts";

/** The development issuer's path under the server's issuer (and its routes' prefix). */
export const DEV_ISSUER_PATH = "/dev-issuer";
/** The audience of a token whose request names none; pools accept it without configuration. */
export const DEV_AUDIENCE = "idpool-dev";
/** The JWS algorithm of its tokens: RS256, what most OpenID Connect providers sign with. */
export const DEV_SIGNING_ALG = "RS256";
/** A token's lifetime when the request gives none, in seconds. */
export const DEV_TOKEN_DEFAULT_SECONDS = 3600;
/** The longest lifetime a request may ask for, in seconds (a day). */
export const DEV_TOKEN_MAX_SECONDS = 86_400;
/** OpenID Connect Core 1.0 §2: a `sub` is at most 255 ASCII characters. */
const MAX_SUBJECT_LENGTH = 255;
/** Claims the issuer sets itself, which `claims` may not give (`sub`, `aud`: the members). */
const RESERVED_CLAIMS = ["iss", "iat", "exp", "sub", "aud"];
const REQUEST_MEMBERS = ["sub", "aud", "claims", "expiresIn"];

/** What `POST /dev-issuer/token` asks for, validated. */
export interface DevTokenRequest {
	sub: string;
	aud: string | string[];
	/** Claims besides the issuer's own, as given. */
	claims: Record<string, unknown>;
	expiresIn: number;
}

/** The answer of `POST /dev-issuer/token`. */
export interface DevTokenAnswer {
	id_token: string;
	token_type: "Bearer";
	expires_in: number;
}

/** `value` is a JSON object (not an array, not null). */
function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isAudience(value: unknown): value is string | string[] {
	const nonEmpty = (v: unknown) => typeof v === "string" && v !== "";
	return (
		nonEmpty(value) ||
		(Array.isArray(value) && value.length > 0 && value.every(nonEmpty))
	);
}

/** How deep `claims` may nest: far beyond any real token's, far within what signing copes with. */
const MAX_CLAIMS_NESTING = 32;

/** How many objects and lists deep `value` nests (without recursion: the input chooses the depth). */
function nesting(value: unknown): number {
	let deepest = 0;
	const pending: [unknown, number][] = [[value, 1]];
	for (let next = pending.pop(); next; next = pending.pop()) {
		const [item, depth] = next;
		if (typeof item !== "object" || item === null) continue;
		deepest = Math.max(deepest, depth);
		if (deepest > MAX_CLAIMS_NESTING) return deepest;
		for (const child of Object.values(item)) pending.push([child, depth + 1]);
	}
	return deepest;
}

/**
 * The request in `body` (JSON), validated: `sub` required, `aud` a string or a list of
 * strings (default {@link DEV_AUDIENCE}), `claims` an object without the reserved claims,
 * `expiresIn` whole seconds from 1 to {@link DEV_TOKEN_MAX_SECONDS}; any other member is
 * refused, so that a misspelt one does not go unnoticed.
 * @throws SerializationException when the body is not a JSON object, ValidationException
 *   when a member is wrong
 */
export function parseDevTokenRequest(body: Buffer): DevTokenRequest {
	let doc: unknown;
	try {
		doc = JSON.parse(body.toString("utf8"));
	} catch {
		doc = undefined;
	}
	if (!isObject(doc)) {
		throw new SerializationException(
			'The body must be a JSON object such as {"sub": "alice"}.',
		);
	}
	for (const member of Object.keys(doc)) {
		if (!REQUEST_MEMBERS.includes(member)) {
			throw new ValidationException(
				`Unknown member '${member.slice(0, 64)}': the members are ${REQUEST_MEMBERS.join(", ")}.`,
			);
		}
	}
	const { sub, aud, claims, expiresIn } = doc;
	if (
		typeof sub !== "string" ||
		sub === "" ||
		sub.length > MAX_SUBJECT_LENGTH
	) {
		throw new ValidationException(
			`sub must be a string of 1 to ${MAX_SUBJECT_LENGTH} characters.`,
		);
	}
	if (aud !== undefined && !isAudience(aud)) {
		throw new ValidationException(
			"aud must be a non-empty string or a non-empty list of non-empty strings.",
		);
	}
	if (claims !== undefined && !isObject(claims)) {
		throw new ValidationException("claims must be a JSON object.");
	}
	if (claims !== undefined && nesting(claims) > MAX_CLAIMS_NESTING) {
		throw new ValidationException(
			`claims may nest objects and lists ${MAX_CLAIMS_NESTING} levels deep at most.`,
		);
	}
	const reserved = RESERVED_CLAIMS.filter((name) =>
		Object.hasOwn(claims ?? {}, name),
	);
	if (reserved.length > 0) {
		throw new ValidationException(
			`claims may not set ${reserved.join(", ")}: the issuer sets iss, iat and exp itself, and sub and aud come from the members of the same name.`,
		);
	}
	if (
		expiresIn !== undefined &&
		!(
			Number.isSafeInteger(expiresIn) &&
			(expiresIn as number) >= 1 &&
			(expiresIn as number) <= DEV_TOKEN_MAX_SECONDS
		)
	) {
		throw new ValidationException(
			`expiresIn must be a whole number of seconds from 1 to ${DEV_TOKEN_MAX_SECONDS}.`,
		);
	}
	return {
		sub,
		aud: (aud as string | string[] | undefined) ?? DEV_AUDIENCE,
		claims: { ...(claims ?? {}) },
		expiresIn: (expiresIn as number | undefined) ?? DEV_TOKEN_DEFAULT_SECONDS,
	};
}

/** The development issuer's URL for a server whose issuer is `serverIssuer`. */
export function devIssuerUrl(serverIssuer: string): string {
	return `${serverIssuer.replace(/\/+$/, "")}${DEV_ISSUER_PATH}`;
}

/**
 * The provider name of an issuer: its URL without the scheme, as `Logins` keys and IAM OIDC
 * provider ARNs (`oidc-provider/<name>`) name it.
 */
export function providerNameOf(issuerUrl: string): string {
	return issuerUrl.replace(/^[a-z][a-z0-9+.-]*:\/\//i, "");
}

/** A development issuer with its own key pair, for one server. */
export class DevIssuer {
	readonly #key: RsaKey;
	readonly #clock: Clock;
	readonly #url: () => string;

	private constructor(key: RsaKey, clock: Clock, url: () => string) {
		this.#key = key;
		this.#clock = clock;
		this.#url = url;
	}

	/**
	 * A development issuer at `url()` (known once the server listens) with a new key pair,
	 * generated on the libuv thread pool.
	 */
	static async create(clock: Clock, url: () => string): Promise<DevIssuer> {
		return new DevIssuer(await generateRsaKey(), clock, url);
	}

	/** Its URL (the `iss` of its tokens). */
	get url(): string {
		return this.#url();
	}

	/** Its OpenID discovery document. */
	discovery() {
		const issuer = this.#url();
		return {
			issuer,
			jwks_uri: `${issuer}/.well-known/jwks.json`,
			response_types_supported: ["id_token"],
			subject_types_supported: ["public"],
			id_token_signing_alg_values_supported: [DEV_SIGNING_ALG],
			claims_supported: ["iss", "sub", "aud", "iat", "exp"],
		};
	}

	/** Its JWKS: the public half of its one key. */
	jwks() {
		return {
			keys: [
				{
					...this.#key.publicJwk,
					kid: this.#key.kid,
					alg: DEV_SIGNING_ALG,
					use: "sig",
				},
			],
		};
	}

	/**
	 * Mints the token `body` asks for (see {@link parseDevTokenRequest}): the request's
	 * claims, then `iss`, `sub`, `aud`, `iat` and `exp`.
	 * @throws SerializationException, ValidationException
	 */
	async mint(body: Buffer): Promise<DevTokenAnswer> {
		const request = parseDevTokenRequest(body);
		const now = Math.floor(this.#clock.now() / 1000);
		const idToken = await new SignJWT(request.claims as JWTPayload)
			.setProtectedHeader({
				alg: DEV_SIGNING_ALG,
				kid: this.#key.kid,
				typ: "JWT",
			})
			.setIssuer(this.#url())
			.setSubject(request.sub)
			.setAudience(request.aud)
			.setIssuedAt(now)
			.setExpirationTime(now + request.expiresIn)
			.sign(this.#key.privateKey);
		return {
			id_token: idToken,
			token_type: "Bearer",
			expires_in: request.expiresIn,
		};
	}
}
