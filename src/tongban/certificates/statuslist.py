"""Token Status List (IETF draft-ietf-oauth-status-list), 2 bits a certificate. No database.

Status ``idx`` sits in byte ``idx // 4`` at bit ``2 * (idx % 4)`` (least significant bits
first); the byte array is compressed with DEFLATE in the ZLIB format and base64url-encoded
(``lst``), and published as a signed JWT of type ``statuslist+jwt`` so that a verifier can check
a certificate's status offline.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Mapping
from typing import Any

from tongban.certificates.signing import Signer, b64url, b64url_decode

BITS = 2
VALID = 0x00
INVALID = 0x01  # revoked, or superseded by a newer version
SUSPENDED = 0x02
TOKEN_TYPE = "statuslist+jwt"  # noqa: S105 - a media type, not a secret
# The decompressed list a verifier accepts: 2^22 entries of 2 bits (1 MiB).
MAX_DECOMPRESSED = 1 << 20
_PER_BYTE = 8 // BITS
_MASK = (1 << BITS) - 1


def empty_list(size: int) -> bytes:
    if size <= 0 or size % _PER_BYTE:
        raise ValueError(f"a status list has a positive multiple of {_PER_BYTE} entries")
    return bytes(size // _PER_BYTE)


def status_get(raw: bytes, idx: int) -> int:
    if idx < 0 or idx >= len(raw) * _PER_BYTE:
        raise IndexError("status index outside the list")
    return (raw[idx // _PER_BYTE] >> (BITS * (idx % _PER_BYTE))) & _MASK


def status_set(raw: bytes, idx: int, value: int) -> bytes:
    if not 0 <= value <= _MASK:
        raise ValueError("status value out of range")
    if idx < 0 or idx >= len(raw) * _PER_BYTE:
        raise IndexError("status index outside the list")
    data = bytearray(raw)
    shift = BITS * (idx % _PER_BYTE)
    data[idx // _PER_BYTE] = (data[idx // _PER_BYTE] & ~(_MASK << shift) & 0xFF) | (value << shift)
    return bytes(data)


def encode_list(raw: bytes) -> str:
    return b64url(zlib.compress(raw, 9))


def decode_list(lst: str) -> bytes:
    """The byte array of ``lst``; ``ValueError`` when malformed or larger than allowed."""
    decompressor = zlib.decompressobj()
    try:
        raw = decompressor.decompress(b64url_decode(lst), MAX_DECOMPRESSED)
    except zlib.error as exc:
        raise ValueError("the status list does not decompress") from exc
    if decompressor.unconsumed_tail or not decompressor.eof:
        raise ValueError("the status list is too large or truncated")
    return raw


def status_list_payload(
    *, uri: str, raw: bytes, issued_at: int, expires_at: int, ttl: int
) -> dict[str, Any]:
    return {
        "sub": uri,
        "iat": issued_at,
        "exp": expires_at,
        "ttl": ttl,
        "status_list": {"bits": BITS, "lst": encode_list(raw)},
    }


def status_list_token_sign(*, signer: Signer, payload: Mapping[str, Any]) -> str:
    body = json.dumps(payload, separators=(",", ":")).encode()
    return signer.sign_compact({"typ": TOKEN_TYPE}, body)
