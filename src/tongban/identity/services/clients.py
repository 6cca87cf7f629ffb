"""Single sign-on clients (department systems), registered by an administrator."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from oauth2_provider.models import get_application_model

from tongban.core.audit import audit_log
from tongban.core.authorization import Target, authorize
from tongban.core.errors import InvalidInput, Problem
from tongban.core.types import Actor
from tongban.identity.models import ClientPolicy


def _uri_problems(field: str, uris: list[str]) -> list[Problem]:
    allowed = settings.OAUTH2_PROVIDER["ALLOWED_REDIRECT_URI_SCHEMES"]
    problems = []
    for uri in uris:
        parts = urlsplit(uri)
        if parts.scheme not in allowed or not parts.netloc or parts.fragment:
            problems.append(
                Problem(
                    field=field,
                    reason=str(
                        _("Not an allowed address (%(schemes)s, no fragment): %(uri)s")
                        % {"schemes": ", ".join(allowed), "uri": uri[:200]}
                    ),
                )
            )
    return problems


def oidc_client_create(
    *,
    actor: Actor,
    name: str,
    redirect_uris: list[str],
    post_logout_uris: list[str] | None = None,
    confidential: bool = True,
    scopes: list[str] | None = None,
) -> tuple[object, str]:
    """Register a department system for authorisation code + PKCE (S256) sign-in with RS256 ID
    tokens. Returns the client and, for a confidential client, its secret (shown once)."""
    authorize(actor, "oidc.client.manage", Target(kind="oidc_client"))
    name = (name or "").strip()
    problems = _uri_problems("redirect_uris", redirect_uris)
    problems += _uri_problems("post_logout_uris", post_logout_uris or [])
    if not name or len(name) > 200:
        problems.append(
            Problem(field="name", reason=str(_("Enter a name of at most 200 characters.")))
        )
    if not redirect_uris:
        problems.append(
            Problem(field="redirect_uris", reason=str(_("Enter at least one address.")))
        )
    known = set(settings.OAUTH2_PROVIDER["SCOPES"])
    allowed = (
        list(dict.fromkeys(scopes)) if scopes is not None else list(ClientPolicy.DEFAULT_SCOPES)
    )
    if "openid" not in allowed or not set(allowed) <= known:
        problems.append(
            Problem(field="scopes", reason=str(_("Choose known scopes, openid included.")))
        )
    if problems:
        raise InvalidInput(problems=problems)
    application_model = get_application_model()
    secret = secrets.token_urlsafe(32) if confidential else ""
    with transaction.atomic():
        client = application_model.objects.create(
            name=name,
            client_type=(
                application_model.CLIENT_CONFIDENTIAL
                if confidential
                else application_model.CLIENT_PUBLIC
            ),
            authorization_grant_type=application_model.GRANT_AUTHORIZATION_CODE,
            redirect_uris=" ".join(redirect_uris),
            post_logout_redirect_uris=" ".join(post_logout_uris or []),
            algorithm=application_model.RS256_ALGORITHM,
            client_secret=secret,
            hash_client_secret=True,
            skip_authorization=False,
        )
        ClientPolicy.objects.create(application=client, allowed_scopes=allowed)
        audit_log(
            actor=actor,
            action="identity.oidc_client.create",
            object_type="oidc_client",
            object_id=client.pk,
            data={
                "name": name,
                "client_id": client.client_id,
                "redirect_uris": redirect_uris,
                "scopes": allowed,
            },
        )
    return client, secret
