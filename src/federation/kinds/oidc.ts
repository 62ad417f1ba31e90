/**
 * @module federation/kinds/oidc
 * OpenID Connect providers of the pool's `OpenIdConnectProviderARNs`, keyed by the ARN's part
 * after `oidc-provider/`: an ID token issued by `https://<key>` (docs/behaviour.md#federation) to one of the
 * client ids the configuration lists for the provider (as IAM's OIDC provider holds them on
 * AWS; none listed accepts nothing), with the keys the issuer's discovery document names
 * unless the configuration gives others.
 */
import type { LoginClassOf } from "../classify.ts";
import { requireAudiences } from "../jwt.ts";
import {
	COULD_NOT_VERIFY,
	INCORRECT_AUDIENCE,
	noClientIds,
	notAuthorized,
} from "../messages.ts";
import { issuersOfKey } from "../providers.ts";
import { verifyIdToken } from "./id-token.ts";
import type { KindContext, LoginKindVerifier } from "./kind.ts";

const clientIdsOf = (key: string, ctx: KindContext): readonly string[] =>
	ctx.settingsOf(key)?.clientIds ?? [];

export const openIdConnect: LoginKindVerifier<LoginClassOf<"oidc">> = {
	refusal: (_cls, key, ctx) =>
		clientIdsOf(key, ctx).length === 0
			? notAuthorized(noClientIds(key))
			: undefined,

	verify(_pool, key, token, cls, ctx) {
		const clientIds = clientIdsOf(key, ctx);
		return verifyIdToken(
			key,
			token,
			{
				issuers: issuersOfKey(key),
				checkAudience(claims) {
					// docs/behaviour.md#federation: `azp` when present, else `aud`.
					const audience =
						typeof claims.azp === "string"
							? [claims.azp]
							: requireAudiences(claims);
					if (!audience.some((a) => clientIds.includes(a))) {
						throw notAuthorized(INCORRECT_AUDIENCE);
					}
				},
				publicJwksUrl(iss) {
					if (!isPlainIssuerKey(key)) throw notAuthorized(COULD_NOT_VERIFY);
					return ctx.keys.discoverJwksUri(iss, ctx.kind);
				},
				qualified: (subject) => `${cls.arn}:OIDC:${subject}`,
			},
			ctx,
		);
	},
};

/**
 * Whether an OIDC key is a host (with an optional port) and path, so that
 * `https://<key>/.well-known/openid-configuration` can only name that host: no user info,
 * query or fragment smuggled in through the pool's provider ARN. The one IPv6 literal
 * accepted is the loopback `[::1]`, which `issuersOfKey` (providers.ts) knows too (a local provider, or
 * the development issuer of a server listening on `::1`).
 */
export function isPlainIssuerKey(key: string): boolean {
	return /^([A-Za-z0-9.-]+|\[::1\])(:\d{1,5})?(\/[A-Za-z0-9._~%!$&'()*+,;=:@/-]*)?$/.test(
		key,
	);
}
