"""Applying through the API (申报): in one call or step by step, and following one's cases."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Path, Query, Status
from ninja.files import UploadedFile

from tongban.api.cases.common import (
    BODY,
    application_body_limit,
    post,
    router,
    upload_body_limit,
)
from tongban.api.cases.output import (
    case_out,
    decoded_uploads,
    draft_out,
    draft_save,
    own_draft,
    request_actor,
    summary_out,
    upload_out,
    visible_case,
)
from tongban.api.cases.schemas import (
    APPLICANT_DOC,
    PDF_DOC,
    CaseApplicationIn,
    CaseCorrectionAnswerIn,
    CaseDraftIn,
    CaseDraftOut,
    CaseOut,
    CasePath,
    CaseSummaryOut,
    CaseUploadOut,
    CertificateConsentIn,
    Id,
    IdempotencyKey,
    IdPath,
    PageQuery,
    responses,
)
from tongban.cases import documents, selectors, services
from tongban.cases.models import Case
from tongban.core.errors import InvalidInput, NotFound, Problem
from tongban.core.types import Actor

# --------------------------------------------------------------------------------------------
# Applying


@post(
    "/cases",
    limit=application_body_limit,
    response=responses((201, 200), CaseOut, 404, 422),
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
    actor = request_actor(request)
    key = (idempotency_key or "").strip()
    try:
        uploads = decoded_uploads(body.materials)
    except InvalidInput:
        earlier = services.submission_earlier(actor=actor, idempotency_key=key) if key else None
        if earlier is None:
            raise
        return Status(200, case_out(visible_case(actor, earlier.number or "")))
    try:
        submitted = services.application_submit(
            actor=actor,
            implementation_code=body.item,
            answers=body.answers,
            form_data=body.form,
            uploads=uploads,
            idempotency_key=key,
            use_certificates=body.use_certificates,
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
        return Status(200, case_out(visible_case(actor, submitted.case.number or "")))
    return Status(201, case_out(submitted.case))


@post(
    "/cases/drafts",
    response=responses(201, CaseDraftOut, 422),
    summary="Start a draft application (step by step)",
    openapi_extra=APPLICANT_DOC,
)
def draft_create(request: HttpRequest, body: CaseDraftIn) -> Status:
    return Status(201, draft_out(draft_save(request_actor(request), body)))


@router.get(
    "/cases/drafts/{id}",
    response=responses(200, CaseDraftOut, 404, 422),
    summary="One of my drafts, with its form schema and the materials it needs",
    openapi_extra=APPLICANT_DOC,
)
def draft_get(request: HttpRequest, path: Path[IdPath]) -> CaseDraftOut:
    return draft_out(own_draft(request_actor(request), path.id))


def _material_add(actor: Actor, case_id: int, material: int, file: UploadedFile) -> Status:
    stored = services.case_material_add(
        actor=actor, case_id=case_id, material_id=material, upload=file
    )
    return Status(201, upload_out(stored))


@post(
    "/cases/drafts/{id}/materials",
    limit=upload_body_limit,
    response=responses(201, CaseUploadOut, 404, 409, 422),
    summary="Upload a material to a draft (multipart; replaces an earlier file)",
    openapi_extra=APPLICANT_DOC,
)
def draft_material_add(
    request: HttpRequest,
    path: Path[IdPath],
    material: Form[Id],
    file: File[UploadedFile],
) -> Status:
    return _material_add(request_actor(request), path.id, material, file)


@post(
    "/cases/drafts/{id}/certificates",
    response=responses(200, CaseDraftOut, 404, 409, 422),
    summary="Use my electronic certificate for a material (证照免带), or withdraw the consent",
    description=(
        "A material marked certificate_offered can be filled from the applicant's own valid "
        "certificate instead of an upload; it is verified and its use logged when the case is "
        "submitted. Replaces a file given for the material."
    ),
    openapi_extra=APPLICANT_DOC,
)
def draft_certificate_use(
    request: HttpRequest, path: Path[IdPath], body: CertificateConsentIn
) -> CaseDraftOut:
    actor = request_actor(request)
    services.case_certificate_use(
        actor=actor, case_id=path.id, material_id=body.material, use=body.use
    )
    return draft_out(own_draft(actor, path.id))


@post(
    "/cases/{case_number}/certificates",
    response=responses(200, CaseOut, 404, 409, 422),
    summary="Use the applicant's electronic certificate for a material of a case",
    description=(
        "For a case returned to its applicant or awaiting a correction, and for a window "
        "clerk recording a walk-in's consent on a window case: the certificate is verified "
        "at once and its use logged where the holder reads it."
    ),
    openapi_extra=APPLICANT_DOC,
)
def case_certificate_use(
    request: HttpRequest, path: Path[CasePath], body: CertificateConsentIn
) -> CaseOut:
    actor = request_actor(request)
    case = visible_case(actor, path.case_number)
    services.case_certificate_use(
        actor=actor, case_id=case.pk, material_id=body.material, use=body.use
    )
    return case_out(visible_case(actor, path.case_number))


@post(
    "/cases/drafts/{id}/submit",
    response=responses((201, 200), CaseOut, 404, 422),
    summary="Submit a draft (idempotent; 200 when it was submitted already)",
    openapi_extra=APPLICANT_DOC,
)
def draft_submit(
    request: HttpRequest, path: Path[IdPath], idempotency_key: IdempotencyKey = None
) -> Status:
    actor = request_actor(request)
    was_draft = selectors.drafts_for_actor(actor=actor).filter(pk=path.id).exists()
    case = services.case_submit(
        actor=actor, case_id=path.id, idempotency_key=(idempotency_key or "").strip()
    )
    created = was_draft and case.pk == path.id
    return Status(201 if created else 200, case_out(visible_case(actor, case.number or "")))


@router.get(
    "/cases",
    response=responses(200, list[CaseSummaryOut], 422),
    summary="My cases (or my company's, when acting for one), newest first",
    openapi_extra=APPLICANT_DOC,
)
def my_cases(request: HttpRequest, page: Query[PageQuery]) -> list[CaseSummaryOut]:
    cases = selectors.cases_for_actor(actor=request_actor(request)).select_related("item")
    return [summary_out(c) for c in cases[page.offset : page.offset + page.limit]]


@router.get(
    "/cases/{case_number}",
    response=responses(200, CaseOut, 404, 422),
    summary="A case: status, due dates, materials and the public timeline",
    openapi_extra=APPLICANT_DOC,
)
def case_detail(request: HttpRequest, path: Path[CasePath]) -> CaseOut:
    return case_out(visible_case(request_actor(request), path.case_number))


def _pdf(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@router.get(
    "/cases/{case_number}/receipt.pdf",
    response=responses(200, None, 404, 422),
    summary="The submission or acceptance receipt (PDF)",
    openapi_extra=APPLICANT_DOC | PDF_DOC,
)
def case_receipt(request: HttpRequest, path: Path[CasePath]) -> HttpResponse:
    case = visible_case(request_actor(request), path.case_number)
    return _pdf(documents.acceptance_receipt_pdf(case), f"receipt-{case.number}.pdf")


@router.get(
    "/cases/{case_number}/notice.pdf",
    response=responses(200, None, 404, 422),
    summary="The one-time notice of missing materials (PDF), while the case is returned",
    openapi_extra=APPLICANT_DOC | PDF_DOC,
)
def case_notice_pdf(request: HttpRequest, path: Path[CasePath]) -> HttpResponse:
    case = visible_case(request_actor(request), path.case_number)
    if case.status != Case.Status.RETURNED:
        raise NotFound()
    return _pdf(documents.notice_pdf(case), f"notice-{case.number}.pdf")


@post(
    "/cases/{case_number}/materials",
    limit=upload_body_limit,
    response=responses(201, CaseUploadOut, 404, 409, 422),
    summary="Upload a material to a returned case or for a correction (multipart)",
    openapi_extra=APPLICANT_DOC,
)
def case_material_add(
    request: HttpRequest,
    path: Path[CasePath],
    material: Form[Id],
    file: File[UploadedFile],
) -> Status:
    actor = request_actor(request)
    return _material_add(actor, visible_case(actor, path.case_number).pk, material, file)


@post(
    "/cases/{case_number}/resubmit",
    response=responses(200, CaseOut, 404, 409, 422),
    summary="Submit again after a one-time notice",
    openapi_extra=APPLICANT_DOC,
)
def case_resubmit(request: HttpRequest, path: Path[CasePath]) -> CaseOut:
    actor = request_actor(request)
    return case_out(services.case_resubmit(actor=actor, number=path.case_number.upper()))


@post(
    "/cases/{case_number}/corrections/answer",
    response=responses(200, CaseOut, 404, 409, 422),
    summary="Answer a correction request (补正): changed form fields; upload files first",
    description="The legal clock runs again. Too late once the deadline has passed (409).",
    openapi_extra=APPLICANT_DOC,
)
def correction_answer(
    request: HttpRequest, path: Path[CasePath], body: CaseCorrectionAnswerIn
) -> CaseOut:
    actor = request_actor(request)
    return case_out(
        services.case_correct(
            actor=actor, number=path.case_number.upper(), form_data=body.form, note=body.note
        )
    )
