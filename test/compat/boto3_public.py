"""Pool roles and the public operations (GetId, GetOpenIdToken, GetCredentialsForIdentity,
UnlinkIdentity) through boto3, against an idpool server, with federated logins from two
OpenID Connect issuers and the tokens verified by PyJWT (Debian's python3-jwt) from the
server's own JWKS.

Usage: /usr/bin/python3 test/compat/boto3_public.py <endpoint-url> <fixture-json>

The fixture names two OpenID Connect providers the server accepts, "oidc" and "other", each
as {"key": <Logins key>, "arn": <IAM OIDC provider ARN>, "tokens": {<sub>: <ID token>}}:
"oidc" has tokens of alice and bob, and of mallory for an audience the server does not
accept; "other" has tokens of bob and carol. test/compat/boto3-public.test.ts starts the
issuers and the server and mints the tokens.

botocore never signs the public operations: its handlers disable signing for them whatever
the credentials (handlers.py, choose-signer.cognito-identity.GetId ...). Apps use a client
with `signature_version=UNSIGNED` and no keys; the "signed" client here forces SigV4 the way
SDKs that treat these operations as optionally authenticated (the JS v3 SDK) send them.

Prints one JSON line per check: {"check": name, "ok": true/false, "detail": ...}, and exits
non-zero when any check failed. Run by test/compat/boto3-public.test.ts, which asserts every
line, so that a failure names its check. Checks run in order and share pools and identities
through STATE; a check whose prerequisite failed fails too, saying so.
"""

import json
import re
import sys
import time
import traceback
from datetime import datetime

import jwt
from botocore.config import Config
from botocore.exceptions import ClientError

from checks import (  # noqa: E402 (the shared helpers beside this script)
    FAILED,
    STATE,
    CheckFailed,
    body,
    check,
    cognito_clients,
    expect,
    expect_equal,
    expect_error,
    need,
)

ENDPOINT = sys.argv[1]
FIXTURE = json.loads(sys.argv[2])
OIDC = FIXTURE["oidc"]
OTHER = FIXTURE["other"]
REGION = "us-east-1"
ACCOUNT = "000000000000"
DEVELOPER = "login.example.app"
COGNITO_KEY = "cognito-identity.amazonaws.com"
AUTH_ROLE = f"arn:aws:iam::{ACCOUNT}:role/Cognito_Auth"
UNAUTH_ROLE = f"arn:aws:iam::{ACCOUNT}:role/Cognito_Unauth"
IDENTITY_ID = re.compile(
    r"^(?P<region>[a-z0-9-]+):[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$"
)
ACCESS_KEY_ID = re.compile(r"^ASIA[A-Z0-9]{16}$")
MISSING_ID = "us-east-1:00000000-0000-4000-8000-000000000001"
MISSING_POOL = "us-east-1:00000000-0000-4000-8000-000000000002"
POOL_ARN_CLAIM = "https://cognito-identity.amazonaws.com/identity-pool-arn"
UNCONFIGURED_ARN = f"arn:aws:iam::{ACCOUNT}:oidc-provider/oidc.unconfigured.example"
# Observed texts on AWS (see src/operations/public-flow.ts and get-credentials-for-identity.ts).
UNAUTHENTICATED_NOT_SUPPORTED = "Unauthenticated access is not supported for this identity pool."
NO_ROLE = "Invalid identity pool configuration. Check assigned IAM roles for this pool."
CLASSIC_DISABLED = "Basic (classic) flow is not enabled, please use enhanced flow."
CLASSIC_WITH_MAPPINGS = (
    "Basic (classic) flow is not supported with RoleMappings, please use enhanced flow."
)
NOT_SUPPORTED_PROVIDER = "Token is not from a supported provider of this identity pool."
COGNITO_TOKEN_REFUSED = "Invalid login token. Can't pass in a Cognito token."
LOGINS_DONT_MATCH = (
    "Logins don't match. Please include at least one valid login for this identity or "
    "identity pool."
)

# One attempt: an error must reach the check, not be retried.
CONFIG = Config(retries={"total_max_attempts": 1, "mode": "standard"})
PUBLIC_OPERATIONS = ("GetId", "GetOpenIdToken", "GetCredentialsForIdentity", "UnlinkIdentity")

