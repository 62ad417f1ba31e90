/**
 * @module federation/kinds/id-token
 * The steps every external ID token goes through (user pools, OpenID Connect, Google, Apple):
 * decode, issuer, times, audience and subject, then the signature with the issuer's keys. The
 * claims come first so that a token that is plainly wrong costs no fetch. The keys are those
 * of the operator's configuration (inline, or a `jwksUri`) when there are any, else the
 * provider's public ones, which each kind locates in its own way. Each kind supplies only its
 * rules ({@link IdTokenRules}).
 */
import type { JWTPayload } from "jose";
import {
	checkTimes,
	decodeToken,
	EXTERNAL_ALGORITHMS,
	requireSubject,
	verifySignature,
} from "../jwt.ts";
import type { KeyGetter } from "../key-sources.ts";
import { ISSUER_MISMATCH, notAuthorized } from "../messages.ts";
import type { ProviderSettings } from "../providers.ts";
import type { VerifiedLogin } from "../verifier.ts";
import { askingProvider, externalLogin, type KindContext } from "./kind.ts";

/** What distinguishes the ID tokens of one kind. */
export interface IdTokenRules {
	/** The `iss` values the key stands for. */
	issuers: readonly string[];
	/**
	 * The operator's settings of the issuer, when the kind finds them its own way (user pools
	 * also look at their emulator's entry); else those of the key.
	 */
	settings?: ProviderSettings | undefined;
	/**
	 * Checks that the token was issued to the pool's app.
	 * @throws NotAuthorizedException
	 */
	checkAudience(claims: JWTPayload): void;
	/**
	 * The URL of the provider's public keys, for when the configuration gives none (may
	 * throw NotAuthorizedException where there is no public URL to use, or look the URL up).
	 */
	publicJwksUrl(iss: string): Promise<string> | string;
	/** The second `amr` entry of the login of `subject` (after the key). */
	qualified(subject: string): string;
}

/**
 * Verifies an ID token given under `key` by `rules`.
 * @throws NotAuthorizedException, ExternalServiceException
 */
export async function verifyIdToken(
	key: string,
	token: string,
	rules: IdTokenRules,
	ctx: KindContext,
): Promise<VerifiedLogin> {
	const { claims } = decodeToken(token);
	const iss = claims.iss;
	if (typeof iss !== "string" || !rules.issuers.includes(iss)) {
		throw notAuthorized(ISSUER_MISMATCH);
	}
	checkTimes(claims, ctx.clock.now(), ctx.clockSkewSeconds);
	rules.checkAudience(claims);
	const subject = requireSubject(claims);
	const getKey = await askingProvider(key, keysOf(key, iss, rules, ctx));
	await verifySignature(token, getKey, EXTERNAL_ALGORITHMS, key);
	return externalLogin(key, subject, { ...claims }, rules.qualified(subject));
}

/** The keys of an issuer: inline, a configured URL, else the kind's public URL. */
async function keysOf(
	key: string,
	iss: string,
	rules: IdTokenRules,
	ctx: KindContext,
): Promise<KeyGetter> {
	const settings = "settings" in rules ? rules.settings : ctx.settingsOf(key);
	if (settings?.jwks) return ctx.keys.inline(settings.jwks);
	return ctx.keys.remote(
		settings?.jwksUri ?? (await rules.publicJwksUrl(iss)),
		ctx.kind,
	);
}
