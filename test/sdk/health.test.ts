/**
 * `/health` answers whether the store can commit now, not merely whether it answers: a full
 * disk, or a database file deleted or replaced under the running server, make it answer 503
 * with the problem, and a change of state is logged. A file
 * deleted or replaced stops every write (nothing more would survive a restart), for good.
 * The disk tests mount a small file system of their own, which needs root (as in CI): one
 * that fills up, and one that the kernel turns read-only under the running server (what ext4
 * does with `errors=remount-ro` when it meets an error). Readiness (`/health/ready`, whose
 * other cases are in health-ready.test.ts) fails on both disks too, though it writes a small
 * row where `/health` writes 64 KiB.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import {
	copyFileSync,
	mkdtempSync,
	renameSync,
	rmSync,
	unlinkSync,
	writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import {
	type CognitoIdentityClient,
	CreateIdentityPoolCommand,
	DescribeIdentityPoolCommand,
	GetIdCommand,
} from "@aws-sdk/client-cognito-identity";
import {
	capturedLog,
	rejectsWith,
	useServer,
	withServer,
} from "../support/server.ts";

/** The outcome of `/health/ready`'s store check once it is `fail` (at most 10 s). */
async function readyStoreFailure(url: string): Promise<string | undefined> {
	for (let i = 0; i < 100; i++) {
		const response = await fetch(`${url}/health/ready`);
		const body = (await response.json()) as {
			checks: { name: string; status: string; detail?: string }[];
		};
		const store = body.checks.find((c) => c.name === "store");
		if (response.status === 503 && store?.status === "fail")
			return store.detail;
		await new Promise((r) => setTimeout(r, 100));
	}
	return undefined;
}

async function readyStatus(url: string): Promise<number> {
	const response = await fetch(`${url}/health/ready`);
	await response.body?.cancel();
	return response.status;
}

/** `/health/ready`'s status once it is `status` (at most 10 s): the store's write may lag 1 s. */
async function readyBecomes(url: string, status: number): Promise<number> {
	let answer = await readyStatus(url);
	for (let i = 0; i < 100 && answer !== status; i++) {
		await new Promise((r) => setTimeout(r, 100));
		answer = await readyStatus(url);
	}
	return answer;
}

async function health(url: string) {
	const response = await fetch(`${url}/health`);
	return {
		status: response.status,
		body: (await response.json()) as Record<string, string>,
	};
}

/**
 * `/health` once it answers `status` (at most 10 s): a write that passed less than a second
 * ago is answered again, as long as the database file is still the one opened.
 */
async function healthBecomes(url: string, status: number) {
	let answer = await health(url);
	for (let i = 0; i < 100 && answer.status !== status; i++) {
		await new Promise((r) => setTimeout(r, 100));
		answer = await health(url);
	}
	return answer;
}

const createPool = (client: CognitoIdentityClient) =>
	client.send(
		new CreateIdentityPoolCommand({
			IdentityPoolName: "health",
			AllowUnauthenticatedIdentities: true,
		}),
	);

