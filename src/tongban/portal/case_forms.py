"""The pieces of the applicant's case pages: the application form drawn from its JSON Schema
and read back, one upload per material (with the size limit enforced while the body is read),
and the errors of a submission placed next to what they are about."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from tongban.cases import services as case_services
from tongban.cases.models import Case, CaseMaterial
from tongban.cases.services.applying import FETCHED_SOURCES, max_upload_bytes
from tongban.cases.services.reuse import OFFERED
from tongban.catalog import application
from tongban.catalog import selectors as catalog_selectors
from tongban.catalog.models import ItemVersion, Material
from tongban.certificates.models import Certificate
from tongban.core.errors import InvalidInput, Problem
from tongban.core.types import Actor
from tongban.portal.views import situation_answers

MAX_VALUE_LENGTH = 10_000
# A request body larger than this many maximal files is refused before it is read.
MAX_FILES_PER_REQUEST = 30
ANSWER_PREFIX = "answer."
FORM_PREFIX = "form."
MATERIAL_PREFIX = "material."
# The applicant's consent to use a certificate they hold for a material (证照免带).
CONSENT_PREFIX = "use-certificate-"
CONSENT_SHOWN_PREFIX = "use-certificate-shown-"
ACCEPTED_FILES = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"
# How a prefilled field helps the phone's keyboard and autofill.
PREFILL_INPUT = {
    "person.name": ("text", "name"),
    "person.phone": ("tel", "tel"),
    "person.email": ("email", "email"),
    "company.name": ("text", "organization"),
    "company.credit_code": ("text", "off"),
}


# ---------------------------------------------------------------------------------------------
# Uploads: the size limit is enforced while the body is read


class UploadLimit(FileUploadHandler):
    """Stops storing a file as soon as it passes the size limit: the rest of it is skipped (never
    written to memory or disk) and the field is remembered, so the page says which file was too
    large while keeping everything else that was sent."""

    def __init__(self, request: HttpRequest, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.too_large: set[str] = set()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > self.limit or (self.content_length or 0) > self.limit:
            self.too_large.add(self.field_name)
            raise SkipFile()
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def upload_limited(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Installs the upload limit before the body is parsed. The CSRF check reads the body, so it
    runs after the handler is in place (``csrf_protect`` inside, ``csrf_exempt`` outside)."""
    protected = csrf_protect(view)

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "POST":
            limit = max_upload_bytes()
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > limit * MAX_FILES_PER_REQUEST + settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
                error = InvalidInput(
                    _(
                        "The files are too large together. Upload fewer at a time, each up to "
                        "%(size)s."
                    )
                    % {"size": filesizeformat(limit)}
                )
                return render(request, "error.html", {"error": error}, status=413)
            handler = UploadLimit(request, limit)
            request.upload_handlers.insert(0, handler)
            request._tongban_upload_limit = handler  # type: ignore[attr-defined]
        return protected(request, *args, **kwargs)

    return csrf_exempt(wrapper)


def too_large_fields(request: HttpRequest) -> set[str]:
    handler = getattr(request, "_tongban_upload_limit", None)
    return handler.too_large if handler is not None else set()


# ---------------------------------------------------------------------------------------------
# The application form, rendered from its JSON Schema


@dataclass
class FormField:
    """One field of the application form as the template draws it."""

    name: str
    label: str
    hint: str
    kind: str  # text, textarea, select, checkbox, integer, number
    required: bool
    value: str
    checked: bool
    options: list[tuple[str, str]]
    max_length: int | None
    pattern: str
    input_type: str
    autocomplete: str
    prefilled: bool
    error: str

    @property
    def html_name(self) -> str:
        return f"{FORM_PREFIX}{self.name}"

    @property
    def id(self) -> str:
        return f"f-{self.name}"

    @property
    def describedby(self) -> str:
        ids = []
        if self.hint:
            ids.append(f"{self.id}-hint")
        if self.prefilled:
            ids.append(f"{self.id}-prefilled")
        if self.error:
            ids.append(f"{self.id}-error")
        return " ".join(ids)

    @property
    def inputmode(self) -> str:
        if self.kind == "integer":
            return "numeric"
        if self.kind == "number":
            return "decimal"
        return {"tel": "tel", "email": "email"}.get(self.input_type, "")


