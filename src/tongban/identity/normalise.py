"""Cleaning what people type into identity forms: fix what is safely fixable, refuse the rest."""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from tongban.core.errors import Problem

# Mainland mobile numbers: 11 digits starting with 1[3-9].
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
# Names: Chinese characters, Latin letters, the middle dot of transcribed names (·), spaces.
_NAME = re.compile(r"^[\u3400-\u9fff\uf900-\ufaffA-Za-z·• .'-]{1,50}$")


def clean_phone(value: str) -> tuple[str, Problem | None]:
    phone = unicodedata.normalize("NFKC", value or "")
    phone = re.sub(r"[\s\-()]", "", phone)
    if phone.startswith("+86"):
        phone = phone[3:]
    elif phone.startswith("0086"):
        phone = phone[4:]
    if not _MOBILE.match(phone):
        return phone, Problem(
            field="phone", reason=str(_("Enter an 11-digit mobile number, e.g. 13812345678."))
        )
    return phone, None


def clean_name(value: str, *, field: str = "name") -> tuple[str, Problem | None]:
    name = unicodedata.normalize("NFKC", value or "").strip()
    name = re.sub(r"\s+", " ", name).replace("•", "·")
    if not name:
        return name, Problem(field=field, reason=str(_("Enter the name.")))
    if not _NAME.match(name):
        return name, Problem(
            field=field,
            reason=str(
                _("A name has at most 50 Chinese characters or letters (and · for middle dots).")
            ),
        )
    return name, None


def clean_email(value: str) -> tuple[str, Problem | None]:
    email = unicodedata.normalize("NFKC", value or "").strip()
    if not email:
        return "", None
    if len(email) > 254:
        return email, Problem(field="email", reason=str(_("This e-mail address is too long.")))
    try:
        validate_email(email)
    except ValidationError:
        return email, Problem(field="email", reason=str(_("Enter a valid e-mail address.")))
    local, _sep, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}", None
