"""Public pages for citizens and companies. Parse, call one selector, render."""

from __future__ import annotations

import mimetypes
from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from tongban.catalog import selectors
from tongban.catalog.models import ItemType, ItemVersion, Material
from tongban.core.errors import InvalidInput, NotFound
from tongban.identity.selectors import request_actor
from tongban.organizations import selectors as org_selectors
from tongban.portal.guide_pdf import render_guide_pdf

AUDIENCES = {"person", "company"}


def _int(value: str | None, default: int | None = None) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return default
    return number if 0 < number < 10**9 else default


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    audience = request.GET.get("for") if request.GET.get("for") in AUDIENCES else "person"
    return render(
        request,
        "portal/home.html",
        {
            "audience": audience,
            "topics": selectors.theme_list(kind="topic", audience=audience),
            "life_events": selectors.theme_list(kind="life_event", audience=audience),
            "departments": selectors.department_list_with_item_counts()[:24],
        },
    )


def _search_context(request: HttpRequest, **fixed: Any) -> dict[str, Any]:
    params = request.GET
    audience = params.get("audience") if params.get("audience") in AUDIENCES else None
    item_type = params.get("type") if params.get("type") in ItemType.values else None
    filters = {
        "audience": audience,
        "department_id": _int(params.get("department")),
        "theme": (params.get("theme") or "")[:40] or None,
        "item_type": item_type,
    }
    filters.update(fixed)
    text = (params.get("q") or "")[:100]
    page = selectors.item_search(
        text=text, page=_int(params.get("page"), 1) or 1, page_size=20, **filters
    )
    query = params.copy()
    query.pop("page", None)
    return {
        "page": page,
        "q": text,
        "filters": filters,
        "item_types": ItemType.choices,
        "querystring": query.urlencode(),
    }


@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    context = _search_context(request)
    if request.headers.get("HX-Request"):
        return render(request, "portal/_results.html", context)
    return render(request, "portal/search.html", context)


@require_GET
def departments(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/departments.html",
        {"departments": selectors.department_list_with_item_counts()},
    )


@require_GET
def department(request: HttpRequest, department_id: int) -> HttpResponse:
    dept = org_selectors.department_get(department_id=department_id)
    if dept is None:
        raise Http404
    context = _search_context(request, department_id=dept.pk)
    context["department"] = dept
    return render(request, "portal/department.html", context)


@require_GET
def theme(request: HttpRequest, code: str) -> HttpResponse:
    try:
        theme_obj = selectors.theme_get(code=code)
    except NotFound as exc:
        raise Http404 from exc
    context = _search_context(request, theme=theme_obj.code)
    context["theme"] = theme_obj
    return render(request, "portal/theme.html", context)


def situation_answers(params: QueryDict, version: ItemVersion) -> dict[str, list[str]]:
    """Answers arrive as ?Q1=yes&Q2=a&Q2=b; only known questions are read (the guide and the
    application page share this format)."""
    answers = {}
    for situation in version.situations.all():
        chosen = [c[:20] for c in params.getlist(situation.code)[:20] if c]
        if chosen:
            answers[situation.code] = chosen
    return answers


def _assurance(request: HttpRequest, version: ItemVersion) -> dict[str, Any]:
    """What the guide says about the identity level the item needs, for this visitor.

    ``state`` is "anonymous" (must log in), "too_low" (a person below the level), "enough",
    or "other" (a signed-in account without a person, e.g. staff).
    """
    actor = request_actor(request)
    required = version.min_assurance_level
    if actor.kind != "user":
        state = "anonymous"
    elif actor.person_id is None:
        state = "other"
    elif actor.assurance_level < required:
        state = "too_low"
    else:
        state = "enough"
    return {
        "state": state,
        "required": required,
        "current": actor.assurance_level if actor.person_id is not None else None,
    }


def _guide_context(request: HttpRequest, version: ItemVersion) -> dict[str, Any]:
    answers = situation_answers(request.GET, version)
    error = None
    try:
        outcome = selectors.materials_for_answers(version=version, answers=answers)
    except InvalidInput as exc:
        error = exc
        outcome = selectors.materials_for_answers(version=version, answers={})
    situational = selectors.situational_material_ids(version)
    return {
        "version": version,
        "item": version.item,
        "outcome": outcome,
        "answered": bool(answers),
        "answers": answers,
        "answer_error": error,
        "situational": situational,
        "querystring": request.GET.urlencode(),
        "is_current": version.pk == version.item.current_version_id,
        "assurance": _assurance(request, version),
        # Changing the answers of a draft application: "Apply online" returns to that draft.
        "draft_id": _int(request.GET.get("draft")),
    }


def _guide_or_404(code: str, number: int | None = None) -> ItemVersion:
    try:
        return selectors.item_guide_get(implementation_code=code[:30], version_number=number)
    except NotFound as exc:
        raise Http404 from exc


@require_GET
def guide(request: HttpRequest, code: str) -> HttpResponse:
    return render(request, "portal/guide.html", _guide_context(request, _guide_or_404(code)))


@require_GET
def guide_version(request: HttpRequest, code: str, number: int) -> HttpResponse:
    version = _guide_or_404(code, number)
    return render(request, "portal/guide.html", _guide_context(request, version))


@require_GET
def guide_materials(request: HttpRequest, code: str) -> HttpResponse:
    """The material list for the answers (the htmx fragment of the questionnaire)."""
    context = _guide_context(request, _guide_or_404(code))
    if request.headers.get("HX-Request"):
        return render(request, "portal/_materials.html", context)
    return render(request, "portal/guide.html", context)


@require_GET
def guide_pdf(request: HttpRequest, code: str) -> HttpResponse:
    version = _guide_or_404(code)
    context = _guide_context(request, version)
    pdf = render_guide_pdf(
        version=version,
        outcome=context["outcome"],
        url=request.build_absolute_uri(request.path.removesuffix("guide.pdf")),
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    lang = (get_language() or "zh-hans")[:2]
    response["Content-Disposition"] = (
        f'inline; filename="guide-{version.item.implementation_code}-{lang}.pdf"'
    )
    return response


@require_GET
def versions(request: HttpRequest, code: str) -> HttpResponse:
    version = _guide_or_404(code)
    history = selectors.item_version_history(implementation_code=code[:30])
    return render(request, "portal/versions.html", {"version": version, "history": history})


@require_GET
def material_file(request: HttpRequest, code: str, material_id: int, kind: str) -> FileResponse:
    if kind not in ("blank_form", "sample"):
        raise Http404
    material = (
        Material.objects.select_related("version__item")
        .filter(
            pk=material_id,
            version__item__implementation_code=code[:30],
            version__status=ItemVersion.Status.PUBLISHED,
        )
        .first()
    )
    if material is None or not getattr(material, kind):
        raise Http404
    f = getattr(material, kind)
    name = f.name.rsplit("/", 1)[-1]
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(
        f.open("rb"), as_attachment=True, filename=name, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)
