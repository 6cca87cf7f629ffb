"""How a case is shown through the API, and the helpers the operations share."""

from __future__ import annotations

import base64
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpRequest
from django.utils.translation import gettext as _

from tongban.api.cases.common import (
    BODY,
)
from tongban.api.cases.schemas import (
    CaseApplicationIn,
    CaseCertificateOut,
    CaseCorrectionItemOut,
    CaseCorrectionOut,
    CaseDraftIn,
    CaseDraftOut,
    CaseMaterialCertificateOut,
    CaseMaterialFileIn,
    CaseMaterialOut,
    CaseNoticeItemOut,
    CaseNoticeOut,
    CaseOut,
    CaseSummaryOut,
    CaseTaskOut,
    CaseTimelineOut,
    CaseUploadOut,
    TaskOut,
)
from tongban.api.identity import (
    Caller,
)
from tongban.cases import selectors, services
from tongban.cases.models import Case, CaseMaterial, Task
from tongban.catalog import application
from tongban.certificates.selectors import certificates_of_case
from tongban.core.errors import InvalidInput, NotFound, Problem
from tongban.core.types import Actor

# --------------------------------------------------------------------------------------------
# Output


def request_actor(request: HttpRequest) -> Actor:
    caller: Caller = request.auth  # type: ignore[attr-defined]
    return caller.actor


def _material_out(
    material: Any, state: str, stored: CaseMaterial | None, offer: Any = None
) -> CaseMaterialOut:
    certificate = stored.certificate if stored and stored.certificate_id else offer
    return CaseMaterialOut(
        material=material.pk,
        code=material.code,
        name=material.display_name,
        state=state,
        filename=stored.original_name if stored else "",
        content_type=stored.content_type if stored else "",
        size=stored.size if stored else 0,
        certificate=CaseMaterialCertificateOut(
            identifier=certificate.identifier,
            type_name=certificate.type.name,
            status=certificate.status,
            verified_at=stored.verified_at if stored and stored.certificate_id else None,
        )
        if certificate is not None
        else None,
    )


def _materials_out(case: Case) -> list[CaseMaterialOut]:
    """Every material the situation needs with its state, then any other file supplied."""
    if "materials" not in getattr(case, "_prefetched_objects_cache", {}):
        prefetch_related_objects(
            [case], "materials__certificate__type"
        )  # once, for the states and the files
    stored = {m.material_id: m for m in case.materials.all()}
    rows = []
    states = services.completeness(case)
    offered = [m for m, state in states if state == "certificate_offered"]
    offers = services.certificate_offers(case, offered) if offered else {}
    for material, state in states:
        rows.append(
            _material_out(material, state, stored.pop(material.pk, None), offers.get(material.pk))
        )
    if stored:
        # Files for materials the answers no longer need (the answers changed afterwards).
        of_version = {m.pk: m for m in services.applying.questionnaire(case).materials.all()}
        rows += [
            _material_out(of_version.get(m.material_id) or m.material, m.state, m)
            for m in stored.values()
        ]
    return rows


def _correction_out(case: Case) -> CaseCorrectionOut | None:
    pause = selectors.open_correction(case)
    if pause is None:
        return None
    return CaseCorrectionOut(
        items=[CaseCorrectionItemOut(**item) for item in pause.items],
        requested_at=pause.started_at,
        respond_by=pause.respond_by,
    )


def _notice_out(case: Case) -> CaseNoticeOut | None:
    if case.status != Case.Status.RETURNED:
        return None
    event = case.events.filter(kind="notice").order_by("-at", "-id").first()
    if event is None:
        return None
    return CaseNoticeOut(
        items=[CaseNoticeItemOut(**item) for item in event.data.get("items", [])],
        note=event.note,
        at=event.at,
    )


LIVE_STATUSES = (Case.Status.IN_PROGRESS, Case.Status.CORRECTION, Case.Status.SUSPENDED)


def _tasks_out(case: Case) -> list[CaseTaskOut]:
    if case.status not in LIVE_STATUSES:
        return []  # no step is open before acceptance or after the decision
    if "tasks" not in getattr(case, "_prefetched_objects_cache", {}):
        prefetch_related_objects(
            [case], Prefetch("tasks", queryset=Task.objects.select_related("department"))
        )
    return [
        CaseTaskOut(
            id=t.pk,
            step=t.key,
            name=t.name,
            role=t.role,
            department=t.department.display_name,
            status=t.status,
            due_at=t.due_at,
        )
        for t in sorted(case.tasks.all(), key=lambda t: (t.stage, t.pk))
        if t.status in (Task.Status.OPEN, Task.Status.CLAIMED)
    ]


def _applicant_name(case: Case) -> str:
    if case.applicant_company_id is not None:
        return case.applicant_company.name
    return case.applicant_person.name if case.applicant_person_id else ""


