"""The result of an approved case in the certificate library (办结即发证).

When the item's approval produces a certificate type, approving the case issues the
certificate in the decision's transaction: to the applicant (a person's type), to the company
applied for, or — for an establishment case (设立登记) filed by a person — to the company the
approval founds, which gets a credit code, a registry entry and an account with the applicant as
its legal representative. When the item is the type's renewal item, the holder's current
certificate gets its next version instead. The face fields come from the approver's entries,
then from where each face field says (``from``: a form field, the applicant, the decision
date), so the approver types only what the application did not say.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.cases.models import Case
from tongban.cases.services.reuse import holder_code_of
from tongban.certificates.models import Certificate, CertificateType, HolderKind, face_label
from tongban.certificates.selectors import certificates_valid_for_holder
from tongban.certificates.services import certificate_issue, certificate_new_version
from tongban.core.errors import Forbidden, InvalidInput, Problem
from tongban.core.text import refuse_nul
from tongban.core.types import Actor
from tongban.identity.models import Company, Person
from tongban.identity.services import company_establish

# The form field that names the company an establishment case founds.
COMPANY_NAME_FIELD = "company_name"
HOLDER_NAME = "holder_name"


@dataclass(frozen=True)
class Result:
    """What approving a case will do in the certificate library."""

    certificate_type: CertificateType
    renews: Certificate | None  # the certificate that gets a new version, if a renewal
    establishes: bool  # a new company is founded (its name is asked for)


def _base_code(case: Case) -> str:
    return case.item.base_item.base_code


def _types() -> list[CertificateType]:
    return list(CertificateType.objects.prefetch_related("issuing_departments"))


def result_of(case: Case) -> Result | None:
    """The certificate the approval of ``case`` issues or renews (None: the item produces
    none, or renews one the holder does not hold)."""
    base_code = _base_code(case)
    for certificate_type in _types():
        if base_code in certificate_type.producing_item_codes:
            establishes = (
                certificate_type.holder_kind == HolderKind.COMPANY
                and case.applicant_company_id is None
            )
            return Result(certificate_type, renews=None, establishes=establishes)
        if base_code and certificate_type.renewal_item_code == base_code:
            code = holder_code_of(case, certificate_type.holder_kind)
            current = (
                certificates_valid_for_holder(
                    holder_kind=certificate_type.holder_kind,
                    holder_code=code,
                    type_codes=[certificate_type.code],
                )
                .order_by("-issued_on", "-pk")
                .first()
                if code
                else None
            )
            if current is not None:
                return Result(certificate_type, renews=current, establishes=False)
    return None


def _sex(person: Person | None) -> str:
    if person is None:
        return ""
    number = person.id_number
    return "男" if int(number[16]) % 2 else "女"


def _source_value(case: Case, source: str) -> str:
    person: Person | None = case.applicant_person
    company: Company | None = case.applicant_company
    if source == "person.name":
        return person.name if person else ""
    if source == "person.sex":
        return _sex(person)
    if source == "company.name":
        if company is not None:
            return company.name
        return str(case.form_data.get(COMPANY_NAME_FIELD) or "")
    if source == "decision.date":
        return timezone.localdate().isoformat()
    value = case.form_data.get(source.removeprefix("form."))
    return "" if value is None or isinstance(value, bool) else str(value)


def face_proposal(case: Case, result: Result) -> dict[str, str]:
    """The face fields as the case says them (what the approver sees prefilled)."""
    if result.renews is not None:
        proposal = dict(result.renews.fields)
        for spec in result.certificate_type.face_fields:
            source = spec.get("from") or f"form.{spec['key']}"
            value = _source_value(case, source) if source.startswith("form.") else ""
            if value:
                proposal[spec["key"]] = value
        return proposal
    proposal = {}
    for spec in result.certificate_type.face_fields:
        value = _source_value(case, spec.get("from") or f"form.{spec['key']}")
        if value:
            proposal[spec["key"]] = value
    if result.establishes:
        proposal[HOLDER_NAME] = _source_value(case, "company.name")
    return proposal


def certificate_proposal(*, actor: Actor, case: Case) -> tuple[Result, dict[str, str]] | None:
    """What approving ``case`` issues and the face as the case says it, for the staff who
    decide it (the applicant sees the certificate once it is issued)."""
    if not actor.grants:
        raise Forbidden()
    result = result_of(case)
    if result is None:
        return None
    return result, face_proposal(case, result)


def proposal_fields(result: Result, values: Mapping[str, str]) -> list[dict[str, Any]]:
    """The face the approver completes, in the type's order (the new company's name first
    when the approval founds one): key, label in the active language, required, value."""
    specs = list(result.certificate_type.face_fields)
    if result.establishes:
        specs.insert(0, {"key": HOLDER_NAME, "label": _("Company name"), "required": True})
    return [
        {
            "key": spec["key"],
            "label": face_label(spec),
            "required": bool(spec.get("required")),
            "value": values.get(spec["key"], ""),
        }
        for spec in specs
    ]


def _merged(proposal: dict[str, str], entries: Mapping[str, Any] | None) -> dict[str, str]:
    merged = dict(proposal)
    for key, value in (entries or {}).items():
        if not isinstance(key, str) or not isinstance(value, (str, int, float)):
            raise InvalidInput(
                problems=[Problem(field=f"certificate.{key}"[:100], reason=str(_("Give text.")))]
            )
        # PostgreSQL refuses NUL in text: refused here, before a company is founded.
        refuse_nul(key, field="certificate")
        refuse_nul(value, field=f"certificate.{key}"[:100])
        merged[key] = str(value).strip()
    return merged


def result_issue(
    *, actor: Actor, case: Case, entries: Mapping[str, Any] | None = None
) -> Certificate | None:
    """Issue (or renew) the case's result certificate; in the caller's transaction, with the
    case locked. ``entries`` are the approver's face fields (override the proposal)."""
    result = result_of(case)
    if result is None:
        if entries:
            raise InvalidInput(
                problems=[
                    Problem(
                        field="certificate",
                        reason=str(_("This item's approval issues no certificate.")),
                    )
                ]
            )
        return None
    fields = _merged(face_proposal(case, result), entries)
    with _face_problems():
        return _issue(actor=actor, case=case, result=result, fields=fields)


