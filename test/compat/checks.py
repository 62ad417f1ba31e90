"""Shared helpers of the boto3 compatibility scripts (imported by test/compat/boto3_*.py).

Each check is a function decorated with @check(name): it runs at once and prints one JSON
line {"check", "ok", "detail"}; the node test of each script turns every line into a test.
A script ends with `sys.exit(1 if FAILED else 0)`.
"""

import json
import re
import traceback

import boto3
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError

# Values one check leaves for later ones (see need()).
STATE = {}
# Names of the checks that failed.
FAILED = []


class CheckFailed(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise CheckFailed(message)


def expect_equal(actual, expected, what):
    if actual != expected:
        raise CheckFailed(f"{what}: expected {expected!r}, got {actual!r}")


def body(response):
    """The answer without botocore's ResponseMetadata."""
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


def expect_error(call, code, message=None, exception_class=None):
    """Runs `call`, which must fail with HTTP 400 and error `code` (and `message`)."""
    try:
        call()
    except ClientError as e:
        error = e.response.get("Error", {})
        status = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        expect_equal(error.get("Code"), code, "error code")
        if exception_class is not None:
            expect(
                isinstance(e, exception_class),
                f"botocore raised {type(e).__name__}, not {exception_class.__name__}",
            )
        expect_equal(status, 400, "HTTP status botocore saw")
        if isinstance(message, re.Pattern):
            expect(
                message.search(error.get("Message", "")),
                f"message {error.get('Message')!r} does not match {message.pattern!r}",
            )
        elif message is not None:
            expect_equal(error.get("Message"), message, "error message")
        return e
    raise CheckFailed(f"expected {code}, but the call succeeded")


def check(name):
    """Decorator: runs the check at once and prints its line."""

    def run(fn):
        try:
            detail = fn()
            line = {"check": name, "ok": True, "detail": detail}
        except CheckFailed as e:
            line = {"check": name, "ok": False, "detail": str(e)}
        except Exception as e:  # an unexpected exception is a failure of this check
            line = {
                "check": name,
                "ok": False,
                "detail": f"{type(e).__name__}: {e}",
                "trace": traceback.format_exc(limit=3),
            }
        if not line["ok"]:
            FAILED.append(name)
        print(json.dumps(line, default=str), flush=True)
        return fn

    return run


def need(key):
    expect(key in STATE, f"skipped: a previous check did not provide {key}")
    return STATE[key]


def cognito_clients(endpoint, region, config):
    """
    Two cognito-identity clients of the server at `endpoint`: one with the test/test keys (as
    an admin has; botocore still sends the public operations unsigned), and one with no keys
    and `signature_version=UNSIGNED`, as apps have.
    """
    admin = boto3.client(
        "cognito-identity",
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=config,
    )
    app = boto3.client(
        "cognito-identity",
        endpoint_url=endpoint,
        region_name=region,
        config=config.merge(Config(signature_version=UNSIGNED)),
    )
    return admin, app
