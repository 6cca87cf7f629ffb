from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from tongban.catalog.models import ImplementationItem
from tongban.demo.loader import STAFF, demo_accounts, load_demo_city
from tongban.demo.people import totp_secret


class Command(BaseCommand):
    help = "Load the demo city (organisations, catalog, staff accounts) unless already loaded."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--force", action="store_true", help="load again (new versions)")
        parser.add_argument(
            "--url",
            default="http://127.0.0.1:8000",
            help="where the demo is served, for the printed links (make demo passes its own)",
        )

    def handle(self, *args: Any, force: bool, url: str, **options: Any) -> None:
        if ImplementationItem.objects.exists() and not force:
            self.stdout.write("The demo city is already loaded.")
        else:
            summary = load_demo_city()
            self.stdout.write(
                "Loaded the demo city: "
                + ", ".join(f"{value} {key}" for key, value in summary.items())
            )
        self.stdout.write("")
        site = url.rstrip("/")
        self.stdout.write(f"Demo accounts (staff workbench: {site}/workbench/):")
        for account in demo_accounts():
            self.stdout.write(
                f"  {account.username:<14} {account.password:<20} {account.description}"
            )
        self.stdout.write("")
        self.stdout.write(
            "Staff also enter a TOTP code. Add the key to an authenticator app, or print the"
        )
        self.stdout.write("current code with: .venv/bin/python manage.py demo_totp <user name>")
        for username in STAFF:
            self.stdout.write(f"  {username:<14} {totp_secret(username)}")
        self.stdout.write("SMS codes (registration, password reset) are printed on this console.")
        self.stdout.write("")
        self.stdout.write(f"Portal:    {site}/  (log in: /account/login/)")
        self.stdout.write(f"API docs:  {site}/api/v1/docs")
        self.stdout.write(f"Health:    {site}/healthz")