# The Authorization header of every request sent (None when unsigned), oldest first.
SENT = []


def _record(request, **_):
    SENT.append(request.headers.get("Authorization"))


def client(signing="keys"):
    """
    A cognito-identity client of the test server. `signing`: "keys" (test/test, as an admin
    has; botocore still sends the public operations unsigned), "unsigned" (no keys and
    `signature_version=UNSIGNED`, as apps do), "signed" (test/test, and SigV4 forced on the
    public operations too).
    """
    keys, unsigned = cognito_clients(ENDPOINT, REGION, CONFIG)
    made = unsigned if signing == "unsigned" else keys
    if signing == "signed":
        for operation in PUBLIC_OPERATIONS:
            made.meta.events.register_first(
                f"choose-signer.cognito-identity.{operation}", lambda **_: "v4"
            )
    made.meta.events.register("before-send.cognito-identity", _record)
    return made


COGNITO = client()
APP = client("unsigned")
SIGNED = client("signed")


def expect_sent(signed, what):
    """The last request was sent with (or without) a SigV4 Authorization header."""
    expect(SENT, f"{what}: no request was recorded")
    authorization = SENT[-1]
    if isinstance(authorization, bytes):
        authorization = authorization.decode("ascii")
    if signed:
        expect(
            authorization is not None
            and authorization.startswith(
                f"AWS4-HMAC-SHA256 Credential=test/{time.strftime('%Y%m%d', time.gmtime())}/"
                f"{REGION}/cognito-identity/aws4_request"
            ),
            f"{what}: not signed with SigV4 (Authorization: {authorization!r})",
        )
    else:
        expect_equal(authorization, None, f"{what}: Authorization header")


def login(provider, user):
    """A `Logins` entry of `user` at `provider` (OIDC or OTHER)."""
    return {provider["key"]: provider["tokens"][user]}


def new_identity(pool_id, logins=None, cognito=APP):
    out = cognito.get_id(IdentityPoolId=pool_id, **({"Logins": logins} if logins else {}))
    expect_equal(out["ResponseMetadata"]["HTTPStatusCode"], 200, "GetId HTTP status")
    expect_equal(sorted(body(out)), ["IdentityId"], "GetId members")
    match = IDENTITY_ID.match(out["IdentityId"])
    expect(match, f"IdentityId {out['IdentityId']!r} is not <region>:<uuid v4>")
    expect_equal(match.group("region"), REGION, "region of the IdentityId")
    return out["IdentityId"]


def described_logins(identity_id):
    return sorted(COGNITO.describe_identity(IdentityId=identity_id).get("Logins", []))


def verify(token, identity_id, amr):
    """
    Verifies a GetOpenIdToken token as a relying party would, from the server's JWKS alone
    (PyJWT checks the signature, exp, aud and iss), then every claim.
    """
    pool_id = need("pool")
    key = jwt.PyJWKClient(f"{ENDPOINT}/.well-known/jwks_uri").get_signing_key_from_jwt(token)
    claims = jwt.decode(
        token, key.key, algorithms=["RS512"], audience=pool_id, issuer=ENDPOINT
    )
    expect_equal(
        jwt.get_unverified_header(token),
        {"kid": key.key_id, "typ": "JWS", "alg": "RS512"},
        "JOSE header",
    )
    expected = {
        "sub": identity_id,
        "aud": pool_id,
        "amr": amr,
        "iss": ENDPOINT,
        POOL_ARN_CLAIM: f"arn:aws:cognito-identity:{REGION}:{ACCOUNT}:identitypool/{pool_id}",
        "exp": claims.get("exp"),
        "iat": claims.get("iat"),
    }
    expect_equal(claims, expected, "claims")
    expect(abs(claims["iat"] - time.time()) < 60, f"iat {claims['iat']} is not now")
    # GetOpenIdToken's tokens last 10 minutes.
    expect_equal(claims["exp"] - claims["iat"], 600, "exp - iat")
    return claims


