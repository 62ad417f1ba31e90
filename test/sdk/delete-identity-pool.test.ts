import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import {
	CreateIdentityPoolCommand,
	DeleteIdentityPoolCommand,
	DescribeIdentityPoolCommand,
	GetIdCommand,
	ListIdentitiesCommand,
	ListIdentityPoolsCommand,
	ListTagsForResourceCommand,
	LookupDeveloperIdentityCommand,
} from "@aws-sdk/client-cognito-identity";
import Database from "better-sqlite3";
import { insertIdentities } from "../support/bulk.ts";
import { freshSchema } from "../support/postgres.ts";
import {
	rejectsWith,
	type ServerFixture,
	TEST_ACCOUNT,
	useServer,
} from "../support/server.ts";
import { describeForEngine, STORE_ENGINES } from "../support/stores.ts";

describe("DeleteIdentityPool (JS v3 SDK)", () => {
	const t = useServer();

	test("deletes the pool: it is then not found and not listed", async () => {
		const keep = await t.client.send(
			new CreateIdentityPoolCommand({
				IdentityPoolName: "keep",
				AllowUnauthenticatedIdentities: false,
			}),
		);
		const gone = await t.client.send(
			new CreateIdentityPoolCommand({
				IdentityPoolName: "gone",
				AllowUnauthenticatedIdentities: false,
			}),
		);
		const out = await t.client.send(
			new DeleteIdentityPoolCommand({ IdentityPoolId: gone.IdentityPoolId }),
		);
		assert.equal(out.$metadata.httpStatusCode, 200);
		await rejectsWith(
			t.client.send(
				new DescribeIdentityPoolCommand({
					IdentityPoolId: gone.IdentityPoolId,
				}),
			),
			"ResourceNotFoundException",
			`IdentityPool '${gone.IdentityPoolId}' not found.`,
		);
		const list = await t.client.send(
			new ListIdentityPoolsCommand({ MaxResults: 60 }),
		);
		assert.deepEqual(
			list.IdentityPools?.map((p) => p.IdentityPoolId),
			[keep.IdentityPoolId],
		);
	});

	test("deleting twice, or an unknown pool, is ResourceNotFoundException", async () => {
		const pool = await t.client.send(
			new CreateIdentityPoolCommand({
				IdentityPoolName: "twice",
				AllowUnauthenticatedIdentities: false,
			}),
		);
		await t.client.send(
			new DeleteIdentityPoolCommand({ IdentityPoolId: pool.IdentityPoolId }),
		);
		await rejectsWith(
			t.client.send(
				new DeleteIdentityPoolCommand({ IdentityPoolId: pool.IdentityPoolId }),
			),
			"ResourceNotFoundException",
			`IdentityPool '${pool.IdentityPoolId}' not found.`,
		);
	});

	test("a pool of another region cannot be deleted from this one", async () => {
		const pool = await t.client.send(
			new CreateIdentityPoolCommand({
				IdentityPoolName: "east",
				AllowUnauthenticatedIdentities: false,
			}),
		);
		const west = t.sdk({ region: "us-west-2" });
		await rejectsWith(
			west.send(
				new DeleteIdentityPoolCommand({ IdentityPoolId: pool.IdentityPoolId }),
			),
			"ResourceNotFoundException",
		);
		const still = await t.client.send(
			new DescribeIdentityPoolCommand({ IdentityPoolId: pool.IdentityPoolId }),
		);
		assert.equal(still.IdentityPoolName, "east");
	});
});

for (const engine of STORE_ENGINES) {
	describeForEngine(
		engine,
		`DeleteIdentityPool racing the creation of identities (${engine})`,
		() => {
			let schema: Awaited<ReturnType<typeof freshSchema>> | undefined;
			const t = useServer(async () => {
				if (engine === "sqlite") return {};
				schema = await freshSchema();
				return { config: { db: schema.url } };
			});
			after(() => schema?.drop());

			test("each creation either wins (an identity) or loses (ResourceNotFoundException), never a 500", async () => {
				for (let round = 0; round < 5; round++) {
					const { IdentityPoolId } = await t.client.send(
						new CreateIdentityPoolCommand({
							IdentityPoolName: "race",
							AllowUnauthenticatedIdentities: true,
						}),
					);
					const creations = Array.from({ length: 20 }, () =>
						t.app.send(new GetIdCommand({ IdentityPoolId })),
					);
					const deletion = t.client.send(
						new DeleteIdentityPoolCommand({ IdentityPoolId }),
					);
					const outcomes = await Promise.allSettled([...creations, deletion]);
					for (const outcome of outcomes) {
						if (outcome.status === "fulfilled") continue;
						const err = outcome.reason as Error & {
							$metadata?: { httpStatusCode?: number };
						};
						assert.equal(err.name, "ResourceNotFoundException", err.message);
						assert.equal(err.$metadata?.httpStatusCode, 400);
					}
					// Nothing of the pool is left behind once it is purged.
					await t.server.purger.idle();
					assert.equal(
						(
							await t.server.store.identities.list(IdentityPoolId as string, {
								limit: 60,
								hideDisabled: false,
							})
						).items.length,
						0,
					);
				}
			});
		},
	);
}

