"""Personal data at rest: AES-256-GCM encryption with key rotation, and keyed blind indexes.

Values such as ID numbers and phone numbers are stored encrypted (``seal``) and found by exact
match through a blind index (``blind_index``: HMAC-SHA256 under a separate key), so the
database never holds them in clear text and an index cannot be reversed without the key.

Keys come from the environment: ``PII_KEYS`` is a comma-separated list of ``id:base64key``
(32-byte keys; the first encrypts, all decrypt, so keys can be rotated and old rows re-sealed
with ``manage.py pii_rotate``); ``PII_INDEX_KEY`` keys the blind index and is never rotated
without rebuilding the indexes. Development derives both from ``SECRET_KEY``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

_PREFIX = "v1"


class PiiKeyError(RuntimeError):
    """The configured keys cannot open a stored value (wrong or missing key)."""


@cache
def _keys() -> tuple[tuple[str, bytes], ...]:
    keys = []
    for entry in settings.PII_KEYS:
        key_id, _sep, encoded = entry.partition(":")
        key = base64.b64decode(encoded)
        if len(key) != 32:
            raise PiiKeyError(f"PII key {key_id!r} must be 32 bytes")
        keys.append((key_id, key))
    if not keys:
        raise PiiKeyError("no PII_KEYS configured")
    return tuple(keys)


def current_key_id() -> str:
    return _keys()[0][0]


def seal(plaintext: str, *, context: str) -> str:
    """Encrypt ``plaintext``; ``context`` (e.g. ``person.id_number``) is bound as associated data,
    so a value copied into another column does not decrypt there."""
    if plaintext == "":
        return ""
    key_id, key = _keys()[0]
    nonce = os.urandom(12)
    ciphertext = AESGCM(key).encrypt(nonce, plaintext.encode(), context.encode())
    return f"{_PREFIX}:{key_id}:{base64.urlsafe_b64encode(nonce + ciphertext).decode()}"


def unseal(token: str, *, context: str) -> str:
    if token == "":
        return ""
    try:
        prefix, key_id, encoded = token.split(":", 2)
    except ValueError as exc:
        raise PiiKeyError("not a sealed value") from exc
    keys = dict(_keys())
    if prefix != _PREFIX or key_id not in keys:
        raise PiiKeyError(f"no key {key_id!r} to open this value")
    raw = base64.urlsafe_b64decode(encoded)
    try:
        return AESGCM(keys[key_id]).decrypt(raw[:12], raw[12:], context.encode()).decode()
    except Exception as exc:  # cryptography raises InvalidTag
        raise PiiKeyError("the value does not open with its key") from exc


def sealed_with_current_key(token: str) -> bool:
    return token == "" or token.split(":", 2)[1] == current_key_id()


def blind_index(value: str, *, context: str) -> str:
    """A keyed, deterministic digest of a normalised value, for exact look-up."""
    if value == "":
        return ""
    message = f"{context}\x00{value}".encode()
    return hmac.new(settings.PII_INDEX_KEY.encode(), message, hashlib.sha256).hexdigest()
