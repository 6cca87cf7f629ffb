"""Certificate types and issuing: define a type, issue a certificate, issue a new version.

Issuing locks the issuing department (its key and status list take turns), takes a status
list entry, signs the credential with the department's active key (made on first issue),
stores it sealed with the holder's code and face fields, and writes the ``issued`` event and
the audit record, in one transaction.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.certificates.credentials import SUBJECT_CLAIMS, CredentialContent, credential_issue
from tongban.certificates.identifiers import build_identifier, type_code_problem
from tongban.certificates.links import status_list_uri
from tongban.certificates.models import (
    CREDENTIAL_CONTEXT,
    FIELDS_CONTEXT,
    HOLDER_CODE_CONTEXT,
    HOLDER_CODE_TYPES,
    Certificate,
    CertificateEvent,
    CertificateType,
    HolderKind,
)
from tongban.certificates.services.keys import active_key, locked_department, signer_for
from tongban.certificates.services.status import (
    TRANSITIONS,
    Kind,
    Status,
    _clean_reason,
    apply_status,
    status_index_allocate,
)
from tongban.core.audit import audit_log
from tongban.core.authorization import Target, authorize
from tongban.core.crypto import blind_index, seal
from tongban.core.errors import Conflict, InvalidInput, NotFound, Problem
from tongban.core.ids import (
    credit_code_problem,
    mask_id_number,
    normalise_code,
    parse_citizen_id,
)
from tongban.core.text import has_nul
from tongban.core.types import Actor
from tongban.identity.models import Company, Person
from tongban.organizations.models import Department
from tongban.registries.models import CompanyRecord

_FIELD_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
FIELD_VALUE_MAX_LENGTH = 500
MAX_FACE_FIELDS = 40
# Claims computed from the holder rather than typed in (holder kind → claim names).
DERIVED_CLAIMS = {
    HolderKind.PERSON: ("birth_date", "age_over_18"),
    HolderKind.COMPANY: ("in_good_standing",),
}
# The blind-index contexts are identity's, so a person's wallet is found by their account's
# own index without opening any sealed value.
HOLDER_INDEX_CONTEXTS = {HolderKind.PERSON: "id_number", HolderKind.COMPANY: "credit_code"}
# Where the case engine takes a face field's value when a case's approval issues the
# certificate (``"from"`` of a face field): a field of the application form (``form.<name>``,
# the default being the field of the same key), the applicant's name or sex (read from the
# citizen ID number), the company's name, or the date of the decision.
FACE_SOURCES = ("person.name", "person.sex", "company.name", "decision.date")
_FORM_SOURCE = re.compile(r"^form\.[A-Za-z_][A-Za-z0-9_]{0,59}$")


def holder_index(*, holder_kind: str, code: str) -> str:
    return blind_index(code, context=HOLDER_INDEX_CONTEXTS[HolderKind(holder_kind)])


# ---------------------------------------------------------------------------------------------
# Types


def _face_field_problems(face_fields: Any) -> list[Problem]:
    if not isinstance(face_fields, list) or len(face_fields) > MAX_FACE_FIELDS:
        return [Problem(field="face_fields", reason=_("Give a list of face fields."))]
    problems, seen = [], set()
    for i, entry in enumerate(face_fields):
        key = entry.get("key") if isinstance(entry, dict) else None
        label = entry.get("label") if isinstance(entry, dict) else None
        if (
            not isinstance(key, str)
            or not _FIELD_KEY.match(key)
            or key in SUBJECT_CLAIMS
            or key in seen
            or not isinstance(label, str)
            or not label.strip()
            or not _face_source_ok(entry.get("from"))
        ):
            problems.append(
                Problem(
                    location=f"face_fields.{i}",
                    field="key",
                    reason=_(
                        "Each face field needs its own key (lower-case letters, digits and _), "
                        "a label, and, if it says where its value comes from, a known source."
                    ),
                )
            )
        seen.add(key)
    return problems


def _face_source_ok(source: Any) -> bool:
    return source is None or (
        isinstance(source, str) and (source in FACE_SOURCES or bool(_FORM_SOURCE.match(source)))
    )


def certificate_type_define(
    *,
    actor: Actor,
    code: str,
    name: str,
    holder_kind: str,
    face_fields: list[dict[str, Any]],
    issuing_department_codes: list[str],
    name_en: str = "",
    validity_years: int | None = None,
    producing_item_codes: list[str] | None = None,
    renewal_item_code: str = "",
    disclosable_claims: list[str] | None = None,
) -> CertificateType:
    """Create or update a certificate type (administrators; the demo loader and imports)."""
    if not actor.has_role("administrator"):
        from tongban.core.errors import Forbidden

        raise Forbidden()
    code = normalise_code(code)
    problems = []
    problem = type_code_problem(code)
    if problem:
        problems.append(Problem(field="code", reason=problem))
    if holder_kind not in HolderKind.values:
        problems.append(Problem(field="holder_kind", reason=_("Choose person or company.")))
    if not name.strip() or len(name) > 100 or has_nul(name):
        problems.append(Problem(field="name", reason=_("Give a name of at most 100 characters.")))
    problems += _face_field_problems(face_fields)
    if validity_years is not None and not 1 <= validity_years <= 100:
        problems.append(
            Problem(field="validity_years", reason=_("Validity is 1 to 100 years, or none."))
        )
    departments = list(
        Department.objects.filter(
            credit_code__in=[normalise_code(c) for c in issuing_department_codes]
        )
    )
    if len(departments) != len(set(issuing_department_codes)) or not departments:
        problems.append(
            Problem(field="issuing_departments", reason=_("An issuing department is unknown."))
        )
    keys = {f["key"] for f in face_fields if isinstance(f, dict)}
    allowed = keys | set(SUBJECT_CLAIMS) | set(DERIVED_CLAIMS.get(holder_kind, ()))
    disclosable = list(disclosable_claims or [])
    if any(c not in allowed or c in ("holderKind", "holderCodeType") for c in disclosable):
        problems.append(
            Problem(
                field="disclosable_claims",
                reason=_("A disclosable claim is neither a face field nor a holder claim."),
            )
        )
    if problems:
        raise InvalidInput(problems=problems)
    with transaction.atomic():
        certificate_type, created = CertificateType.objects.update_or_create(
            code=code,
            defaults={
                "name": name.strip(),
                "name_en": name_en.strip(),
                "holder_kind": holder_kind,
                "face_fields": face_fields,
                "validity_years": validity_years,
                "producing_item_codes": list(producing_item_codes or []),
                "renewal_item_code": renewal_item_code,
                "disclosable_claims": disclosable,
            },
        )
        certificate_type.issuing_departments.set(departments)
        audit_log(
            actor=actor,
            action="certificate.type.define",
            object_type="certificate_type",
            object_id=code,
            data={"created": created},
        )
    return certificate_type


# ---------------------------------------------------------------------------------------------
# Issuing


@dataclass(frozen=True)
class Holder:
    kind: str
    code: str
    name: str
    person: Person | None = None
    company: Company | None = None
    derived: Mapping[str, Any] | None = None


def _age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _holder(*, holder_kind: str, code: str, name: str, on: dt.date, field: str) -> Holder:
    name = " ".join((name or "").split())
    if not name or len(name) > 200 or has_nul(name):
        raise InvalidInput(
            problems=[Problem(field="holder_name", reason=_("Give the holder's name."))]
        )
    if holder_kind == HolderKind.PERSON:
        from tongban.identity.services import known_regions

        citizen = parse_citizen_id(code, field=field, known_regions=known_regions())
        person = Person.objects.filter(
            id_number_index=holder_index(holder_kind=holder_kind, code=citizen.number)
        ).first()
        return Holder(
            kind=holder_kind,
            code=citizen.number,
            name=name,
            person=person,
            derived={
                "birth_date": citizen.birth_date.isoformat(),
                "age_over_18": _age_on(citizen.birth_date, on) >= 18,
            },
        )
    problem = credit_code_problem(code)
    if problem:
        raise InvalidInput(problems=[Problem(field=field, reason=problem)])
    number = normalise_code(code)
    record = CompanyRecord.objects.filter(credit_code=number).first()
    return Holder(
        kind=holder_kind,
        code=number,
        name=name,
        company=Company.objects.filter(credit_code=number).first(),
        derived={
            "in_good_standing": record is not None and record.status == CompanyRecord.Status.ACTIVE
        },
    )


def _clean_fields(certificate_type: CertificateType, fields: Mapping[str, Any]) -> dict[str, str]:
    problems = []
    known = {f["key"]: f for f in certificate_type.face_fields}
    cleaned: dict[str, str] = {}
    for key, value in fields.items():
        if key not in known:
            problems.append(
                Problem(field=f"fields.{key}"[:100], reason=_("No such face field on this type."))
            )
            continue
        text = "" if value is None else str(value).strip()
        if has_nul(text) or len(text) > FIELD_VALUE_MAX_LENGTH:
            problems.append(
                Problem(
                    field=f"fields.{key}",
                    reason=_("At most %(n)d characters, without NUL.")
                    % {"n": FIELD_VALUE_MAX_LENGTH},
                )
            )
            continue
        if text:
            cleaned[key] = text
    for key, spec in known.items():
        if spec.get("required") and key not in cleaned:
            problems.append(Problem(field=f"fields.{key}", reason=_("This field is required.")))
    if problems:
        raise InvalidInput(problems=problems)
    return {key: cleaned[key] for key in known if key in cleaned}


def _valid_until(certificate_type: CertificateType, valid_from: dt.date) -> dt.date | None:
    if certificate_type.validity_years is None:
        return None
    try:
        end = valid_from.replace(year=valid_from.year + certificate_type.validity_years)
    except ValueError:  # 29 February
        end = valid_from.replace(year=valid_from.year + certificate_type.validity_years, day=28)
    return end - dt.timedelta(days=1)


def _new_serial(*, today: dt.date) -> str:
    return f"{today.year % 100:02d}{secrets.randbelow(10**8):08d}"


def _write_certificate(
    *,
    actor: Actor,
    certificate_type: CertificateType,
    department: Department,
    holder: Holder,
    fields: dict[str, str],
    serial: str | None,
    version: int,
    issued_on: dt.date,
    valid_from: dt.date,
    valid_until: dt.date | None,
    source: str,
    case_number: str | None,
    previous: Certificate | None,
) -> Certificate:
    """Sign and store one certificate version. The department row is locked by the caller."""
    key = active_key(department)
    status_list, index = status_index_allocate(department=department)
    if serial is None:
        for _attempt in range(10):
            serial = _new_serial(today=issued_on)
            if not Certificate.objects.filter(
                type=certificate_type, issuer=department, serial=serial
            ).exists():
                break
    assert serial is not None
    identifier = build_identifier(
        type_code=certificate_type.code,
        issuer_code=department.credit_code,
        serial=serial,
        version=version,
    )
    if Certificate.objects.filter(identifier=identifier).exists():
        raise Conflict(_("A certificate with this serial and version already exists."))
    content = CredentialContent(
        identifier=identifier,
        type_code=certificate_type.code,
        type_name=certificate_type.name,
        serial=serial,
        version=version,
        issuer_code=department.credit_code,
        issuer_name=department.name,
        jurisdiction=department.region_id,
        holder_kind=holder.kind,
        holder_name=holder.name,
        holder_code=holder.code,
        holder_code_type=HOLDER_CODE_TYPES[HolderKind(holder.kind)],
        issued_on=issued_on,
        valid_from=valid_from,
        valid_until=valid_until,
        status_uri=status_list_uri(issuer_code=department.credit_code, number=status_list.number),
        status_idx=index,
        fields=fields,
        derived=dict(holder.derived or {}),
        related_items=tuple(certificate_type.producing_item_codes),
        disclosable=tuple(certificate_type.disclosable_claims),
    )
    now = timezone.now()
    token = credential_issue(content, signer=signer_for(key), issued_at=int(now.timestamp()))
    certificate = Certificate.objects.create(
        identifier=identifier,
        type=certificate_type,
        serial=serial,
        version=version,
        previous=previous,
        holder_kind=holder.kind,
        holder_person=holder.person,
        holder_company=holder.company,
        holder_name=holder.name,
        holder_code_index=holder_index(holder_kind=holder.kind, code=holder.code),
        holder_code_sealed=seal(holder.code, context=HOLDER_CODE_CONTEXT),
        holder_code_masked=mask_id_number(holder.code)
        if holder.kind == HolderKind.PERSON
        else holder.code,
        issuer=department,
        signing_key=key,
        fields_sealed=seal(json.dumps(fields, ensure_ascii=False), context=FIELDS_CONTEXT),
        issued_on=issued_on,
        valid_from=valid_from,
        valid_until=valid_until,
        status=Status.VALID,
        status_list=status_list,
        status_index=index,
        credential_sealed=seal(token, context=CREDENTIAL_CONTEXT),
        source=source,
        case_number=case_number,
        created_at=now,
    )
    CertificateEvent.objects.create(
        certificate=certificate,
        kind=Kind.ISSUED,
        reason=case_number or "",
        actor=actor.reference[:80],
        actor_label=actor.label[:200],
        occurred_at=now,
    )
    audit_log(
        actor=actor,
        action="certificate.issue",
        object_type="certificate",
        object_id=identifier,
        data={
            "type": certificate_type.code,
            "holder": certificate.holder_code_masked,
            "version": version,
            "source": source,
            "case_number": case_number or "",
        },
    )
    return certificate


def _type_and_issuer(
    actor: Actor, type_code: str, issuer_department_id: int
) -> tuple[CertificateType, Department]:
    certificate_type = CertificateType.objects.filter(code=normalise_code(type_code)).first()
    if certificate_type is None:
        raise NotFound(_("There is no such certificate type."))
    department = Department.objects.filter(pk=issuer_department_id).first()
    if department is None:
        raise NotFound()
    authorize(
        actor,
        "certificate.issue",
        Target(kind="certificate", department_id=department.pk, region_code=department.region_id),
    )
    if not certificate_type.issuing_departments.filter(pk=department.pk).exists():
        raise InvalidInput(
            problems=[
                Problem(
                    field="issuer",
                    reason=_("This department does not issue certificates of this type."),
                )
            ]
        )
    return certificate_type, department


def certificate_issue(
    *,
    actor: Actor,
    type_code: str,
    issuer_department_id: int,
    holder_code: str,
    holder_name: str,
    fields: Mapping[str, Any],
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
    issued_on: dt.date | None = None,
    source: str = Certificate.Source.MANUAL,
    case_number: str | None = None,
    serial: str | None = None,
) -> Certificate:
    """Issue version 001 of a new certificate to a person (citizen ID number) or a company
    (credit code) and return it, signed, stored and audited.

    ``valid_until`` defaults to the type's validity rule; ``serial`` (imports of certificates
    issued elsewhere) defaults to a new random one. Approvers of the issuing department (or a
    system actor: the case engine, an import) may issue.
    """
    certificate_type, department = _type_and_issuer(actor, type_code, issuer_department_id)
    today = timezone.localdate()
    issued_on = issued_on or today
    valid_from = valid_from or issued_on
    holder = _holder(
        holder_kind=certificate_type.holder_kind,
        code=holder_code,
        name=holder_name,
        on=valid_from,
        field="holder_code",
    )
    cleaned = _clean_fields(certificate_type, fields)
    if valid_until is None:
        valid_until = _valid_until(certificate_type, valid_from)
    if valid_until is not None and valid_until < valid_from:
        raise InvalidInput(
            problems=[Problem(field="valid_until", reason=_("The end is before the start."))]
        )
    if source not in Certificate.Source.values:
        raise InvalidInput(problems=[Problem(field="source", reason=_("Unknown source."))])
    if case_number is not None and (len(case_number) > 40 or has_nul(case_number)):
        raise InvalidInput(problems=[Problem(field="case_number", reason=_("Too long."))])
    with transaction.atomic():
        department = locked_department(department.pk)
        return _write_certificate(
            actor=actor,
            certificate_type=certificate_type,
            department=department,
            holder=holder,
            fields=cleaned,
            serial=normalise_code(serial) if serial else None,
            version=1,
            issued_on=issued_on,
            valid_from=valid_from,
            valid_until=valid_until,
            source=source,
            case_number=case_number,
            previous=None,
        )


def certificate_new_version(
    *,
    actor: Actor,
    certificate_id: int,
    reason: str,
    fields: Mapping[str, Any] | None = None,
    renew: bool = False,
    source: str = Certificate.Source.MANUAL,
    case_number: str | None = None,
) -> Certificate:
    """Issue the next version of a certificate (same serial): a renewal (``renew``: valid from
    today, for a new term from the end of the old one, or from today if it has ended) or an
    annotation (加注: changed face fields, same validity). The old version is superseded in
    the same transaction."""
    reason = _clean_reason(reason, required=True)
    with transaction.atomic():
        old = (
            Certificate.objects.select_for_update(of=("self",))
            .select_related("type", "issuer")
            .filter(pk=certificate_id)
            .first()
        )
        if old is None:
            raise NotFound()
        certificate_type, department = _type_and_issuer(actor, old.type.code, old.issuer_id)
        if old.status not in TRANSITIONS[Kind.SUPERSEDED][1]:
            raise Conflict(
                _("Only a valid or suspended certificate gets a new version; this one is %(s)s.")
                % {"s": Status(old.status).label}
            )
        if old.version >= 999:
            raise Conflict(_("This certificate has no versions left."))
        merged = {**old.fields, **(fields or {})}
        cleaned = _clean_fields(certificate_type, merged)
        today = timezone.localdate()
        valid_from = today if renew else old.valid_from
        valid_until = old.valid_until
        if renew:
            # Renewing early loses nothing: the new term starts when the old one ends.
            start = today
            if old.valid_until is not None and old.valid_until >= today:
                start = old.valid_until + dt.timedelta(days=1)
            valid_until = _valid_until(certificate_type, start)
        holder = _holder(
            holder_kind=old.holder_kind,
            code=old.holder_code,
            name=old.holder_name,
            on=valid_from,
            field="holder_code",
        )
        department = locked_department(department.pk)
        apply_status(actor=actor, certificates=[old], kind=Kind.SUPERSEDED, reason=reason)
        return _write_certificate(
            actor=actor,
            certificate_type=certificate_type,
            department=department,
            holder=holder,
            fields=cleaned,
            serial=old.serial,
            version=old.version + 1,
            issued_on=today,
            valid_from=valid_from,
            valid_until=valid_until,
            source=source,
            case_number=case_number,
            previous=old,
        )
