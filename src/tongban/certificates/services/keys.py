"""Department signing keys: created on a department's first issue, rotated on demand.

A rotated key is retired, not deleted: it stays in the department's and the platform's JWKS
so that every certificate it signed still verifies.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from tongban.certificates.models import PRIVATE_KEY_CONTEXT, SigningKey
from tongban.certificates.signing import (
    DEFAULT_ALGORITHM,
    Es256Signer,
    Signer,
    es256_generate,
    jwks_document,
    new_kid,
)
from tongban.core.audit import audit_log
from tongban.core.authorization import Target, authorize
from tongban.core.crypto import seal, unseal
from tongban.core.errors import NotFound
from tongban.core.ids import normalise_code
from tongban.core.types import Actor
from tongban.organizations.models import Department

_signers: dict[str, Signer] = {}


def signer_for(key: SigningKey) -> Signer:
    """The signer of a stored key (kept per process: the private key is unsealed once)."""
    signer = _signers.get(key.kid)
    if signer is None:
        if key.algorithm != "ES256":
            raise NotImplementedError(f"no signer for {key.algorithm}")
        pem = unseal(key.private_key_sealed, context=PRIVATE_KEY_CONTEXT)
        signer = _signers[key.kid] = Es256Signer(kid=key.kid, private_key_pem=pem)
    return signer


def _key_create(department: Department) -> SigningKey:
    kid = new_kid(department.credit_code)
    pem, jwk = es256_generate(kid=kid)
    return SigningKey.objects.create(
        department=department,
        kid=kid,
        algorithm=DEFAULT_ALGORITHM,
        public_jwk=jwk,
        private_key_sealed=seal(pem, context=PRIVATE_KEY_CONTEXT),
    )


def active_key(department: Department) -> SigningKey:
    """The department's active key, made on first use. Call with the department row locked."""
    key = SigningKey.objects.filter(department=department, active=True).first()
    return key if key is not None else _key_create(department)


def locked_department(department_id: int) -> Department:
    """Lock the department row: issuing, key and status-list changes of one department take
    turns (and a department's first key and first list are made exactly once)."""
    try:
        return Department.objects.select_for_update().get(pk=department_id)
    except Department.DoesNotExist as exc:
        raise NotFound() from exc


def signing_key_rotate(*, actor: Actor, department_code: str) -> SigningKey:
    """Retire the department's active key (it stays published) and make a new one; the
    department's status lists are signed again with the new key."""
    from tongban.certificates.services.status import status_lists_resign

    department = Department.objects.filter(credit_code=normalise_code(department_code)).first()
    if department is None:
        raise NotFound()
    authorize(
        actor,
        "certificate.keys.manage",
        Target(kind="department", id=department.pk, department_id=department.pk),
    )
    with transaction.atomic():
        department = locked_department(department.pk)
        old = SigningKey.objects.filter(department=department, active=True).first()
        if old is not None:
            old.active = False
            old.retired_at = timezone.now()
            old.save(update_fields=["active", "retired_at"])
        key = _key_create(department)
        status_lists_resign(department=department, key=key)
        audit_log(
            actor=actor,
            action="certificate.key.rotate",
            object_type="department",
            object_id=department.pk,
            data={"kid": key.kid, "retired": old.kid if old else ""},
        )
    return key


def department_jwks(*, department_id: int) -> dict[str, Any]:
    """The department's JWKS: its active key and every retired one."""
    keys = SigningKey.objects.filter(department_id=department_id).order_by("created_at", "pk")
    return jwks_document([k.public_jwk for k in keys])


def platform_jwks() -> dict[str, Any]:
    """Every department's keys in one JWKS (what verifiers download once)."""
    keys = SigningKey.objects.order_by("department_id", "created_at", "pk")
    return jwks_document([k.public_jwk for k in keys])
