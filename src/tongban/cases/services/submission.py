"""Applying in one call (一次申报): the form, the situation's answers and every material, checked
in full before anything is written, then stored and submitted in one short transaction.

This is what the API's ``POST /cases`` and any kiosk or app use. The portal's step-by-step
path (a draft saved as the person goes, uploads one by one, then ``case_submit``) reaches the
same submitted case; both share the checks in ``applying``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.cases.files import FileInfo, check_upload
from tongban.cases.models import Case, CaseMaterial, SubmissionKey
from tongban.cases.services.applying import (
    FETCHED_SOURCES,
    MAX_KEY_LENGTH,
    _answers,
    _applicant,
    current_questionnaire,
    form_problems_of,
)
from tongban.cases.services.common import case_number_for, record, remember
from tongban.cases.services.fetching import fetch_shared
from tongban.cases.services.reuse import certificate_offers, verify_attached
from tongban.catalog.models import Material
from tongban.catalog.selectors import materials_for_answers
from tongban.core.authorization import Target, authorize
from tongban.core.errors import Forbidden, InvalidInput, Problem
from tongban.core.text import refuse_nul
from tongban.core.types import Actor


@dataclass(frozen=True)
class MaterialUpload:
    """One file of an application: the material by id, or by its code in the item's guide."""

    material: int | str
    upload: UploadedFile


@dataclass(frozen=True)
class Submitted:
    """The submitted case; ``created`` is False when the idempotency key named an earlier one."""

    case: Case
    created: bool


def _earlier(actor: Actor, key: str) -> Case | None:
    if not key:
        return None
    case_id = (
        SubmissionKey.objects.filter(user_id=actor.user_id, key=key)
        .values_list("case_id", flat=True)
        .first()
    )
    return Case.objects.filter(pk=case_id).first() if case_id is not None else None


def _certificates_used(
    refs: Sequence[str | int], materials: Sequence[Material], offers: dict[int, object]
) -> tuple[set[int], list[Problem]]:
    """The material ids the applicant consents to fill from their certificates."""
    by_code = {m.code: m for m in materials}
    by_id = {m.pk: m for m in materials}
    used: set[int] = set()
    problems: list[Problem] = []
    for i, ref in enumerate(list(refs)[:50]):
        material = by_code.get(ref) if isinstance(ref, str) else by_id.get(ref)
        if material is None or material.pk not in offers:
            problems.append(
                Problem(
                    field="use_certificates",
                    location=f"use_certificates.{i}",
                    reason=str(_("You hold no valid electronic certificate for this material.")),
                )
            )
            continue
        used.add(material.pk)
    return used, problems


def _resolve(
    uploads: Sequence[MaterialUpload], materials: list[Material]
) -> tuple[list[tuple[Material, FileInfo, UploadedFile]], list[Problem]]:
    """Each upload's material of this version (each once) and its checked file."""
    by_code = {m.code: m for m in materials}
    by_id = {m.pk: m for m in materials}
    problems: list[Problem] = []
    resolved: list[tuple[Material, FileInfo, UploadedFile]] = []
    seen: set[int] = set()
    for i, entry in enumerate(uploads):
        where = f"materials.{i}"
        ref = entry.material
        material = by_code.get(ref) if isinstance(ref, str) else by_id.get(ref)
        if material is None:
            reason = str(_("Not a material of this item."))
            problems.append(Problem(field="material", location=where, reason=reason))
            continue
        if material.pk in seen:
            reason = str(_("This material is listed twice."))
            problems.append(Problem(field="material", location=where, reason=reason))
            continue
        seen.add(material.pk)
        try:
            info = check_upload(entry.upload)
        except InvalidInput as exc:
            problems += [
                Problem(field=p.field, reason=p.reason, location=where) for p in exc.problems
            ]
            continue
        resolved.append((material, info, entry.upload))
    return resolved, problems


