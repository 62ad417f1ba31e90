"""Developer-authenticated identities through boto3, against an idpool server, with the
tokens verified by PyJWT (Debian's python3-jwt) from the server's own JWKS.

Usage: /usr/bin/python3 test/compat/boto3_identities.py <endpoint-url>

The server must know two access keys: test/test (account 000000000000) and other/other
(account 111111111111), as test/compat/boto3-identities.test.ts starts it.

Prints one JSON line per check: {"check": name, "ok": true/false, "detail": ...}, and exits
non-zero when any check failed. Run by test/compat/boto3-identities.test.ts, which starts
the server and asserts every line, so that a failure names its check. Checks run in order
and share pools and identities through STATE; a check whose prerequisite failed fails too,
saying so.
"""

import base64
import hashlib
import json
import re
import sys
import time
import traceback
import urllib.request
from datetime import datetime

import boto3
import jwt
from botocore.config import Config
from botocore.exceptions import ClientError

from checks import (  # noqa: E402 (the shared helpers beside this script)
    FAILED,
    STATE,
    CheckFailed,
    body,
    check,
    expect,
    expect_equal,
    expect_error,
    need,
)

ENDPOINT = sys.argv[1]
REGION = "us-east-1"
# Another region of the same account: identities of us-east-1 do not exist there.
OTHER_REGION = "eu-central-1"
ACCOUNT = "000000000000"
# The access key (and secret) of another account.
OTHER_ACCOUNT_KEY = "other"
DEVELOPER = "login.example.app"
IDENTITY_ID = re.compile(
    r"^(?P<region>[a-z0-9-]+):[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$"
)
MISSING_ID = "us-east-1:00000000-0000-4000-8000-000000000001"
MISSING_POOL = "us-east-1:00000000-0000-4000-8000-000000000002"
POOL_ARN_CLAIM = "https://cognito-identity.amazonaws.com/identity-pool-arn"
TAGS_CLAIM = "https://aws.amazon.com/tags"
UNSUPPORTED_DEVELOPER = "This identity pool does not support the specified developer provider"
ALREADY_REGISTERED = (
    "The provided developer user identifier is already registered with Cognito under a "
    "different identity ID."
)

# One attempt: an error must reach the check, not be retried.
CONFIG = Config(retries={"total_max_attempts": 1, "mode": "standard"})



def client(region=REGION, key="test"):
    return boto3.client(
        "cognito-identity",
        endpoint_url=ENDPOINT,
        region_name=region,
        aws_access_key_id=key,
        aws_secret_access_key=key,
        config=CONFIG,
    )


COGNITO = client()


