"""The applicant's cases: applying online (the item's form, the situation answers, one upload per
material, drafts, one idempotent submit), the list, one case with its timeline (like a parcel),
answering a correction (补正) or a one-time notice (一次性告知), and the case's PDFs.

Views parse, call the cases services and selectors, and render. Every page works without
JavaScript; nothing typed is lost when something is invalid (the draft keeps it).
"""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tongban.cases import selectors as case_selectors
from tongban.cases import services as case_services
from tongban.cases.documents import acceptance_receipt_pdf, notice_pdf
from tongban.cases.models import Case
from tongban.cases.services.applying import max_upload_bytes
from tongban.cases.services.common import case_target
from tongban.catalog import application
from tongban.catalog import selectors as catalog_selectors
from tongban.catalog.models import ItemVersion
from tongban.core.authorization import permits
from tongban.core.errors import Conflict, InvalidInput, NotFound, Problem
from tongban.core.types import Actor
from tongban.identity.selectors import request_actor
from tongban.portal.case_forms import (
    ACCEPTED_FILES,
    ANSWER_PREFIX,
    MaterialRow,
    PlacedErrors,
    form_fields,
    form_values,
    material_rows,
    place_problems,
    posted_answers,
    store_consents,
    store_uploads,
    upload_limited,
)
from tongban.portal.views import situation_answers

# ---------------------------------------------------------------------------------------------
# Applying


def _version_for(code: str, case: Case | None) -> ItemVersion:
    """The guide version of the application: the draft's own, or the one in force."""
    try:
        return catalog_selectors.item_guide_get(
            implementation_code=code[:30],
            version_number=case.version.number if case is not None else None,
        )
    except NotFound as exc:
        raise Http404 from exc


def _own_draft(actor: Actor, code: str, draft_id: str | None) -> Case | None:
    """The actor's own draft for this item; 404 for anyone else's (or a submitted case)."""
    if not draft_id:
        return None
    try:
        pk = int(draft_id)
    except ValueError as exc:
        raise Http404 from exc
    draft = (
        case_selectors.drafts_for_actor(actor=actor)
        .select_related("item")
        .filter(pk=pk, item__implementation_code=code[:30])
        .first()
    )
    if draft is None:
        raise Http404
    return draft


def _blocked(actor: Actor, version: ItemVersion) -> dict[str, Any] | None:
    """Why this actor cannot apply for the item (the guide's explanation), or None."""
    if actor.person_id is None:
        return {"state": "other", "required": version.min_assurance_level, "current": None}
    if actor.assurance_level < version.min_assurance_level:
        return {
            "state": "too_low",
            "required": version.min_assurance_level,
            "current": actor.assurance_level,
        }
    return None


def _situations(
    version: ItemVersion, answers: dict[str, list[str]], errors: dict[str, str]
) -> list[dict[str, Any]]:
    outcome = catalog_selectors.materials_for_answers(version=version, answers=answers)
    return [
        {
            "situation": s,
            "chosen": [
                o.display_label for o in s.options.all() if o.code in answers.get(s.code, [])
            ],
            "error": errors.get(s.code, ""),
        }
        for s in outcome.asked
    ]


