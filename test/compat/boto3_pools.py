"""Identity-pool operations through boto3, against an idpool server.

Usage: /usr/bin/python3 test/compat/boto3_pools.py <endpoint-url>

Prints one JSON line per check: {"check": name, "ok": true/false, "detail": ...}, and exits
non-zero when any check failed. Run by test/compat/boto3.test.ts, which starts the server
and asserts every line, so that a failure names its check. Checks run in order and share
pools through STATE; a check whose prerequisite failed fails too, saying so.
"""

import json
import re
import sys
import traceback

import boto3
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
# A region used by no other check, so that the listing checks see only their own pools.
LIST_REGION = "ap-northeast-2"
POOL_ID = re.compile(
    r"^(?P<region>[a-z0-9-]+):[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$"
)
MISSING_ID = "us-east-1:00000000-0000-4000-8000-000000000001"

# One attempt: an error must reach the check, not be retried.
CONFIG = Config(retries={"total_max_attempts": 1, "mode": "standard"})



def client(region=REGION):
    return boto3.client(
        "cognito-identity",
        endpoint_url=ENDPOINT,
        region_name=region,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=CONFIG,
    )


COGNITO = client()


FULL_POOL = {
    "IdentityPoolName": "boto3 pool.v1",
    "AllowUnauthenticatedIdentities": True,
    "AllowClassicFlow": False,
    "SupportedLoginProviders": {
        "accounts.google.com": "123.apps.googleusercontent.com",
        "graph.facebook.com": "7346241598935555",
    },
    "DeveloperProviderName": "login.example.app",
    "OpenIdConnectProviderARNs": [
        "arn:aws:iam::000000000000:oidc-provider/oidc.example.com"
    ],
    "CognitoIdentityProviders": [
        {
            "ProviderName": "cognito-idp.us-east-1.amazonaws.com/us-east-1_Abc",
            "ClientId": "client1",
            "ServerSideTokenCheck": True,
        },
        {
            "ProviderName": "cognito-idp.us-east-1.amazonaws.com/us-east-1_Abc",
            "ClientId": "client2",
        },
    ],
    "SamlProviderARNs": ["arn:aws:iam::000000000000:saml-provider/corp"],
    "IdentityPoolTags": {"team": "a", "env": "test"},
}


# --- Create and describe -----------------------------------------------------------------


@check("create_full")
def _():
    out = COGNITO.create_identity_pool(**FULL_POOL)
    meta = out["ResponseMetadata"]
    expect_equal(meta["HTTPStatusCode"], 200, "HTTP status")
    expect(meta.get("RequestId"), "no request id (x-amzn-RequestId) in the answer")
    pool_id = out.get("IdentityPoolId", "")
    match = POOL_ID.match(pool_id)
    expect(match, f"IdentityPoolId {pool_id!r} is not <region>:<uuid v4>")
    expect_equal(match.group("region"), REGION, "region of the IdentityPoolId")
    expected = dict(FULL_POOL, IdentityPoolId=pool_id)
    # The service answers ServerSideTokenCheck for every user-pool provider (default false).
    expected["CognitoIdentityProviders"] = [
        dict(p, ServerSideTokenCheck=p.get("ServerSideTokenCheck", False))
        for p in FULL_POOL["CognitoIdentityProviders"]
    ]
    expect_equal(body(out), expected, "CreateIdentityPool answer")
    STATE["full"] = body(out)
    return pool_id


@check("describe_round_trip")
def _():
    created = need("full")
    out = COGNITO.describe_identity_pool(IdentityPoolId=created["IdentityPoolId"])
    expect_equal(body(out), created, "DescribeIdentityPool answer")


@check("create_minimal")
def _():
    out = COGNITO.create_identity_pool(
        IdentityPoolName="minimal", AllowUnauthenticatedIdentities=False
    )
    expect_equal(
        sorted(body(out)),
        [
            "AllowUnauthenticatedIdentities",
            "IdentityPoolId",
            "IdentityPoolName",
            "IdentityPoolTags",
        ],
        "members answered for a minimal pool",
    )
    expect_equal(out["IdentityPoolTags"], {}, "IdentityPoolTags")
    expect_equal(out["AllowUnauthenticatedIdentities"], False, "AllowUnauthenticatedIdentities")
    STATE["minimal"] = out["IdentityPoolId"]