def expect_credentials(out, identity_id):
    """A GetCredentialsForIdentity answer for `identity_id`: one-hour temporary credentials."""
    expect_equal(out["ResponseMetadata"]["HTTPStatusCode"], 200, "HTTP status")
    expect_equal(sorted(body(out)), ["Credentials", "IdentityId"], "members answered")
    expect_equal(out["IdentityId"], identity_id, "IdentityId")
    credentials = out["Credentials"]
    expect_equal(
        sorted(credentials),
        ["AccessKeyId", "Expiration", "SecretKey", "SessionToken"],
        "Credentials members",
    )
    expect(
        ACCESS_KEY_ID.match(credentials["AccessKeyId"]),
        f"AccessKeyId {credentials['AccessKeyId']!r} is not a temporary key (ASIA...)",
    )
    expect(len(credentials["SecretKey"]) >= 40, "SecretKey is too short")
    expect(credentials["SessionToken"], "no SessionToken")
    expiration = credentials["Expiration"]
    expect(isinstance(expiration, datetime), f"Expiration {expiration!r} is not a datetime")
    expect(expiration.tzinfo is not None, "Expiration has no time zone")
    ahead = expiration.timestamp() - time.time()
    expect(abs(ahead - 3600) < 60, f"Expiration is {ahead:.0f} s ahead, not about one hour")
    return credentials


RULES_MAPPING = {
    "Type": "Rules",
    "AmbiguousRoleResolution": "AuthenticatedRole",
    "RulesConfiguration": {
        "Rules": [
            {
                "Claim": "email",
                "MatchType": "Equals",
                "Value": "admin@example.com",
                "RoleARN": f"arn:aws:iam::{ACCOUNT}:role/Admin",
            },
            {
                "Claim": "groups",
                "MatchType": "Contains",
                "Value": "eng",
                "RoleARN": f"arn:aws:iam::{ACCOUNT}:role/Engineering",
            },
            {
                "Claim": "sub",
                "MatchType": "StartsWith",
                "Value": "ops-",
                "RoleARN": f"arn:aws:iam::{ACCOUNT}:role/Ops",
            },
            {
                "Claim": "tier",
                "MatchType": "NotEqual",
                "Value": "free",
                "RoleARN": f"arn:aws:iam::{ACCOUNT}:role/Paid",
            },
        ]
    },
}
TOKEN_MAPPING = {"Type": "Token", "AmbiguousRoleResolution": "Deny"}
ROLES = {"authenticated": AUTH_ROLE, "unauthenticated": UNAUTH_ROLE}


# --- Pools and roles ---------------------------------------------------------------------


@check("create_pools")
def _():
    def create(name, roles=True, **settings):
        settings.setdefault("AllowUnauthenticatedIdentities", True)
        pool_id = COGNITO.create_identity_pool(IdentityPoolName=name, **settings)[
            "IdentityPoolId"
        ]
        if roles:
            COGNITO.set_identity_pool_roles(IdentityPoolId=pool_id, Roles=ROLES)
        return pool_id

    both = [OIDC["arn"], OTHER["arn"]]
    # Guests, both OIDC providers and a developer provider, with both default roles.
    STATE["pool"] = create(
        "public", DeveloperProviderName=DEVELOPER, OpenIdConnectProviderARNs=both
    )
    # For the role mappings.
    STATE["mapped"] = create("mapped", roles=False, OpenIdConnectProviderARNs=both)
    # No guests, one OIDC provider.
    STATE["closed"] = create(
        "closed", AllowUnauthenticatedIdentities=False, OpenIdConnectProviderARNs=[OIDC["arn"]]
    )
    # The enhanced flow only.
    STATE["enhanced"] = create("enhanced", AllowClassicFlow=False)
    # No roles at all.
    STATE["no_roles"] = create("no roles", roles=False, DeveloperProviderName=DEVELOPER)
    return {k: STATE[k] for k in ("pool", "mapped", "closed", "enhanced", "no_roles")}


@check("set_and_get_identity_pool_roles_round_trip")
def _():
    pool_id = need("mapped")
    mappings = {OIDC["arn"]: RULES_MAPPING, OTHER["arn"]: TOKEN_MAPPING}
    out = COGNITO.set_identity_pool_roles(
        IdentityPoolId=pool_id, Roles=ROLES, RoleMappings=mappings
    )
    expect_equal(out["ResponseMetadata"]["HTTPStatusCode"], 200, "HTTP status")
    expect_equal(body(out), {}, "SetIdentityPoolRoles answer")
    expect_sent(True, "SetIdentityPoolRoles")
    got = COGNITO.get_identity_pool_roles(IdentityPoolId=pool_id)
    expect_equal(got["ResponseMetadata"]["HTTPStatusCode"], 200, "HTTP status")
    expect_equal(
        body(got),
        {"IdentityPoolId": pool_id, "Roles": ROLES, "RoleMappings": mappings},
        "GetIdentityPoolRoles answer",
    )
    STATE["mapped_roles"] = body(got)


