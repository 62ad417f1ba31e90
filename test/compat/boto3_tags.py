"""Resource tags (TagResource, UntagResource, ListTagsForResource) and principal tag
attribute maps (SetPrincipalTagAttributeMap, GetPrincipalTagAttributeMap) through boto3,
against an idpool server.

Usage: /usr/bin/python3 test/compat/boto3_tags.py <endpoint-url>

Resource tags are the pool's IdentityPoolTags: every change is checked against
DescribeIdentityPool as well. Principal tag maps are set per provider, named as in docs/behaviour.md#federation
says: an OpenID Connect provider by its IAM ARN, a user pool by its ProviderName, a public
provider by its domain.

Prints one JSON line per check: {"check": name, "ok": true/false, "detail": ...}, and exits
non-zero when any check failed. Run by test/compat/boto3-tags.test.ts, which starts the
server and asserts every line, so that a failure names its check. Checks run in order and
share pools through STATE; a check whose prerequisite failed fails too, saying so.
"""

import json
import re
import sys
import traceback

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
REGION = "us-east-1"
ACCOUNT = "000000000000"
OTHER_ACCOUNT = "111111111111"
MISSING_ID = "us-east-1:00000000-0000-4000-8000-000000000001"
OIDC_KEY = "oidc.example.com"
OIDC_ARN = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{OIDC_KEY}"
USER_POOL = "cognito-idp.us-east-1.amazonaws.com/us-east-1_Tags"
FACEBOOK = "graph.facebook.com"
AMAZON = "www.amazon.com"
DEFAULT_MAP = {"username": "sub", "client": "aud"}

# One attempt: an error must reach the check, not be retried.
CONFIG = Config(retries={"total_max_attempts": 1, "mode": "standard"})


COGNITO, _ = cognito_clients(ENDPOINT, REGION, CONFIG)


def pool_arn(pool_id, account=ACCOUNT):
    return f"arn:aws:cognito-identity:{REGION}:{account}:identitypool/{pool_id}"


def expect_tags(pool_id, expected, what):
    """ListTagsForResource and DescribeIdentityPool's IdentityPoolTags both answer `expected`."""
    listed = COGNITO.list_tags_for_resource(ResourceArn=pool_arn(pool_id))
    expect_equal(listed["ResponseMetadata"]["HTTPStatusCode"], 200, "HTTP status")
    expect_equal(body(listed), {"Tags": expected}, f"ListTagsForResource {what}")
    described = COGNITO.describe_identity_pool(IdentityPoolId=pool_id)
    expect_equal(
        described["IdentityPoolTags"], expected, f"DescribeIdentityPool's IdentityPoolTags {what}"
    )


def not_configured(pool_id, provider):
    return f"Identity provider '{provider}' is not configured for identity pool '{pool_id}'."


# --- Pools -------------------------------------------------------------------------------


@check("create_pools")
def _():
    tagged = COGNITO.create_identity_pool(
        IdentityPoolName="tagged",
        AllowUnauthenticatedIdentities=False,
        SupportedLoginProviders={FACEBOOK: "7346241598935555", AMAZON: "amzn1.application.1"},
        CognitoIdentityProviders=[{"ProviderName": USER_POOL, "ClientId": "client1"}],
        OpenIdConnectProviderARNs=[OIDC_ARN],
        IdentityPoolTags={"team": "a"},
    )
    bare = COGNITO.create_identity_pool(
        IdentityPoolName="bare", AllowUnauthenticatedIdentities=False
    )
    STATE["tagged"] = tagged["IdentityPoolId"]
    STATE["bare"] = bare["IdentityPoolId"]
    return {k: STATE[k] for k in ("tagged", "bare")}


# --- Resource tags -----------------------------------------------------------------------


@check("list_tags_for_resource")
def _():
    expect_tags(need("tagged"), {"team": "a"}, "of a pool created with tags")
    # A pool without tags answers an empty map.
    expect_tags(need("bare"), {}, "of a pool without tags")


@check("tag_resource_adds_and_overwrites")
def _():
    pool_id = need("tagged")
    out = COGNITO.tag_resource(
        ResourceArn=pool_arn(pool_id), Tags={"team": "b", "env": "test", "empty": ""}
    )
    expect_equal(out["ResponseMetadata"]["HTTPStatusCode"], 200, "HTTP status")
    expect_equal(body(out), {}, "TagResource answer")
    expect_tags(pool_id, {"team": "b", "env": "test", "empty": ""}, "after TagResource")


