"""Cases in the workbench: window intake (无差别受理), the acceptance queue, worklists and the
task page (后台审批), closing (办结) and handing the result over (一口发证).

Views parse the request, call one case service or selector and render; the services check
every permission again. Pages open only to staff who passed the second factor (the admin
site's own check), and a case is shown only after ``case_get`` let the actor see it.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from tongban.cases import documents
from tongban.cases import selectors as case_selectors
from tongban.cases import services as case_services
from tongban.cases.models import Case, CaseMaterial, ClockPause, Task
from tongban.cases.services.common import case_target
from tongban.catalog import application
from tongban.catalog.selectors import item_guide_get, item_search, materials_for_answers
from tongban.certificates.face import certificate_face_pdf
from tongban.certificates.selectors import certificates_of_case
from tongban.core.authorization import Target, permits, permits_role
from tongban.core.errors import Forbidden, InvalidInput, NotFound, TongbanError
from tongban.core.types import Actor, RoleGrant
from tongban.identity.models import Person, StaffRole
from tongban.workbench.admin import actor_of
from tongban.workbench.pages import render_page, report_refusal, staff_page
from tongban.workflow import clock
from tongban.workflow.selectors import calendar_current

CORRECTION_ROWS = 5
# The approver's face-field inputs for the certificate the decision issues (cert-<key>).
CERTIFICATE_PREFIX = "cert-"
OPEN_TASK = (Task.Status.OPEN, Task.Status.CLAIMED)
STATE_LABELS = {
    **dict(CaseMaterial.State.choices),
    "missing": _("Missing"),
    "deferrable_missing": _("Missing; may follow after acceptance (容缺)"),
    "certificate": _("Electronic certificate, verified (证照免带)"),
    "certificate_offered": _("The applicant holds this certificate: use it with their consent"),
}
# What a service's problem field means, for the message shown to the clerk or reviewer.
FIELD_LABELS = {
    "reason": _("Reason"),
    "legal_basis": _("Legal basis of the decision"),
    "note": _("Note"),
    "items": _("What to correct or supply"),
    "respond_days": _("Days to respond"),
    "deferred_days": _("Days to supply 容缺 materials"),
    "user": _("Colleague"),
    "kind": _("Special procedure"),
    "outcome": _("Decision"),
    "file": _("File"),
    "material": _("Material"),
}


_page = staff_page


def _render(request: HttpRequest, template: str, title: Any, **extra: Any) -> HttpResponse:
    return render_page(request, f"cases/{template}", title, **extra)


def _report(request: HttpRequest, exc: TongbanError, labels: dict[str, Any] | None = None) -> None:
    report_refusal(request, exc, {**FIELD_LABELS, **(labels or {})})


def _int(value: Any, default: int = 0) -> int:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) < 10 else default


def _ints(values: list[str]) -> list[int]:
    return [n for n in (_int(v, -1) for v in values) if n >= 0]


# --------------------------------------------------------------------------------------------
# The application form, rendered from the item's JSON Schema


def _schema_field(spec: dict[str, Any], *, required: bool, long: bool) -> forms.Field:
    common: dict[str, Any] = {
        "label": spec.get("title") or "",
        "help_text": spec.get("description") or "",
        "required": required,
    }
    kind = spec.get("type")
    if "enum" in spec:
        values = {str(v): v for v in spec["enum"]}
        return forms.TypedChoiceField(
            choices=[("", "—"), *((k, k) for k in values)],
            coerce=lambda text: values[text],
            empty_value=None,
            **common,
        )
    if kind == "boolean":
        return forms.BooleanField(**{**common, "required": False})
    if kind == "integer":
        return forms.IntegerField(
            min_value=spec.get("minimum"), max_value=spec.get("maximum"), **common
        )
    if kind == "number":
        return forms.FloatField(
            min_value=spec.get("minimum"), max_value=spec.get("maximum"), **common
        )
    widget = forms.Textarea(attrs={"rows": 3}) if long else forms.TextInput
    return forms.CharField(max_length=spec.get("maxLength"), widget=widget, **common)


class SchemaForm(forms.Form):
    """The application form of an item version: one field per schema property, in the
    layout's order. Types are parsed here; the case service validates with the schema itself."""

    def __init__(self, schema: dict[str, Any], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, prefix="form", **kwargs)
        required = set(schema.get("required") or [])
        long = set((schema.get("x-layout") or {}).get("long") or [])
        for name in application.field_order(schema):
            self.fields[name] = _schema_field(
                schema["properties"][name], required=name in required, long=name in long
            )
            self.fields[name].label = self.fields[name].label or name

    def answers(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}

    def add_problems(self, exc: InvalidInput) -> list[Any]:
        """Put the service's ``form.<field>`` problems on the fields; return the others."""
        rest = []
        for problem in exc.problems:
            name = problem.field.removeprefix("form.")
            if problem.field.startswith("form.") and name in self.fields:
                self.add_error(name, problem.reason)
            elif problem.field.startswith("form."):
                self.add_error(None, problem.reason)
            else:
                rest.append(problem)
        return rest


