"""Who is acting: turn a Django user into an ``Actor`` with role grants."""

from __future__ import annotations

from typing import Any

from tongban.core.types import Actor, RoleGrant
from tongban.identity.models import StaffRole


def actor_for_user(user: Any) -> Actor:
    if user is None or not user.is_authenticated:
        return Actor.anonymous()
    grants = tuple(
        RoleGrant(role=r.role, department_id=r.department_id, region_code=r.region_id)
        for r in StaffRole.objects.filter(user_id=user.pk)
    )
    return Actor(
        kind="user",
        user_id=user.pk,
        label=user.get_username(),
        is_superuser=bool(user.is_superuser),
        grants=grants,
    )
