/**
 * @module test/store/checkpointer.test
 * SQLite checkpoints on a worker thread (src/store/sqlite/checkpointer.ts): the shared store
 * suite with the worker running, the WAL kept bounded by the worker alone, the group commit's
 * pause, and the fallbacks to the connection's own checkpoints.
 */
import assert from "node:assert/strict";
import { statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import Database from "better-sqlite3";
import type { PoolKey } from "../../src/domain/records.ts";
import {
	type CheckpointerOptions,
	WalCheckpointer,
} from "../../src/store/sqlite/checkpointer.ts";
import { openSqliteStore } from "../../src/store/sqlite/sqlite-store.ts";
import type { Store } from "../../src/store/store.ts";
import { sqliteScratch } from "../support/files.ts";
import { dev, signIn } from "../support/logins.ts";
import { describeForEngine } from "../support/stores.ts";
import {
	AUTH_ROLE,
	createPool as createPoolWith,
	credential,
	HOME,
	newPoolKey,
	settings,
	signingKey,
	T0,
} from "./conformance/builders.ts";
import { describeStoreConformance } from "./conformance/index.ts";

const { dir, newFile } = sqliteScratch("checkpoints");

describeStoreConformance("sqlite (file, checkpoints on a worker)", async () =>
	openSqliteStore(newFile(), { backgroundCheckpoints: true }),
);

/** The worker a store runs, if any (SqliteStore exposes it for tests). */
function checkpointerOf(store: Store): WalCheckpointer | undefined {
	return (store as unknown as { checkpointer?: WalCheckpointer }).checkpointer;
}

async function openWithWorker(
	file: string,
	options: CheckpointerOptions,
): Promise<Store> {
	const store = openSqliteStore(file, { backgroundCheckpoints: options });
	await store.migrate();
	return store;
}

/** The pools of these tests: developer sign-ins only, no guests. */
function createPool(store: Store): Promise<PoolKey> {
	return createPoolWith(store, {
		settings: {
			IdentityPoolName: "checkpoints",
			AllowUnauthenticatedIdentities: false,
		},
	});
}

function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	return new Promise((resolve, reject) => {
		const poll = () => {
			if (check()) resolve();
			else if (Date.now() > deadline) reject(new Error("timed out"));
			else setTimeout(poll, 10);
		};
		poll();
	});
}

function walSize(file: string): number {
	try {
		return statSync(`${file}-wal`).size;
	} catch {
		return 0;
	}
}

