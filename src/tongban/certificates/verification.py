"""Offline verification of certificates: a pure function of the token, the published keys and
the published status list. No database access, so a department system, a kiosk or
``manage.py certificate_verify`` checks a certificate with nothing but two files.

Refused, each with its own reason: input over 64 KiB or not an SD-JWT, a header that is not
``vc+sd-jwt`` or whose algorithm is not an accepted asymmetric one (``none``, ``HS256``…), an
unknown key id, a bad signature (any change to the payload), a key of a department other than
the issuer named in the credential, a disclosure the signed payload does not list, a certificate
not yet valid or expired, and one the status list marks revoked, superseded or suspended.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property, lru_cache
from typing import Any

import orjson
from django.utils.translation import gettext_lazy as _

from tongban.certificates import sdjwt, statuslist
from tongban.certificates.signing import ALGORITHMS, KeyRing, PublicKey, _parse_jwk, b64url_decode

CREDENTIAL_TYPE = "vc+sd-jwt"
MAX_TOKEN_BYTES = 64 * 1024
MAX_STATUS_LIST_TOKEN_BYTES = 512 * 1024

MESSAGES: dict[str, Any] = {
    "valid": _("The certificate is authentic and valid."),
    "too_large": _("The certificate is too large to be checked."),
    "malformed": _("This is not a certificate issued by the platform (malformed)."),
    "wrong_type": _("This is not a certificate credential (wrong token type)."),
    "unsupported_algorithm": _("The certificate uses a signature algorithm that is not accepted."),
    "unknown_key": _("The certificate was signed with a key that is not published."),
    "bad_signature": _("The signature does not match: the certificate was altered."),
    "issuer_mismatch": _("The certificate was signed by a department other than its issuer."),
    "bad_disclosure": _("A disclosed claim was altered or does not belong to this certificate."),
    "not_yet_valid": _("The certificate is not valid yet."),
    "expired": _("The certificate has expired."),
    "revoked": _("The certificate has been revoked or replaced by a newer version."),
    "suspended": _("The certificate is suspended."),
    "status_unavailable": _(
        "The status list given does not belong to this certificate, is altered or out of date."
    ),
}


@dataclass(frozen=True)
class VerificationResult:
    """The answer of a verification. ``status`` is the certificate's status as far as the
    inputs tell: valid, suspended, revoked, expired, not_yet_valid, or unchecked (no status list
    given), or "" when the token could not be read."""

    valid: bool
    reason: str
    message: Any
    identifier: str = ""
    status: str = ""
    # Builds (claims, names disclosed) on first use: the digests are checked before any result
    # is given, so the disclosures need decoding only when someone reads the claims.
    resolver: Callable[[], tuple[dict[str, Any], list[str]]] | None = field(
        default=None, repr=False, compare=False
    )

    @cached_property
    def _resolved(self) -> tuple[dict[str, Any], tuple[str, ...]]:
        if self.resolver is None:
            return {}, ()
        try:
            claims, names = self.resolver()
        except sdjwt.SdJwtError:
            return {}, ()
        return claims, tuple(names)

    @property
    def claims(self) -> dict[str, Any]:
        """The signed claims with the disclosed ones put back (``_sd`` removed)."""
        return self._resolved[0]

    @property
    def disclosed(self) -> tuple[str, ...]:
        """The names of the claims the holder disclosed."""
        return self._resolved[1]

    def as_dict(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "reason": self.reason,
            "message": str(self.message),
            "identifier": self.identifier,
            "status": self.status,
            "claims": self.claims,
            "disclosed": list(self.disclosed),
        }


def _refuse(reason: str, **extra: Any) -> VerificationResult:
    return VerificationResult(valid=False, reason=reason, message=MESSAGES[reason], **extra)


class _Refused(Exception):
    def __init__(self, reason: str) -> None:
        self.reason = reason


def _key(jwks: KeyRing | Mapping[str, Any] | str | bytes, kid: str) -> PublicKey | None:
    if isinstance(jwks, KeyRing):
        return jwks.get(kid)
    if isinstance(jwks, (str, bytes)):
        return _ring_from_text(jwks).get(kid)
    for entry in jwks.get("keys") or ():
        if isinstance(entry, Mapping) and entry.get("kid") == kid:
            alg = entry.get("alg", "ES256")
            material = tuple(
                sorted((k, v) for k, v in entry.items() if isinstance(v, str) and k != "kid")
            )
            return _parse_jwk(kid, alg, material) if isinstance(alg, str) else None
    return None


@lru_cache(maxsize=64)
def _ring_from_text(text: str | bytes) -> KeyRing:
    try:
        return KeyRing.from_jwks(text)
    except ValueError:
        return KeyRing({})


def _json_decode(data: bytes) -> Any:
    """JSON (RFC 8259) from UTF-8 bytes by orjson: stricter than the standard library (no
    NaN, no lone surrogates) and three times faster on a credential's kilobyte of claims;
    ``ValueError`` on anything else."""
    return orjson.loads(data)


@lru_cache(maxsize=256)
def _header(encoded: str, typ: str | tuple[str | None, ...]) -> tuple[str, str]:
    """(alg, kid) of a JOSE header, checked (every credential of a key shares its header, so
    the answer is cached); ``_Refused`` otherwise (exceptions are not cached). ``typ`` is the
    type required, or a tuple of those accepted (``None``: a header without one)."""
    try:
        header = _json_decode(b64url_decode(encoded))
    except (ValueError, UnicodeDecodeError):
        raise _Refused("malformed") from None
    if not isinstance(header, dict):
        raise _Refused("malformed")
    alg, kid = header.get("alg"), header.get("kid")
    if not isinstance(alg, str) or alg not in ALGORITHMS:
        raise _Refused("unsupported_algorithm")
    if header.get("typ") not in (typ if isinstance(typ, tuple) else (typ,)):
        raise _Refused("wrong_type")
    if header.get("crit") is not None:
        raise _Refused("malformed")
    if not isinstance(kid, str):
        raise _Refused("unknown_key")
    return alg, kid


def _verify_jws(
    jws: str, jwks: KeyRing | Mapping[str, Any] | str | bytes, typ: str | tuple[str | None, ...]
) -> tuple[dict[str, Any], PublicKey]:
    """The payload of a compact JWS of type ``typ`` signed by a published key."""
    parts = jws.split(".")
    if len(parts) != 3 or len(parts[0]) > 2048:
        raise _Refused("malformed")
    alg, kid = _header(parts[0], typ)
    key = _key(jwks, kid)
    if key is None or key.algorithm.name != alg:
        raise _Refused("unknown_key")
    try:
        signature = b64url_decode(parts[2])
    except ValueError:
        raise _Refused("malformed") from None
    if not key.algorithm.verify(key.key, f"{parts[0]}.{parts[1]}".encode("ascii"), signature):
        raise _Refused("bad_signature")
    try:
        payload = _json_decode(b64url_decode(parts[1]))
    except (ValueError, UnicodeDecodeError):
        raise _Refused("malformed") from None
    if not isinstance(payload, dict):
        raise _Refused("malformed")
    return payload, key


class JwsRefused(ValueError):
    """A compact JWS that is not one: ``reason`` says why (a key of ``MESSAGES``)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def verify_compact_jws(
    token: str, ring: KeyRing, *, types: tuple[str | None, ...]
) -> tuple[dict[str, Any], PublicKey]:
    """The JSON payload and signing key of a compact JWS signed with an accepted algorithm
    (``ALGORITHMS``: never ``none`` nor HMAC) by a key of ``ring`` named by its ``kid``, whose
    header's ``typ`` is one of ``types``; ``JwsRefused`` otherwise. Claims are the caller's
    to check. The check credentials get, offered to other signed tokens (the exchange's
    client assertions)."""
    try:
        return _verify_jws(token, ring, types)
    except _Refused as refused:
        raise JwsRefused(refused.reason) from None