@check("set_identity_pool_roles_unconfigured_key")
def _():
    pool_id = need("mapped")
    before = need("mapped_roles")
    expect_error(
        lambda: COGNITO.set_identity_pool_roles(
            IdentityPoolId=pool_id,
            Roles=ROLES,
            RoleMappings={UNCONFIGURED_ARN: TOKEN_MAPPING},
        ),
        "InvalidParameterException",
        f"{UNCONFIGURED_ARN} is not a valid RoleMapping ProviderName or is not a configured "
        "provider.",
        COGNITO.exceptions.InvalidParameterException,
    )
    expect_equal(
        body(COGNITO.get_identity_pool_roles(IdentityPoolId=pool_id)),
        before,
        "roles after the refusal",
    )


@check("set_identity_pool_roles_clears")
def _():
    pool_id = need("mapped")
    need("mapped_roles")
    out = COGNITO.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={})
    expect_equal(body(out), {}, "SetIdentityPoolRoles answer")
    # Roles is answered even when empty; RoleMappings only when set.
    expect_equal(
        body(COGNITO.get_identity_pool_roles(IdentityPoolId=pool_id)),
        {"IdentityPoolId": pool_id, "Roles": {}},
        "GetIdentityPoolRoles after clearing",
    )


# --- GetId -------------------------------------------------------------------------------


@check("get_id_guest_unsigned")
def _():
    pool_id = need("pool")
    first = new_identity(pool_id)
    expect_sent(False, "GetId of the unsigned client")
    second = new_identity(pool_id)
    expect(first != second, "two guests got the same identity")
    # A client with keys: botocore does not sign GetId either.
    third = new_identity(pool_id, cognito=COGNITO)
    expect_sent(False, "GetId of a client with keys")
    expect(third not in (first, second), "a third guest got an earlier identity")
    STATE["guest"] = first
    return first


@check("get_id_guest_signed")
def _():
    pool_id = need("pool")
    identity_id = new_identity(pool_id, cognito=SIGNED)
    expect_sent(True, "GetId of the signed client")
    expect(identity_id != need("guest"), "a signed guest got an earlier identity")


@check("get_id_oidc_login")
def _():
    pool_id = need("pool")
    alice = new_identity(pool_id, login(OIDC, "alice"))
    expect_sent(False, "GetId with a login, unsigned")
    expect(alice != need("guest"), "alice got the guest's identity")
    expect_equal(new_identity(pool_id, login(OIDC, "alice"), SIGNED), alice, "signed, again")
    expect_sent(True, "GetId with a login, signed")
    expect_equal(described_logins(alice), [OIDC["key"]], "Logins of alice's identity")
    STATE["alice"] = alice
    return alice


# --- GetOpenIdToken ----------------------------------------------------------------------


@check("get_open_id_token_guest")
def _():
    guest = need("guest")
    out = APP.get_open_id_token(IdentityId=guest)
    expect_sent(False, "GetOpenIdToken")
    expect_equal(out["ResponseMetadata"]["HTTPStatusCode"], 200, "HTTP status")
    expect_equal(sorted(body(out)), ["IdentityId", "Token"], "members answered")
    expect_equal(out["IdentityId"], guest, "IdentityId")
    return verify(out["Token"], guest, ["unauthenticated"])


@check("get_open_id_token_oidc_login")
def _():
    alice = need("alice")
    out = APP.get_open_id_token(IdentityId=alice, Logins=login(OIDC, "alice"))
    expect_equal(out["IdentityId"], alice, "IdentityId")
    amr = ["authenticated", OIDC["key"], f"{OIDC['arn']}:OIDC:alice"]
    claims = verify(out["Token"], alice, amr)
    signed = SIGNED.get_open_id_token(IdentityId=alice, Logins=login(OIDC, "alice"))
    expect_sent(True, "GetOpenIdToken, signed")
    verify(signed["Token"], alice, amr)
    return claims


