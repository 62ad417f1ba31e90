/**
 * @module federation/opaque
 * The providers whose tokens are opaque and can only be checked by asking the provider, each
 * through its own API in its own request and answer format: Facebook's Graph API (`/app` for
 * the app the token belongs to, `/me` for the user), Login with Amazon's `tokeninfo`, and
 * Twitter's `account/verify_credentials` signed with OAuth 1.0a. A configured `verifyUrl`
 * replaces only the base URL, so a test double or a local stand-in speaks the real format.
 * A 4xx answer is the provider's verdict on the token (NotAuthorizedException); no answer, a
 * 5xx, or an answer not in the API's format is ExternalServiceException.
 */
import { randomBytes } from "node:crypto";
import type { Clock } from "../lib/clock.ts";
import {
	type FetchLike,
	getJson,
	isObject,
	type JsonAnswer,
	ProviderUnreachable,
} from "./http.ts";
import {
	invalidProviderToken,
	NOT_SUPPORTED_PROVIDER,
	notAuthorized,
} from "./messages.ts";
import { oauth1Authorization } from "./oauth1.ts";

/** The real endpoints (reference §5). */
export const FACEBOOK_GRAPH_URL = "https://graph.facebook.com";
export const AMAZON_TOKENINFO_URL = "https://api.amazon.com/auth/o2/tokeninfo";
export const TWITTER_VERIFY_URL =
	"https://api.twitter.com/1.1/account/verify_credentials.json";

/** What a provider says about a valid token. */
export interface OpaqueResult {
	/** The provider's user id. */
	userId: string;
	/** The answer, as the claims of the login (role mappings, principal tags). */
	claims: Record<string, unknown>;
}

export interface OpaqueContext {
	fetch: FetchLike;
	timeoutMs: number;
	clock: Clock;
}

function withQuery(base: string, params: Record<string, string>): string {
	const query = new URLSearchParams(params).toString();
	return `${base}${base.includes("?") ? "&" : "?"}${query}`;
}

function unexpected(what: string): ProviderUnreachable {
	return new ProviderUnreachable(
		`its ${what} answer is not in the expected format`,
	);
}

/**
 * Facebook: the token must belong to the app `appId` (`GET /app`) and names a user
 * (`GET /me?fields=id`). Both are asked at once; the app's verdict is read first.
 */
export async function verifyFacebook(
	token: string,
	appId: string,
	baseUrl: string,
	ctx: OpaqueContext,
): Promise<OpaqueResult> {
	const base = baseUrl.replace(/\/+$/, "");
	const ask = (path: string, params: Record<string, string>) =>
		getJson(
			withQuery(`${base}${path}`, { ...params, access_token: token }),
			ctx,
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
	if (!isObject(meBody) || typeof meBody.id !== "string" || meBody.id === "") {
		throw unexpected("Graph API /me");
	}
	return {
		userId: meBody.id,
		claims: { sub: meBody.id, aud: appId, id: meBody.id, app_id: appId },
	};
}

/**
 * Login with Amazon: `tokeninfo` names the client the token was issued to (`aud`) and the
 * app (`app_id`). The pool's value may be either: AWS's console asks for the app id, while
 * the client id is what `aud` carries.
 */
export async function verifyAmazon(
	token: string,
	appId: string,
	tokeninfoUrl: string,
	ctx: OpaqueContext,
): Promise<OpaqueResult> {
	const answer = await getJson(
		withQuery(tokeninfoUrl, { access_token: token }),
		ctx,
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
}

/**
 * Twitter: the login value is `token;secret`; `verify_credentials` answers the user when the
 * request is signed with the app's consumer key and secret and that token pair.
 */
export async function verifyTwitter(
	value: string,
	consumerKey: string,
	consumerSecret: string,
	verifyUrl: string,
	ctx: OpaqueContext,
): Promise<OpaqueResult> {
	const i = value.indexOf(";");
	const token = i > 0 ? value.slice(0, i) : "";
	const tokenSecret = i > 0 ? value.slice(i + 1) : "";
	if (token === "" || tokenSecret === "") {
		throw notAuthorized(invalidProviderToken("Twitter"));
	}
	const authorization = oauth1Authorization({
		method: "GET",
		url: verifyUrl,
		consumerKey,
		consumerSecret,
		token,
		tokenSecret,
		timestamp: Math.floor(ctx.clock.now() / 1000),
		nonce: randomBytes(16).toString("hex"),
	});
	const answer = await getJson(verifyUrl, {
		...ctx,
		headers: { authorization },
	});
	if (answer.status >= 400)
		throw notAuthorized(invalidProviderToken("Twitter"));
	const body = answer.body;
	const id =
		isObject(body) && typeof body.id_str === "string"
			? body.id_str
			: isObject(body) && typeof body.id === "number"
				? String(body.id)
				: undefined;
	if (id === undefined || id === "" || !isObject(body)) {
		throw unexpected("verify_credentials");
	}
	return {
		userId: id,
		claims: {
			sub: id,
			aud: consumerKey,
			id_str: id,
			...(typeof body.screen_name === "string"
				? { screen_name: body.screen_name }
				: {}),
		},
	};
}

function settled(result: PromiseSettledResult<JsonAnswer>): JsonAnswer {
	if (result.status === "rejected") throw result.reason;
	return result.value;
}
