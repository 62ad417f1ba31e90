/**
 * @module federation/kinds/own
 * This server's own tokens (docs/behaviour.md#issuer), under `cognito-identity.amazonaws.com` or the
 * issuer's host: accepted only where the caller allows them (GetCredentialsForIdentity), and
 * only when they are this server's, for this pool, of an authenticated identity and signed
 * with this server's keys. The login proves the identity its `sub` names.
 */
import { TOKEN_ALGORITHMS } from "../../domain/records.ts";
import type { LoginClassOf } from "../classify.ts";
import {
	checkTimes,
	decodeToken,
	requireAudiences,
	requireSubject,
	verifySignature,
} from "../jwt.ts";
import {
	CANT_PASS_COGNITO_TOKEN,
	GUEST_TOKEN,
	INCORRECT_AUDIENCE,
	ISSUER_MISMATCH,
	NOT_A_COGNITO_TOKEN,
	notAuthorized,
} from "../messages.ts";
import type { LoginKindVerifier } from "./kind.ts";

/** This server's tokens are signed with RS512 or ES256 (`--token-algorithm`). */
const OWN_ALGORITHMS = [...TOKEN_ALGORITHMS];

export const ownTokens: LoginKindVerifier<LoginClassOf<"own">> = {
	refusal: (_cls, _key, _ctx, options) =>
		options.allowCognitoTokens
			? undefined
			: notAuthorized(CANT_PASS_COGNITO_TOKEN),

	async verify(pool, key, token, _cls, ctx) {
		const { claims } = decodeToken(token);
		if (claims.iss !== ctx.issuer()) {
			// Another Cognito Identity issuer (a regional one, AWS's own) is the observed
			// mismatch case; anything else is not a Cognito token at all.
			throw notAuthorized(
				typeof claims.iss === "string" &&
					/^https:\/\/cognito-identity\./.test(claims.iss)
					? ISSUER_MISMATCH
					: NOT_A_COGNITO_TOKEN,
			);
		}
		checkTimes(claims, ctx.clock.now(), ctx.clockSkewSeconds);
		if (!requireAudiences(claims).includes(pool.poolId)) {
			throw notAuthorized(INCORRECT_AUDIENCE);
		}
		const subject = requireSubject(claims);
		const amr = Array.isArray(claims.amr) ? claims.amr : [];
		if (amr[0] !== "authenticated") {
			throw notAuthorized(GUEST_TOKEN);
		}
		const getKey = ctx.keys.own(await ctx.ownJwks());
		await verifySignature(token, getKey, OWN_ALGORITHMS, key);
		return {
			provider: key,
			kind: "cognito",
			subject,
			claims: { ...claims },
			amr: amr.slice(1).filter((a): a is string => typeof a === "string"),
		};
	},
};
