"""The development issuer (docs/federation.md#a-development-issuer) through boto3 and PyJWT,
against an idpool server started with it on: tokens minted over HTTP with the standard
library (as any script would), verified by PyJWT from the issuer's own discovery document
and JWKS, then used as OpenID Connect logins of a pool through boto3: GetId,
GetCredentialsForIdentity (with a Rules role mapping on the `groups` claim, the role read back
through the STS endpoint's GetCallerIdentity), GetOpenIdToken (on a second pool without role
mappings, which the classic flow requires, with principal tags mapped from a claim by the
provider's ARN), and an audience the issuer is not registered for.

Usage: /usr/bin/python3 test/compat/boto3_dev_issuer.py <endpoint-url>

Prints one JSON line per check: {"check": name, "ok": true/false, "detail": ...}, and exits
non-zero when any check failed. Run by test/compat/boto3-dev-issuer.test.ts, which asserts
every line. Checks run in order and share the pools through STATE.
"""

import json
import sys
import urllib.error
import urllib.request

import boto3
import jwt
from botocore.config import Config

from checks import (  # noqa: E402 (the shared helpers beside this script)
    FAILED, STATE, body, check, cognito_clients, expect, expect_equal, expect_error, need,
)

ENDPOINT = sys.argv[1]
REGION = "us-east-1"
ACCOUNT = "000000000000"
ISSUER = f"{ENDPOINT}/dev-issuer"
PROVIDER = ISSUER.split("://", 1)[1]
PROVIDER_ARN = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{PROVIDER}"
USER_ROLE = f"arn:aws:iam::{ACCOUNT}:role/DevUser"
ADMIN_ROLE = f"arn:aws:iam::{ACCOUNT}:role/DevAdmin"
TAGS_CLAIM = "https://aws.amazon.com/tags"
# One attempt: an error must reach the check, not be retried.
CONFIG = Config(retries={"total_max_attempts": 1, "mode": "standard"})

COGNITO, APP = cognito_clients(ENDPOINT, REGION, CONFIG)