/** Creates a pool with a developer provider and `count` identities written in bulk. */
async function bigPool(
	t: ServerFixture,
	name: string,
	count: number,
): Promise<{ poolId: string; arn: string }> {
	const pool = await t.client.send(
		new CreateIdentityPoolCommand({
			IdentityPoolName: name,
			AllowUnauthenticatedIdentities: true,
			DeveloperProviderName: "login.example.app",
			IdentityPoolTags: { team: "big" },
		}),
	);
	const poolId = pool.IdentityPoolId as string;
	await insertIdentities(
		t.dbPath,
		{ poolId, accountId: TEST_ACCOUNT, region: "us-east-1" },
		count,
	);
	return {
		poolId,
		arn: `arn:aws:cognito-identity:us-east-1:${TEST_ACCOUNT}:identitypool/${poolId}`,
	};
}

/** The pages and free pages of a SQLite file, read by a connection of its own. */
function sqlitePages(file: string): { total: number; free: number } {
	const db = new Database(file, { readonly: true });
	try {
		return {
			total: db.pragma("page_count", { simple: true }) as number,
			free: db.pragma("freelist_count", { simple: true }) as number,
		};
	} finally {
		db.close();
	}
}

/** The value of the sample `name` (without labels) in the server's `/metrics`. */
async function metric(t: ServerFixture, name: string): Promise<number> {
	const text = await (await fetch(`${t.url}/metrics`)).text();
	const line = text.split("\n").find((l) => l.startsWith(`${name} `));
	assert.ok(line, `${name} in /metrics`);
	return Number(line.split(" ")[1]);
}

