/**
 * Compatibility: the output of `aws cognito-identity describe-identity-pool` (the AWS CLI v2,
 * Debian's awscli at /usr/bin/aws) pasted as it is into the `pools` of a configuration file
 * (docs/configuration-as-code.md) is accepted, and a new server started with that file
 * describes the pool exactly as the first one did, under the same id.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { loadConfig } from "../../src/config/load.ts";
import { TEST_ACCOUNT, useServer, withServer } from "../support/server.ts";
import { assertClientsInstalled, cognitoCli } from "./clients.ts";

const dir = mkdtempSync(join(tmpdir(), "idpool-cli-paste-"));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("describe-identity-pool's output pasted into the configuration file (AWS CLI)", () => {
	before(assertClientsInstalled);
	const t = useServer();
	const cli = cognitoCli(() => t.url);

	test("is accepted, and a server seeded with it describes the same pool", async () => {
		const created = await cli.awsJson<{ IdentityPoolId: string }>([
			"create-identity-pool",
			"--identity-pool-name",
			"Pasted",
			"--allow-unauthenticated-identities",
			"--no-allow-classic-flow",
			"--supported-login-providers",
			"accounts.google.com=client-1,graph.facebook.com=12345",
			"--developer-provider-name",
			"login.pasted",
			"--open-id-connect-provider-arns",
			`arn:aws:iam::${TEST_ACCOUNT}:oidc-provider/issuer.example`,
			"--cognito-identity-providers",
			"ProviderName=cognito-idp.us-east-1.amazonaws.com/us-east-1_Paste,ClientId=app,ServerSideTokenCheck=true",
			"--saml-provider-arns",
			`arn:aws:iam::${TEST_ACCOUNT}:saml-provider/corp`,
			"--identity-pool-tags",
			"team=web,env=dev",
		]);
		const described = await cli.aws([
			"describe-identity-pool",
			"--identity-pool-id",
			created.IdentityPoolId,
		]);
		assert.equal(described.code, 0, described.stderr);
		// Pasted as it is: the CLI's text between the brackets of `pools`.
		const file = join(dir, "pasted.json");
		writeFileSync(file, `{"pools": [\n${described.stdout}\n]}\n`);
		const { pools } = loadConfig({ config: file }, {});
		assert.equal(pools.length, 1);

		await withServer({ config: { pools } }, async (fresh) => {
			assert.deepEqual(
				fresh.server.seeded.map((c) => [c.poolId, c.outcome]),
				[[created.IdentityPoolId, "created"]],
			);
			const again = await cognitoCli(() => fresh.url).aws([
				"describe-identity-pool",
				"--identity-pool-id",
				created.IdentityPoolId,
			]);
			assert.equal(again.code, 0, again.stderr);
			assert.deepEqual(JSON.parse(again.stdout), JSON.parse(described.stdout));
		});
	});
});