def _kind(name: str, spec: dict[str, Any], form: dict[str, Any]) -> str:
    if isinstance(spec.get("enum"), list) and spec["enum"]:
        return "select"
    if spec.get("type") == "boolean":
        return "checkbox"
    if spec.get("type") in ("integer", "number"):
        return str(spec["type"])
    if name in ((form.get("x-layout") or {}).get("long") or []):
        return "textarea"
    return "text"


def _shown(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def form_fields(
    form: dict[str, Any],
    values: dict[str, Any],
    errors: dict[str, str],
    prefilled: Iterable[str] = (),
) -> list[FormField]:
    """The fields of ``form`` in layout order, with the values to show and their errors."""
    properties = form.get("properties") or {}
    required = set(form.get("required") or [])
    prefill = form.get("x-prefill") or {}
    prefilled = set(prefilled)
    fields = []
    for name in application.field_order(form):
        spec = properties.get(name) or {}
        kind = _kind(name, spec, form)
        input_type, autocomplete = PREFILL_INPUT.get(prefill.get(name, ""), ("text", ""))
        value = values.get(name)
        fields.append(
            FormField(
                name=name,
                label=str(spec.get("title") or name),
                hint=str(spec.get("description") or ""),
                kind=kind,
                required=name in required,
                value=_shown(value),
                checked=value is True,
                options=[(str(o), str(o)) for o in spec.get("enum") or []],
                max_length=spec.get("maxLength")
                if isinstance(spec.get("maxLength"), int)
                else None,
                pattern=str(spec.get("pattern") or ""),
                input_type=input_type if kind == "text" else "text",
                autocomplete=autocomplete,
                prefilled=name in prefilled and value is not None,
                error=errors.get(name, ""),
            )
        )
    return fields


def _number(text: str, kind: str) -> Any:
    """The typed number, or the text as typed when it is not one (the schema then says why)."""
    try:
        if kind == "integer":
            return int(text)
        number = float(text)
    except ValueError:
        return text
    if not math.isfinite(number):
        return text
    return int(number) if number.is_integer() and "." not in text else number


def form_values(form: dict[str, Any], post: QueryDict) -> dict[str, Any]:
    """The posted answers of the form, typed by the schema where they can be; what cannot be
    typed (``"abc"`` for a number) is kept as typed so the draft and the page still show it."""
    properties = form.get("properties") or {}
    values: dict[str, Any] = {}
    for name in application.field_order(form):
        spec = properties.get(name) or {}
        kind = _kind(name, spec, form)
        key = f"{FORM_PREFIX}{name}"
        if kind == "checkbox":
            values[name] = post.get(key) == "true"
            continue
        text = (post.get(key) or "")[:MAX_VALUE_LENGTH].strip()
        if not text:
            continue
        if kind == "select":
            values[name] = next((o for o in spec["enum"] if str(o) == text), text)
        elif kind in ("integer", "number"):
            values[name] = _number(text, kind)
        else:
            values[name] = text
    return values


def posted_answers(post: QueryDict, version: ItemVersion) -> dict[str, list[str]]:
    params = QueryDict(mutable=True)
    for key in post:
        if key.startswith(ANSWER_PREFIX):
            params.setlist(key[len(ANSWER_PREFIX) :], post.getlist(key))
    return situation_answers(params, version)


# ---------------------------------------------------------------------------------------------
# Materials


@dataclass
class MaterialRow:
    """A material the case needs, where it stands, the file already there, and an error."""

    material: Material
    state: str  # provided / fetched / deferred / missing / deferrable_missing
    upload: CaseMaterial | None
    error: str = ""
    flagged: str = ""  # why the department asks for it again (notice, correction)
    offer: Certificate | None = None  # the applicant's own certificate that can stand in

    @property
    def consent_name(self) -> str:
        return f"{CONSENT_PREFIX}{self.material.pk}"

    @property
    def consent_shown_name(self) -> str:
        return f"{CONSENT_SHOWN_PREFIX}{self.material.pk}"

    @property
    def certificate(self) -> Certificate | None:
        """The certificate attached (with consent), else the one offered."""
        if self.upload is not None and self.upload.certificate_id:
            return self.upload.certificate
        return self.offer

    @property
    def uses_certificate(self) -> bool:
        return self.state == "certificate"

    @property
    def input_name(self) -> str:
        return f"{MATERIAL_PREFIX}{self.material.pk}"

    @property
    def id(self) -> str:
        return f"m-{self.material.pk}"

    @property
    def fetched(self) -> bool:
        return self.state == "fetched"

    @property
    def deferrable(self) -> bool:
        return self.material.necessity == Material.Necessity.DEFERRABLE

    @property
    def describedby(self) -> str:
        return f"{self.id}-hint" + (f" {self.id}-error" if self.error else "")


def material_rows(
    version: ItemVersion,
    answers: dict[str, list[str]],
    case: Case | None,
    actor: Actor | None = None,
) -> list[MaterialRow]:
    """The materials' rows. Without a draft yet, ``actor`` says who would apply, so that a
    certificate they hold is offered from the start."""
    uploads = {}
    if case is not None and case.pk is not None:
        uploads = {
            m.material_id: m
            for m in case.materials.select_related("certificate__type")
            if m.file or m.certificate_id or m.exchange_message_id
        }
        case.answers = answers
        states = case_services.completeness(case)
    else:
        outcome = catalog_selectors.materials_for_answers(version=version, answers=answers)
        states = [
            (
                m,
                "fetched"
                if m.source in FETCHED_SOURCES
                else "deferrable_missing"
                if m.necessity == Material.Necessity.DEFERRABLE
                else "missing",
            )
            for m in outcome.materials
        ]
        if actor is not None and actor.person_id is not None:
            applicant = Case(
                applicant_person_id=actor.person_id,
                applicant_company_id=actor.acting_for_company_id,
            )
            held = case_services.certificate_offers(applicant, outcome.materials)
            states = [(m, "certificate_offered" if m.pk in held else s) for m, s in states]
            case = applicant
    offered = [m for m, s in states if s == "certificate_offered"]
    offers = case_services.certificate_offers(case, offered) if offered and case else {}
    return [
        MaterialRow(material=m, state=s, upload=uploads.get(m.pk), offer=offers.get(m.pk))
        for m, s in states
    ]


def store_consents(actor: Actor, case: Case, rows: list[MaterialRow], post: Any) -> None:
    """The applicant's choice, per offered certificate, to use it instead of a file: a ticked
    box attaches it, an unticked one (of a box that was shown) withdraws the consent."""
    for row in rows:
        if row.state not in ("certificate_offered", "certificate"):
            continue
        if row.consent_shown_name not in post:
            continue
        wanted = post.get(row.consent_name) == "1"
        if wanted == row.uses_certificate:
            continue
        try:
            attached = case_services.case_certificate_use(
                actor=actor, case_id=case.pk, material_id=row.material.pk, use=wanted
            )
        except InvalidInput as exc:
            row.error = "; ".join(str(p.reason) for p in exc.problems) or str(exc.message)
            continue
        if attached is not None:
            row.offer = attached.certificate
        row.state, row.upload = ("certificate", attached) if wanted else (OFFERED, None)


def store_uploads(request: HttpRequest, actor: Actor, case: Case, rows: list[MaterialRow]) -> bool:
    """Attaches every posted file to its material; False when one was refused (its row then
    carries the reason). Files that passed are kept either way."""
    too_large = too_large_fields(request)
    ok = True
    for row in rows:
        if row.fetched or row.uses_certificate:
            continue
        if row.input_name in too_large:
            row.error = _("The file is larger than %(size)s.") % {
                "size": filesizeformat(max_upload_bytes())
            }
            ok = False
            continue
        upload = request.FILES.get(row.input_name)
        if upload is None:
            continue
        try:
            row.upload = case_services.case_material_add(
                actor=actor, case_id=case.pk, material_id=row.material.pk, upload=upload
            )
        except InvalidInput as exc:
            row.error = "; ".join(str(p.reason) for p in exc.problems) or str(exc.message)
            ok = False
    if not ok:
        messages.error(request, _("Some files were refused. Check the materials below."))
    return ok


# ---------------------------------------------------------------------------------------------
# Errors of a submission, placed next to what they are about


@dataclass
class PlacedErrors:
    fields: dict[str, str]
    answers: dict[str, str]
    general: list[str]


def place_problems(problems: Iterable[Problem], rows: list[MaterialRow]) -> PlacedErrors:
    by_material = {str(row.material.pk): row for row in rows}
    placed = PlacedErrors(fields={}, answers={}, general=[])
    for problem in problems:
        where, _dot, name = problem.field.partition(".")
        if where == "form" and name and name != "form":
            placed.fields[name] = str(problem.reason)
        elif where == "answers" and name:
            placed.answers[name] = str(problem.reason)
        elif where == "material" and name in by_material:
            by_material[name].error = str(problem.reason)
        else:
            placed.general.append(str(problem.reason))
    return placed
