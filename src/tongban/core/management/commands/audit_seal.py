from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from tongban.core.chain import seal_all_chains


class Command(BaseCommand):
    help = (
        "Link unsealed records of every chained log (the audit log, the exchange message log) "
        "into their hash chains and sign checkpoints."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--loop", type=float, default=0, help="keep sealing every N seconds")

    def handle(self, *args: Any, loop: float, **options: Any) -> None:
        while True:
            sealed = seal_all_chains()
            if any(sealed.values()) or not loop:
                for name, count in sealed.items():
                    self.stdout.write(f"sealed {count} {name} records")
            if not loop:
                return
            time.sleep(loop)
