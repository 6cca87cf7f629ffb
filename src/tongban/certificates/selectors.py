"""Reads of the certificate library: wallets, look-ups, published keys and status lists, and
what the issuing departments' staff find and may issue."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from tongban.certificates.identifiers import PREFIX as IDENTIFIER_PREFIX
from tongban.certificates.models import (
    Certificate,
    CertificateEvent,
    CertificateType,
    CertificateUse,
    HolderKind,
)
from tongban.certificates.services.issuance import holder_index
from tongban.certificates.services.keys import department_jwks, platform_jwks
from tongban.core.audit import audit_log
from tongban.core.authorization import RULES, Target, permits
from tongban.core.errors import NotFound
from tongban.core.ids import mask_id_number, normalise_code
from tongban.core.types import Actor, region_prefix
from tongban.organizations.models import Department

__all__ = [
    "IssueChoice",
    "certificate_events",
    "certificate_for_staff",
    "certificate_get",
    "certificate_issue_choices",
    "certificate_target",
    "certificate_type_for_item",
    "certificate_type_get",
    "certificate_uses",
    "certificate_versions",
    "certificates_for_company",
    "certificates_for_person",
    "certificates_for_staff",
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


# ---------------------------------------------------------------------------------------------
# Staff of the issuing departments ("certificate.view": reviewers, approvers, supervisors and
# auditors, in the departments and regions of their grants)

STAFF_LIST_LIMIT = 200


def certificate_target(certificate: Certificate) -> Target:
    """What a staff action on a certificate touches: the issuing department and its region."""
    return Target(
        kind="certificate",
        id=certificate.pk,
        department_id=certificate.issuer_id,
        region_code=certificate.issuer.region_id,
    )


def _staff_scope(actor: Actor) -> Q | None:
    """The certificates whose issuer lies inside the actor's view grants (None: every one)."""
    if actor.is_superuser:
        return None
    roles = (*RULES["certificate.view"].staff_roles, "administrator")
    query = Q(pk__in=[])
    for grant in actor.grants:
        if grant.role not in roles:
            continue
        part = Q()
        if grant.department_id is not None:
            part &= Q(issuer_id=grant.department_id)
        if grant.region_code is not None:
            part &= Q(issuer__region__code__startswith=region_prefix(grant.region_code))
        query |= part
    return query


def certificates_for_staff(*, actor: Actor, query: str = "") -> QuerySet[Certificate]:
    """The certificates of the departments the actor works for, newest first (every version):
    all of them, or those found by ``query``, a certificate identifier or the holder's ID
    number / credit code. A holder is found through the blind index of the code, never by
    opening sealed values, and the look-up is audited (with the code masked)."""
    scope = _staff_scope(actor)
    rows = Certificate.objects.select_related(*_WALLET_RELATED)
    if scope is not None:
        rows = rows.filter(scope)
    text = normalise_code(query)[:100]
    if not text:
        return rows
    if text.startswith(IDENTIFIER_PREFIX + "."):
        return rows.filter(identifier=text)
    audit_log(
        actor=actor,
        action="certificate.search",
        object_type="certificate",
        data={"holder": mask_id_number(text)},
    )
    return rows.filter(
        Q(
            holder_kind=HolderKind.PERSON,
            holder_code_index=holder_index(holder_kind=HolderKind.PERSON, code=text),
        )
        | Q(
            holder_kind=HolderKind.COMPANY,
            holder_code_index=holder_index(holder_kind=HolderKind.COMPANY, code=text),
        )
    )


def certificate_for_staff(*, actor: Actor, identifier: str, audit: bool = True) -> Certificate:
    """One certificate for the staff of its issuing department; ``NotFound`` for anyone else
    (whether it exists is not told). Reading it (its face) is audited unless ``audit`` is off
    (an action's own audit record follows)."""
    certificate = (
        Certificate.objects.select_related("type", "issuer", "signing_key", "previous")
        .filter(identifier=normalise_code(identifier)[:100])
        .first()
    )
    if certificate is None or not permits(
        actor, "certificate.view", certificate_target(certificate)
    ):
        raise NotFound()
    if audit:
        audit_log(
            actor=actor,
            action="certificate.view",
            object_type="certificate",
            object_id=certificate.identifier,
        )
    return certificate


def certificate_versions(*, certificate: Certificate) -> QuerySet[Certificate]:
    """Every version of a certificate (same type, issuer and serial), oldest first."""
    return Certificate.objects.filter(
        type_id=certificate.type_id, issuer_id=certificate.issuer_id, serial=certificate.serial
    ).order_by("version")


@dataclass(frozen=True)
class IssueChoice:
    """A certificate type and the issuing departments the actor may issue it for."""

    certificate_type: CertificateType
    departments: tuple[Department, ...]


def certificate_issue_choices(*, actor: Actor) -> list[IssueChoice]:
    """What the actor may issue by hand: each type with the departments (among its issuing
    departments) where the actor holds "certificate.issue". The service checks again."""
    choices = []
    for certificate_type in CertificateType.objects.prefetch_related("issuing_departments"):
        departments = tuple(
            d
            for d in certificate_type.issuing_departments.all()
            if permits(
                actor,
                "certificate.issue",
                Target(kind="certificate", department_id=d.pk, region_code=d.region_id),
            )
        )
        if departments:
            choices.append(IssueChoice(certificate_type=certificate_type, departments=departments))
    return choices
