"""Log-in with one identifier: a citizen ID number, a mobile number, a unified social credit
code (the company's legal representative), or a staff user name."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from tongban.core.crypto import blind_index
from tongban.core.ids import citizen_id_problem, credit_code_problem, normalise_code
from tongban.identity.models import ID_NUMBER_CONTEXT, PHONE_CONTEXT, Company, Person
from tongban.identity.normalise import clean_phone


def classify_identifier(identifier: str) -> tuple[str, str]:
    """("id_number" | "phone" | "credit_code" | "username", the normalised value)."""
    value = normalise_code(identifier)
    if len(value) == 18 and citizen_id_problem(value, known_regions=frozenset({value[:6]})) is None:
        return "id_number", value
    if len(value) == 18 and credit_code_problem(value) is None:
        return "credit_code", value
    phone, problem = clean_phone(identifier)
    if problem is None:
        return "phone", phone
    return "username", (identifier or "").strip()


def identifier_digest(identifier: str) -> str:
    """What lockout records keep instead of the identifier: no ID number in clear text."""
    kind, value = classify_identifier(identifier or "")
    return blind_index(f"{kind}:{value}", context="login")[:40]


def user_for_identifier(identifier: str) -> tuple[Any, Company | None]:
    """The user an identifier names, and the company when it is a credit code."""
    kind, value = classify_identifier(identifier)
    user_model = get_user_model()
    if kind == "id_number":
        person = (
            Person.objects.select_related("user")
            .filter(id_number_index=blind_index(value, context=ID_NUMBER_CONTEXT))
            .first()
        )
        return (person.user if person else None), None
    if kind == "phone":
        person = (
            Person.objects.select_related("user")
            .filter(phone_index=blind_index(value, context=PHONE_CONTEXT))
            .first()
        )
        return (person.user if person else None), None
    if kind == "credit_code":
        company = (
            Company.objects.select_related("representative__user").filter(credit_code=value).first()
        )
        return (company.representative.user if company else None), company
    # Staff sign in with their user name; persons' internal user names are not identifiers.
    user = user_model.objects.filter(username=value).exclude(username__startswith="p-").first()
    return user, None


class IdentifierBackend(ModelBackend):
    def authenticate(  # type: ignore[override]
        self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        if not username or password is None:
            return None
        user, company = user_for_identifier(username)
        if user is None:
            # Run the hasher anyway so that unknown identifiers take as long as known ones.
            get_user_model()().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            if request is not None:
                request.tongban_login_company = company
            return user
        return None
