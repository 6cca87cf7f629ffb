"""Reads of the certificate library: wallets, look-ups, published keys and status lists."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from tongban.certificates.models import (
    Certificate,
    CertificateEvent,
    CertificateType,
    CertificateUse,
    HolderKind,
)
from tongban.certificates.services.issuance import holder_index
from tongban.certificates.services.keys import department_jwks, platform_jwks
from tongban.core.ids import normalise_code

__all__ = [
    "certificate_events",
    "certificate_get",
    "certificate_type_for_item",
    "certificate_type_get",
    "certificate_uses",
    "certificates_for_company",
    "certificates_for_person",
    "certificates_of_case",
    "certificates_valid_for_holder",
    "department_jwks",
    "platform_jwks",
]

_WALLET_RELATED = ("type", "issuer")


def certificate_get(*, identifier: str) -> Certificate | None:
    return (
        Certificate.objects.select_related(*_WALLET_RELATED)
        .filter(identifier=normalise_code(identifier))
        .first()
    )


def certificates_for_person(*, person: Any) -> QuerySet[Certificate]:
    """A person's wallet (every version, newest first): linked to the account, or issued to
    the person's ID number before the account existed."""
    return Certificate.objects.select_related(*_WALLET_RELATED).filter(
        Q(holder_person=person)
        | Q(holder_kind=HolderKind.PERSON, holder_code_index=person.id_number_index)
    )


def certificates_for_company(*, company: Any) -> QuerySet[Certificate]:
    index = holder_index(holder_kind=HolderKind.COMPANY, code=company.credit_code)
    return Certificate.objects.select_related(*_WALLET_RELATED).filter(
        Q(holder_company=company) | Q(holder_kind=HolderKind.COMPANY, holder_code_index=index)
    )


def certificates_valid_for_holder(
    *, holder_kind: str, holder_code: str, type_codes: list[str] | None = None
) -> QuerySet[Certificate]:
    """The valid certificates of a holder (for "never ask again": 证照免带), optionally of
    some types."""
    qs = Certificate.objects.select_related(*_WALLET_RELATED).filter(
        holder_kind=holder_kind,
        holder_code_index=holder_index(holder_kind=holder_kind, code=normalise_code(holder_code)),
        status=Certificate.Status.VALID,
    )
    if type_codes is not None:
        qs = qs.filter(type__code__in=type_codes)
    return qs


def certificates_of_case(*, case_number: str) -> QuerySet[Certificate]:
    """The certificates a case's approval issued (every version it made)."""
    return Certificate.objects.select_related(*_WALLET_RELATED).filter(case_number=case_number)


def certificate_uses(*, certificate: Certificate) -> QuerySet[CertificateUse]:
    """Who used this certificate — any version of it — and why (newest first), for its
    holder."""
    return CertificateUse.objects.select_related("department", "certificate").filter(
        certificate__type_id=certificate.type_id,
        certificate__issuer_id=certificate.issuer_id,
        certificate__serial=certificate.serial,
    )


def certificate_type_get(*, code: str) -> CertificateType | None:
    return CertificateType.objects.filter(code=normalise_code(code)).first()


def certificate_type_for_item(*, base_code: str) -> CertificateType | None:
    """The certificate type an item's approval produces (its base code is listed)."""
    for certificate_type in CertificateType.objects.all():
        if base_code in certificate_type.producing_item_codes:
            return certificate_type
    return None


def certificate_events(*, certificate_id: int) -> QuerySet[CertificateEvent]:
    return CertificateEvent.objects.filter(certificate_id=certificate_id)
