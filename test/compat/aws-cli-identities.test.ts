/**
 * Compatibility: developer-authenticated identities through the AWS CLI v2 (Debian's awscli,
 * at /usr/bin/aws), each command run as a user would type it, against a real server. The
 * tokens the CLI prints are verified with jose from the server's JWKS, found through its
 * OpenID discovery document.
 *
 * Every test uses its own developer users of one shared pool, so the tests do not depend on
 * each other's order. Calls that do not depend on each other run in parallel, to keep the
 * suite quick (each CLI start costs about half a second).
 */
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { createRemoteJWKSet, jwtVerify } from "jose";
import { useServer } from "../support/server.ts";
import {
	assertClientsInstalled,
	assertServiceError,
	cognitoCli,
} from "./clients.ts";

interface TokenAnswer {
	IdentityId: string;
	Token: string;
}

interface Identity {
	IdentityId: string;
	Logins?: string[];
	CreationDate: string;
	LastModifiedDate: string;
}

interface IdentityList {
	IdentityPoolId: string;
	Identities: Identity[];
	NextToken?: string;
}

interface Lookup {
	IdentityId: string;
	DeveloperUserIdentifierList: string[];
	NextToken?: string;
}

const DEVELOPER = "login.example.app";
const ACCOUNT = "000000000000";
const MISSING_ID = "us-east-1:00000000-0000-4000-8000-000000000001";
const IDENTITY_ID =
	/^us-east-1:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** How the CLI prints a timestamp (its default `cli_timestamp_format`, iso8601). */
const ISO_DATE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$/;
const UNSUPPORTED_DEVELOPER =
	"This identity pool does not support the specified developer provider";
/** AWS CLI v2 exit code for an error answered by the service. */

