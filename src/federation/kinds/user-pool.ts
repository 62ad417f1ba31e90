/**
 * @module federation/kinds/user-pool
 * Cognito user pools of the pool's `CognitoIdentityProviders`: an ID token (`token_use`
 * `id`) issued by `https://<key>` (or `http://<key>` on loopback) to one of the app clients
 * the pool lists, with the keys the configuration gives, else those of the user pool's
 * public JWKS. A name that is not AWS's (`localhost:9229/<id>`, a local user-pool
 * emulator's) is verified only when the configuration has an entry for it or for its
 * emulator (`localhost:9229/*`): a ProviderName is the pool owner's input, and only the
 * operator may point this server at a host (docs/federation.md#a-local-user-pool-emulator).
 */
import type { LoginClassOf } from "../classify.ts";
import { requireAudiences } from "../jwt.ts";
import {
	NOT_ID_TOKEN,
	NOT_SUPPORTED_PROVIDER,
	notAuthorized,
	noUserPoolKeys,
} from "../messages.ts";
import { issuersOfKey, USER_POOL_KEY } from "../providers.ts";
import { verifyIdToken } from "./id-token.ts";
import type { LoginKindVerifier } from "./kind.ts";

export const userPools: LoginKindVerifier<LoginClassOf<"userPool">> = {
	refusal: (_cls, key, ctx) =>
		USER_POOL_KEY.test(key) || ctx.userPoolSettingsOf(key) !== undefined
			? undefined
			: notAuthorized(noUserPoolKeys(key)),

	verify(_pool, key, token, cls, ctx) {
		const settings = ctx.userPoolSettingsOf(key);
		return verifyIdToken(
			key,
			token,
			{
				issuers: issuersOfKey(key),
				settings,
				checkAudience(claims) {
					const aud = requireAudiences(claims);
					if (claims.token_use !== "id") throw notAuthorized(NOT_ID_TOKEN);
					// Observed: a client id the pool does not list reads as "not a provider".
					if (!aud.some((a) => cls.clientIds.includes(a))) {
						throw notAuthorized(NOT_SUPPORTED_PROVIDER);
					}
				},
				publicJwksUrl(iss) {
					// A real user pool's keys are at its issuer, as are those of a pool the
					// configuration names without saying where its keys are (the refusal above
					// keeps every other name from getting here).
					if (!USER_POOL_KEY.test(key) && settings === undefined) {
						throw notAuthorized(noUserPoolKeys(key));
					}
					return `${iss}/.well-known/jwks.json`;
				},
				qualified: (subject) => `${key}:CognitoSignIn:${subject}`,
			},
			ctx,
		);
	},
};