def _form_rows(case: Case) -> list[tuple[str, Any]]:
    """The form answers as (label, value), in the form's order, unknown keys last."""
    schema = application.form_of(case.version)
    properties = schema.get("properties", {})

    def shown(value: Any) -> Any:
        if isinstance(value, bool):
            return _("Yes") if value else _("No")
        return value

    rows = [
        (properties[name].get("title") or name, shown(case.form_data.get(name)))
        for name in application.field_order(schema)
        if name in case.form_data
    ]
    return rows + [(k, shown(v)) for k, v in case.form_data.items() if k not in properties]


def _prefill(person: Person, schema: dict[str, Any]) -> dict[str, Any]:
    """What the form's ``x-prefill`` takes from the person served at the window."""
    known = {
        "person.name": person.name,
        "person.phone": person.phone if person.phone_sealed else "",
        "person.email": person.email,
    }
    return {
        field: known[source]
        for field, source in (schema.get("x-prefill") or {}).items()
        if known.get(source)
    }


# --------------------------------------------------------------------------------------------
# Window intake (无差别受理)


def _clerk(request: HttpRequest) -> tuple[Actor, Person | None]:
    actor = actor_of(request)
    if not actor.has_role("window_clerk"):
        raise Forbidden()
    person = Person.objects.filter(pk=actor.serving_person_id or 0).first()
    return actor, person


@_page
def intake_search(request: HttpRequest) -> HttpResponse:
    """Find any item of the city for the person served at the counter."""
    actor, person = _clerk(request)
    text = request.GET.get("q", "").strip()[:100]
    results = item_search(text=text, page_size=20) if text else None
    waiting = case_selectors.window_cases_waiting(actor=actor)[:20]
    return _render(
        request,
        "intake_search.html",
        _("New application at the window"),
        serving=person,
        q=text,
        results=results,
        waiting=waiting,
    )


def _answers_from(data: Any, situations: list[Any]) -> dict[str, list[str]]:
    answers = {}
    for situation in situations:
        chosen = [c for c in data.getlist(f"q_{situation.code}") if c]
        if chosen:
            answers[situation.code] = chosen
    return answers


@_page
def intake_item(request: HttpRequest, code: str) -> HttpResponse:
    """Answer the item's questions, fill its form and register the application; the clerk
    then scans the materials and decides on the case page."""
    actor, person = _clerk(request)
    if person is None:
        messages.error(request, _("Serve the applicant at the counter first."))
        return redirect("workbench:counter")
    version = item_guide_get(implementation_code=code)
    schema = application.form_of(version)
    situations = list(version.situations.all())
    answers = _answers_from(request.POST, situations) if request.method == "POST" else {}
    if request.method == "POST":
        form = SchemaForm(schema, data=request.POST)
    else:
        form = SchemaForm(schema, initial=_prefill(person, schema))
    try:
        outcome = materials_for_answers(version=version, answers=answers)
    except InvalidInput:
        answers, outcome = {}, materials_for_answers(version=version, answers={})
        messages.error(request, _("Choose one of the options."))
    if request.method == "POST" and request.POST.get("action") == "create":
        if outcome.unanswered:
            messages.error(request, _("Answer every question: they decide the materials."))
        elif form.is_valid():
            try:
                case = case_services.case_window_create(
                    actor=actor,
                    implementation_code=code,
                    person_id=person.pk,
                    answers=outcome.answers,
                    form_data=form.answers(),
                    identity_checked=request.POST.get("identity_checked") == "1",
                )
            except InvalidInput as exc:
                for problem in form.add_problems(exc):
                    messages.error(request, str(problem.reason))
            else:
                messages.success(
                    request,
                    _("Registered as case %(number)s. Scan the materials, then decide.")
                    % {"number": case.number},
                )
                return redirect("workbench:case", case.number)
    asked = [(situation, answers.get(situation.code, [])) for situation in outcome.asked]
    return _render(
        request,
        "intake_item.html",
        version.display_name,
        serving=person,
        version=version,
        asked=asked,
        outcome=outcome,
        form=form,
        needs_identity_check=person.assurance_level < version.min_assurance_level,
    )


