"""The ES256 signer's compact JWS, written by hand, is what any JOSE library reads."""

from __future__ import annotations

import json

import pytest
from joserfc import jws
from joserfc.jwk import ECKey

from tongban.certificates.signing import (
    Es256Signer,
    KeyRing,
    b64url_decode,
    es256_generate,
)
from tongban.certificates.verification import JwsRefused, verify_compact_jws

KID = "11330100MB0000000X-0a1b2c3d"


def test_a_signature_verifies_with_joserfc_and_with_the_platforms_verifier():
    pem, public = es256_generate(kid=KID)
    signer = Es256Signer(kid=KID, private_key_pem=pem)
    payload = json.dumps({"sub": "示例", "n": 1}, ensure_ascii=False).encode()
    token = signer.sign_compact({"typ": "vc+sd-jwt"}, payload)

    header = json.loads(b64url_decode(token.split(".")[0]))
    assert header == {"typ": "vc+sd-jwt", "alg": "ES256", "kid": KID}
    decoded = jws.deserialize_compact(token, ECKey.import_key(public), algorithms=["ES256"])
    assert decoded.payload == payload
    claims, key = verify_compact_jws(
        token, KeyRing.from_jwks({"keys": [public]}), types=("vc+sd-jwt",)
    )
    assert claims == {"sub": "示例", "n": 1} and key.kid == KID

    # Each signature is new (ECDSA's random nonce); the cached header does not leak between
    # headers; the header's alg and kid are always the signer's own.
    again = signer.sign_compact({"typ": "vc+sd-jwt"}, payload)
    assert again != token and again.split(".")[:2] == token.split(".")[:2]
    other = signer.sign_compact({"typ": "statuslist+jwt", "alg": "none", "kid": "x"}, payload)
    assert json.loads(b64url_decode(other.split(".")[0])) == {
        "typ": "statuslist+jwt",
        "alg": "ES256",
        "kid": KID,
    }
    with pytest.raises(JwsRefused):
        verify_compact_jws(other, KeyRing.from_jwks({"keys": [public]}), types=("vc+sd-jwt",))


def test_an_unhashable_header_value_is_signed_without_caching():
    pem, public = es256_generate(kid=KID)
    signer = Es256Signer(kid=KID, private_key_pem=pem)
    token = signer.sign_compact({"typ": "JWT", "ctx": ["申报", 1]}, b"{}")
    protected, payload, signature = token.split(".")
    assert json.loads(b64url_decode(protected))["ctx"] == ["申报", 1]
    key = KeyRing.from_jwks({"keys": [public]}).get(KID)
    assert key is not None
    signing_input = f"{protected}.{payload}".encode()
    assert key.algorithm.verify(key.key, signing_input, b64url_decode(signature))
    assert not key.algorithm.verify(key.key, signing_input + b"x", b64url_decode(signature))


def test_only_a_private_p256_key_makes_a_signer():
    _pem, public = es256_generate(kid=KID)
    with pytest.raises(ValueError):
        Es256Signer(kid=KID, private_key_pem=ECKey.import_key(public).as_pem().decode())
    p384 = ECKey.generate_key("P-384", private=True).as_pem(private=True).decode()
    with pytest.raises(ValueError):
        Es256Signer(kid=KID, private_key_pem=p384)


def test_base64url_is_strict_and_round_trips_every_length():
    import base64
    import os

    from tongban.certificates.signing import b64url

    for n in range(70):
        data = os.urandom(n)
        text = b64url(data)
        assert text == base64.urlsafe_b64encode(data).rstrip(b"=").decode()
        assert b64url_decode(text) == data
    for bad in ("a", "AAAAA", "ab==", "a+b/", "ab c", "ab\n", "abc$", "中文", "Zm9v\x00"):
        with pytest.raises(ValueError):
            b64url_decode(bad)


@pytest.mark.parametrize(
    "payload",
    [b'{"n": NaN}', b'{"s": "\\ud800"}', b"\xff{}", b'{"a": 1,}'],
)
def test_a_payload_that_is_not_strict_json_is_a_malformed_token(payload):
    """The verifier's JSON (orjson) is stricter than the standard library's: no NaN, no lone
    surrogate, nothing but UTF-8; each is refused, never raised."""
    from tongban.certificates.signing import b64url

    pem, public = es256_generate(kid=KID)
    signer = Es256Signer(kid=KID, private_key_pem=pem)
    token = signer.sign_compact({"typ": "JWT"}, payload)
    with pytest.raises(JwsRefused) as refused:
        verify_compact_jws(token, KeyRing.from_jwks({"keys": [public]}), types=("JWT",))
    assert refused.value.reason == "malformed"
    # the same bytes as a disclosure of an SD-JWT are refused as malformed too
    from tongban.certificates import sdjwt

    with pytest.raises(sdjwt.SdJwtError):
        sdjwt.decode_disclosure(b64url(payload))
