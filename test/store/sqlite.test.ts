/**
 * @module test/store/sqlite.test
 * The SQLite store: the conformance suite on a file and in memory, then what only SQLite
 * has: WAL mode, several connections (as several processes would open) on one file, and
 * real concurrent processes on one file.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { unlinkSync } from "node:fs";
import { test } from "node:test";
import Database from "better-sqlite3";
import type { PoolKey, PoolRecord } from "../../src/domain/records.ts";
import { MIGRATIONS } from "../../src/store/sqlite/migrations.ts";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.ts";
import type { Store } from "../../src/store/store.ts";
import { sqliteScratch } from "../support/files.ts";
import { DEVELOPER, dev, signIn } from "../support/logins.ts";
import { describeForEngine } from "../support/stores.ts";
import {
	createPool,
	newPoolKey,
	purgeAll,
	settings,
	T0,
} from "./conformance/builders.ts";
import { describeStoreConformance } from "./conformance/index.ts";
import {
	assertPurgesUpgrade,
	assertRolesUpgrade,
	assertTagMapsUpgrade,
	BEFORE_PURGES,
	BEFORE_ROLES,
	BEFORE_TAG_MAPS,
	type OldPool,
} from "./upgrades.ts";

const { newFile } = sqliteScratch("store");

describeStoreConformance("sqlite (file)", async () =>
	openSqliteStore(newFile()),
);
describeStoreConformance("sqlite (:memory:)", async () =>
	openSqliteStore(":memory:"),
);

async function openMigrated(file: string): Promise<Store> {
	const store = openSqliteStore(file);
	await store.migrate();
	return store;
}

/** Runs `body` with two stores on one new file (as two processes open it), closing both after. */
async function withTwoStores(
	body: (a: Store, b: Store) => Promise<void>,
): Promise<void> {
	const file = newFile();
	const a = await openMigrated(file);
	const b = await openMigrated(file);
	try {
		await body(a, b);
	} finally {
		await a.close();
		await b.close();
	}
}