describeForEngine("sqlite", "sqlite checkpoints on a worker thread", () => {
	test("the server's connection stops checkpointing; the worker keeps the WAL bounded and loses nothing", async () => {
		const file = newFile();
		const store = await openWithWorker(file, {
			intervalMs: 10,
			restartBytes: 256 * 1024,
		});
		const users = 3000;
		try {
			const checkpointer = checkpointerOf(store);
			assert.ok(checkpointer?.running, "the worker runs");
			assert.equal(store.describe?.(), "checkpoints on a worker thread");
			const pool = await createPool(store);
			// Writes spread over many turns, as a server's are: the WAL passes its restart size
			// many times over, and each restart pauses the group commit while some wait.
			for (let i = 0; i < users; i += 10) {
				await Promise.all(
					Array.from({ length: 10 }, (_, j) =>
						signIn(store, pool, dev(`u${i + j}`), T0),
					),
				);
			}
			await until(() => checkpointer.restarts >= 2);
			// Each restart was preceded by passes that caught up with the WAL while the commits
			// went on, so that the pause copied only what was written during the last of them.
			assert.ok(
				checkpointer.catchUpPasses >= checkpointer.pauses,
				`${checkpointer.catchUpPasses} catch-up passes for ${checkpointer.pauses} pauses`,
			);
			// These writes fill a WAL of about 37 MB when nothing restarts it (the connection's
			// own checkpoints are off); restarts keep it to a few MB (the writes outrun the
			// worker's 10-ms passes between two restarts), more when the machine starves the
			// worker of CPU (9.6 MB seen with six test processes on two cores): well under half.
			assert.ok(
				walSize(file) < 16 * 1024 * 1024,
				`WAL of ${walSize(file)} bytes`,
			);
			for (const i of [0, 1234, users - 1]) {
				const owner = await store.identities.ownerOf(pool.poolId, dev(`u${i}`));
				assert.match(owner ?? "", /^us-east-1:/);
			}
		} finally {
			await store.close();
		}
		// Everything is in the file once the store has closed.
		const db = new Database(file, { readonly: true });
		try {
			const row = db
				.prepare("SELECT count(*) AS n FROM identity_logins")
				.get() as { n: number };
			assert.equal(row.n, users);
		} finally {
			db.close();
		}
	});

	test("while the group commit is paused, changes wait; on resume they commit", async () => {
		const store = await openWithWorker(newFile(), {});
		try {
			const pool = await createPool(store);
			const identities = store.identities as unknown as {
				pause(): void;
				resume(): void;
			};
			identities.pause();
			let done = false;
			const pending = signIn(store, pool, dev("waits"), T0).then(() => {
				done = true;
			});
			await new Promise((resolve) => setTimeout(resolve, 50));
			assert.equal(done, false, "nothing commits while paused");
			assert.equal(
				await store.identities.ownerOf(pool.poolId, dev("waits")),
				undefined,
			);
			identities.resume();
			await pending;
			assert.match(
				(await store.identities.ownerOf(pool.poolId, dev("waits"))) ?? "",
				/^us-east-1:/,
			);
		} finally {
			await store.close();
		}
	});

	test("a purge batch goes through the group commit: it waits while the commits are paused, with the changes", async () => {
		const store = await openWithWorker(newFile(), {});
		try {
			const pool = await createPool(store);
			await signIn(store, pool, dev("old"), T0);
			await store.pools.delete(pool, T0 + 1);
			const other = await createPool(store);
			const identities = store.identities as unknown as {
				pause(): void;
				resume(): void;
			};
			identities.pause();
			const order: string[] = [];
			const change = signIn(store, other, dev("first"), T0 + 2).then(() =>
				order.push("change"),
			);
			const purge = store.pools.purge(pool.poolId, 10).then((batch) => {
				order.push("purge");
				return batch;
			});
			await new Promise((resolve) => setTimeout(resolve, 50));
			assert.deepEqual(order, [], "nothing is written while paused");
			assert.deepEqual(await store.pools.awaitingPurge(), [pool.poolId]);
			identities.resume();
			assert.deepEqual(await purge, { removed: 1, done: true });
			await change;
			assert.deepEqual([...order].sort(), ["change", "purge"]);
			assert.deepEqual(await store.pools.awaitingPurge(), []);
		} finally {
			await store.close();
		}
	});

	test("every write of the server's connection waits while the commits are paused, none for the write lock on the event loop", async () => {
		// While the worker restarts the WAL, it holds the write lock with the group commit paused:
		// a write that took the lock itself would wait in SQLite's busy handler (5 s here), and
		// the whole event loop with it. Here another connection holds the lock as the worker does.
		const file = newFile();
		const store = await openWithWorker(file, {});
		const lockHolder = new Database(file);
		try {
			const pool = await createPool(store);
			const gone = await createPool(store);
			const { identityId } = await signIn(store, pool, dev("leaves"), T0);
			const first = signingKey(1, T0);
			const next = signingKey(2, T0 + 10);
			await store.signingKeys.insertFirst(first);
			const issued = credential(1, T0 + 10_000);
			const added = newPoolKey();
			const identities = store.identities as unknown as {
				pause(): void;
				resume(): void;
			};
			identities.pause();
			lockHolder.exec("BEGIN IMMEDIATE");
			const settled: string[] = [];
			const writes = Object.entries({
				ping: () => store.ping(),
				"pools.create": () =>
					store.pools.create(
						{ ...added, settings: settings("added"), tags: {}, now: T0 },
						10,
					),
				"pools.ensure": () =>
					store.pools.ensure(
						{
							...newPoolKey(),
							settings: settings("ensured"),
							tags: {},
							now: T0,
						},
						10,
					),
				"pools.update": () =>
					store.pools.update(
						pool,
						(p) => ({
							settings: { ...p.settings, IdentityPoolName: "renamed" },
							tags: {},
						}),
						T0 + 1,
					),
				"pools.setRoles": () =>
					store.pools.setRoles(
						pool,
						{ authenticated: AUTH_ROLE },
						undefined,
						T0 + 2,
					),
				"pools.setPrincipalTagMap": () =>
					store.pools.setPrincipalTagMap(
						pool,
						"accounts.google.com",
						{ useDefaults: false, principalTags: { sub: "sub" } },
						T0 + 3,
						() => {},
					),
				"pools.delete": () => store.pools.delete(gone, T0 + 4),
				"identities.delete": () => store.identities.delete(HOME, [identityId]),
				"signingKeys.rotate": () => store.signingKeys.rotate(next),
				"signingKeys.prune": () => store.signingKeys.prune(T0 - 1),
				"signingKeys.updatePrivateKeys": () =>
					store.signingKeys.updatePrivateKeys(() => undefined),
				"credentials.insert": () => store.credentials.insert(issued),
				"credentials.prune": () => store.credentials.prune(T0 - 1),
				"credentials.updateSecrets": () =>
					store.credentials.updateSecrets(T0, () => undefined),
			}).map(([name, write]) =>
				write().then(
					() => settled.push(name),
					(err: unknown) => {
						settled.push(name);
						throw err;
					},
				),
			);
			await new Promise((resolve) => setTimeout(resolve, 50));
			assert.deepEqual(settled, [], "every write waits for the commits");
			lockHolder.exec("COMMIT");
			identities.resume();
			await Promise.all(writes);
			assert.equal(settled.length, writes.length);
			assert.equal(
				(await store.pools.get(pool))?.settings.IdentityPoolName,
				"renamed",
			);
			assert.deepEqual((await store.pools.get(pool))?.roles, {
				authenticated: AUTH_ROLE,
			});
			assert.ok(await store.pools.get(added));
			assert.equal(await store.pools.get(gone), undefined);
			assert.equal(await store.identities.get(identityId), undefined);
			assert.deepEqual(
				(await store.signingKeys.list()).map((k) => k.kid),
				[first.kid, next.kid],
			);
			assert.equal(
				(await store.credentials.get(issued.accessKeyId))?.secretAccessKey,
				issued.secretAccessKey,
			);
		} finally {
			if (lockHolder.inTransaction) lockHolder.exec("ROLLBACK");
			lockHolder.close();
			await store.close();
		}
	});

	test("when a pause ends, the calls' writes it held go before the background work that waited", async () => {
		const store = await openWithWorker(newFile(), {});
		try {
			const pool = await createPool(store);
			await signIn(store, pool, dev("old"), T0);
			await store.pools.delete(pool, T0 + 1);
			const identities = store.identities as unknown as {
				pause(): void;
				resume(): void;
			};
			identities.pause();
			// The purge, asked for first, would finish the pool and free its id; the call's
			// write, which runs first, still finds the id taken.
			const purge = store.pools.purge(pool.poolId, 10);
			const ensure = store.pools.ensure(
				{ ...pool, settings: settings("again"), tags: {}, now: T0 + 2 },
				10,
			);
			identities.resume();
			assert.deepEqual(await purge, { removed: 1, done: true });
			await assert.rejects(ensure, /still being removed/);
		} finally {
			await store.close();
		}
	});

	test("a reader holding the WAL (a backup) makes a restart fail; the worker waits before it pauses commits again", async () => {
		const file = newFile();
		const store = await openWithWorker(file, {
			intervalMs: 10,
			restartBytes: 16 * 1024,
			busyMs: 50,
		});
		const reader = new Database(file, { readonly: true });
		try {
			const checkpointer = checkpointerOf(store);
			assert.ok(checkpointer?.running);
			const pool = await createPool(store);
			await signIn(store, pool, dev("first"), T0);
			// Right after a commit, before the worker's next pass: a snapshot inside the WAL.
			reader.exec("BEGIN");
			reader.prepare("SELECT count(*) FROM identity_pools").get();
			const until = Date.now() + 1000;
			for (let i = 0; Date.now() < until; i += 10) {
				await Promise.all(
					Array.from({ length: 10 }, (_, j) =>
						signIn(store, pool, dev(`b${i + j}`), T0),
					),
				);
			}
			assert.equal(checkpointer.restarts, 0, "the reader kept the WAL");
			assert.ok(checkpointer.pauses >= 1, "a restart was tried");
			// Trying every pass would have paused the group commit about twenty times.
			assert.ok(checkpointer.pauses <= 2, `${checkpointer.pauses} pauses`);
			assert.equal(checkpointer.running, true);
		} finally {
			if (reader.inTransaction) reader.exec("COMMIT");
			reader.close();
			await store.close();
		}
	});

	test("a worker that cannot open the file leaves checkpoints with the connection", async () => {
		const file = newFile();
		const db = new Database(file);
		db.pragma("journal_mode = WAL");
		const problems: string[] = [];
		let resumed = 0;
		try {
			const checkpointer = await WalCheckpointer.start(
				db,
				join(dir, "no-such-dir", "missing.sqlite"),
				{ pause() {}, resume: () => resumed++ },
				{ onProblem: (message) => problems.push(message) },
			);
			assert.equal(checkpointer.running, false);
			assert.equal(db.pragma("wal_autocheckpoint", { simple: true }), 1000);
			assert.equal(problems.length, 1);
			assert.match(
				problems[0] ?? "",
				/checkpoints run on the event loop again/,
			);
			assert.equal(resumed, 1, "the group commit is never left paused");
			await checkpointer.stop();
		} finally {
			db.close();
		}
	});

	test("a worker that fails on a SQLite error says why, in words", async () => {
		const file = newFile();
		const db = new Database(file);
		db.pragma("journal_mode = WAL");
		// The worker opens this file and fails on its first statement: SQLITE_NOTADB.
		const notADatabase = join(dir, "not-a-database.sqlite");
		writeFileSync(notADatabase, Buffer.alloc(8192, 0x5a));
		const problems: string[] = [];
		try {
			const checkpointer = await WalCheckpointer.start(
				db,
				notADatabase,
				{ pause() {}, resume() {} },
				{ onProblem: (message) => problems.push(message) },
			);
			assert.equal(checkpointer.running, false);
			assert.deepEqual(problems, [
				"SQLite checkpoints run on the event loop again: file is not a database (SQLITE_NOTADB)",
			]);
			await checkpointer.stop();
		} finally {
			db.close();
		}
	});

	test("a connection that refuses the setting when checkpoints come back: told, and the group commit goes on", async () => {
		const file = newFile();
		const real = new Database(file);
		real.pragma("journal_mode = WAL");
		// What a connection does once its file went read-only or failing: its statements throw.
		const db = new Proxy(real, {
			get(target, prop) {
				if (prop === "pragma") {
					return (source: string) => {
						if (source.startsWith("wal_autocheckpoint = 1000")) {
							throw Object.assign(
								new Error("attempt to write a readonly database"),
								{ code: "SQLITE_READONLY" },
							);
						}
						return target.pragma(source);
					};
				}
				const value = Reflect.get(target, prop);
				return typeof value === "function" ? value.bind(target) : value;
			},
		});
		const notADatabase = join(dir, "not-a-database-either.sqlite");
		writeFileSync(notADatabase, Buffer.alloc(8192, 0x5a));
		const problems: string[] = [];
		let resumed = 0;
		try {
			// The worker fails at once, and checkpoints go back to the connection, which refuses.
			const checkpointer = await WalCheckpointer.start(
				db,
				notADatabase,
				{ pause() {}, resume: () => resumed++ },
				{ onProblem: (message) => problems.push(message) },
			);
			assert.equal(checkpointer.running, false);
			assert.deepEqual(problems, [
				"SQLite checkpoints run on the event loop again: file is not a database (SQLITE_NOTADB)",
				"SQLite checkpoints could not be given back to the connection: attempt to write a readonly database",
			]);
			assert.equal(resumed, 1, "the group commit is never left paused");
			await checkpointer.stop();
			assert.equal(resumed, 2);
		} finally {
			real.close();
		}
	});

	test("a restart that keeps the group commit paused too long gives checkpoints back", async () => {
		const file = newFile();
		const problems: string[] = [];
		// A reader that never finishes keeps the worker's RESTART waiting (for up to busyMs).
		const store = await openWithWorker(file, {
			intervalMs: 10,
			restartBytes: 16 * 1024,
			busyMs: 1500,
			pauseTimeoutMs: 100,
			onProblem: (message) => problems.push(message),
		});
		const reader = new Database(file, { readonly: true });
		try {
			const checkpointer = checkpointerOf(store);
			assert.ok(checkpointer?.running);
			const pool = await createPool(store);
			reader.exec("BEGIN");
			reader.prepare("SELECT count(*) FROM identity_pools").get();
			for (let i = 0; i < 200 && checkpointer.running; i += 10) {
				await Promise.all(
					Array.from({ length: 10 }, (_, j) =>
						signIn(store, pool, dev(`p${i + j}`), T0),
					),
				);
			}
			await until(() => !checkpointer.running);
			assert.match(problems.join("\n"), /paused too long/);
			assert.match(store.describe?.() ?? "", /on the server's connection/);
			reader.exec("COMMIT");
			// The store goes on, with the connection's own checkpoints.
			await signIn(store, pool, dev("after"), T0);
			assert.match(
				(await store.identities.ownerOf(pool.poolId, dev("after"))) ?? "",
				/^us-east-1:/,
			);
		} finally {
			if (reader.inTransaction) reader.exec("COMMIT");
			reader.close();
			await store.close();
		}
	});
});
