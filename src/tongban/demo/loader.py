"""Load the demo city (江川市) through the same services staff and imports use."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from tongban.catalog import services as catalog_services
from tongban.core.audit import audit_seal_all
from tongban.core.types import Actor
from tongban.demo import city
from tongban.identity import services as identity_services
from tongban.organizations import services as organization_services
from tongban.organizations.models import Department


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    description: str


DEMO_PASSWORD = "Tongban-demo-2026"  # noqa: S105 - printed for the demo on purpose


def demo_accounts() -> list[DemoAccount]:
    return [
        DemoAccount("admin", DEMO_PASSWORD, "administrator (everything)"),
        DemoAccount("catalog.city", DEMO_PASSWORD, "catalog manager, whole city"),
        DemoAccount("catalog.amr", DEMO_PASSWORD, "catalog manager, city market regulation"),
        DemoAccount("auditor", DEMO_PASSWORD, "auditor (reads the audit log)"),
    ]


def load_demo_city() -> dict[str, int]:
    """Organisations, the published catalog and the demo staff accounts."""
    system = Actor.system("load_demo")
    with transaction.atomic():
        orgs = organization_services.organizations_import(actor=system, data=city.organizations())
        summary = catalog_services.catalog_import_document(
            actor=system, document=city.catalog(), publish=True
        )
        user_model = get_user_model()
        if not user_model.objects.filter(username="admin").exists():
            user_model.objects.create_superuser("admin", "admin@tongban.example", DEMO_PASSWORD)
        city_code = city.organizations()["regions"][1]["code"]
        amr = Department.objects.filter(
            name__contains="市场监督管理局", region_id=city_code
        ).first()
        staff = [
            ("catalog.city", [("catalog_manager", None, city_code)]),
            ("catalog.amr", [("catalog_manager", amr.pk if amr else None, city_code)]),
            ("auditor", [("auditor", None, None)]),
        ]
        for username, roles in staff:
            if not user_model.objects.filter(username=username).exists():
                identity_services.staff_user_create(
                    actor=system, username=username, password=DEMO_PASSWORD, roles=roles
                )
    audit_seal_all()
    return {**orgs, **summary}
