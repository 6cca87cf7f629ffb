from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from tongban.catalog.services import search_rebuild


class Command(BaseCommand):
    help = "Rebuild the catalog search index from the current published versions."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"indexed {search_rebuild()} items")
