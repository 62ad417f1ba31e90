/**
 * Compatibility: the identity-pool operations through boto3 (Debian's python3-boto3), run by
 * test/compat/boto3_pools.py against a real server. The script prints one JSON line per
 * check; each becomes a test here, so a failure names its check.
 */
import { fileURLToPath } from "node:url";
import { describeCheckScript } from "./clients.ts";

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

describeCheckScript("identity pools through boto3", {
	checks: CHECKS,
	script: SCRIPT,
	args: (t) => [t.url],
});
