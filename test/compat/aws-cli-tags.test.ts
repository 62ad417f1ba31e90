/**
 * Compatibility: resource tags (tag-resource, untag-resource, list-tags-for-resource, on the
 * pool ARN `arn:aws:cognito-identity:us-east-1:000000000000:identitypool/<poolId>`) and
 * principal tag attribute maps (set- and get-principal-tag-attribute-map) through the AWS
 * CLI v2 (Debian's awscli, at /usr/bin/aws), each command run as a user would type it,
 * against a real server. Resource tags are the pool's IdentityPoolTags: every change is
 * checked against describe-identity-pool as well. The errors run with `--debug`, whose log
 * shows the HTTP status the CLI received.
 *
 * Every test uses its own pool, so the tests do not depend on each other's order. Calls that
 * do not depend on each other run in parallel, to keep the suite quick (each CLI start costs
 * about half a second).
 */
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { TEST_ACCOUNT, useServer } from "../support/server.ts";
import {
	assertClientsInstalled,
	assertServiceError,
	cognitoCli,
} from "./clients.ts";

interface TagMap {
	IdentityPoolId: string;
	IdentityProviderName: string;
	UseDefaults: boolean;
	PrincipalTags: Record<string, string>;
}

const MISSING_ID = "us-east-1:00000000-0000-4000-8000-000000000001";
const OIDC_KEY = "oidc.example.com";
const OIDC_ARN = `arn:aws:iam::${TEST_ACCOUNT}:oidc-provider/${OIDC_KEY}`;
const USER_POOL = "cognito-idp.us-east-1.amazonaws.com/us-east-1_CliTags";
const FACEBOOK = "graph.facebook.com";
const DEFAULT_MAP = { username: "sub", client: "aud" };
/** AWS CLI v2 exit code for an error answered by the service. */

