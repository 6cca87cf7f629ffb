"""Catalog API: search, the guide, the questionnaire, import and export."""

from __future__ import annotations

import datetime as dt
import json

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.security import django_auth
from pydantic import Field

from tongban.catalog import selectors, services
from tongban.catalog.formats import csv_archive_write
from tongban.catalog.models import Material, localised
from tongban.core.errors import Forbidden, InvalidInput, Problem
from tongban.identity.selectors import actor_for_user

router = Router(tags=["catalog"])


class ItemSummary(Schema):
    implementation_code: str
    name: str
    name_highlighted: str = Field(description="the name as HTML with <mark> around matches")
    department: str
    region: str
    item_type: str
    audience: str
    online_depth: int
    url: str


class SearchOut(Schema):
    query: str
    count: int
    count_capped: bool = Field(description="true when more items match than `count`")
    page: int
    pages: int
    page_size: int
    suggestion: str | None
    results: list[ItemSummary]


class SearchParams(Schema):
    q: str = Field("", max_length=100, description="words to search for, in Chinese or English")
    page: int = Field(1, ge=1, le=1000)
    page_size: int = Field(20, ge=1, le=100)
    audience: str | None = Field(None, pattern="^(person|company)$")
    department: int | None = Field(None, ge=1)
    theme: str | None = Field(None, max_length=40)
    item_type: str | None = Field(None, pattern="^(0[1-9]|10|20)$")
    region: str | None = Field(None, pattern=r"^\d{2,12}$")


def _summary(r: selectors.SearchResult) -> ItemSummary:
    return ItemSummary(
        implementation_code=r.implementation_code,
        name=r.display_name,
        name_highlighted=str(r.title),
        department=r.department,
        region=r.region_code,
        item_type=r.item_type,
        audience=r.audience,
        online_depth=r.online_depth,
        url=reverse("portal:guide", args=[r.implementation_code]),
    )


@router.get("/items", response=SearchOut, summary="Search and browse the catalog")
def items(request: HttpRequest, params: Query[SearchParams]) -> SearchOut:
    page = selectors.item_search(
        text=params.q,
        page=params.page,
        page_size=params.page_size,
        audience=params.audience,
        department_id=params.department,
        theme=params.theme,
        item_type=params.item_type,
        region_code=params.region,
    )
    return SearchOut(
        query=page.query,
        count=page.total,
        count_capped=page.total_capped,
        page=page.page,
        pages=page.pages,
        page_size=page.page_size,
        suggestion=page.suggestion,
        results=[_summary(r) for r in page.results],
    )


class MaterialOut(Schema):
    code: str
    name: str
    necessity: str
    form: str
    original_copy: str
    source: str
    source_detail: str
    certificate_type: str = Field(
        description="the certificate type (证照类型代码) a certificate-library material is"
    )
    paper_size: str
    copies: int
    notes: str
    blank_form_url: str | None
    sample_url: str | None
    situational: bool = Field(description="true when only some situations need it")


class OptionOut(Schema):
    code: str
    label: str
    conditions: str
    materials: list[str]


class SituationOut(Schema):
    code: str
    question: str
    multiple: bool
    depends_on: str | None
    options: list[OptionOut]


class TimeLimit(Schema):
    value: int | None
    unit: str


class GuideOut(Schema):
    implementation_code: str
    base_code: str
    version: int
    effective_from: dt.date | None
    name: str
    item_type: str
    item_type_label: str
    department: str
    department_credit_code: str
    region: str
    audience: str
    min_assurance_level: int = Field(
        description="the identity assurance level (1-3) an applicant's account needs: "
        "1 verified phone, 2 matched with the population registry, 3 confirmed in person"
    )
    min_assurance_level_label: str
    themes: list[str]
    legal_basis: str
    acceptance_conditions: str
    legal_time_limit: TimeLimit
    promised_time_limit: TimeLimit
    process: str
    case_kind: str
    visits_needed: int
    fee_required: bool
    fees: str
    fee_basis: str
    address: str
    office_hours: str
    phone: str
    complaint_channel: str
    online_depth: int
    handling_scope: str
    delivery_by_post: bool
    online_payment: bool
    appointment: bool
    result_name: str
    result_type: str
    special_procedures: str
    materials: list[MaterialOut]
    situations: list[SituationOut]


def _file_url(material: Material, kind: str) -> str | None:
    if not getattr(material, kind):
        return None
    return reverse(
        "portal:material_file",
        args=[material.version.item.implementation_code, material.pk, kind],
    )


def _material_out(m: Material, situational: set[int]) -> MaterialOut:
    return MaterialOut(
        code=m.code,
        name=m.display_name,
        necessity=m.necessity,
        form=m.form,
        original_copy=m.original_copy,
        source=m.source,
        source_detail=m.source_detail,
        certificate_type=m.certificate_type,
        paper_size=m.paper_size,
        copies=m.copies,
        notes=m.display_notes,
        blank_form_url=_file_url(m, "blank_form"),
        sample_url=_file_url(m, "sample"),
        situational=m.pk in situational,
    )