describe("developer identities through the AWS CLI", () => {
	before(assertClientsInstalled);
	const t = useServer();
	const { aws, awsJson } = cognitoCli(() => t.url);
	/** A pool with the developer provider {@link DEVELOPER}. */
	let poolId: string;
	/** A pool without a developer provider. */
	let plainPoolId: string;
	before(async () => {
		[poolId, plainPoolId] = await Promise.all([
			createPool("developer pool", ["--developer-provider-name", DEVELOPER]),
			createPool("plain pool", []),
		]);
	});

	async function createPool(name: string, extra: string[]): Promise<string> {
		const pool = await awsJson<{ IdentityPoolId: string }>([
			"create-identity-pool",
			"--identity-pool-name",
			name,
			"--no-allow-unauthenticated-identities",
			...extra,
		]);
		return pool.IdentityPoolId;
	}

	/** `get-open-id-token-for-developer-identity` for `user` of the developer pool. */
	function tokenArgs(user: string, extra: string[] = []): string[] {
		return [
			"get-open-id-token-for-developer-identity",
			"--identity-pool-id",
			poolId,
			"--logins",
			`${DEVELOPER}=${user}`,
			...extra,
		];
	}

	function token(user: string, extra: string[] = []): Promise<TokenAnswer> {
		return awsJson<TokenAnswer>(tokenArgs(user, extra));
	}

	function lookupArgs(extra: string[]): string[] {
		return [
			"lookup-developer-identity",
			"--identity-pool-id",
			poolId,
			...extra,
		];
	}

	function listArgs(maxResults: number, extra: string[] = []): string[] {
		return [
			"list-identities",
			"--identity-pool-id",
			poolId,
			"--max-results",
			String(maxResults),
			...extra,
		];
	}

	function unlinkArgs(identityId: string, user: string): string[] {
		return [
			"unlink-developer-identity",
			"--identity-id",
			identityId,
			"--identity-pool-id",
			poolId,
			"--developer-provider-name",
			DEVELOPER,
			"--developer-user-identifier",
			user,
		];
	}

	function mergeArgs(source: string, destination: string): string[] {
		return [
			"merge-developer-identities",
			"--source-user-identifier",
			source,
			"--destination-user-identifier",
			destination,
			"--developer-provider-name",
			DEVELOPER,
			"--identity-pool-id",
			poolId,
		];
	}

	/**
	 * Verifies `jwt` as a relying party would, from the issuer's discovery document and JWKS,
	 * and answers its header and claims.
	 */
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
		return { header: protectedHeader, claims: payload };
	}

	/** The claims a developer token for `user` on `identityId` must carry, times aside. */
	function expectedClaims(identityId: string, user: string) {
		return {
			sub: identityId,
			aud: poolId,
			amr: ["authenticated", DEVELOPER, `${DEVELOPER}:${poolId}:${user}`],
			iss: t.url,
			"https://cognito-identity.amazonaws.com/identity-pool-arn": `arn:aws:cognito-identity:us-east-1:${ACCOUNT}:identitypool/${poolId}`,
		};
	}

	test("discovery names the server as issuer and its JWKS", async () => {
		const response = await fetch(`${t.url}/.well-known/openid-configuration`);
		assert.equal(response.status, 200);
		const discovery = (await response.json()) as Record<string, unknown>;
		assert.equal(discovery.issuer, t.url);
		assert.equal(discovery.jwks_uri, `${t.url}/.well-known/jwks_uri`);
		const [uri, json] = await Promise.all(
			["jwks_uri", "jwks.json"].map(async (name) =>
				(await fetch(`${t.url}/.well-known/${name}`)).json(),
			),
		);
		assert.deepEqual(json, uri);
	});

	test("--logins registers a new user once; the token verifies against the JWKS", async () => {
		const first = await token("cli-user1");
		assert.deepEqual(Object.keys(first).sort(), ["IdentityId", "Token"]);
		assert.match(first.IdentityId, IDENTITY_ID);
		const again = await token("cli-user1");
		assert.equal(again.IdentityId, first.IdentityId);

		const { header, claims } = await verify(first.Token);
		assert.deepEqual(Object.keys(header), ["kid", "typ", "alg"]);
		assert.equal(header.typ, "JWS");
		assert.equal(header.alg, "RS512");
		assert.equal(typeof header.kid, "string");
		const { exp, iat, ...rest } = claims;
		assert.deepEqual(rest, expectedClaims(first.IdentityId, "cli-user1"));
		assert.ok(typeof exp === "number" && typeof iat === "number");
		assert.equal(exp - iat, 900, "default TokenDuration");
		assert.ok(Math.abs(iat - Date.now() / 1000) < 60, `iat ${iat} is not now`);
	});

	test("--token-duration and --principal-tags reach the token", async () => {
		const answer = await token("cli-tags", [
			"--token-duration",
			"3600",
			"--principal-tags",
			"team=a,env=test",
		]);
		const { claims } = await verify(answer.Token);
		const { exp, iat, ...rest } = claims;
		assert.deepEqual(rest, {
			...expectedClaims(answer.IdentityId, "cli-tags"),
			"https://aws.amazon.com/tags": {
				principal_tags: { team: ["a"], env: ["test"] },
			},
		});
		assert.equal((exp as number) - (iat as number), 3600);
	});

	test("--identity-id links a second user; lookup-developer-identity finds both ways; describe-identity", async () => {
		const { IdentityId: id } = await token("cli-link-a");
		const linked = await token("cli-link-b", ["--identity-id", id]);
		assert.equal(linked.IdentityId, id);
		const [byUser, byIdentity, byBoth, described] = await Promise.all([
			awsJson<Lookup>(
				lookupArgs(["--developer-user-identifier", "cli-link-b"]),
			),
			awsJson<Lookup>(lookupArgs(["--identity-id", id])),
			awsJson<Lookup>(
				lookupArgs([
					"--identity-id",
					id,
					"--developer-user-identifier",
					"cli-link-a",
				]),
			),
			awsJson<Identity>(["describe-identity", "--identity-id", id]),
		]);
		assert.deepEqual(byUser, {
			IdentityId: id,
			DeveloperUserIdentifierList: ["cli-link-b"],
		});
		assert.deepEqual(
			{
				...byIdentity,
				DeveloperUserIdentifierList: [
					...byIdentity.DeveloperUserIdentifierList,
				].sort(),
			},
			{
				IdentityId: id,
				DeveloperUserIdentifierList: ["cli-link-a", "cli-link-b"],
			},
		);
		assert.deepEqual(byBoth, {
			IdentityId: id,
			DeveloperUserIdentifierList: ["cli-link-a"],
		});

		// DescribeIdentity names each provider once, however many of its users are linked.
		assert.deepEqual(Object.keys(described), [
			"IdentityId",
			"Logins",
			"CreationDate",
			"LastModifiedDate",
		]);
		assert.equal(described.IdentityId, id);
		assert.deepEqual(described.Logins, [DEVELOPER]);
		assert.match(described.CreationDate, ISO_DATE);
		assert.match(described.LastModifiedDate, ISO_DATE);
		const created = Date.parse(described.CreationDate);
		assert.ok(Math.abs(created - Date.now()) < 60_000, described.CreationDate);
		assert.ok(Date.parse(described.LastModifiedDate) >= created);
	});

	test("merge-developer-identities joins the users; list-identities --hide-disabled leaves out the merged one", async () => {
		const [destination, source] = await Promise.all([
			token("cli-merge-dest"),
			token("cli-merge-src"),
		]);
		assert.notEqual(source.IdentityId, destination.IdentityId);
		const merged = await awsJson<{ IdentityId: string }>(
			mergeArgs("cli-merge-src", "cli-merge-dest"),
		);
		assert.deepEqual(merged, { IdentityId: destination.IdentityId });

		const [lookup, described, all, visible, firstPage, forbidden] =
			await Promise.all([
				awsJson<Lookup>(
					lookupArgs(["--developer-user-identifier", "cli-merge-src"]),
				),
				awsJson<Identity>([
					"describe-identity",
					"--identity-id",
					source.IdentityId,
				]),
				awsJson<IdentityList>(listArgs(10)),
				awsJson<IdentityList>(listArgs(10, ["--hide-disabled"])),
				awsJson<IdentityList>(listArgs(1)),
				aws(tokenArgs("cli-merge-src", ["--identity-id", source.IdentityId])),
			]);
		assert.deepEqual(lookup, {
			IdentityId: destination.IdentityId,
			DeveloperUserIdentifierList: ["cli-merge-src"],
		});
		// Disabled, but still described: its logins went to the destination.
		assert.equal(described.IdentityId, source.IdentityId);
		assert.equal(described.Logins, undefined);
		assert.equal(all.IdentityPoolId, poolId);
		const allIds = all.Identities.map((i) => i.IdentityId);
		assert.ok(allIds.includes(source.IdentityId), "merged identity not listed");
		assert.ok(allIds.includes(destination.IdentityId));
		const visibleIds = visible.Identities.map((i) => i.IdentityId);
		assert.ok(
			!visibleIds.includes(source.IdentityId),
			"--hide-disabled lists it",
		);
		assert.ok(visibleIds.includes(destination.IdentityId));
		const listed = all.Identities.find(
			(i) => i.IdentityId === destination.IdentityId,
		);
		assert.deepEqual(listed?.Logins, [DEVELOPER]);
		assert.match(listed?.CreationDate ?? "", ISO_DATE);
		assertServiceError(
			forbidden,
			"NotAuthorizedException",
			`Access to Identity '${source.IdentityId}' is forbidden.`,
		);

		// The pool has at least two identities: --max-results 1 pages with --next-token.
		assert.equal(firstPage.Identities.length, 1);
		assert.ok(firstPage.NextToken, "no NextToken after the first page");
		const secondPage = await awsJson<IdentityList>(
			listArgs(1, ["--next-token", firstPage.NextToken]),
		);
		assert.deepEqual(
			[...firstPage.Identities, ...secondPage.Identities],
			all.Identities.slice(0, 2),
		);
	});

	test("unlink-developer-identity prints nothing; the user is then a new identity", async () => {
		const { IdentityId: id } = await token("cli-unlink-a");
		await token("cli-unlink-b", ["--identity-id", id]);
		const r = await aws(unlinkArgs(id, "cli-unlink-b"));
		assert.equal(r.code, 0, r.stderr);
		assert.equal(r.stdout.trim(), "");
		const [lookup, identifiers] = await Promise.all([
			aws(lookupArgs(["--developer-user-identifier", "cli-unlink-b"])),
			awsJson<Lookup>(lookupArgs(["--identity-id", id])),
		]);
		assertServiceError(
			lookup,
			"ResourceNotFoundException",
			"Developer user identifier 'cli-unlink-b' not found.",
		);
		assert.deepEqual(identifiers, {
			IdentityId: id,
			DeveloperUserIdentifierList: ["cli-unlink-a"],
		});
		const fresh = await token("cli-unlink-b");
		assert.notEqual(fresh.IdentityId, id);
	});

	test("delete-identities --identity-ids-to-delete answers UnprocessedIdentityIds: []", async () => {
		const { IdentityId: id } = await token("cli-delete");
		const deleted = await awsJson<unknown>([
			"delete-identities",
			"--identity-ids-to-delete",
			id,
			MISSING_ID,
		]);
		assert.deepEqual(deleted, { UnprocessedIdentityIds: [] });
		const [described, again] = await Promise.all([
			aws(["describe-identity", "--identity-id", id]),
			token("cli-delete"),
		]);
		assertServiceError(
			described,
			"ResourceNotFoundException",
			`Identity '${id}' not found.`,
		);
		assert.notEqual(again.IdentityId, id);
	});

	test("errors: exit 254 with the service's code and message", async () => {
		const [, other] = await Promise.all([
			token("cli-err-owner"),
			token("cli-err-other"),
		]);
		const [
			registered,
			missingIdentity,
			missingUser,
			noDeveloper,
			otherDeveloper,
			unlinkConflict,
			lookupConflict,
			lookupNeither,
			badToken,
		] = await Promise.all([
			aws(tokenArgs("cli-err-owner", ["--identity-id", other.IdentityId])),
			aws(["describe-identity", "--identity-id", MISSING_ID]),
			aws(mergeArgs("cli-err-nobody", "cli-err-owner")),
			aws([
				"get-open-id-token-for-developer-identity",
				"--identity-pool-id",
				plainPoolId,
				"--logins",
				`${DEVELOPER}=cli-err-owner`,
			]),
			aws([
				"get-open-id-token-for-developer-identity",
				"--identity-pool-id",
				poolId,
				"--logins",
				"other.example.app=cli-err-owner",
			]),
			aws(unlinkArgs(other.IdentityId, "cli-err-owner")),
			aws(
				lookupArgs([
					"--identity-id",
					other.IdentityId,
					"--developer-user-identifier",
					"cli-err-owner",
				]),
			),
			aws(lookupArgs([])),
			aws(listArgs(10, ["--next-token", "not-a-token"])),
		]);
		assertServiceError(
			registered,
			"DeveloperUserAlreadyRegisteredException",
			"The provided developer user identifier is already registered with Cognito under a different identity ID.",
		);
		assertServiceError(
			missingIdentity,
			"ResourceNotFoundException",
			`Identity '${MISSING_ID}' not found.`,
		);
		assert.match(
			missingIdentity.stderr,
			// With one attempt allowed, botocore adds "(reached max retries: 0)".
			/An error occurred \(ResourceNotFoundException\) when calling the DescribeIdentity operation( \(reached max retries: 0\))?: Identity /,
		);
		assertServiceError(
			missingUser,
			"ResourceNotFoundException",
			"Developer user identifier 'cli-err-nobody' not found.",
		);
		assertServiceError(
			noDeveloper,
			"NotAuthorizedException",
			UNSUPPORTED_DEVELOPER,
		);
		assertServiceError(
			otherDeveloper,
			"NotAuthorizedException",
			UNSUPPORTED_DEVELOPER,
		);
		assertServiceError(unlinkConflict, "ResourceConflictException", "");
		assertServiceError(lookupConflict, "ResourceConflictException", "");
		assertServiceError(
			lookupNeither,
			"InvalidParameterException",
			"Either IdentityId or DeveloperUserIdentifier must be specified.",
		);
		assertServiceError(badToken, "InvalidParameterException", "");
	});
});
