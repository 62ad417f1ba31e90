/**
 * Principal tags (attributes for access control; docs/behaviour.md#principal-tags) through the
 * official JS v3 client against a real server: the maps set with SetPrincipalTagAttributeMap
 * for an OpenID Connect provider (by its ARN), a Cognito user pool (by its ProviderName) and
 * public providers; the session tags GetCredentialsForIdentity then records with the
 * credentials it issues, and the `https://aws.amazon.com/tags` claim of GetOpenIdToken's
 * tokens, verified with jose through the server's live JWKS. The logins come from the
 * doubles of test/support/fake-idp.ts; the public calls from an unsigned client.
 *
 * Every test makes its own pool and users, so the tests do not depend on each other.
 */
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import {
	GetCredentialsForIdentityCommand,
	GetOpenIdTokenCommand,
	GetOpenIdTokenForDeveloperIdentityCommand,
	GetPrincipalTagAttributeMapCommand,
	SetIdentityPoolRolesCommand,
	SetPrincipalTagAttributeMapCommand,
} from "@aws-sdk/client-cognito-identity";
import { createRemoteJWKSet, type JWTPayload, jwtVerify } from "jose";
import {
	AMAZON,
	AMAZON_CLIENT,
	AUTH_ROLE,
	DEV,
	FACEBOOK,
	FACEBOOK_APP,
	GOOGLE,
	OIDC_ARN,
	OIDC_CLIENT,
	OIDC_KEY,
	UNAUTH_ROLE,
	USER_POOL_CLIENT,
	useFederation,
} from "../support/federation.ts";
import { rejectsWith, TEST_ACCOUNT } from "../support/server.ts";

const TAGS_CLAIM = "https://aws.amazon.com/tags";
const COGNITO_KEY = "cognito-identity.amazonaws.com";
const DEFAULT_MAP = { username: "sub", client: "aud" };

