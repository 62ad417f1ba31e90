/**
 * A verified login whose user no store can keep as it is: a token's `sub` (or a provider's
 * user id) with the null character, which PostgreSQL's text refuses (a 500 there before),
 * or an unpaired surrogate, which UTF-8 turns into U+FFFD on both engines (two users of the
 * provider would become one). The wire's validation cannot see inside a token, so login
 * verification refuses them: NotAuthorizedException, nothing stored, on both engines
 * (docs/behaviour.md#federation). U+FFFD itself is an ordinary character.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
	GetIdCommand,
	ListIdentitiesCommand,
} from "@aws-sdk/client-cognito-identity";
import {
	FACEBOOK,
	OIDC_ARN,
	OIDC_KEY,
	useFederation,
} from "../support/federation.ts";
import { freshSchema } from "../support/postgres.ts";
import { rejectsWith } from "../support/server.ts";
import { describeForEngine, STORE_ENGINES } from "../support/stores.ts";

const UNSTORABLE = [
	[
		"a\u0000b",
		"Invalid login token. The user it names must not contain the null character (U+0000).",
	],
	[
		"a\ud800b",
		"Invalid login token. The user it names must not contain an unpaired surrogate.",
	],
	[
		"a\udfffb",
		"Invalid login token. The user it names must not contain an unpaired surrogate.",
	],
] as const;

for (const engine of STORE_ENGINES) {
	describeForEngine(
		engine,
		`logins naming a user no store can keep (${engine})`,
		() => {
			let schema: Awaited<ReturnType<typeof freshSchema>> | undefined;
			before(async () => {
				if (engine === "postgres") schema = await freshSchema();
			});
			after(async () => {
				await schema?.drop();
			});
			const f = useFederation(() => ({
				config: schema ? { db: schema.url } : {},
			}));
			let poolId: string;
			before(async () => {
				poolId = await f.pool({ OpenIdConnectProviderARNs: [OIDC_ARN] });
			});
			const getId = (logins: Record<string, string>) =>
				f.app.send(
					new GetIdCommand({ IdentityPoolId: poolId, Logins: logins }),
				);
			const stored = async () =>
				(
					await f.admin.send(
						new ListIdentitiesCommand({
							IdentityPoolId: poolId,
							MaxResults: 60,
						}),
					)
				).Identities ?? [];

			test("an OpenID Connect token's sub and a Facebook user id: NotAuthorizedException, nothing stored", async () => {
				for (const [user, message] of UNSTORABLE) {
					await rejectsWith(
						getId({ [OIDC_KEY]: await f.tokens.oidc(user) }),
						"NotAuthorizedException",
						message,
					);
					await rejectsWith(
						getId({ [FACEBOOK]: f.facebook.issueToken(user) }),
						"NotAuthorizedException",
						message,
					);
				}
				assert.deepEqual(await stored(), []);
			});

			test("U+FFFD and a well-formed pair are ordinary characters: each its own identity", async () => {
				const replacement = await getId({
					[OIDC_KEY]: await f.tokens.oidc("a\ufffdb"),
				});
				const emoji = await getId({
					[OIDC_KEY]: await f.tokens.oidc("a\ud83d\ude00b"),
				});
				assert.notEqual(replacement.IdentityId, emoji.IdentityId);
				const again = await getId({
					[OIDC_KEY]: await f.tokens.oidc("a\ufffdb"),
				});
				assert.equal(again.IdentityId, replacement.IdentityId);
				assert.equal((await stored()).length, 2);
			});
		},
	);
}
