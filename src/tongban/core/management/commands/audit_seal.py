from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from tongban.core.audit import audit_seal_all


class Command(BaseCommand):
    help = "Link unsealed audit records into the hash chain and sign checkpoints."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--loop", type=float, default=0, help="keep sealing every N seconds")

    def handle(self, *args: Any, loop: float, **options: Any) -> None:
        while True:
            sealed = audit_seal_all()
            if sealed or not loop:
                self.stdout.write(f"sealed {sealed} audit records")
            if not loop:
                return
            time.sleep(loop)
