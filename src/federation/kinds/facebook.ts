/**
 * @module federation/kinds/facebook
 * Facebook: an opaque access token, checked through the Graph API. The token must belong to
 * the app the pool holds (`GET /app`) and names a user (`GET /me?fields=id`). Both are asked
 * at once; the app's verdict is read first.
 */
import type { LoginClassOf } from "../classify.ts";
import { getJson, isObject, type JsonAnswer } from "../http.ts";
import {
	invalidProviderToken,
	NOT_SUPPORTED_PROVIDER,
	notAuthorized,
} from "../messages.ts";
import { opaqueVerifier, unexpected, withQuery } from "./opaque.ts";

/** The real endpoint (docs/behaviour.md#federation). */
const FACEBOOK_GRAPH_URL = "https://graph.facebook.com";

export const facebook = opaqueVerifier<LoginClassOf<"facebook">>({
	defaultUrl: FACEBOOK_GRAPH_URL,
	appIdOf: (cls) => cls.appId,
	async ask(token, { appId }, baseUrl, ctx) {
		const base = baseUrl.replace(/\/+$/, "");
		const ask = (path: string, params: Record<string, string>) =>
			getJson(
				withQuery(`${base}${path}`, { ...params, access_token: token }),
				ctx.http,
			);
		const [app, me] = await Promise.allSettled([
			ask("/app", {}),
			ask("/me", { fields: "id" }),
		]);
		const appAnswer = settled(app);
		if (appAnswer.status >= 400)
			throw notAuthorized(invalidProviderToken("Facebook"));
		const appBody = appAnswer.body;
		if (!isObject(appBody) || typeof appBody.id !== "string") {
			throw unexpected("Graph API /app");
		}
		if (appBody.id !== appId) throw notAuthorized(NOT_SUPPORTED_PROVIDER);
		const meAnswer = settled(me);
		if (meAnswer.status >= 400)
			throw notAuthorized(invalidProviderToken("Facebook"));
		const meBody = meAnswer.body;
		if (
			!isObject(meBody) ||
			typeof meBody.id !== "string" ||
			meBody.id === ""
		) {
			throw unexpected("Graph API /me");
		}
		return {
			userId: meBody.id,
			claims: { sub: meBody.id, aud: appId, id: meBody.id, app_id: appId },
		};
	},
});

function settled(result: PromiseSettledResult<JsonAnswer>): JsonAnswer {
	if (result.status === "rejected") throw result.reason;
	return result.value;
}
