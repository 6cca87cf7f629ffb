"""The gateway's signing key: the platform signs every answer it gives (ES256, JOSE).

The private key is sealed at rest (``core.crypto``); a process keeps the active signer for a
minute, so a rotation reaches every worker within that time while the retired key stays in
the JWKS and old answers stay verifiable.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from joserfc.jwk import ECKey

from tongban.certificates.signing import Es256Signer
from tongban.core.audit import audit_log
from tongban.core.authorization import Target, authorize
from tongban.core.crypto import seal, unseal
from tongban.core.types import Actor
from tongban.exchange.models import GatewayKey

KEY_CONTEXT = "exchange.gateway_key"
SIGNER_TTL = 60.0
ALGORITHM = "ES256"


ANSWER_TYPE = "tongban-exchange+jws"


class GatewaySigner:
    """Signs the gateway's answers: a compact JWS (ES256) typed ``tongban-exchange+jws``."""

    _header = {"typ": ANSWER_TYPE}

    def __init__(self, *, kid: str, private_pem: str) -> None:
        self.kid = kid
        self._signer = Es256Signer(kid=kid, private_key_pem=private_pem)

    def sign(self, payload: bytes) -> str:
        return self._signer.sign_compact(self._header, payload)


_cached: tuple[float, GatewaySigner] | None = None


def _new_key() -> GatewayKey:
    key = ECKey.generate_key("P-256", private=True)
    kid = f"gateway-{secrets.token_hex(4)}"
    public = dict(key.as_dict(private=False))
    public.update({"kid": kid, "use": "sig", "alg": ALGORITHM})
    return GatewayKey.objects.create(
        kid=kid,
        public_jwk=public,
        private_key_sealed=seal(key.as_pem(private=True).decode(), context=KEY_CONTEXT),
    )


def _active_key() -> tuple[GatewayKey, bool]:
    """The active key, and whether it was made just now."""
    key = GatewayKey.objects.filter(active=True).first()
    if key is not None:
        return key, False
    try:
        with transaction.atomic():
            return _new_key(), True
    except IntegrityError:  # another process made it first
        return GatewayKey.objects.get(active=True), False


def gateway_signer() -> GatewaySigner:
    """The active signer (made on first use). A key made inside this call is not cached:
    the transaction that made it may still roll back, and an answer must never be signed
    with a key that is not published."""
    global _cached
    now = time.monotonic()
    if _cached is not None and now - _cached[0] < SIGNER_TTL:
        return _cached[1]
    key, new = _active_key()
    signer = GatewaySigner(
        kid=key.kid, private_pem=unseal(key.private_key_sealed, context=KEY_CONTEXT)
    )
    if not new:
        _cached = (now, signer)
    return signer


def gateway_key_rotate(*, actor: Actor) -> GatewayKey:
    """Retire the active key (it stays published) and make a new one."""
    global _cached
    authorize(actor, "certificate.keys.manage", Target(kind="gateway_key"))
    with transaction.atomic():
        GatewayKey.objects.filter(active=True).update(active=False, retired_at=timezone.now())
        key = _new_key()
        audit_log(
            actor=actor, action="exchange.key.rotate", object_type="gateway_key", object_id=key.kid
        )
    _cached = None
    return key


def gateway_jwks() -> dict[str, Any]:
    """The gateway's public keys, retired ones included (a JWKS document)."""
    if not GatewayKey.objects.exists():
        _active_key()  # the first key, made on first use
    return {"keys": [dict(k.public_jwk) for k in GatewayKey.objects.all()]}
