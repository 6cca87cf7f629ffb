from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from tongban.cases.services.renewals import NOTICE_DAYS, certificates_remind_expiring
from tongban.certificates.services import certificates_expire_due
from tongban.core.types import Actor


class Command(BaseCommand):
    help = (
        "The certificate library's daily round: mark certificates whose validity has ended as "
        "expired, and remind holders of those ending within the notice period (once each)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--days", type=int, default=NOTICE_DAYS, help="notice period")
        parser.add_argument("--loop", type=float, default=0, help="repeat every N seconds")

    def handle(self, *args: Any, days: int, loop: float, **options: Any) -> None:
        actor = Actor.system("certificates_sweep")
        while True:
            expired = certificates_expire_due(actor=actor)
            reminded = certificates_remind_expiring(actor=actor, days=days)
            if expired or reminded or not loop:
                self.stdout.write(f"expired {expired}, reminded {reminded} certificates")
            if not loop:
                return
            time.sleep(loop)