for (const engine of STORE_ENGINES) {
	describeForEngine(
		engine,
		`DeleteIdentityPool of a large pool: gone at once, purged in the background (${engine})`,
		() => {
			let schema: Awaited<ReturnType<typeof freshSchema>> | undefined;
			// Batches of at most 1,000 identities: 20,000 take twenty or more, whatever the machine.
			const purge = { maxBatchSize: 1000 };
			const t = useServer(async () => {
				if (engine === "sqlite") return { purge };
				schema = await freshSchema();
				return { config: { db: schema.url }, purge };
			});
			after(() => schema?.drop());

			test("20,000 identities: the pool is gone at once, other calls are answered while its identities go in batches", async () => {
				const big = await bigPool(t, "big", 20_000);
				const peak = engine === "sqlite" ? sqlitePages(t.dbPath) : undefined;
				const other = await t.client.send(
					new CreateIdentityPoolCommand({
						IdentityPoolName: "other",
						AllowUnauthenticatedIdentities: true,
					}),
				);
				const otherId = other.IdentityPoolId as string;
				const kept = await t.app.send(
					new GetIdCommand({ IdentityPoolId: otherId }),
				);
				const purger = t.server.purger;
				const batchesBefore = purger.batches;
				let finished = false;
				const batches: number[] = [];
				purger.onBatch = ({ poolId, removed }) => {
					if (poolId === big.poolId) batches.push(removed);
				};

				await t.client.send(
					new DeleteIdentityPoolCommand({ IdentityPoolId: big.poolId }),
				);
				const purged = purger.idle().then(() => {
					finished = true;
				});

				// Gone at once from every call that could name it.
				const notFound = `IdentityPool '${big.poolId}' not found.`;
				await rejectsWith(
					t.client.send(
						new DescribeIdentityPoolCommand({ IdentityPoolId: big.poolId }),
					),
					"ResourceNotFoundException",
					notFound,
				);
				await rejectsWith(
					t.app.send(new GetIdCommand({ IdentityPoolId: big.poolId })),
					"ResourceNotFoundException",
				);
				await rejectsWith(
					t.client.send(
						new ListIdentitiesCommand({
							IdentityPoolId: big.poolId,
							MaxResults: 60,
						}),
					),
					"ResourceNotFoundException",
				);
				await rejectsWith(
					t.client.send(
						new LookupDeveloperIdentityCommand({
							IdentityPoolId: big.poolId,
							DeveloperUserIdentifier: "bulk-1",
						}),
					),
					"ResourceNotFoundException",
				);
				await rejectsWith(
					t.client.send(
						new ListTagsForResourceCommand({ ResourceArn: big.arn }),
					),
					"ResourceNotFoundException",
				);
				const listed = await t.client.send(
					new ListIdentityPoolsCommand({ MaxResults: 60 }),
				);
				assert.equal(
					listed.IdentityPools?.some((p) => p.IdentityPoolId === big.poolId),
					false,
				);

				// Meanwhile other calls are answered: each records how many batches had run when it
				// was sent, and whether the purge had finished when it was answered.
				const calls: { sentAfter: number; answeredBeforeEnd: boolean }[] = [];
				while (!finished) {
					const sentAfter = batches.length;
					const answer = await t.app.send(
						new GetIdCommand({ IdentityPoolId: otherId }),
					);
					assert.ok(answer.IdentityId);
					const health = await fetch(`${t.url}/health`);
					assert.equal(health.status, 200);
					calls.push({ sentAfter, answeredBeforeEnd: !finished });
				}
				await purged;

				// The purge ran in many batches, and calls sent between its batches were answered
				// before it ended.
				assert.ok(batches.length >= 20, `${batches.length} batches`);
				assert.equal(
					batches.reduce((a, b) => a + b, 0),
					20_000,
				);
				assert.ok(purger.batches - batchesBefore >= batches.length);
				assert.ok(
					calls.some((c) => c.sentAfter >= 1 && c.answeredBeforeEnd),
					JSON.stringify(calls.slice(0, 10)),
				);
				// A new pool can be created at once, and nothing of the old one is left.
				await t.client.send(
					new CreateIdentityPoolCommand({
						IdentityPoolName: "big",
						AllowUnauthenticatedIdentities: true,
					}),
				);
				assert.deepEqual(
					(
						await t.server.store.identities.list(big.poolId, {
							limit: 10,
							hideDisabled: false,
						})
					).items,
					[],
				);
				assert.deepEqual(await t.server.store.pools.awaitingPurge(), []);
				assert.ok(
					await t.server.store.identities.get(kept.IdentityId as string),
				);
				assert.equal(await metric(t, "idpool_identities_purged_total"), 20_000);
				assert.equal(await metric(t, "idpool_pools_awaiting_purge"), 0);
				if (engine === "sqlite") {
					// A new database gives the purge's free pages back to the file system: what is
					// left is a small part of what the pool took (the health probe's row, written and
					// deleted by each /health, leaves a few free pages behind).
					const after = sqlitePages(t.dbPath);
					assert.ok(peak);
					assert.ok(
						after.total <= peak.total / 10 && after.free <= peak.total / 50,
						JSON.stringify({ peak, after }),
					);
				}
				purger.onBatch = undefined;
			});

			test("a purge cut short by a restart is taken up by the next server", async () => {
				// Small batches: the purge takes fifty or more.
				await t.restart({ purge: { batchSize: 100, maxBatchSize: 100 } });
				const big = await bigPool(t, "restarted", 5000);
				await t.server.purger.idle();
				const firstBatch = new Promise<void>((resolve) => {
					t.server.purger.onBatch = ({ poolId }) => {
						if (poolId === big.poolId) resolve();
					};
				});
				await t.client.send(
					new DeleteIdentityPoolCommand({ IdentityPoolId: big.poolId }),
				);
				await firstBatch;
				const before = t.server.purger;
				await t.restart({ purge: { maxBatchSize: 1000 } });
				// The first server stopped after a batch or a few, far from the end.
				assert.ok(
					before.purged > 0 && before.purged < 5000,
					`${before.purged}`,
				);
				await t.server.purger.idle();
				assert.equal(before.purged + t.server.purger.purged, 5000);
				assert.deepEqual(await t.server.store.pools.awaitingPurge(), []);
				assert.deepEqual(
					(
						await t.server.store.identities.list(big.poolId, {
							limit: 10,
							hideDisabled: false,
						})
					).items,
					[],
				);
			});
		},
	);
}
