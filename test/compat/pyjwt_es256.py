"""ES256 tokens (`--token-algorithm ES256`, docs/keys.md#es256) of an idpool server, fetched
with boto3 and verified by PyJWT (Debian's python3-jwt, with python3-cryptography for EC keys)
from the server's own JWKS, as any relying party would.

Usage: /usr/bin/python3 test/compat/pyjwt_es256.py <endpoint-url>

The server must sign with ES256 and know test/test (account 000000000000), as
test/compat/pyjwt-es256.test.ts starts it. Prints one JSON line per check (test/compat/checks.py).
"""

import base64
import hashlib
import json
import sys
import urllib.request

import boto3
import jwt
from botocore import UNSIGNED
from botocore.config import Config

from checks import (  # noqa: E402 (the shared helpers beside this script)
    FAILED,
    STATE,
    check,
    expect,
    expect_equal,
    need,
)

ENDPOINT = sys.argv[1]
REGION = "us-east-1"
DEVELOPER = "login.example.app"
CONFIG = Config(retries={"total_max_attempts": 1, "mode": "standard"})

COGNITO = boto3.client(
    "cognito-identity",
    endpoint_url=ENDPOINT,
    region_name=REGION,
    aws_access_key_id="test",
    aws_secret_access_key="test",
    config=CONFIG,
)


def get_json(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        expect_equal(response.status, 200, f"HTTP status of {url}")
        return json.loads(response.read().decode("utf-8"))


def ec_thumbprint(jwk):
    """The RFC 7638 SHA-256 thumbprint of an EC JWK, base64url without padding."""
    canonical = json.dumps(
        {"crv": jwk["crv"], "kty": jwk["kty"], "x": jwk["x"], "y": jwk["y"]},
        separators=(",", ":"),
    )
    digest = hashlib.sha256(canonical.encode("utf-8")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def verify(token, identity_id):
    """PyJWT finds the key by kid in the JWKS and checks signature, exp, aud and iss."""
    pool_id = need("pool")
    key = jwt.PyJWKClient(f"{ENDPOINT}/.well-known/jwks_uri").get_signing_key_from_jwt(token)
    claims = jwt.decode(
        token, key.key, algorithms=["ES256"], audience=pool_id, issuer=ENDPOINT
    )
    expect_equal(
        jwt.get_unverified_header(token),
        {"kid": key.key_id, "typ": "JWS", "alg": "ES256"},
        "JOSE header",
    )
    expect_equal(claims["sub"], identity_id, "sub")
    return claims


@check("discovery_and_jwks_publish_es256")
def _():
    config = get_json(f"{ENDPOINT}/.well-known/openid-configuration")
    expect_equal(config.get("id_token_signing_alg_values_supported"), ["ES256"], "algorithms")
    keys = get_json(config["jwks_uri"])["keys"]
    expect_equal(len(keys), 1, "number of keys")
    jwk = keys[0]
    expect_equal(
        sorted(jwk), ["alg", "crv", "kid", "kty", "use", "x", "y"], "members of the JWK"
    )
    expect_equal(
        (jwk["kty"], jwk["crv"], jwk["alg"], jwk["use"]),
        ("EC", "P-256", "ES256", "sig"),
        "key type",
    )
    expect_equal(jwk["kid"], ec_thumbprint(jwk), "kid is the RFC 7638 thumbprint")
    return jwk["kid"]


@check("developer_token_verified_by_pyjwt")
def _():
    pool = COGNITO.create_identity_pool(
        IdentityPoolName="es256",
        AllowUnauthenticatedIdentities=True,
        DeveloperProviderName=DEVELOPER,
    )
    STATE["pool"] = pool["IdentityPoolId"]
    out = COGNITO.get_open_id_token_for_developer_identity(
        IdentityPoolId=STATE["pool"], Logins={DEVELOPER: "alice"}
    )
    claims = verify(out["Token"], out["IdentityId"])
    expect_equal(claims["amr"][0], "authenticated", "amr")


@check("get_open_id_token_verified_by_pyjwt")
def _():
    app = boto3.client(
        "cognito-identity",
        endpoint_url=ENDPOINT,
        region_name=REGION,
        config=CONFIG.merge(Config(signature_version=UNSIGNED)),
    )
    identity_id = app.get_id(IdentityPoolId=need("pool"))["IdentityId"]
    token = app.get_open_id_token(IdentityId=identity_id)["Token"]
    claims = verify(token, identity_id)
    expect_equal(claims["amr"], ["unauthenticated"], "amr")


@check("tampered_token_refused_by_pyjwt")
def _():
    out = COGNITO.get_open_id_token_for_developer_identity(
        IdentityPoolId=need("pool"), Logins={DEVELOPER: "bob"}
    )
    header, payload, signature = out["Token"].split(".")
    raw = bytearray(base64.urlsafe_b64decode(signature + "=="))
    expect_equal(len(raw), 64, "an ES256 signature is r || s, 64 bytes")
    raw[10] ^= 1
    altered = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode("ascii")
    forged = ".".join([header, payload, altered])
    key = jwt.PyJWKClient(f"{ENDPOINT}/.well-known/jwks_uri").get_signing_key_from_jwt(forged)
    try:
        jwt.decode(
            forged, key.key, algorithms=["ES256"], audience=need("pool"), issuer=ENDPOINT
        )
    except jwt.InvalidSignatureError:
        return "refused"
    expect(False, "PyJWT accepted a token whose signature was altered")


sys.exit(1 if FAILED else 0)
