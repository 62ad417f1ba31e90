/**
 * @module federation/kinds/user-pool
 * Cognito user pools of the pool's `CognitoIdentityProviders`: an ID token (`token_use`
 * `id`) issued by `https://<key>` to one of the app clients the pool lists, with the keys of
 * the user pool's public JWKS unless the configuration gives others.
 */
import type { LoginClassOf } from "../classify.ts";
import { requireAudiences } from "../jwt.ts";
import {
	COULD_NOT_VERIFY,
	NOT_ID_TOKEN,
	NOT_SUPPORTED_PROVIDER,
	notAuthorized,
} from "../messages.ts";
import { USER_POOL_KEY } from "../providers.ts";
import { verifyIdToken } from "./id-token.ts";
import type { LoginKindVerifier } from "./kind.ts";

export const userPools: LoginKindVerifier<LoginClassOf<"userPool">> = {
	verify: (_pool, key, token, cls, ctx) =>
		verifyIdToken(
			key,
			token,
			{
				issuers: [`https://${key}`],
				checkAudience(claims) {
					const aud = requireAudiences(claims);
					if (claims.token_use !== "id") throw notAuthorized(NOT_ID_TOKEN);
					// Observed: a client id the pool does not list reads as "not a provider".
					if (!aud.some((a) => cls.clientIds.includes(a))) {
						throw notAuthorized(NOT_SUPPORTED_PROVIDER);
					}
				},
				publicJwksUrl() {
					// The public URL only for a real user-pool name: a ProviderName is the
					// pool owner's input and must not point this server at other hosts.
					if (!USER_POOL_KEY.test(key)) throw notAuthorized(COULD_NOT_VERIFY);
					return `https://${key}/.well-known/jwks.json`;
				},
				qualified: (subject) => `${key}:CognitoSignIn:${subject}`,
			},
			ctx,
		),
};