@router.get("/items/{implementation_code}", response=GuideOut, summary="The full guide of an item")
def guide(request: HttpRequest, implementation_code: str, version: int | None = None) -> GuideOut:
    v = selectors.item_guide_get(implementation_code=implementation_code, version_number=version)
    item = v.item
    situational = selectors.situational_material_ids(v)
    return GuideOut(
        implementation_code=item.implementation_code,
        base_code=item.base_item.base_code,
        version=v.number,
        effective_from=v.effective_from,
        name=v.display_name,
        item_type=item.base_item.item_type,
        item_type_label=item.base_item.get_item_type_display(),
        department=item.department.display_name,
        department_credit_code=item.department.credit_code,
        region=item.region_id,
        audience=v.audience,
        min_assurance_level=v.min_assurance_level,
        min_assurance_level_label=v.get_min_assurance_level_display(),
        themes=[t.code for t in v.themes.all()],
        legal_basis=v.legal_basis,
        acceptance_conditions=localised(v, "acceptance_conditions"),
        legal_time_limit=TimeLimit(value=v.legal_time_limit, unit=v.legal_time_limit_unit),
        promised_time_limit=TimeLimit(value=v.promised_time_limit, unit=v.promised_time_limit_unit),
        process=localised(v, "process"),
        case_kind=v.case_kind,
        visits_needed=v.visits_needed,
        fee_required=v.fee_required,
        fees=v.fees,
        fee_basis=v.fee_basis,
        address=v.address,
        office_hours=v.office_hours,
        phone=v.phone,
        complaint_channel=v.complaint_channel,
        online_depth=v.online_depth,
        handling_scope=v.handling_scope,
        delivery_by_post=v.delivery_by_post,
        online_payment=v.online_payment,
        appointment=v.appointment,
        result_name=localised(v, "result_name"),
        result_type=v.result_type,
        special_procedures=v.special_procedures,
        materials=[_material_out(m, situational) for m in v.materials.all()],
        situations=[
            SituationOut(
                code=s.code,
                question=s.display_question,
                multiple=s.multiple,
                depends_on=(
                    f"{s.depends_on.situation.code}:{s.depends_on.code}" if s.depends_on else None
                ),
                options=[
                    OptionOut(
                        code=o.code,
                        label=o.display_label,
                        conditions=o.display_conditions,
                        materials=[m.code for m in o.materials.all()],
                    )
                    for o in s.options.all()
                ],
            )
            for s in v.situations.all()
        ],
    )


class AnswersIn(Schema):
    answers: dict[str, list[str]] = Field(
        default_factory=dict,
        description='question code → chosen option codes, e.g. {"Q1": ["rent"]}',
        max_length=50,
    )


class MaterialsOut(Schema):
    complete: bool = Field(description="false while an asked question has no answer")
    unanswered: list[str]
    materials: list[MaterialOut]
    conditions: list[str]


@router.post(
    "/items/{implementation_code}/materials",
    response=MaterialsOut,
    summary="Answer the situation questions; get the exact list of materials",
)
def materials(request: HttpRequest, implementation_code: str, body: AnswersIn) -> MaterialsOut:
    for code, chosen in body.answers.items():
        if len(code) > 20 or len(chosen) > 20 or any(len(c) > 20 for c in chosen):
            raise InvalidInput(problems=[Problem(field="answers", reason=_("Too long."))])
    v = selectors.item_guide_get(implementation_code=implementation_code)
    outcome = selectors.materials_for_answers(version=v, answers=body.answers)
    situational = selectors.situational_material_ids(v)
    return MaterialsOut(
        complete=outcome.complete,
        unanswered=[s.code for s in outcome.unanswered],
        materials=[_material_out(m, situational) for m in outcome.materials],
        conditions=outcome.conditions,
    )


class ThemeOut(Schema):
    code: str
    name: str
    kind: str
    audience: str


@router.get("/themes", response=list[ThemeOut], summary="Topics and life events")
def themes(request: HttpRequest, kind: str | None = None, audience: str | None = None):
    return [
        ThemeOut(code=t.code, name=t.display_name, kind=t.kind, audience=t.audience)
        for t in selectors.theme_list(kind=kind, audience=audience)
    ]


# --------------------------------------------------------------------------------------------
# Import and export (staff)


class ImportOut(Schema):
    themes: int
    base_items: int
    items: int
    new_items: int
    materials: int
    published: int


@router.post(
    "/import",
    response=ImportOut,
    auth=django_auth,
    summary="Import a catalog file (.json or .zip of CSV); all or nothing",
)
def catalog_import(
    request: HttpRequest,
    file: File[UploadedFile],
    publish: Form[bool] = False,
    effective_from: Form[dt.date | None] = None,
) -> ImportOut:
    actor = actor_for_user(request.user)
    if not actor.has_role("catalog_manager"):
        raise Forbidden()
    if file.size and file.size > settings.CATALOG_IMPORT_MAX_BYTES:
        raise InvalidInput(problems=[Problem(field="file", reason=_("The file is too large."))])
    summary = services.catalog_import(
        actor=actor,
        content=file.read(),
        filename=file.name or "upload",
        publish=publish,
        effective_from=effective_from,
    )
    return ImportOut(**summary)


@router.get("/export", auth=django_auth, summary="Export the whole catalog (json or csv)")
def catalog_export(request: HttpRequest, format: str = "json") -> HttpResponse:
    actor = actor_for_user(request.user)
    if not actor.has_role("catalog_manager"):
        raise Forbidden()
    if format not in ("json", "csv"):
        raise InvalidInput(problems=[Problem(field="format", reason="json or csv")])
    document = selectors.catalog_export_document(include_files=format == "json")
    if format == "csv":
        response = HttpResponse(csv_archive_write(document), content_type="application/zip")
        response["Content-Disposition"] = 'attachment; filename="tongban-catalog.zip"'
        return response
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=1, default=str),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="tongban-catalog.json"'
    return response