def _status_list(
    token: str, jwks: KeyRing | Mapping[str, Any] | str | bytes
) -> tuple[str, int, bytes, str]:
    """(uri, expiry, bytes, issuer) of a status list token, verified; ``_Refused`` otherwise."""
    if not isinstance(token, str) or len(token) > MAX_STATUS_LIST_TOKEN_BYTES:
        raise _Refused("status_unavailable")
    kid = _peek_kid(token)
    key = _key(jwks, kid) if kid else None
    if key is None:
        raise _Refused("status_unavailable")
    return _status_list_verified(token, key)


@lru_cache(maxsize=256)
def _peek_kid(token: str) -> str:
    try:
        header = json.loads(b64url_decode(token.split(".", 1)[0]))
    except (ValueError, UnicodeDecodeError):
        return ""
    kid = header.get("kid") if isinstance(header, dict) else None
    return kid if isinstance(kid, str) else ""


@lru_cache(maxsize=256)
def _status_list_verified(token: str, key: PublicKey) -> tuple[str, int, bytes, str]:
    ring = KeyRing({key.kid: key})
    try:
        payload, _key_used = _verify_jws(token, ring, statuslist.TOKEN_TYPE)
    except _Refused:
        raise _Refused("status_unavailable") from None
    body = payload.get("status_list")
    uri, exp = payload.get("sub"), payload.get("exp")
    if (
        not isinstance(body, dict)
        or body.get("bits") != statuslist.BITS
        or not isinstance(body.get("lst"), str)
        or not isinstance(uri, str)
        or not isinstance(exp, int)
    ):
        raise _Refused("status_unavailable")
    try:
        raw = statuslist.decode_list(body["lst"])
    except ValueError:
        raise _Refused("status_unavailable") from None
    return uri, exp, raw, key.issuer


