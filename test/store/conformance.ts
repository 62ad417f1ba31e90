/**
 * @module test/store/conformance
 * The conformance suite of the storage port (`src/store/store.ts`): every engine runs it
 * unchanged. Each test opens a fresh store with `open()`, calls `migrate()` and closes it.
 * It covers every method and every invariant stated in the port's TSDoc, and the identity
 * rules of DECISIONS 8-13 end to end through `identities.change` with the real planners.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { describe, test } from "node:test";
import {
	identityForbidden,
	LOGINS_DONT_MATCH,
	type LoginRequest,
	planDeveloperMerge,
	planLogins,
	planUnlink,
} from "../../src/domain/identities.ts";
import {
	type IdentityChange,
	type IdentityRecord,
	type IdentitySnapshot,
	type IssuedCredentialRecord,
	type LoginRef,
	loginKey,
	type PoolKey,
	type PoolSettings,
	type RoleMappingDoc,
	type SigningKeyRecord,
} from "../../src/domain/records.ts";
import {
	InvalidParameterException,
	NotAuthorizedException,
	ResourceNotFoundException,
	ServiceError,
} from "../../src/errors/service-errors.ts";
import type { Store } from "../../src/store/store.ts";
import { amazon, DEVELOPER, dev, facebook, google } from "../support/logins.ts";

const ACCOUNT = "111111111111";
const OTHER_ACCOUNT = "222222222222";
const REGION = "us-east-1";
const OTHER_REGION = "eu-west-1";
/** A base time; tests add offsets so that creation order and timestamps are explicit. */
const T0 = 1_700_000_000_000;

type Tenant = { accountId: string; region: string };
const HOME: Tenant = { accountId: ACCOUNT, region: REGION };

function newPoolKey(tenant: Tenant = HOME): PoolKey {
	return { ...tenant, poolId: `${tenant.region}:${randomUUID()}` };
}

function newIdentityId(region = REGION): string {
	return `${region}:${randomUUID()}`;
}

function settings(
	name: string,
	extra: Partial<PoolSettings> = {},
): PoolSettings {
	return {
		IdentityPoolName: name,
		AllowUnauthenticatedIdentities: true,
		...extra,
	};
}

