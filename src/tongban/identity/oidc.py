"""The OpenID Connect claims Tongban releases, by scope (django-oauth-toolkit validator).

``openid`` gives the subject and the assurance level as ``acr``; ``profile`` the name, sex,
birth date and the masked ID number; ``id_number`` the full number (each release audited);
``phone`` and ``email`` the contact; ``company`` the company the person acts for; ``roles``
a staff member's roles. The consent page lists exactly these (``SCOPE_CLAIMS``).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauthlib.oauth2.rfc6749.grant_types.authorization_code import code_challenge_method_s256
from oauthlib.openid import Server

from tongban.core.audit import audit_log
from tongban.core.types import Actor
from tongban.identity.models import Person, StaffRole
from tongban.identity.services.mandates import acting_capacity

ACR_PREFIX = "urn:tongban:loa:"

SCOPE_CLAIMS: dict[str, list[Any]] = {
    "openid": [_("an identifier for you on this service"), _("your identity assurance level")],
    "profile": [
        _("your name"),
        _("sex"),
        _("birth date"),
        _("masked ID number (110***********002X)"),
    ],
    "id_number": [_("your full citizen ID number")],
    "phone": [_("your mobile number")],
    "email": [_("your e-mail address")],
    "company": [
        _(
            "the company you act for: its name, credit code, your capacity and the items "
            "your mandate covers"
        )
    ],
    "roles": [_("your staff roles, departments and regions")],
    "api": [_("use the Tongban API in your name for ten minutes at a time")],
}


class ClaimsValidator(OAuth2Validator):
    oidc_claim_scope = {
        "sub": "openid",
        "acr": "openid",
        "name": "profile",
        "gender": "profile",
        "birthdate": "profile",
        "id_number_masked": "profile",
        "id_number": "id_number",
        "phone_number": "phone",
        "phone_number_verified": "phone",
        "email": "email",
        "email_verified": "email",
        "acting_for": "company",
        "roles": "roles",
    }

    def get_discovery_claims(self, request: Any) -> list[str]:
        return list(self.oidc_claim_scope)

    def validate_scopes(
        self, client_id: str, scopes: list[str], client: Any, request: Any, *args: Any, **kw: Any
    ) -> bool:
        """Only the scopes the administrator allowed this client (the full ID number and staff
        roles are never allowed by default)."""
        from tongban.identity.models import ClientPolicy

        if not super().validate_scopes(client_id, scopes, client, request, *args, **kw):
            return False
        policy = ClientPolicy.objects.filter(application=client).first()
        allowed = set(policy.allowed_scopes if policy else ClientPolicy.DEFAULT_SCOPES)
        return set(scopes) <= allowed

    def validate_silent_login(self, request: Any) -> bool:
        """``prompt=none``: the authorization view only runs for a signed-in user."""
        return True

    def validate_silent_authorization(self, request: Any) -> bool:
        """``prompt=none`` never skips the consent page: the client gets ``consent_required``
        and must show the person what it asks for."""
        return False

    def get_additional_claims(self, request: Any) -> dict[str, Any]:
        user = request.user
        person = Person.objects.select_related("acting_for").filter(user_id=user.pk).first()
        scopes = set(request.scopes or [])
        claims: dict[str, Any] = {"acr": f"{ACR_PREFIX}{person.assurance_level if person else 0}"}
        if person is not None:
            claims.update(
                name=person.name,
                gender=person.sex,
                birthdate=person.birth_date.isoformat(),
                id_number_masked=person.id_number_masked,
                phone_number_verified=person.phone_verified_at is not None,
                email_verified=person.email_verified_at is not None,
            )
            if person.email:
                claims["email"] = person.email
            if "phone" in scopes and person.phone_sealed:
                claims["phone_number"] = "+86" + person.phone
            if "id_number" in scopes:
                claims["id_number"] = person.id_number
                client = getattr(request.client, "client_id", "")
                audit_log(
                    actor=Actor(
                        kind="user", user_id=user.pk, label=user.get_username(), person_id=person.pk
                    ),
                    action="identity.person.reveal",
                    object_type="person",
                    object_id=person.pk,
                    data={"field": "id_number", "reason": "oidc", "client": client},
                )
            company = person.acting_for
            capacity = acting_capacity(person_id=person.pk, company=company) if company else None
            if company is not None and capacity is not None:
                representative, codes = capacity
                claims["acting_for"] = {
                    "credit_code": company.credit_code,
                    "name": company.name,
                    "capacity": "representative" if representative else "agent",
                    # An agent's mandate: every item, or these base items only.
                    "items": "all" if codes is None else list(codes),
                }
        else:
            claims["name"] = user.get_full_name() or user.get_username()
        claims["roles"] = [
            {"role": r.role, "department": r.department_id, "region": r.region_id}
            for r in StaffRole.objects.filter(user_id=user.pk)
        ]
        return claims


class S256OnlyServer(Server):
    """The oauthlib server with PKCE method "plain" removed, so that a request using it is
    refused at the authorization endpoint, before the consent page."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        s256_only = {"S256": code_challenge_method_s256}
        self.auth_grant._code_challenge_methods = s256_only
        self.openid_connect_auth.proxy_target._code_challenge_methods = s256_only
