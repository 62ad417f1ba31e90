/**
 * Strings that no store can keep faithfully: the null character (PostgreSQL refuses it in
 * text, SQLite keeps it) and unpaired UTF-16 surrogates (which a JSON `\ud800` escape
 * decodes to; PostgreSQL's UTF-8 turns each into U+FFFD, so `"s\ud800x"`, `"s\udbffx"` and
 * `"s\ufffdx"` would be one developer user). Both are refused while the input is validated,
 * with a ValidationException, on both engines: nothing is stored, and U+FFFD itself is an
 * ordinary character (docs/behaviour.md#validation).
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { freshSchema } from "../support/postgres.ts";
import { raw } from "../support/raw.ts";
import {
	type ServerFixture,
	useServer,
	withServer,
} from "../support/server.ts";
import { describeForEngine, STORE_ENGINES } from "../support/stores.ts";

const DEV = "login.example.app";
const NUL = "Member must not contain the null character (U+0000)";
const SURROGATE = "Member must not contain an unpaired surrogate";

async function call(
	t: ServerFixture,
	operation: string,
	input: Record<string, unknown>,
) {
	// JSON.stringify writes a lone surrogate as a `\udxxx` escape and NUL as `\u0000`.
	return raw(t.url, {
		target: `AWSCognitoIdentityService.${operation}`,
		body: JSON.stringify(input),
	});
}

function assertRefused(
	res: Awaited<ReturnType<typeof call>>,
	violation: string,
): void {
	assert.equal(res.status, 400, res.text);
	assert.deepEqual(res.json, {
		__type: "ValidationException",
		message: `1 validation error detected: ${violation}`,
	});
}

for (const engine of STORE_ENGINES) {
	describeForEngine(engine, `NUL and unpaired surrogates (${engine})`, () => {
		let schema: Awaited<ReturnType<typeof freshSchema>> | undefined;
		const t = useServer(async () => {
			if (engine === "sqlite") return {};
			schema = await freshSchema();
			return { config: { db: schema.url } };
		});
		after(async () => {
			await schema?.drop();
		});

		async function developerPool(name: string): Promise<string> {
			const res = await call(t, "CreateIdentityPool", {
				IdentityPoolName: name,
				AllowUnauthenticatedIdentities: false,
				DeveloperProviderName: DEV,
			});
			assert.equal(res.status, 200, res.text);
			return res.json?.IdentityPoolId as string;
		}

		async function identities(poolId: string): Promise<unknown[]> {
			const res = await call(t, "ListIdentities", {
				IdentityPoolId: poolId,
				MaxResults: 60,
			});
			assert.equal(res.status, 200, res.text);
			return res.json?.Identities as unknown[];
		}

		test("a developer user identifier with NUL or an unpaired surrogate is refused and creates nothing", async () => {
			const poolId = await developerPool("strings");
			for (const [user, violation] of [
				["s\u0000x", NUL],
				["s\ud800x", SURROGATE],
				["s\udbffx", SURROGATE],
				["s\udc00x", SURROGATE],
				["s\udc00\ud800x", SURROGATE],
				["end\ud800", SURROGATE],
			] as const) {
				const res = await call(t, "GetOpenIdTokenForDeveloperIdentity", {
					IdentityPoolId: poolId,
					Logins: { [DEV]: user },
				});
				assertRefused(
					res,
					`Value at 'logins' failed to satisfy constraint: Map value ${violation.slice("Member ".length)}`,
				);
			}
			assert.deepEqual(await identities(poolId), []);

			// U+FFFD is an ordinary character, and so is a well-formed pair.
			const first = await call(t, "GetOpenIdTokenForDeveloperIdentity", {
				IdentityPoolId: poolId,
				Logins: { [DEV]: "s\ufffdx" },
			});
			assert.equal(first.status, 200, first.text);
			const pair = await call(t, "GetOpenIdTokenForDeveloperIdentity", {
				IdentityPoolId: poolId,
				Logins: { [DEV]: "s\ud83d\ude00x" },
			});
			assert.equal(pair.status, 200, pair.text);
			assert.notEqual(pair.json?.IdentityId, first.json?.IdentityId);
			const again = await call(t, "GetOpenIdTokenForDeveloperIdentity", {
				IdentityPoolId: poolId,
				Logins: { [DEV]: "s\ufffdx" },
			});
			assert.equal(again.json?.IdentityId, first.json?.IdentityId);
			const found = await call(t, "LookupDeveloperIdentity", {
				IdentityPoolId: poolId,
				DeveloperUserIdentifier: "s\ufffdx",
			});
			assert.deepEqual(found.json?.DeveloperUserIdentifierList, ["s\ufffdx"]);
			assert.equal((await identities(poolId)).length, 2);

			// As a plain member: refused before any lookup.
			assertRefused(
				await call(t, "LookupDeveloperIdentity", {
					IdentityPoolId: poolId,
					DeveloperUserIdentifier: "s\ud800x",
				}),
				`Value at 'developerUserIdentifier' failed to satisfy constraint: ${SURROGATE}`,
			);
			assertRefused(
				await call(t, "LookupDeveloperIdentity", {
					IdentityPoolId: poolId,
					DeveloperUserIdentifier: "s\u0000x",
				}),
				`Value at 'developerUserIdentifier' failed to satisfy constraint: ${NUL}`,
			);
		});

		test("map keys and values, list items: refused, nothing stored", async () => {
			const create = await call(t, "CreateIdentityPool", {
				IdentityPoolName: "tagged",
				AllowUnauthenticatedIdentities: false,
				IdentityPoolTags: { team: "a\u0000b" },
			});
			assertRefused(
				create,
				`Value at 'identityPoolTags' failed to satisfy constraint: Map value ${NUL.slice("Member ".length)}`,
			);
			const list = await call(t, "ListIdentityPools", { MaxResults: 60 });
			const pools = list.json?.IdentityPools as { IdentityPoolName: string }[];
			assert.ok(!pools.some((p) => p.IdentityPoolName === "tagged"));

			const poolId = await developerPool("tags");
			const arn = `arn:aws:cognito-identity:us-east-1:000000000000:identitypool/${poolId}`;
			assertRefused(
				await call(t, "TagResource", {
					ResourceArn: arn,
					Tags: { "k\ud800": "v" },
				}),
				`Value at 'tags' failed to satisfy constraint: Map keys ${SURROGATE.slice("Member ".length)}`,
			);
			assertRefused(
				await call(t, "UntagResource", {
					ResourceArn: arn,
					TagKeys: ["ok", "k\u0000"],
				}),
				`Value at 'tagKeys' failed to satisfy constraint: ${NUL}`,
			);
			const tags = await call(t, "ListTagsForResource", { ResourceArn: arn });
			assert.deepEqual(tags.json?.Tags, {});
			const update = await call(t, "UpdateIdentityPool", {
				IdentityPoolId: poolId,
				IdentityPoolName: "tags",
				AllowUnauthenticatedIdentities: false,
				DeveloperProviderName: DEV,
				OpenIdConnectProviderARNs: [
					"arn:aws:iam::000000000000:oidc-provider/example.com\u0000",
				],
			});
			assertRefused(
				update,
				`Value at 'openIdConnectProviderARNs' failed to satisfy constraint: ${NUL}`,
			);
			const described = await call(t, "DescribeIdentityPool", {
				IdentityPoolId: poolId,
			});
			assert.equal(described.json?.OpenIdConnectProviderARNs, undefined);
		});
	});
}

test("the STS endpoint refuses a NUL in a parameter with ValidationError", async () => {
	// One engine is enough: the STS parameters are checked before anything is read.
	await withServer(async (t) => {
		const res = await fetch(t.url, {
			method: "POST",
			headers: { "content-type": "application/x-www-form-urlencoded" },
			body: new URLSearchParams({
				Action: "AssumeRoleWithWebIdentity",
				Version: "2011-06-15",
				RoleArn: "arn:aws:iam::000000000000:role/app\u0000",
				RoleSessionName: "session",
				WebIdentityToken: "a.b.c",
			}).toString(),
		});
		const text = await res.text();
		assert.equal(res.status, 400, text);
		assert.match(text, /<Code>ValidationError<\/Code>/);
		assert.match(
			text,
			/<Message>1 validation error detected: Value at 'roleArn' failed to satisfy constraint: Member must not contain the null character \(U\+0000\)<\/Message>/,
		);
	});
});
