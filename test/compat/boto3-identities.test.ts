/**
 * Compatibility: developer-authenticated identities through boto3 (Debian's python3-boto3),
 * their tokens verified by PyJWT (Debian's python3-jwt) from the server's JWKS alone, run by
 * test/compat/boto3_identities.py against a real server. The script prints one JSON line per
 * check; each becomes a test here, so a failure names its check.
 */
import { fileURLToPath } from "node:url";
import { DEFAULT_CREDENTIAL } from "../../src/auth/credentials.ts";
import { describeCheckScript } from "./clients.ts";

const SCRIPT = fileURLToPath(new URL("./boto3_identities.py", import.meta.url));

/** The accounts the script expects: test/test, and other/other of another account. */
const CREDENTIALS = [
	DEFAULT_CREDENTIAL,
	{
		accessKeyId: "other",
		secretAccessKey: "other",
		accountId: "111111111111",
	},
];

/** Every check the script runs, in order: one missing means the script stopped early. */
const CHECKS = [
	"create_developer_pool",
	"openid_configuration_and_jwks",
	"token_new_user",
	"token_verified_by_pyjwt",
	"token_refused_by_pyjwt_when_wrong",
	"token_same_user_same_identity",
	"token_duration_and_principal_tags",
	"token_links_second_user_to_named_identity",
	"describe_identity",
	"lookup_by_identifier",
	"lookup_by_identity_with_pages",
	"merge_developer_identities",
	"merged_identity_is_forbidden",
	"list_identities_hide_disabled",
	"unlink_developer_identity",
	"unlink_last_login_makes_identity_inaccessible",
	"delete_identities",
	"delete_identities_of_other_region_and_account",
	"developer_user_already_registered",
	"resource_not_found",
	"identity_of_another_region_not_found",
	"not_authorized",
	"resource_conflict",
	"invalid_parameter",
	"login_limit_is_invalid_parameter",
];

describeCheckScript(
	"developer identities through boto3, tokens verified by PyJWT",
	{
		checks: CHECKS,
		needsPyJwt: true,
		server: { credentials: CREDENTIALS },
		script: SCRIPT,
		args: (t) => [t.url],
	},
);