def application_submit(
    *,
    actor: Actor,
    implementation_code: str,
    answers: object = None,
    form_data: object = None,
    uploads: Sequence[MaterialUpload] = (),
    idempotency_key: str = "",
    use_certificates: Sequence[str | int] = (),
) -> Submitted:
    """Apply for an item in one call and submit at once.

    Guarantees: everything is checked before anything is written — the item and the actor's
    right and assurance level, the answers, each file (type, size, content; problems located as
    ``materials.<index>``), the form against its schema, and that every material the situation
    needs is there or fetched by the department; on any problem nothing is kept, no file
    either, and the key stays unused. The same ``idempotency_key`` from the same user returns
    the earlier case (``created`` False), also when two requests race: the loser's work is
    rolled back. ``use_certificates`` (material codes or ids) is the applicant's consent to
    attach their own valid certificate for those materials instead of a file (证照免带); a
    material one is held for needs either that or a file. The case is numbered, its history
    and audit record are written in the same transaction, and it is returned with its
    materials and history loaded.
    """
    key = (idempotency_key or "").strip()[:MAX_KEY_LENGTH]
    earlier = _earlier(actor, key)
    if earlier is not None:
        return Submitted(case=earlier, created=False)
    person_id, company_id = _applicant(actor)
    item, version = current_questionnaire(implementation_code)
    authorize(
        actor,
        "case.apply",
        Target(
            kind="case",
            owner_person_id=None if company_id else person_id,
            owner_company_id=company_id,
            item_code=item.base_item.base_code,
        ),
    )
    if actor.assurance_level < version.min_assurance_level:
        raise Forbidden(
            _(
                "This service needs identity assurance level L%(level)s. Your account page "
                "explains how to reach it."
            )
            % {"level": version.min_assurance_level}
        )
    refuse_nul(answers, field="answers")
    refuse_nul(form_data, field="form")
    answers_value = _answers(answers or {})
    needed = materials_for_answers(version=version, answers=answers_value)
    if form_data is None:
        form_data = {}
    if not isinstance(form_data, dict):
        raise InvalidInput(
            problems=[Problem(field="form", reason=str(_("The form must be a JSON object.")))]
        )
    form_value = {str(k)[:60]: v for k, v in list(form_data.items())[:100]}
    files, problems = _resolve(uploads, list(version.materials.all()))
    if problems:
        raise InvalidInput(problems=problems)

    problems = form_problems_of(version, form_value)
    problems += [
        Problem(field=f"answers.{s.code}", reason=str(_("Answer this question.")))
        for s in needed.unanswered
    ]
    given = {material.pk for material, _info, _upload in files}
    offers = (
        certificate_offers(
            Case(applicant_person_id=person_id, applicant_company_id=company_id),
            needed.materials,
        )
        if any(m.certificate_type for m in needed.materials)
        else {}
    )
    used, use_problems = _certificates_used(use_certificates, needed.materials, offers)
    problems += use_problems
    fetched = [
        m
        for m in needed.materials
        if m.source in FETCHED_SOURCES and m.pk not in offers and m.pk not in given
    ]
    problems += [
        Problem(field=f"material.{m.pk}", reason=str(_("Upload this material.")))
        for m in needed.materials
        if m.source not in FETCHED_SOURCES
        and m.pk not in given
        and m.pk not in offers
        and m.necessity != Material.Necessity.DEFERRABLE
    ]
    problems += [
        Problem(
            field=f"material.{m.pk}",
            reason=str(
                _("Use your electronic certificate (use_certificates), or upload this material.")
            ),
        )
        for m in needed.materials
        if m.pk in offers and m.pk not in given and m.pk not in used
    ]
    if problems:
        raise InvalidInput(problems=problems)

    stored: list[CaseMaterial] = []
    try:
        with transaction.atomic():
            now = timezone.now()
            case = Case(
                item=item,
                version=version,
                department=item.department,
                region_code=item.region_id,
                applicant_person_id=person_id,
                applicant_company_id=company_id,
                submitted_by_id=actor.user_id,
                channel=Case.Channel.ONLINE,
                status=Case.Status.SUBMITTED,
                answers=answers_value,
                form_data=form_value,
                submitted_at=now,
            )
            case.save(force_insert=True)
            case.number = case_number_for(case)
            Case.objects.filter(pk=case.pk).update(number=case.number)
            if key:
                # A request racing with the same key waits here for this one to end, then
                # fails on the unique key and returns this case (below).
                SubmissionKey.objects.create(user_id=actor.user_id, key=key, case=case)
            for material, info, upload in files:
                row = CaseMaterial(
                    case=case,
                    material=material,
                    state=CaseMaterial.State.PROVIDED,
                    original_name=info.name,
                    content_type=info.content_type,
                    size=info.size,
                    sha256=info.sha256,
                    uploaded_by_id=actor.user_id,
                    uploaded_at=now,
                )
                name = hashlib.sha256(info.sha256.encode()).hexdigest()[:16] + info.extension
                row.file.save(name, upload, save=False)
                stored.append(row)
            attached = [
                CaseMaterial(
                    case=case,
                    material=m,
                    state=CaseMaterial.State.CERTIFICATE,
                    certificate=offers[m.pk],
                    uploaded_by_id=actor.user_id,
                    uploaded_at=now,
                )
                for m in needed.materials
                if m.pk in used and m.pk not in given
            ]
            verify_attached(actor=actor, case=case, rows=attached)
            rows = (
                stored
                + attached
                + [
                    CaseMaterial(
                        case=case, material=m, state=CaseMaterial.State.FETCHED, uploaded_at=now
                    )
                    for m in fetched
                ]
            )
            fetch_shared(actor=actor, case=case, rows=rows)
            CaseMaterial.objects.bulk_create(rows)
            event = record(actor=actor, case=case, kind="submitted", data={"channel": case.channel})
    except BaseException as failure:
        for row in stored:
            row.file.storage.delete(row.file.name)
        if isinstance(failure, IntegrityError) and key:
            winner = _earlier(actor, key)
            if winner is not None:
                return Submitted(case=winner, created=False)
        raise
    remember(case, materials=rows, events=[event])
    return Submitted(case=case, created=True)


def submission_earlier(*, actor: Actor, idempotency_key: str) -> Case | None:
    """The submitted case an earlier request of the actor with this key created, if any."""
    case = _earlier(actor, (idempotency_key or "").strip()[:MAX_KEY_LENGTH])
    return case if case is not None and case.number else None
