"""Writes to the organisation model. Every service validates, writes and audits atomically."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from tongban.core.audit import audit_log
from tongban.core.errors import Forbidden, InvalidInput, Problem
from tongban.core.ids import (
    REGION_LEVEL_LENGTHS,
    credit_code_problem,
    normalise_code,
    region_code_problem,
)
from tongban.core.types import Actor, region_prefix
from tongban.organizations.models import Department, Hall, Region, Window


def _validate(data: dict[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    region_codes = set(Region.objects.values_list("code", flat=True))
    for i, region in enumerate(data.get("regions", []), start=1):
        where = f"regions[{i}]"
        code = str(region.get("code", ""))
        if problem := region_code_problem(code):
            problems.append(Problem(location=where, field="code", reason=problem))
            continue
        level = region.get("level")
        if level not in REGION_LEVEL_LENGTHS:
            problems.append(Problem(location=where, field="level", reason=_("Unknown level.")))
        elif len(code) != REGION_LEVEL_LENGTHS[level]:
            problems.append(
                Problem(
                    location=where,
                    field="code",
                    reason=_("The code length does not fit the level."),
                )
            )
        parent = region.get("parent")
        if parent:
            if parent not in region_codes:
                problems.append(
                    Problem(location=where, field="parent", reason=_("Unknown parent region."))
                )
            elif not code.startswith(region_prefix(parent)) or code == parent:
                problems.append(
                    Problem(
                        location=where,
                        field="code",
                        reason=_("A region's code must start with its parent's code."),
                    )
                )
        if not str(region.get("name", "")).strip():
            problems.append(Problem(location=where, field="name", reason=_("Required.")))
        region_codes.add(code)
    credit_codes = set(Department.objects.values_list("credit_code", flat=True))
    for i, dept in enumerate(data.get("departments", []), start=1):
        where = f"departments[{i}]"
        code = normalise_code(str(dept.get("credit_code", "")))
        if problem := credit_code_problem(code):
            problems.append(Problem(location=where, field="credit_code", reason=problem))
        if dept.get("region") not in region_codes:
            problems.append(Problem(location=where, field="region", reason=_("Unknown region.")))
        if dept.get("parent") and normalise_code(dept["parent"]) not in credit_codes:
            problems.append(
                Problem(location=where, field="parent", reason=_("Unknown parent department."))
            )
        if not str(dept.get("name", "")).strip():
            problems.append(Problem(location=where, field="name", reason=_("Required.")))
        credit_codes.add(code)
    for i, hall in enumerate(data.get("halls", []), start=1):
        where = f"halls[{i}]"
        if not str(hall.get("code", "")).strip():
            problems.append(Problem(location=where, field="code", reason=_("Required.")))
        if hall.get("region") not in region_codes:
            problems.append(Problem(location=where, field="region", reason=_("Unknown region.")))
        numbers = [w.get("number") for w in hall.get("windows", [])]
        if len(numbers) != len(set(numbers)):
            problems.append(
                Problem(location=where, field="windows", reason=_("Window numbers repeat."))
            )
        for w in hall.get("windows", []):
            if w.get("kind") not in Window.Kind.values:
                problems.append(
                    Problem(location=where, field="windows.kind", reason=_("Unknown kind."))
                )
    return problems


def organizations_import(*, actor: Actor, data: dict[str, Any]) -> dict[str, int]:
    """Create or update regions, departments, halls and windows from one document.

    All or nothing: every problem is reported and nothing is written if there is any.
    """
    if not actor.has_role("administrator"):
        raise Forbidden()
    problems = _validate(data)
    if problems:
        raise InvalidInput(problems=problems)
    with transaction.atomic():
        for region in data.get("regions", []):
            Region.objects.update_or_create(
                code=region["code"],
                defaults={
                    "name": region["name"].strip(),
                    "name_en": region.get("name_en", ""),
                    "level": region["level"],
                    "parent_id": region.get("parent") or None,
                },
            )
        for dept in data.get("departments", []):
            parent = None
            if dept.get("parent"):
                parent = Department.objects.get(credit_code=normalise_code(dept["parent"]))
            Department.objects.update_or_create(
                credit_code=normalise_code(dept["credit_code"]),
                defaults={
                    "name": dept["name"].strip(),
                    "name_en": dept.get("name_en", ""),
                    "short_name": dept.get("short_name", ""),
                    "region_id": dept["region"],
                    "parent": parent,
                    "phone": dept.get("phone", ""),
                    "address": dept.get("address", ""),
                },
            )
        windows = 0
        for hall_data in data.get("halls", []):
            hall, _created = Hall.objects.update_or_create(
                code=hall_data["code"],
                defaults={
                    "name": hall_data["name"],
                    "name_en": hall_data.get("name_en", ""),
                    "region_id": hall_data["region"],
                    "address": hall_data.get("address", ""),
                    "office_hours": hall_data.get("office_hours", ""),
                    "phone": hall_data.get("phone", ""),
                },
            )
            for w in hall_data.get("windows", []):
                Window.objects.update_or_create(
                    hall=hall,
                    number=w["number"],
                    defaults={
                        "name": w["name"],
                        "name_en": w.get("name_en", ""),
                        "kind": w["kind"],
                    },
                )
                windows += 1
        summary = {
            "regions": len(data.get("regions", [])),
            "departments": len(data.get("departments", [])),
            "halls": len(data.get("halls", [])),
            "windows": windows,
        }
        audit_log(actor=actor, action="organizations.import", data=summary)
    return summary
