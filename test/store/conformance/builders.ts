/**
 * @module test/store/conformance/builders
 * What the store tests build again and again, each in one call that says what it makes: the
 * tenants and times, a pool with given settings ({@link createPool}), an identity with given
 * logins ({@link identityWith}), a developer login ({@link developerIdentity}), a guest, a
 * signing key and a history of rotations ({@link signingKey}, {@link rotatedKeys}), an issued
 * credential ({@link credential}), and the assertions that read them back.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import {
	type LoginRequest,
	planLogins,
} from "../../../src/domain/identities.ts";
import type {
	IdentityChange,
	IdentityRecord,
	IssuedCredentialRecord,
	LoginRef,
	PoolKey,
	PoolSettings,
	RoleMappingDoc,
	SigningKeyRecord,
} from "../../../src/domain/records.ts";
import { ServiceError } from "../../../src/errors/service-errors.ts";
import type { Store } from "../../../src/store/store.ts";
import { DEVELOPER } from "../../support/logins.ts";

export const ACCOUNT = "111111111111";
export const OTHER_ACCOUNT = "222222222222";
export const REGION = "us-east-1";
export const OTHER_REGION = "eu-west-1";
/** A base time; tests add offsets so that creation order and timestamps are explicit. */
export const T0 = 1_700_000_000_000;

export type Tenant = { accountId: string; region: string };
export const HOME: Tenant = { accountId: ACCOUNT, region: REGION };

export const AUTH_ROLE = "arn:aws:iam::111111111111:role/Auth";
export const UNAUTH_ROLE = "arn:aws:iam::111111111111:role/Unauth";
export const USER_POOL_KEY =
	"cognito-idp.us-east-1.amazonaws.com/us-east-1_abc:client";
export const OIDC_ARN =
	"arn:aws:iam::111111111111:oidc-provider/issuer.example";

export function newPoolKey(tenant: Tenant = HOME): PoolKey {
	return { ...tenant, poolId: `${tenant.region}:${randomUUID()}` };
}

export function newIdentityId(region = REGION): string {
	return `${region}:${randomUUID()}`;
}

/** Pool settings named `name` that allow guests, with `extra` over them. */
export function settings(
	name: string,
	extra: Partial<PoolSettings> = {},
): PoolSettings {
	return {
		IdentityPoolName: name,
		AllowUnauthenticatedIdentities: true,
		...extra,
	};
}

/**
 * Creates a pool (in {@link HOME} unless `key` or `tenant` say otherwise, at {@link T0}
 * unless `now`) whose settings name the developer provider {@link DEVELOPER}, with
 * `settings` over them, under a quota of `quota` pools (default 1000). Answers its key.
 */
export async function createPool(
	store: Store,
	options: {
		key?: PoolKey;
		tenant?: Tenant;
		now?: number;
		settings?: Partial<PoolSettings>;
		quota?: number;
	} = {},
): Promise<PoolKey> {
	const key = options.key ?? newPoolKey(options.tenant);
	await store.pools.create(
		{
			...key,
			settings: settings(`pool-${key.poolId.slice(-6)}`, {
				DeveloperProviderName: DEVELOPER,
				...options.settings,
			}),
			tags: {},
			now: options.now ?? T0,
		},
		options.quota ?? 1000,
	);
	return key;
}

/** Creates a guest (unauthenticated) identity, as GetId without logins does. */
export async function createGuest(
	store: Store,
	pool: PoolKey,
	now: number,
): Promise<string> {
	const identityId = newIdentityId(pool.region);
	return store.identities.change(
		pool,
		{ identityIds: [], logins: [] },
		() => ({
			change: { create: { identityId, authenticated: false } },
			result: identityId,
		}),
		now,
	);
}

/** Presents logins through `planLogins`, as the operations do. */
export function presentLogins(
	store: Store,
	pool: PoolKey,
	request: Partial<LoginRequest> & { logins: LoginRef[] },
	now: number,
): Promise<{ identityId: string; created: boolean }> {
	const full: LoginRequest = {
		newIdentityId: newIdentityId(pool.region),
		maxLogins: 20,
		flow: "public",
		limitError: "limit",
		...request,
	};
	return store.identities.change(
		pool,
		{
			identityIds: full.identityId === undefined ? [] : [full.identityId],
			logins: full.logins,
		},
		(snapshot) => planLogins(snapshot, full),
		now,
	);
}

/**
 * The identity of `logins`, as GetId finds or makes it (the public flow, no IdentityId):
 * answers its id and whether it was created.
 */
export function identityWith(
	store: Store,
	pool: PoolKey,
	logins: LoginRef[],
	now: number,
): Promise<{ identityId: string; created: boolean }> {
	return presentLogins(store, pool, { logins }, now);
}

/**
 * The identity of `logins` (a developer login, with others maybe), as
 * GetOpenIdTokenForDeveloperIdentity finds or makes it without an IdentityId.
 */
export function developerIdentity(
	store: Store,
	pool: PoolKey,
	logins: LoginRef[],
	now: number,
): Promise<{ identityId: string; created: boolean }> {
	return presentLogins(store, pool, { logins, flow: "developer" }, now);
}

/** Applies a hand-written change (no planner). */
export function applyChange(
	store: Store,
	pool: PoolKey,
	change: IdentityChange,
	now: number,
): Promise<void> {
	return store.identities.change(
		pool,
		{ identityIds: [], logins: [] },
		() => ({ change, result: undefined }),
		now,
	);
}

/** The identity `identityId`, which must exist. */
export async function mustGet(
	store: Store,
	identityId: string,
): Promise<IdentityRecord> {
	const identity = await store.identities.get(identityId);
	assert.ok(identity, `identity ${identityId} should exist`);
	return identity;
}

