"""Reads of the organisation model."""

from __future__ import annotations

import time

from django.db.models import QuerySet

from tongban.core.authorization import Target
from tongban.organizations.models import Department, Hall, Region


def department_target(department: Department) -> Target:
    """The department as the target of an authorisation check (its staff and its region's)."""
    return Target(
        kind="department",
        id=department.pk,
        department_id=department.pk,
        region_code=department.region_id,
    )


def department_get(*, department_id: int) -> Department | None:
    return Department.objects.select_related("region", "parent").filter(pk=department_id).first()


def region_list(*, level: str | None = None) -> QuerySet[Region]:
    qs = Region.objects.all()
    if level:
        qs = qs.filter(level=level)
    return qs


def hall_list() -> QuerySet[Hall]:
    return Hall.objects.select_related("region").prefetch_related("windows")


def department_list() -> QuerySet[Department]:
    return Department.objects.select_related("region").order_by("region_id", "name")


# Region codes are read on every ID number check (the gateway's population services, sign-up,
# the window); the tree changes a few times a year. Each process keeps them for a minute and
# drops them at once when a region is saved or deleted in it (``apps.py``); another process
# sees a new region within the minute.
REGION_CODES_TTL = 60.0
_region_codes: tuple[float, tuple[str, ...]] | None = None


def region_codes() -> tuple[str, ...]:
    """Every 6-digit (province to district) region code of the region tree."""
    global _region_codes
    now = time.monotonic()
    if _region_codes is not None and now - _region_codes[0] < REGION_CODES_TTL:
        return _region_codes[1]
    codes = tuple(c for c in Region.objects.values_list("code", flat=True) if len(c) == 6)
    _region_codes = (now, codes)
    return codes


def region_codes_forget(**_kwargs: object) -> None:
    global _region_codes
    _region_codes = None


def department_by_code(*, credit_code: str) -> Department | None:
    return Department.objects.filter(credit_code=credit_code).first()


def acting_unit_name(*, department_id: int | None, region_code: str | None) -> str:
    """The name a person reads in their data tracker for the staff who looked at their data:
    the department, else the region whose service windows the staff work at."""
    if department_id is not None:
        department = Department.objects.filter(pk=department_id).only("name").first()
        if department is not None:
            return department.name
    if region_code:
        region = Region.objects.filter(code=region_code).only("name").first()
        if region is not None:
            return region.name
    return ""
