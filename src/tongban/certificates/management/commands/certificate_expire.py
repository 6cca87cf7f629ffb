from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from tongban.certificates.services import certificates_expire_due
from tongban.core.types import Actor


class Command(BaseCommand):
    help = "Mark certificates whose validity has ended as expired (run daily; idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = certificates_expire_due(actor=Actor.system("certificate_expire"))
        self.stdout.write(f"expired {count} certificates")