/** The id of the identity that holds `login` in `pool` (through `findByLogin`), if any. */
export async function loginOwner(
	store: Store,
	pool: PoolKey,
	login: LoginRef,
): Promise<string | undefined> {
	return (await store.identities.findByLogin(pool.poolId, login))?.identityId;
}

/** Every identity of a pool, walking pages of three. */
export async function allIdentities(
	store: Store,
	poolId: string,
	hideDisabled = false,
): Promise<IdentityRecord[]> {
	const all: IdentityRecord[] = [];
	let after: string | undefined;
	for (;;) {
		const page = await store.identities.list(poolId, {
			limit: 3,
			hideDisabled,
			...(after === undefined ? {} : { after }),
		});
		all.push(...page.items);
		if (page.next === undefined) return all;
		after = page.next;
	}
}

/**
 * Purges the deleted pool `poolId` to its end in batches of `limit` (as the server's purger
 * does); answers how many identities each batch removed.
 */
export async function purgeAll(
	store: Store,
	poolId: string,
	limit = 1000,
): Promise<number[]> {
	const batches: number[] = [];
	for (;;) {
		const { removed, done } = await store.pools.purge(poolId, limit);
		batches.push(removed);
		if (done) return batches;
	}
}

/** Asserts that `promise` rejects with the ServiceError `type` (and exactly `message` if given). */
export async function rejectsWith(
	promise: Promise<unknown>,
	type: string,
	message?: string,
): Promise<void> {
	await assert.rejects(promise, (error: unknown) => {
		assert.ok(error instanceof ServiceError, `not a ServiceError: ${error}`);
		assert.equal(error.name, type);
		if (message !== undefined) assert.equal(error.message, message);
		return true;
	});
}

/** Signing key number `n`, active from `activatesAt` (not stored). */
export function signingKey(n: number, activatesAt: number): SigningKeyRecord {
	return {
		kid: `kid-${n}-${randomUUID()}`,
		alg: "RS512",
		publicJwk: { kty: "RSA", n: `modulus-${n}`, e: "AQAB" },
		privateKeyPem: `-----BEGIN PRIVATE KEY-----\nkey-${n}\n-----END PRIVATE KEY-----\n`,
		createdAt: activatesAt - 10,
		activatesAt,
	};
}

/**
 * Stores a first key active at `activations[0]`, then rotates to a new key at each next
 * activation (each retiring the ones before). Answers the keys, oldest first.
 */
export async function rotatedKeys<const A extends readonly number[]>(
	store: Store,
	activations: A,
): Promise<{ -readonly [K in keyof A]: SigningKeyRecord }> {
	const keys = activations.map((at, i) => signingKey(i + 1, at));
	for (const [i, key] of keys.entries()) {
		if (i === 0) await store.signingKeys.insertFirst(key);
		else await store.signingKeys.rotate(key);
	}
	return keys as { -readonly [K in keyof A]: SigningKeyRecord };
}

/** Role mappings of both types, with every match type, keyed in a non-sorted order. */
export function roleMappings(): Record<string, RoleMappingDoc> {
	return {
		[USER_POOL_KEY]: { Type: "Token", AmbiguousRoleResolution: "Deny" },
		[OIDC_ARN]: {
			Type: "Rules",
			AmbiguousRoleResolution: "AuthenticatedRole",
			RulesConfiguration: {
				Rules: [
					{
						Claim: "sub",
						MatchType: "Equals",
						Value: "u-1",
						RoleARN: "arn:aws:iam::111111111111:role/A",
					},
					{
						Claim: "custom:dept",
						MatchType: "Contains",
						Value: "eng",
						RoleARN: "arn:aws:iam::111111111111:role/B",
					},
					{
						Claim: "email",
						MatchType: "StartsWith",
						Value: "admin@",
						RoleARN: "arn:aws:iam::111111111111:role/C",
					},
					{
						Claim: "cognito:groups",
						MatchType: "NotEqual",
						Value: "guests",
						RoleARN: "arn:aws:iam::111111111111:role/D",
					},
				],
			},
		},
		"accounts.google.com": {
			Type: "Rules",
			AmbiguousRoleResolution: "Deny",
			RulesConfiguration: {
				Rules: [
					{
						Claim: "aud",
						MatchType: "Equals",
						Value: "client-1",
						RoleARN: "arn:aws:iam::111111111111:role/G",
					},
				],
			},
		},
	};
}

/** Issued credentials number `n`, expiring at `expiresAt`, with `extra` over them (not stored). */
export function credential(
	n: number,
	expiresAt: number,
	extra: Partial<IssuedCredentialRecord> = {},
): IssuedCredentialRecord {
	return {
		accessKeyId: `ASIA${randomUUID().replaceAll("-", "").slice(0, 16).toUpperCase()}`,
		secretAccessKey: `secret-${n}-${randomUUID()}`,
		sessionToken: `token-${n}-${randomUUID()}`,
		identityId: newIdentityId(),
		poolId: newPoolKey().poolId,
		accountId: ACCOUNT,
		region: REGION,
		roleArn: AUTH_ROLE,
		principalTags: { username: `user-${n}`, client: "c" },
		createdAt: expiresAt - 3_600_000,
		expiresAt,
		...extra,
	};
}

export function sorted<T>(items: T[]): T[] {
	return [...items].sort();
}

/** Declares a test that runs `body` on a fresh, migrated store of the engine, then closes it. */
export type StoreTest = (
	name: string,
	body: (store: Store) => Promise<void>,
) => void;
