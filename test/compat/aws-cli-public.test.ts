/**
 * Compatibility: pool roles and the public operations (GetId, GetOpenIdToken,
 * GetCredentialsForIdentity, UnlinkIdentity) through the AWS CLI v2 (Debian's awscli, at
 * /usr/bin/aws), each command run as a user would type it, against a real server that
 * accepts the logins of two OpenID Connect issuers on loopback (test/support/fake-idp.ts).
 * The public commands run with `--no-sign-request`, as from a machine without credentials;
 * the tokens the CLI prints are verified with jose from the server's JWKS, found through its
 * OpenID discovery document.
 *
 * Every test uses its own users and identities, so the tests do not depend on each other's
 * order. Calls that do not depend on each other run in parallel, to keep the suite quick
 * (each CLI start costs about half a second).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createRemoteJWKSet, jwtVerify } from "jose";
import { type FakeOidc, startFakeOidc } from "../support/fake-idp.ts";
import { TEST_ACCOUNT, useServer } from "../support/server.ts";
import {
	assertClientsInstalled,
	assertServiceError,
	cognitoCli,
} from "./clients.ts";

interface Roles {
	IdentityPoolId: string;
	Roles: Record<string, string>;
	RoleMappings?: Record<string, unknown>;
}

interface TokenAnswer {
	IdentityId: string;
	Token: string;
}

interface CredentialsAnswer {
	IdentityId: string;
	Credentials: {
		AccessKeyId: string;
		SecretKey: string;
		SessionToken: string;
		Expiration: string;
	};
}

const DEVELOPER = "login.example.app";
const CLIENT_ID = "compat-cli-app";
const AUTH_ROLE = `arn:aws:iam::${TEST_ACCOUNT}:role/Cognito_Auth`;
const UNAUTH_ROLE = `arn:aws:iam::${TEST_ACCOUNT}:role/Cognito_Unauth`;
const MISSING_ID = "us-east-1:00000000-0000-4000-8000-000000000001";
const MISSING_POOL = "us-east-1:00000000-0000-4000-8000-000000000002";
const IDENTITY_ID =
	/^us-east-1:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** How the CLI prints a timestamp (its default `cli_timestamp_format`, iso8601). */
const ISO_DATE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$/;
/** AWS CLI v2 exit code for an error answered by the service. */

