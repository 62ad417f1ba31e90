"""The development mode that accepts any access key (docs/security.md#accepting-any-credentials)
through boto3, against an idpool server started with `--accept-any-credentials`: clients
with made-up keys (random ones, and the "test"/"test" pair other emulators document) manage
pools as the default account, the public flow works unsigned as always, and a call to a
signed operation that carries no signature at all is still refused.

Usage: /usr/bin/python3 test/compat/boto3_any_credentials.py <endpoint-url>

Prints one JSON line per check: {"check": name, "ok": true/false, "detail": ...}, and exits
non-zero when any check failed. Run by test/compat/boto3-any-credentials.test.ts.
"""

import secrets
import sys

import boto3
from botocore import UNSIGNED
from botocore.config import Config

from checks import (  # noqa: E402 (the shared helpers beside this script)
    FAILED, STATE, check, expect_equal, expect_error, need,
)

ENDPOINT = sys.argv[1]
REGION = "us-east-1"
ACCOUNT = "000000000000"
CONFIG = Config(retries={"total_max_attempts": 1, "mode": "standard"})


def client(access_key, secret_key, **extra):
    return boto3.client(
        "cognito-identity",
        endpoint_url=ENDPOINT,
        region_name=REGION,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        config=CONFIG.merge(Config(**extra)) if extra else CONFIG,
    )


RANDOM = client("AKIA" + secrets.token_hex(8).upper(), secrets.token_urlsafe(30))
OTHER = client("made-up", "anything")
APP = client(None, None, signature_version=UNSIGNED)


@check("random_keys_create_a_pool_in_the_default_account")
def _():
    pool = RANDOM.create_identity_pool(
        IdentityPoolName="any", AllowUnauthenticatedIdentities=True
    )
    STATE["pool"] = pool["IdentityPoolId"]
    arn = f"arn:aws:cognito-identity:{REGION}:{ACCOUNT}:identitypool/{pool['IdentityPoolId']}"
    tags = RANDOM.list_tags_for_resource(ResourceArn=arn)
    expect_equal(tags["Tags"], {}, "tags of the pool, found by its ARN in the default account")
    return pool["IdentityPoolId"]


@check("other_made_up_keys_see_the_same_pool")
def _():
    pool = OTHER.describe_identity_pool(IdentityPoolId=need("pool"))
    expect_equal(pool["IdentityPoolName"], "any", "name")


@check("public_flow_unsigned_as_before")
def _():
    identity = APP.get_id(IdentityPoolId=need("pool"))["IdentityId"]
    token = APP.get_open_id_token(IdentityId=identity)
    expect_equal(token["IdentityId"], identity, "identity of the token")


@check("a_signed_operation_without_a_signature_is_refused")
def _():
    expect_error(
        lambda: APP.describe_identity_pool(IdentityPoolId=need("pool")),
        "MissingAuthenticationTokenException",
    )


sys.exit(1 if FAILED else 0)