@_page
@require_POST
def case_materials(request: HttpRequest, number: str) -> HttpResponse:
    """Scans uploaded at the window, one file per material (each checked by the service)."""
    actor = actor_of(request)
    case = case_selectors.case_get(actor=actor, number=number)
    names = {m.pk: m.display_name for m in case.version.materials.all()}
    added = 0
    for key, upload in request.FILES.items():
        material_id = _int(key.removeprefix("file_"), -1)
        try:
            case_services.case_material_add(
                actor=actor, case_id=case.pk, material_id=material_id, upload=upload
            )
            added += 1
        except TongbanError as exc:
            _report(
                request,
                exc,
                {"file": names.get(material_id, ""), "material": names.get(material_id, "")},
            )
    if added:
        messages.success(request, _("%(n)d file(s) added.") % {"n": added})
    return redirect("workbench:case", case.number)


# --------------------------------------------------------------------------------------------
# One case: the form beside the materials, completeness, decisions, tasks, timeline


def _staff_timeline(case: Case) -> list[dict[str, Any]]:
    """The whole history with who acted (staff see the staff member; applicants never do)."""
    entries = []
    names = {m.pk: m.display_name for m in case.version.materials.all()}
    for event in case_selectors.staff_history(case):
        details = [
            f"{i.get('what') or i.get('name') or _('Application')}: {i.get('reason', '')}"
            for i in event.data.get("items") or []
            if isinstance(i, dict)
        ]
        if event.data.get("deferred"):
            details.append(
                f"{_('To follow (容缺)')}: "
                + "、".join(names.get(pk, "") for pk in event.data["deferred"])
            )
        if event.data.get("legal_basis"):
            details.append(f"{_('Legal basis of the decision')}: {event.data['legal_basis']}")
        if event.data.get("procedure"):
            details.append(str(dict(ClockPause.Kind.choices).get(event.data["procedure"], "")))
        user = event.actor_user
        entries.append(
            {
                "at": event.at,
                "label": case_selectors.EVENT_LABELS.get(event.kind, event.kind),
                "department": event.department.display_name if event.department else "",
                "staff": (user.get_full_name() or user.get_username()) if user else "",
                "note": event.note,
                "details": details,
            }
        )
    return entries


def _colleagues(task: Task) -> list[Any]:
    """The users who hold the task's role over its department (reassignment candidates)."""
    users: dict[int, Any] = {}
    roles = StaffRole.objects.filter(role=task.role, user__is_active=True).select_related("user")
    for role in roles:
        grant = RoleGrant(
            role=role.role, department_id=role.department_id, region_code=role.region_id
        )
        if grant.covers(department_id=task.department_id, region_code=task.department.region_id):
            users[role.user_id] = role.user
    return sorted(users.values(), key=lambda u: u.get_username())


def _certificate_rows(actor: Actor, case: Case, typed: dict[str, str]) -> dict[str, Any] | None:
    """The certificate approving the case issues, its face prefilled from the application
    (then from what the approver typed before a refused attempt)."""
    found = case_services.certificate_proposal(actor=actor, case=case)
    if found is None:
        return None
    result, values = found
    return {
        "type": result.certificate_type,
        "renews": result.renews,
        "establishes": result.establishes,
        "rows": case_services.proposal_fields(result, {**values, **typed}),
    }


def _certificate_labels(actor: Actor, number: str) -> dict[str, str]:
    case = case_selectors.case_get(actor=actor, number=number)
    result = case_services.result_of(case)
    if result is None:
        return {}
    return {
        f"certificate.{field['key']}": field["label"]
        for field in case_services.proposal_fields(result, {})
    }


def _task_context(
    actor: Actor, case: Case, task: Task, typed: dict[str, str] | None = None
) -> dict[str, Any]:
    stages = application.stages(application.steps_of(case.version))
    task_target = Target(
        kind="task",
        id=task.pk,
        department_id=task.department_id,
        region_code=task.department.region_id,
    )
    may_work = permits_role(actor, task.role, task_target)
    is_open = task.status in OPEN_TASK
    last_step = task.stage == len(stages) - 1
    return {
        "certificate": _certificate_rows(actor, case, typed or {})
        if last_step and may_work and is_open
        else None,
        "task": task,
        "may_work": may_work and is_open,
        "last_step": last_step,
        "colleagues": _colleagues(task) if may_work and is_open else [],
        "procedures": [c for c in ClockPause.Kind.choices if c[0] != ClockPause.Kind.CORRECTION],
        "correction_rows": range(CORRECTION_ROWS),
        "mine": task.assignee_id == actor.user_id,
    }