describe("pool roles and the public operations through the AWS CLI", () => {
	let oidc: FakeOidc;
	let other: FakeOidc;
	before(async () => {
		await assertClientsInstalled();
		[oidc, other] = await Promise.all([
			startFakeOidc({ issuerPath: "oidc" }),
			startFakeOidc({ issuerPath: "other" }),
		]);
	});
	after(() => Promise.all([oidc?.close(), other?.close()]));
	const t = useServer(() => ({
		config: {
			providers: {
				[oidc.host]: { clientIds: [CLIENT_ID] },
				[other.host]: { clientIds: [CLIENT_ID] },
			},
		},
	}));
	const { aws, awsJson, awsQuiet } = cognitoCli(() => t.url);
	/** Guests, both OIDC providers and a developer provider; both default roles. */
	let poolId: string;
	/** No guests. */
	let closedPoolId: string;
	/** Guests, but no roles. */
	let noRolesPoolId: string;
	before(async () => {
		[poolId, closedPoolId, noRolesPoolId] = await Promise.all([
			createPool("public", [
				"--allow-unauthenticated-identities",
				"--developer-provider-name",
				DEVELOPER,
				"--open-id-connect-provider-arns",
				arn(oidc),
				arn(other),
			]),
			createPool("closed", ["--no-allow-unauthenticated-identities"]),
			createPool("no roles", ["--allow-unauthenticated-identities"]),
		]);
		const r = await aws(setRolesArgs(poolId));
		assert.equal(r.code, 0, r.stderr);
	});

	function arn(idp: FakeOidc): string {
		return `arn:aws:iam::${TEST_ACCOUNT}:oidc-provider/${idp.host}`;
	}

	function issuers(): [FakeOidc, FakeOidc] {
		assert.ok(oidc && other, "the issuers did not start");
		return [oidc, other];
	}

	/** `--logins` shorthand for an ID token of `sub` from `idp`. */
	async function loginArg(idp: FakeOidc, sub: string): Promise<string> {
		return `${idp.host}=${await idp.mint({ sub, aud: CLIENT_ID })}`;
	}

	async function createPool(name: string, extra: string[]): Promise<string> {
		const pool = await awsJson<{ IdentityPoolId: string }>([
			"create-identity-pool",
			"--identity-pool-name",
			name,
			...extra,
		]);
		return pool.IdentityPoolId;
	}

	function setRolesArgs(id: string, extra: string[] = []): string[] {
		return [
			"set-identity-pool-roles",
			"--identity-pool-id",
			id,
			"--roles",
			`authenticated=${AUTH_ROLE},unauthenticated=${UNAUTH_ROLE}`,
			...extra,
		];
	}

	/** `get-id --no-sign-request` on `pool`, with `--logins` when given. */
	async function getId(pool: string, logins?: string): Promise<string> {
		const out = await awsJson<{ IdentityId: string }>([
			"get-id",
			"--identity-pool-id",
			pool,
			...(logins ? ["--logins", logins] : []),
			"--no-sign-request",
		]);
		assert.deepEqual(Object.keys(out), ["IdentityId"]);
		assert.match(out.IdentityId, IDENTITY_ID);
		return out.IdentityId;
	}

	/** The provider names linked to an identity, as describe-identity answers them. */
	async function linked(identityId: string): Promise<string[] | undefined> {
		const out = await awsJson<{ Logins?: string[] }>([
			"describe-identity",
			"--identity-id",
			identityId,
		]);
		return out.Logins && [...out.Logins].sort();
	}

	/** Verifies a GetOpenIdToken token from the discovery document and JWKS; its claims. */
	async function verify(jwt: string) {
		const discovery = (await (
			await fetch(`${t.url}/.well-known/openid-configuration`)
		).json()) as { issuer: string; jwks_uri: string };
		const jwks = createRemoteJWKSet(new URL(discovery.jwks_uri));
		const { protectedHeader, payload } = await jwtVerify(jwt, jwks, {
			issuer: t.url,
			audience: poolId,
			algorithms: ["RS512"],
		});
		assert.equal(protectedHeader.typ, "JWS");
		const { exp, iat, ...claims } = payload;
		assert.ok(typeof exp === "number" && typeof iat === "number");
		assert.equal(exp - iat, 600, "GetOpenIdToken's tokens last 10 minutes");
		assert.ok(Math.abs(iat - Date.now() / 1000) < 60, `iat ${iat} is not now`);
		return claims;
	}

	/** Asserts one-hour temporary credentials for `identityId`, as the CLI prints them. */
	function assertCredentials(out: CredentialsAnswer, identityId: string) {
		assert.deepEqual(Object.keys(out).sort(), ["Credentials", "IdentityId"]);
		assert.equal(out.IdentityId, identityId);
		assert.deepEqual(Object.keys(out.Credentials).sort(), [
			"AccessKeyId",
			"Expiration",
			"SecretKey",
			"SessionToken",
		]);
		assert.match(out.Credentials.AccessKeyId, /^ASIA[A-Z0-9]{16}$/);
		assert.ok(out.Credentials.SecretKey.length >= 40);
		assert.ok(out.Credentials.SessionToken.length > 0);
		assert.match(out.Credentials.Expiration, ISO_DATE);
		const ahead = Date.parse(out.Credentials.Expiration) - Date.now();
		assert.ok(
			Math.abs(ahead - 3600_000) < 60_000,
			`Expiration ${out.Credentials.Expiration} is not about one hour ahead`,
		);
	}

	test("set-identity-pool-roles --roles and --role-mappings print nothing; get-identity-pool-roles answers them; --roles {} clears", async () => {
		const [idp] = issuers();
		const id = await createPool("roles", [
			"--allow-unauthenticated-identities",
			"--open-id-connect-provider-arns",
			arn(idp),
		]);
		const mappings = {
			[arn(idp)]: {
				Type: "Rules",
				AmbiguousRoleResolution: "AuthenticatedRole",
				RulesConfiguration: {
					Rules: [
						{
							Claim: "email",
							MatchType: "Equals",
							Value: "admin@example.com",
							RoleARN: `arn:aws:iam::${TEST_ACCOUNT}:role/Admin`,
						},
						{
							Claim: "groups",
							MatchType: "Contains",
							Value: "eng",
							RoleARN: `arn:aws:iam::${TEST_ACCOUNT}:role/Engineering`,
						},
					],
				},
			},
		};
		await awsQuiet(
			setRolesArgs(id, ["--role-mappings", JSON.stringify(mappings)]),
		);
		assert.deepEqual(
			await awsJson<Roles>([
				"get-identity-pool-roles",
				"--identity-pool-id",
				id,
			]),
			{
				IdentityPoolId: id,
				Roles: { authenticated: AUTH_ROLE, unauthenticated: UNAUTH_ROLE },
				RoleMappings: mappings,
			},
		);
		await awsQuiet([
			"set-identity-pool-roles",
			"--identity-pool-id",
			id,
			"--roles",
			"{}",
		]);
		assert.deepEqual(
			await awsJson<Roles>([
				"get-identity-pool-roles",
				"--identity-pool-id",
				id,
			]),
			{ IdentityPoolId: id, Roles: {} },
		);
	});

	test("get-id --no-sign-request: a new identity per guest; one per login with --logins", async () => {
		const [idp] = issuers();
		const login = await loginArg(idp, "cli-getid");
		const [guest1, guest2, user] = await Promise.all([
			getId(poolId),
			getId(poolId),
			getId(poolId, login),
		]);
		assert.notEqual(guest1, guest2);
		assert.ok(![guest1, guest2].includes(user));
		const [again, logins] = await Promise.all([
			getId(poolId, login),
			linked(user),
		]);
		assert.equal(again, user);
		assert.deepEqual(logins, [idp.host]);
	});

	test("get-open-id-token --no-sign-request: the guest's and the login's tokens verify against the JWKS", async () => {
		const [idp] = issuers();
		const login = await loginArg(idp, "cli-token");
		const [guest, user] = await Promise.all([
			getId(poolId),
			getId(poolId, login),
		]);
		const [guestToken, userToken] = await Promise.all([
			awsJson<TokenAnswer>([
				"get-open-id-token",
				"--identity-id",
				guest,
				"--no-sign-request",
			]),
			awsJson<TokenAnswer>([
				"get-open-id-token",
				"--identity-id",
				user,
				"--logins",
				login,
				"--no-sign-request",
			]),
		]);
		assert.deepEqual(Object.keys(guestToken).sort(), ["IdentityId", "Token"]);
		assert.equal(guestToken.IdentityId, guest);
		assert.equal(userToken.IdentityId, user);
		const poolArn = `arn:aws:cognito-identity:us-east-1:${TEST_ACCOUNT}:identitypool/${poolId}`;
		assert.deepEqual(await verify(guestToken.Token), {
			sub: guest,
			aud: poolId,
			amr: ["unauthenticated"],
			iss: t.url,
			"https://cognito-identity.amazonaws.com/identity-pool-arn": poolArn,
		});
		assert.deepEqual(await verify(userToken.Token), {
			sub: user,
			aud: poolId,
			amr: ["authenticated", idp.host, `${arn(idp)}:OIDC:cli-token`],
			iss: t.url,
			"https://cognito-identity.amazonaws.com/identity-pool-arn": poolArn,
		});
	});

	test("get-credentials-for-identity --no-sign-request prints one-hour temporary credentials: guest, login, developer token", async () => {
		const [idp] = issuers();
		const login = await loginArg(idp, "cli-credentials");
		const [guest, user, developer] = await Promise.all([
			getId(poolId),
			getId(poolId, login),
			// The backend, signed with the developer's keys.
			awsJson<TokenAnswer>([
				"get-open-id-token-for-developer-identity",
				"--identity-pool-id",
				poolId,
				"--logins",
				`${DEVELOPER}=cli-developer`,
			]),
		]);
		const credentials = (identityId: string, logins?: string) =>
			awsJson<CredentialsAnswer>([
				"get-credentials-for-identity",
				"--identity-id",
				identityId,
				...(logins ? ["--logins", logins] : []),
				"--no-sign-request",
			]);
		const [forGuest, forUser, forDeveloper] = await Promise.all([
			credentials(guest),
			credentials(user, login),
			// The app presents the backend's token under cognito-identity.amazonaws.com.
			credentials(
				developer.IdentityId,
				`cognito-identity.amazonaws.com=${developer.Token}`,
			),
		]);
		assertCredentials(forGuest, guest);
		assertCredentials(forUser, user);
		assertCredentials(forDeveloper, developer.IdentityId);
	});

	test("unlink-identity --no-sign-request prints nothing; the unlinked login is then a new identity", async () => {
		const [idp, otherIdp] = issuers();
		const [kept, removed] = await Promise.all([
			loginArg(idp, "cli-unlink"),
			loginArg(otherIdp, "cli-unlink"),
		]);
		const id = await getId(poolId, `${kept},${removed}`);
		assert.deepEqual(await linked(id), [idp.host, otherIdp.host].sort());
		await awsQuiet([
			"unlink-identity",
			"--identity-id",
			id,
			"--logins",
			kept,
			"--logins-to-remove",
			otherIdp.host,
			"--no-sign-request",
		]);
		const [logins, fresh, same] = await Promise.all([
			linked(id),
			getId(poolId, removed),
			getId(poolId, kept),
		]);
		assert.deepEqual(logins, [idp.host]);
		assert.notEqual(fresh, id);
		assert.equal(same, id);
	});

	test("errors: exit 254 with the service's code and message", async () => {
		const [idp] = issuers();
		const [login, guest] = await Promise.all([
			loginArg(idp, "cli-errors"),
			getId(noRolesPoolId),
		]);
		const unconfigured = `arn:aws:iam::${TEST_ACCOUNT}:oidc-provider/oidc.unconfigured.example`;
		const [getIdClosed, token, credentials, setRoles, getRoles, unlink] =
			await Promise.all([
				aws([
					"get-id",
					"--identity-pool-id",
					closedPoolId,
					"--no-sign-request",
				]),
				aws([
					"get-open-id-token",
					"--identity-id",
					MISSING_ID,
					"--no-sign-request",
				]),
				aws([
					"get-credentials-for-identity",
					"--identity-id",
					guest,
					"--no-sign-request",
				]),
				aws(
					setRolesArgs(poolId, [
						"--role-mappings",
						JSON.stringify({
							[unconfigured]: {
								Type: "Token",
								AmbiguousRoleResolution: "Deny",
							},
						}),
					]),
				),
				aws(["get-identity-pool-roles", "--identity-pool-id", MISSING_POOL]),
				aws([
					"unlink-identity",
					"--identity-id",
					MISSING_ID,
					"--logins",
					login,
					"--logins-to-remove",
					idp.host,
					"--no-sign-request",
				]),
			]);
		assertServiceError(
			getIdClosed,
			"NotAuthorizedException",
			"Unauthenticated access is not supported for this identity pool.",
		);
		assert.match(
			getIdClosed.stderr,
			// With one attempt allowed, botocore adds "(reached max retries: 0)".
			/An error occurred \(NotAuthorizedException\) when calling the GetId operation( \(reached max retries: 0\))?: Unauthenticated /,
		);
		assertServiceError(
			token,
			"ResourceNotFoundException",
			`Identity '${MISSING_ID}' not found.`,
		);
		assertServiceError(
			credentials,
			"InvalidIdentityPoolConfigurationException",
			"Invalid identity pool configuration. Check assigned IAM roles for this pool.",
		);
		assertServiceError(
			setRoles,
			"InvalidParameterException",
			`${unconfigured} is not a valid RoleMapping ProviderName or is not a configured provider.`,
		);
		assertServiceError(
			getRoles,
			"ResourceNotFoundException",
			`IdentityPool '${MISSING_POOL}' not found.`,
		);
		assertServiceError(
			unlink,
			"ResourceNotFoundException",
			`Identity '${MISSING_ID}' not found.`,
		);
	});
});
