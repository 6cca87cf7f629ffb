"""Cases API (办件): apply, follow a case, accept it, approve it and close it.

Applicants submit in one call (``POST /cases``, idempotent with ``Idempotency-Key``) or step by
step (a draft, its materials, the submit), list their cases and read each one with its public
timeline (the acting department, never the staff member). Staff of the competent department
accept, refuse or return applications, work through the approval tasks, decide and close.

Authentication is the identity API's: the portal's session or an access token with the ``api``
scope (``X-Acting-For`` to act for a company). Authorisation is the cases services' and
selectors': a case the caller may not see answers 404 whatever the action; an action the caller
may not take on a case they see answers 403; a transition the case's state does not allow, 409.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
from collections.abc import Callable
from typing import Annotated, Any, Literal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Header, Path, Query, Router, Schema, Status
from ninja.decorators import decorate_view
from ninja.files import UploadedFile
from pydantic import ConfigDict, Field, StringConstraints

from tongban.api.identity import (
    ACTING_FOR_PARAMETER,
    BearerToken,
    Caller,
    ErrorOut,
    ObjectIn,
    PortalSession,
)
from tongban.cases import documents, selectors, services
from tongban.cases.models import Case, CaseMaterial, ClockPause, Task
from tongban.catalog import application
from tongban.core.errors import InvalidInput, NotFound, Problem, TongbanError
from tongban.core.types import Actor
from tongban.identity import services as identity_services

router = Router(tags=["cases"], auth=[BearerToken(), PortalSession()])

MAX_ID = 2**31 - 1
KEY_MAX_LENGTH = 100  # as the submission keys are stored
SMALL_BODY_BYTES = 256 * 1024
MULTIPART_OVERHEAD_BYTES = 64 * 1024
# Where problems in a JSON body are reported, as for the schema's own checks ("body" twice:
# django-ninja's location of the body, then the parameter's name).
BODY = "body.body"


# --------------------------------------------------------------------------------------------
# Request size: refused from Content-Length, before the body is read or parsed


class PayloadTooLarge(TongbanError):
    http_status = 413
    code = "too_large"


def application_body_limit() -> int:
    """The largest ``POST /cases`` body: Django's own limit unless set lower."""
    django_limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 20 * 1024 * 1024
    return min(int(getattr(settings, "CASE_API_MAX_BODY_BYTES", django_limit)), django_limit)


def _upload_body_limit() -> int:
    return services.applying.max_upload_bytes() + MULTIPART_OVERHEAD_BYTES


def _body_limit(limit: Callable[[], int]) -> Callable[[Any], Any]:
    def decorator(run: Any) -> Any:
        @functools.wraps(run)
        def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            allowed = limit()
            if length > allowed:
                error = PayloadTooLarge(
                    _("The request is larger than %(mb).1f MB.") % {"mb": allowed / 2**20}
                )
                return JsonResponse(
                    error.as_dict(), status=413, json_dumps_params={"ensure_ascii": False}
                )
            return run(request, *args, **kwargs)

        return checked

    return decorator


def _post(path: str, *, limit: Callable[[], int] = lambda: SMALL_BODY_BYTES, **kwargs: Any) -> Any:
    """A POST operation whose body is refused above ``limit()`` bytes (413) unread."""

    def register(func: Any) -> Any:
        decorate_view(_body_limit(limit))(func)
        kwargs["response"] = kwargs["response"] | {413: ErrorOut}
        return router.post(path, **kwargs)(func)

    return register


# --------------------------------------------------------------------------------------------
# Schemas

