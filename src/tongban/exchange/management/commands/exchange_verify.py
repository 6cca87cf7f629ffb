from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tongban.exchange.log import MESSAGE_CHAIN


class Command(BaseCommand):
    help = (
        "Verify the exchange message log's hash chain and signed checkpoints; "
        "exit 1 on any problem (an edited, deleted or inserted message, a forged checkpoint)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = MESSAGE_CHAIN.verify()
        self.stdout.write(
            f"checked {report.records_checked} messages and {report.checkpoints_checked} "
            f"checkpoints; {report.unsealed} messages await sealing"
        )
        for problem in report.problems:
            self.stderr.write(f"PROBLEM: {problem}")
        if not report.ok:
            raise CommandError(
                f"exchange message log verification failed: {len(report.problems)} problems"
            )
        self.stdout.write("exchange message log OK")