/** Asserts that `promise` rejects with the ServiceError `type` (and exactly `message` if given). */
async function rejectsWith(
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

function signingKey(n: number, activatesAt: number): SigningKeyRecord {
	return {
		kid: `kid-${n}-${randomUUID()}`,
		alg: "RS512",
		publicJwk: { kty: "RSA", n: `modulus-${n}`, e: "AQAB" },
		privateKeyPem: `-----BEGIN PRIVATE KEY-----\nkey-${n}\n-----END PRIVATE KEY-----\n`,
		createdAt: activatesAt - 10,
		activatesAt,
	};
}

const AUTH_ROLE = "arn:aws:iam::111111111111:role/Auth";
const UNAUTH_ROLE = "arn:aws:iam::111111111111:role/Unauth";
const USER_POOL_KEY =
	"cognito-idp.us-east-1.amazonaws.com/us-east-1_abc:client";
const OIDC_ARN = "arn:aws:iam::111111111111:oidc-provider/issuer.example";

/** Role mappings of both types, with every match type, keyed in a non-sorted order. */
function roleMappings(): Record<string, RoleMappingDoc> {
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

function credential(
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

function sorted<T>(items: T[]): T[] {
	return [...items].sort();
}

/** Defines the suite for one engine. */
export function describeStoreConformance(
	name: string,
	open: () => Promise<Store>,
): void {
	/** Runs `body` on a fresh, migrated store, and closes it. */
	function withStore(
		body: (store: Store) => Promise<void>,
	): () => Promise<void> {
		return async () => {
			const store = await open();
			try {
				await store.migrate();
				await body(store);
			} finally {
				await store.close();
			}
		};
	}

	async function createPool(
		store: Store,
		key: PoolKey = newPoolKey(),
		now = T0,
		extra: Partial<PoolSettings> = {},
	): Promise<PoolKey> {
		await store.pools.create(
			{
				...key,
				settings: settings(`pool-${key.poolId.slice(-6)}`, {
					DeveloperProviderName: DEVELOPER,
					...extra,
				}),
				tags: {},
				now,
			},
			1000,
		);
		return key;
	}

	/** Creates a guest (unauthenticated) identity, as GetId without logins does. */
	async function createGuest(
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
	function presentLogins(
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

	/** Applies a hand-written change (no planner). */
	function applyChange(
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

	async function mustGet(
		store: Store,
		identityId: string,
	): Promise<IdentityRecord> {
		const identity = await store.identities.get(identityId);
		assert.ok(identity, `identity ${identityId} should exist`);
		return identity;
	}

	async function allIdentities(
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

	describe(`store conformance: ${name}`, () => {
		describe("store", () => {
			test(
				"migrate() twice is harmless and keeps the data",
				withStore(async (store) => {
					const key = await createPool(store);
					await store.migrate();
					assert.ok(await store.pools.get(key));
					await store.ping();
					assert.equal(typeof store.engine, "string");
					assert.ok(store.engine.length > 0);
				}),
			);
		});

		describe("pools", () => {
			test(
				"create answers the record and get reads it back",
				withStore(async (store) => {
					const key = newPoolKey();
					const poolSettings = settings("full", {
						AllowClassicFlow: false,
						SupportedLoginProviders: { "accounts.google.com": "client-1" },
						DeveloperProviderName: DEVELOPER,
						OpenIdConnectProviderARNs: [
							"arn:aws:iam::111111111111:oidc-provider/issuer.example",
						],
						CognitoIdentityProviders: [
							{
								ProviderName:
									"cognito-idp.us-east-1.amazonaws.com/us-east-1_abc",
								ClientId: "client",
								ServerSideTokenCheck: true,
							},
						],
						SamlProviderARNs: ["arn:aws:iam::111111111111:saml-provider/x"],
					});
					const created = await store.pools.create(
						{ ...key, settings: poolSettings, tags: { team: "a" }, now: T0 },
						10,
					);
					const expected = {
						...key,
						settings: poolSettings,
						roles: {},
						tags: { team: "a" },
						createdAt: T0,
						updatedAt: T0,
					};
					assert.deepEqual(created, expected);
					assert.deepEqual(await store.pools.get(key), expected);
				}),
			);

			test(
				"unset optional settings stay absent",
				withStore(async (store) => {
					const key = newPoolKey();
					await store.pools.create(
						{ ...key, settings: settings("bare"), tags: {}, now: T0 },
						10,
					);
					const pool = await store.pools.get(key);
					assert.ok(pool);
					assert.deepEqual(Object.keys(pool.settings).sort(), [
						"AllowUnauthenticatedIdentities",
						"IdentityPoolName",
					]);
					assert.deepEqual(pool.tags, {});
					assert.deepEqual(pool.roles, {});
					assert.equal("roleMappings" in pool, false);
				}),
			);

			test(
				"a pool exists only in its account and region",
				withStore(async (store) => {
					const key = await createPool(store);
					assert.equal(
						await store.pools.get({ ...key, accountId: OTHER_ACCOUNT }),
						undefined,
					);
					assert.equal(
						await store.pools.get({ ...key, region: OTHER_REGION }),
						undefined,
					);
					assert.equal(
						await store.pools.get({ ...key, poolId: newPoolKey().poolId }),
						undefined,
					);
					assert.deepEqual(
						(
							await store.pools.list(
								{ accountId: OTHER_ACCOUNT, region: REGION },
								{ limit: 10 },
							)
						).items,
						[],
					);
					assert.deepEqual(
						(
							await store.pools.list(
								{ accountId: ACCOUNT, region: OTHER_REGION },
								{ limit: 10 },
							)
						).items,
						[],
					);
					// Another tenant's update and delete do not reach it.
					assert.equal(
						await store.pools.update(
							{ ...key, accountId: OTHER_ACCOUNT },
							(p) => ({
								settings: { ...p.settings, IdentityPoolName: "stolen" },
								tags: {},
							}),
							T0 + 1,
						),
						undefined,
					);
					assert.equal(
						await store.pools.delete({ ...key, region: OTHER_REGION }),
						false,
					);
					assert.equal(
						await store.pools.delete({ ...key, accountId: OTHER_ACCOUNT }),
						false,
					);
					const pool = await store.pools.get(key);
					assert.ok(pool);
					assert.notEqual(pool.settings.IdentityPoolName, "stolen");
				}),
			);

			test(
				"the quota counts the pools of one tenant",
				withStore(async (store) => {
					const max = 3;
					const keys: PoolKey[] = [];
					for (let i = 0; i < max; i++) {
						const key = newPoolKey();
						await store.pools.create(
							{ ...key, settings: settings(`p${i}`), tags: {}, now: T0 + i },
							max,
						);
						keys.push(key);
					}
					await rejectsWith(
						store.pools.create(
							{
								...newPoolKey(),
								settings: settings("over"),
								tags: {},
								now: T0,
							},
							max,
						),
						"LimitExceededException",
					);
					assert.equal(
						(await store.pools.list(HOME, { limit: 10 })).items.length,
						max,
					);
					// Other tenants have their own quota.
					for (const tenant of [
						{ accountId: OTHER_ACCOUNT, region: REGION },
						{ accountId: ACCOUNT, region: OTHER_REGION },
					]) {
						await store.pools.create(
							{
								...newPoolKey(tenant),
								settings: settings("other"),
								tags: {},
								now: T0,
							},
							max,
						);
					}
					// Deleting one frees a place.
					const first = keys[0];
					assert.ok(first);
					assert.equal(await store.pools.delete(first), true);
					await store.pools.create(
						{ ...newPoolKey(), settings: settings("again"), tags: {}, now: T0 },
						max,
					);
					await rejectsWith(
						store.pools.create(
							{
								...newPoolKey(),
								settings: settings("over"),
								tags: {},
								now: T0,
							},
							max,
						),
						"LimitExceededException",
					);
				}),
			);

			test(
				"concurrent creates never exceed the quota",
				withStore(async (store) => {
					const max = 5;
					const attempts = 16;
					const results = await Promise.allSettled(
						Array.from({ length: attempts }, (_, i) =>
							store.pools.create(
								{
									...newPoolKey(),
									settings: settings(`c${i}`),
									tags: {},
									now: T0 + i,
								},
								max,
							),
						),
					);
					const fulfilled = results.filter((r) => r.status === "fulfilled");
					const rejected = results.filter(
						(r): r is PromiseRejectedResult => r.status === "rejected",
					);
					assert.equal(fulfilled.length, max);
					assert.equal(rejected.length, attempts - max);
					for (const r of rejected) {
						assert.ok(r.reason instanceof ServiceError);
						assert.equal(r.reason.name, "LimitExceededException");
					}
					const listed = await store.pools.list(HOME, { limit: 100 });
					assert.equal(listed.items.length, max);
				}),
			);

			test(
				"update replaces settings and tags with what apply computes",
				withStore(async (store) => {
					const key = newPoolKey();
					await store.pools.create(
						{
							...key,
							settings: settings("before", {
								SupportedLoginProviders: { "accounts.google.com": "c" },
							}),
							tags: { a: "1" },
							now: T0,
						},
						10,
					);
					const seen: string[] = [];
					const updated = await store.pools.update(
						key,
						(current) => {
							seen.push(current.settings.IdentityPoolName);
							assert.deepEqual(current.tags, { a: "1" });
							// Clears SupportedLoginProviders by leaving it out.
							return {
								settings: settings("after", { AllowClassicFlow: true }),
								tags: { b: "2" },
							};
						},
						T0 + 5,
					);
					assert.deepEqual(seen, ["before"]);
					const expected = {
						...key,
						settings: settings("after", { AllowClassicFlow: true }),
						roles: {},
						tags: { b: "2" },
						createdAt: T0,
						updatedAt: T0 + 5,
					};
					assert.deepEqual(updated, expected);
					assert.deepEqual(await store.pools.get(key), expected);
					assert.deepEqual(
						(await store.pools.list(HOME, { limit: 10 })).items,
						[{ poolId: key.poolId, name: "after" }],
					);
				}),
			);

			test(
				"update of an unknown pool answers undefined",
				withStore(async (store) => {
					let called = false;
					const result = await store.pools.update(
						newPoolKey(),
						(p) => {
							called = true;
							return { settings: p.settings, tags: p.tags };
						},
						T0,
					);
					assert.equal(result, undefined);
					assert.equal(called, false);
				}),
			);

			test(
				"update whose apply throws writes nothing",
				withStore(async (store) => {
					const key = await createPool(store, newPoolKey(), T0);
					const before = await store.pools.get(key);
					await rejectsWith(
						store.pools.update(
							key,
							() => {
								throw new NotAuthorizedException("refused");
							},
							T0 + 10,
						),
						"NotAuthorizedException",
						"refused",
					);
					assert.deepEqual(await store.pools.get(key), before);
				}),
			);

			test(
				"delete answers whether the pool existed",
				withStore(async (store) => {
					const key = await createPool(store);
					assert.equal(await store.pools.delete(key), true);
					assert.equal(await store.pools.get(key), undefined);
					assert.equal(await store.pools.delete(key), false);
					assert.equal(await store.pools.delete(newPoolKey()), false);
				}),
			);

			test(
				"delete removes the pool's identities and logins, and only those",
				withStore(async (store) => {
					const pool = await createPool(store);
					const other = await createPool(store);
					const a = await presentLogins(
						store,
						pool,
						{ logins: [google("g-1")] },
						T0 + 1,
					);
					const b = await presentLogins(
						store,
						pool,
						{ logins: [dev("d-1")], flow: "developer" },
						T0 + 2,
					);
					const guest = await createGuest(store, pool, T0 + 3);
					const kept = await presentLogins(
						store,
						other,
						{ logins: [google("g-1")] },
						T0 + 4,
					);
					assert.equal(await store.pools.delete(pool), true);
					for (const id of [a.identityId, b.identityId, guest]) {
						assert.equal(await store.identities.get(id), undefined);
					}
					assert.equal(
						await store.identities.findByLogin(pool.poolId, google("g-1")),
						undefined,
					);
					assert.equal(
						await store.identities.findByLogin(pool.poolId, dev("d-1")),
						undefined,
					);
					assert.deepEqual(
						(
							await store.identities.list(pool.poolId, {
								limit: 10,
								hideDisabled: false,
							})
						).items,
						[],
					);
					assert.deepEqual(
						await store.identities.developerLogins(pool.poolId, b.identityId, {
							limit: 10,
						}),
						{ items: [] },
					);
					// The other pool's identity and login are untouched.
					const still = await mustGet(store, kept.identityId);
					assert.deepEqual(still.logins, [google("g-1")]);
					assert.equal(
						(await store.identities.findByLogin(other.poolId, google("g-1")))
							?.identityId,
						kept.identityId,
					);
				}),
			);

			test(
				"list pages the tenant's pools in creation order",
				withStore(async (store) => {
					// Ids that sort in the reverse of creation order, all created at the same time:
					// only the creation order can give the expected listing.
					const keys = Array.from({ length: 7 }, (_, i) => ({
						...HOME,
						poolId: `${REGION}:${String(9 - i).repeat(8)}-0000-4000-8000-${randomUUID().slice(-12)}`,
					}));
					for (const [i, key] of keys.entries()) {
						await store.pools.create(
							{ ...key, settings: settings(`pool-${i}`), tags: {}, now: T0 },
							100,
						);
					}
					// Another tenant's pools never show.
					await createPool(
						store,
						newPoolKey({ accountId: OTHER_ACCOUNT, region: REGION }),
					);
					await createPool(
						store,
						newPoolKey({ accountId: ACCOUNT, region: OTHER_REGION }),
					);

					const all = await store.pools.list(HOME, { limit: 100 });
					assert.deepEqual(
						all.items,
						keys.map((k, i) => ({ poolId: k.poolId, name: `pool-${i}` })),
					);
					assert.equal(all.next, undefined);

					const seen: string[] = [];
					let after: string | undefined;
					const sizes: number[] = [];
					for (;;) {
						const page = await store.pools.list(HOME, {
							limit: 3,
							...(after === undefined ? {} : { after }),
						});
						sizes.push(page.items.length);
						seen.push(...page.items.map((p) => p.poolId));
						if (page.next === undefined) break;
						assert.equal(typeof page.next, "string");
						after = page.next;
					}
					assert.deepEqual(sizes, [3, 3, 1]);
					assert.deepEqual(
						seen,
						keys.map((k) => k.poolId),
					);
				}),
			);

			test(
				"list gives next only when more pools follow",
				withStore(async (store) => {
					assert.deepEqual(await store.pools.list(HOME, { limit: 5 }), {
						items: [],
					});
					const keys = [
						await createPool(store),
						await createPool(store),
						await createPool(store),
						await createPool(store),
					];
					const exact = await store.pools.list(HOME, { limit: 4 });
					assert.equal(exact.items.length, 4);
					assert.equal(exact.next, undefined);
					const first = await store.pools.list(HOME, { limit: 2 });
					assert.ok(first.next);
					const second = await store.pools.list(HOME, {
						limit: 2,
						after: first.next,
					});
					assert.deepEqual(
						second.items.map((p) => p.poolId),
						keys.slice(2).map((k) => k.poolId),
					);
					assert.equal(second.next, undefined);
				}),
			);

			test(
				"list neither skips nor repeats pools when pools are created and deleted between pages",
				withStore(async (store) => {
					const keys: PoolKey[] = [];
					for (let i = 0; i < 6; i++) keys.push(await createPool(store));
					const [p1, p2, p3, p4, p5, p6] = keys as [
						PoolKey,
						PoolKey,
						PoolKey,
						PoolKey,
						PoolKey,
						PoolKey,
					];
					const seen: string[] = [];
					const page1 = await store.pools.list(HOME, { limit: 2 });
					seen.push(...page1.items.map((p) => p.poolId));
					assert.deepEqual(seen, [p1.poolId, p2.poolId]);
					assert.ok(page1.next);
					// The last pool of the page (the cursor's) and the next one go; others come.
					await store.pools.delete(p2);
					await store.pools.delete(p3);
					const p7 = await createPool(store);
					const page2 = await store.pools.list(HOME, {
						limit: 2,
						after: page1.next,
					});
					seen.push(...page2.items.map((p) => p.poolId));
					assert.ok(page2.next);
					await store.pools.delete(p1);
					const p8 = await createPool(store);
					let after: string | undefined = page2.next;
					while (after !== undefined) {
						const page = await store.pools.list(HOME, { limit: 2, after });
						seen.push(...page.items.map((p) => p.poolId));
						after = page.next;
					}
					assert.equal(new Set(seen).size, seen.length, "no pool repeated");
					assert.deepEqual(seen, [
						p1.poolId,
						p2.poolId,
						p4.poolId,
						p5.poolId,
						p6.poolId,
						p7.poolId,
						p8.poolId,
					]);
				}),
			);
		});

		describe("pools: findById", () => {
			test(
				"findById finds a pool by id alone, in whatever account and region",
				withStore(async (store) => {
					const home = await createPool(store);
					const elsewhere = await createPool(
						store,
						newPoolKey({ accountId: OTHER_ACCOUNT, region: OTHER_REGION }),
					);
					await store.pools.setRoles(
						elsewhere,
						{ authenticated: AUTH_ROLE },
						roleMappings(),
						T0 + 3,
					);
					assert.deepEqual(
						await store.pools.findById(home.poolId),
						await store.pools.get(home),
					);
					const found = await store.pools.findById(elsewhere.poolId);
					assert.ok(found);
					assert.equal(found.accountId, OTHER_ACCOUNT);
					assert.equal(found.region, OTHER_REGION);
					assert.deepEqual(found, await store.pools.get(elsewhere));
					assert.deepEqual(found.roleMappings, roleMappings());
					assert.equal(
						await store.pools.findById(newPoolKey().poolId),
						undefined,
					);
					await store.pools.delete(home);
					assert.equal(await store.pools.findById(home.poolId), undefined);
				}),
			);
		});

		describe("pools: roles", () => {
			test(
				"a new pool has no roles and no role mappings",
				withStore(async (store) => {
					const key = newPoolKey();
					const created = await store.pools.create(
						{ ...key, settings: settings("new"), tags: {}, now: T0 },
						10,
					);
					for (const pool of [created, await store.pools.get(key)]) {
						assert.ok(pool);
						assert.deepEqual(pool.roles, {});
						assert.equal("roleMappings" in pool, false);
					}
				}),
			);

			test(
				"setRoles stores roles and mappings as given, and bumps updatedAt only",
				withStore(async (store) => {
					const key = await createPool(store, newPoolKey(), T0, {
						SupportedLoginProviders: { "accounts.google.com": "client-1" },
					});
					const before = await store.pools.get(key);
					assert.ok(before);
					const roles = {
						unauthenticated: UNAUTH_ROLE,
						authenticated: AUTH_ROLE,
					};
					assert.equal(
						await store.pools.setRoles(key, roles, roleMappings(), T0 + 5),
						true,
					);
					const after = await store.pools.get(key);
					assert.deepEqual(after, {
						...before,
						roles,
						roleMappings: roleMappings(),
						updatedAt: T0 + 5,
					});
					assert.ok(after);
					// Key order survives the round trip (answers keep the caller's order).
					assert.deepEqual(Object.keys(after.roles), Object.keys(roles));
					assert.deepEqual(
						Object.keys(after.roleMappings ?? {}),
						Object.keys(roleMappings()),
					);
				}),
			);

			test(
				"setRoles replaces: roles are replaced, undefined mappings and {} roles clear",
				withStore(async (store) => {
					const key = await createPool(store);
					await store.pools.setRoles(
						key,
						{ authenticated: AUTH_ROLE, unauthenticated: UNAUTH_ROLE },
						roleMappings(),
						T0 + 1,
					);
					// Replaced whole, not merged.
					const google = roleMappings()["accounts.google.com"];
					assert.ok(google);
					await store.pools.setRoles(
						key,
						{ authenticated: "arn:aws:iam::111111111111:role/Other" },
						{ "accounts.google.com": google },
						T0 + 2,
					);
					let pool = await store.pools.get(key);
					assert.ok(pool);
					assert.deepEqual(pool.roles, {
						authenticated: "arn:aws:iam::111111111111:role/Other",
					});
					assert.deepEqual(pool.roleMappings, {
						"accounts.google.com": google,
					});
					// Mappings omitted: cleared.
					await store.pools.setRoles(
						key,
						{ unauthenticated: UNAUTH_ROLE },
						undefined,
						T0 + 3,
					);
					pool = await store.pools.get(key);
					assert.ok(pool);
					assert.deepEqual(pool.roles, { unauthenticated: UNAUTH_ROLE });
					assert.equal("roleMappings" in pool, false);
					assert.equal(pool.updatedAt, T0 + 3);
					// Roles {}: cleared.
					await store.pools.setRoles(key, {}, undefined, T0 + 4);
					pool = await store.pools.get(key);
					assert.ok(pool);
					assert.deepEqual(pool.roles, {});
					assert.equal("roleMappings" in pool, false);
					assert.equal(pool.updatedAt, T0 + 4);
				}),
			);

			test(
				"update keeps the roles and mappings, and answers them",
				withStore(async (store) => {
					const key = await createPool(store);
					await store.pools.setRoles(
						key,
						{ authenticated: AUTH_ROLE },
						roleMappings(),
						T0 + 1,
					);
					const updated = await store.pools.update(
						key,
						(current) => {
							assert.deepEqual(current.roles, { authenticated: AUTH_ROLE });
							assert.deepEqual(current.roleMappings, roleMappings());
							return {
								settings: settings("renamed"),
								tags: current.tags,
							};
						},
						T0 + 2,
					);
					assert.ok(updated);
					assert.deepEqual(updated.roles, { authenticated: AUTH_ROLE });
					assert.deepEqual(updated.roleMappings, roleMappings());
					assert.deepEqual(await store.pools.get(key), updated);
				}),
			);

			test(
				"setRoles of an unknown pool or of another tenant's pool answers false and writes nothing",
				withStore(async (store) => {
					const key = await createPool(store);
					const other = await createPool(store);
					await store.pools.setRoles(
						other,
						{ authenticated: AUTH_ROLE },
						roleMappings(),
						T0 + 1,
					);
					const before = await store.pools.get(key);
					const otherBefore = await store.pools.get(other);
					for (const wrong of [
						newPoolKey(),
						{ ...key, accountId: OTHER_ACCOUNT },
						{ ...key, region: OTHER_REGION },
					]) {
						assert.equal(
							await store.pools.setRoles(
								wrong,
								{ authenticated: "arn:aws:iam::222222222222:role/Stolen" },
								{},
								T0 + 9,
							),
							false,
						);
					}
					assert.deepEqual(await store.pools.get(key), before);
					// Setting one pool's roles leaves every other pool alone.
					await store.pools.setRoles(
						key,
						{ unauthenticated: UNAUTH_ROLE },
						undefined,
						T0 + 10,
					);
					assert.deepEqual(await store.pools.get(other), otherBefore);
				}),
			);

			test(
				"setRoles runs its check on the pool as stored, and a refusal writes nothing",
				withStore(async (store) => {
					const key = await createPool(store);
					await store.pools.setRoles(
						key,
						{ authenticated: AUTH_ROLE },
						undefined,
						T0 + 1,
					);
					const stored = await store.pools.get(key);
					const seen: unknown[] = [];
					assert.equal(
						await store.pools.setRoles(
							key,
							{ unauthenticated: UNAUTH_ROLE },
							roleMappings(),
							T0 + 2,
							(current) => {
								seen.push(current);
							},
						),
						true,
					);
					assert.deepEqual(seen, [stored]);
					const written = await store.pools.get(key);
					assert.deepEqual(written?.roles, { unauthenticated: UNAUTH_ROLE });
					await assert.rejects(
						store.pools.setRoles(
							key,
							{ authenticated: "arn:aws:iam::000000000000:role/Other" },
							undefined,
							T0 + 3,
							() => {
								throw new InvalidParameterException("refused");
							},
						),
						InvalidParameterException,
					);
					assert.deepEqual(await store.pools.get(key), written);
					// No pool: the check does not run.
					let ran = false;
					assert.equal(
						await store.pools.setRoles(
							newPoolKey(),
							{},
							undefined,
							T0 + 4,
							() => {
								ran = true;
							},
						),
						false,
					);
					assert.equal(ran, false);
				}),
			);

			test(
				"deleting a pool deletes its roles and mappings",
				withStore(async (store) => {
					const key = await createPool(store);
					await store.pools.setRoles(
						key,
						{ authenticated: AUTH_ROLE, unauthenticated: UNAUTH_ROLE },
						roleMappings(),
						T0 + 1,
					);
					assert.equal(await store.pools.delete(key), true);
					assert.equal(await store.pools.get(key), undefined);
					assert.equal(
						await store.pools.setRoles(
							key,
							{ authenticated: AUTH_ROLE },
							undefined,
							T0 + 2,
						),
						false,
					);
					// A pool created again under the same id starts with nothing.
					await createPool(store, key, T0 + 3);
					const again = await store.pools.get(key);
					assert.ok(again);
					assert.deepEqual(again.roles, {});
					assert.equal("roleMappings" in again, false);
				}),
			);
		});

		describe("pools: principal tag maps", () => {
			const USER_POOL = "cognito-idp.us-east-1.amazonaws.com/us-east-1_abc";
			const noCheck = () => {};

			test(
				"a pool has no map for any provider until one is set",
				withStore(async (store) => {
					const key = await createPool(store);
					for (const provider of [
						"accounts.google.com",
						USER_POOL,
						OIDC_ARN,
						DEVELOPER,
					]) {
						assert.equal(
							await store.pools.getPrincipalTagMap(key, provider),
							undefined,
						);
					}
				}),
			);

			test(
				"setPrincipalTagMap stores the map as given, per provider, and bumps updatedAt only",
				withStore(async (store) => {
					const key = await createPool(store);
					const before = await store.pools.get(key);
					assert.ok(before);
					// Keys in a non-sorted order: the order survives the round trip.
					const custom = {
						useDefaults: false,
						principalTags: {
							tenant: "custom:tenant",
							actor: "sub",
							"é-ключ": "claim with spaces/and:colons",
						},
					};
					assert.equal(
						await store.pools.setPrincipalTagMap(
							key,
							USER_POOL,
							custom,
							T0 + 5,
							noCheck,
						),
						true,
					);
					const stored = await store.pools.getPrincipalTagMap(key, USER_POOL);
					assert.deepEqual(stored, custom);
					assert.ok(stored);
					assert.deepEqual(
						Object.keys(stored.principalTags),
						Object.keys(custom.principalTags),
					);
					// Another provider has none; the pool is unchanged but for updatedAt.
					assert.equal(
						await store.pools.getPrincipalTagMap(key, OIDC_ARN),
						undefined,
					);
					assert.deepEqual(await store.pools.get(key), {
						...before,
						updatedAt: T0 + 5,
					});
					// Defaults, and the inactive map, are stored as given too.
					for (const map of [
						{ useDefaults: true, principalTags: {} },
						{ useDefaults: false, principalTags: {} },
					]) {
						await store.pools.setPrincipalTagMap(
							key,
							OIDC_ARN,
							map,
							T0 + 6,
							noCheck,
						);
						assert.deepEqual(
							await store.pools.getPrincipalTagMap(key, OIDC_ARN),
							map,
						);
					}
				}),
			);

			test(
				"setting one provider's map replaces that map whole and keeps the others",
				withStore(async (store) => {
					const key = await createPool(store);
					const google = {
						useDefaults: false,
						principalTags: { a: "email", b: "name" },
					};
					await store.pools.setPrincipalTagMap(
						key,
						"accounts.google.com",
						google,
						T0 + 1,
						noCheck,
					);
					await store.pools.setPrincipalTagMap(
						key,
						USER_POOL,
						{ useDefaults: true, principalTags: {} },
						T0 + 2,
						noCheck,
					);
					// Replaced, not merged.
					await store.pools.setPrincipalTagMap(
						key,
						USER_POOL,
						{ useDefaults: false, principalTags: { c: "custom:c" } },
						T0 + 3,
						noCheck,
					);
					assert.deepEqual(
						await store.pools.getPrincipalTagMap(key, USER_POOL),
						{ useDefaults: false, principalTags: { c: "custom:c" } },
					);
					assert.deepEqual(
						await store.pools.getPrincipalTagMap(key, "accounts.google.com"),
						google,
					);
					assert.equal((await store.pools.get(key))?.updatedAt, T0 + 3);
				}),
			);

			test(
				"provider names are exact: case, scheme and trailing text all differ",
				withStore(async (store) => {
					const key = await createPool(store);
					const map = { useDefaults: true, principalTags: {} };
					await store.pools.setPrincipalTagMap(
						key,
						"accounts.google.com",
						map,
						T0 + 1,
						noCheck,
					);
					for (const other of [
						"Accounts.google.com",
						"https://accounts.google.com",
						"accounts.google.com ",
						"accounts.google",
					]) {
						assert.equal(
							await store.pools.getPrincipalTagMap(key, other),
							undefined,
						);
					}
					assert.deepEqual(
						await store.pools.getPrincipalTagMap(key, "accounts.google.com"),
						map,
					);
				}),
			);

			test(
				"check sees the pool as stored, and its refusal writes nothing",
				withStore(async (store) => {
					const key = await createPool(store, newPoolKey(), T0, {
						SupportedLoginProviders: { "accounts.google.com": "client-1" },
					});
					const first = { useDefaults: false, principalTags: { a: "sub" } };
					await store.pools.setPrincipalTagMap(
						key,
						"accounts.google.com",
						first,
						T0 + 1,
						noCheck,
					);
					await store.pools.update(
						key,
						() => ({ settings: settings("renamed"), tags: { t: "1" } }),
						T0 + 2,
					);
					const before = await store.pools.get(key);
					let seen: PoolSettings | undefined;
					await rejectsWith(
						store.pools.setPrincipalTagMap(
							key,
							"accounts.google.com",
							{ useDefaults: true, principalTags: {} },
							T0 + 3,
							(current) => {
								seen = current.settings;
								assert.deepEqual(current, before);
								throw new ResourceNotFoundException("not configured");
							},
						),
						"ResourceNotFoundException",
						"not configured",
					);
					assert.deepEqual(seen, settings("renamed"));
					assert.deepEqual(
						await store.pools.getPrincipalTagMap(key, "accounts.google.com"),
						first,
					);
					assert.deepEqual(await store.pools.get(key), before);
				}),
			);

			test(
				"an unknown pool or another tenant's pool answers false, is not checked, and is left alone",
				withStore(async (store) => {
					const key = await createPool(store);
					const map = { useDefaults: false, principalTags: { k: "sub" } };
					await store.pools.setPrincipalTagMap(
						key,
						USER_POOL,
						map,
						T0 + 1,
						noCheck,
					);
					const before = await store.pools.get(key);
					for (const wrong of [
						newPoolKey(),
						{ ...key, accountId: OTHER_ACCOUNT },
						{ ...key, region: OTHER_REGION },
					]) {
						assert.equal(
							await store.pools.setPrincipalTagMap(
								wrong,
								USER_POOL,
								{ useDefaults: true, principalTags: {} },
								T0 + 9,
								() => assert.fail("check must not run"),
							),
							false,
						);
						// Another tenant never reads this pool's map.
						assert.equal(
							await store.pools.getPrincipalTagMap(wrong, USER_POOL),
							undefined,
						);
					}
					assert.deepEqual(
						await store.pools.getPrincipalTagMap(key, USER_POOL),
						map,
					);
					assert.deepEqual(await store.pools.get(key), before);
				}),
			);

			test(
				"maps belong to one pool: another pool's provider of the same name is separate",
				withStore(async (store) => {
					const a = await createPool(store);
					const b = await createPool(store);
					await store.pools.setPrincipalTagMap(
						a,
						USER_POOL,
						{ useDefaults: false, principalTags: { x: "sub" } },
						T0 + 1,
						noCheck,
					);
					assert.equal(
						await store.pools.getPrincipalTagMap(b, USER_POOL),
						undefined,
					);
					await store.pools.setPrincipalTagMap(
						b,
						USER_POOL,
						{ useDefaults: true, principalTags: {} },
						T0 + 2,
						noCheck,
					);
					assert.deepEqual(await store.pools.getPrincipalTagMap(a, USER_POOL), {
						useDefaults: false,
						principalTags: { x: "sub" },
					});
				}),
			);

			test(
				"update and setRoles keep the maps",
				withStore(async (store) => {
					const key = await createPool(store);
					const map = { useDefaults: false, principalTags: { x: "sub" } };
					await store.pools.setPrincipalTagMap(
						key,
						OIDC_ARN,
						map,
						T0 + 1,
						noCheck,
					);
					await store.pools.update(
						key,
						(current) => ({
							settings: settings("renamed"),
							tags: current.tags,
						}),
						T0 + 2,
					);
					await store.pools.setRoles(
						key,
						{ authenticated: AUTH_ROLE },
						roleMappings(),
						T0 + 3,
					);
					assert.deepEqual(
						await store.pools.getPrincipalTagMap(key, OIDC_ARN),
						map,
					);
				}),
			);

			test(
				"deleting a pool deletes its maps; a pool created again under its id has none",
				withStore(async (store) => {
					const key = await createPool(store);
					const other = await createPool(store);
					const map = { useDefaults: true, principalTags: {} };
					await store.pools.setPrincipalTagMap(
						key,
						USER_POOL,
						map,
						T0 + 1,
						noCheck,
					);
					await store.pools.setPrincipalTagMap(
						other,
						USER_POOL,
						map,
						T0 + 1,
						noCheck,
					);
					assert.equal(await store.pools.delete(key), true);
					assert.equal(
						await store.pools.getPrincipalTagMap(key, USER_POOL),
						undefined,
					);
					assert.equal(
						await store.pools.setPrincipalTagMap(
							key,
							USER_POOL,
							map,
							T0 + 2,
							noCheck,
						),
						false,
					);
					await createPool(store, key, T0 + 3);
					assert.equal(
						await store.pools.getPrincipalTagMap(key, USER_POOL),
						undefined,
					);
					// Other pools keep theirs.
					assert.deepEqual(
						await store.pools.getPrincipalTagMap(other, USER_POOL),
						map,
					);
				}),
			);

			test(
				"concurrent sets of one pool's providers all persist; concurrent sets of one provider keep one whole map",
				withStore(async (store) => {
					const key = await createPool(store);
					const providers = Array.from(
						{ length: 12 },
						(_, i) =>
							`arn:aws:iam::111111111111:oidc-provider/issuer-${i}.example`,
					);
					await Promise.all(
						providers.map((p, i) =>
							store.pools.setPrincipalTagMap(
								key,
								p,
								{ useDefaults: false, principalTags: { n: `claim-${i}` } },
								T0 + i,
								noCheck,
							),
						),
					);
					for (const [i, p] of providers.entries()) {
						assert.deepEqual(await store.pools.getPrincipalTagMap(key, p), {
							useDefaults: false,
							principalTags: { n: `claim-${i}` },
						});
					}
					const maps = Array.from({ length: 12 }, (_, i) => ({
						useDefaults: i % 2 === 0,
						principalTags:
							i % 2 === 0 ? {} : { [`k${i}`]: `c${i}`, [`j${i}`]: `d${i}` },
					}));
					await Promise.all(
						maps.map((m, i) =>
							store.pools.setPrincipalTagMap(
								key,
								USER_POOL,
								m,
								T0 + 100 + i,
								noCheck,
							),
						),
					);
					const last = await store.pools.getPrincipalTagMap(key, USER_POOL);
					assert.ok(
						maps.some((m) => JSON.stringify(m) === JSON.stringify(last)),
						`not one of the maps set: ${JSON.stringify(last)}`,
					);
				}),
			);
		});

		describe("signingKeys", () => {
			test(
				"insertFirst stores only the first key",
				withStore(async (store) => {
					assert.deepEqual(await store.signingKeys.list(), []);
					const first = signingKey(1, T0);
					assert.equal(await store.signingKeys.insertFirst(first), true);
					assert.equal(
						await store.signingKeys.insertFirst(signingKey(2, T0 + 1)),
						false,
					);
					assert.deepEqual(await store.signingKeys.list(), [first]);
				}),
			);

			test(
				"concurrent insertFirst stores exactly one key",
				withStore(async (store) => {
					const keys = Array.from({ length: 8 }, (_, i) =>
						signingKey(i, T0 + i),
					);
					const answers = await Promise.all(
						keys.map((k) => store.signingKeys.insertFirst(k)),
					);
					assert.equal(answers.filter(Boolean).length, 1);
					const winner = keys[answers.indexOf(true)];
					assert.deepEqual(await store.signingKeys.list(), [winner]);
				}),
			);

			test(
				"rotate retires the other keys at the new key's activation, and list is oldest first",
				withStore(async (store) => {
					const k1 = signingKey(1, T0);
					const k2 = signingKey(2, T0 + 1000);
					const k3 = signingKey(3, T0 + 2000);
					await store.signingKeys.insertFirst(k1);
					await store.signingKeys.rotate(k2);
					assert.deepEqual(await store.signingKeys.list(), [
						{ ...k1, retiredAt: k2.activatesAt },
						k2,
					]);
					await store.signingKeys.rotate(k3);
					assert.deepEqual(await store.signingKeys.list(), [
						// An already retired key keeps its date.
						{ ...k1, retiredAt: k2.activatesAt },
						{ ...k2, retiredAt: k3.activatesAt },
						k3,
					]);
				}),
			);

			test(
				"rotate on an empty store adds the key",
				withStore(async (store) => {
					const k = signingKey(1, T0);
					await store.signingKeys.rotate(k);
					assert.deepEqual(await store.signingKeys.list(), [k]);
				}),
			);

			test(
				"prune deletes the keys retired before the date",
				withStore(async (store) => {
					const k1 = signingKey(1, T0);
					const k2 = signingKey(2, T0 + 1000);
					const k3 = signingKey(3, T0 + 2000);
					const k4 = signingKey(4, T0 + 3000);
					await store.signingKeys.insertFirst(k1);
					await store.signingKeys.rotate(k2);
					await store.signingKeys.rotate(k3);
					await store.signingKeys.rotate(k4);
					// Retired: k1 at T0+1000, k2 at T0+2000, k3 at T0+3000; k4 active.
					assert.equal(await store.signingKeys.prune(T0 + 1000), 0);
					assert.equal(await store.signingKeys.prune(T0 + 2000), 1);
					assert.deepEqual(
						(await store.signingKeys.list()).map((k) => k.kid),
						[k2.kid, k3.kid, k4.kid],
					);
					assert.equal(await store.signingKeys.prune(T0 + 1_000_000), 2);
					// The key that signs is never pruned.
					assert.deepEqual(await store.signingKeys.list(), [k4]);
					assert.equal(await store.signingKeys.prune(T0 + 1_000_000), 0);
				}),
			);
		});

		describe("credentials", () => {
			test(
				"insert then get answers the record, expired or not",
				withStore(async (store) => {
					const live = credential(1, T0 + 3_600_000);
					const expired = credential(2, T0 - 1, { principalTags: {} });
					await store.credentials.insert(live);
					await store.credentials.insert(expired);
					assert.deepEqual(await store.credentials.get(live.accessKeyId), live);
					assert.deepEqual(
						await store.credentials.get(expired.accessKeyId),
						expired,
					);
					assert.equal(
						await store.credentials.get("ASIAUNKNOWN0000000000"),
						undefined,
					);
				}),
			);

			test(
				"access key ids are unique: a second insert fails and keeps the first",
				withStore(async (store) => {
					const first = credential(1, T0 + 1000);
					await store.credentials.insert(first);
					await assert.rejects(
						store.credentials.insert(
							credential(2, T0 + 2000, { accessKeyId: first.accessKeyId }),
						),
					);
					assert.deepEqual(
						await store.credentials.get(first.accessKeyId),
						first,
					);
					// Concurrent inserts of one id: exactly one is stored.
					const id = credential(3, T0).accessKeyId;
					const attempts = Array.from({ length: 6 }, (_, i) =>
						credential(10 + i, T0 + i, { accessKeyId: id }),
					);
					const results = await Promise.allSettled(
						attempts.map((c) => store.credentials.insert(c)),
					);
					const won = results.findIndex((r) => r.status === "fulfilled");
					assert.equal(
						results.filter((r) => r.status === "fulfilled").length,
						1,
					);
					assert.deepEqual(await store.credentials.get(id), attempts[won]);
				}),
			);

			test(
				"prune deletes the credentials that expired before the date",
				withStore(async (store) => {
					const c1 = credential(1, T0 + 1000);
					const c2 = credential(2, T0 + 2000);
					const c3 = credential(3, T0 + 3000);
					for (const c of [c1, c2, c3]) await store.credentials.insert(c);
					assert.equal(await store.credentials.prune(T0 + 1000), 0);
					assert.equal(await store.credentials.prune(T0 + 2000), 1);
					assert.equal(await store.credentials.get(c1.accessKeyId), undefined);
					assert.deepEqual(await store.credentials.get(c2.accessKeyId), c2);
					assert.equal(await store.credentials.prune(T0 + 3001), 2);
					assert.equal(await store.credentials.get(c2.accessKeyId), undefined);
					assert.equal(await store.credentials.get(c3.accessKeyId), undefined);
					assert.equal(await store.credentials.prune(T0 + 1_000_000), 0);
				}),
			);

			test(
				"credentials outlive their pool and identity until they expire",
				withStore(async (store) => {
					const pool = await createPool(store);
					const identityId = await createGuest(store, pool, T0);
					const c = credential(1, T0 + 3_600_000, {
						poolId: pool.poolId,
						identityId,
						accountId: pool.accountId,
						region: pool.region,
					});
					await store.credentials.insert(c);
					assert.equal(await store.pools.delete(pool), true);
					assert.deepEqual(await store.credentials.get(c.accessKeyId), c);
				}),
			);
		});

		describe("identities: change", () => {
			test(
				"create makes a guest identity",
				withStore(async (store) => {
					const pool = await createPool(store);
					const id = await createGuest(store, pool, T0 + 7);
					assert.deepEqual(await store.identities.get(id), {
						identityId: id,
						poolId: pool.poolId,
						accountId: pool.accountId,
						region: pool.region,
						state: "active",
						authenticated: false,
						logins: [],
						createdAt: T0 + 7,
						updatedAt: T0 + 7,
					});
				}),
			);

			test(
				"create and link in one change make an authenticated identity with its logins in link order",
				withStore(async (store) => {
					const pool = await createPool(store);
					const id = newIdentityId();
					const logins = [dev("d-2"), google("g-1"), dev("d-1")];
					await applyChange(
						store,
						pool,
						{
							create: { identityId: id, authenticated: true },
							link: logins.map((login) => ({ identityId: id, login })),
						},
						T0 + 3,
					);
					const identity = await mustGet(store, id);
					assert.equal(identity.authenticated, true);
					assert.equal(identity.state, "active");
					assert.deepEqual(identity.logins, logins);
					assert.equal(identity.createdAt, T0 + 3);
					assert.equal(identity.updatedAt, T0 + 3);
					for (const login of logins) {
						assert.equal(
							(await store.identities.findByLogin(pool.poolId, login))
								?.identityId,
							id,
						);
					}
				}),
			);

			test(
				"the snapshot holds the identities named and the owners of the logins named, of the pool only",
				withStore(async (store) => {
					const pool = await createPool(store);
					const other = await createPool(store);
					const a = await presentLogins(
						store,
						pool,
						{ logins: [google("g-a"), facebook("f-a")] },
						T0 + 1,
					);
					const b = await presentLogins(
						store,
						pool,
						{ logins: [dev("d-b")], flow: "developer" },
						T0 + 2,
					);
					const guest = await createGuest(store, pool, T0 + 3);
					const unrelated = await presentLogins(
						store,
						pool,
						{ logins: [google("g-u")] },
						T0 + 4,
					);
					const foreign = await presentLogins(
						store,
						other,
						{ logins: [google("g-x")] },
						T0 + 5,
					);
					const unknown = newIdentityId();
					let captured: IdentitySnapshot | undefined;
					await store.identities.change(
						pool,
						{
							identityIds: [guest, foreign.identityId, unknown],
							logins: [
								google("g-a"),
								dev("d-b"),
								google("g-x"),
								amazon("nobody"),
							],
						},
						(snapshot) => {
							captured = snapshot;
							return { change: {}, result: undefined };
						},
						T0 + 10,
					);
					assert.ok(captured);
					assert.deepEqual(
						sorted([...captured.identities.keys()]),
						sorted([a.identityId, b.identityId, guest]),
					);
					assert.deepEqual(
						captured.identities.get(a.identityId),
						await mustGet(store, a.identityId),
					);
					assert.deepEqual(captured.identities.get(a.identityId)?.logins, [
						google("g-a"),
						facebook("f-a"),
					]);
					assert.deepEqual(
						captured.identities.get(guest),
						await mustGet(store, guest),
					);
					assert.deepEqual(
						new Map(captured.owners),
						new Map([
							[loginKey(google("g-a")), a.identityId],
							[loginKey(dev("d-b")), b.identityId],
						]),
					);
					assert.equal(captured.identities.has(unrelated.identityId), false);
					// An empty change writes nothing.
					assert.deepEqual(
						await mustGet(store, a.identityId),
						captured.identities.get(a.identityId),
					);
				}),
			);

			test(
				"plan throwing writes nothing",
				withStore(async (store) => {
					const pool = await createPool(store);
					const a = await presentLogins(
						store,
						pool,
						{ logins: [google("g-a")] },
						T0 + 1,
					);
					const before = await mustGet(store, a.identityId);
					await rejectsWith(
						store.identities.change(
							pool,
							{ identityIds: [a.identityId], logins: [google("g-a")] },
							() => {
								throw new NotAuthorizedException("no");
							},
							T0 + 2,
						),
						"NotAuthorizedException",
						"no",
					);
					assert.deepEqual(await mustGet(store, a.identityId), before);
					assert.equal((await allIdentities(store, pool.poolId)).length, 1);
				}),
			);

			test(
				"a change that would link a login twice in the pool fails as a whole",
				withStore(async (store) => {
					const pool = await createPool(store);
					const a = await presentLogins(
						store,
						pool,
						{ logins: [google("g-a")] },
						T0 + 1,
					);
					const before = await mustGet(store, a.identityId);
					const id = newIdentityId();
					await assert.rejects(
						applyChange(
							store,
							pool,
							{
								create: { identityId: id, authenticated: true },
								link: [
									{ identityId: id, login: facebook("f-new") },
									{ identityId: id, login: google("g-a") },
								],
							},
							T0 + 2,
						),
					);
					assert.equal(await store.identities.get(id), undefined);
					assert.equal(
						await store.identities.findByLogin(pool.poolId, facebook("f-new")),
						undefined,
					);
					assert.deepEqual(await mustGet(store, a.identityId), before);
				}),
			);

			test(
				"logins are unique per pool; the same login may exist in two pools",
				withStore(async (store) => {
					const p1 = await createPool(store);
					const p2 = await createPool(store);
					const a = await presentLogins(
						store,
						p1,
						{ logins: [google("same")] },
						T0 + 1,
					);
					const b = await presentLogins(
						store,
						p2,
						{ logins: [google("same")] },
						T0 + 2,
					);
					assert.equal(a.created, true);
					assert.equal(b.created, true);
					assert.notEqual(a.identityId, b.identityId);
					assert.equal(
						(await store.identities.findByLogin(p1.poolId, google("same")))
							?.identityId,
						a.identityId,
					);
					assert.equal(
						(await store.identities.findByLogin(p2.poolId, google("same")))
							?.identityId,
						b.identityId,
					);
					const again = await presentLogins(
						store,
						p1,
						{ logins: [google("same")] },
						T0 + 3,
					);
					assert.deepEqual(again, { identityId: a.identityId, created: false });
					assert.equal((await allIdentities(store, p1.poolId)).length, 1);
				}),
			);

			test(
				"concurrent first logins of one developer user create one identity",
				withStore(async (store) => {
					const pool = await createPool(store);
					const answers = await Promise.all(
						Array.from({ length: 20 }, (_, i) =>
							presentLogins(
								store,
								pool,
								{ logins: [dev("racer")], flow: "developer" },
								T0 + i,
							),
						),
					);
					const ids = new Set(answers.map((a) => a.identityId));
					assert.equal(ids.size, 1);
					assert.equal(answers.filter((a) => a.created).length, 1);
					const listed = await allIdentities(store, pool.poolId);
					assert.equal(listed.length, 1);
					assert.deepEqual(listed[0]?.logins, [dev("racer")]);
					assert.equal(listed[0]?.identityId, answers[0]?.identityId);
				}),
			);

			test(
				"concurrent first logins of one external user create one identity",
				withStore(async (store) => {
					const pool = await createPool(store);
					const answers = await Promise.all(
						Array.from({ length: 20 }, (_, i) =>
							presentLogins(store, pool, { logins: [google("racer")] }, T0 + i),
						),
					);
					assert.equal(new Set(answers.map((a) => a.identityId)).size, 1);
					assert.equal(answers.filter((a) => a.created).length, 1);
					assert.equal((await allIdentities(store, pool.poolId)).length, 1);
				}),
			);

			test(
				"concurrent sign-ins of two guests with one new login end with the login on one identity",
				withStore(async (store) => {
					const pool = await createPool(store);
					const g1 = await createGuest(store, pool, T0 + 1);
					const g2 = await createGuest(store, pool, T0 + 2);
					const answers = await Promise.all(
						[g1, g2].map((identityId, i) =>
							presentLogins(
								store,
								pool,
								{ identityId, logins: [google("shared")] },
								T0 + 10 + i,
							),
						),
					);
					const owner = await store.identities.findByLogin(
						pool.poolId,
						google("shared"),
					);
					assert.ok(owner);
					assert.deepEqual(owner.logins, [google("shared")]);
					for (const a of answers) assert.equal(a.identityId, owner.identityId);
					const other = await mustGet(store, owner.identityId === g1 ? g2 : g1);
					assert.equal(other.state, "disabled");
					assert.deepEqual(other.logins, []);
				}),
			);

			test(
				"merge moves every login and disables the source; the target counts as authenticated",
				withStore(async (store) => {
					const pool = await createPool(store);
					const a = await presentLogins(
						store,
						pool,
						{ logins: [dev("d-a"), google("g-a")], flow: "developer" },
						T0 + 1,
					);
					const guest = await createGuest(store, pool, T0 + 2);
					await applyChange(
						store,
						pool,
						{ merge: [{ from: a.identityId, into: guest }] },
						T0 + 3,
					);
					const from = await mustGet(store, a.identityId);
					const into = await mustGet(store, guest);
					assert.equal(from.state, "disabled");
					assert.deepEqual(from.logins, []);
					assert.deepEqual(
						sorted(into.logins.map(loginKey)),
						sorted([loginKey(dev("d-a")), loginKey(google("g-a"))]),
					);
					assert.equal(into.state, "active");
					// "authenticated: whether it ever had a login": it has some now.
					assert.equal(into.authenticated, true);
					assert.equal(from.updatedAt, T0 + 3);
					assert.equal(into.updatedAt, T0 + 3);
					assert.equal(
						(await store.identities.findByLogin(pool.poolId, dev("d-a")))
							?.identityId,
						guest,
					);
				}),
			);

			test(
				"unlink removes logins from whichever identity holds them; state sets states",
				withStore(async (store) => {
					const pool = await createPool(store);
					const a = await presentLogins(
						store,
						pool,
						{ logins: [dev("d-1"), dev("d-2")], flow: "developer" },
						T0 + 1,
					);
					await applyChange(
						store,
						pool,
						{ unlink: [dev("d-1"), dev("nobody")] },
						T0 + 2,
					);
					let identity = await mustGet(store, a.identityId);
					assert.deepEqual(identity.logins, [dev("d-2")]);
					assert.equal(identity.state, "active");
					assert.equal(identity.updatedAt, T0 + 2);
					assert.equal(
						await store.identities.findByLogin(pool.poolId, dev("d-1")),
						undefined,
					);
					await applyChange(
						store,
						pool,
						{
							unlink: [dev("d-2")],
							state: [{ identityId: a.identityId, state: "inaccessible" }],
						},
						T0 + 3,
					);
					identity = await mustGet(store, a.identityId);
					assert.deepEqual(identity.logins, []);
					assert.equal(identity.state, "inaccessible");
					assert.equal(identity.authenticated, true);
					assert.equal(identity.updatedAt, T0 + 3);
					assert.equal(identity.createdAt, T0 + 1);
				}),
			);

			test(
				"a change is applied in the order create, merge, unlink, link, state",
				withStore(async (store) => {
					const pool = await createPool(store);
					const a = await presentLogins(
						store,
						pool,
						{ logins: [google("g-a"), facebook("f-a")] },
						T0 + 1,
					);
					const id = newIdentityId();
					// Merge into the identity created by the same change, then unlink one of the
					// logins it received and link it again (possible only in that order).
					await applyChange(
						store,
						pool,
						{
							create: { identityId: id, authenticated: true },
							merge: [{ from: a.identityId, into: id }],
							unlink: [facebook("f-a")],
							link: [
								{ identityId: id, login: facebook("f-a") },
								{ identityId: id, login: dev("d-new") },
							],
							state: [{ identityId: a.identityId, state: "inaccessible" }],
						},
						T0 + 2,
					);
					const created = await mustGet(store, id);
					assert.deepEqual(
						sorted(created.logins.map(loginKey)),
						sorted(
							[google("g-a"), facebook("f-a"), dev("d-new")].map(loginKey),
						),
					);
					assert.equal(
						(await mustGet(store, a.identityId)).state,
						"inaccessible",
					);
				}),
			);

			test(
				"timestamps: createdAt and updatedAt come from now; updatedAt moves on link, unlink and merge",
				withStore(async (store) => {
					const pool = await createPool(store);
					const a = await presentLogins(
						store,
						pool,
						{ logins: [google("g-a")] },
						T0 + 100,
					);
					let identity = await mustGet(store, a.identityId);
					assert.equal(identity.createdAt, T0 + 100);
					assert.equal(identity.updatedAt, T0 + 100);

					// Returning with a known login changes nothing.
					await presentLogins(
						store,
						pool,
						{ logins: [google("g-a")] },
						T0 + 150,
					);
					identity = await mustGet(store, a.identityId);
					assert.equal(identity.updatedAt, T0 + 100);

					// Link.
					await presentLogins(
						store,
						pool,
						{
							identityId: a.identityId,
							logins: [google("g-a"), facebook("f-a")],
						},
						T0 + 200,
					);
					identity = await mustGet(store, a.identityId);
					assert.equal(identity.createdAt, T0 + 100);
					assert.equal(identity.updatedAt, T0 + 200);

					// Unlink.
					await store.identities.change(
						pool,
						{ identityIds: [a.identityId], logins: [facebook("f-a")] },
						(s) =>
							planUnlink(s, {
								identityId: a.identityId,
								logins: [facebook("f-a")],
							}),
						T0 + 300,
					);
					identity = await mustGet(store, a.identityId);
					assert.equal(identity.updatedAt, T0 + 300);

					// Merge: both the target and the merged identity move.
					const b = await presentLogins(
						store,
						pool,
						{ logins: [amazon("z-b")] },
						T0 + 400,
					);
					await presentLogins(
						store,
						pool,
						{ logins: [google("g-a"), amazon("z-b")] },
						T0 + 500,
					);
					identity = await mustGet(store, a.identityId);
					const merged = await mustGet(store, b.identityId);
					assert.equal(identity.updatedAt, T0 + 500);
					assert.equal(identity.createdAt, T0 + 100);
					assert.equal(merged.updatedAt, T0 + 500);
					assert.equal(merged.createdAt, T0 + 400);
					assert.equal(merged.state, "disabled");
				}),
			);
		});

		describe("identities: reading", () => {
			test(
				"get finds an identity in any pool, account or region; unknown is undefined",
				withStore(async (store) => {
					const pool = await createPool(
						store,
						newPoolKey({ accountId: OTHER_ACCOUNT, region: OTHER_REGION }),
					);
					const a = await presentLogins(
						store,
						pool,
						{ logins: [google("g-a")] },
						T0 + 1,
					);
					const identity = await mustGet(store, a.identityId);
					assert.equal(identity.poolId, pool.poolId);
					assert.equal(identity.accountId, OTHER_ACCOUNT);
					assert.equal(identity.region, OTHER_REGION);
					assert.equal(await store.identities.get(newIdentityId()), undefined);
				}),
			);

			test(
				"ownerOf and findByLogin find the holder of a login within the pool only",
				withStore(async (store) => {
					const pool = await createPool(store);
					const other = await createPool(store);
					const a = await presentLogins(
						store,
						pool,
						{ logins: [google("g-a"), facebook("f-a"), dev("d-a")] },
						T0 + 1,
					);
					const holder = await mustGet(store, a.identityId);
					/** Both lookups, which must agree; answers the identity found. */
					const lookUp = async (
						poolId: string,
						login: { provider: string; subject: string },
					) => {
						const found = await store.identities.findByLogin(poolId, login);
						assert.equal(
							await store.identities.ownerOf(poolId, login),
							found?.identityId,
						);
						return found;
					};
					for (const login of [facebook("f-a"), google("g-a"), dev("d-a")]) {
						assert.deepEqual(await lookUp(pool.poolId, login), holder);
					}
					assert.equal(await lookUp(other.poolId, google("g-a")), undefined);
					assert.equal(await lookUp(pool.poolId, google("g-other")), undefined);
					// Provider and subject both count.
					assert.equal(
						await lookUp(pool.poolId, {
							provider: "www.amazon.com",
							subject: "g-a",
						}),
						undefined,
					);
				}),
			);

			test(
				"list pages the pool's identities in creation order, with next only when more follow",
				withStore(async (store) => {
					const pool = await createPool(store);
					const other = await createPool(store);
					await createGuest(store, other, T0);
					// Same timestamp for all: only the creation order can order them.
					const ids: string[] = [];
					for (let i = 0; i < 7; i++)
						ids.push(await createGuest(store, pool, T0));
					const all = await store.identities.list(pool.poolId, {
						limit: 100,
						hideDisabled: false,
					});
					assert.deepEqual(
						all.items.map((i) => i.identityId),
						ids,
					);
					assert.equal(all.next, undefined);
					const exact = await store.identities.list(pool.poolId, {
						limit: 7,
						hideDisabled: false,
					});
					assert.equal(exact.next, undefined);
					const sizes: number[] = [];
					const seen: string[] = [];
					let after: string | undefined;
					for (;;) {
						const page = await store.identities.list(pool.poolId, {
							limit: 3,
							hideDisabled: false,
							...(after === undefined ? {} : { after }),
						});
						sizes.push(page.items.length);
						seen.push(...page.items.map((i) => i.identityId));
						if (page.next === undefined) break;
						after = page.next;
					}
					assert.deepEqual(sizes, [3, 3, 1]);
					assert.deepEqual(seen, ids);
					assert.deepEqual(
						await store.identities.list(newPoolKey().poolId, {
							limit: 3,
							hideDisabled: false,
						}),
						{ items: [] },
					);
				}),
			);

			test(
				"list items are full records",
				withStore(async (store) => {
					const pool = await createPool(store);
					const a = await presentLogins(
						store,
						pool,
						{ logins: [google("g-a"), dev("d-a")], flow: "developer" },
						T0 + 1,
					);
					const { items } = await store.identities.list(pool.poolId, {
						limit: 10,
						hideDisabled: false,
					});
					assert.deepEqual(items, [await mustGet(store, a.identityId)]);
				}),
			);

			test(
				"list with hideDisabled leaves out disabled and inaccessible identities, across pages",
				withStore(async (store) => {
					const pool = await createPool(store);
					const active1 = await createGuest(store, pool, T0 + 1);
					const merged = await presentLogins(
						store,
						pool,
						{ logins: [google("g-m")] },
						T0 + 2,
					);
					const active2 = await presentLogins(
						store,
						pool,
						{ logins: [facebook("f-t")] },
						T0 + 3,
					);
					const unlinked = await presentLogins(
						store,
						pool,
						{ logins: [dev("d-u")], flow: "developer" },
						T0 + 4,
					);
					const active3 = await createGuest(store, pool, T0 + 5);
					const active4 = await createGuest(store, pool, T0 + 6);
					// Disable `merged` (merged into active2) and make `unlinked` inaccessible.
					await presentLogins(
						store,
						pool,
						{
							identityId: active2.identityId,
							logins: [facebook("f-t"), google("g-m")],
						},
						T0 + 10,
					);
					await store.identities.change(
						pool,
						{ identityIds: [unlinked.identityId], logins: [dev("d-u")] },
						(s) =>
							planUnlink(s, {
								identityId: unlinked.identityId,
								logins: [dev("d-u")],
							}),
						T0 + 11,
					);
					assert.equal(
						(await mustGet(store, merged.identityId)).state,
						"disabled",
					);
					assert.equal(
						(await mustGet(store, unlinked.identityId)).state,
						"inaccessible",
					);
					const visible = (await allIdentities(store, pool.poolId, true)).map(
						(i) => i.identityId,
					);
					assert.deepEqual(visible, [
						active1,
						active2.identityId,
						active3,
						active4,
					]);
					const page = await store.identities.list(pool.poolId, {
						limit: 2,
						hideDisabled: true,
					});
					assert.deepEqual(
						page.items.map((i) => i.identityId),
						[active1, active2.identityId],
					);
					assert.ok(page.next);
					const everything = (await allIdentities(store, pool.poolId)).map(
						(i) => i.identityId,
					);
					assert.deepEqual(everything, [
						active1,
						merged.identityId,
						active2.identityId,
						unlinked.identityId,
						active3,
						active4,
					]);
				}),
			);

			test(
				"list neither skips nor repeats identities when identities are created and deleted between pages",
				withStore(async (store) => {
					const pool = await createPool(store);
					const ids: string[] = [];
					for (let i = 0; i < 6; i++)
						ids.push(await createGuest(store, pool, T0 + i));
					const seen: string[] = [];
					const page1 = await store.identities.list(pool.poolId, {
						limit: 2,
						hideDisabled: false,
					});
					seen.push(...page1.items.map((i) => i.identityId));
					assert.ok(page1.next);
					await store.identities.delete(HOME, [
						ids[1] as string,
						ids[2] as string,
					]);
					const late = await createGuest(store, pool, T0 + 50);
					let after: string | undefined = page1.next;
					while (after !== undefined) {
						const page = await store.identities.list(pool.poolId, {
							limit: 2,
							hideDisabled: false,
							after,
						});
						seen.push(...page.items.map((i) => i.identityId));
						after = page.next;
					}
					assert.deepEqual(seen, [
						ids[0],
						ids[1],
						ids[3],
						ids[4],
						ids[5],
						late,
					]);
				}),
			);

			test(
				"developerLogins pages one identity's developer logins in link order",
				withStore(async (store) => {
					const pool = await createPool(store);
					const a = await presentLogins(
						store,
						pool,
						{ logins: [dev("u-3"), google("g-a")], flow: "developer" },
						T0 + 1,
					);
					for (const [i, subject] of ["u-1", "u-5", "u-2", "u-4"].entries()) {
						await presentLogins(
							store,
							pool,
							{
								identityId: a.identityId,
								// The google login proves the identity (it has an external login).
								logins: [dev(subject), google("g-a")],
								flow: "developer",
							},
							T0 + 2 + i,
						);
					}
					// Another identity's developer logins never show.
					await presentLogins(
						store,
						pool,
						{ logins: [dev("someone-else")], flow: "developer" },
						T0 + 20,
					);
					const expected = ["u-3", "u-1", "u-5", "u-2", "u-4"].map(dev);
					assert.deepEqual(
						await store.identities.developerLogins(pool.poolId, a.identityId, {
							limit: 10,
						}),
						{ items: expected },
					);
					const got: LoginRef[] = [];
					const sizes: number[] = [];
					let after: string | undefined;
					for (;;) {
						const page = await store.identities.developerLogins(
							pool.poolId,
							a.identityId,
							{ limit: 2, ...(after === undefined ? {} : { after }) },
						);
						sizes.push(page.items.length);
						got.push(...page.items);
						if (page.next === undefined) break;
						after = page.next;
					}
					assert.deepEqual(sizes, [2, 2, 1]);
					assert.deepEqual(got, expected);
					const exact = await store.identities.developerLogins(
						pool.poolId,
						a.identityId,
						{ limit: 5 },
					);
					assert.equal(exact.next, undefined);
				}),
			);

			test(
				"developerLogins of an unknown identity, a guest, or another pool's identity is empty",
				withStore(async (store) => {
					const pool = await createPool(store);
					const other = await createPool(store);
					const a = await presentLogins(
						store,
						pool,
						{ logins: [dev("u-1")], flow: "developer" },
						T0 + 1,
					);
					const guest = await createGuest(store, pool, T0 + 2);
					const g = await presentLogins(
						store,
						pool,
						{ logins: [google("only-external")] },
						T0 + 3,
					);
					for (const [poolId, id] of [
						[other.poolId, a.identityId],
						[pool.poolId, newIdentityId()],
						[pool.poolId, guest],
						[pool.poolId, g.identityId],
					] as const) {
						assert.deepEqual(
							await store.identities.developerLogins(poolId, id, { limit: 10 }),
							{ items: [] },
						);
					}
				}),
			);
		});

		describe("identities: delete", () => {
			test(
				"delete answers one outcome per id, in order",
				withStore(async (store) => {
					const pool = await createPool(store);
					const otherRegionPool = await createPool(
						store,
						newPoolKey({ accountId: ACCOUNT, region: OTHER_REGION }),
					);
					const otherAccountPool = await createPool(
						store,
						newPoolKey({ accountId: OTHER_ACCOUNT, region: REGION }),
					);
					const mine = await presentLogins(
						store,
						pool,
						{ logins: [dev("d-mine"), google("g-mine")], flow: "developer" },
						T0 + 1,
					);
					const guest = await createGuest(store, pool, T0 + 2);
					const elsewhere = await createGuest(store, otherRegionPool, T0 + 3);
					const foreign = await presentLogins(
						store,
						otherAccountPool,
						{ logins: [google("g-foreign")] },
						T0 + 4,
					);
					const outcomes = await store.identities.delete(HOME, [
						mine.identityId,
						newIdentityId(),
						elsewhere,
						foreign.identityId,
						guest,
					]);
					assert.deepEqual(outcomes, [
						"deleted",
						"not-found",
						"not-found",
						"access-denied",
						"deleted",
					]);
					assert.equal(await store.identities.get(mine.identityId), undefined);
					assert.equal(await store.identities.get(guest), undefined);
					assert.equal(
						await store.identities.findByLogin(pool.poolId, dev("d-mine")),
						undefined,
					);
					assert.equal(
						await store.identities.findByLogin(pool.poolId, google("g-mine")),
						undefined,
					);
					// Kept: the other account's identity (access denied) and the other region's.
					const kept = await mustGet(store, foreign.identityId);
					assert.deepEqual(kept.logins, [google("g-foreign")]);
					assert.ok(await store.identities.get(elsewhere));
					assert.deepEqual(await store.identities.delete(HOME, []), []);
					// A deleted user's login starts a new identity.
					const again = await presentLogins(
						store,
						pool,
						{ logins: [google("g-mine")] },
						T0 + 10,
					);
					assert.equal(again.created, true);
					assert.notEqual(again.identityId, mine.identityId);
				}),
			);
		});

		describe("identities: the login rules through the store (DECISIONS 9-11)", () => {
			test(
				"a new login creates an authenticated identity; presenting it again finds it",
				withStore(async (store) => {
					const pool = await createPool(store);
					const first = await presentLogins(
						store,
						pool,
						{ logins: [google("g-1")] },
						T0 + 1,
					);
					assert.equal(first.created, true);
					const identity = await mustGet(store, first.identityId);
					assert.equal(identity.authenticated, true);
					assert.deepEqual(identity.logins, [google("g-1")]);
					assert.deepEqual(
						await presentLogins(
							store,
							pool,
							{ logins: [google("g-1")] },
							T0 + 2,
						),
						{ identityId: first.identityId, created: false },
					);
					// GetId without logins: a new guest each time.
					const g1 = await presentLogins(store, pool, { logins: [] }, T0 + 3);
					const g2 = await presentLogins(store, pool, { logins: [] }, T0 + 4);
					assert.notEqual(g1.identityId, g2.identityId);
					assert.equal(
						(await mustGet(store, g1.identityId)).authenticated,
						false,
					);
				}),
			);

			test(
				"two logins of two identities merge into the oldest",
				withStore(async (store) => {
					const pool = await createPool(store);
					const newer = await presentLogins(
						store,
						pool,
						{ logins: [facebook("f-1")] },
						T0 + 20,
					);
					const older = await presentLogins(
						store,
						pool,
						{ logins: [google("g-1")] },
						T0 + 10,
					);
					const answer = await presentLogins(
						store,
						pool,
						{ logins: [facebook("f-1"), google("g-1"), amazon("z-new")] },
						T0 + 30,
					);
					assert.deepEqual(answer, {
						identityId: older.identityId,
						created: false,
					});
					const target = await mustGet(store, older.identityId);
					const disabled = await mustGet(store, newer.identityId);
					assert.equal(target.state, "active");
					assert.deepEqual(
						sorted(target.logins.map(loginKey)),
						sorted(
							[google("g-1"), facebook("f-1"), amazon("z-new")].map(loginKey),
						),
					);
					assert.equal(disabled.state, "disabled");
					assert.deepEqual(disabled.logins, []);
					assert.equal(
						(await store.identities.findByLogin(pool.poolId, facebook("f-1")))
							?.identityId,
						older.identityId,
					);
				}),
			);

			test(
				"two logins of two identities merge into the identity named",
				withStore(async (store) => {
					const pool = await createPool(store);
					const older = await presentLogins(
						store,
						pool,
						{ logins: [google("g-1")] },
						T0 + 10,
					);
					const named = await presentLogins(
						store,
						pool,
						{ logins: [facebook("f-1")] },
						T0 + 20,
					);
					const answer = await presentLogins(
						store,
						pool,
						{
							identityId: named.identityId,
							logins: [google("g-1"), facebook("f-1")],
						},
						T0 + 30,
					);
					assert.deepEqual(answer, {
						identityId: named.identityId,
						created: false,
					});
					assert.equal(
						(await mustGet(store, older.identityId)).state,
						"disabled",
					);
					assert.deepEqual(
						sorted(
							(await mustGet(store, named.identityId)).logins.map(loginKey),
						),
						sorted([google("g-1"), facebook("f-1")].map(loginKey)),
					);
				}),
			);

			test(
				"two logins of two identities merge into the developer login's owner",
				withStore(async (store) => {
					const pool = await createPool(store);
					const older = await presentLogins(
						store,
						pool,
						{ logins: [google("g-1")] },
						T0 + 10,
					);
					const developerOwner = await presentLogins(
						store,
						pool,
						{ logins: [dev("d-1")], flow: "developer" },
						T0 + 20,
					);
					const answer = await presentLogins(
						store,
						pool,
						{ logins: [google("g-1"), dev("d-1")], flow: "developer" },
						T0 + 30,
					);
					assert.deepEqual(answer, {
						identityId: developerOwner.identityId,
						created: false,
					});
					const merged = await mustGet(store, older.identityId);
					assert.equal(merged.state, "disabled");
					assert.deepEqual(merged.logins, []);
					assert.deepEqual(
						sorted(
							(await mustGet(store, developerOwner.identityId)).logins.map(
								loginKey,
							),
						),
						sorted([dev("d-1"), google("g-1")].map(loginKey)),
					);
				}),
			);

			test(
				"a guest signing in with a login linked elsewhere moves to that identity and is disabled",
				withStore(async (store) => {
					const pool = await createPool(store);
					const owner = await presentLogins(
						store,
						pool,
						{ logins: [google("g-1")] },
						T0 + 10,
					);
					const guest = await createGuest(store, pool, T0 + 5);
					const answer = await presentLogins(
						store,
						pool,
						{ identityId: guest, logins: [google("g-1"), facebook("f-new")] },
						T0 + 30,
					);
					assert.deepEqual(answer, {
						identityId: owner.identityId,
						created: false,
					});
					const disabled = await mustGet(store, guest);
					assert.equal(disabled.state, "disabled");
					assert.equal(disabled.authenticated, false);
					assert.deepEqual(disabled.logins, []);
					const target = await mustGet(store, owner.identityId);
					assert.equal(target.state, "active");
					assert.deepEqual(target.logins, [google("g-1"), facebook("f-new")]);
				}),
			);

			test(
				"a guest signing in with a new login keeps its id and becomes authenticated",
				withStore(async (store) => {
					const pool = await createPool(store);
					const guest = await createGuest(store, pool, T0 + 1);
					const answer = await presentLogins(
						store,
						pool,
						{ identityId: guest, logins: [google("g-1")] },
						T0 + 2,
					);
					assert.deepEqual(answer, { identityId: guest, created: false });
					const identity = await mustGet(store, guest);
					assert.equal(identity.authenticated, true);
					assert.equal(identity.state, "active");
					assert.deepEqual(identity.logins, [google("g-1")]);
					assert.equal(identity.updatedAt, T0 + 2);
				}),
			);

			test(
				"two users of one external provider on one identity are ResourceConflictException, and nothing is written",
				withStore(async (store) => {
					const pool = await createPool(store);
					const a = await presentLogins(
						store,
						pool,
						{ logins: [google("g-a"), amazon("z-a")] },
						T0 + 1,
					);
					const b = await presentLogins(
						store,
						pool,
						{ logins: [google("g-b"), facebook("f-b")] },
						T0 + 2,
					);
					const beforeA = await mustGet(store, a.identityId);
					const beforeB = await mustGet(store, b.identityId);
					// By linking: a second google user on `a`.
					await rejectsWith(
						presentLogins(
							store,
							pool,
							{
								identityId: a.identityId,
								logins: [amazon("z-a"), google("g-new")],
							},
							T0 + 3,
						),
						"ResourceConflictException",
					);
					// By merging: `b` brings another google user.
					await rejectsWith(
						presentLogins(
							store,
							pool,
							{ logins: [amazon("z-a"), facebook("f-b")] },
							T0 + 4,
						),
						"ResourceConflictException",
					);
					assert.deepEqual(await mustGet(store, a.identityId), beforeA);
					assert.deepEqual(await mustGet(store, b.identityId), beforeB);
					assert.equal(
						await store.identities.findByLogin(pool.poolId, google("g-new")),
						undefined,
					);
				}),
			);

			test(
				"more than maxLogins is LimitExceededException or InvalidParameterException, and nothing is written",
				withStore(async (store) => {
					const pool = await createPool(store);
					const a = await presentLogins(
						store,
						pool,
						{
							logins: [google("g-a"), dev("d-a")],
							flow: "developer",
							maxLogins: 2,
						},
						T0 + 1,
					);
					const b = await presentLogins(
						store,
						pool,
						{ logins: [facebook("f-b")], maxLogins: 2 },
						T0 + 2,
					);
					const beforeA = await mustGet(store, a.identityId);
					const beforeB = await mustGet(store, b.identityId);
					await rejectsWith(
						presentLogins(
							store,
							pool,
							{
								identityId: a.identityId,
								logins: [google("g-a"), amazon("z-new")],
								maxLogins: 2,
								limitError: "limit",
							},
							T0 + 3,
						),
						"LimitExceededException",
					);
					await rejectsWith(
						presentLogins(
							store,
							pool,
							{
								identityId: a.identityId,
								logins: [google("g-a"), facebook("f-b")],
								maxLogins: 2,
								limitError: "parameter",
							},
							T0 + 4,
						),
						"InvalidParameterException",
					);
					assert.deepEqual(await mustGet(store, a.identityId), beforeA);
					assert.deepEqual(await mustGet(store, b.identityId), beforeB);
					// Exactly maxLogins is fine.
					await presentLogins(
						store,
						pool,
						{
							identityId: b.identityId,
							logins: [facebook("f-b"), amazon("z-b")],
							maxLogins: 2,
						},
						T0 + 5,
					);
					assert.equal((await mustGet(store, b.identityId)).logins.length, 2);
				}),
			);

			test(
				"a named authenticated identity needs one of its logins: Logins don't match",
				withStore(async (store) => {
					const pool = await createPool(store);
					const a = await presentLogins(
						store,
						pool,
						{ logins: [google("g-a")] },
						T0 + 1,
					);
					const b = await presentLogins(
						store,
						pool,
						{ logins: [facebook("f-b")] },
						T0 + 2,
					);
					const beforeB = await mustGet(store, b.identityId);
					for (const logins of [[], [amazon("z-new")], [facebook("f-b")]]) {
						await rejectsWith(
							presentLogins(
								store,
								pool,
								{ identityId: a.identityId, logins },
								T0 + 3,
							),
							"NotAuthorizedException",
							LOGINS_DONT_MATCH,
						);
					}
					assert.deepEqual((await mustGet(store, a.identityId)).logins, [
						google("g-a"),
					]);
					assert.deepEqual(await mustGet(store, b.identityId), beforeB);
					assert.equal(
						await store.identities.findByLogin(pool.poolId, amazon("z-new")),
						undefined,
					);
				}),
			);

			test(
				"developer flow: a developer user linked to another identity is DeveloperUserAlreadyRegisteredException, also for a guest",
				withStore(async (store) => {
					const pool = await createPool(store);
					const owner = await presentLogins(
						store,
						pool,
						{ logins: [dev("d-1")], flow: "developer" },
						T0 + 1,
					);
					const other = await presentLogins(
						store,
						pool,
						{ logins: [dev("d-2")], flow: "developer" },
						T0 + 2,
					);
					const guest = await createGuest(store, pool, T0 + 3);
					for (const identityId of [other.identityId, guest]) {
						await rejectsWith(
							presentLogins(
								store,
								pool,
								{ identityId, logins: [dev("d-1")], flow: "developer" },
								T0 + 4,
							),
							"DeveloperUserAlreadyRegisteredException",
						);
					}
					assert.equal((await mustGet(store, guest)).state, "active");
					assert.equal((await mustGet(store, guest)).authenticated, false);
					assert.deepEqual((await mustGet(store, owner.identityId)).logins, [
						dev("d-1"),
					]);
					// The same identity named: just answered.
					assert.deepEqual(
						await presentLogins(
							store,
							pool,
							{
								identityId: owner.identityId,
								logins: [dev("d-1")],
								flow: "developer",
							},
							T0 + 5,
						),
						{ identityId: owner.identityId, created: false },
					);
				}),
			);

			test(
				"developer flow: a named identity with only developer logins needs no proof; external ones do",
				withStore(async (store) => {
					const pool = await createPool(store);
					const a = await presentLogins(
						store,
						pool,
						{ logins: [dev("d-1")], flow: "developer" },
						T0 + 1,
					);
					assert.deepEqual(
						await presentLogins(
							store,
							pool,
							{
								identityId: a.identityId,
								logins: [dev("d-2")],
								flow: "developer",
							},
							T0 + 2,
						),
						{ identityId: a.identityId, created: false },
					);
					assert.deepEqual((await mustGet(store, a.identityId)).logins, [
						dev("d-1"),
						dev("d-2"),
					]);
					const b = await presentLogins(
						store,
						pool,
						{ logins: [google("g-b")] },
						T0 + 3,
					);
					await rejectsWith(
						presentLogins(
							store,
							pool,
							{
								identityId: b.identityId,
								logins: [dev("d-b")],
								flow: "developer",
							},
							T0 + 4,
						),
						"NotAuthorizedException",
						LOGINS_DONT_MATCH,
					);
					assert.deepEqual(
						await presentLogins(
							store,
							pool,
							{
								identityId: b.identityId,
								logins: [dev("d-b"), google("g-b")],
								flow: "developer",
							},
							T0 + 5,
						),
						{ identityId: b.identityId, created: false },
					);
					assert.deepEqual((await mustGet(store, b.identityId)).logins, [
						google("g-b"),
						dev("d-b"),
					]);
				}),
			);

			test(
				"a disabled or inaccessible identity named is forbidden; an unknown one is not found",
				withStore(async (store) => {
					const pool = await createPool(store);
					const other = await createPool(store);
					const target = await presentLogins(
						store,
						pool,
						{ logins: [google("g-t")] },
						T0 + 1,
					);
					const merged = await presentLogins(
						store,
						pool,
						{ logins: [facebook("f-m")] },
						T0 + 2,
					);
					assert.deepEqual(
						await presentLogins(
							store,
							pool,
							{ logins: [google("g-t"), facebook("f-m")] },
							T0 + 3,
						),
						{ identityId: target.identityId, created: false },
					);
					const unlinked = await presentLogins(
						store,
						pool,
						{ logins: [dev("d-u")], flow: "developer" },
						T0 + 4,
					);
					await store.identities.change(
						pool,
						{ identityIds: [unlinked.identityId], logins: [dev("d-u")] },
						(s) =>
							planUnlink(s, {
								identityId: unlinked.identityId,
								logins: [dev("d-u")],
							}),
						T0 + 5,
					);
					for (const flow of ["public", "developer"] as const) {
						for (const id of [merged.identityId, unlinked.identityId]) {
							await rejectsWith(
								presentLogins(
									store,
									pool,
									{
										identityId: id,
										logins:
											flow === "developer" ? [dev("d-new")] : [amazon("z-new")],
										flow,
									},
									T0 + 6,
								),
								"NotAuthorizedException",
								identityForbidden(id).message,
							);
							assert.equal(
								identityForbidden(id).message,
								`Access to Identity '${id}' is forbidden.`,
							);
						}
						const unknown = newIdentityId();
						await rejectsWith(
							presentLogins(
								store,
								pool,
								{ identityId: unknown, logins: [dev("d-new")], flow },
								T0 + 7,
							),
							"ResourceNotFoundException",
							`Identity '${unknown}' not found.`,
						);
						// An identity of another pool is not found either.
						const foreign = await createGuest(store, other, T0 + 8);
						await rejectsWith(
							presentLogins(
								store,
								pool,
								{ identityId: foreign, logins: [dev("d-new")], flow },
								T0 + 9,
							),
							"ResourceNotFoundException",
							`Identity '${foreign}' not found.`,
						);
					}
					assert.equal(
						await store.identities.findByLogin(pool.poolId, dev("d-new")),
						undefined,
					);
				}),
			);

			test(
				"planDeveloperMerge: the source's identity joins the destination's",
				withStore(async (store) => {
					const pool = await createPool(store);
					const source = await presentLogins(
						store,
						pool,
						{ logins: [dev("src"), facebook("f-s")], flow: "developer" },
						T0 + 1,
					);
					const destination = await presentLogins(
						store,
						pool,
						{ logins: [dev("dst"), google("g-d")], flow: "developer" },
						T0 + 2,
					);
					const merge = (
						s: LoginRef,
						d: LoginRef,
						now: number,
						maxLogins = 20,
					) =>
						store.identities.change(
							pool,
							{ identityIds: [], logins: [s, d] },
							(snapshot) =>
								planDeveloperMerge(snapshot, {
									source: s,
									destination: d,
									maxLogins,
								}),
							now,
						);
					await rejectsWith(
						merge(dev("src"), dev("dst"), T0 + 3, 3),
						"InvalidParameterException",
					);
					await rejectsWith(
						merge(dev("nobody"), dev("dst"), T0 + 3),
						"ResourceNotFoundException",
					);
					await rejectsWith(
						merge(dev("src"), dev("nobody"), T0 + 3),
						"ResourceNotFoundException",
					);
					assert.equal(
						(await mustGet(store, source.identityId)).state,
						"active",
					);
					assert.deepEqual(await merge(dev("src"), dev("dst"), T0 + 4), {
						identityId: destination.identityId,
					});
					const from = await mustGet(store, source.identityId);
					const into = await mustGet(store, destination.identityId);
					assert.equal(from.state, "disabled");
					assert.deepEqual(from.logins, []);
					assert.equal(from.updatedAt, T0 + 4);
					assert.equal(into.updatedAt, T0 + 4);
					assert.deepEqual(
						sorted(into.logins.map(loginKey)),
						sorted(
							[dev("src"), facebook("f-s"), dev("dst"), google("g-d")].map(
								loginKey,
							),
						),
					);
					// Either user now resolves to the destination identity.
					for (const d of [dev("src"), dev("dst")]) {
						assert.deepEqual(
							await presentLogins(
								store,
								pool,
								{ logins: [d], flow: "developer" },
								T0 + 5,
							),
							{ identityId: destination.identityId, created: false },
						);
					}
					// Same identity: nothing to do.
					assert.deepEqual(await merge(dev("src"), dev("dst"), T0 + 6), {
						identityId: destination.identityId,
					});
					assert.equal(
						(await mustGet(store, destination.identityId)).updatedAt,
						T0 + 4,
					);
					// A second user of one provider is refused.
					const third = await presentLogins(
						store,
						pool,
						{ logins: [dev("third"), google("g-3")], flow: "developer" },
						T0 + 7,
					);
					await rejectsWith(
						merge(dev("third"), dev("dst"), T0 + 8),
						"ResourceConflictException",
					);
					assert.equal(
						(await mustGet(store, third.identityId)).state,
						"active",
					);
				}),
			);

			test(
				"planUnlink: unlinking the last login makes the identity inaccessible; the login is new again",
				withStore(async (store) => {
					const pool = await createPool(store);
					const a = await presentLogins(
						store,
						pool,
						{ logins: [dev("d-1"), google("g-1")], flow: "developer" },
						T0 + 1,
					);
					const unlink = (logins: LoginRef[], now: number) =>
						store.identities.change(
							pool,
							{ identityIds: [a.identityId], logins },
							(s) => planUnlink(s, { identityId: a.identityId, logins }),
							now,
						);
					await rejectsWith(
						unlink([facebook("not-linked")], T0 + 2),
						"ResourceConflictException",
					);
					await unlink([dev("d-1")], T0 + 3);
					let identity = await mustGet(store, a.identityId);
					assert.equal(identity.state, "active");
					assert.deepEqual(identity.logins, [google("g-1")]);
					await unlink([google("g-1")], T0 + 4);
					identity = await mustGet(store, a.identityId);
					assert.equal(identity.state, "inaccessible");
					assert.deepEqual(identity.logins, []);
					assert.equal(identity.updatedAt, T0 + 4);
					assert.equal(
						await store.identities.findByLogin(pool.poolId, google("g-1")),
						undefined,
					);
					const fresh = await presentLogins(
						store,
						pool,
						{ logins: [google("g-1")] },
						T0 + 5,
					);
					assert.equal(fresh.created, true);
					assert.notEqual(fresh.identityId, a.identityId);
					await rejectsWith(
						store.identities.change(
							pool,
							{ identityIds: [newIdentityId()], logins: [] },
							(s) => planUnlink(s, { identityId: "x", logins: [] }),
							T0 + 6,
						),
						"ResourceNotFoundException",
						"Identity 'x' not found.",
					);
				}),
			);
		});
	});
}
