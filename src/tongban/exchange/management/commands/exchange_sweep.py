from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from tongban.exchange.services import grants_sweep


class Command(BaseCommand):
    help = (
        "The exchange's round on the working-day clock: warn providers whose answer to an "
        "access request is due within two working days, escalate the overdue ones (once each)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--loop", type=float, default=0, help="repeat every N seconds")

    def handle(self, *args: Any, loop: float, **options: Any) -> None:
        while True:
            warned, escalated = grants_sweep()
            if warned or escalated or not loop:
                self.stdout.write(f"warned {warned}, escalated {escalated} access requests")
            if not loop:
                return
            time.sleep(loop)
