"""Signing and signature checking, behind a small pluggable interface (no database here).

A ``Signer`` turns a JOSE header and a payload into a compact JWS; ``ES256`` (ECDSA P-256 with
SHA-256) is the default. Its signature is ``cryptography``'s; the compact serialization (RFC
7515 §7.1: the base64url of the header's JSON, of the payload and of r‖s) is written here, as
the verifier reads it, because joserfc's generic path cost more than half an ECDSA signature
again on every answer of the gateway. joserfc still makes and imports the keys.
A ``SignatureAlgorithm`` checks a signature with a public key parsed once from its JWK. SM2
(GB/T 32918) can be added as one more pair without touching callers: register it in
``ALGORITHMS``.

A key id names its department: ``{issuer credit code}-{random}``, so a verifier knows which
issuer a published key belongs to and refuses a credential whose issuer another department's
key signed.
"""

from __future__ import annotations

import json
import secrets
from abc import ABC, abstractmethod
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import pybase64
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from joserfc.jwk import ECKey

DEFAULT_ALGORITHM = "ES256"


def b64url(data: bytes) -> str:
    return pybase64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    """Strict base64url without padding (raises ``ValueError`` on anything else)."""
    if "=" in text or "+" in text or "/" in text or len(text) % 4 == 1:
        raise ValueError("not base64url without padding")
    try:
        # pybase64 (SIMD): a credential's 1.6 KB payload in 0.6 µs, against 4 µs for binascii
        return pybase64.b64decode(
            (text + "==="[: -len(text) % 4]).encode("ascii"), altchars=b"-_", validate=True
        )
    except ValueError as exc:  # binascii.Error and UnicodeEncodeError are ValueErrors
        raise ValueError("not base64url") from exc


def kid_issuer(kid: str) -> str:
    """The issuer credit code a key id is bound to."""
    return kid.partition("-")[0]


def new_kid(issuer_code: str) -> str:
    return f"{issuer_code}-{secrets.token_hex(4)}"


class Signer(ABC):
    """Signs with one private key; ``kid`` and ``algorithm`` go into the JOSE header."""

    algorithm: str
    kid: str

    @abstractmethod
    def sign_compact(self, header: Mapping[str, Any], payload: bytes) -> str:
        """A compact JWS of ``payload``; ``alg`` and ``kid`` are set by the signer."""


class Es256Signer(Signer):
    algorithm = "ES256"
    _ecdsa = ec.ECDSA(hashes.SHA256())

    def __init__(self, *, kid: str, private_key_pem: str) -> None:
        self.kid = kid
        key = ECKey.import_key(private_key_pem)
        if not key.is_private or key.curve_name != "P-256":
            raise ValueError("not a private P-256 key")
        self._key = key.private_key
        self._headers: dict[tuple[tuple[str, Any], ...], str] = {}

    def _protected(self, header: Mapping[str, Any]) -> str:
        """The base64url of the protected header's JSON, built once per distinct header."""
        try:
            frozen = tuple(sorted(header.items()))
            cached = self._headers.get(frozen)
        except TypeError:  # a header value that cannot be a key (a list, an object)
            frozen, cached = None, None
        if cached is None:
            fields = {**header, "alg": self.algorithm, "kid": self.kid}
            cached = b64url(json.dumps(fields, separators=(",", ":")).encode())
            if frozen is not None and len(self._headers) < 64:
                self._headers[frozen] = cached
        return cached

    def sign_compact(self, header: Mapping[str, Any], payload: bytes) -> str:
        signing_input = f"{self._protected(header)}.{b64url(payload)}"
        r, s = decode_dss_signature(self._key.sign(signing_input.encode(), self._ecdsa))
        return f"{signing_input}.{b64url(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"


def es256_generate(*, kid: str) -> tuple[str, dict[str, Any]]:
    """A new P-256 key: (private key PEM, public JWK with kid, use and alg)."""
    key = ECKey.generate_key("P-256", private=True)
    pem = key.as_pem(private=True).decode()
    public = dict(key.as_dict(private=False))
    public.update({"kid": kid, "use": "sig", "alg": "ES256"})
    return pem, public


