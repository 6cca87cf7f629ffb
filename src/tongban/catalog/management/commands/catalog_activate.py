from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from tongban.catalog.services import catalog_activate_due


class Command(BaseCommand):
    help = "Make current every published version whose effective date has come (run daily)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"activated {catalog_activate_due()} versions")
