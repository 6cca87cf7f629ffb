"""Never ask again for a certificate the library holds (证照免带、一证通办).

A material of an item may name a certificate type (``Material.certificate_type``). When the
applicant — the person, or the company applied for — holds a valid certificate of that type,
it is offered in place of an upload; with the applicant's consent (online: their own choice;
at the window: the clerk records the walk-in's) it is attached to the case. When the case has
its number the certificate is verified as any outside verifier would (signature, issuer key,
dates, status list), the use is logged where the holder reads it, and the clerk and reviewer
see it as verified (trust level A).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.cases.models import Case, CaseMaterial
from tongban.cases.services.common import case_target
from tongban.catalog.models import Material
from tongban.certificates.models import Certificate, CertificateType, CertificateUse, HolderKind
from tongban.certificates.selectors import certificates_valid_for_holder
from tongban.certificates.services import certificate_use_record
from tongban.core.audit import audit_log
from tongban.core.authorization import permits
from tongban.core.errors import Conflict, InvalidInput, NotFound, Problem
from tongban.core.types import Actor

OFFERED = "certificate_offered"


def holder_code_of(case: Case, holder_kind: str) -> str | None:
    """The code of the case's applicant who would hold a certificate of ``holder_kind``."""
    if holder_kind == HolderKind.PERSON:
        # A person's certificate serves the person's own applications, not the company's.
        if case.applicant_company_id is not None or case.applicant_person is None:
            return None
        return case.applicant_person.id_number
    company = case.applicant_company
    return company.credit_code if company is not None else None


def certificate_offers(case: Case, materials: Iterable[Material]) -> dict[int, Certificate]:
    """Material id → the applicant's certificate that can stand in for it (valid today)."""
    wanted: dict[str, list[Material]] = {}
    for material in materials:
        if material.certificate_type:
            wanted.setdefault(material.certificate_type, []).append(material)
    if not wanted:
        return {}
    today = timezone.localdate()
    offers: dict[int, Certificate] = {}
    for certificate_type in CertificateType.objects.filter(code__in=list(wanted)):
        code = holder_code_of(case, certificate_type.holder_kind)
        if not code:
            continue
        found = (
            certificates_valid_for_holder(
                holder_kind=certificate_type.holder_kind,
                holder_code=code,
                type_codes=[certificate_type.code],
            )
            .filter(valid_from__lte=today)
            .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
            .order_by("-issued_on", "-pk")
            .first()
        )
        if found is not None:
            for material in wanted[certificate_type.code]:
                offers[material.pk] = found
    return offers


def _problem(material: Material, reason: object) -> InvalidInput:
    return InvalidInput(problems=[Problem(field=f"material.{material.pk}", reason=str(reason))])


def verify_attached(*, actor: Actor, case: Case, rows: Iterable[CaseMaterial]) -> None:
    """Verify the attached certificates of a numbered case and log each use (in the caller's
    transaction). A certificate that stopped being valid is replaced by the holder's current
    version of it; if there is none, the case cannot go on without the material."""
    now = timezone.now()
    rows = [r for r in rows if r.state == CaseMaterial.State.CERTIFICATE]
    if not rows:
        return
    offers = certificate_offers(case, [r.material for r in rows])
    for row in rows:
        certificate = row.certificate
        if certificate is None or certificate.status != Certificate.Status.VALID:
            certificate = offers.get(row.material_id)
            if certificate is None:
                raise _problem(
                    row.material,
                    _("Your electronic certificate is no longer valid; upload this material."),
                )
        result = certificate_use_record(
            actor=actor,
            certificate=certificate,
            channel=CertificateUse.Channel.APPLICATION,
            purpose=str(case.version.display_name)[:200],
            case_number=case.number or "",
            department_id=case.department_id,
        )
        if not result.valid:
            raise _problem(
                row.material,
                _("Your electronic certificate does not verify (%(reason)s); upload this material.")
                % {"reason": result.message},
            )
        row.certificate = certificate
        row.verified_at = now
        if row.pk is not None:
            row.save(update_fields=["certificate", "verified_at"])


def case_certificate_use(
    *, actor: Actor, case_id: int, material_id: int, use: bool = True
) -> CaseMaterial | None:
    """The applicant's consent to use (or, ``use`` False, not to use) their certificate for a
    material, on a draft or a case returned to them; a window clerk records a walk-in's consent
    on a window case. Replaces any file given for the material."""
    from tongban.cases.services.applying import required_materials

    with transaction.atomic():
        case = (
            Case.objects.select_for_update(of=("self",))
            .select_related("item__base_item", "version", "applicant_person", "applicant_company")
            .filter(pk=case_id)
            .first()
        )
        if case is None:
            raise NotFound()
        allowed = case.status in (Case.Status.DRAFT, Case.Status.RETURNED, Case.Status.CORRECTION)
        at_window = case.channel == Case.Channel.WINDOW and permits(
            actor, "case.accept", case_target(case)
        )
        if at_window:
            allowed = allowed or case.status == Case.Status.SUBMITTED
        elif not permits(actor, "case.apply", case_target(case)):
            raise NotFound()
        if not allowed:
            raise Conflict(_("Materials can no longer be changed on this case."))
        material = next((m for m in required_materials(case) if m.pk == material_id), None)
        if material is None:
            raise InvalidInput(
                problems=[
                    Problem(field="material", reason=str(_("Not a material of this application.")))
                ]
            )
        existing = CaseMaterial.objects.filter(case=case, material=material).first()
        if not use:
            if existing is not None and existing.state == CaseMaterial.State.CERTIFICATE:
                existing.delete()
            return None
        offer = certificate_offers(case, [material]).get(material.pk)
        if offer is None:
            raise _problem(material, _("You hold no valid electronic certificate for this."))
        if existing is not None:
            if existing.file:
                storage, name = existing.file.storage, existing.file.name
                transaction.on_commit(lambda: storage.delete(name))
            existing.delete()
        row = CaseMaterial(
            case=case,
            material=material,
            state=CaseMaterial.State.CERTIFICATE,
            certificate=offer,
            uploaded_by_id=actor.user_id,
        )
        if case.number:
            verify_attached(actor=actor, case=case, rows=[row])
        row.save()
        audit_log(
            actor=actor,
            action="case.certificate.consent",
            object_type="case",
            object_id=case.pk,
            data={
                "material": material.pk,
                "certificate": offer.identifier,
                "recorded_by": "clerk" if at_window else "applicant",
            },
        )
    return row