describeForEngine("sqlite", "sqlite store: engine specifics", () => {
	test("the file is in WAL mode", async () => {
		const file = newFile();
		const store = await openMigrated(file);
		try {
			assert.equal(store.engine, "sqlite");
			// Without the checkpoint worker (a server's), there is nothing to tell.
			assert.equal(store.describe?.(), undefined);
			const db = new Database(file, { readonly: true });
			try {
				assert.equal(db.pragma("journal_mode", { simple: true }), "wal");
			} finally {
				db.close();
			}
		} finally {
			await store.close();
		}
	});

	/** Makes `n` developer users in `pool`, committed in groups of 500. */
	async function populate(store: Store, pool: PoolKey, n: number) {
		for (let i = 0; i < n; i += 500) {
			await Promise.all(
				Array.from({ length: Math.min(500, n - i) }, (_, j) =>
					signIn(store, pool, dev(`user-${i + j}-${"x".repeat(40)}`), T0),
				),
			);
		}
	}

	/** The file's `auto_vacuum`, free pages and pages, read by a connection of its own. */
	function pages(file: string) {
		const db = new Database(file, { readonly: true });
		try {
			return {
				autoVacuum: db.pragma("auto_vacuum", { simple: true }) as number,
				free: db.pragma("freelist_count", { simple: true }) as number,
				total: db.pragma("page_count", { simple: true }) as number,
			};
		} finally {
			db.close();
		}
	}

	test("a purge cut short is taken up once the file is opened again; a new file gives the free pages back", async () => {
		const file = newFile();
		let store = await openMigrated(file);
		const pool = await createPool(store);
		const other = await createPool(store);
		try {
			await populate(store, pool, 3000);
			await signIn(store, other, dev("kept"), T0);
			await store.pools.delete(pool, T0 + 1);
			assert.deepEqual(await store.pools.purge(pool.poolId, 500), {
				removed: 500,
				done: false,
			});
			await store.close();
			store = await openMigrated(file);
			assert.deepEqual(await store.pools.awaitingPurge(), [pool.poolId]);
			const batches = await purgeAll(store, pool.poolId, 500);
			assert.deepEqual(batches, [500, 500, 500, 500, 500, 0]);
			const before = pages(file);
			// A new file is made with incremental auto-vacuum: the purge's free pages can go.
			assert.equal(before.autoVacuum, 2);
			assert.ok(before.free > before.total / 2, JSON.stringify(before));
			let steps = 0;
			while ((await store.reclaimSpace?.(100)) !== 0) steps++;
			assert.ok(steps > 1, `${steps} steps`);
			const after = pages(file);
			assert.equal(after.free, 0);
			assert.ok(
				after.total < before.total / 2,
				JSON.stringify({ before, after }),
			);
			assert.equal(
				(
					await store.identities.list(other.poolId, {
						limit: 10,
						hideDisabled: false,
					})
				).items.length,
				1,
			);
		} finally {
			await store.close();
		}
	});

	test("a file made before incremental auto-vacuum keeps its free pages until vacuum() rewrites it", async () => {
		const file = newFile();
		// A table before the store's first open: the file's mode is SQLite's default (none).
		const old = new Database(file);
		old.exec("CREATE TABLE made_before (x)");
		old.close();
		const store = await openMigrated(file);
		try {
			const pool = await createPool(store);
			await populate(store, pool, 1000);
			await store.pools.delete(pool, T0 + 1);
			await purgeAll(store, pool.poolId);
			const before = pages(file);
			assert.equal(before.autoVacuum, 0);
			assert.ok(before.free > 0);
			assert.equal(await store.reclaimSpace?.(100), 0);
			assert.equal(pages(file).free, before.free);
			const sizes = await store.vacuum?.();
			assert.ok(
				sizes && sizes.afterBytes < sizes.beforeBytes,
				JSON.stringify(sizes),
			);
			const after = pages(file);
			assert.deepEqual([after.autoVacuum, after.free], [2, 0]);
		} finally {
			await store.close();
		}
	});

	test("a store is unusable before migrate()", async () => {
		const store = openSqliteStore(":memory:");
		try {
			assert.throws(() => store.pools);
		} finally {
			await store.close();
		}
	});

	test("two stores on one file see each other's writes and keep logins unique", async () => {
		await withTwoStores(async (a, b) => {
			const pool = await createPool(a);
			assert.ok(await b.pools.get(pool));

			const first = await signIn(a, pool, dev("u-1"), T0 + 1);
			assert.equal(first.created, true);
			assert.deepEqual(await signIn(b, pool, dev("u-1"), T0 + 2), {
				identityId: first.identityId,
				created: false,
			});
			assert.equal(
				(await b.identities.findByLogin(pool.poolId, dev("u-1")))?.identityId,
				first.identityId,
			);

			// Interleaved first logins of new users through both connections.
			const users = ["u-2", "u-3", "u-4"];
			const answers = await Promise.all(
				Array.from({ length: 30 }, (_, i) =>
					signIn(
						i % 2 === 0 ? a : b,
						pool,
						dev(users[i % users.length] as string),
						T0 + 10 + i,
					).then((r) => ({ user: users[i % users.length], ...r })),
				),
			);
			for (const user of users) {
				const ids = new Set(
					answers.filter((r) => r.user === user).map((r) => r.identityId),
				);
				assert.equal(ids.size, 1, `one identity for ${user}`);
			}
			const listed = await b.identities.list(pool.poolId, {
				limit: 100,
				hideDisabled: false,
			});
			assert.equal(listed.items.length, 1 + users.length);

			// Signing keys: one first key between the two.
			const key = (n: number) => ({
				kid: `kid-${n}`,
				alg: "RS512",
				publicJwk: { kty: "RSA", n: `n${n}`, e: "AQAB" },
				privateKeyPem: `pem-${n}`,
				createdAt: T0,
				activatesAt: T0,
			});
			const inserted = await Promise.all([
				a.signingKeys.insertFirst(key(1)),
				b.signingKeys.insertFirst(key(2)),
			]);
			assert.equal(inserted.filter(Boolean).length, 1);
			assert.deepEqual(await a.signingKeys.list(), await b.signingKeys.list());

			// Deletes through one are seen by the other.
			assert.equal(await b.pools.delete(pool, T0), true);
			assert.equal(await a.pools.get(pool), undefined);
			assert.equal(await a.identities.get(first.identityId), undefined);
		});
	});

	test("a pool read through one connection is read anew once another connection or its own writes change it", async () => {
		await withTwoStores(async (a, b) => {
			const pool = await createPool(a, {
				settings: { IdentityPoolName: "shared" },
			});
			const name = async () =>
				(await a.pools.get(pool))?.settings.IdentityPoolName;
			assert.equal(await name(), "shared");
			// Another connection (another process on the file) changes the pool.
			await b.pools.update(
				pool,
				(current) => ({
					settings: { ...current.settings, IdentityPoolName: "renamed" },
					tags: current.tags,
				}),
				T0 + 1,
			);
			assert.equal(await name(), "renamed");
			// Roles set through `writer` are what `a` reads next.
			const rolesSeen = async (writer: Store, role: string, now: number) => {
				const roles = {
					authenticated: `arn:aws:iam::111111111111:role/${role}`,
				};
				await writer.pools.setRoles(pool, roles, undefined, now);
				assert.deepEqual((await a.pools.get(pool))?.roles, roles);
			};
			await rolesSeen(b, "b", T0 + 2);
			// Its own writes.
			await rolesSeen(a, "a", T0 + 3);
			await a.pools.setPrincipalTagMap(
				pool,
				DEVELOPER,
				{ useDefaults: false, principalTags: { k: "v" } },
				T0 + 4,
				() => {},
			);
			assert.equal((await a.pools.get(pool))?.updatedAt, T0 + 4);
			// What a caller is given cannot be changed under the next one.
			const read = (await a.pools.get(pool)) as PoolRecord;
			assert.throws(() => {
				(read.settings as { IdentityPoolName: string }).IdentityPoolName = "x";
			}, TypeError);
			assert.equal(await name(), "renamed");
			// The pool is answered only in its own account and region.
			assert.equal(
				await a.pools.get({ ...pool, accountId: "222222222222" }),
				undefined,
			);
			assert.equal(
				await a.pools.get({ ...pool, region: "eu-west-1" }),
				undefined,
			);
			assert.equal(await b.pools.delete(pool, T0), true);
			assert.equal(await a.pools.get(pool), undefined);
			assert.equal(await a.pools.findById(pool.poolId), undefined);
		});
	});

	test("changes asked for in one turn commit together; one that fails is rolled back alone", async () => {
		const store = await openMigrated(newFile());
		try {
			const pool = await createPool(store);
			const taken = await signIn(store, pool, dev("taken"), T0);
			const broken = `us-east-1:${randomUUID()}`;
			// All asked for before any is committed: one group.
			const outcomes = await Promise.allSettled([
				signIn(store, pool, dev("a"), T0 + 1),
				// Writes its identity, then collides on a login another identity holds.
				store.identities.change(
					pool,
					{ identityIds: [], logins: [] },
					() => ({
						change: {
							create: { identityId: broken, authenticated: true },
							link: [{ identityId: broken, login: dev("taken") }],
						},
						result: broken,
					}),
					T0 + 2,
				),
				store.identities.change(
					pool,
					{ identityIds: [], logins: [] },
					() => {
						throw new Error("refused by its plan");
					},
					T0 + 3,
				),
				signIn(store, pool, dev("a"), T0 + 4),
				signIn(store, pool, dev("b"), T0 + 5),
			]);
			const [a, collided, refused, aAgain, b] = outcomes;
			assert.equal(a?.status, "fulfilled");
			assert.equal(collided?.status, "rejected");
			assert.deepEqual(
				refused?.status === "rejected" && (refused.reason as Error).message,
				"refused by its plan",
			);
			assert.equal(b?.status, "fulfilled");
			// The second sign-in of "a" saw the first one's identity, inside the same group.
			assert.deepEqual(aAgain?.status === "fulfilled" && aAgain.value, {
				identityId: a?.status === "fulfilled" && a.value.identityId,
				created: false,
			});
			assert.equal(await store.identities.get(broken), undefined);
			assert.equal(
				await store.identities.ownerOf(pool.poolId, dev("taken")),
				taken.identityId,
			);
			const listed = await store.identities.list(pool.poolId, {
				limit: 10,
				hideDisabled: false,
			});
			assert.equal(listed.items.length, 3);
		} finally {
			await store.close();
		}
	});

	test("a busy store's group also takes the changes of the next turns; an idle one commits at the end of the turn", async () => {
		const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
		// Busy: a commit less than the busy gap ago. The gap and the window are long here, so
		// that a loaded machine's slow turns cannot make the store idle or close the group
		// before the next turn (a server keeps 20 and 4 ms).
		const busy = openSqliteStore(newFile(), {
			groupCommit: { busyGapMs: 60_000, groupWindowMs: 300 },
		});
		await busy.migrate();
		try {
			const identities = busy.identities as unknown as { commits: number };
			const pool = await createPool(busy);
			await signIn(busy, pool, dev("warm"), T0);
			const before = identities.commits;
			const first = signIn(busy, pool, dev("one"), T0);
			await nextTurn();
			const second = signIn(busy, pool, dev("two"), T0);
			await Promise.all([first, second]);
			assert.equal(identities.commits - before, 1, "one group for two turns");
		} finally {
			await busy.close();
		}
		// Idle (no commit for longer than the busy gap, here none ever): the first change
		// commits alone at the end of its turn; the second, asked for a turn later, in a group
		// of its own.
		const idle = openSqliteStore(newFile(), {
			groupCommit: { busyGapMs: -1, groupWindowMs: 300 },
		});
		await idle.migrate();
		try {
			const identities = idle.identities as unknown as { commits: number };
			const pool = await createPool(idle);
			const before = identities.commits;
			const third = signIn(idle, pool, dev("three"), T0);
			await nextTurn();
			assert.equal(identities.commits - before, 1, "committed in its turn");
			const fourth = signIn(idle, pool, dev("four"), T0);
			await Promise.all([third, fourth]);
			assert.equal(identities.commits - before, 2);
		} finally {
			await idle.close();
		}
	});

	test("a file deleted under the store: every write is refused, whichever way it goes", async () => {
		const file = newFile();
		const store = await openMigrated(file);
		try {
			const pool = await createPool(store);
			unlinkSync(file);
			const refused = /^The server cannot store data: see its log\.$/;
			const writes: [string, () => Promise<unknown>][] = [
				["pools.create", () => createPool(store)],
				[
					"pools.ensure",
					() =>
						store.pools.ensure(
							{ ...newPoolKey(), settings: settings("e"), tags: {}, now: T0 },
							10,
						),
				],
				["pools.delete", () => store.pools.delete(pool, T0)],
				["identities.change", () => signIn(store, pool, dev("late"), T0)],
				["credentials.prune", () => store.credentials.prune(T0)],
				[
					"credentials.updateSecrets",
					() => store.credentials.updateSecrets(T0, () => "resealed"),
				],
				["signingKeys.prune", () => store.signingKeys.prune(T0)],
				["ping", () => store.ping()],
				["reclaimSpace", () => store.reclaimSpace?.(10) ?? Promise.resolve()],
			];
			for (const [name, write] of writes) {
				await assert.rejects(write(), { message: refused }, name);
			}
		} finally {
			await store.close();
		}
	});

	test("closing the store commits the changes already asked for", async () => {
		const file = newFile();
		const store = await openMigrated(file);
		const pool = await createPool(store);
		const pending = signIn(store, pool, dev("late"), T0);
		await store.close();
		const { identityId, created } = await pending;
		assert.equal(created, true);
		const reopened = await openMigrated(file);
		try {
			assert.equal(
				await reopened.identities.ownerOf(pool.poolId, dev("late")),
				identityId,
			);
		} finally {
			await reopened.close();
		}
	});

	/** A new file with the migrations before `old.before` applied and `old`'s pool row. */
	function fileWithOldPool(old: OldPool): string {
		const file = newFile();
		const raw = new Database(file);
		try {
			raw.exec(
				"CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)",
			);
			for (const m of MIGRATIONS.filter((m) => m.version < old.before)) {
				raw.exec(m.sql);
				raw
					.prepare(
						"INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
					)
					.run(m.version, m.name, T0);
			}
			raw
				.prepare(
					"INSERT INTO identity_pools (pool_id, account_id, region, settings, tags, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
				)
				.run(
					old.key.poolId,
					old.key.accountId,
					old.key.region,
					JSON.stringify(old.settings),
					"{}",
					T0,
					T0,
				);
		} finally {
			raw.close();
		}
		return file;
	}

	test("migration 4 gives pools stored before it no roles and no mappings", async () => {
		const store = await openMigrated(fileWithOldPool(BEFORE_ROLES));
		try {
			await assertRolesUpgrade(store, T0 + 1);
		} finally {
			await store.close();
		}
	});

	test("migration 5 gives pools stored before it no principal tag maps, and deletes maps with their pool", async () => {
		const file = fileWithOldPool(BEFORE_TAG_MAPS);
		const store = await openMigrated(file);
		try {
			await assertTagMapsUpgrade(store, T0 + 1);
		} finally {
			await store.close();
		}
		const check = new Database(file, { readonly: true });
		try {
			assert.deepEqual(
				check.prepare("SELECT count(*) AS n FROM principal_tag_maps").get(),
				{ n: 0 },
			);
		} finally {
			check.close();
		}
	});

	test("migration 7 leaves pools stored before it undeleted; deleted afterwards, they are purged", async () => {
		const store = await openMigrated(fileWithOldPool(BEFORE_PURGES));
		try {
			await assertPurgesUpgrade(store, T0 + 1);
		} finally {
			await store.close();
		}
	});

	test("data survives close and reopen", async () => {
		const file = newFile();
		let store = await openMigrated(file);
		const pool = await createPool(store);
		const user = await signIn(store, pool, dev("persistent"), T0 + 1);
		const key = {
			kid: "kid-persistent",
			alg: "RS512",
			publicJwk: { kty: "RSA", n: "n", e: "AQAB" },
			privateKeyPem: "pem",
			createdAt: T0,
			activatesAt: T0,
		};
		await store.signingKeys.insertFirst(key);
		const poolBefore = await store.pools.get(pool);
		const identityBefore = await store.identities.get(user.identityId);
		await store.close();
		await store.close(); // closing twice is harmless

		store = await openMigrated(file);
		try {
			assert.deepEqual(await store.pools.get(pool), poolBefore);
			assert.deepEqual(
				await store.identities.get(user.identityId),
				identityBefore,
			);
			assert.deepEqual(await store.signingKeys.list(), [key]);
			assert.deepEqual(await signIn(store, pool, dev("persistent"), T0 + 2), {
				identityId: user.identityId,
				created: false,
			});
		} finally {
			await store.close();
		}
	});

	test("concurrent processes on one new file: one schema, one first key, quota, logins and deletes kept", async () => {
		const file = newFile();
		const processes = 4;
		const startAt = Date.now() + 2500;
		const storeUrl = new URL(
			"../../src/store/sqlite/sqlite-store.ts",
			import.meta.url,
		).href;
		const domainUrl = new URL("../../src/domain/identities.ts", import.meta.url)
			.href;
		// Each child: waits for the common start, migrates, tries to insert the first key, then
		// races the others on pool creates (quota 3), on creating one shared pool, on first
		// sign-ins of the same users, and on creating and deleting guests.
		const child = `
			const { openSqliteStore } = await import(${JSON.stringify(storeUrl)});
			const { planLogins } = await import(${JSON.stringify(domainUrl)});
			const { randomUUID } = await import("node:crypto");
			const [file, startAt, who] = process.argv.slice(1);
			while (Date.now() < Number(startAt)) {}
			const out = { keyInserted: false, sharedCreated: false, pools: 0, limits: 0, answers: [], errors: [] };
			const store = openSqliteStore(file);
			try {
				await store.migrate();
				out.keyInserted = await store.signingKeys.insertFirst({
					kid: "kid-" + who, alg: "RS512", publicJwk: { kty: "RSA", n: who, e: "AQAB" },
					privateKeyPem: "pem", createdAt: 1, activatesAt: 1,
				});
				const tenant = { accountId: "111111111111", region: "us-east-1" };
				const settings = { IdentityPoolName: "p", AllowUnauthenticatedIdentities: true, DeveloperProviderName: "${DEVELOPER}" };
				for (let i = 0; i < 3; i++) {
					try {
						await store.pools.create({ ...tenant, poolId: "us-east-1:" + randomUUID(), settings, tags: {}, now: 1 }, 3);
						out.pools++;
					} catch (e) {
						if (e && e.name === "LimitExceededException") out.limits++; else throw e;
					}
				}
				// The shared pool lives alone in a tenant of its own with a quota of 1: whoever
				// comes first creates it.
				const shared = { accountId: "333333333333", region: "us-east-1", poolId: "us-east-1:00000000-0000-4000-8000-000000000000" };
				try {
					await store.pools.create({ ...shared, settings, tags: {}, now: 1 }, 1);
					out.sharedCreated = true;
				} catch (e) {
					if (!e || e.name !== "LimitExceededException") throw e;
				}
				if (!(await store.pools.get(shared))) throw new Error("shared pool missing");
				// Long enough for the processes to overlap many times.
				const until = Date.now() + 1500;
				for (let i = 0; Date.now() < until; i++) {
					const user = "u-" + (i % 5);
					const login = { provider: "${DEVELOPER}", subject: user, kind: "developer" };
					let step = "sign-in";
					try {
						const r = await store.identities.change(shared, { identityIds: [], logins: [login] },
							(s) => planLogins(s, { logins: [login], newIdentityId: "us-east-1:" + randomUUID(),
								maxLogins: 20, flow: "developer", limitError: "parameter" }), 1 + i);
						out.answers.push({ user, identityId: r.identityId });
						step = "guest create";
						const guest = "us-east-1:" + randomUUID();
						await store.identities.change(shared, { identityIds: [], logins: [] },
							() => ({ change: { create: { identityId: guest, authenticated: false } }, result: 0 }), 1);
						step = "identities.delete";
						const [outcome] = await store.identities.delete({ accountId: shared.accountId, region: shared.region }, [guest]);
						if (outcome !== "deleted") out.errors.push(step + " answered " + outcome);
					} catch (e) {
						out.errors.push(step + ": " + String(e && e.code ? e.code : e));
					}
				}
			} catch (e) {
				out.errors.push("setup: " + String(e && e.code ? e.code + " " + e.message : e));
			} finally {
				await store.close();
			}
			process.stdout.write(JSON.stringify(out));
		`;
		const runs = await Promise.all(
			Array.from(
				{ length: processes },
				(_, who) =>
					new Promise<{
						keyInserted: boolean;
						sharedCreated: boolean;
						pools: number;
						limits: number;
						answers: { user: string; identityId: string }[];
						errors: string[];
					}>((resolve, reject) => {
						const proc = spawn(
							process.execPath,
							[
								"--import",
								"tsx",
								"--input-type=module",
								"-e",
								child,
								file,
								String(startAt),
								String(who),
							],
							{ stdio: ["ignore", "pipe", "pipe"] },
						);
						let stdout = "";
						let stderr = "";
						proc.stdout.on("data", (d) => {
							stdout += d;
						});
						proc.stderr.on("data", (d) => {
							stderr += d;
						});
						proc.on("error", reject);
						proc.on("close", (code) => {
							if (code !== 0) {
								reject(new Error(`child ${who} exited ${code}: ${stderr}`));
								return;
							}
							try {
								resolve(JSON.parse(stdout));
							} catch {
								reject(new Error(`child ${who}: ${stdout} ${stderr}`));
							}
						});
					}),
			),
		);
		const errors: Record<string, number> = {};
		for (const e of runs.flatMap((r) => r.errors))
			errors[e] = (errors[e] ?? 0) + 1;
		assert.deepEqual(errors, {}, "no child saw an error (error: count)");
		assert.equal(runs.filter((r) => r.keyInserted).length, 1);
		assert.equal(runs.filter((r) => r.sharedCreated).length, 1);
		assert.equal(
			runs.reduce((n, r) => n + r.pools, 0),
			3,
		);
		assert.equal(
			runs.reduce((n, r) => n + r.limits, 0),
			processes * 3 - 3,
		);
		const answers = runs.flatMap((r) => r.answers);
		assert.ok(answers.length >= processes * 5);
		const byUser = new Map<string, Set<string>>();
		for (const a of answers) {
			const ids = byUser.get(a.user) ?? new Set();
			ids.add(a.identityId);
			byUser.set(a.user, ids);
		}
		for (const [user, ids] of byUser) assert.equal(ids.size, 1, user);

		const store = await openMigrated(file);
		try {
			assert.equal((await store.signingKeys.list()).length, 1);
			const pools = await store.pools.list(
				{ accountId: "111111111111", region: "us-east-1" },
				{ limit: 100 },
			);
			assert.equal(pools.items.length, 3);
			const db = new Database(file, { readonly: true });
			try {
				const versions = db
					.prepare("SELECT version FROM schema_migrations ORDER BY version")
					.all() as { version: number }[];
				assert.equal(
					new Set(versions.map((v) => v.version)).size,
					versions.length,
				);
			} finally {
				db.close();
			}
		} finally {
			await store.close();
		}
	});
});
