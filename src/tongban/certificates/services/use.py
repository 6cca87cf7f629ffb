"""Using certificates (用证): attached to an application with the holder's consent, or looked
up by a department with a stated purpose (用证事由). Every use verifies the certificate as a
verifier outside the platform would (signature, issuer key, dates, status list), is appended to
the certificate's use log that the holder reads, and is audited."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from tongban.certificates.models import Certificate, CertificateUse, HolderKind
from tongban.certificates.services.issuance import holder_index
from tongban.certificates.services.verify import certificate_verify
from tongban.certificates.verification import VerificationResult
from tongban.core.audit import audit_log
from tongban.core.authorization import Target, authorize
from tongban.core.crypto import blind_index
from tongban.core.datause import COMPANY, PERSON, data_use_record
from tongban.core.errors import InvalidInput, Problem
from tongban.core.ids import credit_code_problem, normalise_code, parse_citizen_id
from tongban.core.models import DataUseRecord
from tongban.core.text import refuse_nul
from tongban.core.types import Actor

PURPOSE_MIN_LENGTH = 4
PURPOSE_MAX_LENGTH = 200
LOOKUP_MAX_TYPES = 20
_CASE_NUMBER = re.compile(r"^[0-9A-Z]{1,40}$")


@dataclass(frozen=True)
class LookedUp:
    certificate: Certificate
    verification: VerificationResult


def _acting_department(actor: Actor) -> int | None:
    return next((g.department_id for g in actor.grants if g.department_id is not None), None)


def _tracker_record(
    *,
    certificate: Certificate,
    channel: str,
    purpose: str,
    case_number: str,
    department_id: int | None,
    valid: bool,
) -> None:
    """What the holder's data tracker (我的数据用在哪) shows of this use."""
    from tongban.organizations.selectors import department_get

    if certificate.holder_kind == HolderKind.COMPANY:
        kind, index = COMPANY, normalise_code(certificate.holder_code)
    elif certificate.holder_person_id is not None:
        kind, index = PERSON, certificate.holder_person.id_number_index
    else:
        kind, index = PERSON, blind_index(certificate.holder_code.upper(), context="id_number")
    department = department_get(department_id=department_id) if department_id else None
    data_use_record(
        subject_kind=kind,
        subject_index=index,
        channel=DataUseRecord.Channel.CERTIFICATE,
        department=department.name if department else "",
        service=certificate.type.name,
        system=gettext_noop("Attached to an application")
        if channel == CertificateUse.Channel.APPLICATION
        else gettext_noop("Looked up by a department"),
        purpose=purpose,
        case_number=case_number,
        reference=certificate.identifier[:64],
        served=valid,
    )


def certificate_use_record(
    *,
    actor: Actor,
    certificate: Certificate,
    channel: str,
    purpose: str,
    case_number: str = "",
    department_id: int | None = None,
) -> VerificationResult:
    """Verify ``certificate`` now and append the use to its log (in the caller's transaction;
    the caller authorised the use)."""
    result = certificate_verify(token=certificate.credential)
    CertificateUse.objects.create(
        certificate=certificate,
        channel=channel,
        purpose=purpose[:PURPOSE_MAX_LENGTH],
        case_number=case_number[:40],
        department_id=department_id,
        user_id=actor.user_id,
        outcome="valid" if result.valid else result.reason[:20],
    )
    _tracker_record(
        certificate=certificate,
        channel=channel,
        purpose=purpose,
        case_number=case_number,
        department_id=department_id,
        valid=result.valid,
    )
    audit_log(
        actor=actor,
        action="certificate.use",
        object_type="certificate",
        object_id=certificate.pk,
        data={
            "channel": channel,
            "purpose": purpose[:PURPOSE_MAX_LENGTH],
            "case_number": case_number,
            "outcome": "valid" if result.valid else result.reason,
        },
    )
    return result


def _clean_purpose(purpose: object) -> str:
    refuse_nul(purpose, field="purpose")
    text = " ".join(str(purpose or "").split()) if isinstance(purpose, str) else ""
    if not PURPOSE_MIN_LENGTH <= len(text) <= PURPOSE_MAX_LENGTH:
        raise InvalidInput(
            problems=[
                Problem(
                    field="purpose",
                    reason=_(
                        "State the purpose of the look-up (用证事由), %(min)d to %(max)d "
                        "characters: the holder reads it."
                    )
                    % {"min": PURPOSE_MIN_LENGTH, "max": PURPOSE_MAX_LENGTH},
                )
            ]
        )
    return text


def _clean_holder(holder_kind: str, holder_code: object) -> str:
    if holder_kind not in HolderKind.values:
        raise InvalidInput(
            problems=[Problem(field="holder_kind", reason=_("A person or a company."))]
        )
    code = normalise_code(holder_code) if isinstance(holder_code, str) else ""
    if holder_kind == HolderKind.PERSON:
        from tongban.identity.services import known_regions

        parse_citizen_id(code, field="holder_code", known_regions=known_regions())
    elif credit_code_problem(code):
        raise InvalidInput(
            problems=[
                Problem(field="holder_code", reason=_("Not a valid unified social credit code."))
            ]
        )
    return code


def certificates_lookup(
    *,
    actor: Actor,
    holder_kind: str,
    holder_code: str,
    purpose: str,
    type_codes: Sequence[str] | None = None,
    case_number: str = "",
) -> list[LookedUp]:
    """A department's look-up of a holder's valid certificates (optionally of some types), for
    a stated purpose: each one found is verified, and the use logged where the holder reads
    it. The look-up itself is audited even when nothing is found."""
    authorize(actor, "certificate.lookup", Target(kind="certificate"))
    text = _clean_purpose(purpose)
    code = _clean_holder(holder_kind, holder_code)
    number = normalise_code(case_number) if isinstance(case_number, str) else ""
    if number and not _CASE_NUMBER.match(number):
        raise InvalidInput(problems=[Problem(field="case_number", reason=_("Not a case number."))])
    types = [normalise_code(t) for t in (type_codes or []) if isinstance(t, str)]
    if len(types) > LOOKUP_MAX_TYPES:
        raise InvalidInput(
            problems=[Problem(field="types", reason=_("At most 20 certificate types."))]
        )
    today = timezone.localdate()
    found = Certificate.objects.select_related("type", "issuer").filter(
        holder_kind=holder_kind,
        holder_code_index=holder_index(holder_kind=holder_kind, code=code),
        status=Certificate.Status.VALID,
        valid_from__lte=today,
    )
    if types:
        found = found.filter(type__code__in=types)
    department_id = _acting_department(actor)
    with transaction.atomic():
        results = [
            LookedUp(
                certificate=c,
                verification=certificate_use_record(
                    actor=actor,
                    certificate=c,
                    channel=CertificateUse.Channel.LOOKUP,
                    purpose=text,
                    case_number=number,
                    department_id=department_id,
                ),
            )
            for c in found.order_by("type__code", "-issued_on")[:50]
        ]
        audit_log(
            actor=actor,
            action="certificate.lookup",
            object_type="holder",
            object_id=holder_index(holder_kind=holder_kind, code=code)[:16],
            data={"purpose": text, "types": types, "found": len(results), "case": number},
        )
    return results
