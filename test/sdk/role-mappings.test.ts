/**
 * Role selection in GetCredentialsForIdentity (docs/behaviour.md#roles) through the
 * official JS v3 client against a real server: the public calls from an unsigned client as an
 * app makes them, the logins from the OpenID Connect issuer and the Cognito user pool doubles
 * of test/support/fake-idp.ts (and Google, Facebook), the role read back from the record the
 * server keeps of the credentials it issued.
 *
 * Every test makes its own pool and users, so the tests do not depend on each other.
 */
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import {
	GetCredentialsForIdentityCommand,
	GetOpenIdTokenForDeveloperIdentityCommand,
	type RoleMapping,
	SetIdentityPoolRolesCommand,
} from "@aws-sdk/client-cognito-identity";
import {
	AUTH_ROLE,
	DEV,
	FACEBOOK,
	GOOGLE,
	OIDC_ARN,
	OIDC_KEY,
	UNAUTH_ROLE,
	USER_POOL_CLIENT,
	useFederation,
} from "../support/federation.ts";
import { rejectsWith, TEST_ACCOUNT } from "../support/server.ts";

const NA = "NotAuthorizedException";
const IIPC = "InvalidIdentityPoolConfigurationException";
const NO_ROLE =
	"Invalid identity pool configuration. Check assigned IAM roles for this pool.";
const COGNITO_KEY = "cognito-identity.amazonaws.com";
const BOTH = { authenticated: AUTH_ROLE, unauthenticated: UNAUTH_ROLE };

/** A role ARN of the test account. */
const role = (name: string) => `arn:aws:iam::${TEST_ACCOUNT}:role/${name}`;
const ADMIN = role("Admin");
const ENG = role("Engineering");
const OPS = role("Ops");
const PAID = role("Paid");
const READER = role("Reader");
const WRITER = role("Writer");

/** The server's messages for a refused resolution (src/domain/role-resolution.ts). */
const denied = (key: string) =>
	`No role could be resolved for this login: the role mapping of ${key} denies ambiguous role resolution.`;
const customNotAllowed = (arn: string, key: string) =>
	`The CustomRoleArn ${arn} is not one of the roles of the token (cognito:roles) for the role mapping of ${key}.`;

/** A `Rules` mapping of these rules. */
function rules(
	list: [claim: string, match: string, value: string, roleArn: string][],
	ambiguous: "AuthenticatedRole" | "Deny" = "Deny",
): RoleMapping {
	return {
		Type: "Rules",
		AmbiguousRoleResolution: ambiguous,
		RulesConfiguration: {
			Rules: list.map(([Claim, MatchType, Value, RoleARN]) => ({
				Claim,
				MatchType: MatchType as "Equals",
				Value,
				RoleARN,
			})),
		},
	};
}

/** A `Token` mapping. */
function token(ambiguous: "AuthenticatedRole" | "Deny" = "Deny"): RoleMapping {
	return { Type: "Token", AmbiguousRoleResolution: ambiguous };
}