Code = Annotated[str, StringConstraints(min_length=1, max_length=40)]
FieldName = Annotated[str, StringConstraints(min_length=1, max_length=60)]
Text = Annotated[str, StringConstraints(max_length=2000)]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=2000, pattern=r"\S")]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Answers = Annotated[
    dict[Code, Annotated[list[Code], Field(max_length=20)]],
    Field(max_length=50, description="question code → the chosen option codes"),
]
FormData = Annotated[
    dict[FieldName, Any],
    Field(max_length=100, description="the item's application form (GET a draft for its schema)"),
]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=KEY_MAX_LENGTH,
        description="the same key from the same user returns the same case, never a second one",
    ),
]
APPLICANT_DOC = {"parameters": [dict(ACTING_FOR_PARAMETER)]}
PDF_DOC = {
    "responses": {
        200: {
            "description": "a PDF document",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


def _responses(ok: int | tuple[int, ...], model: Any, *errors: int) -> dict[int, Any]:
    codes = ok if isinstance(ok, tuple) else (ok,)
    return (
        dict.fromkeys(codes, model)
        | {401: ErrorOut, 403: ErrorOut}
        | dict.fromkeys(errors, ErrorOut)
    )


class StrictIn(ObjectIn):
    """A JSON object body whose unknown keys are refused (a typo is not silently ignored)."""

    model_config = ConfigDict(extra="forbid")


class CaseMaterialFileIn(StrictIn):
    material: Id | Code = Field(
        description="the material: its id (a number, as drafts list them) or its code in the "
        'item\'s guide (a string, e.g. "M01")'
    )
    filename: str = Field(min_length=1, max_length=200, description="e.g. contract.pdf")
    content_base64: str = Field(
        min_length=1, description="the file (PDF, JPEG or PNG), base64-encoded"
    )


class CaseApplicationIn(StrictIn):
    item: Code = Field(description="the implementation item's code (实施编码)")
    answers: Answers = {}
    form: FormData = {}
    materials: list[CaseMaterialFileIn] = Field([], max_length=50)


class WindowPersonIn(StrictIn):
    id_number: Annotated[str, StringConstraints(min_length=1, max_length=40)] = Field(
        description="the walk-in's citizen ID number, as read from the ID card"
    )


class WindowPersonOut(Schema):
    id: int
    name: str
    id_number_masked: str
    assurance_level: int


class WindowCaseIn(StrictIn):
    item: Code = Field(description="the implementation item's code (实施编码)")
    person: Id = Field(description="the walk-in, as found by `POST /window/persons`")
    answers: Answers = {}
    form: FormData = {}
    identity_checked: bool = Field(
        False,
        description=(
            "the clerk checked the ID card face to face; needed (and raises the account to L3) "
            "when the item needs a higher assurance level than the walk-in's account has"
        ),
    )


class CaseDraftIn(StrictIn):
    item: Code = Field(description="the implementation item's code (实施编码)")
    answers: Answers = {}
    form: FormData = {}


class CaseAcceptIn(StrictIn):
    deferred_materials: list[Id] = Field(
        [], max_length=50, description="materials marked 容缺 that may follow after acceptance"
    )
    deferred_days: int = Field(5, ge=1, le=30, description="working days to supply them")


class CaseReasonIn(StrictIn):
    reason: Reason


class CaseNoticeItemIn(StrictIn):
    material: Id | None = Field(None, description="null: about the application itself")
    reason: Reason


class CaseNoticeIn(StrictIn):
    items: list[CaseNoticeItemIn] = Field(min_length=1, max_length=100)
    note: Text = ""


class CaseCorrectionItemIn(StrictIn):
    what: str = Field(min_length=1, max_length=200, pattern=r"\S")
    reason: Reason


class CaseCorrectionIn(StrictIn):
    task: Id = Field(description="the caller's claimed task of this case")
    items: list[CaseCorrectionItemIn] = Field(min_length=1, max_length=50)
    respond_days: int = Field(10, ge=1, le=60, description="working days to answer")


class CaseCorrectionAnswerIn(StrictIn):
    form: FormData | None = Field(None, description="changed form fields (merged, validated)")
    note: Text = ""


class CaseDecisionIn(StrictIn):
    task: Id = Field(description="the last step's task of this case, claimed by the caller")
    outcome: Literal["approve", "reject"]
    reason: Reason
    legal_basis: Reason
    note: Text = ""


class CaseNoteIn(StrictIn):
    note: Text = ""


class TaskSuspendIn(StrictIn):
    kind: Literal["hearing", "expert_review", "inspection"]
    reason: Reason


class TaskReassignIn(StrictIn):
    user: str | None = Field(
        None, max_length=150, description="a colleague's user name; null releases the task"
    )


class CasePath(Schema):
    case_number: str = Field(pattern=r"^[0-9]{22}[0-9Xx]$", description="办件编号")


class IdPath(Schema):
    id: int = Field(ge=1, le=MAX_ID)


class PageQuery(Schema):
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=1_000_000)


class TaskQuery(PageQuery):
    mine: bool = Field(False, description="only the tasks the caller has claimed")


class CaseMaterialOut(Schema):
    material: int
    code: str
    name: str
    state: str = Field(
        description="provided, fetched (by the department), deferred (容缺), missing, "
        "deferrable_missing"
    )
    filename: str
    content_type: str
    size: int


class CaseTimelineOut(Schema):
    at: dt.datetime
    kind: str
    label: str
    department: str = Field(description="the acting department (never a staff member)")
    note: str


class CaseCorrectionItemOut(Schema):
    what: str
    reason: str


class CaseCorrectionOut(Schema):
    items: list[CaseCorrectionItemOut]
    requested_at: dt.datetime
    respond_by: dt.datetime | None


class CaseNoticeItemOut(Schema):
    material: int | None
    name: str
    reason: str


class CaseNoticeOut(Schema):
    items: list[CaseNoticeItemOut]
    note: str
    at: dt.datetime


class CaseTaskOut(Schema):
    id: int = Field(description="for claim, complete, corrections and decisions")
    step: str
    name: str
    role: str
    department: str
    status: str = Field(description="open (waiting to be claimed) or claimed")
    due_at: dt.datetime | None


class CaseOut(Schema):
    number: str = Field(description="办件编号 (docs/case-numbers.md)")
    item: str
    item_name: str
    department: str
    applicant: str
    channel: str
    status: str
    status_label: str
    answers: dict[str, list[str]]
    form: dict[str, Any]
    submitted_at: dt.datetime | None
    accepted_at: dt.datetime | None
    decided_at: dt.datetime | None
    closed_at: dt.datetime | None
    handed_over_at: dt.datetime | None
    legal_due_at: dt.datetime | None = Field(description="null before acceptance or while paused")
    promised_due_at: dt.datetime | None
    deferred_due_at: dt.datetime | None = Field(description="when 容缺 materials are due")
    outcome_reason: str
    legal_basis: str
    materials: list[CaseMaterialOut]
    correction: CaseCorrectionOut | None = Field(description="the open correction request")
    notice: CaseNoticeOut | None = Field(description="the one-time notice, while returned")
    tasks: list[CaseTaskOut] = Field(
        description="the approval steps open now (none before acceptance and after the decision)"
    )
    timeline: list[CaseTimelineOut]


class CaseSummaryOut(Schema):
    number: str
    item: str
    item_name: str
    department: str
    status: str
    status_label: str
    submitted_at: dt.datetime | None
    legal_due_at: dt.datetime | None
    promised_due_at: dt.datetime | None


class CaseDraftOut(Schema):
    id: int
    item: str
    item_name: str
    answers: dict[str, list[str]]
    form: dict[str, Any]
    form_schema: dict[str, Any] = Field(description="the application form (JSON Schema)")
    materials: list[CaseMaterialOut]


class CaseUploadOut(Schema):
    material: int
    name: str
    state: str
    filename: str
    content_type: str
    size: int
    sha256: str


class TaskOut(Schema):
    id: int
    case_number: str
    case_status: str
    item_name: str
    step: str
    name: str
    role: str
    department: str
    status: str
    claimed_by_me: bool
    created_at: dt.datetime
    due_at: dt.datetime | None


# --------------------------------------------------------------------------------------------
# Output


def _actor(request: HttpRequest) -> Actor:
    caller: Caller = request.auth  # type: ignore[attr-defined]
    return caller.actor


def _material_out(material: Any, state: str, stored: CaseMaterial | None) -> CaseMaterialOut:
    return CaseMaterialOut(
        material=material.pk,
        code=material.code,
        name=material.display_name,
        state=state,
        filename=stored.original_name if stored else "",
        content_type=stored.content_type if stored else "",
        size=stored.size if stored else 0,
    )


def _materials_out(case: Case) -> list[CaseMaterialOut]:
    """Every material the situation needs with its state, then any other file supplied."""
    if "materials" not in getattr(case, "_prefetched_objects_cache", {}):
        prefetch_related_objects([case], "materials")  # once, for the states and the files
    stored = {m.material_id: m for m in case.materials.all()}
    rows = []
    for material, state in services.completeness(case):
        rows.append(_material_out(material, state, stored.pop(material.pk, None)))
    if stored:
        # Files for materials the answers no longer need (the answers changed afterwards).
        of_version = {m.pk: m for m in services.applying.questionnaire(case).materials.all()}
        rows += [
            _material_out(of_version.get(m.material_id) or m.material, m.state, m)
            for m in stored.values()
        ]
    return rows


def _correction_out(case: Case) -> CaseCorrectionOut | None:
    if case.status != Case.Status.CORRECTION:
        return None
    pause = (
        case.pauses.filter(kind=ClockPause.Kind.CORRECTION, ended_at__isnull=True)
        .order_by("-started_at")
        .first()
    )
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


def _case_out(case: Case) -> CaseOut:
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
    )


def _summary_out(case: Case) -> CaseSummaryOut:
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


def _draft_out(draft: Case) -> CaseDraftOut:
    return CaseDraftOut(
        id=draft.pk,
        item=draft.item.implementation_code,
        item_name=draft.version.display_name,
        answers=draft.answers,
        form=draft.form_data,
        form_schema=application.form_of(draft.version),
        materials=_materials_out(draft),
    )


def _upload_out(stored: CaseMaterial) -> CaseUploadOut:
    return CaseUploadOut(
        material=stored.material_id,
        name=stored.material.display_name,
        state=stored.state,
        filename=stored.original_name,
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
    )


def _task_out(task: Task, actor: Actor) -> TaskOut:
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


def _visible(actor: Actor, number: str) -> Case:
    """The case if the caller may see it (404 otherwise: its existence is not leaked)."""
    return selectors.case_get(actor=actor, number=number.upper())


def _draft_save(actor: Actor, body: CaseDraftIn | CaseApplicationIn) -> Case:
    try:
        return services.case_draft_save(
            actor=actor, implementation_code=body.item, answers=body.answers, form_data=body.form
        )
    except NotFound:
        raise InvalidInput(
            problems=[Problem(field="item", reason=_("There is no such item in the catalog."))]
        ) from None


def _own_draft(actor: Actor, draft_id: int) -> Case:
    draft = (
        selectors.drafts_for_actor(actor=actor).select_related("item").filter(pk=draft_id).first()
    )
    if draft is None:
        raise NotFound()
    return draft


def _decoded(materials: list[CaseMaterialFileIn]) -> list[services.MaterialUpload]:
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


# --------------------------------------------------------------------------------------------
# Applying


@_post(
    "/cases",
    limit=application_body_limit,
    response=_responses((201, 200), CaseOut, 404, 422),
    summary="Apply in one call: the form, the situation's answers and the materials",
    description=(
        "Creates the application and submits it. With `Idempotency-Key`, a request repeating "
        "the key of an earlier submission of the same user (or racing it) answers 200 with that "
        "case, whatever its body, instead of creating a second one. If anything is invalid, "
        "nothing is kept and the key stays unused. Files are PDF, JPEG or PNG, checked by "
        "content; each at most the upload limit, the whole body at most 20 MB (413)."
    ),
    openapi_extra=APPLICANT_DOC,
)
def case_apply(
    request: HttpRequest, body: CaseApplicationIn, idempotency_key: IdempotencyKey = None
) -> Status:
    actor = _actor(request)
    key = (idempotency_key or "").strip()
    try:
        uploads = _decoded(body.materials)
    except InvalidInput:
        earlier = services.submission_earlier(actor=actor, idempotency_key=key) if key else None
        if earlier is None:
            raise
        return Status(200, _case_out(_visible(actor, earlier.number or "")))
    try:
        submitted = services.application_submit(
            actor=actor,
            implementation_code=body.item,
            answers=body.answers,
            form_data=body.form,
            uploads=uploads,
            idempotency_key=key,
        )
    except NotFound:
        raise InvalidInput(
            problems=[Problem(field="item", reason=_("There is no such item in the catalog."))]
        ) from None
    except InvalidInput as exc:
        raise InvalidInput(
            exc.message,
            problems=[
                Problem(
                    field=p.field,
                    reason=p.reason,
                    location=f"{BODY}.{p.location}" if p.location else "",
                )
                for p in exc.problems
            ],
        ) from None
    if not submitted.created:
        return Status(200, _case_out(_visible(actor, submitted.case.number or "")))
    return Status(201, _case_out(submitted.case))


@_post(
    "/cases/drafts",
    response=_responses(201, CaseDraftOut, 422),
    summary="Start a draft application (step by step)",
    openapi_extra=APPLICANT_DOC,
)
def draft_create(request: HttpRequest, body: CaseDraftIn) -> Status:
    return Status(201, _draft_out(_draft_save(_actor(request), body)))


@router.get(
    "/cases/drafts/{id}",
    response=_responses(200, CaseDraftOut, 404, 422),
    summary="One of my drafts, with its form schema and the materials it needs",
    openapi_extra=APPLICANT_DOC,
)
def draft_get(request: HttpRequest, path: Path[IdPath]) -> CaseDraftOut:
    return _draft_out(_own_draft(_actor(request), path.id))


def _material_add(actor: Actor, case_id: int, material: int, file: UploadedFile) -> Status:
    stored = services.case_material_add(
        actor=actor, case_id=case_id, material_id=material, upload=file
    )
    return Status(201, _upload_out(stored))


@_post(
    "/cases/drafts/{id}/materials",
    limit=_upload_body_limit,
    response=_responses(201, CaseUploadOut, 404, 409, 422),
    summary="Upload a material to a draft (multipart; replaces an earlier file)",
    openapi_extra=APPLICANT_DOC,
)
def draft_material_add(
    request: HttpRequest,
    path: Path[IdPath],
    material: Form[Id],
    file: File[UploadedFile],
) -> Status:
    return _material_add(_actor(request), path.id, material, file)


@_post(
    "/cases/drafts/{id}/submit",
    response=_responses((201, 200), CaseOut, 404, 422),
    summary="Submit a draft (idempotent; 200 when it was submitted already)",
    openapi_extra=APPLICANT_DOC,
)
def draft_submit(
    request: HttpRequest, path: Path[IdPath], idempotency_key: IdempotencyKey = None
) -> Status:
    actor = _actor(request)
    was_draft = selectors.drafts_for_actor(actor=actor).filter(pk=path.id).exists()
    case = services.case_submit(
        actor=actor, case_id=path.id, idempotency_key=(idempotency_key or "").strip()
    )
    created = was_draft and case.pk == path.id
    return Status(201 if created else 200, _case_out(_visible(actor, case.number or "")))


@router.get(
    "/cases",
    response=_responses(200, list[CaseSummaryOut], 422),
    summary="My cases (or my company's, when acting for one), newest first",
    openapi_extra=APPLICANT_DOC,
)
def my_cases(request: HttpRequest, page: Query[PageQuery]) -> list[CaseSummaryOut]:
    cases = selectors.cases_for_actor(actor=_actor(request)).select_related("item")
    return [_summary_out(c) for c in cases[page.offset : page.offset + page.limit]]


@router.get(
    "/cases/{case_number}",
    response=_responses(200, CaseOut, 404, 422),
    summary="A case: status, due dates, materials and the public timeline",
    openapi_extra=APPLICANT_DOC,
)
def case_detail(request: HttpRequest, path: Path[CasePath]) -> CaseOut:
    return _case_out(_visible(_actor(request), path.case_number))


def _pdf(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@router.get(
    "/cases/{case_number}/receipt.pdf",
    response=_responses(200, None, 404, 422),
    summary="The submission or acceptance receipt (PDF)",
    openapi_extra=APPLICANT_DOC | PDF_DOC,
)
def case_receipt(request: HttpRequest, path: Path[CasePath]) -> HttpResponse:
    case = _visible(_actor(request), path.case_number)
    return _pdf(documents.acceptance_receipt_pdf(case), f"receipt-{case.number}.pdf")


@router.get(
    "/cases/{case_number}/notice.pdf",
    response=_responses(200, None, 404, 422),
    summary="The one-time notice of missing materials (PDF), while the case is returned",
    openapi_extra=APPLICANT_DOC | PDF_DOC,
)
def case_notice_pdf(request: HttpRequest, path: Path[CasePath]) -> HttpResponse:
    case = _visible(_actor(request), path.case_number)
    if case.status != Case.Status.RETURNED:
        raise NotFound()
    return _pdf(documents.notice_pdf(case), f"notice-{case.number}.pdf")


@_post(
    "/cases/{case_number}/materials",
    limit=_upload_body_limit,
    response=_responses(201, CaseUploadOut, 404, 409, 422),
    summary="Upload a material to a returned case or for a correction (multipart)",
    openapi_extra=APPLICANT_DOC,
)
def case_material_add(
    request: HttpRequest,
    path: Path[CasePath],
    material: Form[Id],
    file: File[UploadedFile],
) -> Status:
    actor = _actor(request)
    return _material_add(actor, _visible(actor, path.case_number).pk, material, file)


@_post(
    "/cases/{case_number}/resubmit",
    response=_responses(200, CaseOut, 404, 409, 422),
    summary="Submit again after a one-time notice",
    openapi_extra=APPLICANT_DOC,
)
def case_resubmit(request: HttpRequest, path: Path[CasePath]) -> CaseOut:
    actor = _actor(request)
    return _case_out(services.case_resubmit(actor=actor, number=path.case_number.upper()))


@_post(
    "/cases/{case_number}/corrections/answer",
    response=_responses(200, CaseOut, 404, 409, 422),
    summary="Answer a correction request (补正): changed form fields; upload files first",
    description="The legal clock runs again. Too late once the deadline has passed (409).",
    openapi_extra=APPLICANT_DOC,
)
def correction_answer(
    request: HttpRequest, path: Path[CasePath], body: CaseCorrectionAnswerIn
) -> CaseOut:
    actor = _actor(request)
    return _case_out(
        services.case_correct(
            actor=actor, number=path.case_number.upper(), form_data=body.form, note=body.note
        )
    )


# --------------------------------------------------------------------------------------------
# Accepting and approving (staff)


@_post(
    "/window/persons",
    response=_responses(200, WindowPersonOut, 403, 404, 422),
    summary="Identify a walk-in at the window by the ID number on the card (audited)",
)
def window_person_find(request: HttpRequest, body: WindowPersonIn) -> WindowPersonOut:
    person = identity_services.person_find_by_id_number(
        actor=_actor(request), id_number=body.id_number
    )
    if person is None:
        raise NotFound(_("Nobody with this ID number has an account yet."))
    return WindowPersonOut(
        id=person.pk,
        name=person.name,
        id_number_masked=person.id_number_masked,
        assurance_level=person.assurance_level,
    )


@_post(
    "/window/cases",
    response=_responses(201, CaseOut, 403, 404, 422),
    summary="Register a walk-in's application for any item of the city (无差别受理)",
    description=(
        "The case waits for the clerk's decision (accept, notice, refuse); the clerk scans its "
        "materials with `POST /cases/{case_number}/materials` first."
    ),
)
def window_case_create(request: HttpRequest, body: WindowCaseIn) -> Status:
    try:
        case = services.case_window_create(
            actor=_actor(request),
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
    return Status(201, _case_out(case))


@_post(
    "/cases/{case_number}/accept",
    response=_responses(200, CaseOut, 404, 409, 422),
    summary="Accept (受理), possibly with 容缺 materials to follow",
)
def case_accept(request: HttpRequest, path: Path[CasePath], body: CaseAcceptIn) -> CaseOut:
    actor = _actor(request)
    return _case_out(
        services.case_accept(
            actor=actor,
            number=path.case_number.upper(),
            deferred_material_ids=body.deferred_materials,
            deferred_days=body.deferred_days,
        )
    )


@_post(
    "/cases/{case_number}/refuse",
    response=_responses(200, CaseOut, 404, 409, 422),
    summary="Refuse to accept (不予受理), with the reason",
)
def case_refuse(request: HttpRequest, path: Path[CasePath], body: CaseReasonIn) -> CaseOut:
    actor = _actor(request)
    return _case_out(
        services.case_refuse(actor=actor, number=path.case_number.upper(), reason=body.reason)
    )


@_post(
    "/cases/{case_number}/notice",
    response=_responses(200, CaseOut, 404, 409, 422),
    summary="Return with a one-time notice (一次性告知) of everything missing",
)
def case_notice(request: HttpRequest, path: Path[CasePath], body: CaseNoticeIn) -> CaseOut:
    actor = _actor(request)
    items = [item.model_dump() for item in body.items]
    return _case_out(
        services.case_return_notice(
            actor=actor, number=path.case_number.upper(), items=items, note=body.note
        )
    )


@_post(
    "/cases/{case_number}/corrections",
    response=_responses(201, CaseOut, 404, 409, 422),
    summary="Request a correction (补正): the legal clock stops until the applicant answers",
)
def correction_request(
    request: HttpRequest, path: Path[CasePath], body: CaseCorrectionIn
) -> Status:
    actor = _actor(request)
    updated = services.case_request_correction(
        actor=actor,
        task_id=body.task,
        items=[item.model_dump() for item in body.items],
        respond_days=body.respond_days,
        case_number=path.case_number.upper(),
    )
    return Status(201, _case_out(updated))


@_post(
    "/cases/{case_number}/decisions",
    response=_responses(201, CaseOut, 404, 409, 422),
    summary="Decide (the last step): approve or reject, with the reason and the legal basis",
)
def case_decide(request: HttpRequest, path: Path[CasePath], body: CaseDecisionIn) -> Status:
    actor = _actor(request)
    decided = services.task_complete(
        actor=actor,
        task_id=body.task,
        note=body.note,
        outcome=body.outcome,
        reason=body.reason,
        legal_basis=body.legal_basis,
        case_number=path.case_number.upper(),
    )
    return Status(201, _case_out(decided))


@_post(
    "/cases/{case_number}/close",
    response=_responses(200, CaseOut, 404, 409, 422),
    summary="Close a decided case (办结)",
)
def case_close(request: HttpRequest, path: Path[CasePath]) -> CaseOut:
    actor = _actor(request)
    return _case_out(services.case_close(actor=actor, number=path.case_number.upper()))


@_post(
    "/cases/{case_number}/handover",
    response=_responses(200, CaseOut, 404, 409, 422),
    summary="Record that the result was handed over at a window (一口发证)",
)
def case_handover(request: HttpRequest, path: Path[CasePath], body: CaseNoteIn) -> CaseOut:
    actor = _actor(request)
    number = path.case_number.upper()
    return _case_out(services.case_handover(actor=actor, number=number, note=body.note))


@router.get(
    "/tasks",
    response=_responses(200, list[TaskOut], 422),
    summary="My worklist: open tasks of my roles in my departments (or those I claimed)",
)
def tasks(request: HttpRequest, query: Query[TaskQuery]) -> list[TaskOut]:
    actor = _actor(request)
    found = selectors.worklist(actor=actor, mine=query.mine)
    return [_task_out(t, actor) for t in found[query.offset : query.offset + query.limit]]


@_post(
    "/tasks/{id}/claim",
    response=_responses(200, TaskOut, 404, 409, 422),
    summary="Claim an open task",
)
def task_claim(request: HttpRequest, path: Path[IdPath]) -> TaskOut:
    actor = _actor(request)
    return _task_out(services.task_claim(actor=actor, task_id=path.id), actor)


@_post(
    "/tasks/{id}/reassign",
    response=_responses(200, TaskOut, 404, 409, 422),
    summary="Give the task to a colleague with the step's role, or release it",
)
def task_reassign(request: HttpRequest, path: Path[IdPath], body: TaskReassignIn) -> TaskOut:
    actor = _actor(request)
    user_id = 0
    if body.user is not None:
        found = get_user_model().objects.filter(username=body.user, is_active=True).first()
        if found is None:
            raise InvalidInput(
                problems=[Problem(field="user", reason=_("This person cannot do this step."))]
            )
        user_id = found.pk
    return _task_out(services.task_reassign(actor=actor, task_id=path.id, user_id=user_id), actor)


@_post(
    "/tasks/{id}/return",
    response=_responses(200, CaseOut, 404, 409, 422),
    summary="Send the case back to the previous step, with the reason",
)
def task_return(request: HttpRequest, path: Path[IdPath], body: CaseReasonIn) -> CaseOut:
    return _case_out(
        services.task_return(actor=_actor(request), task_id=path.id, reason=body.reason)
    )


@_post(
    "/tasks/{id}/complete",
    response=_responses(200, CaseOut, 404, 409, 422),
    summary="Complete a step before the last one (the last step is a decision)",
)
def task_complete(request: HttpRequest, path: Path[IdPath], body: CaseNoteIn) -> CaseOut:
    return _case_out(services.task_complete(actor=_actor(request), task_id=path.id, note=body.note))


@_post(
    "/tasks/{id}/suspend",
    response=_responses(200, CaseOut, 404, 409, 422),
    summary="Start a special procedure (hearing, expert review, inspection): the clock stops",
)
def task_suspend(request: HttpRequest, path: Path[IdPath], body: TaskSuspendIn) -> CaseOut:
    return _case_out(
        services.case_suspend(
            actor=_actor(request), task_id=path.id, kind=body.kind, reason=body.reason
        )
    )


@_post(
    "/tasks/{id}/resume",
    response=_responses(200, CaseOut, 404, 409, 422),
    summary="End the special procedure: the clock runs again",
)
def task_resume(request: HttpRequest, path: Path[IdPath]) -> CaseOut:
    return _case_out(services.case_resume(actor=_actor(request), task_id=path.id))