def _apply_page(
    request: HttpRequest,
    *,
    version: ItemVersion,
    draft: Case | None,
    answers: dict[str, list[str]],
    values: dict[str, Any],
    rows: list[MaterialRow] | None = None,
    errors: PlacedErrors | None = None,
    key: str = "",
    status: int = 200,
) -> HttpResponse:
    errors = errors or PlacedErrors(fields={}, answers={}, general=[])
    actor = request_actor(request)
    form = application.form_of(version)
    prefilled = case_services.prefill(actor=actor, form=form)
    answer_error = False
    try:
        situations = _situations(version, answers, errors.answers)
        if rows is None:
            rows = material_rows(version, answers, draft, actor)
    except InvalidInput:
        answer_error, answers = True, {}
        situations = _situations(version, answers, errors.answers)
        rows = material_rows(version, answers, draft, actor)
    pairs = [(code, option) for code, chosen in answers.items() for option in chosen]
    if draft is not None:
        pairs.append(("draft", str(draft.pk)))
    change_query = urlencode(pairs)
    return render(
        request,
        "portal/cases/apply.html",
        {
            "version": version,
            "item": version.item,
            "draft": draft,
            "answers": answers,
            "answer_fields": [
                (f"{ANSWER_PREFIX}{code}", option)
                for code, chosen in answers.items()
                for option in chosen
            ],
            "answer_error": answer_error,
            "situations": situations,
            "change_answers_url": reverse("portal:guide", args=[version.item.implementation_code])
            + (f"?{change_query}" if change_query else "")
            + "#questionnaire-section",
            "fields": form_fields(
                form,
                values,
                errors.fields,
                prefilled=[k for k, v in prefilled.items() if values.get(k) == v],
            ),
            "rows": rows,
            "general_errors": errors.general,
            "key": key or secrets.token_urlsafe(24),
            "max_size": max_upload_bytes(),
            "accepted_files": ACCEPTED_FILES,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
@upload_limited
def apply(request: HttpRequest, code: str) -> HttpResponse:
    """Apply online for an item: GET shows the form (a new application or ``?draft=<id>``),
    POST saves the draft (``action=save``) or submits it (``action=submit``)."""
    actor = request_actor(request)
    params = request.POST if request.method == "POST" else request.GET
    draft = _own_draft(actor, code, params.get("draft")) if request.method == "GET" else None
    version = _version_for(code, draft)
    blocked = _blocked(actor, version)
    if blocked is not None:
        return render(
            request,
            "portal/cases/apply_blocked.html",
            {"version": version, "item": version.item, "assurance": blocked},
            status=403,
        )
    if request.method == "GET":
        answers = situation_answers(request.GET, version)
        if draft is not None:
            answers = answers or draft.answers
            values = draft.form_data
        else:
            values = case_services.prefill(actor=actor, form=application.form_of(version))
        return _apply_page(request, version=version, draft=draft, answers=answers, values=values)
    return _apply_post(request, actor, code, version)


def _apply_post(
    request: HttpRequest, actor: Actor, code: str, version: ItemVersion
) -> HttpResponse:
    action = request.POST.get("action")
    key = (request.POST.get("key") or "").strip()[:100]
    if action not in ("save", "submit"):
        raise Http404
    if action == "submit":
        previous = case_selectors.submitted_with_key(actor=actor, key=key)
        if previous is not None:  # a double click or a refresh: the same case
            return _to_case(request, previous, already=True)
    draft_id = request.POST.get("draft") or None
    draft = None
    if draft_id:
        try:
            draft = _own_draft(actor, code, draft_id)
        except Http404:
            if action != "submit" or not draft_id.isdigit():
                raise
            # Submitted in the meantime (another tab, a concurrent click): the service returns
            # the submitted case to its owner, and 404 to anyone else.
            case = case_services.case_submit(
                actor=actor, case_id=int(draft_id), idempotency_key=key
            )
            return _to_case(request, case, already=True)
        version = _version_for(code, draft)
    form = application.form_of(version)
    answers = posted_answers(request.POST, version)
    values = form_values(form, request.POST)
    try:
        draft = _save_draft(actor, code, draft, answers, values)
    except InvalidInput:  # answers that are not options of the questionnaire
        messages.error(request, _("Some answers were not understood; please choose again."))
        answers = draft.answers if draft is not None else {}
        draft = _save_draft(actor, code, draft, answers, values)  # keep what was typed
        draft.version = version
        return _apply_page(
            request,
            version=version,
            draft=draft,
            answers=answers,
            values=values,
            key=key,
            status=422,
        )
    draft.version = version
    rows = material_rows(version, answers, draft)
    store_consents(actor, draft, rows, request.POST)
    if not store_uploads(request, actor, draft, rows):
        # Not submitted; say at once what else the form needs, next to the refused files.
        problems = application.validate_answers(form, values) if action == "submit" else {}
        return _apply_page(
            request,
            version=version,
            draft=draft,
            answers=answers,
            values=values,
            rows=rows,
            errors=place_problems(
                [Problem(field=f"form.{k}", reason=v) for k, v in problems.items()], rows
            ),
            key=key,
            status=422,
        )
    if action == "save":
        messages.success(request, _("Your draft is saved. You can continue it later."))
        return redirect(f"{reverse('portal:apply', args=[code])}?draft={draft.pk}")
    try:
        case = case_services.case_submit(actor=actor, case_id=draft.pk, idempotency_key=key)
    except InvalidInput as exc:
        errors = place_problems(exc.problems, rows)
        messages.error(
            request,
            _("Your draft is saved, but it cannot be submitted yet. See what to fix below."),
        )
        return _apply_page(
            request,
            version=version,
            draft=draft,
            answers=answers,
            values=values,
            rows=rows,
            errors=errors,
            key=key,
            status=422,
        )
    return _to_case(request, case, already=case.pk != draft.pk)


def _save_draft(
    actor: Actor,
    code: str,
    draft: Case | None,
    answers: dict[str, list[str]],
    values: dict[str, Any],
) -> Case:
    return case_services.case_draft_save(
        actor=actor,
        implementation_code=code[:30],
        answers=answers,
        form_data=values,
        draft_id=draft.pk if draft is not None else None,
    )


def _to_case(request: HttpRequest, case: Case, *, already: bool = False) -> HttpResponse:
    if already:
        messages.info(request, _("This application was already submitted."))
    else:
        messages.success(
            request,
            _("Your application is submitted. Your case number is %(number)s.")
            % {"number": case.number},
        )
    return redirect("portal:case", number=case.number)


# ---------------------------------------------------------------------------------------------
# My applications


@login_required
@require_GET
def my_cases(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    return render(
        request,
        "portal/cases/list.html",
        {
            "cases": case_selectors.cases_for_actor(actor=actor)[:200],
            "drafts": case_selectors.drafts_for_actor(actor=actor)
            .select_related("item")
            .order_by("-updated_at")[:50],
        },
    )


# ---------------------------------------------------------------------------------------------
# One case


def _case_page(
    request: HttpRequest,
    case: Case,
    *,
    rows: list[MaterialRow] | None = None,
    values: dict[str, Any] | None = None,
    errors: PlacedErrors | None = None,
    note: str = "",
    status: int = 200,
) -> HttpResponse:
    actor = request_actor(request)
    errors = errors or PlacedErrors(fields={}, answers={}, general=[])
    version = _version_for(case.item.implementation_code, case)
    case.version = version
    if rows is None:
        rows = material_rows(version, case.answers, case)
    correction = case_selectors.open_correction(case)
    notice = case_selectors.last_notice(case)
    flagged = {}
    if case.status == Case.Status.RETURNED and notice is not None:
        flagged = {
            item.get("material"): item.get("reason", "")
            for item in notice.data.get("items") or []
            if item.get("material")
        }
    for row in rows:
        row.flagged = flagged.get(row.material.pk, "")
    may_answer = permits(actor, "case.apply", case_target(case))
    return render(
        request,
        "portal/cases/detail.html",
        {
            "case": case,
            "timeline": case_selectors.timeline(case),
            "rows": rows,
            "correction": correction,
            "notice": notice,
            "notice_items": (notice.data.get("items") or []) if notice is not None else [],
            "may_correct": may_answer and correction is not None,
            "may_resubmit": may_answer and case.status == Case.Status.RETURNED,
            "fields": form_fields(
                application.form_of(version),
                case.form_data if values is None else values,
                errors.fields,
            ),
            "general_errors": errors.general,
            "note": note,
            "max_size": max_upload_bytes(),
            "accepted_files": ACCEPTED_FILES,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
@upload_limited
def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    """The case with its timeline; POST answers a correction (``action=correct``) or submits
    again after a one-time notice (``action=resubmit``)."""
    actor = request_actor(request)
    case = case_selectors.case_get(actor=actor, number=number)
    if request.method == "GET":
        return _case_page(request, case)
    action = request.POST.get("action")
    if action not in ("correct", "resubmit") or not permits(actor, "case.apply", case_target(case)):
        raise Http404
    rows = material_rows(_version_for(case.item.implementation_code, case), case.answers, case)
    form = application.form_of(case.version)
    values = form_values(form, request.POST) if action == "correct" else None
    note = (request.POST.get("note") or "")[:2000]
    store_consents(actor, case, rows, request.POST)
    if not store_uploads(request, actor, case, rows):
        return _case_page(
            request,
            case,
            rows=rows,
            values={**case.form_data, **(values or {})},
            note=note,
            status=422,
        )
    try:
        if action == "correct":
            case_services.case_correct(actor=actor, number=number, form_data=values, note=note)
            messages.success(request, _("Your correction is sent. The department continues."))
        else:
            case_services.case_resubmit(actor=actor, number=number)
            messages.success(request, _("Your application is submitted again."))
    except InvalidInput as exc:
        return _case_page(
            request,
            case,
            rows=rows,
            values={**case.form_data, **(values or {})},
            errors=place_problems(exc.problems, rows),
            note=note,
            status=422,
        )
    except Conflict as exc:
        messages.error(request, str(exc.message))
    return redirect("portal:case", number=number)


def _pdf(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def case_receipt_pdf(request: HttpRequest, number: str) -> HttpResponse:
    """The submission or acceptance receipt (受理回执) of a case the actor may see."""
    case = case_selectors.case_get(actor=request_actor(request), number=number)
    return _pdf(acceptance_receipt_pdf(case), f"receipt-{case.number}.pdf")


@login_required
@require_GET
def case_notice_pdf(request: HttpRequest, number: str) -> HttpResponse:
    """The one-time notice of missing materials (一次性告知书), when the case has one."""
    case = case_selectors.case_get(actor=request_actor(request), number=number)
    if case_selectors.last_notice(case) is None:
        raise Http404
    return _pdf(notice_pdf(case), f"notice-{case.number}.pdf")