describe("role selection in GetCredentialsForIdentity (JS v3 SDK)", () => {
	const f = useFederation();
	/** `<ProviderName>:<ClientId>`: the role-mapping key of the test user pool. */
	let UP_KEY: string;
	/** The `Logins` key of the test user pool. */
	let UP: string;
	let counter = 0;
	/** A user name no other test uses. */
	const user = (tag: string) => `${tag}-${++counter}`;

	before(async () => {
		UP = f.userPool.providerName;
		UP_KEY = `${UP}:${USER_POOL_CLIENT}`;
	});

	/** A pool naming every provider, with both roles, and these role settings. */
	async function pool(
		roleMappings?: Record<string, RoleMapping>,
		roles: Record<string, string> = BOTH,
	): Promise<string> {
		const poolId = await f.pool();
		await setRoles(poolId, roleMappings, roles);
		return poolId;
	}

	async function setRoles(
		poolId: string,
		roleMappings?: Record<string, RoleMapping>,
		roles: Record<string, string> = BOTH,
	): Promise<void> {
		await f.admin.send(
			new SetIdentityPoolRolesCommand({
				IdentityPoolId: poolId,
				Roles: roles,
				...(roleMappings ? { RoleMappings: roleMappings } : {}),
			}),
		);
	}

	/** GetCredentialsForIdentity (unsigned) for `identityId`; answers the role recorded. */
	async function credentialsRole(
		identityId: string,
		logins?: Record<string, string>,
		customRoleArn?: string,
	): Promise<string | undefined> {
		const out = await f.app.send(
			new GetCredentialsForIdentityCommand({
				IdentityId: identityId,
				...(logins ? { Logins: logins } : {}),
				...(customRoleArn ? { CustomRoleArn: customRoleArn } : {}),
			}),
		);
		assert.equal(out.IdentityId, identityId);
		const stored = await f.ts.server.store.credentials.get(
			out.Credentials?.AccessKeyId as string,
		);
		assert.ok(stored, "no record of the credentials issued");
		return stored.roleArn;
	}

	/** GetId with `logins`, then the role GetCredentialsForIdentity records for them. */
	async function roleFor(
		poolId: string,
		logins: Record<string, string>,
		customRoleArn?: string,
	): Promise<string | undefined> {
		return credentialsRole(
			await f.getId(poolId, logins),
			logins,
			customRoleArn,
		);
	}

	/** GetId with `logins`, then GetCredentialsForIdentity, which must fail. */
	async function refused(
		poolId: string,
		logins: Record<string, string>,
		name: string,
		message: string,
		customRoleArn?: string,
	): Promise<void> {
		const identityId = await f.getId(poolId, logins);
		await rejectsWith(
			f.app.send(
				new GetCredentialsForIdentityCommand({
					IdentityId: identityId,
					Logins: logins,
					...(customRoleArn ? { CustomRoleArn: customRoleArn } : {}),
				}),
			),
			name,
			message,
		);
	}

	/** The `Logins` entry of a user-pool ID token of `sub` with these claims. */
	async function up(
		sub: string,
		claims: Record<string, unknown> = {},
	): Promise<Record<string, string>> {
		return { [UP]: await f.tokens.userPool(sub, claims) };
	}

	/** The `Logins` entry of an OpenID Connect ID token of `sub` with these claims. */
	async function oidc(
		sub: string,
		claims: Record<string, unknown> = {},
	): Promise<Record<string, string>> {
		return { [OIDC_KEY]: await f.tokens.oidc(sub, claims) };
	}

	describe("guests and developer identities", () => {
		test("a guest gets the unauthenticated role, whatever the mappings and CustomRoleArn", async () => {
			const poolId = await pool({
				[UP_KEY]: token("Deny"),
				[OIDC_ARN]: rules([["sub", "NotEqual", "x", ADMIN]]),
			});
			const guest = await f.getId(poolId);
			assert.equal(await credentialsRole(guest), UNAUTH_ROLE);
			assert.equal(await credentialsRole(guest, undefined, ADMIN), UNAUTH_ROLE);
		});

		test("a developer identity gets the authenticated role even with mappings that would decide otherwise", async () => {
			const poolId = await pool({
				[UP_KEY]: token("Deny"),
				[OIDC_ARN]: rules([["sub", "NotEqual", "x", ADMIN]], "Deny"),
			});
			const dev = await f.admin.send(
				new GetOpenIdTokenForDeveloperIdentityCommand({
					IdentityPoolId: poolId,
					Logins: { [DEV]: user("dev") },
				}),
			);
			const identityId = dev.IdentityId as string;
			const own = { [COGNITO_KEY]: dev.Token as string };
			assert.equal(await credentialsRole(identityId, own), AUTH_ROLE);
			// CustomRoleArn chooses nothing for a developer identity.
			assert.equal(await credentialsRole(identityId, own, ADMIN), AUTH_ROLE);
		});

		test("a developer identity presenting a linked OIDC login still gets the authenticated role", async () => {
			const poolId = await pool({
				[OIDC_ARN]: rules([["sub", "StartsWith", "devlinked", ADMIN]]),
			});
			const sub = user("devlinked");
			const oidcLogin = await oidc(sub);
			const dev = await f.admin.send(
				new GetOpenIdTokenForDeveloperIdentityCommand({
					IdentityPoolId: poolId,
					Logins: { [DEV]: sub, ...oidcLogin },
				}),
			);
			const identityId = dev.IdentityId as string;
			assert.deepEqual(await f.loginsOf(identityId), [DEV, OIDC_KEY].sort());
			// The rule would give Admin to this OIDC user; the identity is a developer's.
			assert.equal(await credentialsRole(identityId, oidcLogin), AUTH_ROLE);
			// The same OIDC user on an identity of its own gets the rule's role.
			const other = await pool({
				[OIDC_ARN]: rules([["sub", "StartsWith", "devlinked", ADMIN]]),
			});
			assert.equal(await roleFor(other, oidcLogin), ADMIN);
		});

		test("a guest who signs in with a developer identity's login moves to it, and gets the authenticated role", async () => {
			const poolId = await pool({
				[OIDC_ARN]: rules([["sub", "StartsWith", "moved", ADMIN]]),
			});
			const sub = user("moved");
			const oidcLogin = await oidc(sub);
			const dev = await f.admin.send(
				new GetOpenIdTokenForDeveloperIdentityCommand({
					IdentityPoolId: poolId,
					Logins: { [DEV]: sub, ...oidcLogin },
				}),
			);
			const guest = await f.getId(poolId);
			const out = await f.app.send(
				new GetCredentialsForIdentityCommand({
					IdentityId: guest,
					Logins: oidcLogin,
				}),
			);
			// docs/behaviour.md#identities: the guest moves to the identity owning the login.
			assert.equal(out.IdentityId, dev.IdentityId);
			const stored = await f.ts.server.store.credentials.get(
				out.Credentials?.AccessKeyId as string,
			);
			assert.equal(stored?.identityId, dev.IdentityId);
			// The credentials are for a developer identity: the authenticated role (docs/behaviour.md#roles),
			// as the next call for it answers.
			assert.equal(stored?.roleArn, AUTH_ROLE);
			assert.equal(
				await credentialsRole(dev.IdentityId as string, oidcLogin),
				AUTH_ROLE,
			);
		});

		test("an identity that absorbs a developer identity in the call gets the authenticated role in that call already", async () => {
			const poolId = await pool({
				[OIDC_ARN]: rules([["sub", "StartsWith", "absorbed", ADMIN]]),
			});
			const sub = user("absorbed");
			const oidcLogin = await oidc(sub);
			await f.admin.send(
				new GetOpenIdTokenForDeveloperIdentityCommand({
					IdentityPoolId: poolId,
					Logins: { [DEV]: sub, ...oidcLogin },
				}),
			);
			const google = { [GOOGLE]: await f.tokens.google(user("absorber")) };
			const federated = await f.getId(poolId, google);
			// docs/behaviour.md#identities: the identity named absorbs the developer identity and its logins.
			const first = await credentialsRole(federated, {
				...google,
				...oidcLogin,
			});
			assert.deepEqual(
				await f.loginsOf(federated),
				[DEV, GOOGLE, OIDC_KEY].sort(),
			);
			// It is a developer identity now, in this call as in the next ones.
			assert.equal(await credentialsRole(federated, oidcLogin), AUTH_ROLE);
			assert.equal(first, AUTH_ROLE);
		});
	});

	describe("Token mappings on a user pool (<ProviderName>:<ClientId>)", () => {
		test("cognito:preferred_role is taken (over the rest of cognito:roles)", async () => {
			const poolId = await pool({ [UP_KEY]: token("Deny") });
			const logins = await up(user("pref"), {
				roles: [READER, WRITER],
				preferredRole: WRITER,
			});
			assert.equal(await roleFor(poolId, logins), WRITER);
		});

		test("cognito:roles with one role, as a JSON array and as a string, is taken", async () => {
			const poolId = await pool({ [UP_KEY]: token("Deny") });
			assert.equal(
				await roleFor(poolId, await up(user("arr"), { roles: [READER] })),
				READER,
			);
			assert.equal(
				await roleFor(
					poolId,
					await up(user("str"), { "cognito:roles": READER }),
				),
				READER,
			);
		});

		test("cognito:roles as a comma-separated string: its roles (spaces trimmed) for CustomRoleArn, ambiguous without one", async () => {
			const poolId = await pool({ [UP_KEY]: token("Deny") });
			const logins = await up(user("csv"), {
				"cognito:roles": `${READER}, ${WRITER}`,
			});
			assert.equal(await roleFor(poolId, logins, WRITER), WRITER);
			assert.equal(await roleFor(poolId, logins, READER), READER);
			await refused(poolId, logins, NA, denied(UP_KEY));
			// The preferred role decides without CustomRoleArn.
			const preferred = await up(user("csv-pref"), {
				"cognito:roles": `${READER},${WRITER}`,
				preferredRole: READER,
			});
			assert.equal(await roleFor(poolId, preferred), READER);
		});

		test("CustomRoleArn in cognito:roles is taken, even over cognito:preferred_role", async () => {
			const poolId = await pool({ [UP_KEY]: token("Deny") });
			const logins = await up(user("custom"), {
				roles: [READER, WRITER],
				preferredRole: WRITER,
			});
			assert.equal(await roleFor(poolId, logins, READER), READER);
			assert.equal(await roleFor(poolId, logins), WRITER);
		});

		test("CustomRoleArn not in cognito:roles: NotAuthorizedException, even with AmbiguousRoleResolution AuthenticatedRole", async () => {
			for (const ambiguous of ["Deny", "AuthenticatedRole"] as const) {
				const poolId = await pool({ [UP_KEY]: token(ambiguous) });
				const logins = await up(user(`not-in-${ambiguous}`), {
					roles: [READER],
					preferredRole: READER,
				});
				await refused(
					poolId,
					logins,
					NA,
					customNotAllowed(ADMIN, UP_KEY),
					ADMIN,
				);
				// The pool's own roles are not in the token either.
				await refused(
					poolId,
					logins,
					NA,
					customNotAllowed(AUTH_ROLE, UP_KEY),
					AUTH_ROLE,
				);
				// A token without cognito:roles allows no CustomRoleArn.
				await refused(
					poolId,
					await up(user(`no-roles-${ambiguous}`)),
					NA,
					customNotAllowed(READER, UP_KEY),
					READER,
				);
			}
		});

		test("several roles and no preferred one: AmbiguousRoleResolution decides", async () => {
			const several = { roles: [READER, WRITER] };
			const lenient = await pool({ [UP_KEY]: token("AuthenticatedRole") });
			assert.equal(
				await roleFor(lenient, await up(user("amb-a"), several)),
				AUTH_ROLE,
			);
			const strict = await pool({ [UP_KEY]: token("Deny") });
			await refused(
				strict,
				await up(user("amb-d"), several),
				NA,
				denied(UP_KEY),
			);
		});

		test("no role in the token at all: AmbiguousRoleResolution decides", async () => {
			const lenient = await pool({ [UP_KEY]: token("AuthenticatedRole") });
			assert.equal(await roleFor(lenient, await up(user("none-a"))), AUTH_ROLE);
			const strict = await pool({ [UP_KEY]: token("Deny") });
			await refused(strict, await up(user("none-d")), NA, denied(UP_KEY));
		});

		test("the mapping is found by the token's audience: another client of the same user pool is unmapped", async () => {
			const poolId = await f.pool({
				CognitoIdentityProviders: [
					{ ProviderName: f.userPool.providerName, ClientId: USER_POOL_CLIENT },
					{ ProviderName: f.userPool.providerName, ClientId: "second_client" },
				],
			});
			await setRoles(poolId, { [`${UP}:second_client`]: token("Deny") });
			// A token for the unmapped client: the authenticated role.
			assert.equal(await roleFor(poolId, await up(user("c1"))), AUTH_ROLE);
			// A token for the mapped one: the mapping decides.
			const second = {
				[UP]: await f.userPool.mintIdToken({
					sub: user("c2"),
					aud: "second_client",
				}),
			};
			await refused(poolId, second, NA, denied(`${UP}:second_client`));
			const preferred = {
				[UP]: await f.userPool.mintIdToken({
					sub: user("c2p"),
					aud: "second_client",
					roles: [READER],
					preferredRole: READER,
				}),
			};
			assert.equal(await roleFor(poolId, preferred), READER);
		});
	});

	describe("Rules mappings on an OpenID Connect provider (by its ARN)", () => {
		const RULES = rules(
			[
				["email", "Equals", "admin@example.com", ADMIN],
				["department", "Contains", "eng", ENG],
				["sub", "StartsWith", "ops-", OPS],
				["tier", "NotEqual", "free", PAID],
			],
			"Deny",
		);

		test("Equals, Contains, StartsWith and NotEqual each select their rule's role", async () => {
			const poolId = await pool({ [OIDC_ARN]: RULES });
			const cases: [string, Record<string, unknown>, string][] = [
				["eq", { email: "admin@example.com" }, ADMIN],
				["contains", { department: "platform-engineering" }, ENG],
				["ops-", {}, OPS],
				["notequal", { tier: "gold" }, PAID],
			];
			for (const [prefix, claims, expected] of cases) {
				assert.equal(
					await roleFor(poolId, await oidc(user(prefix), claims)),
					expected,
					prefix,
				);
			}
		});

		test("the first matching rule wins", async () => {
			const poolId = await pool({ [OIDC_ARN]: RULES });
			// Every rule matches: the first one's role.
			const all = await oidc(user("ops-all"), {
				email: "admin@example.com",
				department: "eng",
				tier: "gold",
			});
			assert.equal(await roleFor(poolId, all), ADMIN);
			// All but the first.
			const rest = await oidc(user("ops-rest"), {
				email: "someone@example.com",
				department: "eng",
				tier: "gold",
			});
			assert.equal(await roleFor(poolId, rest), ENG);
			// Only the last two: StartsWith before NotEqual.
			const last = await oidc(user("ops-last"), { tier: "gold" });
			assert.equal(await roleFor(poolId, last), OPS);
		});

		test("matching is exact and case-sensitive", async () => {
			const poolId = await pool({
				[OIDC_ARN]: rules(
					[
						["email", "Equals", "admin@example.com", ADMIN],
						["department", "Contains", "eng", ENG],
						["sub", "StartsWith", "ops-", OPS],
					],
					"AuthenticatedRole",
				),
			});
			const cases: [string, Record<string, unknown>][] = [
				["case", { email: "Admin@example.com" }],
				["longer", { email: "admin@example.com.evil" }],
				["dept", { department: "ENG" }],
				["OPS-", {}],
				["x-ops-", {}],
			];
			for (const [prefix, claims] of cases) {
				assert.equal(
					await roleFor(poolId, await oidc(user(prefix), claims)),
					AUTH_ROLE,
					prefix,
				);
			}
		});

		test("array claims: NotEqual matches when no element equals, the others when any element does", async () => {
			const groupsRule = (match: string, value: string) =>
				rules([["groups", match, value, ADMIN]], "AuthenticatedRole");
			const poolId = await pool();
			const cases: [string, string, unknown, boolean][] = [
				["Equals", "ops", ["eng", "ops"], true],
				["Equals", "op", ["eng", "ops"], false],
				["Contains", "ng", ["ops", "eng"], true],
				["Contains", "xyz", ["ops", "eng"], false],
				["StartsWith", "en", ["ops", "eng"], true],
				["StartsWith", "ng", ["ops", "eng"], false],
				["NotEqual", "admin", ["eng", "ops"], true],
				["NotEqual", "ops", ["eng", "ops"], false],
				// An empty array is present and has no element.
				["NotEqual", "ops", [], true],
				["Equals", "ops", [], false],
			];
			for (const [match, value, groups, matches] of cases) {
				await setRoles(poolId, { [OIDC_ARN]: groupsRule(match, value) });
				assert.equal(
					await roleFor(poolId, await oidc(user("arr"), { groups })),
					matches ? ADMIN : AUTH_ROLE,
					`${match} ${value} on ${JSON.stringify(groups)}`,
				);
			}
		});

		test("NotEqual on a missing claim is skipped; null and object claims are missing", async () => {
			const poolId = await pool({
				[OIDC_ARN]: rules(
					[
						["tier", "NotEqual", "free", PAID],
						["sub", "StartsWith", "skip", OPS],
					],
					"Deny",
				),
			});
			// No tier claim: the NotEqual rule is not evaluated, the next one matches.
			assert.equal(await roleFor(poolId, await oidc(user("skip"))), OPS);
			assert.equal(
				await roleFor(poolId, await oidc(user("skip"), { tier: null })),
				OPS,
			);
			assert.equal(
				await roleFor(poolId, await oidc(user("skip"), { tier: { a: 1 } })),
				OPS,
			);
			// A tier of "free" does not match NotEqual either.
			assert.equal(
				await roleFor(poolId, await oidc(user("skip"), { tier: "free" })),
				OPS,
			);
			// No claim and no other rule: ambiguous, denied.
			await refused(poolId, await oidc(user("none")), NA, denied(OIDC_ARN));
		});

		test("numbers and booleans compare as their JSON text", async () => {
			const poolId = await pool({
				[OIDC_ARN]: rules(
					[
						["level", "Equals", "3", ADMIN],
						["email_verified", "Equals", "true", ENG],
					],
					"AuthenticatedRole",
				),
			});
			assert.equal(
				await roleFor(poolId, await oidc(user("num"), { level: 3 })),
				ADMIN,
			);
			assert.equal(
				await roleFor(
					poolId,
					await oidc(user("bool"), { email_verified: true }),
				),
				ENG,
			);
			assert.equal(
				await roleFor(
					poolId,
					await oidc(user("f"), { level: 4, email_verified: false }),
				),
				AUTH_ROLE,
			);
		});

		test("no rule matching: AmbiguousRoleResolution AuthenticatedRole, or Deny", async () => {
			const lenient = await pool({
				[OIDC_ARN]: rules(
					[["email", "Equals", "a@b.c", ADMIN]],
					"AuthenticatedRole",
				),
			});
			assert.equal(
				await roleFor(lenient, await oidc(user("nomatch"))),
				AUTH_ROLE,
			);
			const strict = await pool({
				[OIDC_ARN]: rules([["email", "Equals", "a@b.c", ADMIN]], "Deny"),
			});
			await refused(strict, await oidc(user("nomatch")), NA, denied(OIDC_ARN));
		});

		test("CustomRoleArn does not choose a role under a Rules mapping, nor without a mapping", async () => {
			const poolId = await pool({
				[OIDC_ARN]: rules(
					[["sub", "StartsWith", "cust", ENG]],
					"AuthenticatedRole",
				),
			});
			assert.equal(await roleFor(poolId, await oidc(user("cust")), ADMIN), ENG);
			assert.equal(
				await roleFor(poolId, await oidc(user("other")), ADMIN),
				AUTH_ROLE,
			);
			assert.equal(
				await roleFor(
					poolId,
					{ [FACEBOOK]: f.tokens.facebook(user("fb")) },
					ADMIN,
				),
				AUTH_ROLE,
			);
		});

		test("Rules on a user pool (cognito:groups) and on a public provider (Facebook's sub)", async () => {
			const fbUser = user("fb");
			const poolId = await pool({
				[UP_KEY]: rules([["cognito:groups", "Equals", "admins", ADMIN]]),
				[FACEBOOK]: rules([["sub", "Equals", fbUser, ENG]]),
			});
			assert.equal(
				await roleFor(
					poolId,
					await up(user("g"), { groups: ["users", "admins"] }),
				),
				ADMIN,
			);
			await refused(
				poolId,
				await up(user("g"), { groups: ["users"] }),
				NA,
				denied(UP_KEY),
			);
			assert.equal(
				await roleFor(poolId, { [FACEBOOK]: f.tokens.facebook(fbUser) }),
				ENG,
			);
			await refused(
				poolId,
				{ [FACEBOOK]: f.tokens.facebook(user("fb")) },
				NA,
				denied(FACEBOOK),
			);
		});
	});

	describe("several logins, unmapped providers", () => {
		test("the first mapped login, in the order of the Logins map, that yields a role wins", async () => {
			const poolId = await pool({
				[UP_KEY]: token("Deny"),
				[OIDC_ARN]: rules(
					[["sub", "StartsWith", "multi", ENG]],
					"AuthenticatedRole",
				),
			});
			const sub = user("multi");
			const upLogin = await up(sub, { roles: [READER], preferredRole: READER });
			const oidcLogin = await oidc(sub);
			// Both yield a role: the first one presented.
			assert.equal(await roleFor(poolId, { ...upLogin, ...oidcLogin }), READER);
			assert.equal(await roleFor(poolId, { ...oidcLogin, ...upLogin }), ENG);
			// The first is ambiguous (no role in the token): the second decides.
			const ambiguousUp = await up(user("multi-amb"));
			const oidc2 = await oidc(user("multi"));
			assert.equal(await roleFor(poolId, { ...ambiguousUp, ...oidc2 }), ENG);
		});

		test("no mapped login yields a role: the first mapped login's AmbiguousRoleResolution decides", async () => {
			const poolId = await pool({
				[UP_KEY]: token("Deny"),
				[OIDC_ARN]: rules(
					[["sub", "Equals", "nobody", ENG]],
					"AuthenticatedRole",
				),
			});
			const sub = user("amb");
			const upLogin = await up(sub);
			const oidcLogin = await oidc(sub);
			await refused(poolId, { ...upLogin, ...oidcLogin }, NA, denied(UP_KEY));
			assert.equal(
				await roleFor(poolId, { ...oidcLogin, ...upLogin }),
				AUTH_ROLE,
			);
			// An unmapped provider before them is not the first mapped one.
			const google = { [GOOGLE]: await f.tokens.google(sub) };
			await refused(
				poolId,
				{ ...google, ...upLogin, ...oidcLogin },
				NA,
				denied(UP_KEY),
			);
			assert.equal(
				await roleFor(poolId, { ...google, ...oidcLogin, ...upLogin }),
				AUTH_ROLE,
			);
		});

		test("a login whose provider has no mapping gets the authenticated role", async () => {
			// Only the OIDC provider is mapped, and it denies its tokens (they carry no roles).
			const poolId = await pool({ [OIDC_ARN]: token("Deny") });
			const sub = user("unmapped");
			assert.equal(await roleFor(poolId, await up(sub)), AUTH_ROLE);
			assert.equal(
				await roleFor(poolId, { [GOOGLE]: await f.tokens.google(sub) }),
				AUTH_ROLE,
			);
			assert.equal(
				await roleFor(poolId, { [FACEBOOK]: f.tokens.facebook(sub) }),
				AUTH_ROLE,
			);
			// With the mapped one alongside, the mapped one decides.
			await refused(
				poolId,
				{
					[GOOGLE]: await f.tokens.google(user("g")),
					...(await oidc(user("o"))),
				},
				NA,
				denied(OIDC_ARN),
			);
			// A pool without any mapping.
			const plain = await pool();
			assert.equal(await roleFor(plain, await oidc(user("plain"))), AUTH_ROLE);
		});
	});

	describe("configuration", () => {
		test("no role configured where one is needed: InvalidIdentityPoolConfigurationException", async () => {
			const authOnly = await pool(undefined, { authenticated: AUTH_ROLE });
			const guest = await f.getId(authOnly);
			await rejectsWith(
				f.app.send(new GetCredentialsForIdentityCommand({ IdentityId: guest })),
				IIPC,
				NO_ROLE,
			);
			const unauthOnly = await pool(undefined, {
				unauthenticated: UNAUTH_ROLE,
			});
			// An unmapped login.
			await refused(unauthOnly, await oidc(user("norole")), IIPC, NO_ROLE);
			// A developer identity.
			const dev = await f.admin.send(
				new GetOpenIdTokenForDeveloperIdentityCommand({
					IdentityPoolId: unauthOnly,
					Logins: { [DEV]: user("dev") },
				}),
			);
			await rejectsWith(
				f.app.send(
					new GetCredentialsForIdentityCommand({
						IdentityId: dev.IdentityId,
						Logins: { [COGNITO_KEY]: dev.Token as string },
					}),
				),
				IIPC,
				NO_ROLE,
			);
			// AmbiguousRoleResolution AuthenticatedRole without an authenticated role.
			await setRoles(
				unauthOnly,
				{
					[OIDC_ARN]: rules(
						[["sub", "Equals", "nobody", ENG]],
						"AuthenticatedRole",
					),
				},
				{ unauthenticated: UNAUTH_ROLE },
			);
			await refused(unauthOnly, await oidc(user("amb")), IIPC, NO_ROLE);
			// Roles {} and no mapping.
			const none = await pool(undefined, {});
			await refused(none, await oidc(user("none")), IIPC, NO_ROLE);
		});

		test("a mapping that yields a role needs no default role", async () => {
			const poolId = await pool(
				{
					[OIDC_ARN]: rules([["sub", "StartsWith", "mapped", ENG]], "Deny"),
					[UP_KEY]: token("Deny"),
				},
				{},
			);
			assert.equal(await roleFor(poolId, await oidc(user("mapped"))), ENG);
			assert.equal(
				await roleFor(poolId, await up(user("t"), { roles: [READER] })),
				READER,
			);
		});

		test("a mapping replaced or cleared by SetIdentityPoolRoles takes effect at once", async () => {
			const poolId = await pool({
				[OIDC_ARN]: rules([["sub", "StartsWith", "swap", ENG]], "Deny"),
			});
			const logins = await oidc(user("swap"));
			const identityId = await f.getId(poolId, logins);
			assert.equal(await credentialsRole(identityId, logins), ENG);
			// Another rule for the same provider.
			await setRoles(poolId, {
				[OIDC_ARN]: rules([["sub", "StartsWith", "swap", OPS]], "Deny"),
			});
			assert.equal(await credentialsRole(identityId, logins), OPS);
			// A mapping that denies this login.
			await setRoles(poolId, { [OIDC_ARN]: token("Deny") });
			await rejectsWith(
				f.app.send(
					new GetCredentialsForIdentityCommand({
						IdentityId: identityId,
						Logins: logins,
					}),
				),
				NA,
				denied(OIDC_ARN),
			);
			// Cleared (RoleMappings omitted): the authenticated role.
			await setRoles(poolId);
			assert.equal(await credentialsRole(identityId, logins), AUTH_ROLE);
			// Set again, then cleared with {}.
			await setRoles(poolId, {
				[OIDC_ARN]: rules([["sub", "StartsWith", "swap", ENG]], "Deny"),
			});
			assert.equal(await credentialsRole(identityId, logins), ENG);
			await setRoles(poolId, {});
			assert.equal(await credentialsRole(identityId, logins), AUTH_ROLE);
			// The default role changed: the new one.
			await setRoles(poolId, undefined, {
				authenticated: WRITER,
				unauthenticated: UNAUTH_ROLE,
			});
			assert.equal(await credentialsRole(identityId, logins), WRITER);
		});
	});
});
