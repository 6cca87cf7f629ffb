"""The mechanics of Selective Disclosure for JWTs (SD-JWT, RFC 9901), kept small and our own.

A concealed claim becomes a *disclosure*, ``base64url(JSON [salt, name, value])``; the signed
payload holds only its digest (``base64url(SHA-256(disclosure))``) in the object's ``_sd``
array, sorted so that the order reveals nothing. The compact form is the issuer-signed JWS
followed by ``~``-separated disclosures and a final ``~`` (no key binding). A presentation keeps
the JWS and only the disclosures the holder chooses. No database, no Django.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterable, Mapping
from typing import Any

import orjson

from tongban.certificates.signing import b64url, b64url_decode

SD_ALG = "sha-256"
_RESERVED = frozenset({"_sd", "...", "_sd_alg"})


class SdJwtError(ValueError):
    """A token that is not a well-formed SD-JWT, or a disclosure that the payload does not list."""


def digest(disclosure: str) -> str:
    return b64url(hashlib.sha256(disclosure.encode("ascii")).digest())


def make_disclosure(name: str, value: Any, *, salt: str | None = None) -> str:
    salt = salt or b64url(secrets.token_bytes(16))
    text = json.dumps([salt, name, value], ensure_ascii=False, separators=(",", ":"))
    return b64url(text.encode())


def conceal(claims: Mapping[str, Any], names: Iterable[str]) -> tuple[dict[str, Any], list[str]]:
    """``claims`` with the ``names`` replaced by digests in ``_sd``; the disclosures."""
    hidden = set(names)
    visible: dict[str, Any] = {}
    disclosures: list[str] = []
    for name, value in claims.items():
        if name in hidden:
            disclosures.append(make_disclosure(name, value))
        else:
            visible[name] = value
    if disclosures:
        visible["_sd"] = sorted(digest(d) for d in disclosures)
    return visible, disclosures


def combine(jws: str, disclosures: Iterable[str]) -> str:
    return "~".join([jws, *disclosures]) + "~"


def split(token: str) -> tuple[str, list[str]]:
    """(issuer-signed JWS, disclosures); key-binding JWTs are not accepted."""
    parts = token.split("~")
    if len(parts) < 2 or parts[-1] != "":
        raise SdJwtError("not an SD-JWT without key binding")
    disclosures = parts[1:-1]
    if any(not d for d in disclosures):
        raise SdJwtError("empty disclosure")
    return parts[0], disclosures


def decode_disclosure(disclosure: str) -> tuple[str, Any]:
    """(claim name, value) of an object-property disclosure."""
    try:
        item = orjson.loads(b64url_decode(disclosure))
    except (ValueError, UnicodeDecodeError) as exc:
        raise SdJwtError("malformed disclosure") from exc
    if (
        not isinstance(item, list)
        or len(item) != 3
        or not isinstance(item[0], str)
        or not isinstance(item[1], str)
        or item[1] in _RESERVED
    ):
        raise SdJwtError("malformed disclosure")
    return item[1], item[2]


def _listed_digests(obj: dict[str, Any], found: set[str], depth: int = 0) -> None:
    if depth > 8:
        raise SdJwtError("nested too deeply")
    listed = obj.get("_sd")
    if listed is not None:
        if type(listed) is not list:
            raise SdJwtError("_sd is not a list")
        found.update(listed)
    for value in obj.values():
        if type(value) is dict:
            _listed_digests(value, found, depth + 1)


def check(payload: dict[str, Any], disclosures: list[str]) -> None:
    """Every disclosure is listed in the signed payload, once: the disclosures are the issuer's
    (SHA-256 preimages of signed digests), so decoding them can wait until the claims are read.
    """
    if payload.get("_sd_alg", SD_ALG) != SD_ALG:
        raise SdJwtError("unsupported _sd_alg")
    if not disclosures:
        return
    found: set[str] = set()
    _listed_digests(payload, found)
    digests = {digest(d) for d in disclosures}
    if len(digests) != len(disclosures):
        raise SdJwtError("repeated disclosure")
    if not digests <= found:
        raise SdJwtError("a disclosure is not listed in the payload")


def resolve(payload: dict[str, Any], disclosures: list[str]) -> tuple[dict[str, Any], list[str]]:
    """The payload with the disclosed claims put back and ``_sd``/``_sd_alg`` removed, and the
    names disclosed. Every disclosure must be listed exactly once in the payload."""
    if payload.get("_sd_alg", SD_ALG) != SD_ALG:
        raise SdJwtError("unsupported _sd_alg")
    pending: dict[str, str] = {}
    for disclosure in disclosures:
        key = digest(disclosure)
        if key in pending:
            raise SdJwtError("repeated disclosure")
        pending[key] = disclosure
    names: list[str] = []
    result = _resolve_object(payload, pending, names, depth=0)
    if pending:
        raise SdJwtError("a disclosure is not listed in the payload")
    result.pop("_sd_alg", None)
    return result, names


def _resolve_object(
    obj: dict[str, Any], pending: dict[str, str], names: list[str], *, depth: int
) -> dict[str, Any]:
    if depth > 8:
        raise SdJwtError("nested too deeply")
    listed = obj.get("_sd")
    out = obj
    for key, value in obj.items():
        if type(value) is dict:
            resolved = _resolve_object(value, pending, names, depth=depth + 1)
            if resolved is not value:
                if out is obj:
                    out = dict(obj)
                out[key] = resolved
    if listed is None:
        return out
    out = {k: v for k, v in out.items() if k != "_sd"}
    if not isinstance(listed, list):
        raise SdJwtError("_sd is not a list")
    for entry in listed:
        disclosure = pending.pop(entry, None) if isinstance(entry, str) else None
        if disclosure is None:
            continue  # not disclosed (or a decoy)
        name, value = decode_disclosure(disclosure)
        if name in out:
            raise SdJwtError("a disclosure repeats a visible claim")
        out[name] = value
        names.append(name)
    return out


def present(token: str, reveal: Iterable[str]) -> str:
    """A presentation of ``token`` with only the disclosures of the claims named in ``reveal``."""
    wanted = set(reveal)
    jws, disclosures = split(token)
    kept = [d for d in disclosures if decode_disclosure(d)[0] in wanted]
    return combine(jws, kept)


def disclosed_names(token: str) -> list[str]:
    """The claim names a token discloses (unverified: for showing the holder their choices)."""
    _jws, disclosures = split(token)
    return [decode_disclosure(d)[0] for d in disclosures]
