"""Staff accounts: created by an administrator with roles bound to a department and region."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from tongban.core.audit import audit_log
from tongban.core.authorization import Target, authorize
from tongban.core.errors import InvalidInput, Problem
from tongban.core.types import ROLES, Actor
from tongban.identity.models import StaffRole


def staff_user_create(
    *,
    actor: Actor,
    username: str,
    password: str,
    roles: list[tuple[str, int | None, str | None]],
    full_name: str = "",
) -> int:
    """Create a staff user holding ``roles`` ((role, department id, region code) each).

    Staff must enrol a TOTP authenticator at their first log-in before the workbench opens.
    """
    authorize(actor, "staff.manage", Target(kind="staff"))
    bad = [r for r, _d, _g in roles if r not in ROLES]
    if bad:
        raise InvalidInput(problems=[Problem(field="roles", reason=f"unknown role {bad[0]}")])
    user_model = get_user_model()
    with transaction.atomic():
        user = user_model.objects.create_user(
            username=username, password=password, is_staff=True, first_name=full_name[:150]
        )
        for role, department_id, region_code in roles:
            StaffRole.objects.create(
                user=user, role=role, department_id=department_id, region_id=region_code
            )
        audit_log(
            actor=actor,
            action="identity.staff.create",
            object_type="user",
            object_id=user.pk,
            data={"username": username, "roles": [list(r) for r in roles]},
        )
    return user.pk
