"""Loading the base registries (the demo city's and, in production, a registry's extract)."""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import transaction

from tongban.core.audit import audit_log
from tongban.core.crypto import blind_index, seal
from tongban.core.errors import Forbidden
from tongban.core.ids import clean_credit_code, org_code_check, parse_citizen_id, uscc_check
from tongban.core.types import Actor
from tongban.registries.models import CompanyRecord, PopulationRecord
from tongban.registries.selectors import ID_NUMBER_CONTEXT


def registry_load(
    *,
    actor: Actor,
    people: list[dict[str, str]],
    companies: list[dict[str, str]],
    known_regions: frozenset[str] = frozenset(),
) -> tuple[int, int]:
    """Insert or update residents ({id_number, name, region}) and companies ({credit_code, name,
    representative_id_number, representative_name, status, registered_on}); all or nothing."""
    if not actor.has_role("data_manager"):
        raise Forbidden()
    with transaction.atomic():
        for person in people:
            citizen = parse_citizen_id(person["id_number"], known_regions=known_regions)
            PopulationRecord.objects.update_or_create(
                id_number_index=blind_index(citizen.number, context=ID_NUMBER_CONTEXT),
                defaults={
                    "id_number_sealed": seal(citizen.number, context=ID_NUMBER_CONTEXT),
                    "name": person["name"].strip(),
                    "region_code": person.get("region", ""),
                },
            )
        for company in companies:
            representative = parse_citizen_id(
                company["representative_id_number"], known_regions=known_regions
            )
            registered = company.get("registered_on")
            CompanyRecord.objects.update_or_create(
                credit_code=clean_credit_code(company["credit_code"]),
                defaults={
                    "name": company["name"].strip(),
                    "representative_id_index": blind_index(
                        representative.number, context=ID_NUMBER_CONTEXT
                    ),
                    "representative_name": company["representative_name"].strip(),
                    "status": company.get("status", CompanyRecord.Status.ACTIVE),
                    "registered_on": dt.date.fromisoformat(registered) if registered else None,
                },
            )
        audit_log(
            actor=actor,
            action="registries.load",
            data={"people": len(people), "companies": len(companies)},
        )
    return len(people), len(companies)


def company_record_establish(
    *,
    name: str,
    region_code: str,
    representative_id_number: str,
    representative_name: str,
    registered_on: dt.date,
) -> CompanyRecord:
    """Register a new company in the legal-entity registry (设立登记) under a new unified
    social credit code: registration authority 9 (market regulation), type 1 (enterprise),
    the region, a new organisation code. Called by the case engine when an establishment case
    is approved, inside its transaction; the decision was authorised there."""
    region = region_code[:6]
    for _attempt in range(20):
        body = f"{secrets.randbelow(10**8):08d}"
        head = f"91{region}{body}{org_code_check(body)}"
        code = head + uscc_check(head)
        if not CompanyRecord.objects.filter(credit_code=code).exists():
            break
    else:  # pragma: no cover - 10^8 codes per region
        raise RuntimeError("no free credit code")
    return CompanyRecord.objects.create(
        credit_code=code,
        name=name,
        representative_id_index=blind_index(representative_id_number, context=ID_NUMBER_CONTEXT),
        representative_name=representative_name,
        status=CompanyRecord.Status.ACTIVE,
        registered_on=registered_on,
    )
