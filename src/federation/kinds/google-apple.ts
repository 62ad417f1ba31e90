/**
 * @module federation/kinds/google-apple
 * Google and Apple, `SupportedLoginProviders` whose tokens are ID tokens: issued by the
 * provider, to the app id the pool holds for it (`aud`), signed with the provider's published
 * keys unless the configuration gives others. The two differ only in data (their issuers and
 * key URLs, docs/behaviour.md#federation), so one verifier serves both, parameterised by {@link ID_TOKEN_PROVIDERS}.
 */
import type { LoginClassOf } from "../classify.ts";
import { requireAudiences } from "../jwt.ts";
import { INCORRECT_AUDIENCE, notAuthorized } from "../messages.ts";
import { verifyIdToken } from "./id-token.ts";
import type { LoginKindVerifier } from "./kind.ts";

/** Google's and Apple's published keys (docs/behaviour.md#federation). */
const GOOGLE_JWKS_URL = "https://www.googleapis.com/oauth2/v3/certs";
const APPLE_JWKS_URL = "https://appleid.apple.com/auth/keys";

type Kind = "google" | "apple";

/** Each provider's issuers and public keys. */
const ID_TOKEN_PROVIDERS: Record<
	Kind,
	{ issuers: readonly string[]; jwksUrl: string }
> = {
	/** Google issues both forms. */
	google: {
		issuers: ["https://accounts.google.com", "accounts.google.com"],
		jwksUrl: GOOGLE_JWKS_URL,
	},
	apple: { issuers: ["https://appleid.apple.com"], jwksUrl: APPLE_JWKS_URL },
};

/** The verifier of Google's or Apple's ID tokens. */
function appIdToken(kind: Kind): LoginKindVerifier<LoginClassOf<Kind>> {
	const { issuers, jwksUrl } = ID_TOKEN_PROVIDERS[kind];
	return {
		verify: (_pool, key, token, cls, ctx) =>
			verifyIdToken(
				key,
				token,
				{
					issuers,
					checkAudience(claims) {
						if (!requireAudiences(claims).includes(cls.appId)) {
							throw notAuthorized(INCORRECT_AUDIENCE);
						}
					},
					publicJwksUrl: () => jwksUrl,
					qualified: (subject) => `${key}:${cls.appId}:${subject}`,
				},
				ctx,
			),
	};
}

export const google = appIdToken("google");
export const apple = appIdToken("apple");