# --- Update ------------------------------------------------------------------------------


@check("update_replaces_and_clears_omitted")
def _():
    pool_id = need("full")["IdentityPoolId"]
    out = COGNITO.update_identity_pool(
        IdentityPoolId=pool_id,
        IdentityPoolName="renamed",
        AllowUnauthenticatedIdentities=False,
    )
    # Omitted optional members are cleared; the developer provider and the tags are kept.
    expected = {
        "IdentityPoolId": pool_id,
        "IdentityPoolName": "renamed",
        "AllowUnauthenticatedIdentities": False,
        "DeveloperProviderName": FULL_POOL["DeveloperProviderName"],
        "IdentityPoolTags": FULL_POOL["IdentityPoolTags"],
    }
    expect_equal(body(out), expected, "UpdateIdentityPool answer")
    described = COGNITO.describe_identity_pool(IdentityPoolId=pool_id)
    expect_equal(body(described), expected, "DescribeIdentityPool after the update")


@check("update_sets_members_and_replaces_tags")
def _():
    pool_id = need("minimal")
    out = COGNITO.update_identity_pool(
        IdentityPoolId=pool_id,
        IdentityPoolName="minimal",
        AllowUnauthenticatedIdentities=True,
        SupportedLoginProviders={"www.amazon.com": "amzn1.application.abc"},
        DeveloperProviderName="dev.example",
        IdentityPoolTags={"env": "prod"},
    )
    expected = {
        "IdentityPoolId": pool_id,
        "IdentityPoolName": "minimal",
        "AllowUnauthenticatedIdentities": True,
        "SupportedLoginProviders": {"www.amazon.com": "amzn1.application.abc"},
        "DeveloperProviderName": "dev.example",
        "IdentityPoolTags": {"env": "prod"},
    }
    expect_equal(body(out), expected, "UpdateIdentityPool answer")
    described = COGNITO.describe_identity_pool(IdentityPoolId=pool_id)
    expect_equal(body(described), expected, "DescribeIdentityPool after the update")


# --- List with the paginator -------------------------------------------------------------


@check("list_paginator_pages")
def _():
    regional = client(LIST_REGION)
    created = []
    for i in range(5):
        out = regional.create_identity_pool(
            IdentityPoolName=f"page-{i}", AllowUnauthenticatedIdentities=False
        )
        created.append({"IdentityPoolId": out["IdentityPoolId"], "IdentityPoolName": f"page-{i}"})
    STATE["listed"] = created
    pages = list(regional.get_paginator("list_identity_pools").paginate(MaxResults=2))
    sizes = [len(p["IdentityPools"]) for p in pages]
    expect_equal(sizes, [2, 2, 1], "page sizes with MaxResults=2")
    for page in pages[:-1]:
        expect(page.get("NextToken"), "a page before the last has no NextToken")
    expect("NextToken" not in pages[-1], "the last page has a NextToken")
    seen = [pool for page in pages for pool in page["IdentityPools"]]
    expect_equal(seen, created, "pools listed, in creation order")
    return {"pages": sizes}


@check("list_paginator_max_items_and_starting_token")
def _():
    created = need("listed")
    paginator = client(LIST_REGION).get_paginator("list_identity_pools")
    first = paginator.paginate(
        MaxResults=2, PaginationConfig={"MaxItems": 3}
    ).build_full_result()
    expect_equal(first["IdentityPools"], created[:3], "first 3 items")
    token = first.get("NextToken")
    expect(token, "no NextToken after MaxItems")
    rest = paginator.paginate(
        MaxResults=2, PaginationConfig={"StartingToken": token}
    ).build_full_result()
    expect_equal(rest["IdentityPools"], created[3:], "items after the StartingToken")
    expect("NextToken" not in rest, "NextToken after the last item")


@check("list_region_scoped")
def _():
    pools = COGNITO.list_identity_pools(MaxResults=60)["IdentityPools"]
    ids = {p["IdentityPoolId"] for p in pools}
    listed = {p["IdentityPoolId"] for p in need("listed")}
    expect(not (ids & listed), f"pools of {LIST_REGION} listed in {REGION}")
    expect(need("minimal") in ids, f"a pool of {REGION} is missing from its listing")


