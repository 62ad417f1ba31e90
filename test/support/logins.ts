/**
 * Test support: login references as the store and the identity planners take them, for a
 * developer provider and the external providers the tests use most.
 */
import type { LoginRef } from "../../src/store/store.ts";

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