@check("untag_resource_removes_keys")
def _():
    pool_id = need("tagged")
    out = COGNITO.untag_resource(ResourceArn=pool_arn(pool_id), TagKeys=["team", "missing"])
    expect_equal(out["ResponseMetadata"]["HTTPStatusCode"], 200, "HTTP status")
    expect_equal(body(out), {}, "UntagResource answer")
    expect_tags(pool_id, {"env": "test", "empty": ""}, "after UntagResource")


@check("update_identity_pool_tags_are_resource_tags")
def _():
    pool_id = need("bare")
    COGNITO.update_identity_pool(
        IdentityPoolId=pool_id,
        IdentityPoolName="bare",
        AllowUnauthenticatedIdentities=False,
        IdentityPoolTags={"cost": "42"},
    )
    expect_tags(pool_id, {"cost": "42"}, "after UpdateIdentityPool")
    COGNITO.tag_resource(ResourceArn=pool_arn(pool_id), Tags={"owner": "ops"})
    expect_tags(pool_id, {"cost": "42", "owner": "ops"}, "after TagResource")
    COGNITO.untag_resource(ResourceArn=pool_arn(pool_id), TagKeys=["cost", "owner"])
    expect_tags(pool_id, {}, "after removing every tag")


@check("tag_resource_invalid_parameter")
def _():
    pool_id = need("tagged")
    expect_error(
        lambda: COGNITO.tag_resource(
            ResourceArn=pool_arn(pool_id), Tags={"fine": "1", "aws:owner": "x"}
        ),
        "InvalidParameterException",
        "Tag keys starting with 'aws:' are reserved for AWS use: aws:owner",
        COGNITO.exceptions.InvalidParameterException,
    )
    # More than 50 tags: InvalidParameterException too (TagResource lists no LimitExceeded).
    expect_error(
        lambda: COGNITO.tag_resource(
            ResourceArn=pool_arn(pool_id), Tags={f"k{i}": "v" for i in range(50)}
        ),
        "InvalidParameterException",
        "A resource can have at most 50 tags.",
        COGNITO.exceptions.InvalidParameterException,
    )
    # Nothing was written.
    expect_tags(pool_id, {"env": "test", "empty": ""}, "after the refusals")


@check("untag_resource_not_found")
def _():
    expect_error(
        lambda: COGNITO.untag_resource(ResourceArn=pool_arn(MISSING_ID), TagKeys=["env"]),
        "ResourceNotFoundException",
        f"IdentityPool '{MISSING_ID}' not found.",
        COGNITO.exceptions.ResourceNotFoundException,
    )
    # A pool of another account is not found either (docs/behaviour.md#accounts-and-regions).
    pool_id = need("tagged")
    expect_error(
        lambda: COGNITO.untag_resource(
            ResourceArn=pool_arn(pool_id, OTHER_ACCOUNT), TagKeys=["env"]
        ),
        "ResourceNotFoundException",
        f"IdentityPool '{pool_id}' not found.",
        COGNITO.exceptions.ResourceNotFoundException,
    )
    expect_tags(pool_id, {"env": "test", "empty": ""}, "after the refusals")


@check("list_tags_for_resource_invalid_arn")
def _():
    pool_id = need("tagged")
    for arn in (
        f"arn:aws:cognito-idp:{REGION}:{ACCOUNT}:identitypool/{pool_id}",
        f"arn:aws:cognito-identity:{REGION}:{ACCOUNT}:userpool/{pool_id}",
        "not-an-arn-at-all-but-long-enough",
    ):
        expect_error(
            lambda arn=arn: COGNITO.list_tags_for_resource(ResourceArn=arn),
            "InvalidParameterException",
            re.compile(r"^Invalid ResourceArn: "),
            COGNITO.exceptions.InvalidParameterException,
        )


# --- Principal tag attribute maps --------------------------------------------------------


@check("set_principal_tag_attribute_map_defaults")
def _():
    pool_id = need("tagged")
    out = COGNITO.set_principal_tag_attribute_map(
        IdentityPoolId=pool_id, IdentityProviderName=OIDC_ARN, UseDefaults=True
    )
    expect_equal(out["ResponseMetadata"]["HTTPStatusCode"], 200, "HTTP status")
    expected = {
        "IdentityPoolId": pool_id,
        "IdentityProviderName": OIDC_ARN,
        "UseDefaults": True,
        "PrincipalTags": DEFAULT_MAP,
    }
    expect_equal(body(out), expected, "SetPrincipalTagAttributeMap answer")
    STATE["oidc_map"] = expected


