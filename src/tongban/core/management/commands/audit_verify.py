from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tongban.core.audit import audit_verify


class Command(BaseCommand):
    help = "Verify the audit log's hash chain and signed checkpoints; exit 1 on any problem."

    def handle(self, *args: Any, **options: Any) -> None:
        report = audit_verify()
        self.stdout.write(
            f"checked {report.records_checked} records and {report.checkpoints_checked} "
            f"checkpoints; {report.unsealed} records await sealing"
        )
        for problem in report.problems:
            self.stderr.write(f"PROBLEM: {problem}")
        if not report.ok:
            raise CommandError(f"audit log verification failed: {len(report.problems)} problems")
        self.stdout.write("audit log OK")
