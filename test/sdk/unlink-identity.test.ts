/**
 * UnlinkIdentity through the official JS v3 client (unsigned) against a real server with
 * federated providers (docs/behaviour.md#unlinkidentity and docs/behaviour.md#identities): the caller proves ownership with a
 * login linked to the identity; unlinked logins make a new identity the next time they are
 * seen; removing the last login leaves the identity inaccessible.
 */
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import {
	GetCredentialsForIdentityCommand,
	GetOpenIdTokenCommand,
	GetOpenIdTokenForDeveloperIdentityCommand,
	UnlinkIdentityCommand,
	type UnlinkIdentityCommandInput,
} from "@aws-sdk/client-cognito-identity";
import {
	AMAZON,
	DEV,
	FACEBOOK,
	GOOGLE,
	MESSAGES,
	OIDC_KEY,
	TWITTER,
	useFederation,
} from "../support/federation.ts";
import { listAllIdentities } from "../support/identities.ts";
import { rejectsWith } from "../support/server.ts";

const NA = "NotAuthorizedException";

describe("UnlinkIdentity (JS v3 SDK, unsigned)", () => {
	const f = useFederation();
	let poolId: string;
	before(async () => {
		poolId = await f.pool();
	});

	let n = 0;
	const user = (label: string) => `${label}-${++n}`;
	const unlink = (input: UnlinkIdentityCommandInput) =>
		f.app.send(new UnlinkIdentityCommand(input));

	/** An identity with an OpenID Connect user and a Google user; answers both users too. */
	async function twoLogins() {
		const o = user("o");
		const g = user("g");
		const id = await f.getId(poolId, {
			[OIDC_KEY]: await f.tokens.oidc(o),
			[GOOGLE]: await f.tokens.google(g),
		});
		return { id, o, g };
	}

	test("removes a provider's login after proof; the unlinked user gets a new identity next time", async () => {
		const { id, o, g } = await twoLogins();
		const out = await unlink({
			IdentityId: id,
			Logins: { [OIDC_KEY]: await f.tokens.oidc(o) },
			LoginsToRemove: [GOOGLE],
		});
		assert.equal(out.$metadata.httpStatusCode, 200);
		assert.deepEqual(await f.loginsOf(id), [OIDC_KEY]);
		// The identity keeps working with the login it still has.
		const creds = await f.app.send(
			new GetCredentialsForIdentityCommand({
				IdentityId: id,
				Logins: { [OIDC_KEY]: await f.tokens.oidc(o) },
			}),
		);
		assert.equal(creds.IdentityId, id);
		// The Google user is new to the pool now.
		const next = await f.getId(poolId, { [GOOGLE]: await f.tokens.google(g) });
		assert.notEqual(next, id);
		assert.deepEqual(await f.loginsOf(next), [GOOGLE]);
		// ...and no longer proves the first identity.
		await rejectsWith(
			f.app.send(
				new GetOpenIdTokenCommand({
					IdentityId: id,
					Logins: { [GOOGLE]: await f.tokens.google(g) },
				}),
			),
			NA,
			MESSAGES.loginsDontMatch,
		);
	});

	test("the proof may be the login removed; opaque-token providers unlink too", async () => {
		const fb = user("fb");
		const amz = `amzn1.account.${user("a")}`;
		const id = await f.getId(poolId, {
			[FACEBOOK]: f.tokens.facebook(fb),
			[AMAZON]: f.tokens.amazon(amz),
			[TWITTER]: f.tokens.twitter("31337"),
		});
		await unlink({
			IdentityId: id,
			Logins: { [FACEBOOK]: f.tokens.facebook(fb) },
			LoginsToRemove: [FACEBOOK, TWITTER],
		});
		assert.deepEqual(await f.loginsOf(id), [AMAZON]);
		assert.notEqual(
			await f.getId(poolId, { [FACEBOOK]: f.tokens.facebook(fb) }),
			id,
		);
		assert.equal(await f.getId(poolId, { [AMAZON]: f.tokens.amazon(amz) }), id);
	});

	test("removing the last login leaves the identity inaccessible", async () => {
		const o = user("o");
		const id = await f.getId(poolId, { [OIDC_KEY]: await f.tokens.oidc(o) });
		await unlink({
			IdentityId: id,
			Logins: { [OIDC_KEY]: await f.tokens.oidc(o) },
			LoginsToRemove: [OIDC_KEY],
		});
		// Still described, without logins; listed, but hidden by HideDisabled.
		assert.equal(await f.loginsOf(id), undefined);
		const all = await listAllIdentities(f.admin, poolId);
		assert.ok(all.some((i) => i.IdentityId === id));
		const active = await listAllIdentities(f.admin, poolId, {
			hideDisabled: true,
		});
		assert.ok(!active.some((i) => i.IdentityId === id));
		// Not turned back into a guest: every token or credential request is forbidden.
		for (const logins of [undefined, { [OIDC_KEY]: await f.tokens.oidc(o) }]) {
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
		await rejectsWith(
			unlink({
				IdentityId: id,
				Logins: { [OIDC_KEY]: await f.tokens.oidc(o) },
				LoginsToRemove: [OIDC_KEY],
			}),
			NA,
			MESSAGES.forbidden(id),
		);
		// The user itself gets a new identity.
		const next = await f.getId(poolId, { [OIDC_KEY]: await f.tokens.oidc(o) });
		assert.notEqual(next, id);
	});

	test("without a valid login linked to the identity: Logins don't match", async () => {
		const { id, o } = await twoLogins();
		const elsewhere = user("g");
		await f.getId(poolId, { [GOOGLE]: await f.tokens.google(elsewhere) });
		const attempts: Record<string, string>[] = [
			{},
			// A valid login of nobody.
			{ [GOOGLE]: await f.tokens.google(user("g")) },
			// A valid login of another identity.
			{ [GOOGLE]: await f.tokens.google(elsewhere) },
		];
		for (const logins of attempts) {
			await rejectsWith(
				unlink({ IdentityId: id, Logins: logins, LoginsToRemove: [OIDC_KEY] }),
				NA,
				MESSAGES.loginsDontMatch,
			);
		}
		// A token that does not verify fails as in every public operation.
		await rejectsWith(
			unlink({
				IdentityId: id,
				Logins: { [OIDC_KEY]: await f.tokens.oidc(o, { aud: "other-app" }) },
				LoginsToRemove: [OIDC_KEY],
			}),
			NA,
			MESSAGES.audience,
		);
		assert.deepEqual(await f.loginsOf(id), [GOOGLE, OIDC_KEY].sort());
	});

	test("a provider that is not linked to the identity: ResourceConflictException", async () => {
		const { id, o } = await twoLogins();
		for (const provider of [FACEBOOK, "login.unknown.example"]) {
			await rejectsWith(
				unlink({
					IdentityId: id,
					Logins: { [OIDC_KEY]: await f.tokens.oidc(o) },
					LoginsToRemove: [provider],
				}),
				"ResourceConflictException",
			);
		}
		// Nothing is removed when one of the providers named is not linked.
		await rejectsWith(
			unlink({
				IdentityId: id,
				Logins: { [OIDC_KEY]: await f.tokens.oidc(o) },
				LoginsToRemove: [GOOGLE, FACEBOOK],
			}),
			"ResourceConflictException",
		);
		assert.deepEqual(await f.loginsOf(id), [GOOGLE, OIDC_KEY].sort());
	});

	test("the developer provider: InvalidParameterException", async () => {
		const o = user("o");
		const { IdentityId } = await f.admin.send(
			new GetOpenIdTokenForDeveloperIdentityCommand({
				IdentityPoolId: poolId,
				Logins: { [DEV]: user("dev"), [OIDC_KEY]: await f.tokens.oidc(o) },
			}),
		);
		const id = IdentityId as string;
		assert.deepEqual(await f.loginsOf(id), [DEV, OIDC_KEY].sort());
		await rejectsWith(
			unlink({
				IdentityId: id,
				Logins: { [OIDC_KEY]: await f.tokens.oidc(o) },
				LoginsToRemove: [DEV],
			}),
			"InvalidParameterException",
		);
		assert.deepEqual(await f.loginsOf(id), [DEV, OIDC_KEY].sort());
		// Unlinking the external login leaves the developer user: still accessible.
		await unlink({
			IdentityId: id,
			Logins: { [OIDC_KEY]: await f.tokens.oidc(o) },
			LoginsToRemove: [OIDC_KEY],
		});
		assert.deepEqual(await f.loginsOf(id), [DEV]);
		const active = await listAllIdentities(f.admin, poolId, {
			hideDisabled: true,
		});
		assert.ok(active.some((i) => i.IdentityId === id));
	});

	test("an unknown identity: ResourceNotFoundException", async () => {
		const id = "us-east-1:00000000-0000-4000-8000-000000000000";
		await rejectsWith(
			unlink({
				IdentityId: id,
				Logins: { [OIDC_KEY]: await f.tokens.oidc("nobody") },
				LoginsToRemove: [OIDC_KEY],
			}),
			"ResourceNotFoundException",
			MESSAGES.notFound(id),
		);
	});

	test("a merged-away identity cannot be unlinked: forbidden", async () => {
		const o = user("o");
		const g = user("g");
		const a = await f.getId(poolId, { [OIDC_KEY]: await f.tokens.oidc(o) });
		await new Promise((r) => setTimeout(r, 5));
		const b = await f.getId(poolId, { [GOOGLE]: await f.tokens.google(g) });
		assert.equal(
			await f.getId(poolId, {
				[OIDC_KEY]: await f.tokens.oidc(o),
				[GOOGLE]: await f.tokens.google(g),
			}),
			a,
		);
		await rejectsWith(
			unlink({
				IdentityId: b,
				Logins: { [GOOGLE]: await f.tokens.google(g) },
				LoginsToRemove: [GOOGLE],
			}),
			NA,
			MESSAGES.forbidden(b),
		);
	});
});
