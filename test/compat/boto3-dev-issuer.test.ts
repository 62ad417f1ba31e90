/**
 * Compatibility: the development issuer (docs/federation.md#a-development-issuer) through
 * boto3 (Debian's python3-boto3) and PyJWT (python3-jwt): tokens minted over HTTP by the
 * standard library, verified by PyJWT from the issuer's discovery document and JWKS, and
 * taken by a pool as OpenID Connect logins (GetId, GetCredentialsForIdentity with a Rules
 * role mapping on a claim, GetOpenIdToken with principal tags, an audience not registered),
 * run by test/compat/boto3_dev_issuer.py against a server with the issuer on. The script
 * prints one JSON line per check; each becomes a test here, so a failure names its check.
 */
import { fileURLToPath } from "node:url";
import { describeCheckScript } from "./clients.ts";

const SCRIPT = fileURLToPath(new URL("./boto3_dev_issuer.py", import.meta.url));

/** Every check the script runs, in order: one missing means the script stopped early. */
const CHECKS = [
	"discovery_jwks_and_pyjwt",
	"token_endpoint_refuses_bad_input",
	"create_pool_with_rules_and_principal_tags",
	"get_id_same_subject_same_identity",
	"get_credentials_role_by_rule_on_groups",
	"get_open_id_token_amr_and_principal_tags",
	"another_audience_is_refused",
];

describeCheckScript(
	"the development issuer's tokens through boto3, verified by PyJWT",
	{
		script: SCRIPT,
		checks: CHECKS,
		needsPyJwt: true,
		server: { config: { devIssuer: true } },
		args: (t) => [t.url],
	},
);