def get_json(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        expect_equal(response.status, 200, f"HTTP status of {url}")
        return json.loads(response.read().decode("utf-8"))


def thumbprint(jwk):
    """The RFC 7638 SHA-256 thumbprint of an RSA JWK, base64url without padding."""
    canonical = json.dumps(
        {"e": jwk["e"], "kty": jwk["kty"], "n": jwk["n"]}, separators=(",", ":")
    )
    digest = hashlib.sha256(canonical.encode("utf-8")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def developer_token(user, **kwargs):
    """GetOpenIdTokenForDeveloperIdentity for `user` of the developer pool."""
    return COGNITO.get_open_id_token_for_developer_identity(
        IdentityPoolId=need("pool"), Logins={DEVELOPER: user}, **kwargs
    )


def lookup(**kwargs):
    return body(COGNITO.lookup_developer_identity(IdentityPoolId=need("pool"), **kwargs))


def list_identities(**kwargs):
    kwargs.setdefault("MaxResults", 60)
    return body(COGNITO.list_identities(IdentityPoolId=need("pool"), **kwargs))


def listed_ids(**kwargs):
    return [i["IdentityId"] for i in list_identities(**kwargs)["Identities"]]


def verify(token, identity_id, user, duration=900, tags=None):
    """
    Verifies `token` as any relying party would, with nothing but the issuer's URL: PyJWT
    finds the key in the JWKS by the token's kid and checks the signature, exp, aud and iss;
    then every claim and the header are compared with what they must be.
    """
    pool_id = need("pool")
    jwks = jwt.PyJWKClient(f"{ENDPOINT}/.well-known/jwks_uri")
    key = jwks.get_signing_key_from_jwt(token)
    claims = jwt.decode(
        token, key.key, algorithms=["RS512"], audience=pool_id, issuer=ENDPOINT
    )
    header = jwt.get_unverified_header(token)
    expect_equal(header, {"kid": key.key_id, "typ": "JWS", "alg": "RS512"}, "JOSE header")
    expected = {
        "sub": identity_id,
        "aud": pool_id,
        "amr": ["authenticated", DEVELOPER, f"{DEVELOPER}:{pool_id}:{user}"],
        "iss": ENDPOINT,
        POOL_ARN_CLAIM: f"arn:aws:cognito-identity:{REGION}:{ACCOUNT}:identitypool/{pool_id}",
        "exp": claims.get("exp"),
        "iat": claims.get("iat"),
    }
    if tags is not None:
        expected[TAGS_CLAIM] = {"principal_tags": {k: [v] for k, v in tags.items()}}
    expect_equal(claims, expected, "claims")
    expect(isinstance(claims["iat"], int), f"iat {claims['iat']!r} is not whole seconds")
    expect(abs(claims["iat"] - time.time()) < 60, f"iat {claims['iat']} is not now")
    expect_equal(claims["exp"] - claims["iat"], duration, "exp - iat")
    return claims


# --- Pools and discovery -----------------------------------------------------------------


@check("create_developer_pool")
def _():
    out = COGNITO.create_identity_pool(
        IdentityPoolName="developer pool",
        AllowUnauthenticatedIdentities=False,
        DeveloperProviderName=DEVELOPER,
    )
    expect_equal(out["DeveloperProviderName"], DEVELOPER, "DeveloperProviderName")
    STATE["pool"] = out["IdentityPoolId"]
    plain = COGNITO.create_identity_pool(
        IdentityPoolName="no developer", AllowUnauthenticatedIdentities=False
    )
    STATE["plain"] = plain["IdentityPoolId"]
    return STATE["pool"]


@check("openid_configuration_and_jwks")
def _():
    config = get_json(f"{ENDPOINT}/.well-known/openid-configuration")
    expect_equal(config.get("issuer"), ENDPOINT, "issuer")
    expect_equal(config.get("jwks_uri"), f"{ENDPOINT}/.well-known/jwks_uri", "jwks_uri")
    jwks = get_json(config["jwks_uri"])
    expect_equal(get_json(f"{ENDPOINT}/.well-known/jwks.json"), jwks, "jwks.json")
    keys = jwks.get("keys", [])
    expect(keys, "the JWKS has no keys")
    for jwk in keys:
        expect_equal(jwk.get("kty"), "RSA", "kty")
        expect_equal(jwk.get("kid"), thumbprint(jwk), "kid (RFC 7638 thumbprint)")
        for member in ("n", "e"):
            expect("=" not in jwk[member], f"{member} is padded base64url")
    STATE["kids"] = [jwk["kid"] for jwk in keys]
    return STATE["kids"]


# --- GetOpenIdTokenForDeveloperIdentity --------------------------------------------------


@check("token_new_user")
def _():
    out = developer_token("user1")
    expect_equal(out["ResponseMetadata"]["HTTPStatusCode"], 200, "HTTP status")
    expect_equal(sorted(body(out)), ["IdentityId", "Token"], "members answered")
    match = IDENTITY_ID.match(out["IdentityId"])
    expect(match, f"IdentityId {out['IdentityId']!r} is not <region>:<uuid v4>")
    expect_equal(match.group("region"), REGION, "region of the IdentityId")
    STATE["id1"] = out["IdentityId"]
    STATE["token1"] = out["Token"]
    return out["IdentityId"]


@check("token_verified_by_pyjwt")
def _():
    claims = verify(need("token1"), need("id1"), "user1")
    kid = jwt.get_unverified_header(need("token1"))["kid"]
    expect(kid in need("kids"), f"kid {kid} is not in the JWKS")
    return claims


@check("token_refused_by_pyjwt_when_wrong")
def _():
    token = need("token1")
    pool_id = need("pool")
    key = jwt.PyJWKClient(f"{ENDPOINT}/.well-known/jwks_uri").get_signing_key_from_jwt(token)
    cases = [
        (jwt.InvalidAudienceError, {"audience": need("plain"), "issuer": ENDPOINT}),
        (jwt.InvalidIssuerError, {"audience": pool_id, "issuer": "https://elsewhere"}),
    ]
    for error, options in cases:
        try:
            jwt.decode(token, key.key, algorithms=["RS512"], **options)
        except error:
            continue
        raise CheckFailed(f"PyJWT accepted the token with {options}")
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = MISSING_ID
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    try:
        jwt.decode(
            f"{header}.{forged}.{signature}",
            key.key,
            algorithms=["RS512"],
            audience=pool_id,
            issuer=ENDPOINT,
        )
    except jwt.InvalidSignatureError:
        return None
    raise CheckFailed("PyJWT accepted a token whose payload was changed")


@check("token_same_user_same_identity")
def _():
    out = developer_token("user1")
    expect_equal(out["IdentityId"], need("id1"), "IdentityId of the second call")
    verify(out["Token"], need("id1"), "user1")


@check("token_duration_and_principal_tags")
def _():
    tags = {"team": "a", "env": "test"}
    out = developer_token("user1", TokenDuration=3600, PrincipalTags=tags)
    expect_equal(out["IdentityId"], need("id1"), "IdentityId")
    return verify(out["Token"], need("id1"), "user1", duration=3600, tags=tags)


@check("token_links_second_user_to_named_identity")
def _():
    out = developer_token("user1b", IdentityId=need("id1"))
    expect_equal(out["IdentityId"], need("id1"), "IdentityId")
    verify(out["Token"], need("id1"), "user1b")
    again = developer_token("user1b")
    expect_equal(again["IdentityId"], need("id1"), "IdentityId of user1b without IdentityId")


# --- Describe and lookup -----------------------------------------------------------------


@check("describe_identity")
def _():
    out = COGNITO.describe_identity(IdentityId=need("id1"))
    answer = body(out)
    expect_equal(
        sorted(answer), ["CreationDate", "IdentityId", "LastModifiedDate", "Logins"], "members"
    )
    expect_equal(answer["IdentityId"], need("id1"), "IdentityId")
    expect_equal(answer["Logins"], [DEVELOPER], "Logins")
    created, modified = answer["CreationDate"], answer["LastModifiedDate"]
    expect(isinstance(created, datetime), f"CreationDate {created!r} is not a datetime")
    expect(isinstance(modified, datetime), f"LastModifiedDate {modified!r} is not a datetime")
    expect(abs(created.timestamp() - time.time()) < 60, f"CreationDate {created} is not now")
    expect(modified >= created, f"LastModifiedDate {modified} is before {created}")
    return answer


@check("lookup_by_identifier")
def _():
    expect_equal(
        lookup(DeveloperUserIdentifier="user1"),
        {"IdentityId": need("id1"), "DeveloperUserIdentifierList": ["user1"]},
        "LookupDeveloperIdentity by DeveloperUserIdentifier",
    )
    expect_equal(
        lookup(DeveloperUserIdentifier="user1b", IdentityId=need("id1")),
        {"IdentityId": need("id1"), "DeveloperUserIdentifierList": ["user1b"]},
        "LookupDeveloperIdentity by both",
    )


@check("lookup_by_identity_with_pages")
def _():
    out = lookup(IdentityId=need("id1"))
    expect_equal(sorted(out), ["DeveloperUserIdentifierList", "IdentityId"], "members")
    expect_equal(out["IdentityId"], need("id1"), "IdentityId")
    expect_equal(sorted(out["DeveloperUserIdentifierList"]), ["user1", "user1b"], "identifiers")
    first = lookup(IdentityId=need("id1"), MaxResults=1)
    expect_equal(len(first["DeveloperUserIdentifierList"]), 1, "first page size")
    expect(first.get("NextToken"), "no NextToken after the first of two identifiers")
    rest = lookup(IdentityId=need("id1"), MaxResults=1, NextToken=first["NextToken"])
    expect_equal(
        first["DeveloperUserIdentifierList"] + rest["DeveloperUserIdentifierList"],
        out["DeveloperUserIdentifierList"],
        "identifiers over two pages",
    )
    expect("NextToken" not in rest, "NextToken after the last identifier")


# --- Merge, list, unlink, delete ---------------------------------------------------------


@check("merge_developer_identities")
def _():
    id2 = developer_token("user2")["IdentityId"]
    expect(id2 != need("id1"), "user2 got user1's identity")
    STATE["id2"] = id2
    out = COGNITO.merge_developer_identities(
        SourceUserIdentifier="user2",
        DestinationUserIdentifier="user1",
        DeveloperProviderName=DEVELOPER,
        IdentityPoolId=need("pool"),
    )
    expect_equal(body(out), {"IdentityId": need("id1")}, "MergeDeveloperIdentities answer")
    expect_equal(
        lookup(DeveloperUserIdentifier="user2"),
        {"IdentityId": need("id1"), "DeveloperUserIdentifierList": ["user2"]},
        "lookup of the merged user",
    )
    expect_equal(
        sorted(lookup(IdentityId=need("id1"))["DeveloperUserIdentifierList"]),
        ["user1", "user1b", "user2"],
        "identifiers of the destination identity",
    )
    expect_equal(developer_token("user2")["IdentityId"], need("id1"), "user2's identity")
    # The merged-away identity is disabled, but still described (with no logins left).
    described = body(COGNITO.describe_identity(IdentityId=id2))
    expect_equal(described["IdentityId"], id2, "IdentityId described")
    expect("Logins" not in described, f"the disabled identity has Logins {described}")
    # Merging two users of one identity is nothing to do.
    same = COGNITO.merge_developer_identities(
        SourceUserIdentifier="user2",
        DestinationUserIdentifier="user1",
        DeveloperProviderName=DEVELOPER,
        IdentityPoolId=need("pool"),
    )
    expect_equal(body(same), {"IdentityId": need("id1")}, "merge of one identity")


@check("merged_identity_is_forbidden")
def _():
    id2 = need("id2")
    expect_error(
        lambda: developer_token("user2", IdentityId=id2),
        "NotAuthorizedException",
        f"Access to Identity '{id2}' is forbidden.",
        COGNITO.exceptions.NotAuthorizedException,
    )


@check("list_identities_hide_disabled")
def _():
    id1, id2 = need("id1"), need("id2")
    out = list_identities(MaxResults=10)
    expect_equal(out["IdentityPoolId"], need("pool"), "IdentityPoolId")
    expect("NextToken" not in out, "NextToken on the only page")
    expect_equal([i["IdentityId"] for i in out["Identities"]], [id1, id2], "identities listed")
    first = out["Identities"][0]
    expect_equal(
        sorted(first), ["CreationDate", "IdentityId", "LastModifiedDate", "Logins"], "members"
    )
    expect_equal(first["Logins"], [DEVELOPER], "Logins of the listed identity")
    expect(isinstance(first["CreationDate"], datetime), "CreationDate is not a datetime")
    expect_equal(listed_ids(MaxResults=10, HideDisabled=True), [id1], "HideDisabled=True")
    expect_equal(listed_ids(MaxResults=10, HideDisabled=False), [id1, id2], "HideDisabled=False")
    page = list_identities(MaxResults=1)
    expect_equal([i["IdentityId"] for i in page["Identities"]], [id1], "first page")
    expect(page.get("NextToken"), "no NextToken after the first page")
    rest = list_identities(MaxResults=1, NextToken=page["NextToken"])
    expect_equal([i["IdentityId"] for i in rest["Identities"]], [id2], "second page")
    # A token of the unfiltered view does not continue the filtered one (docs/behaviour.md#pagination).
    expect_error(
        lambda: list_identities(MaxResults=1, HideDisabled=True, NextToken=page["NextToken"]),
        "InvalidParameterException",
        exception_class=COGNITO.exceptions.InvalidParameterException,
    )


@check("unlink_developer_identity")
def _():
    id1 = need("id1")
    out = COGNITO.unlink_developer_identity(
        IdentityId=id1,
        IdentityPoolId=need("pool"),
        DeveloperProviderName=DEVELOPER,
        DeveloperUserIdentifier="user1b",
    )
    expect_equal(out["ResponseMetadata"]["HTTPStatusCode"], 200, "HTTP status")
    expect_equal(body(out), {}, "UnlinkDeveloperIdentity answer")
    expect_error(
        lambda: lookup(DeveloperUserIdentifier="user1b"),
        "ResourceNotFoundException",
        "Developer user identifier 'user1b' not found.",
        COGNITO.exceptions.ResourceNotFoundException,
    )
    expect_equal(
        sorted(lookup(IdentityId=id1)["DeveloperUserIdentifierList"]),
        ["user1", "user2"],
        "identifiers left",
    )
    # The unlinked user is a new identity the next time it is seen.
    id3 = developer_token("user1b")["IdentityId"]
    expect(id3 not in (id1, need("id2")), f"user1b came back to {id3}")
    STATE["id3"] = id3


@check("unlink_last_login_makes_identity_inaccessible")
def _():
    id3 = need("id3")
    COGNITO.unlink_developer_identity(
        IdentityId=id3,
        IdentityPoolId=need("pool"),
        DeveloperProviderName=DEVELOPER,
        DeveloperUserIdentifier="user1b",
    )
    described = body(COGNITO.describe_identity(IdentityId=id3))
    expect_equal(described["IdentityId"], id3, "IdentityId described")
    expect("Logins" not in described, f"Logins left: {described}")
    expect(id3 not in listed_ids(HideDisabled=True), "HideDisabled lists the inaccessible one")
    expect(id3 in listed_ids(), "the inaccessible identity is not listed")
    expect_error(
        lambda: developer_token("user1b", IdentityId=id3),
        "NotAuthorizedException",
        f"Access to Identity '{id3}' is forbidden.",
        COGNITO.exceptions.NotAuthorizedException,
    )
    id4 = developer_token("user1b")["IdentityId"]
    expect(id4 != id3, "user1b came back to its inaccessible identity")
    STATE["id4"] = id4


@check("delete_identities")
def _():
    id3, id4 = need("id3"), need("id4")
    out = COGNITO.delete_identities(IdentityIdsToDelete=[id3, id4, MISSING_ID])
    expect_equal(out["ResponseMetadata"]["HTTPStatusCode"], 200, "HTTP status")
    expect_equal(body(out), {"UnprocessedIdentityIds": []}, "DeleteIdentities answer")
    for identity_id in (id3, id4):
        expect_error(
            lambda: COGNITO.describe_identity(IdentityId=identity_id),
            "ResourceNotFoundException",
            f"Identity '{identity_id}' not found.",
            COGNITO.exceptions.ResourceNotFoundException,
        )
    listed = listed_ids()
    expect(id3 not in listed and id4 not in listed, f"deleted identities listed: {listed}")
    # The deleted identity's login went with it.
    expect_error(
        lambda: lookup(DeveloperUserIdentifier="user1b"),
        "ResourceNotFoundException",
        "Developer user identifier 'user1b' not found.",
        COGNITO.exceptions.ResourceNotFoundException,
    )
    again = developer_token("user1b")["IdentityId"]
    expect(again not in (id3, id4), "user1b came back to a deleted identity")
    STATE["id5"] = again
    # Deleting again: unknown ids count as deleted.
    expect_equal(
        body(COGNITO.delete_identities(IdentityIdsToDelete=[id4])),
        {"UnprocessedIdentityIds": []},
        "DeleteIdentities of a deleted id",
    )


@check("delete_identities_of_other_region_and_account")
def _():
    id1 = need("id1")
    # Another region: the id is unknown there, counts as deleted, and is kept (docs/behaviour.md#deleteidentities).
    out = client(OTHER_REGION).delete_identities(IdentityIdsToDelete=[id1])
    expect_equal(body(out), {"UnprocessedIdentityIds": []}, "answer in another region")
    expect_equal(COGNITO.describe_identity(IdentityId=id1)["IdentityId"], id1, "kept")
    # Another account: AccessDenied, and kept.
    out = client(key=OTHER_ACCOUNT_KEY).delete_identities(IdentityIdsToDelete=[id1, MISSING_ID])
    expect_equal(
        body(out),
        {"UnprocessedIdentityIds": [{"IdentityId": id1, "ErrorCode": "AccessDenied"}]},
        "answer for another account",
    )
    expect_equal(COGNITO.describe_identity(IdentityId=id1)["IdentityId"], id1, "kept")


# --- Errors, as botocore classifies them -------------------------------------------------


@check("developer_user_already_registered")
def _():
    id5 = need("id5")
    need("id1")
    e = expect_error(
        lambda: developer_token("user1", IdentityId=id5),
        "DeveloperUserAlreadyRegisteredException",
        ALREADY_REGISTERED,
        COGNITO.exceptions.DeveloperUserAlreadyRegisteredException,
    )
    expect_equal(
        lookup(DeveloperUserIdentifier="user1")["IdentityId"], need("id1"), "user1's identity"
    )
    return str(e)


@check("resource_not_found")
def _():
    for call in (
        lambda: COGNITO.describe_identity(IdentityId=MISSING_ID),
        lambda: developer_token("user9", IdentityId=MISSING_ID),
        lambda: lookup(IdentityId=MISSING_ID),
        lambda: COGNITO.unlink_developer_identity(
            IdentityId=MISSING_ID,
            IdentityPoolId=need("pool"),
            DeveloperProviderName=DEVELOPER,
            DeveloperUserIdentifier="user1",
        ),
    ):
        expect_error(
            call,
            "ResourceNotFoundException",
            f"Identity '{MISSING_ID}' not found.",
            COGNITO.exceptions.ResourceNotFoundException,
        )
    expect_error(
        lambda: lookup(DeveloperUserIdentifier="nobody"),
        "ResourceNotFoundException",
        "Developer user identifier 'nobody' not found.",
        COGNITO.exceptions.ResourceNotFoundException,
    )
    expect_error(
        lambda: COGNITO.merge_developer_identities(
            SourceUserIdentifier="nobody",
            DestinationUserIdentifier="user1",
            DeveloperProviderName=DEVELOPER,
            IdentityPoolId=need("pool"),
        ),
        "ResourceNotFoundException",
        "Developer user identifier 'nobody' not found.",
        COGNITO.exceptions.ResourceNotFoundException,
    )
    for call in (
        lambda: COGNITO.get_open_id_token_for_developer_identity(
            IdentityPoolId=MISSING_POOL, Logins={DEVELOPER: "user1"}
        ),
        lambda: COGNITO.list_identities(IdentityPoolId=MISSING_POOL, MaxResults=10),
    ):
        expect_error(
            call,
            "ResourceNotFoundException",
            f"IdentityPool '{MISSING_POOL}' not found.",
            COGNITO.exceptions.ResourceNotFoundException,
        )


@check("identity_of_another_region_not_found")
def _():
    id1 = need("id1")
    expect_error(
        lambda: client(OTHER_REGION).describe_identity(IdentityId=id1),
        "ResourceNotFoundException",
        f"Identity '{id1}' not found.",
        COGNITO.exceptions.ResourceNotFoundException,
    )


@check("not_authorized")
def _():
    expect_error(
        lambda: COGNITO.get_open_id_token_for_developer_identity(
            IdentityPoolId=need("plain"), Logins={DEVELOPER: "user1"}
        ),
        "NotAuthorizedException",
        UNSUPPORTED_DEVELOPER,
        COGNITO.exceptions.NotAuthorizedException,
    )
    expect_error(
        lambda: COGNITO.get_open_id_token_for_developer_identity(
            IdentityPoolId=need("pool"), Logins={"other.example.app": "user1"}
        ),
        "NotAuthorizedException",
        UNSUPPORTED_DEVELOPER,
        COGNITO.exceptions.NotAuthorizedException,
    )
    expect_error(
        lambda: COGNITO.merge_developer_identities(
            SourceUserIdentifier="user2",
            DestinationUserIdentifier="user1",
            DeveloperProviderName="other.example.app",
            IdentityPoolId=need("pool"),
        ),
        "NotAuthorizedException",
        UNSUPPORTED_DEVELOPER,
        COGNITO.exceptions.NotAuthorizedException,
    )
    expect_error(
        lambda: COGNITO.unlink_developer_identity(
            IdentityId=need("id1"),
            IdentityPoolId=need("plain"),
            DeveloperProviderName=DEVELOPER,
            DeveloperUserIdentifier="user1",
        ),
        "NotAuthorizedException",
        UNSUPPORTED_DEVELOPER,
        COGNITO.exceptions.NotAuthorizedException,
    )


@check("resource_conflict")
def _():
    id1, id5 = need("id1"), need("id5")
    # user1 is linked to id1, not id5.
    expect_error(
        lambda: COGNITO.unlink_developer_identity(
            IdentityId=id5,
            IdentityPoolId=need("pool"),
            DeveloperProviderName=DEVELOPER,
            DeveloperUserIdentifier="user1",
        ),
        "ResourceConflictException",
        exception_class=COGNITO.exceptions.ResourceConflictException,
    )
    expect_error(
        lambda: lookup(DeveloperUserIdentifier="user1", IdentityId=id5),
        "ResourceConflictException",
        exception_class=COGNITO.exceptions.ResourceConflictException,
    )
    expect_equal(
        sorted(lookup(IdentityId=id1)["DeveloperUserIdentifierList"]),
        ["user1", "user2"],
        "identifiers of id1 after the refusals",
    )


@check("invalid_parameter")
def _():
    expect_error(
        lambda: lookup(),
        "InvalidParameterException",
        "Either IdentityId or DeveloperUserIdentifier must be specified.",
        COGNITO.exceptions.InvalidParameterException,
    )
    # The model allows 50,000 characters for a login; a developer user identifier is at
    # most 1,024 (botocore does not check the maximum).
    expect_error(
        lambda: developer_token("u" * 1025),
        "InvalidParameterException",
        "The developer user identifier must be at most 1024 characters long.",
        COGNITO.exceptions.InvalidParameterException,
    )
    expect_error(
        lambda: list_identities(MaxResults=10, NextToken="not-a-token"),
        "InvalidParameterException",
        exception_class=COGNITO.exceptions.InvalidParameterException,
    )
    # A token of another operation is refused (docs/behaviour.md#pagination).
    token = list_identities(MaxResults=1).get("NextToken")
    expect(token, "no NextToken from ListIdentities with MaxResults=1")
    expect_error(
        lambda: lookup(IdentityId=need("id1"), MaxResults=1, NextToken=token),
        "InvalidParameterException",
        exception_class=COGNITO.exceptions.InvalidParameterException,
    )


@check("login_limit_is_invalid_parameter")
def _():
    # GetOpenIdTokenForDeveloperIdentity does not list LimitExceededException: the 21st
    # login of one identity is InvalidParameterException (docs/behaviour.md#identities).
    identity_id = developer_token("limit-0")["IdentityId"]
    for i in range(1, 20):
        out = developer_token(f"limit-{i}", IdentityId=identity_id)
        expect_equal(out["IdentityId"], identity_id, f"IdentityId for login {i + 1}")
    expect_error(
        lambda: developer_token("limit-20", IdentityId=identity_id),
        "InvalidParameterException",
        "An identity can have at most 20 linked logins.",
        COGNITO.exceptions.InvalidParameterException,
    )
    expect_equal(
        len(lookup(IdentityId=identity_id)["DeveloperUserIdentifierList"]), 20, "logins kept"
    )


sys.exit(1 if FAILED else 0)
