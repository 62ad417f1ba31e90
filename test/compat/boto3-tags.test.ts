/**
 * Compatibility: resource tags (TagResource, UntagResource, ListTagsForResource, checked
 * against DescribeIdentityPool's IdentityPoolTags) and principal tag attribute maps
 * (SetPrincipalTagAttributeMap, GetPrincipalTagAttributeMap) through boto3 (Debian's
 * python3-boto3), run by test/compat/boto3_tags.py against a real server. The script prints
 * one JSON line per check; each becomes a test here, so a failure names its check.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { startServer, type TestServer } from "../support/server.ts";
import {
	assertClientsInstalled,
	PYTHON,
	type RunResult,
	run,
} from "./clients.ts";

const SCRIPT = fileURLToPath(new URL("./boto3_tags.py", import.meta.url));

/** Every check the script runs, in order: one missing means the script stopped early. */
const CHECKS = [
	"create_pools",
	"list_tags_for_resource",
	"tag_resource_adds_and_overwrites",
	"untag_resource_removes_keys",
	"update_identity_pool_tags_are_resource_tags",
	"tag_resource_invalid_parameter",
	"untag_resource_not_found",
	"list_tags_for_resource_invalid_arn",
	"set_principal_tag_attribute_map_defaults",
	"set_principal_tag_attribute_map_custom",
	"get_principal_tag_attribute_map",
	"set_principal_tag_attribute_map_not_found",
	"get_principal_tag_attribute_map_not_found",
];

interface CheckLine {
	check: string;
	ok: boolean;
	detail?: unknown;
	trace?: string;
}

describe("resource tags and principal tag attribute maps through boto3", () => {
	let ts: TestServer | undefined;
	let result: RunResult;
	const lines = new Map<string, CheckLine>();
	/** Output lines that are not check lines (the script prints none). */
	const stray: string[] = [];

	before(async () => {
		await assertClientsInstalled();
		ts = await startServer();
		result = await run(PYTHON, [SCRIPT, ts.url], { timeoutMs: 25_000 });
		for (const text of result.stdout.split("\n")) {
			if (!text.trim()) continue;
			try {
				const line = JSON.parse(text) as CheckLine;
				lines.set(line.check, line);
			} catch {
				stray.push(text);
			}
		}
	});
	after(async () => {
		await ts?.stop();
	});

	for (const name of CHECKS) {
		test(name, () => {
			const line = lines.get(name);
			assert.ok(
				line,
				`the script printed no line for ${name} (exit ${result.code}):\n${result.stderr}`,
			);
			assert.equal(
				line.ok,
				true,
				`${name}: ${JSON.stringify(line.detail)}${line.trace ? `\n${line.trace}` : ""}`,
			);
		});
	}

	test("the script ran exactly these checks and exited 0", () => {
		assert.deepEqual(stray, [], "lines that are not checks");
		assert.deepEqual([...lines.keys()], CHECKS);
		assert.equal(result.code, 0, result.stderr);
	});
});