def _case_page(request: HttpRequest, case: Case, task: Task | None = None) -> HttpResponse:
    actor = actor_of(request)
    target = case_target(case)
    rows = []
    provided = {
        m.material_id: m for m in case.materials.select_related("certificate__type", "material")
    }
    states = case_services.completeness(case)
    offered = [m for m, state in states if state == "certificate_offered"]
    offers = case_services.certificate_offers(case, offered) if offered else {}
    for material, state in states:
        stored = provided.get(material.pk)
        rows.append(
            {
                "material": material,
                "state": state,
                "label": STATE_LABELS.get(state, state),
                "file": stored,
                "certificate": stored.certificate if stored and stored.certificate_id else None,
                "offer": offers.get(material.pk),
            }
        )
    may_accept = permits(actor, "case.accept", target) or permits(actor, "case.prereview", target)
    is_clerk = permits(actor, "case.accept", target)
    tasks = list(case.tasks.select_related("department", "assignee").order_by("stage", "pk"))
    decided = case.status in (Case.Status.APPROVED, Case.Status.REJECTED)
    context: dict[str, Any] = {
        "case": case,
        "form_rows": _form_rows(case),
        "materials": rows,
        "extra_files": [
            m
            for m in provided.values()
            if m.material_id not in {r["material"].pk for r in rows} and m.file
        ],
        "may_upload": case.channel == Case.Channel.WINDOW
        and is_clerk
        and case.status in (Case.Status.SUBMITTED, Case.Status.RETURNED, Case.Status.CORRECTION),
        "may_decide": case.status == Case.Status.SUBMITTED and may_accept,
        "may_consent": case.channel == Case.Channel.WINDOW
        and is_clerk
        and case.status in (Case.Status.SUBMITTED, Case.Status.RETURNED, Case.Status.CORRECTION),
        "deferrable": [r for r in rows if r["state"] == "deferrable_missing"],
        "noticeable": [
            r for r in rows if r["state"] in ("missing", "deferrable_missing", "provided")
        ],
        "tasks": tasks,
        "pause": case.pauses.filter(ended_at__isnull=True).first(),
        "may_close": decided and (permits_role(actor, "approver", target) or is_clerk),
        "may_hand_over": case.status == Case.Status.CLOSED
        and case.decided_at
        and not case.handed_over_at
        and permits(actor, "case.handover", target),
        "has_notice": case.events.filter(kind="notice").exists(),
        "timeline": _staff_timeline(case),
        "remaining": clock.remaining(case.legal_due_at) if case.legal_due_at else None,
    }
    if task is not None:
        typed = request.session.pop(f"{CERTIFICATE_PREFIX}{task.pk}", None)
        context.update(_task_context(actor, case, task, typed if isinstance(typed, dict) else {}))
    if case.decided_at and case.number:
        context["certificates"] = list(certificates_of_case(case_number=case.number))
    title = f"{case.version.display_name} · {case.number}"
    return _render(request, "case.html", title, **context)


@_page
def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    case = case_selectors.case_get(actor=actor_of(request), number=number)
    return _case_page(request, case)


@_page
def task_detail(request: HttpRequest, task_id: int) -> HttpResponse:
    actor = actor_of(request)
    task = case_selectors.task_get(actor=actor, task_id=task_id)
    case = case_selectors.case_get(actor=actor, number=task.case.number)
    return _case_page(request, case, task)


