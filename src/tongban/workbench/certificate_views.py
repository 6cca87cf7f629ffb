"""Certificates in the workbench (电子证照库): find the certificates of one's departments, read one
with its face and history, suspend / resume / revoke it, issue its next version (加注 or a
renewal), issue a certificate by hand, and import a CSV file of certificates issued elsewhere.

Views parse the request, call one certificates service or selector and render; the services
check every permission again. A certificate is shown only to the staff of its issuing department
(``certificate_for_staff``; anyone else gets 404), and an action refused for what was typed or
for the certificate's state is shown as messages with the typed values kept.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tongban.certificates import selectors
from tongban.certificates import services as certificate_services
from tongban.certificates.face import certificate_face_pdf
from tongban.certificates.models import Certificate, face_label
from tongban.certificates.services.imports import (
    MAX_BYTES as IMPORT_MAX_BYTES,
)
from tongban.certificates.services.imports import (
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
)
from tongban.core.authorization import RULES, permits
from tongban.core.errors import Forbidden, InvalidInput, TongbanError
from tongban.core.ids import normalise_code
from tongban.core.types import Actor
from tongban.workbench.admin import actor_of
from tongban.workbench.pages import echo as _echo
from tongban.workbench.pages import render_page, report_refusal, staff_page

VIEW_ROLES = RULES["certificate.view"].staff_roles
# The face-field inputs of the issue and new-version forms (face-<key>).
FACE_PREFIX = "face-"
IMPORT_IDENTIFIERS_SHOWN = 100
FIELD_LABELS = {
    "reason": _("Reason"),
    "holder_code": _("Holder's ID number or credit code"),
    "holder_name": _("Holder's name"),
    "issuer": _("Issuing department"),
    "valid_until": _("Valid until"),
}
DONE = {
    "suspend": _("The certificate is suspended: verifiers see it suspended until it is resumed."),
    "resume": _("The certificate is valid again."),
    "revoke": _("The certificate is revoked."),
}


_page = staff_page


def _render(
    request: HttpRequest, template: str, title: Any, status: int = 200, **extra: Any
) -> HttpResponse:
    return render_page(request, f"certificates/{template}", title, status=status, **extra)


def _report(request: HttpRequest, exc: TongbanError, labels: dict[str, Any]) -> None:
    report_refusal(request, exc, {**FIELD_LABELS, **labels})


def _viewer(request: HttpRequest) -> Actor:
    actor = actor_of(request)
    if not any(actor.has_role(role) for role in VIEW_ROLES):
        raise Forbidden()
    return actor


def _face_labels(certificate_type: Any) -> dict[str, str]:
    return {f"fields.{spec['key']}": face_label(spec) for spec in certificate_type.face_fields}


def _face_inputs(certificate_type: Any, values: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "key": spec["key"],
            "name": f"{FACE_PREFIX}{spec['key']}",
            "label": face_label(spec),
            "required": bool(spec.get("required")),
            "value": _echo(values.get(spec["key"], "")),
        }
        for spec in certificate_type.face_fields
    ]


def _typed_fields(post: Any, certificate_type: Any) -> dict[str, str]:
    """The face fields posted for the type (others are ignored: they are not on its face)."""
    return {
        spec["key"]: post[f"{FACE_PREFIX}{spec['key']}"]
        for spec in certificate_type.face_fields
        if f"{FACE_PREFIX}{spec['key']}" in post
    }


def _detail_url(certificate: Certificate) -> str:
    return reverse("workbench:certificate", args=[certificate.identifier])


# --------------------------------------------------------------------------------------------
# Finding certificates


@_page
def certificate_list(request: HttpRequest) -> HttpResponse:
    """The certificates of the user's departments, newest first, or those found by identifier
    or by the holder's ID number / credit code. The search is posted, so that an ID number
    never travels in an address (or the logs)."""
    actor = _viewer(request)
    query = request.POST.get("q", "").strip()[:100] if request.method == "POST" else ""
    rows = selectors.certificates_for_staff(actor=actor, query=query)
    return _render(
        request,
        "list.html",
        _("Electronic certificates"),
        certificates=list(rows[: selectors.STAFF_LIST_LIMIT]),
        q=query,
        limit=selectors.STAFF_LIST_LIMIT,
        may_issue=actor.has_role("approver"),
    )


# --------------------------------------------------------------------------------------------
# One certificate: its page, its face, and the actions on it


def _act(request: HttpRequest, actor: Actor, certificate: Certificate) -> Certificate:
    """Run the posted action; the certificate to show next (a new version's, after one)."""
    post = request.POST
    action, reason = post.get("action", ""), post.get("reason", "")
    if action == "suspend":
        certificate_services.certificate_suspend(
            actor=actor, certificate_id=certificate.pk, reason=reason
        )
    elif action == "resume":
        certificate_services.certificate_resume(
            actor=actor, certificate_id=certificate.pk, reason=reason
        )
    elif action == "revoke":
        certificate_services.certificate_revoke(
            actor=actor, certificate_id=certificate.pk, reason=reason
        )
    elif action == "new_version":
        new = certificate_services.certificate_new_version(
            actor=actor,
            certificate_id=certificate.pk,
            reason=reason,
            fields=_typed_fields(post, certificate.type),
            renew=post.get("renew") == "1",
        )
        messages.success(
            request,
            _("Version %(version)03d is issued; the previous version is superseded.")
            % {"version": new.version},
        )
        return new
    else:
        raise InvalidInput(_("Choose an action."))
    messages.success(request, DONE[action])
    return certificate


@_page
def certificate_detail(request: HttpRequest, identifier: str) -> HttpResponse:
    """A certificate's face, status, validity, versions and history, with the forms to suspend,
    resume, revoke it or issue its next version where the user may."""
    actor = _viewer(request)
    posted = request.method == "POST"
    certificate = selectors.certificate_for_staff(
        actor=actor, identifier=identifier, audit=not posted
    )
    status = 200
    typed: dict[str, Any] = {}
    if posted:
        try:
            shown = _act(request, actor, certificate)
        except TongbanError as exc:
            _report(request, exc, _face_labels(certificate.type))
            status = exc.http_status
            typed = {
                "action": request.POST.get("action", ""),
                "reason": _echo(request.POST.get("reason")),
                "renew": request.POST.get("renew") == "1",
                "fields": _typed_fields(request.POST, certificate.type),
            }
        else:
            return redirect(_detail_url(shown))
    target = selectors.certificate_target(certificate)
    may_change = permits(actor, "certificate.status.change", target)
    live = certificate.status in (Certificate.Status.VALID, Certificate.Status.SUSPENDED)
    values = certificate.fields
    face_values = {**values, **typed["fields"]} if typed.get("action") == "new_version" else values
    return _render(
        request,
        "detail.html",
        f"{certificate.type.name} · {certificate.serial}",
        status=status,
        certificate=certificate,
        face=[
            (face_label(spec), values.get(spec["key"], "")) for spec in certificate.type.face_fields
        ],
        versions=list(selectors.certificate_versions(certificate=certificate)),
        events=list(selectors.certificate_events(certificate_id=certificate.pk)),
        may_suspend=may_change and certificate.status == Certificate.Status.VALID,
        may_resume=may_change and certificate.status == Certificate.Status.SUSPENDED,
        may_revoke=may_change and live,
        may_new_version=live and permits(actor, "certificate.issue", target),
        face_inputs=_face_inputs(certificate.type, face_values),
        typed=typed,
    )


@_page
def certificate_pdf(request: HttpRequest, identifier: str) -> HttpResponse:
    """The certificate's face (照面) as a PDF, for the issuing department to print."""
    certificate = selectors.certificate_for_staff(actor=_viewer(request), identifier=identifier)
    response = HttpResponse(
        certificate_face_pdf(certificate=certificate), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="{certificate.identifier}.pdf"'
    return response


# --------------------------------------------------------------------------------------------
# Issuing by hand and importing


@_page
def certificate_issue(request: HttpRequest) -> HttpResponse:
    """Issue a certificate by hand: choose the type, then the issuing department (one the user
    may issue for), the holder and the face fields of the type."""
    actor = actor_of(request)
    choices = selectors.certificate_issue_choices(actor=actor)
    if not choices:
        raise Forbidden()
    data = request.POST if request.method == "POST" else request.GET
    code = normalise_code(data.get("type", ""))[:40]
    chosen = next((c for c in choices if c.certificate_type.code == code), None)
    if code and chosen is None:
        messages.error(request, _("Choose one of the certificate types you may issue."))
    status = 200
    typed: dict[str, Any] = {}
    if request.method == "POST" and chosen is not None:
        certificate_type = chosen.certificate_type
        typed = {
            "issuer": _echo(data.get("issuer")),
            "holder_code": _echo(data.get("holder_code")),
            "holder_name": _echo(data.get("holder_name")),
            "fields": _typed_fields(data, certificate_type),
        }
        issuer = str(data.get("issuer", "")).strip()
        try:
            certificate = certificate_services.certificate_issue(
                actor=actor,
                type_code=certificate_type.code,
                issuer_department_id=int(issuer) if issuer.isdigit() and len(issuer) < 10 else 0,
                holder_code=data.get("holder_code", ""),
                holder_name=data.get("holder_name", ""),
                fields=typed["fields"],
            )
        except TongbanError as exc:
            _report(request, exc, _face_labels(certificate_type))
            status = exc.http_status
        else:
            messages.success(
                request,
                _("Issued: %(identifier)s") % {"identifier": certificate.identifier},
            )
            return redirect(_detail_url(certificate))
    return _render(
        request,
        "issue.html",
        _("Issue a certificate"),
        status=status,
        choices=choices,
        chosen=chosen,
        face_inputs=_face_inputs(chosen.certificate_type, typed.get("fields", {}))
        if chosen
        else [],
        typed=typed,
    )


@_page
def certificate_import(request: HttpRequest) -> HttpResponse:
    """Import a CSV file of certificates issued elsewhere: all or nothing, with every problem
    listed (line, column, reason) when anything is wrong."""
    actor = actor_of(request)
    if not actor.has_role("approver"):
        raise Forbidden()
    problems: list[Any] = []
    summary = None
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("Choose a CSV file."))
            status = 422
        else:
            try:
                summary = certificate_services.certificate_import(
                    actor=actor,
                    # Never more than the service's limit is read: it says the file is too large.
                    content=upload.read(IMPORT_MAX_BYTES + 1),
                    filename=upload.name or "certificates.csv",
                )
            except InvalidInput as exc:
                problems = exc.problems
                messages.error(request, str(exc.message))
                status = 422
    return _render(
        request,
        "import.html",
        _("Import certificates"),
        status=status,
        problems=problems,
        summary=summary,
        shown=(summary or {}).get("identifiers", [])[:IMPORT_IDENTIFIERS_SHOWN],
        columns=REQUIRED_COLUMNS,
        optional_columns=OPTIONAL_COLUMNS,
        max_mb=IMPORT_MAX_BYTES // 2**20,
    )
