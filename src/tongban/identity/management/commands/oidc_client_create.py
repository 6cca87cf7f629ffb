from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tongban.core.errors import InvalidInput
from tongban.core.types import Actor
from tongban.identity.services.clients import oidc_client_create


class Command(BaseCommand):
    help = "Register a department system as an OpenID Connect client; prints its id and secret."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--name", required=True)
        parser.add_argument("--redirect-uri", action="append", required=True)
        parser.add_argument("--post-logout-uri", action="append", default=[])
        parser.add_argument("--public", action="store_true", help="a client without a secret")
        parser.add_argument(
            "--scope",
            action="append",
            default=None,
            help="a scope the client may ask for (repeat; default: openid profile email phone "
            "company api)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            client, secret = oidc_client_create(
                actor=Actor.system("oidc_client_create"),
                name=options["name"],
                redirect_uris=options["redirect_uri"],
                post_logout_uris=options["post_logout_uri"],
                confidential=not options["public"],
                scopes=options["scope"],
            )
        except InvalidInput as exc:
            raise CommandError("; ".join(p.reason for p in exc.problems)) from exc
        self.stdout.write(f"client_id: {client.client_id}")
        if secret:
            self.stdout.write(f"client_secret: {secret}")
