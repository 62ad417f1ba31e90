/**
 * Compatibility: the development mode that accepts any access key
 * (docs/security.md#accepting-any-credentials) through boto3 (Debian's python3-boto3), run by
 * test/compat/boto3_any_credentials.py against a server started with it on. The script prints
 * one JSON line per check; each becomes a test here, so a failure names its check.
 */
import { fileURLToPath } from "node:url";
import { describeCheckScript } from "./clients.ts";

const SCRIPT = fileURLToPath(
	new URL("./boto3_any_credentials.py", import.meta.url),
);

/** Every check the script runs, in order: one missing means the script stopped early. */
const CHECKS = [
	"random_keys_create_a_pool_in_the_default_account",
	"other_made_up_keys_see_the_same_pool",
	"public_flow_unsigned_as_before",
	"a_signed_operation_without_a_signature_is_refused",
];

describeCheckScript("any access key accepted, through boto3", {
	script: SCRIPT,
	checks: CHECKS,
	server: { config: { acceptAnyCredentials: true } },
	args: (t) => [t.url],
});
