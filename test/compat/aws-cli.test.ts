/**
 * Compatibility: the identity-pool operations through the AWS CLI v2 (Debian's awscli, at
 * /usr/bin/aws), each command run as a user would type it, against a real server.
 *
 * About listing: for `list-identity-pools` the model makes `--max-results` required, and the
 * CLI treats a given `--max-results` as manual paging, which turns its auto-pagination off
 * (awscli/customizations/paginate.py, check_should_enable_pagination). So the CLI answers one
 * page with a NextToken, paging goes through `--next-token`, and `--max-items` or
 * `--starting-token` are refused by the CLI itself, before any request is sent.
 */
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { useServer } from "../support/server.ts";
import {
	AWS_CLI,
	assertClientsInstalled,
	assertServiceError,
	cognitoCli,
	run,
} from "./clients.ts";

interface Pool {
	IdentityPoolId: string;
	IdentityPoolName: string;
	AllowUnauthenticatedIdentities: boolean;
	AllowClassicFlow?: boolean;
	SupportedLoginProviders?: Record<string, string>;
	DeveloperProviderName?: string;
	CognitoIdentityProviders?: {
		ProviderName: string;
		ClientId: string;
		ServerSideTokenCheck: boolean;
	}[];
	IdentityPoolTags?: Record<string, string>;
}

interface PoolList {
	IdentityPools: { IdentityPoolId: string; IdentityPoolName: string }[];
	NextToken?: string;
}

const MISSING_ID = "us-east-1:00000000-0000-4000-8000-000000000001";
/** AWS CLI v2 exit code for an error answered by the service. */
/** AWS CLI v2 exit code for a command line the CLI itself refuses. */
const USAGE_ERROR = 252;

