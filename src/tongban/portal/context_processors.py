"""Template context for every page: whom the signed-in person is acting for."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from tongban.identity.models import Company
from tongban.identity.selectors import request_actor


def acting_for(request: HttpRequest) -> dict[str, Any]:
    def company() -> Company | None:
        if not getattr(request, "user", None) or not request.user.is_authenticated:
            return None
        company_id = request_actor(request).acting_for_company_id
        return Company.objects.filter(pk=company_id).first() if company_id else None

    def unread() -> int:
        if not getattr(request, "user", None) or not request.user.is_authenticated:
            return 0
        from tongban.notifications.selectors import unread_count

        return unread_count(request.user.pk)

    return {
        "acting_company": SimpleLazyObject(company),
        "unread_messages": SimpleLazyObject(unread),
    }
