import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
	CreateIdentityPoolCommand,
	DeleteIdentityPoolCommand,
	GetIdCommand,
	GetOpenIdTokenForDeveloperIdentityCommand,
	ListIdentitiesCommand,
	type ListIdentitiesCommandOutput,
	LookupDeveloperIdentityCommand,
	UpdateIdentityPoolCommand,
	type UpdateIdentityPoolCommandInput,
} from "@aws-sdk/client-cognito-identity";
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { FakeClock } from "../../src/lib/clock.ts";
import { freshSchema } from "../support/postgres.ts";
import { sdkClient, startServer, type TestServer } from "../support/server.ts";
import { describeForEngine } from "../support/stores.ts";

const DEV = "login.example.app";
const ISSUER = "http://idpool.test";

describeForEngine("postgres", "two servers on one PostgreSQL database", () => {
	let schema: Awaited<ReturnType<typeof freshSchema>>;
	let a: TestServer;
	let b: TestServer;
	const clockA = new FakeClock(Date.now());
	const clockB = new FakeClock(Date.now());
	before(async () => {
		schema = await freshSchema();
		// Both start at once: migrations run once, one first signing key.
		[a, b] = await Promise.all([
			startServer({
				config: { db: schema.url, issuer: ISSUER },
				clock: clockA,
			}),
			startServer({
				config: { db: schema.url, issuer: ISSUER },
				clock: clockB,
			}),
		]);
	});
	after(async () => {
		await Promise.all([a?.stop(), b?.stop()]);
		await schema?.drop();
	});

	test("the same developer users hammered through both: exactly one identity each", async () => {
		const ca = sdkClient(a.url);
		const cb = sdkClient(b.url);
		const pool = await ca.send(
			new CreateIdentityPoolCommand({
				IdentityPoolName: "multi",
				AllowUnauthenticatedIdentities: false,
				DeveloperProviderName: DEV,
			}),
		);
		const poolId = pool.IdentityPoolId as string;
		const users = Array.from({ length: 25 }, (_, i) => `user-${i}`);
		const calls = users.flatMap((user) =>
			[ca, cb, ca, cb].map((client) =>
				client
					.send(
						new GetOpenIdTokenForDeveloperIdentityCommand({
							IdentityPoolId: poolId,
							Logins: { [DEV]: user },
						}),
					)
					.then((out) => ({ user, id: out.IdentityId as string })),
			),
		);
		const answers = await Promise.all(calls);
		const byUser = new Map<string, Set<string>>();
		for (const { user, id } of answers)
			byUser.set(user, (byUser.get(user) ?? new Set()).add(id));
		for (const [user, ids] of byUser)
			assert.equal(ids.size, 1, `${user} got ${[...ids].join(", ")}`);

		// Listed through the other server: exactly 25 identities, none repeated.
		const listed: string[] = [];
		let token: string | undefined;
		do {
			const page: ListIdentitiesCommandOutput = await cb.send(
				new ListIdentitiesCommand({
					IdentityPoolId: poolId,
					MaxResults: 7,
					NextToken: token,
				}),
			);
			listed.push(
				...(page.Identities ?? []).map((i) => i.IdentityId as string),
			);
			token = page.NextToken;
		} while (token);
		assert.equal(listed.length, 25);
		assert.equal(new Set(listed).size, 25);
		for (const user of users) {
			const found = await cb.send(
				new LookupDeveloperIdentityCommand({
					IdentityPoolId: poolId,
					DeveloperUserIdentifier: user,
				}),
			);
			assert.deepEqual([...(byUser.get(user) ?? [])], [found.IdentityId]);
		}
		ca.destroy();
		cb.destroy();
	});

	test("a token issued by one server verifies with the other's JWKS; a rotation on one is served by both", async () => {
		const ca = sdkClient(a.url);
		const pool = await ca.send(
			new CreateIdentityPoolCommand({
				IdentityPoolName: "keys",
				AllowUnauthenticatedIdentities: false,
				DeveloperProviderName: DEV,
			}),
		);
		const poolId = pool.IdentityPoolId as string;
		const mint = async (client: ReturnType<typeof sdkClient>) =>
			(
				await client.send(
					new GetOpenIdTokenForDeveloperIdentityCommand({
						IdentityPoolId: poolId,
						Logins: { [DEV]: "k" },
					}),
				)
			).Token as string;
		const cb = sdkClient(b.url);
		const verifyWith = (server: TestServer, jwt: string) =>
			jwtVerify(
				jwt,
				createRemoteJWKSet(new URL("/.well-known/jwks_uri", server.url)),
				{
					issuer: ISSUER,
					audience: poolId,
					algorithms: ["RS512"],
				},
			);
		const fromA = await mint(ca);
		const fromB = await mint(cb);
		await verifyWith(b, fromA);
		await verifyWith(a, fromB);
		const oldKid = decodeProtectedHeader(fromA).kid;
		assert.equal(decodeProtectedHeader(fromB).kid, oldKid);

		// Rotate on A. B publishes the new key within one reload interval (30 s).
		const rotated = await a.server.keys.rotate();
		clockB.advanceBy(31_000);
		// The first request after the interval starts B's reload in the background; the key is
		// served as soon as that read completes.
		const hasRotated = (jwks: { keys: { kid: string }[] }) =>
			jwks.keys.some((k) => k.kid === rotated.kid);
		let jwksB: { keys: { kid: string }[] } = { keys: [] };
		for (let i = 0; i < 50 && !hasRotated(jwksB); i++) {
			if (i > 0) await new Promise((r) => setTimeout(r, 20));
			const res = await fetch(new URL("/.well-known/jwks_uri", b.url));
			jwksB = (await res.json()) as typeof jwksB;
		}
		assert.ok(hasRotated(jwksB), "B publishes the rotated key");

		// Past the rotation delay both sign with the new key, and each verifies the other's.
		clockA.advanceBy(61_000);
		clockB.advanceBy(30_000);
		const newA = await mint(ca);
		const newB = await mint(cb);
		assert.equal(decodeProtectedHeader(newA).kid, rotated.kid);
		assert.equal(decodeProtectedHeader(newB).kid, rotated.kid);
		await verifyWith(b, newA);
		await verifyWith(a, newB);
		await verifyWith(b, fromA); // the old key stays published
		ca.destroy();
		cb.destroy();
	});

	test("a pool updated or deleted through one server is seen by the other's next call (its cache is checked)", async () => {
		const ca = sdkClient(a.url);
		const cb = sdkClient(b.url);
		const created = await ca.send(
			new CreateIdentityPoolCommand({
				IdentityPoolName: "cached",
				AllowUnauthenticatedIdentities: true,
			}),
		);
		const poolId = created.IdentityPoolId as string;
		const update = (changes: Partial<UpdateIdentityPoolCommandInput>) =>
			ca.send(
				new UpdateIdentityPoolCommand({
					IdentityPoolId: poolId,
					IdentityPoolName: "cached",
					AllowUnauthenticatedIdentities: true,
					...changes,
				}),
			);
		const developer = (user: string) =>
			cb.send(
				new GetOpenIdTokenForDeveloperIdentityCommand({
					IdentityPoolId: poolId,
					Logins: { [DEV]: user },
				}),
			);
		// B reads the pool (and keeps it): guests allowed.
		await cb.send(new GetIdCommand({ IdentityPoolId: poolId }));
		await update({ AllowUnauthenticatedIdentities: false });
		await assert.rejects(
			cb.send(new GetIdCommand({ IdentityPoolId: poolId })),
			{ name: "NotAuthorizedException" },
		);
		// B now keeps the pool that refuses guests; A allows them again.
		await update({ AllowUnauthenticatedIdentities: true });
		const guest = await cb.send(new GetIdCommand({ IdentityPoolId: poolId }));
		assert.ok(guest.IdentityId);

		// No developer provider yet: refused on B, then accepted once A sets one.
		await assert.rejects(developer("dora"), {
			name: "NotAuthorizedException",
			message: /does not support the specified developer provider/,
		});
		await update({ DeveloperProviderName: DEV });
		const dora = await developer("dora");
		assert.ok(dora.IdentityId);
		assert.equal((await developer("dora")).IdentityId, dora.IdentityId);

		// Deleted through A: B's next call for a returning user does not find the pool.
		await ca.send(new DeleteIdentityPoolCommand({ IdentityPoolId: poolId }));
		await assert.rejects(developer("dora"), {
			name: "ResourceNotFoundException",
		});
		await assert.rejects(
			cb.send(new GetIdCommand({ IdentityPoolId: poolId })),
			{ name: "ResourceNotFoundException" },
		);
		ca.destroy();
		cb.destroy();
	});
});
