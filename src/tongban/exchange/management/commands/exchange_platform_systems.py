from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tongban.core.types import Actor
from tongban.exchange.services import platform_systems_register
from tongban.organizations.selectors import department_by_code


class Command(BaseCommand):
    help = (
        "Register the platform's own functions (identity assurance, applications) as systems "
        "of the department that runs the platform; idempotent. Their grants are then requested "
        "like any member's (workbench or API)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("department", help="the department's unified social credit code")

    def handle(self, *args: Any, department: str, **options: Any) -> None:
        found = department_by_code(credit_code=department.strip().upper())
        if found is None:
            raise CommandError(f"no department with credit code {department!r}")
        for system in platform_systems_register(
            actor=Actor.system("exchange_platform_systems"), department_id=found.pk
        ):
            self.stdout.write(f"{system.code}: {system.name} ({found.name})")
