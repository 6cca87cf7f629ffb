from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from tongban.notifications.services import deliveries_sweep


class Command(BaseCommand):
    help = (
        "Re-enqueue notification deliveries left pending past their due time (a worker killed "
        "mid-send, a lost task). Run it every few minutes."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--loop", type=float, default=0, help="keep sweeping every N seconds")

    def handle(self, *args: Any, loop: float, **options: Any) -> None:
        while True:
            swept = deliveries_sweep()
            if swept or not loop:
                self.stdout.write(f"re-enqueued {swept} notification deliveries")
            if not loop:
                return
            time.sleep(loop)