def case_out(case: Case) -> CaseOut:
    return CaseOut(
        number=case.number or "",
        item=case.item.implementation_code,
        item_name=case.version.display_name,
        department=case.department.display_name,
        applicant=_applicant_name(case),
        channel=case.channel,
        status=case.status,
        status_label=str(case.get_status_display()),
        answers=case.answers,
        form=case.form_data,
        submitted_at=case.submitted_at,
        accepted_at=case.accepted_at,
        decided_at=case.decided_at,
        closed_at=case.closed_at,
        handed_over_at=case.handed_over_at,
        legal_due_at=case.legal_due_at,
        promised_due_at=case.promised_due_at,
        deferred_due_at=case.deferred_due_at,
        outcome_reason=case.outcome_reason,
        legal_basis=case.outcome_basis,
        materials=_materials_out(case),
        correction=_correction_out(case),
        notice=_notice_out(case),
        tasks=_tasks_out(case),
        timeline=[
            CaseTimelineOut(
                at=entry.at,  # type: ignore[arg-type]
                kind=entry.kind,
                label=entry.label,
                department=entry.department,
                note=entry.note,
            )
            for entry in selectors.timeline(case)
        ],
        certificates=[
            CaseCertificateOut(
                identifier=c.identifier,
                type=c.type.code,
                type_name=c.type.name,
                version=c.version,
                status=c.status,
                holder=c.holder_name,
            )
            for c in certificates_of_case(case_number=case.number)
        ]
        if case.number and case.decided_at
        else [],
    )


def summary_out(case: Case) -> CaseSummaryOut:
    return CaseSummaryOut(
        number=case.number or "",
        item=case.item.implementation_code,
        item_name=case.version.display_name,
        department=case.department.display_name,
        status=case.status,
        status_label=str(case.get_status_display()),
        submitted_at=case.submitted_at,
        legal_due_at=case.legal_due_at,
        promised_due_at=case.promised_due_at,
    )


def draft_out(draft: Case) -> CaseDraftOut:
    return CaseDraftOut(
        id=draft.pk,
        item=draft.item.implementation_code,
        item_name=draft.version.display_name,
        answers=draft.answers,
        form=draft.form_data,
        form_schema=application.form_of(draft.version),
        materials=_materials_out(draft),
    )


def upload_out(stored: CaseMaterial) -> CaseUploadOut:
    return CaseUploadOut(
        material=stored.material_id,
        name=stored.material.display_name,
        state=stored.state,
        filename=stored.original_name,
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
    )


def task_out(task: Task, actor: Actor) -> TaskOut:
    return TaskOut(
        id=task.pk,
        case_number=task.case.number or "",
        case_status=task.case.status,
        item_name=task.case.version.display_name,
        step=task.key,
        name=task.name,
        role=task.role,
        department=task.department.display_name,
        status=task.status,
        claimed_by_me=task.assignee_id is not None and task.assignee_id == actor.user_id,
        created_at=task.created_at,
        due_at=task.due_at,
    )


# --------------------------------------------------------------------------------------------
# Helpers


def visible_case(actor: Actor, number: str) -> Case:
    """The case if the caller may see it (404 otherwise: its existence is not leaked)."""
    return selectors.case_get(actor=actor, number=number.upper())


def draft_save(actor: Actor, body: CaseDraftIn | CaseApplicationIn) -> Case:
    try:
        return services.case_draft_save(
            actor=actor, implementation_code=body.item, answers=body.answers, form_data=body.form
        )
    except NotFound:
        raise InvalidInput(
            problems=[Problem(field="item", reason=_("There is no such item in the catalog."))]
        ) from None


def own_draft(actor: Actor, draft_id: int) -> Case:
    draft = (
        selectors.drafts_for_actor(actor=actor).select_related("item").filter(pk=draft_id).first()
    )
    if draft is None:
        raise NotFound()
    return draft


def decoded_uploads(materials: list[CaseMaterialFileIn]) -> list[services.MaterialUpload]:
    """The files of a one-call application, decoded before anything is written."""
    limit = services.applying.max_upload_bytes()
    problems: list[Problem] = []
    files: list[services.MaterialUpload] = []
    for i, entry in enumerate(materials):
        where = f"{BODY}.materials.{i}"
        encoded = "".join(entry.content_base64.split())
        if len(encoded) > 4 * (limit // 3 + 1):
            reason = _("The file is larger than %(mb)s MB.") % {"mb": limit // 2**20}
            problems.append(Problem(field="content_base64", location=where, reason=reason))
            continue
        try:
            data = base64.b64decode(encoded, validate=True)
        except ValueError:  # binascii.Error, or characters outside ASCII
            problems.append(
                Problem(field="content_base64", location=where, reason=_("This is not base64."))
            )
            continue
        upload = SimpleUploadedFile(entry.filename, data)
        files.append(services.MaterialUpload(material=entry.material, upload=upload))
    if problems:
        raise InvalidInput(problems=problems)
    return files
