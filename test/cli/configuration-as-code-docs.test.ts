/**
 * The snippets of docs/configuration-as-code.md, run as a reader would run them: the full
 * example file seeds a server (checked over the wire with the JS SDK), the refusal and the
 * report shown are the binary's very output, and the `idpool apply` command line works as
 * written (with the built binary for `idpool`).
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import {
	DescribeIdentityPoolCommand,
	GetIdentityPoolRolesCommand,
	GetPrincipalTagAttributeMapCommand,
} from "@aws-sdk/client-cognito-identity";
import { BIN, serveIdpool } from "../support/cli.ts";
import { codeBlocks } from "../support/docs.ts";
import { sdkClient } from "../support/server.ts";

const PAGE = "docs/configuration-as-code.md";
const dir = mkdtempSync(join(tmpdir(), "idpool-docs-cac-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `idpool args` in `cwd` (PATH and HOME only in the environment). */
function idpool(
	args: string[],
	cwd: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
	return new Promise((resolve) => {
		execFile(
			process.execPath,
			[BIN, ...args],
			{
				cwd,
				env: { PATH: process.env.PATH, HOME: process.env.HOME },
				timeout: 30_000,
			},
			(error, stdout, stderr) =>
				resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
		);
	});
}

const [example, refusal] = codeBlocks(PAGE, "Pools in the configuration file");
const exampleDoc = () =>
	JSON.parse(example?.code ?? "") as {
		pools: Record<string, unknown>[];
	};

describe(`${PAGE}`, () => {
	test("the blocks are where the page says", () => {
		assert.equal(example?.lang, "json");
		assert.equal(refusal?.lang, "text");
	});

	test("the full example seeds a server with everything it declares", async () => {
		const file = join(dir, "example.json");
		writeFileSync(file, example?.code ?? "");
		const s = await serveIdpool([
			"--port",
			"0",
			"--db",
			":memory:",
			"--config",
			file,
		]);
		try {
			assert.match(s.stdout(), /\n {2}providers: oidc\.example\.com\n/);
			const [app, backoffice] = exampleDoc().pools as {
				IdentityPoolId: string;
			}[];
			const client = sdkClient(s.url);
			const described = await client.send(
				new DescribeIdentityPoolCommand({
					IdentityPoolId: app?.IdentityPoolId,
				}),
			);
			const { Roles, RoleMappings, PrincipalTags, ...members } = exampleDoc()
				.pools[0] as Record<string, unknown>;
			// SamlProviderARNs: [] is no provider: the pool answers none, as AWS does.
			const { SamlProviderARNs, ...expected } = members;
			assert.deepEqual(SamlProviderARNs, []);
			const { $metadata, ...answered } = described;
			assert.deepEqual(answered, expected);
			const roles = await client.send(
				new GetIdentityPoolRolesCommand({
					IdentityPoolId: app?.IdentityPoolId,
				}),
			);
			assert.deepEqual(roles.Roles, Roles);
			assert.deepEqual(roles.RoleMappings, RoleMappings);
			for (const [provider, map] of Object.entries(
				PrincipalTags as Record<string, { UseDefaults?: boolean }>,
			)) {
				const stored = await client.send(
					new GetPrincipalTagAttributeMapCommand({
						IdentityPoolId: app?.IdentityPoolId,
						IdentityProviderName: provider,
					}),
				);
				assert.equal(stored.UseDefaults, map.UseDefaults ?? false);
			}
			const eu = sdkClient(s.url, { region: "eu-west-1" });
			const second = await eu.send(
				new DescribeIdentityPoolCommand({
					IdentityPoolId: backoffice?.IdentityPoolId,
				}),
			);
			assert.equal(second.IdentityPoolName, "Backoffice");
			client.destroy();
			eu.destroy();
		} finally {
			assert.equal(await s.stop(), 0);
		}
	});

	test("the refusal shown is the binary's own message", async () => {
		const cwd = mkdtempSync(join(dir, "refusal-"));
		const doc = exampleDoc();
		(doc.pools[0] as Record<string, unknown>).Roles = {
			admin: "arn:aws:iam::000000000000:role/Admin",
		};
		writeFileSync(join(cwd, "idpool.json"), JSON.stringify(doc));
		const r = await idpool(["apply", "idpool.json", "--db", ":memory:"], cwd);
		assert.equal(r.code, 2);
		assert.equal(r.stderr, `${refusal?.code}\n`);
	});

	test("the report shown is what applying prints", async () => {
		const [report] = codeBlocks(PAGE, "What applying does");
		const cwd = mkdtempSync(join(dir, "report-"));
		const doc = exampleDoc();
		const backoffice = { ...doc.pools[1], IdentityPoolName: "Old" };
		writeFileSync(
			join(cwd, "old.json"),
			JSON.stringify({ pools: [backoffice] }),
		);
		writeFileSync(join(cwd, "idpool.json"), example?.code ?? "");
		const first = await idpool(["apply", "old.json", "--db", "x.db"], cwd);
		assert.equal(first.code, 0, first.stderr);
		const second = await idpool(["apply", "idpool.json", "--db", "x.db"], cwd);
		assert.equal(second.stdout, `${report?.code}\n`);
	});

	test("the idpool apply command line works as written", async () => {
		const [command] = codeBlocks(PAGE, "idpool apply");
		assert.equal(command?.lang, "sh");
		const [name, ...args] = (command?.code ?? "").trim().split(/\s+/);
		assert.equal(name, "idpool");
		const cwd = mkdtempSync(join(dir, "apply-"));
		writeFileSync(join(cwd, "idpool.json"), example?.code ?? "");
		const r = await idpool(args, cwd);
		assert.equal(r.code, 0, r.stderr);
		assert.equal(
			r.stdout.split("\n").filter((l) => l.endsWith(": created")).length,
			2,
		);
		const again = await idpool(args, cwd);
		assert.equal(
			again.stdout.split("\n").filter((l) => l.endsWith(": unchanged")).length,
			2,
		);
	});
});