class SignatureAlgorithm(ABC):
    """Checks signatures of one JOSE algorithm with a public key parsed from a JWK."""

    name: str

    @abstractmethod
    def load_public_key(self, jwk: Mapping[str, Any]) -> Any:
        """Parse a public JWK (``ValueError`` when it is not a key of this algorithm)."""

    @abstractmethod
    def verify(self, public_key: Any, signing_input: bytes, signature: bytes) -> bool:
        """Whether ``signature`` over ``signing_input`` is valid."""


class Es256(SignatureAlgorithm):
    name = "ES256"
    _ecdsa = ec.ECDSA(hashes.SHA256())

    def load_public_key(self, jwk: Mapping[str, Any]) -> Any:
        if jwk.get("kty") != "EC" or jwk.get("crv") != "P-256" or "d" in jwk:
            raise ValueError("not a public P-256 key")
        key = ECKey.import_key({k: jwk[k] for k in ("kty", "crv", "x", "y")})
        return key.raw_value

    def verify(self, public_key: Any, signing_input: bytes, signature: bytes) -> bool:
        if len(signature) != 64:
            return False
        der = encode_dss_signature(
            int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
        )
        try:
            public_key.verify(der, signing_input, self._ecdsa)
        except InvalidSignature:
            return False
        return True


# Only these algorithms are ever accepted: "none" and HMAC ("HS256" with a public key as the
# secret) are refused because they are not here.
ALGORITHMS: dict[str, SignatureAlgorithm] = {"ES256": Es256()}


class PublicKey:
    """A published key, parsed once: its id, algorithm, issuer and the key object."""

    __slots__ = ("algorithm", "issuer", "key", "kid")

    def __init__(self, *, kid: str, algorithm: SignatureAlgorithm, key: Any) -> None:
        self.kid = kid
        self.algorithm = algorithm
        self.issuer = kid_issuer(kid)
        self.key = key


@lru_cache(maxsize=1024)
def _parse_jwk(kid: str, alg: str, material: tuple[tuple[str, str], ...]) -> PublicKey | None:
    algorithm = ALGORITHMS.get(alg)
    if algorithm is None:
        return None
    try:
        key = algorithm.load_public_key(dict(material))
    except (ValueError, KeyError, TypeError):
        return None
    return PublicKey(kid=kid, algorithm=algorithm, key=key)


class KeyRing:
    """The keys of a JWKS by kid (invalid or unknown-algorithm entries are left out)."""

    def __init__(self, keys: Mapping[str, PublicKey]) -> None:
        self.keys = dict(keys)

    def get(self, kid: str) -> PublicKey | None:
        return self.keys.get(kid)

    @classmethod
    def from_jwks(cls, jwks: Mapping[str, Any] | str | bytes) -> KeyRing:
        if isinstance(jwks, (str, bytes)):
            jwks = json.loads(jwks)
        keys: dict[str, PublicKey] = {}
        entries = jwks.get("keys") if isinstance(jwks, Mapping) else None
        for entry in entries if isinstance(entries, list) else []:
            if not isinstance(entry, Mapping):
                continue
            kid, alg = entry.get("kid"), entry.get("alg", DEFAULT_ALGORITHM)
            if not isinstance(kid, str) or not isinstance(alg, str):
                continue
            material = tuple(
                sorted((k, v) for k, v in entry.items() if isinstance(v, str) and k != "kid")
            )
            parsed = _parse_jwk(kid, alg, material)
            if parsed is not None:
                keys[kid] = parsed
        return cls(keys)


def jwks_document(public_jwks: list[Mapping[str, Any]]) -> dict[str, Any]:
    """A JWKS document (RFC 7517) of the given public keys."""
    return {"keys": [dict(k) for k in public_jwks]}
