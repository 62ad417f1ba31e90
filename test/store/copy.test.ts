/**
 * `Store.dump` and `Store.load` (what `idpool copy` runs) across the batch boundaries of every
 * table (500 rows a batch: 501 pools, 520 principal tag maps whose composite key crosses a
 * batch inside a pool's maps, 1,001 identities and logins), SQLite → PostgreSQL → SQLite:
 * each copy reads back row for row as the source (flags of both values, NULLs, integers), and
 * its sequences go on from the source's last numbers, past the rows of a deleted identity. A
 * copy that fails midway leaves its target holding nothing, and a later copy into it works.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { openStore } from "../../src/server/open-store.ts";
import { SEQUENCES } from "../../src/store/sql/tables.ts";
import type { Row, Store } from "../../src/store/store.ts";
import { insertIdentities } from "../support/bulk.ts";
import { freshSchema } from "../support/postgres.ts";
import { engineSkipReason } from "../support/stores.ts";
import { createPool, T0 } from "./conformance/builders.ts";

/** Every row `store` dumps, by table. */
async function rowsOf(store: Store): Promise<Record<string, Row[]>> {
	const tables: Record<string, Row[]> = {};
	await store.dump(async ({ table, rows }) => {
		tables[table] = [...(tables[table] ?? []), ...rows];
	});
	return tables;
}

async function opened(db: string): Promise<Store> {
	const store = await openStore(db);
	await store.migrate();
	return store;
}

test("copies cross every batch boundary row for row, SQLite → PostgreSQL → SQLite; a failed copy leaves nothing", {
	skip: engineSkipReason("sqlite") ?? engineSkipReason("postgres"),
	timeout: 120_000,
}, async () => {
	const dir = mkdtempSync(join(tmpdir(), "idpool-store-copy-"));
	const schema = await freshSchema();
	const stores: Store[] = [];
	try {
		const sourceDb = join(dir, "source.db");
		const source = await opened(sourceDb);
		stores.push(source);
		const pools = [];
		for (let i = 0; i < 501; i++) {
			pools.push(
				await createPool(source, {
					now: T0 + i,
					quota: 1000,
					settings: {
						SupportedLoginProviders: { "a.example": "x", "b.example": "y" },
					},
				}),
			);
		}
		for (const pool of pools.slice(0, 260)) {
			await source.pools.setPrincipalTagMap(
				pool,
				"a.example",
				{ useDefaults: true, principalTags: {} },
				T0,
				() => {},
			);
			await source.pools.setPrincipalTagMap(
				pool,
				"b.example",
				{ useDefaults: false, principalTags: { team: "t" } },
				T0,
				() => {},
			);
		}
		await source.pools.delete(pools[500] as (typeof pools)[number], T0 + 9);
		const first = pools[0] as (typeof pools)[number];
		await insertIdentities(sourceDb, first, 1002);
		// The newest identity deleted: its number stays handed out, and a copy must not hand it
		// out again.
		const newest = (await rowsOf(source)).identities?.at(-1)?.[1] as string;
		assert.deepEqual(await source.identities.delete(first, [newest]), [
			"deleted",
		]);
		const expected = await rowsOf(source);
		assert.deepEqual(
			Object.fromEntries(
				Object.entries(expected).map(([t, rows]) => [t, rows.length]),
			),
			{
				identity_pools: 501,
				principal_tag_maps: 520,
				identities: 1001,
				identity_logins: 1001,
				[SEQUENCES]: 3,
			},
		);
		assert.deepEqual(
			expected[SEQUENCES]?.find(([t]) => t === "identities"),
			["identities", 1002],
		);

		// A copy that fails after its first batch leaves the target with nothing.
		const target = await opened(schema.url);
		stores.push(target);
		await assert.rejects(
			target.load((write) =>
				source.dump(async (batch) => {
					await write(batch);
					throw new Error("the source went away");
				}),
			),
			/the source went away/,
		);
		assert.deepEqual(await rowsOf(target), {});

		const copied = await target.load((write) => source.dump(write));
		assert.equal(copied.identities, 1001);
		assert.deepEqual(await rowsOf(target), expected);

		const back = await opened(join(dir, "back.db"));
		stores.push(back);
		await back.load((write) => target.dump(write));
		assert.deepEqual(await rowsOf(back), expected);
	} finally {
		for (const store of stores) await store.close();
		await schema.drop();
		rmSync(dir, { recursive: true, force: true });
	}
});
