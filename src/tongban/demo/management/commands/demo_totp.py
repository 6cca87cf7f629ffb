from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp

from tongban.demo.loader import STAFF
from tongban.demo.people import totp_key


class Command(BaseCommand):
    help = "Print the current TOTP code of a demo staff account (the demo's authenticator app)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username", choices=STAFF)

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        if username not in STAFF:
            raise CommandError("not a demo staff account")
        code = totp(bytes.fromhex(totp_key(username)), step=30, t0=0, digits=6)
        remaining = 30 - int(time.time()) % 30
        self.stdout.write(f"{code:06d}  (valid for {remaining} more seconds)")
