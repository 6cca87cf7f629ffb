from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from tongban.core.audit import audit_log
from tongban.core.types import Actor
from tongban.signing_keys import rotate


class Command(BaseCommand):
    help = (
        "Rotate the OpenID Connect signing key: the current key moves to the inactive keys "
        "(still published, so earlier tokens verify) and a new key signs from the next start "
        "of the server processes."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        stamp = timezone.now().strftime("%Y%m%dT%H%M%S")
        rotate(settings.OIDC_KEY_DIR, stamp=stamp)
        audit_log(
            actor=Actor.system("oidc_rotate_key"),
            action="identity.oidc_key.rotate",
            data={"retired": stamp},
        )
        self.stdout.write(f"Rotated; the previous key is kept as inactive/{stamp}.pem.")
        self.stdout.write("Restart the server processes to sign with the new key.")
