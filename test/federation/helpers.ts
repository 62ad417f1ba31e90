/**
 * Shared set-up of the federation tests: a pool record with the providers a test needs, a
 * verifier pointed at the doubles of test/support/fake-idp.ts, this server's own key ring and
 * token issuer (in memory), and an assertion for the AWS error a call must answer.
 */
import assert from "node:assert/strict";
import type { PoolRecord, PoolSettings } from "../../src/domain/records.ts";
import { createLoginVerifier } from "../../src/federation/login-verifier.ts";
import type { ProviderSettings } from "../../src/federation/providers.ts";
import type { LoginVerifier } from "../../src/federation/verifier.ts";
import { type Clock, FakeClock } from "../../src/lib/clock.ts";
import type { FetchLike } from "../../src/lib/outbound-http.ts";
import { KeyRing } from "../../src/tokens/key-ring.ts";
import { TokenIssuer } from "../../src/tokens/tokens.ts";
import { MemorySigningKeys } from "../support/memory-keys.ts";

export const ISSUER = "http://127.0.0.1:8700";
export const POOL_ID = "us-east-1:11111111-2222-3333-4444-555555555555";
export const ACCOUNT = "123456789012";

export function poolWith(settings: Partial<PoolSettings>): PoolRecord {
	return {
		accountId: "000000000000",
		region: "us-east-1",
		poolId: POOL_ID,
		settings: {
			IdentityPoolName: "federation",
			AllowUnauthenticatedIdentities: false,
			...settings,
		},
		roles: {},
		tags: {},
		createdAt: 0,
		updatedAt: 0,
	};
}

export interface Harness {
	verifier: LoginVerifier;
	clock: FakeClock;
	/** This server's own tokens. */
	ownTokens: TokenIssuer;
	keyRing: KeyRing;
}

/** A verifier on a fake clock (starting now), with this server's own keys in memory. */
export async function harness(
	providers: Record<string, ProviderSettings>,
	options: {
		clock?: FakeClock;
		fetchTimeoutMs?: number;
		jwksCooldownMs?: number;
		fetch?: FetchLike;
	} = {},
): Promise<Harness> {
	const clock = options.clock ?? new FakeClock();
	const keyRing = new KeyRing(new MemorySigningKeys(), clock as Clock);
	await keyRing.init();
	const verifier = createLoginVerifier({
		providers,
		clock,
		issuer: () => ISSUER,
		ownJwks: () => keyRing.jwks(),
		...(options.fetchTimeoutMs !== undefined
			? { fetchTimeoutMs: options.fetchTimeoutMs }
			: {}),
		...(options.jwksCooldownMs !== undefined
			? { jwksCooldownMs: options.jwksCooldownMs }
			: {}),
		...(options.fetch ? { fetch: options.fetch } : {}),
	});
	return { verifier, clock, ownTokens: new TokenIssuer(keyRing), keyRing };
}

/** Asserts that `promise` rejects with the AWS error `type` and exactly `message`. */
export async function rejectsWith(
	promise: Promise<unknown>,
	type: string,
	message: string | RegExp,
): Promise<void> {
	await assert.rejects(promise, (err: Error) => {
		assert.equal(err.name, type, `${err.name}: ${err.message}`);
		if (typeof message === "string") assert.equal(err.message, message);
		else assert.match(err.message, message);
		return true;
	});
}

/**
 * A fetch that sends requests for the public URL prefixes given to local doubles instead, as
 * DNS would on a machine where those names pointed at them; records the URLs asked for.
 */
export function routedFetch(routes: Record<string, string>): {
	fetch: FetchLike;
	asked: string[];
} {
	const asked: string[] = [];
	return {
		asked,
		fetch: (input, init) => {
			asked.push(input);
			for (const [from, to] of Object.entries(routes)) {
				if (input.startsWith(from)) {
					return fetch(to + input.slice(from.length), init);
				}
			}
			// The doubles themselves (e.g. a jwks_uri named by a discovery document).
			if (input.startsWith("http://127.0.0.1:")) return fetch(input, init);
			return Promise.reject(new TypeError(`no route for ${input}`));
		},
	};
}