@contextmanager
def _face_problems() -> Iterator[None]:
    """The certificate services' problems as problems of the decision's ``certificate``: a
    face field's (``fields.<key>``) and the holder's name (the approver types both) under
    ``certificate.<key>``, the rest (``issuer``, the applicant's code) on the whole."""
    try:
        yield
    except InvalidInput as exc:
        raise InvalidInput(
            exc.message,
            problems=[
                Problem(field=_decision_field(p.field), reason=p.reason) for p in exc.problems
            ],
        ) from None


def _decision_field(field: str) -> str:
    if field == HOLDER_NAME or field.startswith(("fields.", "certificate.")):
        return "certificate." + field.removeprefix("fields.").removeprefix("certificate.")
    return "certificate"


def _issue(*, actor: Actor, case: Case, result: Result, fields: dict[str, str]) -> Certificate:
    certificate_type = result.certificate_type
    if result.renews is not None:
        fields.pop(HOLDER_NAME, None)
        return certificate_new_version(
            actor=actor,
            certificate_id=result.renews.pk,
            reason=str(_("Renewed on case %(number)s") % {"number": case.number}),
            fields=fields,
            renew=certificate_type.validity_years is not None,
            source=Certificate.Source.CASE,
            case_number=case.number,
        )
    if result.establishes:
        name = " ".join(fields.pop(HOLDER_NAME, "").split())
        if not name or len(name) > 200:
            raise InvalidInput(
                problems=[
                    Problem(
                        field=f"certificate.{HOLDER_NAME}",
                        reason=str(_("Give the name of the company being founded.")),
                    )
                ]
            )
        # Check the face before founding anything (the transaction would undo it anyway,
        # but the approver should see every problem at once).
        _face_complete(certificate_type, fields)
        assert case.applicant_person_id is not None
        company = company_establish(
            actor=actor,
            representative_id=case.applicant_person_id,
            name=name,
            region_code=case.region_code,
        )
        case.applicant_company = company
        case.save(update_fields=["applicant_company", "updated_at"])
        holder_code, holder_name = company.credit_code, company.name
    else:
        fields.pop(HOLDER_NAME, None)
        code = holder_code_of(case, certificate_type.holder_kind)
        if code is None:
            raise InvalidInput(
                problems=[
                    Problem(
                        field="certificate",
                        reason=str(_("The certificate's holder is not an applicant of the case.")),
                    )
                ]
            )
        holder_code = code
        holder_name = (
            case.applicant_person.name
            if certificate_type.holder_kind == HolderKind.PERSON and case.applicant_person
            else case.applicant_company.name  # type: ignore[union-attr]
        )
    return certificate_issue(
        actor=actor,
        type_code=certificate_type.code,
        issuer_department_id=case.department_id,
        holder_code=holder_code,
        holder_name=holder_name,
        fields=fields,
        source=Certificate.Source.CASE,
        case_number=case.number or "",
    )


def _face_complete(certificate_type: CertificateType, fields: Mapping[str, str]) -> None:
    missing = [
        Problem(field=f"certificate.{spec['key']}", reason=str(_("This field is required.")))
        for spec in certificate_type.face_fields
        if spec.get("required") and not fields.get(spec["key"])
    ]
    if missing:
        raise InvalidInput(problems=missing)
