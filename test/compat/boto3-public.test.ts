/**
 * Compatibility: pool roles and the public operations (GetId, GetOpenIdToken,
 * GetCredentialsForIdentity, UnlinkIdentity) through boto3 (Debian's python3-boto3), with
 * federated logins from two OpenID Connect issuers on loopback (test/support/fake-idp.ts)
 * and the tokens verified by PyJWT from the server's JWKS alone, run by
 * test/compat/boto3_public.py against a real server. The script prints one JSON line per
 * check; each becomes a test here, so a failure names its check.
 */
import { after, before } from "node:test";
import { fileURLToPath } from "node:url";
import { type FakeOidc, startFakeOidc } from "../support/fake-idp.ts";
import { TEST_ACCOUNT } from "../support/server.ts";
import { describeCheckScript } from "./clients.ts";

const SCRIPT = fileURLToPath(new URL("./boto3_public.py", import.meta.url));

/** Every check the script runs, in order: one missing means the script stopped early. */
const CHECKS = [
	"create_pools",
	"set_and_get_identity_pool_roles_round_trip",
	"set_identity_pool_roles_unconfigured_key",
	"set_identity_pool_roles_clears",
	"get_id_guest_unsigned",
	"get_id_guest_signed",
	"get_id_oidc_login",
	"get_open_id_token_guest",
	"get_open_id_token_oidc_login",
	"get_credentials_guest",
	"get_credentials_oidc_login",
	"get_credentials_developer_flow",
	"unlink_identity",
	"unlink_last_login_makes_identity_inaccessible",
	"not_authorized",
	"invalid_identity_pool_configuration",
	"resource_not_found",
	"classic_flow_disabled_is_invalid_parameter",
];

/** What the script is told of one OpenID Connect provider. */
interface ProviderFixture {
	/** The `Logins` key: the issuer without its scheme (`127.0.0.1:<port>/<path>`). */
	key: string;
	/** The IAM OIDC provider ARN a pool lists in `OpenIdConnectProviderARNs`. */
	arn: string;
	/** ID tokens by `sub`. */
	tokens: Record<string, string>;
}

/** The audience each issuer's tokens carry, and the server accepts for it. */
const CLIENT_ID = "compat-app";

async function fixture(
	idp: FakeOidc,
	users: string[],
	foreignAudience: string[] = [],
): Promise<ProviderFixture> {
	const tokens: Record<string, string> = {};
	for (const sub of users)
		tokens[sub] = await idp.mint({ sub, aud: CLIENT_ID });
	for (const sub of foreignAudience) {
		tokens[sub] = await idp.mint({ sub, aud: "another-app" });
	}
	return {
		key: idp.host,
		arn: `arn:aws:iam::${TEST_ACCOUNT}:oidc-provider/${idp.host}`,
		tokens,
	};
}

/** The two issuers, started before the server that accepts their logins. */
let idps: [FakeOidc, FakeOidc];

describeCheckScript(
	"pool roles and the public operations through boto3, tokens verified by PyJWT",
	{
		script: SCRIPT,
		checks: CHECKS,
		needsPyJwt: true,
		setup() {
			before(async () => {
				idps = await Promise.all([
					startFakeOidc({ issuerPath: "oidc" }),
					startFakeOidc({ issuerPath: "other" }),
				]);
			});
			after(() => Promise.all(idps?.map((idp) => idp.close()) ?? []));
		},
		server: () => ({
			config: {
				providers: Object.fromEntries(
					idps.map((idp) => [idp.host, { clientIds: [CLIENT_ID] }]),
				),
			},
		}),
		async args(t) {
			const [oidc, other] = idps;
			const provided = {
				oidc: await fixture(oidc, ["alice", "bob"], ["mallory"]),
				other: await fixture(other, ["bob", "carol"]),
			};
			return [t.url, JSON.stringify(provided)];
		},
	},
);
