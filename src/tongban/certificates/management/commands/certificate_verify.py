from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tongban.certificates.verification import MAX_TOKEN_BYTES, verify_credential


def _read(value: str, *, limit: int) -> str:
    """The contents of the file ``value`` names, or ``value`` itself (a token on the line)."""
    path = Path(value)
    try:
        is_file = "~" not in value and path.is_file()
    except (OSError, ValueError):  # a token is no file name (too long, NUL…)
        is_file = False
    if not is_file:
        return value.strip()
    try:
        with path.open("rb") as handle:
            return handle.read(limit + 1).decode("utf-8", "replace").strip()
    except OSError as exc:
        raise CommandError(str(exc)) from exc


class Command(BaseCommand):
    help = (
        "Verify a certificate offline, with the published JWKS and status list only "
        "(no database). Exit status 0 when valid, 1 when not."
    )
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("token", help="the credential or presentation, or a file holding it")
        parser.add_argument("--jwks", required=True, help="the JWKS file")
        parser.add_argument("--status-list", help="the signed status list file (statuslist+jwt)")

    def handle(self, *args: Any, token: str, jwks: str, status_list: str | None, **o: Any) -> None:
        try:
            keys = json.loads(Path(jwks).read_text())
        except (OSError, ValueError) as exc:
            raise CommandError(f"cannot read the JWKS: {exc}") from exc
        status_token = _read(status_list, limit=512 * 1024) if status_list else None
        result = verify_credential(
            _read(token, limit=MAX_TOKEN_BYTES), jwks=keys, status_list_token=status_token
        )
        self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, default=str))
        if not result.valid:
            raise SystemExit(1)
