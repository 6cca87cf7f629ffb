"""Verification against the library: builds the offline verifier's inputs from the database
(the issuer's JWKS and current signed status list) and calls the same pure function."""

from __future__ import annotations

import json
import time
from datetime import datetime

from tongban.certificates.identifiers import parse_identifier
from tongban.certificates.models import Certificate, SigningKey
from tongban.certificates.services.status import status_list_token
from tongban.certificates.signing import KeyRing, b64url_decode, jwks_document, kid_issuer
from tongban.certificates.verification import (
    MAX_TOKEN_BYTES,
    VerificationResult,
    _refuse,
    verify_credential,
)
from tongban.core.errors import InvalidInput, NotFound


def _unverified_payload(token: str) -> tuple[str, dict]:
    """(kid, payload) read without checking anything: only to find the inputs."""
    jws = token.split("~", 1)[0]
    header, payload, _signature = jws.split(".")
    kid = json.loads(b64url_decode(header)).get("kid", "")
    return str(kid), json.loads(b64url_decode(payload))


# Each process keeps the issuers' public keys for a few minutes, as any JWKS consumer does;
# a key id it does not know makes it read the issuer's keys again at once (a key rotated in
# by another process). Status lists are read every time: a revocation counts at once.
KEYS_TTL_SECONDS = 300.0
_keys: dict[str, tuple[float, KeyRing]] = {}


def _issuer_keys(issuer_code: str, *, reload: bool = False) -> tuple[KeyRing, bool]:
    """(the issuer's published keys, whether just read from the database)."""
    cached = _keys.get(issuer_code)
    if cached is not None and not reload and time.monotonic() - cached[0] < KEYS_TTL_SECONDS:
        return cached[1], False
    keys = SigningKey.objects.filter(department__credit_code=issuer_code).values_list(
        "public_jwk", flat=True
    )
    ring = KeyRing.from_jwks(jwks_document(list(keys)))
    if len(_keys) > 1000:
        _keys.clear()
    _keys[issuer_code] = (time.monotonic(), ring)
    return ring, True


def certificate_verify(*, token: str, now: datetime | None = None) -> VerificationResult:
    """Verify a credential or presentation with the issuer's published keys and status list,
    exactly as an offline verifier would. Never raises on bad input."""
    if not isinstance(token, str) or len(token) > MAX_TOKEN_BYTES:
        return _refuse("too_large")
    try:
        kid, payload = _unverified_payload(token.strip())
        status = payload["status"]["status_list"]
        uri = status["uri"]
        issuer_code, number = uri.rstrip("/").rsplit("/", 2)[-2:]
    except (ValueError, KeyError, TypeError, AttributeError):
        return _refuse("malformed")
    issuer = kid_issuer(kid)
    ring, fresh = _issuer_keys(issuer)
    if not fresh and ring.get(kid) is None:
        ring, fresh = _issuer_keys(issuer, reload=True)  # a key published since: read again
    status_token = None
    if number.isdigit() and len(number) < 10:
        try:
            status_token = status_list_token(issuer_code=issuer_code, number=int(number))
        except NotFound:
            status_token = None
    result = verify_credential(token, jwks=ring, status_list_token=status_token or "", now=now)
    return result


def certificate_check(*, identifier: str, now: datetime | None = None) -> VerificationResult:
    """Verify the library's own copy of a certificate found by its identifier (the page a QR
    code opens). ``NotFound`` when the library holds no such certificate."""
    try:
        parse_identifier(identifier)
    except InvalidInput as exc:
        raise NotFound() from exc
    certificate = Certificate.objects.filter(identifier=identifier.strip().upper()).first()
    if certificate is None:
        raise NotFound()
    return certificate_verify(token=certificate.credential, now=now)