def _timestamp(now: datetime | None) -> float:
    return time.time() if now is None else now.timestamp()


def verify_credential(
    token: str,
    *,
    jwks: KeyRing | Mapping[str, Any] | str | bytes,
    status_list_token: str | None = None,
    now: datetime | None = None,
) -> VerificationResult:
    """Verify a certificate credential or presentation (compact ``vc+sd-jwt``) offline.

    ``jwks`` is the platform's (or the issuing department's) published JWKS — a ``KeyRing``
    built once is fastest; ``status_list_token`` the issuer's signed status list (without it
    the status is "unchecked"). Never touches the database and never raises on bad input.
    """
    if not isinstance(token, str) or len(token) > MAX_TOKEN_BYTES:
        return _refuse("too_large" if isinstance(token, str) else "malformed")
    token = token.strip()
    try:
        jws, disclosures = sdjwt.split(token)
    except sdjwt.SdJwtError:
        return _refuse("malformed")
    try:
        payload, key = _verify_jws(jws, jwks, CREDENTIAL_TYPE)
    except _Refused as refused:
        return _refuse(refused.reason)
    try:
        issuer = payload["issuer"]["creditCode"]
        identifier = payload["certificate"]["identifier"]
        nbf, exp = payload.get("nbf"), payload.get("exp")
        status = payload.get("status", {}).get("status_list", {})
        if not isinstance(identifier, str):
            raise TypeError
    except (KeyError, TypeError, AttributeError):
        return _refuse("malformed")
    if issuer != key.issuer:
        return _refuse("issuer_mismatch", identifier=identifier)
    try:
        sdjwt.check(payload, disclosures)
    except sdjwt.SdJwtError:
        return _refuse("bad_disclosure", identifier=identifier)
    seen: dict[str, Any] = {
        "identifier": identifier,
        "resolver": lambda: sdjwt.resolve(payload, disclosures),
    }
    moment = _timestamp(now)
    if isinstance(nbf, (int, float)) and moment < nbf:
        return _refuse("not_yet_valid", status="not_yet_valid", **seen)
    if isinstance(exp, (int, float)) and moment >= exp:
        return _refuse("expired", status="expired", **seen)
    if status_list_token is None:
        return VerificationResult(
            valid=True, reason="valid", message=MESSAGES["valid"], status="unchecked", **seen
        )
    try:
        uri, list_exp, raw, list_issuer = _status_list(status_list_token, jwks)
        idx = status.get("idx") if isinstance(status, dict) else None
        if (
            uri != status.get("uri")
            or list_issuer != issuer
            or moment >= list_exp
            or not isinstance(idx, int)
            or isinstance(idx, bool)
        ):
            raise _Refused("status_unavailable")
        value = statuslist.status_get(raw, idx)
    except (_Refused, IndexError):
        return _refuse("status_unavailable", status="", **seen)
    if value == statuslist.INVALID:
        return _refuse("revoked", status="revoked", **seen)
    if value == statuslist.SUSPENDED:
        return _refuse("suspended", status="suspended", **seen)
    if value != statuslist.VALID:
        return _refuse("status_unavailable", **seen)
    return VerificationResult(
        valid=True, reason="valid", message=MESSAGES["valid"], status="valid", **seen
    )