@check("list_bad_token_is_invalid_parameter")
def _():
    expect_error(
        lambda: COGNITO.list_identity_pools(MaxResults=2, NextToken="not-a-token"),
        "InvalidParameterException",
        exception_class=COGNITO.exceptions.InvalidParameterException,
    )


# --- Delete ------------------------------------------------------------------------------


@check("delete_then_not_found")
def _():
    pool_id = need("minimal")
    out = COGNITO.delete_identity_pool(IdentityPoolId=pool_id)
    expect_equal(out["ResponseMetadata"]["HTTPStatusCode"], 200, "HTTP status")
    expect_equal(body(out), {}, "DeleteIdentityPool answer")
    expect_error(
        lambda: COGNITO.describe_identity_pool(IdentityPoolId=pool_id),
        "ResourceNotFoundException",
        f"IdentityPool '{pool_id}' not found.",
        COGNITO.exceptions.ResourceNotFoundException,
    )
    expect_error(
        lambda: COGNITO.delete_identity_pool(IdentityPoolId=pool_id),
        "ResourceNotFoundException",
        f"IdentityPool '{pool_id}' not found.",
        COGNITO.exceptions.ResourceNotFoundException,
    )


# --- Errors, as botocore classifies them -------------------------------------------------


@check("resource_not_found")
def _():
    e = expect_error(
        lambda: COGNITO.describe_identity_pool(IdentityPoolId=MISSING_ID),
        "ResourceNotFoundException",
        f"IdentityPool '{MISSING_ID}' not found.",
        COGNITO.exceptions.ResourceNotFoundException,
    )
    expect_error(
        lambda: COGNITO.update_identity_pool(
            IdentityPoolId=MISSING_ID,
            IdentityPoolName="x",
            AllowUnauthenticatedIdentities=False,
        ),
        "ResourceNotFoundException",
        f"IdentityPool '{MISSING_ID}' not found.",
        COGNITO.exceptions.ResourceNotFoundException,
    )
    return str(e)


@check("invalid_parameter")
def _():
    expect_error(
        lambda: COGNITO.create_identity_pool(
            IdentityPoolName="p",
            AllowUnauthenticatedIdentities=False,
            CognitoIdentityProviders=[{"ClientId": "abc"}],
        ),
        "InvalidParameterException",
        "Invalid Cognito Identity Provider",
        COGNITO.exceptions.InvalidParameterException,
    )
    expect_error(
        lambda: COGNITO.create_identity_pool(
            IdentityPoolName="p",
            AllowUnauthenticatedIdentities=False,
            IdentityPoolTags={"aws:owner": "x"},
        ),
        "InvalidParameterException",
        re.compile("aws:"),
        COGNITO.exceptions.InvalidParameterException,
    )


@check("validation_bad_pool_name")
def _():
    e = expect_error(
        lambda: COGNITO.create_identity_pool(
            IdentityPoolName="bad*name", AllowUnauthenticatedIdentities=False
        ),
        "ValidationException",
        "1 validation error detected: Value 'bad*name' at 'identityPoolName' failed to "
        "satisfy constraint: Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+",
    )
    # ValidationException is not in the service model: botocore raises a plain ClientError.
    expect_equal(type(e).__name__, "ClientError", "exception class")


@check("limit_exceeded_tags")
def _():
    # The AWS quota (and the server's default) is 50 tags per pool.
    expect_error(
        lambda: COGNITO.create_identity_pool(
            IdentityPoolName="p",
            AllowUnauthenticatedIdentities=False,
            IdentityPoolTags={f"k{i}": "v" for i in range(51)},
        ),
        "LimitExceededException",
        exception_class=COGNITO.exceptions.LimitExceededException,
    )


@check("delete_full")
def _():
    pool_id = need("full")["IdentityPoolId"]
    COGNITO.delete_identity_pool(IdentityPoolId=pool_id)
    expect_error(
        lambda: COGNITO.describe_identity_pool(IdentityPoolId=pool_id),
        "ResourceNotFoundException",
        f"IdentityPool '{pool_id}' not found.",
        COGNITO.exceptions.ResourceNotFoundException,
    )


sys.exit(1 if FAILED else 0)