describe("resource tags and principal tag attribute maps through the AWS CLI", () => {
	before(assertClientsInstalled);
	const t = useServer();
	const { aws, awsJson, awsQuiet } = cognitoCli(() => t.url);

	/**
	 * Runs a command with `--debug` that must fail with a service error: exit 254, HTTP 400 in
	 * the CLI's log, and `(Code)` and the message on stderr.
	 */
	async function assertFailsWith(
		args: string[],
		code: string,
		message: string,
	): Promise<void> {
		const r = await aws(args, { global: ["--debug"] });
		assertServiceError(r, code, message);
		assert.match(
			r.stderr,
			/"POST \/ HTTP\/1\.1" 400 /,
			"the CLI's log shows no HTTP 400",
		);
		assert.ok(
			r.stderr.includes(`An error occurred (${code})`),
			`stderr names no ${code}:\n${r.stderr.slice(-2000)}`,
		);
	}

	function arnOf(poolId: string, account = TEST_ACCOUNT): string {
		return `arn:aws:cognito-identity:us-east-1:${account}:identitypool/${poolId}`;
	}

	/** A pool with an OIDC provider, a user pool and Facebook, and these tags. */
	async function createPool(tags?: string): Promise<string> {
		const pool = await awsJson<{ IdentityPoolId: string }>([
			"create-identity-pool",
			"--identity-pool-name",
			"tags",
			"--no-allow-unauthenticated-identities",
			"--open-id-connect-provider-arns",
			OIDC_ARN,
			"--cognito-identity-providers",
			`ProviderName=${USER_POOL},ClientId=client1`,
			"--supported-login-providers",
			`${FACEBOOK}=7346241598935555`,
			...(tags ? ["--identity-pool-tags", tags] : []),
		]);
		return pool.IdentityPoolId;
	}

	/** Asserts that list-tags-for-resource and describe-identity-pool both answer `expected`. */
	async function assertTags(
		poolId: string,
		expected: Record<string, string>,
	): Promise<void> {
		const [listed, described] = await Promise.all([
			awsJson<{ Tags: Record<string, string> }>([
				"list-tags-for-resource",
				"--resource-arn",
				arnOf(poolId),
			]),
			awsJson<{ IdentityPoolTags?: Record<string, string> }>([
				"describe-identity-pool",
				"--identity-pool-id",
				poolId,
			]),
		]);
		assert.deepEqual(listed, { Tags: expected }, "list-tags-for-resource");
		assert.deepEqual(
			described.IdentityPoolTags,
			expected,
			"describe-identity-pool's IdentityPoolTags",
		);
	}

	function getMapArgs(poolId: string, provider: string): string[] {
		return [
			"get-principal-tag-attribute-map",
			"--identity-pool-id",
			poolId,
			"--identity-provider-name",
			provider,
		];
	}

	test("tag-resource --tags (shorthand and JSON) adds and overwrites, printing nothing", async () => {
		const poolId = await createPool("team=a");
		// The tags the pool was created with.
		await assertTags(poolId, { team: "a" });
		await awsQuiet([
			"tag-resource",
			"--resource-arn",
			arnOf(poolId),
			"--tags",
			"team=b,env=test",
		]);
		await awsQuiet([
			"tag-resource",
			"--resource-arn",
			arnOf(poolId),
			"--tags",
			JSON.stringify({ "cost:center": "42/a", empty: "" }),
		]);
		await assertTags(poolId, {
			team: "b",
			env: "test",
			"cost:center": "42/a",
			empty: "",
		});
	});

	test("untag-resource --tag-keys removes them, ignores keys the pool lacks, printing nothing", async () => {
		const poolId = await createPool("team=a,env=test,owner=ops");
		await awsQuiet([
			"untag-resource",
			"--resource-arn",
			arnOf(poolId),
			"--tag-keys",
			"team",
			"missing",
		]);
		await assertTags(poolId, { env: "test", owner: "ops" });
		await awsQuiet([
			"untag-resource",
			"--resource-arn",
			arnOf(poolId),
			"--tag-keys",
			"env",
			"owner",
		]);
		await assertTags(poolId, {});
	});

	test("set-principal-tag-attribute-map --use-defaults for an OIDC provider (by its ARN); get answers the same", async () => {
		const poolId = await createPool();
		const expected: TagMap = {
			IdentityPoolId: poolId,
			IdentityProviderName: OIDC_ARN,
			UseDefaults: true,
			PrincipalTags: DEFAULT_MAP,
		};
		const set = await awsJson<TagMap>([
			"set-principal-tag-attribute-map",
			"--identity-pool-id",
			poolId,
			"--identity-provider-name",
			OIDC_ARN,
			"--use-defaults",
		]);
		assert.deepEqual(set, expected);
		assert.deepEqual(
			await awsJson<TagMap>(getMapArgs(poolId, OIDC_ARN)),
			expected,
		);
		// The maps are not resource tags; a pool without tags lists {}.
		await assertTags(poolId, {});
	});

	test("set-principal-tag-attribute-map --principal-tags for a user pool (by its ProviderName); get answers it, and the inactive map of a provider never set", async () => {
		const poolId = await createPool("team=a");
		const tags = { team: "custom:team", groups: "cognito:groups" };
		const expected: TagMap = {
			IdentityPoolId: poolId,
			IdentityProviderName: USER_POOL,
			UseDefaults: false,
			PrincipalTags: tags,
		};
		const set = await awsJson<TagMap>([
			"set-principal-tag-attribute-map",
			"--identity-pool-id",
			poolId,
			"--identity-provider-name",
			USER_POOL,
			"--no-use-defaults",
			"--principal-tags",
			JSON.stringify(tags),
		]);
		assert.deepEqual(set, expected);
		const [got, never] = await Promise.all([
			awsJson<TagMap>(getMapArgs(poolId, USER_POOL)),
			awsJson<TagMap>(getMapArgs(poolId, FACEBOOK)),
		]);
		assert.deepEqual(got, expected);
		assert.deepEqual(never, {
			IdentityPoolId: poolId,
			IdentityProviderName: FACEBOOK,
			UseDefaults: false,
			PrincipalTags: {},
		});
		// Shorthand, and back to no tags with an empty map.
		const short = await awsJson<TagMap>([
			"set-principal-tag-attribute-map",
			"--identity-pool-id",
			poolId,
			"--identity-provider-name",
			USER_POOL,
			"--principal-tags",
			"tenant=custom:tenant",
		]);
		assert.deepEqual(short.PrincipalTags, { tenant: "custom:tenant" });
		assert.equal(short.UseDefaults, false);
		const cleared = await awsJson<TagMap>([
			"set-principal-tag-attribute-map",
			"--identity-pool-id",
			poolId,
			"--identity-provider-name",
			USER_POOL,
			"--principal-tags",
			"{}",
		]);
		assert.deepEqual(cleared, { ...expected, PrincipalTags: {} });
		assert.deepEqual(
			await awsJson<TagMap>(getMapArgs(poolId, USER_POOL)),
			cleared,
		);
	});

	test("errors: InvalidParameterException and ResourceNotFoundException (HTTP 400), nothing changed", async () => {
		const poolId = await createPool("team=a");
		await Promise.all([
			// tag-resource: the aws: prefix is reserved.
			assertFailsWith(
				[
					"tag-resource",
					"--resource-arn",
					arnOf(poolId),
					"--tags",
					"fine=1,aws:owner=x",
				],
				"InvalidParameterException",
				"Tag keys starting with 'aws:' are reserved for AWS use: aws:owner",
			),
			// untag-resource: a pool that does not exist.
			assertFailsWith(
				[
					"untag-resource",
					"--resource-arn",
					arnOf(MISSING_ID),
					"--tag-keys",
					"team",
				],
				"ResourceNotFoundException",
				`IdentityPool '${MISSING_ID}' not found.`,
			),
			// untag-resource: a pool of another account is not found either.
			assertFailsWith(
				[
					"untag-resource",
					"--resource-arn",
					arnOf(poolId, "111111111111"),
					"--tag-keys",
					"team",
				],
				"ResourceNotFoundException",
				`IdentityPool '${poolId}' not found.`,
			),
			// list-tags-for-resource: not an identity-pool ARN.
			assertFailsWith(
				[
					"list-tags-for-resource",
					"--resource-arn",
					`arn:aws:cognito-identity:us-east-1:${TEST_ACCOUNT}:userpool/${poolId}`,
				],
				"InvalidParameterException",
				"Invalid ResourceArn: ",
			),
			// set-principal-tag-attribute-map: an OIDC provider by its issuer host.
			assertFailsWith(
				[
					"set-principal-tag-attribute-map",
					"--identity-pool-id",
					poolId,
					"--identity-provider-name",
					OIDC_KEY,
					"--use-defaults",
				],
				"ResourceNotFoundException",
				`Identity provider '${OIDC_KEY}' is not configured for identity pool '${poolId}'.`,
			),
			// get-principal-tag-attribute-map: a user pool with its client id.
			assertFailsWith(
				getMapArgs(poolId, `${USER_POOL}:client1`),
				"ResourceNotFoundException",
				`Identity provider '${USER_POOL}:client1' is not configured for identity pool '${poolId}'.`,
			),
		]);
		await assertTags(poolId, { team: "a" });
		assert.deepEqual(await awsJson<TagMap>(getMapArgs(poolId, OIDC_ARN)), {
			IdentityPoolId: poolId,
			IdentityProviderName: OIDC_ARN,
			UseDefaults: false,
			PrincipalTags: {},
		});
	});
});
