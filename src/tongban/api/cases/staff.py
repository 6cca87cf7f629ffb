"""Staff through the API: the window (无差别受理), acceptance (受理), approval tasks, decisions,
closing and the hand-over."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Query, Status

from tongban.api.cases.common import (
    BODY,
    post,
    router,
)
from tongban.api.cases.output import (
    case_out,
    request_actor,
    task_out,
)
from tongban.api.cases.schemas import (
    CaseAcceptIn,
    CaseCorrectionIn,
    CaseDecisionIn,
    CaseNoteIn,
    CaseNoticeIn,
    CaseOut,
    CasePath,
    CaseReasonIn,
    CertificateProposalFieldOut,
    CertificateProposalOut,
    IdPath,
    TaskOut,
    TaskQuery,
    TaskReassignIn,
    TaskSuspendIn,
    WindowCaseIn,
    WindowPersonIn,
    WindowPersonOut,
    responses,
)
from tongban.cases import selectors, services
from tongban.core.errors import InvalidInput, NotFound, Problem
from tongban.identity import services as identity_services

# --------------------------------------------------------------------------------------------
# Accepting and approving (staff)


@post(
    "/window/persons",
    response=responses(200, WindowPersonOut, 403, 404, 422),
    summary="Identify a walk-in at the window by the ID number on the card (audited)",
)
def window_person_find(request: HttpRequest, body: WindowPersonIn) -> WindowPersonOut:
    person = identity_services.person_find_by_id_number(
        actor=request_actor(request), id_number=body.id_number
    )
    if person is None:
        raise NotFound(_("Nobody with this ID number has an account yet."))
    return WindowPersonOut(
        id=person.pk,
        name=person.name,
        id_number_masked=person.id_number_masked,
        assurance_level=person.assurance_level,
    )


@post(
    "/window/cases",
    response=responses(201, CaseOut, 403, 404, 422),
    summary="Register a walk-in's application for any item of the city (无差别受理)",
    description=(
        "The case waits for the clerk's decision (accept, notice, refuse); the clerk scans its "
        "materials with `POST /cases/{case_number}/materials` first."
    ),
)
def window_case_create(request: HttpRequest, body: WindowCaseIn) -> Status:
    try:
        case = services.case_window_create(
            actor=request_actor(request),
            implementation_code=body.item,
            person_id=body.person,
            answers=body.answers,
            form_data=body.form,
            identity_checked=body.identity_checked,
        )
    except InvalidInput as exc:
        raise InvalidInput(
            exc.message,
            problems=[
                Problem(field=p.field, reason=p.reason, location=f"{BODY}.{p.field}")
                for p in exc.problems
            ],
        ) from None
    return Status(201, case_out(case))


@post(
    "/cases/{case_number}/accept",
    response=responses(200, CaseOut, 404, 409, 422),
    summary="Accept (受理), possibly with 容缺 materials to follow",
)
def case_accept(request: HttpRequest, path: Path[CasePath], body: CaseAcceptIn) -> CaseOut:
    actor = request_actor(request)
    return case_out(
        services.case_accept(
            actor=actor,
            number=path.case_number.upper(),
            deferred_material_ids=body.deferred_materials,
            deferred_days=body.deferred_days,
        )
    )


@post(
    "/cases/{case_number}/refuse",
    response=responses(200, CaseOut, 404, 409, 422),
    summary="Refuse to accept (不予受理), with the reason",
)
def case_refuse(request: HttpRequest, path: Path[CasePath], body: CaseReasonIn) -> CaseOut:
    actor = request_actor(request)
    return case_out(
        services.case_refuse(actor=actor, number=path.case_number.upper(), reason=body.reason)
    )


@post(
    "/cases/{case_number}/notice",
    response=responses(200, CaseOut, 404, 409, 422),
    summary="Return with a one-time notice (一次性告知) of everything missing",
)
def case_notice(request: HttpRequest, path: Path[CasePath], body: CaseNoticeIn) -> CaseOut:
    actor = request_actor(request)
    items = [item.model_dump() for item in body.items]
    return case_out(
        services.case_return_notice(
            actor=actor, number=path.case_number.upper(), items=items, note=body.note
        )
    )


@post(
    "/cases/{case_number}/corrections",
    response=responses(201, CaseOut, 404, 409, 422),
    summary="Request a correction (补正): the legal clock stops until the applicant answers",
)
def correction_request(
    request: HttpRequest, path: Path[CasePath], body: CaseCorrectionIn
) -> Status:
    actor = request_actor(request)
    updated = services.case_request_correction(
        actor=actor,
        task_id=body.task,
        items=[item.model_dump() for item in body.items],
        respond_days=body.respond_days,
        case_number=path.case_number.upper(),
    )
    return Status(201, case_out(updated))


@post(
    "/cases/{case_number}/decisions",
    response=responses(201, CaseOut, 404, 409, 422),
    summary="Decide (the last step): approve or reject, with the reason and the legal basis",
)
def case_decide(request: HttpRequest, path: Path[CasePath], body: CaseDecisionIn) -> Status:
    actor = request_actor(request)
    decided = services.task_complete(
        actor=actor,
        task_id=body.task,
        note=body.note,
        outcome=body.outcome,
        reason=body.reason,
        legal_basis=body.legal_basis,
        case_number=path.case_number.upper(),
        certificate=body.certificate,
    )
    return Status(201, case_out(decided))


@router.get(
    "/cases/{case_number}/certificate-proposal",
    response=responses(200, CertificateProposalOut, 404),
    summary="The certificate approving this case issues, with its face as the case says it",
    description=(
        "For the approver: the face fields prefilled from the application; send the missing "
        "or corrected ones as `certificate` with the decision. 404 when the item issues none."
    ),
)
def case_certificate_proposal(request: HttpRequest, path: Path[CasePath]) -> CertificateProposalOut:
    actor = request_actor(request)
    case = selectors.case_get(actor=actor, number=path.case_number.upper())
    found = services.certificate_proposal(actor=actor, case=case)
    if found is None:
        raise NotFound(_("This item's approval issues no certificate."))
    result, values = found
    return CertificateProposalOut(
        type=result.certificate_type.code,
        type_name=result.certificate_type.name,
        renews=result.renews.identifier if result.renews else None,
        establishes=result.establishes,
        fields=[
            CertificateProposalFieldOut(**field)
            for field in services.proposal_fields(result, values)
        ],
    )


@post(
    "/cases/{case_number}/close",
    response=responses(200, CaseOut, 404, 409, 422),
    summary="Close a decided case (办结)",
)
def case_close(request: HttpRequest, path: Path[CasePath]) -> CaseOut:
    actor = request_actor(request)
    return case_out(services.case_close(actor=actor, number=path.case_number.upper()))


@post(
    "/cases/{case_number}/handover",
    response=responses(200, CaseOut, 404, 409, 422),
    summary="Record that the result was handed over at a window (一口发证)",
)
def case_handover(request: HttpRequest, path: Path[CasePath], body: CaseNoteIn) -> CaseOut:
    actor = request_actor(request)
    number = path.case_number.upper()
    return case_out(services.case_handover(actor=actor, number=number, note=body.note))


@router.get(
    "/tasks",
    response=responses(200, list[TaskOut], 422),
    summary="My worklist: open tasks of my roles in my departments (or those I claimed)",
)
def tasks(request: HttpRequest, query: Query[TaskQuery]) -> list[TaskOut]:
    actor = request_actor(request)
    found = selectors.worklist(actor=actor, mine=query.mine)
    return [task_out(t, actor) for t in found[query.offset : query.offset + query.limit]]


@post(
    "/tasks/{id}/claim",
    response=responses(200, TaskOut, 404, 409, 422),
    summary="Claim an open task",
)
def task_claim(request: HttpRequest, path: Path[IdPath]) -> TaskOut:
    actor = request_actor(request)
    return task_out(services.task_claim(actor=actor, task_id=path.id), actor)


@post(
    "/tasks/{id}/reassign",
    response=responses(200, TaskOut, 404, 409, 422),
    summary="Give the task to a colleague with the step's role, or release it",
)
def task_reassign(request: HttpRequest, path: Path[IdPath], body: TaskReassignIn) -> TaskOut:
    actor = request_actor(request)
    user_id = 0
    if body.user is not None:
        found = get_user_model().objects.filter(username=body.user, is_active=True).first()
        if found is None:
            raise InvalidInput(
                problems=[Problem(field="user", reason=_("This person cannot do this step."))]
            )
        user_id = found.pk
    return task_out(services.task_reassign(actor=actor, task_id=path.id, user_id=user_id), actor)


@post(
    "/tasks/{id}/return",
    response=responses(200, CaseOut, 404, 409, 422),
    summary="Send the case back to the previous step, with the reason",
)
def task_return(request: HttpRequest, path: Path[IdPath], body: CaseReasonIn) -> CaseOut:
    return case_out(
        services.task_return(actor=request_actor(request), task_id=path.id, reason=body.reason)
    )


@post(
    "/tasks/{id}/complete",
    response=responses(200, CaseOut, 404, 409, 422),
    summary="Complete a step before the last one (the last step is a decision)",
)
def task_complete(request: HttpRequest, path: Path[IdPath], body: CaseNoteIn) -> CaseOut:
    return case_out(
        services.task_complete(actor=request_actor(request), task_id=path.id, note=body.note)
    )


@post(
    "/tasks/{id}/suspend",
    response=responses(200, CaseOut, 404, 409, 422),
    summary="Start a special procedure (hearing, expert review, inspection): the clock stops",
)
def task_suspend(request: HttpRequest, path: Path[IdPath], body: TaskSuspendIn) -> CaseOut:
    return case_out(
        services.case_suspend(
            actor=request_actor(request), task_id=path.id, kind=body.kind, reason=body.reason
        )
    )


@post(
    "/tasks/{id}/resume",
    response=responses(200, CaseOut, 404, 409, 422),
    summary="End the special procedure: the clock runs again",
)
def task_resume(request: HttpRequest, path: Path[IdPath]) -> CaseOut:
    return case_out(services.case_resume(actor=request_actor(request), task_id=path.id))