describe("/health: the store can commit", () => {
	test("a crowd of probes shares one write a second; a failure is never answered again", async () => {
		await withServer({}, async (t) => {
			const store = t.server.store;
			const ping = store.ping.bind(store);
			let writes = 0;
			let failing = false;
			store.ping = async (bytes) => {
				writes++;
				if (failing)
					throw Object.assign(new Error("full"), { code: "SQLITE_FULL" });
				return ping(bytes);
			};
			const crowd = await Promise.all(
				Array.from({ length: 50 }, () => health(t.url)),
			);
			assert.ok(crowd.every((a) => a.status === 200));
			for (let i = 0; i < 20; i++)
				assert.equal((await health(t.url)).status, 200);
			assert.equal(writes, 1, "70 probes within a second, one write");
			await new Promise((r) => setTimeout(r, 1100));
			assert.equal((await health(t.url)).status, 200);
			assert.equal(writes, 2, "a second later, a write again");
			// A write that fails is answered as it is, and tried again at the next probe.
			failing = true;
			await new Promise((r) => setTimeout(r, 1100));
			assert.equal((await health(t.url)).body.problem, "SQLITE_FULL");
			assert.equal((await health(t.url)).status, 503);
			assert.equal(writes, 4, "each probe after a failure writes");
			failing = false;
			assert.equal((await health(t.url)).status, 200, "recovery shows at once");
		});
	});

	test("a database file deleted under the server: 503, writes refused, the reason logged once", async () => {
		const log = capturedLog();
		await withServer(
			{ config: { logLevel: "info" }, logStream: log.stream },
			async (t) => {
				assert.deepEqual(await health(t.url), {
					status: 200,
					body: { status: "ok", store: "sqlite" },
				});
				const pool = await createPool(t.client);
				unlinkSync(t.dbPath);
				assert.deepEqual(await health(t.url), {
					status: 503,
					body: {
						status: "unavailable",
						store: "sqlite",
						problem: "the database file was deleted or replaced",
					},
				});
				await rejectsWith(
					createPool(t.client),
					"InternalErrorException",
					"The server cannot store data: see its log.",
					500,
				);
				// An identity change too (checked once a group commit, not once a call).
				await rejectsWith(
					t.app.send(new GetIdCommand({ IdentityPoolId: pool.IdentityPoolId })),
					"InternalErrorException",
					"The server cannot store data: see its log.",
					500,
				);
				assert.equal((await health(t.url)).status, 503);
				const told = log.lines.filter((l) =>
					l.msg.includes(`the database file ${t.dbPath} was deleted`),
				);
				assert.equal(told.length, 1, "the store's failure is told once");
				assert.equal(told[0]?.level, 50, "at error level");
			},
		);
	});

	test("a database file replaced under the server is refused the same way", async () => {
		await withServer(async (t) => {
			await createPool(t.client);
			const other = `${t.dbPath}.other`;
			copyFileSync(t.dbPath, other);
			renameSync(other, t.dbPath);
			const answer = await health(t.url);
			assert.equal(answer.status, 503);
			assert.equal(
				answer.body.problem,
				"the database file was deleted or replaced",
			);
			await rejectsWith(
				createPool(t.client),
				"InternalErrorException",
				undefined,
				500,
			);
		});
	});

	describe("a disk that fills up", () => {
		const root = process.getuid?.() === 0;
		const dir = mkdtempSync(join(tmpdir(), "idpool-health-"));
		const mount = (options: string) =>
			execFileSync("mount", ["-t", "tmpfs", "-o", options, "tmpfs", dir]);
		const t = useServer(() => {
			if (root) mount("size=8m,mode=0700");
			return { config: { db: join(dir, "idpool.db") } };
		});

		test("503 while the disk is full, ok again once there is room", {
			skip: !root && "needs root to mount a file system",
		}, async () => {
			const filler = join(dir, "filler");
			await createPool(t.client);
			// Fill the disk: the write a commit needs has no room left.
			try {
				writeFileSync(filler, Buffer.alloc(8 * 1024 * 1024));
			} catch {
				// ENOSPC: the file holds whatever fitted, which is all there was.
			}
			// Writes go on while the WAL has room. Once a checkpoint has copied the whole WAL into
			// the database file, SQLite writes the WAL again from its start, in space the file
			// already has: commits fit again, and /health rightly answers 200, until that space
			// is used up too. So: write until a write is refused, then ask /health at once, and
			// go on writing if a checkpoint made room in between.
			// (A probe that passed less than a second ago is answered again: the writes go on for
			// a while, bounded in time.)
			let full: Awaited<ReturnType<typeof health>> | undefined;
			const deadline = performance.now() + 20_000;
			while (performance.now() < deadline && full?.status !== 503) {
				const refused = await createPool(t.client).then(
					() => false,
					(err: Error & { $metadata?: { httpStatusCode?: number } }) => {
						assert.equal(err.name, "InternalErrorException");
						assert.equal(err.$metadata?.httpStatusCode, 500);
						return true;
					},
				);
				if (refused) full = await health(t.url);
			}
			assert.ok(full, "a write fails once the disk is full");
			assert.equal(full.status, 503);
			assert.equal(full.body.problem, "SQLITE_FULL");
			assert.equal(await readyStoreFailure(t.url), "SQLITE_FULL");
			rmSync(filler);
			assert.equal((await health(t.url)).status, 200);
			assert.equal(await readyBecomes(t.url, 200), 200);
			await createPool(t.client);
			assert.equal((await health(t.url)).status, 200);
		});

		// After the server has stopped (its hook was registered first).
		after(() => {
			if (root) execFileSync("umount", [dir]);
			rmSync(dir, { recursive: true, force: true });
		});
	});

	describe("a file system that the kernel turns read-only", () => {
		const root = process.getuid?.() === 0;
		const dir = mkdtempSync(join(tmpdir(), "idpool-readonly-"));
		const image = `${dir}.img`;
		const mount = () =>
			execFileSync("mount", ["-o", "loop,errors=remount-ro", image, dir]);
		after(() => {
			if (root) {
				try {
					execFileSync("umount", [dir]);
				} catch {
					// Not mounted: the test failed before or after mounting it.
				}
			}
			rmSync(dir, { recursive: true, force: true });
			rmSync(image, { force: true });
		});

		test("503 and writes refused while it is read-only; repaired, the database opens and takes writes again", {
			skip: !root && "needs root to mount a file system",
		}, async () => {
			execFileSync("truncate", ["-s", "32M", image]);
			execFileSync("mkfs.ext4", ["-q", "-F", image]);
			mount();
			const db = join(dir, "idpool.db");
			await withServer({ config: { db } }, async (t) => {
				await createPool(t.client);
				assert.equal((await health(t.url)).status, 200);
				// The kernel's own error path: ext4 remounts the file system read-only
				// while the server holds the database open for writing.
				const device = execFileSync("findmnt", ["-n", "-o", "SOURCE", dir])
					.toString()
					.trim();
				writeFileSync(
					`/sys/fs/ext4/${device.replace("/dev/", "")}/trigger_fs_error`,
					"idpool test",
				);
				const answer = await healthBecomes(t.url, 503);
				assert.equal(answer.status, 503);
				assert.equal(answer.body.status, "unavailable");
				// SQLite's own code for the failure (SQLITE_READONLY, SQLITE_IOERR_...).
				assert.match(answer.body.problem ?? "", /^SQLITE_[A-Z_]+$/);
				assert.match(
					(await readyStoreFailure(t.url)) ?? "",
					/^SQLITE_[A-Z_]+$/,
				);
				await rejectsWith(
					createPool(t.client),
					"InternalErrorException",
					undefined,
					500,
				);
				assert.equal((await health(t.url)).status, 503);
			});
			// Repaired and mounted again, the database opens (it is not corrupt) and takes
			// writes. Commits acknowledged since the last checkpoint may be gone, as after a
			// power loss (docs/deployment.md#durability).
			execFileSync("umount", [dir]);
			// e2fsck answers 1 when it corrected the error the kernel recorded.
			const fsck = spawnSync("e2fsck", ["-f", "-y", image], {
				stdio: "ignore",
			});
			assert.ok(
				fsck.status === 0 || fsck.status === 1,
				`e2fsck: ${fsck.status}`,
			);
			mount();
			await withServer({ config: { db } }, async (t) => {
				assert.equal((await health(t.url)).status, 200);
				assert.equal(await readyStatus(t.url), 200);
				const { IdentityPoolId } = await createPool(t.client);
				const described = await t.client.send(
					new DescribeIdentityPoolCommand({ IdentityPoolId }),
				);
				assert.equal(described.IdentityPoolName, "health");
			});
		});
	});
});
