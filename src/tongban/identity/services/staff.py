"""Staff accounts: created by an administrator with roles bound to a department and region."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext_lazy as _

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
    problems = _clean_roles(roles)
    username = (username or "").strip()
    if (
        not username
        or len(username) > 150
        or username.startswith("p-")
        or not all(c.isalnum() or c in "._-" for c in username)
    ):
        problems.append(Problem(field="username", reason=str(_("Letters, digits and . _ - only."))))
    elif get_user_model().objects.filter(username=username).exists():
        problems.append(Problem(field="username", reason=str(_("This user name is taken."))))
    from tongban.identity.services.accounts import _password_problems

    problems += _password_problems(password)
    if problems:
        raise InvalidInput(problems=problems)
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


def _clean_roles(roles: list[tuple[str, int | None, str | None]]) -> list[Problem]:
    from tongban.organizations.models import Department, Region

    problems = []
    if len(roles) > 50:
        return [Problem(field="roles", reason=str(_("At most 50 roles.")))]
    for role, department_id, region_code in roles:
        if role not in ROLES:
            problems.append(
                Problem(field="roles", reason=str(_("Unknown role: %(v)s") % {"v": str(role)[:30]}))
            )
        if department_id is not None and not Department.objects.filter(pk=department_id).exists():
            problems.append(
                Problem(
                    field="roles", reason=str(_("Unknown department: %(v)s") % {"v": department_id})
                )
            )
        if region_code is not None and not Region.objects.filter(code=region_code).exists():
            problems.append(
                Problem(field="roles", reason=f"unknown region {str(region_code)[:12]}")
            )
    return problems


def staff_roles_set(
    *, actor: Actor, user_id: int, roles: list[tuple[str, int | None, str | None]]
) -> None:
    """Replace a staff member's roles (platform-wide administrators only; audited)."""
    authorize(actor, "staff.manage", Target(kind="staff"))
    user = get_user_model().objects.filter(pk=user_id, is_staff=True, person__isnull=True).first()
    if user is None:
        from tongban.core.errors import NotFound

        raise NotFound()
    if user.is_superuser and not actor.is_superuser:
        from tongban.core.errors import Forbidden

        raise Forbidden()
    problems = _clean_roles(roles)
    if problems:
        raise InvalidInput(problems=problems)
    with transaction.atomic():
        StaffRole.objects.filter(user=user).delete()
        for role, department_id, region_code in dict.fromkeys(roles):
            StaffRole.objects.create(
                user=user, role=role, department_id=department_id, region_id=region_code
            )
        audit_log(
            actor=actor,
            action="identity.staff.roles",
            object_type="user",
            object_id=user.pk,
            data={"roles": [list(r) for r in roles]},
        )


def staff_deactivate(*, actor: Actor, user_id: int) -> None:
    """Switch a staff account off at once (it can no longer log in; sessions end)."""
    authorize(actor, "staff.manage", Target(kind="staff"))
    user = get_user_model().objects.filter(pk=user_id, is_staff=True, person__isnull=True).first()
    if user is None or (user.is_superuser and not actor.is_superuser):
        from tongban.core.errors import NotFound

        raise NotFound()
    from tongban.identity.services.sessions import sessions_end

    with transaction.atomic():
        user.is_active = False
        user.save(update_fields=["is_active"])
        audit_log(
            actor=actor, action="identity.staff.deactivate", object_type="user", object_id=user.pk
        )
        sessions_end(actor=actor, user_id=user.pk)