def post_token(request):
    """POST /dev-issuer/token with `request` as JSON: (HTTP status, JSON answer)."""
    req = urllib.request.Request(
        f"{ISSUER}/token",
        data=json.dumps(request).encode(),
        headers={"content-type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(req, timeout=30) as res:
            return res.status, json.loads(res.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def mint(request):
    status, answer = post_token(request)
    expect_equal(status, 200, f"token endpoint status ({answer})")
    return answer["id_token"]


def get_json(url):
    with urllib.request.urlopen(url, timeout=30) as res:
        return json.loads(res.read())


def credentials_of(token_claims):
    """GetId and GetCredentialsForIdentity with a new token: (identity id, credentials)."""
    logins = {PROVIDER: mint(token_claims)}
    identity_id = APP.get_id(IdentityPoolId=need("pool"), Logins=logins)["IdentityId"]
    out = APP.get_credentials_for_identity(IdentityId=identity_id, Logins=logins)
    return identity_id, out["Credentials"]


def role_of(credentials):
    """The role of `credentials`, from the STS endpoint's GetCallerIdentity."""
    sts = boto3.client(
        "sts",
        endpoint_url=ENDPOINT,
        region_name=REGION,
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretKey"],
        aws_session_token=credentials["SessionToken"],
        config=CONFIG,
    )
    arn = sts.get_caller_identity()["Arn"]
    prefix = f"arn:aws:sts::{ACCOUNT}:assumed-role/"
    expect(arn.startswith(prefix), f"caller {arn!r} is not an assumed role")
    return f"arn:aws:iam::{ACCOUNT}:role/{arn[len(prefix):].split('/')[0]}"


@check("discovery_jwks_and_pyjwt")
def _():
    discovery = get_json(f"{ISSUER}/.well-known/openid-configuration")
    expect_equal(discovery["issuer"], ISSUER, "issuer")
    expect_equal(discovery["id_token_signing_alg_values_supported"], ["RS256"], "algs")
    token = mint({"sub": "alice", "claims": {"email": "alice@example.com"}})
    key = jwt.PyJWKClient(discovery["jwks_uri"]).get_signing_key_from_jwt(token)
    claims = jwt.decode(
        token, key.key, algorithms=["RS256"], audience="idpool-dev", issuer=ISSUER
    )
    expect_equal(claims["sub"], "alice", "sub")
    expect_equal(claims["email"], "alice@example.com", "email")
    expect_equal(claims["exp"] - claims["iat"], 3600, "lifetime")
    return sorted(claims)


@check("token_endpoint_refuses_bad_input")
def _():
    for request, kind in [
        ({"sub": ""}, "ValidationException"),
        ({"sub": "a", "claims": {"exp": 1}}, "ValidationException"),
        ({"sub": "a", "expiresIn": 0}, "ValidationException"),
        (["not", "an", "object"], "SerializationException"),
    ]:
        status, answer = post_token(request)
        expect_equal(status, 400, f"status for {request}")
        expect_equal(answer.get("__type"), kind, f"__type for {request}")


@check("create_pool_with_rules_and_principal_tags")
def _():
    pool = COGNITO.create_identity_pool(
        IdentityPoolName="dev",
        AllowUnauthenticatedIdentities=False,
        OpenIdConnectProviderARNs=[PROVIDER_ARN],
    )["IdentityPoolId"]
    COGNITO.set_identity_pool_roles(
        IdentityPoolId=pool,
        Roles={"authenticated": USER_ROLE},
        RoleMappings={
            PROVIDER_ARN: {
                "Type": "Rules",
                "AmbiguousRoleResolution": "AuthenticatedRole",
                "RulesConfiguration": {
                    "Rules": [
                        {
                            "Claim": "groups",
                            "MatchType": "Contains",
                            "Value": "admin",
                            "RoleARN": ADMIN_ROLE,
                        }
                    ]
                },
            }
        },
    )
    # GetOpenIdToken (the classic flow) is refused with role mappings: another pool for it.
    classic = COGNITO.create_identity_pool(
        IdentityPoolName="dev-classic",
        AllowUnauthenticatedIdentities=False,
        OpenIdConnectProviderARNs=[PROVIDER_ARN],
    )["IdentityPoolId"]
    out = COGNITO.set_principal_tag_attribute_map(
        IdentityPoolId=classic,
        IdentityProviderName=PROVIDER_ARN,
        UseDefaults=False,
        PrincipalTags={"team": "team"},
    )
    expect_equal(body(out)["PrincipalTags"], {"team": "team"}, "map")
    STATE["pool"] = pool
    STATE["classic_pool"] = classic


@check("get_id_same_subject_same_identity")
def _():
    pool = need("pool")
    first = APP.get_id(IdentityPoolId=pool, Logins={PROVIDER: mint({"sub": "alice"})})
    again = APP.get_id(
        IdentityPoolId=pool, Logins={PROVIDER: mint({"sub": "alice", "expiresIn": 60})}
    )
    other = APP.get_id(IdentityPoolId=pool, Logins={PROVIDER: mint({"sub": "bob"})})
    expect_equal(again["IdentityId"], first["IdentityId"], "alice's identity")
    expect(other["IdentityId"] != first["IdentityId"], "bob got alice's identity")
    expect_equal(
        COGNITO.describe_identity(IdentityId=first["IdentityId"])["Logins"],
        [PROVIDER],
        "linked logins",
    )


@check("get_credentials_role_by_rule_on_groups")
def _():
    _, admin = credentials_of({"sub": "carol", "claims": {"groups": ["dev", "admin"]}})
    expect_equal(role_of(admin), ADMIN_ROLE, "role of a member of admin")
    _, user = credentials_of({"sub": "dave", "claims": {"groups": ["dev"]}})
    expect_equal(role_of(user), USER_ROLE, "role of a non-member")


@check("get_open_id_token_amr_and_principal_tags")
def _():
    pool = need("classic_pool")
    logins = {PROVIDER: mint({"sub": "erin", "claims": {"team": "blue"}})}
    identity_id = APP.get_id(IdentityPoolId=pool, Logins=logins)["IdentityId"]
    token = APP.get_open_id_token(IdentityId=identity_id, Logins=logins)["Token"]
    key = jwt.PyJWKClient(f"{ENDPOINT}/.well-known/jwks_uri").get_signing_key_from_jwt(token)
    claims = jwt.decode(token, key.key, algorithms=["RS512"], audience=pool, issuer=ENDPOINT)
    expect_equal(claims["sub"], identity_id, "sub")
    expect_equal(
        claims["amr"],
        ["authenticated", PROVIDER, f"{PROVIDER_ARN}:OIDC:erin"],
        "amr",
    )
    expect_equal(claims[TAGS_CLAIM], {"principal_tags": {"team": ["blue"]}}, "tags")


@check("another_audience_is_refused")
def _():
    expect_error(
        lambda: APP.get_id(
            IdentityPoolId=need("pool"),
            Logins={PROVIDER: mint({"sub": "frank", "aud": "my-app"})},
        ),
        "NotAuthorizedException",
        "Invalid login token. Incorrect token audience.",
    )


sys.exit(1 if FAILED else 0)
