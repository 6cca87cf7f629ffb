"""Who is acting (``actor_for_user``) and what a person may see about their accounts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from tongban.core.types import Actor, RoleGrant
from tongban.identity.models import Company, Mandate, Person, StaffRole, UserSession
from tongban.identity.services.mandates import acting_capacity

ACTING_FOR_KEY = "tongban.acting_for"
SERVING_KEY = "tongban.serving_person"


def actor_for_user(user: Any, session: Mapping[str, Any] | None = None) -> Actor:
    """The actor of a request: roles, person, and — checked again on every request, so that a
    revoked mandate stops working at once — the company acted for."""
    if user is None or not user.is_authenticated:
        return Actor.anonymous()
    grants = tuple(
        RoleGrant(role=r.role, department_id=r.department_id, region_code=r.region_id)
        for r in StaffRole.objects.filter(user_id=user.pk)
    )
    person = Person.objects.filter(user_id=user.pk).first()
    session = session or {}
    company_id = session.get(ACTING_FOR_KEY)
    acting: dict[str, Any] = {}
    if person is not None and company_id is not None:
        company = Company.objects.filter(pk=company_id).first()
        capacity = acting_capacity(person_id=person.pk, company=company) if company else None
        if capacity is not None:
            _representative, codes = capacity
            acting = {
                "acting_for_company_id": company_id,
                "mandate_item_codes": codes,
            }
    serving = session.get(SERVING_KEY) if grants else None
    return Actor(
        kind="user",
        user_id=user.pk,
        label=user.get_username(),
        is_superuser=bool(user.is_superuser),
        grants=grants,
        person_id=person.pk if person else None,
        assurance_level=person.assurance_level if person else 0,
        serving_person_id=serving,
        represented_company_ids=tuple(
            Company.objects.filter(representative=person).values_list("pk", flat=True)
        )
        if person
        else (),
        **acting,
    )


@dataclass(frozen=True)
class CompanyLink:
    company: Company
    representative: bool
    mandate: Mandate | None


def companies_for_person(*, person_id: int) -> list[CompanyLink]:
    """The companies a person may act for today, as representative or agent."""
    today = timezone.localdate()
    links = [
        CompanyLink(company=c, representative=True, mandate=None)
        for c in Company.objects.filter(representative_id=person_id).order_by("name")
    ]
    seen = {link.company.pk for link in links}
    for mandate in (
        Mandate.objects.select_related("company")
        .filter(
            agent_id=person_id,
            revoked_at__isnull=True,
            valid_from__lte=today,
            valid_until__gte=today,
        )
        .order_by("company__name", "-created_at")
    ):
        if mandate.company_id not in seen:
            seen.add(mandate.company_id)
            links.append(
                CompanyLink(company=mandate.company, representative=False, mandate=mandate)
            )
    return links


def mandates_for_company(*, company_id: int) -> QuerySet[Mandate]:
    return (
        Mandate.objects.select_related("agent", "granted_by")
        .filter(company_id=company_id)
        .order_by("-created_at")
    )


def sessions_for_user(*, user_id: int) -> list[UserSession]:
    """The user's sessions that are still alive (a session that expired, or was ended by a
    single sign-on log-out, is no longer listed)."""
    from importlib import import_module

    from django.conf import settings

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    sessions = UserSession.objects.filter(user_id=user_id, ended_at__isnull=True).order_by(
        "-created_at"
    )[:50]
    return [s for s in sessions if store.exists(s.session_key)]


def person_for_user(*, user_id: int) -> Person | None:
    return Person.objects.filter(user_id=user_id).first()


def request_actor(request: Any) -> Actor:
    """The actor of a web or API request, built once per request."""
    if not hasattr(request, "_tongban_actor"):
        session = getattr(request, "session", None)
        request._tongban_actor = actor_for_user(getattr(request, "user", None), session)
    return request._tongban_actor


def staff_needs_second_factor(user: Any, grants: tuple[RoleGrant, ...] | None = None) -> bool:
    """Whether this signed-in user is staff who has not yet passed TOTP in this session.
    ``grants``: the user's roles when the caller has them already (no query then)."""
    from django.conf import settings

    if not settings.STAFF_TOTP_REQUIRED or not user.is_authenticated:
        return False
    # OTPMiddleware adds is_verified to the request's user; a user just logged in has none.
    is_verified = getattr(user, "is_verified", None)
    if is_verified is not None and is_verified():
        return False
    if user.is_staff or user.is_superuser:
        return True
    if grants is not None:
        return bool(grants)
    return StaffRole.objects.filter(user=user).exists()


def staff_user_ids_with_role(*, role: str, department_id: int | None) -> list[int]:
    """Active staff holding ``role`` for this department (a grant naming it or naming none);
    ``department_id=None``: those whose grant names no department (the city's)."""
    grants = StaffRole.objects.filter(role=role, user__is_active=True)
    if department_id is None:
        grants = grants.filter(department__isnull=True)
    else:
        grants = grants.filter(Q(department_id=department_id) | Q(department__isnull=True))
    return sorted(set(grants.values_list("user_id", flat=True)))
