/**
 * @module federation/kinds/table
 * Which verifier serves which kind of `Logins` key: {@link LOGIN_KINDS}, one entry per kind
 * `classify.ts` can answer, so a new kind does not compile until it is given a verifier or a
 * refusal. Kinds idpool cannot verify (not a provider of the pool, SAML, a public provider it
 * has no verifier for) are refused outright.
 */
import type { LoginClass, LoginClassOf, LoginKind } from "../classify.ts";
import {
	NOT_SUPPORTED_PROVIDER,
	notAuthorized,
	SAML_NOT_SUPPORTED,
	unsupportedSocialProvider,
} from "../messages.ts";
import { loginWithAmazon } from "./amazon.ts";
import { facebook } from "./facebook.ts";
import { apple, google } from "./google-apple.ts";
import type { LoginKindVerifier } from "./kind.ts";
import { openIdConnect } from "./oidc.ts";
import { ownTokens } from "./own.ts";
import { twitter } from "./twitter.ts";
import { userPools } from "./user-pool.ts";

/**
 * A kind whose every entry is refused (NotAuthorizedException with the message `message`
 * makes of the key); it never reaches verification.
 */
function refused(
	message: (key: string) => string,
): LoginKindVerifier<LoginClass> {
	return {
		refusal: (_cls, key) => notAuthorized(message(key)),
		verify: async (_pool, key) => {
			throw notAuthorized(message(key));
		},
	};
}

/** The verifier of each kind. */
const LOGIN_KINDS: {
	readonly [K in LoginKind]: LoginKindVerifier<LoginClassOf<K>>;
} = {
	own: ownTokens,
	userPool: userPools,
	oidc: openIdConnect,
	google,
	apple,
	facebook,
	amazon: loginWithAmazon,
	twitter,
	unsupportedSocial: refused(unsupportedSocialProvider),
	saml: refused(() => SAML_NOT_SUPPORTED),
	unknown: refused(() => NOT_SUPPORTED_PROVIDER),
};

/** The verifier of `cls`'s kind. */
export function verifierOf(cls: LoginClass): LoginKindVerifier<LoginClass> {
	// The table is keyed by kind, so the verifier found always takes this class.
	return LOGIN_KINDS[cls.kind];
}
