/**
 * Compatibility: a server signing with ES256 (`--token-algorithm ES256`), its tokens fetched
 * with boto3 (Debian's python3-boto3) and verified by PyJWT (Debian's python3-jwt, which
 * needs python3-cryptography for EC keys) from the server's JWKS alone, run by
 * test/compat/pyjwt_es256.py. Each check the script prints becomes a test.
 */
import { fileURLToPath } from "node:url";
import { describeCheckScript } from "./clients.ts";

const SCRIPT = fileURLToPath(new URL("./pyjwt_es256.py", import.meta.url));

describeCheckScript("ES256 tokens through boto3, verified by PyJWT", {
	checks: [
		"discovery_and_jwks_publish_es256",
		"developer_token_verified_by_pyjwt",
		"get_open_id_token_verified_by_pyjwt",
		"tampered_token_refused_by_pyjwt",
	],
	needsPyJwt: true,
	server: { config: { tokenAlgorithm: "ES256" } },
	script: SCRIPT,
	args: (t) => [t.url],
});
