from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tongban.core.errors import InvalidInput
from tongban.core.types import Actor
from tongban.workflow.services import DEFAULT_CALENDAR_FILE, calendar_load_file


class Command(BaseCommand):
    help = (
        "Load a holiday calendar CSV file (date,kind,name) into the legal clock's calendar; "
        "by default the official arrangement shipped with Tongban. All or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file", nargs="?", default=str(DEFAULT_CALENDAR_FILE), help="the CSV file"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = calendar_load_file(actor=Actor.system("calendar_load"), path=options["file"])
        except InvalidInput as exc:
            for problem in exc.problems:
                self.stderr.write(f"{problem.location}: {problem.field}: {problem.reason}")
            raise CommandError(
                f"{options['file']}: {len(exc.problems)} problems, nothing loaded"
            ) from exc
        self.stdout.write(
            f"{options['file']}: {summary['created']} created, {summary['updated']} updated, "
            f"{summary['unchanged']} unchanged"
        )
