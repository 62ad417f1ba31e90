import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import {
	CreateIdentityPoolCommand,
	DeleteIdentityPoolCommand,
	DescribeIdentityPoolCommand,
	GetIdCommand,
	ListIdentityPoolsCommand,
} from "@aws-sdk/client-cognito-identity";
import { freshSchema } from "../support/postgres.ts";
import { rejectsWith, useServer } from "../support/server.ts";
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
					// Nothing of the pool is left behind.
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