describe("principal tags in GetCredentialsForIdentity and GetOpenIdToken (JS v3 SDK)", () => {
	const f = useFederation();
	/** The `Logins` key and principal-tag provider name of the test user pool. */
	let UP: string;
	let verify: (token: string, audience: string) => Promise<JWTPayload>;
	let counter = 0;
	/** A user name no other test uses. */
	const user = (tag: string) => `${tag}-${++counter}`;

	before(async () => {
		UP = f.userPool.providerName;
		const jwks = createRemoteJWKSet(new URL("/.well-known/jwks_uri", f.ts.url));
		verify = async (token, audience) =>
			(
				await jwtVerify(token, jwks, {
					issuer: f.ts.url,
					audience,
					algorithms: ["RS512"],
				})
			).payload;
	});

	/** SetPrincipalTagAttributeMap; answers its answer without `$metadata`. */
	async function setMap(
		poolId: string,
		provider: string,
		map: { UseDefaults?: boolean; PrincipalTags?: Record<string, string> },
	) {
		const { $metadata, ...out } = await f.admin.send(
			new SetPrincipalTagAttributeMapCommand({
				IdentityPoolId: poolId,
				IdentityProviderName: provider,
				...map,
			}),
		);
		assert.equal($metadata.httpStatusCode, 200);
		return out;
	}

	async function getMap(poolId: string, provider: string) {
		const { $metadata, ...out } = await f.admin.send(
			new GetPrincipalTagAttributeMapCommand({
				IdentityPoolId: poolId,
				IdentityProviderName: provider,
			}),
		);
		return out;
	}

	/** GetCredentialsForIdentity (unsigned); answers the record of the credentials issued. */
	async function issued(identityId: string, logins?: Record<string, string>) {
		const out = await f.app.send(
			new GetCredentialsForIdentityCommand({
				IdentityId: identityId,
				...(logins ? { Logins: logins } : {}),
			}),
		);
		const stored = await f.ts.server.store.credentials.get(
			out.Credentials?.AccessKeyId as string,
		);
		assert.ok(stored, "no record of the credentials issued");
		return stored;
	}

	/** GetId with `logins`, then the tags GetCredentialsForIdentity records. */
	async function credentialTags(
		poolId: string,
		logins: Record<string, string>,
	): Promise<Record<string, string>> {
		return (await issued(await f.getId(poolId, logins), logins)).principalTags;
	}

	/** GetId with `logins`, then the payload of GetOpenIdToken's token, verified. */
	async function tokenPayload(
		poolId: string,
		logins: Record<string, string>,
	): Promise<JWTPayload> {
		const identityId = await f.getId(poolId, logins);
		const out = await f.app.send(
			new GetOpenIdTokenCommand({ IdentityId: identityId, Logins: logins }),
		);
		const payload = await verify(out.Token as string, poolId);
		assert.equal(payload.sub, identityId);
		return payload;
	}

	/** The tags claim a token carries for these tags: each value a one-element list. */
	function claimOf(tags: Record<string, string>) {
		return {
			principal_tags: Object.fromEntries(
				Object.entries(tags).map(([k, v]) => [k, [v]]),
			),
		};
	}

	/** Asserts both the credentials' tags and the token's claim for these logins. */
	async function assertTags(
		poolId: string,
		logins: () => Promise<Record<string, string>>,
		expected: Record<string, string>,
		what?: string,
	): Promise<void> {
		assert.deepEqual(
			await credentialTags(poolId, await logins()),
			expected,
			what,
		);
		const payload = await tokenPayload(poolId, await logins());
		if (Object.keys(expected).length === 0) {
			assert.ok(
				!Object.hasOwn(payload, TAGS_CLAIM),
				`${what ?? ""}: a token with no tags carries ${JSON.stringify(payload[TAGS_CLAIM])}`,
			);
		} else {
			assert.deepEqual(payload[TAGS_CLAIM], claimOf(expected), what);
		}
	}

	test("an OIDC provider, by its ARN, with UseDefaults: username from sub, client from aud", async () => {
		const poolId = await f.pool();
		const expected = {
			IdentityPoolId: poolId,
			IdentityProviderName: OIDC_ARN,
			UseDefaults: true,
			PrincipalTags: DEFAULT_MAP,
		};
		assert.deepEqual(
			await setMap(poolId, OIDC_ARN, { UseDefaults: true }),
			expected,
		);
		assert.deepEqual(await getMap(poolId, OIDC_ARN), expected);
		const sub = user("oidc");
		const logins = async () => ({ [OIDC_KEY]: await f.tokens.oidc(sub) });
		await assertTags(poolId, logins, { username: sub, client: OIDC_CLIENT });
		// An audience list: its first element.
		const listed = user("aud-list");
		await assertTags(
			poolId,
			async () => ({
				[OIDC_KEY]: await f.tokens.oidc(listed, {
					aud: [OIDC_CLIENT, "another-client"],
				}),
			}),
			{ username: listed, client: OIDC_CLIENT },
		);
		// The issuer host is the Logins key, not the provider's name here.
		await rejectsWith(
			f.admin.send(
				new SetPrincipalTagAttributeMapCommand({
					IdentityPoolId: poolId,
					IdentityProviderName: OIDC_KEY,
					UseDefaults: true,
				}),
			),
			"ResourceNotFoundException",
			`Identity provider '${OIDC_KEY}' is not configured for identity pool '${poolId}'.`,
		);
	});

	test("a user pool, by its ProviderName, with a custom map: claims as tags, arrays by their first element, missing claims skipped", async () => {
		const poolId = await f.pool();
		const map = {
			team: "custom:team",
			group: "cognito:groups",
			level: "custom:level",
			verified: "email_verified",
			gone: "custom:missing",
			nothing: "custom:null",
			empty: "custom:empty",
			object: "custom:object",
			who: "cognito:username",
		};
		const expected = {
			IdentityPoolId: poolId,
			IdentityProviderName: UP,
			UseDefaults: false,
			PrincipalTags: map,
		};
		assert.deepEqual(
			await setMap(poolId, UP, { PrincipalTags: map }),
			expected,
		);
		assert.deepEqual(await getMap(poolId, UP), expected);
		const sub = user("up");
		const logins = async () => ({
			[UP]: await f.userPool.mintIdToken({
				sub,
				aud: USER_POOL_CLIENT,
				username: "alice",
				groups: ["admins", "users"],
				"custom:team": "blue",
				"custom:level": 3,
				email_verified: true,
				"custom:null": null,
				"custom:empty": [],
				"custom:object": { a: "b" },
			}),
		});
		await assertTags(poolId, logins, {
			team: "blue",
			group: "admins",
			level: "3",
			verified: "true",
			who: "alice",
		});
		// The user pool's name with a client id names no provider for a map.
		await rejectsWith(
			f.admin.send(
				new GetPrincipalTagAttributeMapCommand({
					IdentityPoolId: poolId,
					IdentityProviderName: `${UP}:${USER_POOL_CLIENT}`,
				}),
			),
			"ResourceNotFoundException",
			`Identity provider '${UP}:${USER_POOL_CLIENT}' is not configured for identity pool '${poolId}'.`,
		);
	});

	test("a user pool with UseDefaults, and public providers (Amazon's default reads user_id)", async () => {
		const poolId = await f.pool();
		for (const provider of [UP, FACEBOOK, AMAZON]) {
			await setMap(poolId, provider, { UseDefaults: true });
		}
		assert.deepEqual((await getMap(poolId, AMAZON)).PrincipalTags, {
			username: "user_id",
			client: "aud",
		});
		const sub = user("up-default");
		await assertTags(
			poolId,
			async () => ({ [UP]: await f.tokens.userPool(sub) }),
			{ username: sub, client: USER_POOL_CLIENT },
			"user pool",
		);
		const fb = user("fb");
		await assertTags(
			poolId,
			async () => ({ [FACEBOOK]: f.tokens.facebook(fb) }),
			{ username: fb, client: FACEBOOK_APP },
			"Facebook",
		);
		const amzn = `amzn1.account.${user("a")}`;
		await assertTags(
			poolId,
			async () => ({ [AMAZON]: f.tokens.amazon(amzn) }),
			{ username: amzn, client: AMAZON_CLIENT },
			"Amazon",
		);
	});

	test("UseDefaults: true wins over a PrincipalTags sent with it", async () => {
		const poolId = await f.pool();
		const out = await setMap(poolId, OIDC_ARN, {
			UseDefaults: true,
			PrincipalTags: { other: "email" },
		});
		assert.deepEqual(out.PrincipalTags, DEFAULT_MAP);
		const sub = user("both");
		assert.deepEqual(
			await credentialTags(poolId, {
				[OIDC_KEY]: await f.tokens.oidc(sub, { email: "x@example.com" }),
			}),
			{ username: sub, client: OIDC_CLIENT },
		);
	});

	test("a map of {} puts no tag in force again; a change takes effect at once", async () => {
		const poolId = await f.pool();
		const sub = user("change");
		const logins = async () => ({
			[OIDC_KEY]: await f.tokens.oidc(sub, { email: "c@example.com" }),
		});
		const identityId = await f.getId(poolId, await logins());
		const tagsNow = async () =>
			(await issued(identityId, await logins())).principalTags;
		assert.deepEqual(await tagsNow(), {});
		await setMap(poolId, OIDC_ARN, { UseDefaults: true });
		assert.deepEqual(await tagsNow(), { username: sub, client: OIDC_CLIENT });
		await setMap(poolId, OIDC_ARN, { PrincipalTags: { mail: "email" } });
		assert.deepEqual(await tagsNow(), { mail: "c@example.com" });
		assert.deepEqual(
			await setMap(poolId, OIDC_ARN, { UseDefaults: false, PrincipalTags: {} }),
			{
				IdentityPoolId: poolId,
				IdentityProviderName: OIDC_ARN,
				UseDefaults: false,
				PrincipalTags: {},
			},
		);
		await assertTags(poolId, logins, {});
		// UseDefaults omitted and no PrincipalTags: inactive too.
		await setMap(poolId, OIDC_ARN, { UseDefaults: true });
		assert.deepEqual(await tagsNow(), { username: sub, client: OIDC_CLIENT });
		await setMap(poolId, OIDC_ARN, {});
		assert.deepEqual(await tagsNow(), {});
	});

	test("a provider whose map was never set yields no tags", async () => {
		const poolId = await f.pool();
		// Another provider's map does not apply to it.
		await setMap(poolId, OIDC_ARN, { UseDefaults: true });
		assert.deepEqual(await getMap(poolId, GOOGLE), {
			IdentityPoolId: poolId,
			IdentityProviderName: GOOGLE,
			UseDefaults: false,
			PrincipalTags: {},
		});
		const sub = user("google");
		await assertTags(
			poolId,
			async () => ({ [GOOGLE]: await f.tokens.google(sub) }),
			{},
		);
		const upSub = user("up");
		await assertTags(
			poolId,
			async () => ({ [UP]: await f.tokens.userPool(upSub) }),
			{},
		);
		// A guest has none either.
		const guest = await issued(await f.getId(poolId));
		assert.equal(guest.roleArn, UNAUTH_ROLE);
		assert.deepEqual(guest.principalTags, {});
	});

	test("several logins: each provider's tags; a key already taken keeps the first login's value", async () => {
		const poolId = await f.pool();
		await setMap(poolId, OIDC_ARN, { UseDefaults: true });
		await setMap(poolId, UP, {
			PrincipalTags: { username: "cognito:username", team: "custom:team" },
		});
		const sub = user("multi");
		const oidcLogin = { [OIDC_KEY]: await f.tokens.oidc(sub) };
		const upLogin = {
			[UP]: await f.userPool.mintIdToken({
				sub,
				aud: USER_POOL_CLIENT,
				username: "from-user-pool",
				"custom:team": "red",
			}),
		};
		assert.deepEqual(
			await credentialTags(poolId, { ...oidcLogin, ...upLogin }),
			{ username: sub, client: OIDC_CLIENT, team: "red" },
		);
		assert.deepEqual(
			await credentialTags(poolId, { ...upLogin, ...oidcLogin }),
			{ username: "from-user-pool", team: "red", client: OIDC_CLIENT },
		);
		const payload = await tokenPayload(poolId, { ...upLogin, ...oidcLogin });
		assert.deepEqual(
			payload[TAGS_CLAIM],
			claimOf({ username: "from-user-pool", team: "red", client: OIDC_CLIENT }),
		);
	});

	test("the tags are recorded together with the role a mapping selects", async () => {
		const poolId = await f.pool();
		const admin = `arn:aws:iam::${TEST_ACCOUNT}:role/Admin`;
		await f.admin.send(
			new SetIdentityPoolRolesCommand({
				IdentityPoolId: poolId,
				Roles: { authenticated: AUTH_ROLE, unauthenticated: UNAUTH_ROLE },
				RoleMappings: {
					[OIDC_ARN]: {
						Type: "Rules",
						AmbiguousRoleResolution: "AuthenticatedRole",
						RulesConfiguration: {
							Rules: [
								{
									Claim: "dept",
									MatchType: "Equals",
									Value: "ops",
									RoleARN: admin,
								},
							],
						},
					},
				},
			}),
		);
		await setMap(poolId, OIDC_ARN, { PrincipalTags: { department: "dept" } });
		const logins = {
			[OIDC_KEY]: await f.tokens.oidc(user("mapped"), { dept: "ops" }),
		};
		const stored = await issued(await f.getId(poolId, logins), logins);
		assert.equal(stored.roleArn, admin);
		assert.deepEqual(stored.principalTags, { department: "ops" });
	});

	test("a developer token's PrincipalTags are carried through GetCredentialsForIdentity", async () => {
		const poolId = await f.pool();
		// A map for another provider does not touch the developer's tags.
		await setMap(poolId, OIDC_ARN, { UseDefaults: true });
		const tags = { team: "a", env: "test" };
		const dev = await f.admin.send(
			new GetOpenIdTokenForDeveloperIdentityCommand({
				IdentityPoolId: poolId,
				Logins: { [DEV]: user("dev") },
				PrincipalTags: tags,
			}),
		);
		const payload = await verify(dev.Token as string, poolId);
		assert.deepEqual(payload[TAGS_CLAIM], claimOf(tags));
		const stored = await issued(dev.IdentityId as string, {
			[COGNITO_KEY]: dev.Token as string,
		});
		assert.equal(stored.roleArn, AUTH_ROLE);
		assert.deepEqual(stored.principalTags, tags);
		// Without PrincipalTags: none.
		const plain = await f.admin.send(
			new GetOpenIdTokenForDeveloperIdentityCommand({
				IdentityPoolId: poolId,
				Logins: { [DEV]: user("dev-plain") },
			}),
		);
		assert.ok(
			!Object.hasOwn(await verify(plain.Token as string, poolId), TAGS_CLAIM),
		);
		const none = await issued(plain.IdentityId as string, {
			[COGNITO_KEY]: plain.Token as string,
		});
		assert.deepEqual(none.principalTags, {});
	});
});
