/**
 * @module federation/kinds/amazon
 * Login with Amazon: an opaque access token, checked through `tokeninfo`, which names the
 * client the token was issued to (`aud`) and the app (`app_id`). The pool's value may be
 * either: AWS's console asks for the app id, while the client id is what `aud` carries.
 */
import type { LoginClassOf } from "../classify.ts";
import { getJson, isObject } from "../http.ts";
import {
	invalidProviderToken,
	NOT_SUPPORTED_PROVIDER,
	notAuthorized,
} from "../messages.ts";
import { opaqueVerifier, unexpected, withQuery } from "./opaque.ts";

/** The real endpoint (docs/behaviour.md#federation). */
const AMAZON_TOKENINFO_URL = "https://api.amazon.com/auth/o2/tokeninfo";

export const loginWithAmazon = opaqueVerifier<LoginClassOf<"amazon">>({
	defaultUrl: AMAZON_TOKENINFO_URL,
	appIdOf: (cls) => cls.appId,
	async ask(token, { appId }, tokeninfoUrl, ctx) {
		const answer = await getJson(
			withQuery(tokeninfoUrl, { access_token: token }),
			ctx.http,
		);
		if (answer.status >= 400) {
			throw notAuthorized(invalidProviderToken("Login with Amazon"));
		}
		const body = answer.body;
		if (
			!isObject(body) ||
			typeof body.aud !== "string" ||
			typeof body.user_id !== "string" ||
			body.user_id === ""
		) {
			throw unexpected("tokeninfo");
		}
		if (body.aud !== appId && body.app_id !== appId) {
			throw notAuthorized(NOT_SUPPORTED_PROVIDER);
		}
		return { userId: body.user_id, claims: { ...body } };
	},
});
