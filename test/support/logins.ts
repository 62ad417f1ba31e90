/**
 * Test support: login references as the store and the identity planners take them, for a
 * developer provider and the external providers the tests use most, and a developer
 * sign-in through the store alone.
 */
import { randomUUID } from "node:crypto";
import { planLogins } from "../../src/domain/identities.ts";
import type { LoginRef, PoolKey } from "../../src/domain/records.ts";
import type { Store } from "../../src/store/store.ts";

/** The developer provider name of the store and planner tests' pools. */
export const DEVELOPER = "login.idpool.test";

export function dev(subject: string): LoginRef {
	return { provider: DEVELOPER, subject, kind: "developer" };
}

export function google(subject: string): LoginRef {
	return { provider: "accounts.google.com", subject, kind: "external" };
}

export function facebook(subject: string): LoginRef {
	return { provider: "graph.facebook.com", subject, kind: "external" };
}

export function amazon(subject: string): LoginRef {
	return { provider: "www.amazon.com", subject, kind: "external" };
}

/** What GetOpenIdTokenForDeveloperIdentity asks of the store for `login`, without an IdentityId. */
export function signIn(
	store: Store,
	pool: PoolKey,
	login: LoginRef,
	now: number,
): Promise<{ identityId: string; created: boolean }> {
	const newIdentityId = `us-east-1:${randomUUID()}`;
	return store.identities.change(
		pool,
		{ identityIds: [], logins: [login] },
		(snapshot) =>
			planLogins(snapshot, {
				logins: [login],
				newIdentityId,
				maxLogins: 20,
				flow: "developer",
				limitError: "parameter",
			}),
		now,
	);
}
