from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tongban.certificates.services import certificate_import
from tongban.certificates.services.imports import MAX_BYTES
from tongban.core.errors import InvalidInput
from tongban.core.types import Actor


class Command(BaseCommand):
    help = "Import certificates from a CSV file: all or nothing, with a report of every problem."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")

    def handle(self, *args: Any, file: str, **options: Any) -> None:
        path = Path(file)
        try:
            with path.open("rb") as handle:
                content = handle.read(MAX_BYTES + 1)
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        try:
            summary = certificate_import(
                actor=Actor.system("certificate_import"), content=content, filename=path.name
            )
        except InvalidInput as exc:
            for problem in exc.problems:
                self.stderr.write(f"{problem.location}: {problem.field}: {problem.reason}")
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(f"imported {summary['certificates']} certificates")
