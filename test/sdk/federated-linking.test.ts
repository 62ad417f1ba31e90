/**
 * Linking and merging through the public operations (docs/behaviour.md#identities), through the
 * official JS v3 client against a real server with federated providers: several logins in
 * one call link to one identity; logins owned by two identities merge them (the target is the
 * identity named in the call, else the one owning the developer login, else the oldest) and
 * the other is disabled; a guest who signs in keeps its id with a new login and moves to the
 * other identity with a login linked elsewhere.
 */
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import {
	GetCredentialsForIdentityCommand,
	GetIdCommand,
	GetOpenIdTokenCommand,
	GetOpenIdTokenForDeveloperIdentityCommand,
} from "@aws-sdk/client-cognito-identity";
import { decodeJwt } from "jose";
import {
	AMAZON,
	AUTH_ROLE,
	DEV,
	FACEBOOK,
	GOOGLE,
	MESSAGES,
	OIDC_KEY,
	useFederation,
} from "../support/federation.ts";
import { listAllIdentities } from "../support/identities.ts";
import { rejectsWith } from "../support/server.ts";

const NA = "NotAuthorizedException";

describe("linking and merging (JS v3 SDK, unsigned)", () => {
	const f = useFederation();
	let poolId: string;
	before(async () => {
		poolId = await f.pool();
	});

	let n = 0;
	/** A user name no other test uses. */
	const user = (label: string) => `${label}-${++n}`;

	/** Asserts that `id` is disabled: hidden by HideDisabled, without logins, forbidden. */
	async function assertDisabled(id: string, login?: Record<string, string>) {
		const shown = await listAllIdentities(f.admin, poolId, {
			hideDisabled: true,
		});
		assert.ok(!shown.some((i) => i.IdentityId === id), `${id} is hidden`);
		const all = await listAllIdentities(f.admin, poolId);
		assert.ok(
			all.some((i) => i.IdentityId === id),
			`${id} is still listed`,
		);
		assert.equal(await f.loginsOf(id), undefined);
		for (const logins of [undefined, login]) {
			await rejectsWith(
				f.app.send(
					new GetCredentialsForIdentityCommand({
						IdentityId: id,
						...(logins ? { Logins: logins } : {}),
					}),
				),
				NA,
				MESSAGES.forbidden(id),
			);
			await rejectsWith(
				f.app.send(
					new GetOpenIdTokenCommand({
						IdentityId: id,
						...(logins ? { Logins: logins } : {}),
					}),
				),
				NA,
				MESSAGES.forbidden(id),
			);
		}
	}

	async function assertActive(id: string) {
		const shown = await listAllIdentities(f.admin, poolId, {
			hideDisabled: true,
		});
		assert.ok(
			shown.some((i) => i.IdentityId === id),
			`${id} is active`,
		);
	}

	describe("linking", () => {
		test("two logins of two providers in one GetId: one identity with both, found again by either", async () => {
			const o = user("o");
			const g = user("g");
			const id = await f.getId(poolId, {
				[OIDC_KEY]: await f.tokens.oidc(o),
				[GOOGLE]: await f.tokens.google(g),
			});
			assert.deepEqual(await f.loginsOf(id), [GOOGLE, OIDC_KEY].sort());
			assert.equal(
				await f.getId(poolId, { [GOOGLE]: await f.tokens.google(g) }),
				id,
			);
			assert.equal(
				await f.getId(poolId, { [OIDC_KEY]: await f.tokens.oidc(o) }),
				id,
			);
		});

		test("a known login with a new one links the new one to the known identity", async () => {
			const o = user("o");
			const id = await f.getId(poolId, { [OIDC_KEY]: await f.tokens.oidc(o) });
			const fb = user("fb");
			assert.equal(
				await f.getId(poolId, {
					[FACEBOOK]: f.tokens.facebook(fb),
					[OIDC_KEY]: await f.tokens.oidc(o),
				}),
				id,
			);
			assert.deepEqual(await f.loginsOf(id), [FACEBOOK, OIDC_KEY].sort());
			assert.equal(
				await f.getId(poolId, { [FACEBOOK]: f.tokens.facebook(fb) }),
				id,
			);
		});

		test("GetOpenIdToken and GetCredentialsForIdentity link new logins on the way", async () => {
			const o = user("o");
			const id = await f.getId(poolId, { [OIDC_KEY]: await f.tokens.oidc(o) });
			const g = user("g");
			const token = await f.app.send(
				new GetOpenIdTokenCommand({
					IdentityId: id,
					Logins: {
						[OIDC_KEY]: await f.tokens.oidc(o),
						[GOOGLE]: await f.tokens.google(g),
					},
				}),
			);
			assert.equal(token.IdentityId, id);
			const amz = `amzn1.account.${user("a")}`;
			const creds = await f.app.send(
				new GetCredentialsForIdentityCommand({
					IdentityId: id,
					Logins: {
						[GOOGLE]: await f.tokens.google(g),
						[AMAZON]: f.tokens.amazon(amz),
					},
				}),
			);
			assert.equal(creds.IdentityId, id);
			assert.deepEqual(await f.loginsOf(id), [AMAZON, GOOGLE, OIDC_KEY].sort());
			assert.equal(
				await f.getId(poolId, { [AMAZON]: f.tokens.amazon(amz) }),
				id,
			);
		});
	});

	describe("merging", () => {
		test("GetId with logins of two identities: the oldest survives, whatever the order", async () => {
			const o = user("o");
			const g = user("g");
			const older = await f.getId(poolId, {
				[OIDC_KEY]: await f.tokens.oidc(o),
			});
			await delay(5);
			const newer = await f.getId(poolId, {
				[GOOGLE]: await f.tokens.google(g),
			});
			const merged = await f.getId(poolId, {
				[GOOGLE]: await f.tokens.google(g),
				[OIDC_KEY]: await f.tokens.oidc(o),
			});
			assert.equal(merged, older);
			assert.deepEqual(await f.loginsOf(older), [GOOGLE, OIDC_KEY].sort());
			await assertActive(older);
			await assertDisabled(newer, { [GOOGLE]: await f.tokens.google(g) });
			// The merged-away login now finds the survivor.
			assert.equal(
				await f.getId(poolId, { [GOOGLE]: await f.tokens.google(g) }),
				older,
			);
		});

		test("GetOpenIdToken naming the newer identity: the named one survives", async () => {
			const o = user("o");
			const g = user("g");
			const older = await f.getId(poolId, {
				[OIDC_KEY]: await f.tokens.oidc(o),
			});
			await delay(5);
			const newer = await f.getId(poolId, {
				[GOOGLE]: await f.tokens.google(g),
			});
			const out = await f.app.send(
				new GetOpenIdTokenCommand({
					IdentityId: newer,
					Logins: {
						[GOOGLE]: await f.tokens.google(g),
						[OIDC_KEY]: await f.tokens.oidc(o),
					},
				}),
			);
			assert.equal(out.IdentityId, newer);
			assert.equal(decodeJwt(out.Token as string).sub, newer);
			assert.deepEqual(await f.loginsOf(newer), [GOOGLE, OIDC_KEY].sort());
			await assertDisabled(older, { [OIDC_KEY]: await f.tokens.oidc(o) });
		});

		test("GetCredentialsForIdentity merges on the way and issues credentials for the survivor", async () => {
			const o = user("o");
			const fb = user("fb");
			const named = await f.getId(poolId, {
				[OIDC_KEY]: await f.tokens.oidc(o),
			});
			const other = await f.getId(poolId, {
				[FACEBOOK]: f.tokens.facebook(fb),
			});
			const out = await f.app.send(
				new GetCredentialsForIdentityCommand({
					IdentityId: named,
					Logins: {
						[OIDC_KEY]: await f.tokens.oidc(o),
						[FACEBOOK]: f.tokens.facebook(fb),
					},
				}),
			);
			assert.equal(out.IdentityId, named);
			const stored = await f.ts.server.store.credentials.get(
				out.Credentials?.AccessKeyId as string,
			);
			assert.equal(stored?.identityId, named);
			assert.equal(stored?.roleArn, AUTH_ROLE);
			await assertDisabled(other, { [FACEBOOK]: f.tokens.facebook(fb) });
		});

		test("the identity owning the developer login survives, even when it is the newer", async () => {
			const o = user("o");
			const older = await f.getId(poolId, {
				[OIDC_KEY]: await f.tokens.oidc(o),
			});
			await delay(5);
			const dev = user("dev");
			const first = await f.admin.send(
				new GetOpenIdTokenForDeveloperIdentityCommand({
					IdentityPoolId: poolId,
					Logins: { [DEV]: dev },
				}),
			);
			const devIdentity = first.IdentityId as string;
			const out = await f.admin.send(
				new GetOpenIdTokenForDeveloperIdentityCommand({
					IdentityPoolId: poolId,
					Logins: { [OIDC_KEY]: await f.tokens.oidc(o), [DEV]: dev },
				}),
			);
			assert.equal(out.IdentityId, devIdentity);
			assert.deepEqual(await f.loginsOf(devIdentity), [DEV, OIDC_KEY].sort());
			await assertDisabled(older);
		});

		test("logins are per pool: one linked in another pool is new here, and nothing there changes", async () => {
			const otherPool = await f.pool();
			const g = user("g");
			const there = await f.getId(otherPool, {
				[GOOGLE]: await f.tokens.google(g),
			});
			const o = user("o");
			const here = await f.getId(poolId, {
				[OIDC_KEY]: await f.tokens.oidc(o),
			});
			const out = await f.app.send(
				new GetOpenIdTokenCommand({
					IdentityId: here,
					Logins: {
						[OIDC_KEY]: await f.tokens.oidc(o),
						[GOOGLE]: await f.tokens.google(g),
					},
				}),
			);
			assert.equal(out.IdentityId, here);
			assert.deepEqual(await f.loginsOf(here), [GOOGLE, OIDC_KEY].sort());
			assert.deepEqual(await f.loginsOf(there), [GOOGLE]);
			assert.equal(
				await f.getId(otherPool, { [GOOGLE]: await f.tokens.google(g) }),
				there,
			);
		});

		test("two users of one provider on one identity: ResourceConflictException, nothing changes", async () => {
			const a1 = user("o");
			const a2 = user("o");
			const g = user("g");
			const a = await f.getId(poolId, { [OIDC_KEY]: await f.tokens.oidc(a1) });
			const b = await f.getId(poolId, {
				[OIDC_KEY]: await f.tokens.oidc(a2),
				[GOOGLE]: await f.tokens.google(g),
			});
			// Merging b into a (or a into b) would give one identity two oidc.example.com users.
			await rejectsWith(
				f.app.send(
					new GetIdCommand({
						IdentityPoolId: poolId,
						Logins: {
							[OIDC_KEY]: await f.tokens.oidc(a1),
							[GOOGLE]: await f.tokens.google(g),
						},
					}),
				),
				"ResourceConflictException",
				/oidc\.example\.com/,
			);
			await rejectsWith(
				f.app.send(
					new GetOpenIdTokenCommand({
						IdentityId: a,
						Logins: {
							[OIDC_KEY]: await f.tokens.oidc(a1),
							[GOOGLE]: await f.tokens.google(g),
						},
					}),
				),
				"ResourceConflictException",
			);
			// A new user of a provider already linked: the same conflict.
			await rejectsWith(
				f.app.send(
					new GetCredentialsForIdentityCommand({
						IdentityId: b,
						Logins: {
							[GOOGLE]: await f.tokens.google(g),
							[OIDC_KEY]: await f.tokens.oidc(user("o")),
						},
					}),
				),
				"ResourceConflictException",
			);
			assert.deepEqual(await f.loginsOf(a), [OIDC_KEY]);
			assert.deepEqual(await f.loginsOf(b), [GOOGLE, OIDC_KEY].sort());
			await assertActive(a);
			await assertActive(b);
		});
	});

	describe("guests who sign in", () => {
		test("with a new login, through GetOpenIdToken: the guest keeps its id, now authenticated", async () => {
			const guest = await f.getId(poolId);
			const o = user("o");
			const out = await f.app.send(
				new GetOpenIdTokenCommand({
					IdentityId: guest,
					Logins: { [OIDC_KEY]: await f.tokens.oidc(o) },
				}),
			);
			assert.equal(out.IdentityId, guest);
			const amr = decodeJwt(out.Token as string).amr as string[];
			assert.equal(amr[0], "authenticated");
			assert.deepEqual(await f.loginsOf(guest), [OIDC_KEY]);
			assert.equal(
				await f.getId(poolId, { [OIDC_KEY]: await f.tokens.oidc(o) }),
				guest,
			);
			// An identity with a login no longer gets guest credentials.
			await rejectsWith(
				f.app.send(new GetCredentialsForIdentityCommand({ IdentityId: guest })),
				NA,
				MESSAGES.forbidden(guest),
			);
		});

		test("with a new login, through GetCredentialsForIdentity: the guest keeps its id, authenticated role", async () => {
			const guest = await f.getId(poolId);
			const g = user("g");
			const out = await f.app.send(
				new GetCredentialsForIdentityCommand({
					IdentityId: guest,
					Logins: { [GOOGLE]: await f.tokens.google(g) },
				}),
			);
			assert.equal(out.IdentityId, guest);
			const stored = await f.ts.server.store.credentials.get(
				out.Credentials?.AccessKeyId as string,
			);
			assert.equal(stored?.roleArn, AUTH_ROLE);
			assert.equal(stored?.identityId, guest);
			assert.deepEqual(await f.loginsOf(guest), [GOOGLE]);
		});

		test("with a login linked elsewhere: the answer is that identity, and the guest is disabled", async () => {
			// The guests are older than the identity they move to: age does not decide here.
			const guest1 = await f.getId(poolId);
			const guest2 = await f.getId(poolId);
			await delay(5);
			const o = user("o");
			const owner = await f.getId(poolId, {
				[OIDC_KEY]: await f.tokens.oidc(o),
			});
			const creds = await f.app.send(
				new GetCredentialsForIdentityCommand({
					IdentityId: guest1,
					Logins: { [OIDC_KEY]: await f.tokens.oidc(o) },
				}),
			);
			assert.equal(creds.IdentityId, owner);
			const stored = await f.ts.server.store.credentials.get(
				creds.Credentials?.AccessKeyId as string,
			);
			assert.equal(stored?.identityId, owner);
			assert.equal(stored?.roleArn, AUTH_ROLE);
			await assertDisabled(guest1);

			const token = await f.app.send(
				new GetOpenIdTokenCommand({
					IdentityId: guest2,
					Logins: { [OIDC_KEY]: await f.tokens.oidc(o) },
				}),
			);
			assert.equal(token.IdentityId, owner);
			assert.equal(decodeJwt(token.Token as string).sub, owner);
			await assertDisabled(guest2);
			assert.deepEqual(await f.loginsOf(owner), [OIDC_KEY]);
			await assertActive(owner);
		});
	});
	test("with a login linked elsewhere and a new one: both end up on that identity", async () => {
		const guest = await f.getId(poolId);
		const g = user("g");
		const owner = await f.getId(poolId, {
			[GOOGLE]: await f.tokens.google(g),
		});
		const fb = user("fb");
		const out = await f.app.send(
			new GetOpenIdTokenCommand({
				IdentityId: guest,
				Logins: {
					[FACEBOOK]: f.tokens.facebook(fb),
					[GOOGLE]: await f.tokens.google(g),
				},
			}),
		);
		assert.equal(out.IdentityId, owner);
		assert.deepEqual(await f.loginsOf(owner), [FACEBOOK, GOOGLE].sort());
		await assertDisabled(guest);
	});

	test("a former guest that signed in counts as authenticated: named, it absorbs the other", async () => {
		const guest = await f.getId(poolId);
		const o = user("o");
		await f.app.send(
			new GetOpenIdTokenCommand({
				IdentityId: guest,
				Logins: { [OIDC_KEY]: await f.tokens.oidc(o) },
			}),
		);
		const g = user("g");
		const other = await f.getId(poolId, {
			[GOOGLE]: await f.tokens.google(g),
		});
		const out = await f.app.send(
			new GetOpenIdTokenCommand({
				IdentityId: guest,
				Logins: {
					[OIDC_KEY]: await f.tokens.oidc(o),
					[GOOGLE]: await f.tokens.google(g),
				},
			}),
		);
		assert.equal(out.IdentityId, guest);
		assert.deepEqual(await f.loginsOf(guest), [GOOGLE, OIDC_KEY].sort());
		await assertDisabled(other);
	});
});

describe("the logins limit after a merge", () => {
	const f = useFederation({ config: { maxLogins: 2 } });
	let poolId: string;
	before(async () => {
		poolId = await f.pool();
	});

	test("GetId answers LimitExceededException, GetOpenIdToken InvalidParameterException", async () => {
		const o = await f.tokens.oidc("limit-o");
		const g = await f.tokens.google("limit-g");
		const a = await f.getId(poolId, { [OIDC_KEY]: o, [GOOGLE]: g });
		const fb = f.tokens.facebook("limit-fb");
		await rejectsWith(
			f.app.send(
				new GetIdCommand({
					IdentityPoolId: poolId,
					Logins: { [OIDC_KEY]: o, [FACEBOOK]: fb },
				}),
			),
			"LimitExceededException",
		);
		await rejectsWith(
			f.app.send(
				new GetOpenIdTokenCommand({
					IdentityId: a,
					Logins: { [OIDC_KEY]: o, [FACEBOOK]: fb },
				}),
			),
			"InvalidParameterException",
		);
		assert.deepEqual(await f.loginsOf(a), [GOOGLE, OIDC_KEY].sort());
	});
});