@check("set_principal_tag_attribute_map_custom")
def _():
    pool_id = need("tagged")
    tags = {"team": "custom:team", "groups": "cognito:groups"}
    out = COGNITO.set_principal_tag_attribute_map(
        IdentityPoolId=pool_id,
        IdentityProviderName=USER_POOL,
        UseDefaults=False,
        PrincipalTags=tags,
    )
    expected = {
        "IdentityPoolId": pool_id,
        "IdentityProviderName": USER_POOL,
        "UseDefaults": False,
        "PrincipalTags": tags,
    }
    expect_equal(body(out), expected, "SetPrincipalTagAttributeMap answer")
    STATE["user_pool_map"] = expected
    # Terraform's delete: UseDefaults with an empty map is accepted (and is the defaults).
    out = COGNITO.set_principal_tag_attribute_map(
        IdentityPoolId=pool_id,
        IdentityProviderName=AMAZON,
        UseDefaults=True,
        PrincipalTags={},
    )
    expect_equal(
        body(out),
        {
            "IdentityPoolId": pool_id,
            "IdentityProviderName": AMAZON,
            "UseDefaults": True,
            "PrincipalTags": {"username": "user_id", "client": "aud"},
        },
        "SetPrincipalTagAttributeMap answer for Login with Amazon",
    )


@check("get_principal_tag_attribute_map")
def _():
    pool_id = need("tagged")
    for key in ("oidc_map", "user_pool_map"):
        expected = need(key)
        out = COGNITO.get_principal_tag_attribute_map(
            IdentityPoolId=pool_id, IdentityProviderName=expected["IdentityProviderName"]
        )
        expect_equal(out["ResponseMetadata"]["HTTPStatusCode"], 200, "HTTP status")
        expect_equal(body(out), expected, f"GetPrincipalTagAttributeMap ({key})")
    # A provider of the pool whose map was never set: inactive.
    out = COGNITO.get_principal_tag_attribute_map(
        IdentityPoolId=pool_id, IdentityProviderName=FACEBOOK
    )
    expect_equal(
        body(out),
        {
            "IdentityPoolId": pool_id,
            "IdentityProviderName": FACEBOOK,
            "UseDefaults": False,
            "PrincipalTags": {},
        },
        "GetPrincipalTagAttributeMap of a provider never set",
    )
    # The maps are not resource tags.
    expect_tags(pool_id, {"env": "test", "empty": ""}, "after the maps were set")


@check("set_principal_tag_attribute_map_not_found")
def _():
    pool_id = need("tagged")
    # An OIDC provider is named by its ARN, not by its issuer host.
    expect_error(
        lambda: COGNITO.set_principal_tag_attribute_map(
            IdentityPoolId=pool_id, IdentityProviderName=OIDC_KEY, UseDefaults=True
        ),
        "ResourceNotFoundException",
        not_configured(pool_id, OIDC_KEY),
        COGNITO.exceptions.ResourceNotFoundException,
    )
    expect_error(
        lambda: COGNITO.set_principal_tag_attribute_map(
            IdentityPoolId=MISSING_ID, IdentityProviderName=OIDC_ARN, UseDefaults=True
        ),
        "ResourceNotFoundException",
        f"IdentityPool '{MISSING_ID}' not found.",
        COGNITO.exceptions.ResourceNotFoundException,
    )
    expect_equal(
        body(
            COGNITO.get_principal_tag_attribute_map(
                IdentityPoolId=pool_id, IdentityProviderName=OIDC_ARN
            )
        ),
        need("oidc_map"),
        "the OIDC provider's map after the refusals",
    )


@check("get_principal_tag_attribute_map_not_found")
def _():
    pool_id = need("tagged")
    # A user pool is named without its client id.
    name = f"{USER_POOL}:client1"
    expect_error(
        lambda: COGNITO.get_principal_tag_attribute_map(
            IdentityPoolId=pool_id, IdentityProviderName=name
        ),
        "ResourceNotFoundException",
        not_configured(pool_id, name),
        COGNITO.exceptions.ResourceNotFoundException,
    )
    # The bare pool has no provider at all.
    bare = need("bare")
    expect_error(
        lambda: COGNITO.get_principal_tag_attribute_map(
            IdentityPoolId=bare, IdentityProviderName=OIDC_ARN
        ),
        "ResourceNotFoundException",
        not_configured(bare, OIDC_ARN),
        COGNITO.exceptions.ResourceNotFoundException,
    )


sys.exit(1 if FAILED else 0)
