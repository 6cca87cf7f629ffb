from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tongban.certificates.services import signing_key_rotate
from tongban.core.errors import TongbanError
from tongban.core.types import Actor


class Command(BaseCommand):
    help = "Rotate a department's certificate signing key (the old key stays in the JWKS)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--department", required=True, help="the department's credit code")

    def handle(self, *args: Any, department: str, **options: Any) -> None:
        try:
            key = signing_key_rotate(
                actor=Actor.system("certificate_key_rotate"), department_code=department
            )
        except TongbanError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(f"new signing key {key.kid}")
