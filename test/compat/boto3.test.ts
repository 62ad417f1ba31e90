/**
 * Compatibility: the identity-pool operations through boto3 (Debian's python3-boto3), run by
 * test/compat/boto3_pools.py against a real server. The script prints one JSON line per
 * check; each becomes a test here, so a failure names its check.
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

const SCRIPT = fileURLToPath(new URL("./boto3_pools.py", import.meta.url));

/** Every check the script runs, in order: one missing means the script stopped early. */
const CHECKS = [
	"create_full",
	"describe_round_trip",
	"create_minimal",
	"update_replaces_and_clears_omitted",
	"update_sets_members_and_replaces_tags",
	"list_paginator_pages",
	"list_paginator_max_items_and_starting_token",
	"list_region_scoped",
	"list_bad_token_is_invalid_parameter",
	"delete_then_not_found",
	"resource_not_found",
	"invalid_parameter",
	"validation_bad_pool_name",
	"limit_exceeded_tags",
	"delete_full",
];

interface CheckLine {
	check: string;
	ok: boolean;
	detail?: unknown;
	trace?: string;
}

describe("identity pools through boto3", () => {
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
