/**
 * @module federation/kinds/twitter
 * Twitter: the login value is `token;secret`, and `account/verify_credentials` answers the
 * user when the request is signed with OAuth 1.0a (`oauth1.ts`) with the app's consumer key
 * and secret (the pool's `consumerKey;consumerSecret`) and that token pair. A pool without
 * the consumer secret accepts nothing, which is said before any token is looked at.
 */
import { randomBytes } from "node:crypto";
import type { LoginClassOf } from "../classify.ts";
import { getJson, isObject } from "../http.ts";
import {
	invalidProviderToken,
	notAuthorized,
	TWITTER_MISCONFIGURED,
} from "../messages.ts";
import { oauth1Authorization } from "../oauth1.ts";
import type { LoginKindVerifier } from "./kind.ts";
import { opaqueVerifier, unexpected } from "./opaque.ts";

/** The real endpoint (docs/behaviour.md#federation). */
const TWITTER_VERIFY_URL =
	"https://api.twitter.com/1.1/account/verify_credentials.json";

type TwitterClass = LoginClassOf<"twitter">;

export const twitter: LoginKindVerifier<TwitterClass> = {
	refusal: (cls) =>
		cls.consumerSecret === undefined || cls.consumerKey === ""
			? notAuthorized(TWITTER_MISCONFIGURED)
			: undefined,

	...opaqueVerifier<TwitterClass>({
		defaultUrl: TWITTER_VERIFY_URL,
		appIdOf: (cls) => cls.consumerKey,
		async ask(value, { consumerKey, consumerSecret }, verifyUrl, ctx) {
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
				consumerSecret: consumerSecret ?? "",
				token,
				tokenSecret,
				timestamp: Math.floor(ctx.clock.now() / 1000),
				nonce: randomBytes(16).toString("hex"),
			});
			const answer = await getJson(verifyUrl, {
				...ctx.http,
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
		},
	}),
};