# --- GetCredentialsForIdentity -----------------------------------------------------------


@check("get_credentials_guest")
def _():
    guest = need("guest")
    credentials = expect_credentials(APP.get_credentials_for_identity(IdentityId=guest), guest)
    expect_sent(False, "GetCredentialsForIdentity")
    expect_credentials(SIGNED.get_credentials_for_identity(IdentityId=guest), guest)
    expect_sent(True, "GetCredentialsForIdentity, signed")
    return {"AccessKeyId": credentials["AccessKeyId"], "Expiration": credentials["Expiration"]}


@check("get_credentials_oidc_login")
def _():
    alice = need("alice")
    expect_credentials(
        APP.get_credentials_for_identity(IdentityId=alice, Logins=login(OIDC, "alice")), alice
    )


@check("get_credentials_developer_flow")
def _():
    pool_id = need("pool")
    # The backend, signed with the developer's keys.
    developer = COGNITO.get_open_id_token_for_developer_identity(
        IdentityPoolId=pool_id, Logins={DEVELOPER: "dev-user"}
    )
    identity_id = developer["IdentityId"]
    STATE["developer_token"] = developer["Token"]
    # The app, unsigned, presents the token under cognito-identity.amazonaws.com.
    out = APP.get_credentials_for_identity(
        IdentityId=identity_id, Logins={COGNITO_KEY: developer["Token"]}
    )
    expect_sent(False, "GetCredentialsForIdentity")
    expect_credentials(out, identity_id)
    return identity_id


# --- UnlinkIdentity ----------------------------------------------------------------------


@check("unlink_identity")
def _():
    pool_id = need("pool")
    bob = new_identity(pool_id, {**login(OIDC, "bob"), **login(OTHER, "bob")})
    expect_equal(described_logins(bob), sorted([OIDC["key"], OTHER["key"]]), "Logins of bob")
    out = APP.unlink_identity(
        IdentityId=bob, Logins=login(OIDC, "bob"), LoginsToRemove=[OTHER["key"]]
    )
    expect_sent(False, "UnlinkIdentity")
    expect_equal(out["ResponseMetadata"]["HTTPStatusCode"], 200, "HTTP status")
    expect_equal(body(out), {}, "UnlinkIdentity answer")
    expect_equal(described_logins(bob), [OIDC["key"]], "Logins left")
    # The unlinked login is a new identity the next time it is seen; the other is still bob's.
    again = new_identity(pool_id, login(OTHER, "bob"))
    expect(again != bob, "the unlinked login came back to its identity")
    expect_equal(new_identity(pool_id, login(OIDC, "bob")), bob, "identity of the kept login")
    STATE["bob"] = bob
    return bob


@check("unlink_last_login_makes_identity_inaccessible")
def _():
    pool_id = need("pool")
    bob = need("bob")
    out = APP.unlink_identity(
        IdentityId=bob, Logins=login(OIDC, "bob"), LoginsToRemove=[OIDC["key"]]
    )
    expect_equal(body(out), {}, "UnlinkIdentity answer")
    expect_equal(described_logins(bob), [], "Logins left")
    expect_error(
        lambda: APP.get_credentials_for_identity(IdentityId=bob, Logins=login(OIDC, "bob")),
        "NotAuthorizedException",
        f"Access to Identity '{bob}' is forbidden.",
        APP.exceptions.NotAuthorizedException,
    )
    expect(new_identity(pool_id, login(OIDC, "bob")) != bob, "bob came back to it")


# --- Errors, as botocore classifies them -------------------------------------------------