describe("identity pools through the AWS CLI", () => {
	before(assertClientsInstalled);
	const t = useServer();
	const { aws, awsJson } = cognitoCli(() => t.url);

	async function createPool(
		name: string,
		options: { region?: string } = {},
	): Promise<Pool> {
		return awsJson<Pool>(
			[
				"create-identity-pool",
				"--identity-pool-name",
				name,
				"--no-allow-unauthenticated-identities",
			],
			options,
		);
	}

	test("the command from the issue creates a pool, and describe answers it", async () => {
		const created = await awsJson<Pool>([
			"create-identity-pool",
			"--identity-pool-name",
			"MyPool",
			"--no-allow-unauthenticated-identities",
			"--developer-provider-name",
			"login.example.app",
		]);
		assert.match(
			created.IdentityPoolId,
			/^us-east-1:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/,
		);
		assert.deepEqual(created, {
			IdentityPoolId: created.IdentityPoolId,
			IdentityPoolName: "MyPool",
			AllowUnauthenticatedIdentities: false,
			DeveloperProviderName: "login.example.app",
			IdentityPoolTags: {},
		});
		const described = await awsJson<Pool>([
			"describe-identity-pool",
			"--identity-pool-id",
			created.IdentityPoolId,
		]);
		assert.deepEqual(described, created);
	});

	test("the aws executable itself, as a user runs it: a pool created, an error's exit code and message", async () => {
		// The other tests run the same CLI code (awscli.clidriver) in one Python process;
		// this one starts /usr/bin/aws for each command.
		const base = [
			"--endpoint-url",
			t.url,
			"--region",
			"us-east-1",
			"--output",
			"json",
		];
		const created = await run(AWS_CLI, [
			...base,
			"cognito-identity",
			"create-identity-pool",
			"--identity-pool-name",
			"FromTheBinary",
			"--no-allow-unauthenticated-identities",
		]);
		assert.equal(created.code, 0, created.stderr);
		const pool = JSON.parse(created.stdout) as Pool;
		assert.equal(pool.IdentityPoolName, "FromTheBinary");
		const missing = await run(AWS_CLI, [
			...base,
			"cognito-identity",
			"describe-identity-pool",
			"--identity-pool-id",
			MISSING_ID,
		]);
		assertServiceError(
			missing,
			"ResourceNotFoundException",
			`IdentityPool '${MISSING_ID}' not found.`,
		);
	});

	test("update sets members from CLI shorthand, then clears what is omitted", async () => {
		const created = await awsJson<Pool>([
			"create-identity-pool",
			"--identity-pool-name",
			"ToUpdate",
			"--no-allow-unauthenticated-identities",
			"--developer-provider-name",
			"login.example.app",
			"--identity-pool-tags",
			"team=a",
		]);
		const id = created.IdentityPoolId;
		const updated = await awsJson<Pool>([
			"update-identity-pool",
			"--identity-pool-id",
			id,
			"--identity-pool-name",
			"Updated",
			"--allow-unauthenticated-identities",
			"--no-allow-classic-flow",
			"--supported-login-providers",
			"accounts.google.com=123.apps.googleusercontent.com",
			"--cognito-identity-providers",
			"ProviderName=cognito-idp.us-east-1.amazonaws.com/us-east-1_Abc,ClientId=client1,ServerSideTokenCheck=true",
			"--identity-pool-tags",
			"team=b,env=prod",
		]);
		const expected: Pool = {
			IdentityPoolId: id,
			IdentityPoolName: "Updated",
			AllowUnauthenticatedIdentities: true,
			AllowClassicFlow: false,
			SupportedLoginProviders: {
				"accounts.google.com": "123.apps.googleusercontent.com",
			},
			// Omitted from the update, and kept.
			DeveloperProviderName: "login.example.app",
			CognitoIdentityProviders: [
				{
					ProviderName: "cognito-idp.us-east-1.amazonaws.com/us-east-1_Abc",
					ClientId: "client1",
					ServerSideTokenCheck: true,
				},
			],
			IdentityPoolTags: { team: "b", env: "prod" },
		};
		assert.deepEqual(updated, expected);
		assert.deepEqual(
			await awsJson<Pool>(["describe-identity-pool", "--identity-pool-id", id]),
			expected,
		);

		// Replace semantics: optional members left out are cleared, except the developer
		// provider name and the tags.
		const replaced = await awsJson<Pool>([
			"update-identity-pool",
			"--identity-pool-id",
			id,
			"--identity-pool-name",
			"Updated",
			"--allow-unauthenticated-identities",
		]);
		const kept: Pool = {
			IdentityPoolId: id,
			IdentityPoolName: "Updated",
			AllowUnauthenticatedIdentities: true,
			DeveloperProviderName: "login.example.app",
			IdentityPoolTags: { team: "b", env: "prod" },
		};
		assert.deepEqual(replaced, kept);
		assert.deepEqual(
			await awsJson<Pool>(["describe-identity-pool", "--identity-pool-id", id]),
			kept,
		);
	});

	test("list-identity-pools --max-results 2 answers one page; --next-token continues", async () => {
		const region = "eu-west-3";
		const ids: string[] = [];
		for (let i = 0; i < 5; i++) {
			ids.push((await createPool(`page-${i}`, { region })).IdentityPoolId);
		}
		const pages: PoolList[] = [];
		let token: string | undefined;
		do {
			const page: PoolList = await awsJson<PoolList>(
				[
					"list-identity-pools",
					"--max-results",
					"2",
					...(token ? ["--next-token", token] : []),
				],
				{ region },
			);
			pages.push(page);
			token = page.NextToken;
		} while (token && pages.length < 10);
		assert.deepEqual(
			pages.map((p) => p.IdentityPools.length),
			[2, 2, 1],
		);
		assert.deepEqual(
			pages.flatMap((p) => p.IdentityPools),
			ids.map((id, i) => ({
				IdentityPoolId: id,
				IdentityPoolName: `page-${i}`,
			})),
		);

		// One call with a large page answers every pool of the region, and no token.
		const all = await awsJson<PoolList>(
			["list-identity-pools", "--max-results", "60"],
			{ region },
		);
		assert.deepEqual(
			all.IdentityPools.map((p) => p.IdentityPoolId),
			ids,
		);
		assert.equal(all.NextToken, undefined);
	});

	test("the CLI refuses --max-items and --starting-token for list-identity-pools itself", async () => {
		// Documented here so that nobody takes this for a server fault: the required
		// --max-results turns the CLI's pagination off, and its paging options with it.
		const r = await aws([
			"list-identity-pools",
			"--max-results",
			"2",
			"--max-items",
			"1",
		]);
		assert.equal(r.code, USAGE_ERROR, r.stderr);
		assert.match(
			r.stderr,
			/Cannot specify --no-paginate along with pagination arguments: --max-items/,
		);
		const resumed = await aws([
			"list-identity-pools",
			"--max-results",
			"2",
			"--starting-token",
			"x",
		]);
		assert.equal(resumed.code, USAGE_ERROR, resumed.stderr);
		assert.match(resumed.stderr, /pagination arguments: --starting-token/);
		const noMax = await aws(["list-identity-pools", "--max-items", "1"]);
		assert.equal(noMax.code, USAGE_ERROR, noMax.stderr);
		assert.match(noMax.stderr, /required: --max-results/);
	});

	test("delete-identity-pool deletes; the pool is then not found", async () => {
		const { IdentityPoolId: id } = await createPool("ToDelete");
		const r = await aws(["delete-identity-pool", "--identity-pool-id", id]);
		assert.equal(r.code, 0, r.stderr);
		assert.equal(r.stdout.trim(), "");
		assertServiceError(
			await aws(["describe-identity-pool", "--identity-pool-id", id]),
			"ResourceNotFoundException",
			`IdentityPool '${id}' not found.`,
		);
		assertServiceError(
			await aws(["delete-identity-pool", "--identity-pool-id", id]),
			"ResourceNotFoundException",
			`IdentityPool '${id}' not found.`,
		);
	});

	test("an unknown pool is ResourceNotFoundException (exit 254)", async () => {
		const r = await aws([
			"describe-identity-pool",
			"--identity-pool-id",
			MISSING_ID,
		]);
		assertServiceError(
			r,
			"ResourceNotFoundException",
			`IdentityPool '${MISSING_ID}' not found.`,
		);
		assert.match(
			r.stderr,
			// With one attempt allowed, botocore adds "(reached max retries: 0)".
			/An error occurred \(ResourceNotFoundException\) when calling the DescribeIdentityPool operation( \(reached max retries: 0\))?: IdentityPool /,
		);
		assertServiceError(
			await aws([
				"update-identity-pool",
				"--identity-pool-id",
				MISSING_ID,
				"--identity-pool-name",
				"x",
				"--no-allow-unauthenticated-identities",
			]),
			"ResourceNotFoundException",
			`IdentityPool '${MISSING_ID}' not found.`,
		);
	});

	test("a bad pool name is ValidationException with AWS's wording", async () => {
		assertServiceError(
			await aws([
				"create-identity-pool",
				"--identity-pool-name",
				"bad*name",
				"--no-allow-unauthenticated-identities",
			]),
			"ValidationException",
			"1 validation error detected: Value 'bad*name' at 'identityPoolName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+",
		);
	});

	test("a provider without a name is InvalidParameterException", async () => {
		assertServiceError(
			await aws([
				"create-identity-pool",
				"--identity-pool-name",
				"p",
				"--no-allow-unauthenticated-identities",
				"--cognito-identity-providers",
				"ClientId=abc",
			]),
			"InvalidParameterException",
			"Invalid Cognito Identity Provider",
		);
	});

	test("an unsigned call to a signed operation is MissingAuthenticationTokenException", async () => {
		assertServiceError(
			await aws(["list-identity-pools", "--max-results", "2"], {
				global: ["--no-sign-request"],
			}),
			"MissingAuthenticationTokenException",
			"Missing Authentication Token",
		);
		assertServiceError(
			await aws(["describe-identity-pool", "--identity-pool-id", MISSING_ID], {
				global: ["--no-sign-request"],
			}),
			"MissingAuthenticationTokenException",
			"Missing Authentication Token",
		);
	});
});
