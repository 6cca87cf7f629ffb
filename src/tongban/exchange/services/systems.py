"""Registering the information systems that call the exchange, and their keys."""

from __future__ import annotations

import json
import re
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from joserfc.jwk import KeySet

from tongban.core.audit import audit_log
from tongban.core.authorization import Target, authorize
from tongban.core.errors import InvalidInput, NotFound, Problem
from tongban.core.text import refuse_nul
from tongban.core.types import Actor
from tongban.exchange.models import InformationSystem
from tongban.organizations.selectors import department_get, department_target

_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{2,59}$")
MAX_KEYS = 5
MAX_JWKS_BYTES = 16 * 1024


def clean_jwks(value: Any) -> dict[str, Any]:
    """A JWKS of 1 to 5 public P-256 keys, each with a ``kid`` (private parts refused)."""
    problem = Problem(
        field="public_jwks",
        reason=str(
            _("Give a JWKS with one to five public EC P-256 keys (ES256), each with a kid.")
        ),
    )
    if isinstance(value, str):
        if len(value) > MAX_JWKS_BYTES:
            raise InvalidInput(problems=[problem])
        try:
            value = json.loads(value)
        except ValueError:
            raise InvalidInput(problems=[problem]) from None
    keys = value.get("keys") if isinstance(value, dict) else None
    if not isinstance(keys, list) or not 1 <= len(keys) <= MAX_KEYS:
        raise InvalidInput(problems=[problem])
    cleaned, kids = [], set()
    for entry in keys:
        if (
            not isinstance(entry, dict)
            or entry.get("kty") != "EC"
            or entry.get("crv") != "P-256"
            or "d" in entry
            or not isinstance(entry.get("kid"), str)
            or not 1 <= len(entry["kid"]) <= 64
            or entry["kid"] in kids
        ):
            raise InvalidInput(problems=[problem])
        public = {k: entry[k] for k in ("kty", "crv", "x", "y", "kid") if k in entry}
        public.update({"use": "sig", "alg": "ES256"})
        cleaned.append(public)
        kids.add(entry["kid"])
    try:
        KeySet.import_key_set({"keys": cleaned})
    except Exception:  # joserfc raises several kinds for a bad point
        raise InvalidInput(problems=[problem]) from None
    return {"keys": cleaned}


def _department_target(department_id: int) -> Target:
    department = department_get(department_id=department_id)
    if department is None:
        raise NotFound()
    return department_target(department)


def system_register(
    *, actor: Actor, department_id: int, code: str, name: str, public_jwks: Any
) -> InformationSystem:
    """Register a department's system (its data managers do) with its public keys."""
    authorize(actor, "exchange.system.manage", _department_target(department_id))
    refuse_nul([code, name], field="name")
    problems = []
    code = (code or "").strip().lower() if isinstance(code, str) else ""
    if not _CODE.match(code):
        problems.append(
            Problem(field="code", reason=str(_("3 to 60 lower-case letters, digits or dashes.")))
        )
    name = " ".join(name.split()) if isinstance(name, str) else ""
    if not 1 <= len(name) <= 150:
        problems.append(Problem(field="name", reason=str(_("Give the system's name."))))
    try:
        jwks = clean_jwks(public_jwks)
    except InvalidInput as exc:
        problems.extend(exc.problems)
        jwks = {}
    if problems:
        raise InvalidInput(problems=problems)
    try:
        with transaction.atomic():
            system = InformationSystem.objects.create(
                code=code, name=name, department_id=department_id, public_jwks=jwks
            )
            audit_log(
                actor=actor,
                action="exchange.system.register",
                object_type="exchange_system",
                object_id=system.pk,
                data={"code": code, "kids": [k["kid"] for k in jwks["keys"]]},
            )
    except IntegrityError:
        raise InvalidInput(
            problems=[Problem(field="code", reason=str(_("This system code is taken.")))]
        ) from None
    return system


def _locked_system(actor: Actor, system_id: int) -> InformationSystem:
    system = InformationSystem.objects.select_for_update().filter(pk=system_id).first()
    if system is None:
        raise NotFound()
    authorize(actor, "exchange.system.manage", _department_target(system.department_id))
    return system


def system_keys_replace(*, actor: Actor, system_id: int, public_jwks: Any) -> InformationSystem:
    """Replace the system's public keys (key rotation: publish old and new, then drop old)."""
    jwks = clean_jwks(public_jwks)
    with transaction.atomic():
        system = _locked_system(actor, system_id)
        system.public_jwks = jwks
        system.save(update_fields=["public_jwks"])
        audit_log(
            actor=actor,
            action="exchange.system.keys",
            object_type="exchange_system",
            object_id=system.pk,
            data={"kids": [k["kid"] for k in jwks["keys"]]},
        )
    return system


def system_set_enabled(*, actor: Actor, system_id: int, enabled: bool) -> InformationSystem:
    """Disable a system (every call refused at once) or enable it again."""
    with transaction.atomic():
        system = _locked_system(actor, system_id)
        system.enabled = bool(enabled)
        system.save(update_fields=["enabled"])
        audit_log(
            actor=actor,
            action="exchange.system.enable" if enabled else "exchange.system.disable",
            object_type="exchange_system",
            object_id=system.pk,
        )
    return system


PLATFORM_SYSTEM_NAMES = {
    "identity": _("Tongban identity assurance"),
    "cases": _("Tongban applications and approval"),
}


def platform_systems_register(*, actor: Actor, department_id: int) -> list[InformationSystem]:
    """Register the platform's own functions (``settings.EXCHANGE_PLATFORM_SYSTEMS``) as
    systems of the department that runs the platform; idempotent. They call in process, so
    their registered key is a fresh one whose private half is thrown away: nobody can call the
    HTTP gateway as them."""
    from django.conf import settings

    from tongban.exchange.client import new_key

    systems = []
    for function, code in settings.EXCHANGE_PLATFORM_SYSTEMS.items():
        system = InformationSystem.objects.filter(code=code).first()
        if system is None:
            _private, public = new_key(f"{code}-sealed")
            system = system_register(
                actor=actor,
                department_id=department_id,
                code=code,
                name=str(PLATFORM_SYSTEM_NAMES.get(function, code)),
                public_jwks=public,
            )
        systems.append(system)
    return systems