@check("not_authorized")
def _():
    alice = need("alice")
    pool_id = need("pool")
    expect_error(
        lambda: APP.get_id(IdentityPoolId=need("closed")),
        "NotAuthorizedException",
        UNAUTHENTICATED_NOT_SUPPORTED,
        APP.exceptions.NotAuthorizedException,
    )
    # An identity with logins must present one.
    for call in (
        lambda: APP.get_credentials_for_identity(IdentityId=alice),
        lambda: APP.get_open_id_token(IdentityId=alice),
    ):
        expect_error(
            call,
            "NotAuthorizedException",
            f"Access to Identity '{alice}' is forbidden.",
            APP.exceptions.NotAuthorizedException,
        )
    # A login of the pool's providers that is not alice's proves nothing about her identity.
    expect_error(
        lambda: APP.unlink_identity(
            IdentityId=alice, Logins=login(OTHER, "carol"), LoginsToRemove=[OIDC["key"]]
        ),
        "NotAuthorizedException",
        LOGINS_DONT_MATCH,
        APP.exceptions.NotAuthorizedException,
    )
    expect_equal(described_logins(alice), [OIDC["key"]], "alice's Logins after the refusal")
    # GetId does not take this server's own tokens.
    expect_error(
        lambda: APP.get_id(
            IdentityPoolId=pool_id, Logins={COGNITO_KEY: need("developer_token")}
        ),
        "NotAuthorizedException",
        COGNITO_TOKEN_REFUSED,
        APP.exceptions.NotAuthorizedException,
    )
    # A provider the pool does not have.
    expect_error(
        lambda: APP.get_id(IdentityPoolId=need("closed"), Logins=login(OTHER, "carol")),
        "NotAuthorizedException",
        NOT_SUPPORTED_PROVIDER,
        APP.exceptions.NotAuthorizedException,
    )
    # A token for an audience the provider is not configured with.
    expect_error(
        lambda: APP.get_id(IdentityPoolId=pool_id, Logins=login(OIDC, "mallory")),
        "NotAuthorizedException",
        re.compile(r"^Invalid login token\. "),
        APP.exceptions.NotAuthorizedException,
    )


@check("invalid_identity_pool_configuration")
def _():
    pool_id = need("no_roles")
    guest = new_identity(pool_id)
    expect_error(
        lambda: APP.get_credentials_for_identity(IdentityId=guest),
        "InvalidIdentityPoolConfigurationException",
        NO_ROLE,
        APP.exceptions.InvalidIdentityPoolConfigurationException,
    )
    developer = COGNITO.get_open_id_token_for_developer_identity(
        IdentityPoolId=pool_id, Logins={DEVELOPER: "no-role-user"}
    )
    expect_error(
        lambda: APP.get_credentials_for_identity(
            IdentityId=developer["IdentityId"], Logins={COGNITO_KEY: developer["Token"]}
        ),
        "InvalidIdentityPoolConfigurationException",
        NO_ROLE,
        APP.exceptions.InvalidIdentityPoolConfigurationException,
    )


@check("resource_not_found")
def _():
    for call in (
        lambda: APP.get_open_id_token(IdentityId=MISSING_ID),
        lambda: APP.get_credentials_for_identity(IdentityId=MISSING_ID),
        lambda: APP.unlink_identity(
            IdentityId=MISSING_ID, Logins=login(OIDC, "alice"), LoginsToRemove=[OIDC["key"]]
        ),
    ):
        expect_error(
            call,
            "ResourceNotFoundException",
            f"Identity '{MISSING_ID}' not found.",
            APP.exceptions.ResourceNotFoundException,
        )
    expect_error(
        lambda: APP.get_id(IdentityPoolId=MISSING_POOL),
        "ResourceNotFoundException",
        f"IdentityPool '{MISSING_POOL}' not found.",
        APP.exceptions.ResourceNotFoundException,
    )


@check("classic_flow_disabled_is_invalid_parameter")
def _():
    guest = new_identity(need("enhanced"))
    expect_error(
        lambda: APP.get_open_id_token(IdentityId=guest),
        "InvalidParameterException",
        CLASSIC_DISABLED,
        APP.exceptions.InvalidParameterException,
    )
    # The enhanced flow serves the same guest.
    expect_credentials(APP.get_credentials_for_identity(IdentityId=guest), guest)
    # Role mappings refuse the classic flow too.
    mapped = need("mapped")
    COGNITO.set_identity_pool_roles(
        IdentityPoolId=mapped, Roles=ROLES, RoleMappings={OIDC["arn"]: TOKEN_MAPPING}
    )
    mapped_guest = new_identity(mapped)
    expect_error(
        lambda: APP.get_open_id_token(IdentityId=mapped_guest),
        "InvalidParameterException",
        CLASSIC_WITH_MAPPINGS,
        APP.exceptions.InvalidParameterException,
    )


sys.exit(1 if FAILED else 0)
