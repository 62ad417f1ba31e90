/**
 * @module federation/classify
 * Which kind of provider one `Logins` key names for a given pool (docs/behaviour.md#federation and docs/behaviour.md#issuer):
 * this server's own issuer, a Cognito user pool of `CognitoIdentityProviders`, an OpenID
 * Connect provider of `OpenIdConnectProviderARNs` (keyed by the ARN's part after
 * `oidc-provider/`), a public provider of `SupportedLoginProviders`, a SAML provider, or none
 * of the pool's. Pure: it reads the pool's settings and nothing else, so every branch is
 * tested without a network.
 */
import { oidcKeyOfArn } from "../domain/logins.ts";
import type { PoolRecord } from "../domain/records.ts";

const GOOGLE = "accounts.google.com";
const APPLE = "appleid.apple.com";
const FACEBOOK = "graph.facebook.com";
const AMAZON = "www.amazon.com";
const TWITTER = "api.twitter.com";
/** The key under which clients pass Cognito Identity tokens on AWS. */
const COGNITO_IDENTITY = "cognito-identity.amazonaws.com";

/** What a `Logins` key is, for one pool. */
export type LoginClass =
	/** This server's own token (docs/behaviour.md#issuer). */
	| { kind: "own" }
	/** A Cognito user pool; `clientIds` are the ClientIds configured for it (maybe none). */
	| { kind: "userPool"; clientIds: string[] }
	/** An OpenID Connect provider, with the ARN the pool names it by. */
	| { kind: "oidc"; arn: string }
	/** Google or Apple: an ID token whose `aud` must be `appId`. */
	| { kind: "google"; appId: string }
	| { kind: "apple"; appId: string }
	/** Facebook or Login with Amazon: an opaque access token of the app `appId`. */
	| { kind: "facebook"; appId: string }
	| { kind: "amazon"; appId: string }
	/** Twitter: a `token;secret` pair checked with the app's consumer key and secret. */
	| { kind: "twitter"; consumerKey: string; consumerSecret: string | undefined }
	/** A `SupportedLoginProviders` entry idpool has no verifier for (e.g. `www.digits.com`). */
	| { kind: "unsupportedSocial" }
	| { kind: "saml"; arn: string }
	/** Not a provider of this pool (including its developer provider name). */
	| { kind: "unknown" };

/** The kinds of `Logins` keys. */
export type LoginKind = LoginClass["kind"];

/** The class of one kind. */
export type LoginClassOf<K extends LoginKind> = Extract<
	LoginClass,
	{ kind: K }
>;

/**
 * The keys under which this server's own tokens are passed: `cognito-identity.amazonaws.com`
 * (so unchanged application code works) and the issuer without its scheme.
 */
export function ownLoginKeys(issuer: string): Set<string> {
	const bare = issuer
		.replace(/^[a-z][a-z0-9+.-]*:\/\//i, "")
		.replace(/\/+$/, "");
	return new Set([COGNITO_IDENTITY, bare]);
}

/**
 * Classifies `key` against `pool`. Own keys come first: docs/behaviour.md#issuer reserves them, so a pool
 * that also lists `cognito-identity.amazonaws.com` as an OIDC provider cannot shadow the
 * developer flow.
 */
export function classifyLogin(
	pool: PoolRecord,
	key: string,
	ownKeys: ReadonlySet<string>,
): LoginClass {
	if (ownKeys.has(key)) return { kind: "own" };
	const s = pool.settings;
	const userPools = (s.CognitoIdentityProviders ?? []).filter(
		(p) => p.ProviderName === key,
	);
	if (userPools.length > 0) {
		return {
			kind: "userPool",
			clientIds: userPools
				.map((p) => p.ClientId)
				.filter((id): id is string => id !== undefined && id !== ""),
		};
	}
	for (const arn of s.OpenIdConnectProviderARNs ?? []) {
		if (oidcKeyOfArn(arn) === key) return { kind: "oidc", arn };
	}
	const social = s.SupportedLoginProviders ?? {};
	// Own properties only: a key such as `constructor` must not find Object.prototype's.
	if (Object.hasOwn(social, key)) {
		const appId = social[key] ?? "";
		switch (key) {
			case GOOGLE:
				return { kind: "google", appId };
			case APPLE:
				return { kind: "apple", appId };
			case FACEBOOK:
				return { kind: "facebook", appId };
			case AMAZON:
				return { kind: "amazon", appId };
			case TWITTER: {
				const i = appId.indexOf(";");
				return i < 0
					? { kind: "twitter", consumerKey: appId, consumerSecret: undefined }
					: {
							kind: "twitter",
							consumerKey: appId.slice(0, i),
							consumerSecret: appId.slice(i + 1),
						};
			}
			default:
				return { kind: "unsupportedSocial" };
		}
	}
	if ((s.SamlProviderARNs ?? []).includes(key))
		return { kind: "saml", arn: key };
	return { kind: "unknown" };
}
