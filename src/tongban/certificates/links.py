"""The public addresses a certificate points at (built from ``settings.TONGBAN_PUBLIC_URL``).

The portal serves them: ``/certificates/status/{issuer credit code}/{number}`` answers the
signed status list (``application/statuslist+jwt``), ``/certificates/verify/{identifier}`` the
verification page a certificate's QR code opens, ``/certificates/jwks.json`` the keys.
"""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings


def public_url() -> str:
    return settings.TONGBAN_PUBLIC_URL.rstrip("/")


def status_list_uri(*, issuer_code: str, number: int) -> str:
    return f"{public_url()}/certificates/status/{issuer_code}/{number}"


def verification_url(identifier: str) -> str:
    return f"{public_url()}/certificates/verify/{quote(identifier, safe='.')}"


def jwks_url() -> str:
    return f"{public_url()}/certificates/jwks.json"