@_page
def case_material_file(request: HttpRequest, number: str, material_id: int) -> HttpResponse:
    """A scanned material, streamed only to those ``case_get`` lets see the case (files are
    never served from a public media URL)."""
    case = case_selectors.case_get(actor=actor_of(request), number=number)
    material = case_selectors.case_file(case, material_id)
    if material is None:
        raise Http404
    response = FileResponse(
        material.file.open("rb"),
        content_type=material.content_type or "application/octet-stream",
        filename=material.original_name or material.file.name.rsplit("/", 1)[-1],
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _pdf(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@_page
def case_receipt_pdf(request: HttpRequest, number: str) -> HttpResponse:
    case = case_selectors.case_get(actor=actor_of(request), number=number)
    return _pdf(documents.acceptance_receipt_pdf(case), f"receipt-{case.number}.pdf")


@_page
def case_notice_pdf(request: HttpRequest, number: str) -> HttpResponse:
    case = case_selectors.case_get(actor=actor_of(request), number=number)
    if not case.events.filter(kind="notice").exists():
        raise Http404
    return _pdf(documents.notice_pdf(case), f"notice-{case.number}.pdf")


@_page
def case_certificate_pdf(request: HttpRequest, number: str, certificate_id: int) -> HttpResponse:
    """The face of a certificate the case issued, for the window to print (纸电同发), or of
    one attached to it in place of a material."""
    case = case_selectors.case_get(actor=actor_of(request), number=number)
    certificate = certificates_of_case(case_number=case.number).filter(pk=certificate_id).first()
    if certificate is None:  # or one attached to it as a material (证照免带)
        attached = case.materials.filter(certificate_id=certificate_id).first()
        certificate = attached.certificate if attached else None
    if certificate is None:
        raise Http404
    return _pdf(certificate_face_pdf(certificate=certificate), f"{certificate.identifier}.pdf")


@_page
@require_POST
def case_certificate_use(request: HttpRequest, number: str) -> HttpResponse:
    """At the window: the walk-in agrees to use their electronic certificate for a material."""
    actor = actor_of(request)
    case = case_selectors.case_get(actor=actor, number=number)
    try:
        case_services.case_certificate_use(
            actor=actor, case_id=case.pk, material_id=_int(request.POST.get("material"))
        )
        messages.success(
            request, _("The applicant's electronic certificate is attached, verified.")
        )
    except TongbanError as exc:
        _report(request, exc)
    return redirect("workbench:case", number)


@_page
@require_POST
def case_decide(request: HttpRequest, number: str) -> HttpResponse:
    """Accept (optionally with 容缺 materials), return with a one-time notice, or refuse."""
    actor = actor_of(request)
    case = case_selectors.case_get(actor=actor, number=number)
    names = {f"material.{m.pk}": m.display_name for m in case.version.materials.all()}
    action, post = request.POST.get("action"), request.POST
    try:
        if action == "accept":
            case_services.case_accept(
                actor=actor,
                number=number,
                deferred_material_ids=_ints(post.getlist("deferred")),
                deferred_days=_int(post.get("deferred_days"), 5),
            )
            messages.success(
                request, _("Accepted. Print the acceptance receipt for the applicant.")
            )
        elif action == "notice":
            items: list[dict[str, Any]] = [
                {"material": pk, "reason": post.get(f"notice_reason_{pk}", "")}
                for pk in _ints(post.getlist("notice_material"))
            ]
            items += [
                {"material": None, "reason": line.strip()}
                for line in post.get("notice_other", "").splitlines()
                if line.strip()
            ]
            unexplained = [
                names.get(f"material.{i['material']}", "")
                for i in items
                if i["material"] is not None and not i["reason"].strip()
            ]
            if unexplained:  # the service refuses these too, without naming the material
                for name in unexplained:
                    messages.error(request, _("%(name)s: say why it is needed.") % {"name": name})
                return redirect("workbench:case", number)
            case_services.case_return_notice(
                actor=actor, number=number, items=items, note=post.get("notice_note", "")
            )
            messages.success(
                request, _("Returned with a one-time notice. Print it for the applicant.")
            )
        elif action == "refuse":
            case_services.case_refuse(actor=actor, number=number, reason=post.get("reason", ""))
            messages.success(request, _("Not accepted; the applicant is told the reason."))
        else:
            messages.error(request, _("Choose a decision."))
    except TongbanError as exc:
        _report(request, exc, names)
    return redirect("workbench:case", number)


@_page
@require_POST
def case_close(request: HttpRequest, number: str) -> HttpResponse:
    actor = actor_of(request)
    case_selectors.case_get(actor=actor, number=number)
    try:
        case_services.case_close(actor=actor, number=number)
        messages.success(request, _("Closed (办结)."))
    except TongbanError as exc:
        _report(request, exc)
    return redirect("workbench:case", number)


# --------------------------------------------------------------------------------------------
# Task actions


def _correction_items(post: Any) -> list[dict[str, str]]:
    items = []
    for i in range(CORRECTION_ROWS):
        what, why = post.get(f"what_{i}", "").strip(), post.get(f"why_{i}", "").strip()
        if what or why:
            items.append({"what": what, "reason": why})
    return items


@_page
@require_POST
def task_act(request: HttpRequest, task_id: int) -> HttpResponse:
    """Claim, reassign, return, request a correction, suspend / resume, or complete a step."""
    actor = actor_of(request)
    number = case_selectors.task_get(actor=actor, task_id=task_id).case.number
    action, post = request.POST.get("action"), request.POST
    done = _("Done.")
    try:
        if action == "claim":
            case_services.task_claim(actor=actor, task_id=task_id)
            done = _("The task is yours.")
        elif action == "reassign":
            case_services.task_reassign(
                actor=actor, task_id=task_id, user_id=_int(post.get("user"))
            )
            done = _("Reassigned.")
        elif action == "return":
            case_services.task_return(actor=actor, task_id=task_id, reason=post.get("reason", ""))
            done = _("Sent back to the previous step.")
        elif action == "correction":
            case_services.case_request_correction(
                actor=actor,
                task_id=task_id,
                items=_correction_items(post),
                respond_days=_int(post.get("respond_days"), 10),
            )
            done = _("Correction requested; the clock stops until the applicant answers.")
        elif action == "suspend":
            case_services.case_suspend(
                actor=actor,
                task_id=task_id,
                kind=post.get("kind", ""),
                reason=post.get("reason", ""),
            )
            done = _("Special procedure started; the clock stops.")
        elif action == "resume":
            case_services.case_resume(actor=actor, task_id=task_id)
            done = _("Processing resumed; the clock runs again.")
        elif action == "complete":
            typed = {
                key.removeprefix(CERTIFICATE_PREFIX): value[:1000]
                for key, value in post.items()
                if key.startswith(CERTIFICATE_PREFIX)
            }
            try:
                case_services.task_complete(
                    actor=actor,
                    task_id=task_id,
                    note=post.get("note", ""),
                    outcome=post.get("outcome") or "pass",
                    reason=post.get("reason", ""),
                    legal_basis=post.get("legal_basis", ""),
                    certificate=typed or None,
                )
            except TongbanError as exc:
                # Keep what the approver typed on the face for the next attempt.
                request.session[f"{CERTIFICATE_PREFIX}{task_id}"] = dict(list(typed.items())[:30])
                _report(request, exc, _certificate_labels(actor, number))
                return redirect("workbench:task", task_id)
            messages.success(request, _("Step completed."))
            return redirect("workbench:case", number)
        else:
            messages.error(request, _("Choose an action."))
            return redirect("workbench:task", task_id)
        messages.success(request, done)
    except TongbanError as exc:
        _report(request, exc)
    return redirect("workbench:task", task_id)


# --------------------------------------------------------------------------------------------
# Lists: the acceptance queue, the worklists; the hand-over desk


@_page
def acceptance_queue(request: HttpRequest) -> HttpResponse:
    """Online applications waiting for the pre-review of the reviewer's department."""
    cases = case_selectors.acceptance_queue(actor=actor_of(request)).select_related(
        "applicant_person", "applicant_company"
    )[:200]
    return _render(request, "queue.html", _("Acceptance queue"), cases=cases)


@_page
def worklist(request: HttpRequest) -> HttpResponse:
    """My tasks (claimed by me) or the team's tasks (my roles in my departments)."""
    mine = request.GET.get("scope", "mine") != "team"
    tasks = case_selectors.worklist(actor=actor_of(request), mine=mine).select_related("assignee")
    calendar = calendar_current()
    rows = [
        {"task": t, "remaining": clock.remaining(t.due_at, calendar=calendar) if t.due_at else None}
        for t in tasks[:300]
    ]
    title = _("My tasks") if mine else _("Team tasks")
    return _render(request, "worklist.html", title, rows=rows, mine=mine)


@_page
def handover(request: HttpRequest) -> HttpResponse:
    """一口发证: find a closed case by its number and record that the result was handed over."""
    actor = actor_of(request)
    if not actor.has_role("window_clerk"):
        raise Forbidden()
    number = (request.POST.get("number") or request.GET.get("number") or "").strip().upper()[:24]
    case = None
    if number:
        try:
            case = case_selectors.case_get(actor=actor, number=number)
        except NotFound:
            messages.error(request, _("No case with this number."))
    if case is not None and request.method == "POST":
        try:
            case_services.case_handover(
                actor=actor, number=number, note=request.POST.get("note", "")
            )
        except TongbanError as exc:
            _report(request, exc)
        else:
            messages.success(request, _("The hand-over is recorded."))
            return redirect(f"{reverse('workbench:case_handover')}?number={number}")
    return _render(request, "handover.html", _("Hand over a result"), case=case, number=number)
