/**
 * @module federation/kinds/opaque
 * What the providers whose tokens are opaque share (Facebook, Login with Amazon, Twitter):
 * such a token can only be checked by asking the provider, each through its own API in its
 * own request and answer format. A configured `verifyUrl` replaces only the base URL, so a
 * test double or a local stand-in speaks the real format. A 4xx answer is the provider's
 * verdict on the token (NotAuthorizedException); no answer, a 5xx, or an answer not in the
 * API's format is ExternalServiceException. {@link opaqueVerifier} makes the verifier of one
 * such provider from what is its own: its endpoint, its app id and how to ask it.
 */
import type { LoginClass } from "../classify.ts";
import { ProviderUnreachable } from "../http.ts";
import {
	askingProvider,
	externalLogin,
	type KindContext,
	type LoginKindVerifier,
} from "./kind.ts";

/** What a provider says about a valid token. */
export interface OpaqueResult {
	/** The provider's user id. */
	userId: string;
	/** The answer, as the claims of the login (role mappings, principal tags). */
	claims: Record<string, unknown>;
}

/** What is particular to one provider of opaque tokens. */
export interface OpaqueProvider<C extends LoginClass> {
	/** The real endpoint (docs/behaviour.md#federation), replaced by a configured `verifyUrl`. */
	defaultUrl: string;
	/** The app the pool holds for the provider, which qualifies the login's `amr`. */
	appIdOf(cls: C): string;
	/**
	 * Asks the provider at `url` about `token`.
	 * @throws NotAuthorizedException for the provider's verdict; ProviderUnreachable
	 */
	ask(
		token: string,
		cls: C,
		url: string,
		ctx: KindContext,
	): Promise<OpaqueResult>;
}

/** The verifier of the provider described by `provider`. */
export function opaqueVerifier<C extends LoginClass>(
	provider: OpaqueProvider<C>,
): LoginKindVerifier<C> {
	return {
		async verify(_pool, key, token, cls, ctx) {
			const url = ctx.settingsOf(key)?.verifyUrl ?? provider.defaultUrl;
			const { userId, claims } = await askingProvider(
				key,
				provider.ask(token, cls, url, ctx),
			);
			return externalLogin(
				key,
				userId,
				claims,
				`${key}:${provider.appIdOf(cls)}:${userId}`,
			);
		},
	};
}

/** `base` with `params` added to its query. */
export function withQuery(
	base: string,
	params: Record<string, string>,
): string {
	const query = new URLSearchParams(params).toString();
	return `${base}${base.includes("?") ? "&" : "?"}${query}`;
}

/** An answer of the provider's API that is not in its format. */
export function unexpected(what: string): ProviderUnreachable {
	return new ProviderUnreachable(
		`its ${what} answer is not in the expected format`,
	);
}
