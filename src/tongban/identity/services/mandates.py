"""Mandates (委托授权): a company's legal representative authorises agents (经办人)."""

from __future__ import annotations

import datetime as dt
import re

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.core.audit import audit_log
from tongban.core.authorization import Target, authorize
from tongban.core.errors import Forbidden, InvalidInput, NotFound, Problem
from tongban.core.ids import citizen_id_problem, normalise_code
from tongban.core.types import Actor
from tongban.identity.models import Company, Mandate, Person
from tongban.identity.normalise import clean_name
from tongban.identity.services.accounts import id_number_index, known_regions

MAX_MANDATE_YEARS = 5
MAX_ITEMS = 200
_ITEM_CODE = re.compile(r"^[0-9A-Z]{4,40}$")


def company_target(company: Company) -> Target:
    return Target(kind="company", id=company.pk, owner_company_id=company.pk)


def mandate_grant(
    *,
    actor: Actor,
    company_id: int,
    agent_id_number: str,
    agent_name: str,
    valid_from: dt.date,
    valid_until: dt.date,
    item_codes: list[str] | None = None,
) -> Mandate:
    """Authorise a registered person as the company's agent, for every item (``item_codes``
    None) or the listed base items, between two dates. Only the representative (L2+) may."""
    company = Company.objects.filter(pk=company_id).first()
    if company is None:
        raise NotFound()
    authorize(actor, "company.mandate.manage", company_target(company))
    problems: list[Problem] = []
    if problem := citizen_id_problem(agent_id_number, known_regions=known_regions()):
        problems.append(Problem(field="agent_id_number", reason=problem))
    name, problem = clean_name(agent_name, field="agent_name")
    if problem:
        problems.append(problem)
    today = timezone.localdate()
    if valid_from < today:
        problems.append(
            Problem(field="valid_from", reason=str(_("A mandate cannot start in the past.")))
        )
    if valid_until < valid_from:
        problems.append(
            Problem(field="valid_until", reason=str(_("The end date is before the start date.")))
        )
    elif (valid_until - valid_from).days > MAX_MANDATE_YEARS * 366:
        problems.append(
            Problem(
                field="valid_until",
                reason=str(_("A mandate lasts at most %(years)s years.") % {"years": 5}),
            )
        )
    codes: list[str] = []
    if item_codes is not None:
        codes = list(dict.fromkeys(normalise_code(c) for c in item_codes if c.strip()))
        if not codes:
            problems.append(Problem(field="item_codes", reason=str(_("Choose at least one item."))))
        elif len(codes) > MAX_ITEMS:
            problems.append(
                Problem(field="item_codes", reason=str(_("At most 200 items per mandate.")))
            )
        elif bad := [c for c in codes if not _ITEM_CODE.match(c)]:
            problems.append(
                Problem(
                    field="item_codes",
                    reason=str(_("Not an item code: %(code)s") % {"code": bad[0][:40]}),
                )
            )
    if problems:
        raise InvalidInput(problems=problems)
    agent = Person.objects.filter(
        id_number_index=id_number_index(normalise_code(agent_id_number))
    ).first()
    # The same answer whether the number is unknown or the name differs: no enumeration.
    if agent is None or agent.name != name:
        raise InvalidInput(
            problems=[
                Problem(
                    field="agent_id_number",
                    reason=str(
                        _(
                            "No registered person has this name and ID number. The agent "
                            "must register on Tongban first."
                        )
                    ),
                )
            ]
        )
    if agent.pk == company.representative_id:
        raise InvalidInput(
            problems=[
                Problem(
                    field="agent_id_number",
                    reason=str(_("The legal representative acts for the company already.")),
                )
            ]
        )
    with transaction.atomic():
        mandate = Mandate.objects.create(
            company=company,
            agent=agent,
            granted_by_id=actor.person_id,
            all_items=item_codes is None,
            item_codes=codes,
            valid_from=valid_from,
            valid_until=valid_until,
        )
        audit_log(
            actor=actor,
            action="identity.mandate.grant",
            object_type="mandate",
            object_id=mandate.pk,
            data={
                "company": company.pk,
                "agent": agent.pk,
                "items": codes or "all",
                "from": valid_from.isoformat(),
                "until": valid_until.isoformat(),
            },
        )
    return mandate


def mandate_revoke(*, actor: Actor, mandate_id: int, reason: str = "") -> Mandate:
    """End a mandate at once; the agent's next request no longer acts for the company."""
    with transaction.atomic():
        mandate = (
            Mandate.objects.select_for_update().select_related("company").filter(pk=mandate_id)
        ).first()
        if mandate is None:
            raise NotFound()
        authorize(actor, "company.mandate.manage", company_target(mandate.company))
        if mandate.revoked_at is not None:
            return mandate
        mandate.revoked_at = timezone.now()
        mandate.revoked_by_id = actor.user_id
        mandate.revoke_reason = (reason or "").strip()[:200]
        mandate.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        audit_log(
            actor=actor,
            action="identity.mandate.revoke",
            object_type="mandate",
            object_id=mandate.pk,
            data={"company": mandate.company_id, "agent": mandate.agent_id, "reason": reason},
        )
    return mandate


def acting_for_set(*, actor: Actor, company_id: int | None) -> Company | None:
    """Switch between acting for oneself (None) and for a company one represents or holds a
    mandate in force for. Recorded, and kept as the person's choice for single sign-on."""
    if actor.person_id is None:
        raise Forbidden()
    company = None
    if company_id is not None:
        company = Company.objects.filter(pk=company_id).first()
        if company is None or acting_capacity(person_id=actor.person_id, company=company) is None:
            raise Forbidden(_("You are not authorised to act for this company."))
    Person.objects.filter(pk=actor.person_id).update(acting_for=company)
    audit_log(
        actor=actor,
        action="identity.acting_for",
        object_type="company" if company else "person",
        object_id=company.pk if company else actor.person_id,
    )
    return company


def acting_capacity(
    *, person_id: int, company: Company
) -> tuple[bool, tuple[str, ...] | None] | None:
    """(is representative, item codes or None for all) when the person may act for the company
    today, else None. Read on every request, so a revocation takes effect at once."""
    if company.representative_id == person_id:
        return True, None
    today = timezone.localdate()
    mandates = Mandate.objects.filter(
        company=company,
        agent_id=person_id,
        revoked_at__isnull=True,
        valid_from__lte=today,
        valid_until__gte=today,
    )
    codes: set[str] = set()
    found = False
    for mandate in mandates:
        found = True
        if mandate.all_items:
            return False, None
        codes.update(mandate.item_codes)
    return (False, tuple(sorted(codes))) if found else None
