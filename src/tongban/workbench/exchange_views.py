"""The exchange in the workbench (数据共享交换): data managers register their departments'
information systems and rotate their keys, disable a system at once, request access to a
service for a system, answer the requests made to their departments' resources, revoke
grants; data managers, supervisors and auditors watch the traffic and the refusals.

Views parse the request, call one exchange service or selector and render; the services
check every permission again. A system or grant that is not the user's departments' is not
found (404), and an action refused for what was typed or for the grant's state is shown as
messages with the typed values kept.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tongban.core.authorization import RULES
from tongban.core.errors import Forbidden, InvalidInput, TongbanError
from tongban.core.types import Actor
from tongban.exchange import selectors
from tongban.exchange import services as exchange_services
from tongban.exchange.models import ExchangeMessage, ExchangeService, Grant, SharingType
from tongban.exchange.services.gateway import REFUSALS
from tongban.exchange.services.systems import MAX_JWKS_BYTES, MAX_KEYS
from tongban.workbench.admin import actor_of
from tongban.workbench.pages import echo as _echo
from tongban.workbench.pages import render_page, report_refusal, staff_page

MONITOR_ROLES = RULES["exchange.monitor.view"].staff_roles
# The periods the monitoring page offers, in hours.
PERIODS = (1, 24, 24 * 7, 24 * 30)
GRANTS_SHOWN = 500
FIELD_LABELS = {
    "department": pgettext_lazy("exchange", "Department"),
    "code": _("System code"),
    "name": pgettext_lazy("exchange", "Name"),
    "public_jwks": _("Public keys (JWKS)"),
    "system": _("Consuming system"),
    "service": _("Service"),
    "fields": _("Fields"),
    "purpose": pgettext_lazy("exchange", "Purpose"),
    "legal_basis": pgettext_lazy("exchange", "Legal basis"),
    "expires_on": _("Expires on"),
    "reason": _("Reason"),
}


_page = staff_page


def _render(
    request: HttpRequest, template: str, title: Any, status: int = 200, **extra: Any
) -> HttpResponse:
    return render_page(request, f"exchange/{template}", title, status=status, **extra)


def _report(request: HttpRequest, exc: TongbanError) -> None:
    report_refusal(request, exc, FIELD_LABELS)


def _number(value: Any) -> int:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) < 10 else 0


def _data_manager(request: HttpRequest) -> Actor:
    actor = actor_of(request)
    if not actor.has_role("data_manager"):
        raise Forbidden()
    return actor


# --------------------------------------------------------------------------------------------
# Information systems


@_page
def system_list(request: HttpRequest) -> HttpResponse:
    """The systems of the user's departments, and the form to register one."""
    actor = _data_manager(request)
    departments = list(selectors.departments_managed(actor=actor))
    status = 200
    typed: dict[str, Any] = {}
    if request.method == "POST":
        post = request.POST
        typed = {
            "department": _echo(post.get("department")),
            "code": _echo(post.get("code")),
            "name": _echo(post.get("name")),
            "public_jwks": _echo(post.get("public_jwks"))[:MAX_JWKS_BYTES],
        }
        try:
            department_id = _number(post.get("department"))
            if department_id not in {d.pk for d in departments}:
                raise InvalidInput(_("Choose one of your departments."))
            system = exchange_services.system_register(
                actor=actor,
                department_id=department_id,
                code=post.get("code", ""),
                name=post.get("name", ""),
                public_jwks=post.get("public_jwks", ""),
            )
        except TongbanError as exc:
            _report(request, exc)
            status = exc.http_status
        else:
            messages.success(
                request,
                _("The system %(code)s is registered: it may call the services it is granted.")
                % {"code": system.code},
            )
            return redirect(reverse("workbench:exchange_system", args=[system.code]))
    return _render(
        request,
        "systems.html",
        _("Information systems"),
        status=status,
        systems=list(selectors.systems_for_staff(actor=actor)),
        departments=departments,
        typed=typed,
        max_keys=MAX_KEYS,
    )


@_page
def system_detail(request: HttpRequest, code: str) -> HttpResponse:
    """One system: its keys and grants; replace its keys, disable or enable it."""
    actor = _data_manager(request)
    system = selectors.system_for_staff(actor=actor, code=code[:60])
    status = 200
    typed: dict[str, Any] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "keys":
                typed = {"public_jwks": _echo(request.POST.get("public_jwks"))[:MAX_JWKS_BYTES]}
                exchange_services.system_keys_replace(
                    actor=actor, system_id=system.pk, public_jwks=request.POST.get("public_jwks")
                )
                done = _("The keys are replaced: calls signed with a removed key are refused.")
            elif action in ("enable", "disable"):
                exchange_services.system_set_enabled(
                    actor=actor, system_id=system.pk, enabled=action == "enable"
                )
                done = (
                    _("The system is enabled again.")
                    if action == "enable"
                    else _("The system is disabled: every call it makes is refused.")
                )
            else:
                raise InvalidInput(_("Choose an action."))
        except TongbanError as exc:
            _report(request, exc)
            status = exc.http_status
        else:
            messages.success(request, done)
            return redirect(reverse("workbench:exchange_system", args=[system.code]))
    return _render(
        request,
        "system.html",
        f"{system.name} · {system.code}",
        status=status,
        system=system,
        kids=[key.get("kid", "") for key in (system.public_jwks or {}).get("keys", [])],
        grants=list(selectors.grants_for_staff(actor=actor).filter(system=system)[:GRANTS_SHOWN]),
        typed=typed,
    )


# --------------------------------------------------------------------------------------------
# Grants


@_page
def grant_list(request: HttpRequest) -> HttpResponse:
    """Requests awaiting the user's departments' answer first (oldest due first), then every
    request and grant of their systems and resources, newest first."""
    actor = _data_manager(request)
    grants = selectors.grants_for_staff(actor=actor)
    managed = selectors.departments_managed(actor=actor)
    to_answer = grants.filter(
        status=Grant.Status.REQUESTED, service__resource__provider__in=managed
    ).order_by("due_at", "id")
    return _render(
        request,
        "grants.html",
        _("Access requests and grants"),
        to_answer=list(to_answer[:GRANTS_SHOWN]),
        grants=list(grants[:GRANTS_SHOWN]),
        limit=GRANTS_SHOWN,
        may_request=selectors.systems_for_staff(actor=actor).exists(),
    )


def _services() -> list[ExchangeService]:
    return list(selectors.service_list().order_by("resource__code", "code"))


@_page
def grant_new(request: HttpRequest) -> HttpResponse:
    """Request access for one of the user's systems: choose the service, then the fields (a
    query's), the purpose, the legal basis (required for a resource that is not shared) and
    an expiry date."""
    actor = _data_manager(request)
    systems = list(selectors.systems_for_staff(actor=actor))
    if not systems:
        messages.error(request, _("Register one of your systems first."))
        return redirect(reverse("workbench:exchange_systems"))
    services = _services()
    data = request.POST if request.method == "POST" else request.GET
    chosen = next((s for s in services if s.pk == _number(data.get("service"))), None)
    if data.get("service") and chosen is None:
        messages.error(request, _("Choose one of the services of the exchange."))
    status = 200
    typed: dict[str, Any] = {
        "system": _echo(data.get("system")),
        "fields": [f for f in data.getlist("fields") if isinstance(f, str)][:50],
        "purpose": _echo(data.get("purpose")),
        "legal_basis": _echo(data.get("legal_basis")),
        "expires_on": _echo(data.get("expires_on"))[:10],
    }
    if request.method == "POST" and chosen is not None:
        system = next((s for s in systems if s.code == typed["system"]), None)
        try:
            if system is None:
                raise InvalidInput(_("Choose one of your systems."))
            expires_on = None
            if typed["expires_on"]:
                try:
                    expires_on = dt.date.fromisoformat(typed["expires_on"])
                except ValueError:
                    raise InvalidInput(_("Give the expiry date as YYYY-MM-DD.")) from None
            grant = exchange_services.grant_request(
                actor=actor,
                system_id=system.pk,
                service_id=chosen.pk,
                fields=typed["fields"],
                purpose=data.get("purpose", ""),
                legal_basis=data.get("legal_basis", ""),
                expires_on=expires_on,
            )
        except TongbanError as exc:
            _report(request, exc)
            status = exc.http_status
        else:
            messages.success(
                request,
                _("Access is granted: the system may call the service now.")
                if grant.status == Grant.Status.GRANTED
                else _("The request is sent to the provider, who answers by %(due)s.")
                % {"due": f"{grant.due_at:%Y-%m-%d}"},
            )
            return redirect(reverse("workbench:exchange_grant", args=[grant.pk]))
    return _render(
        request,
        "grant_new.html",
        _("Request access to a service"),
        status=status,
        systems=systems,
        services=services,
        chosen=chosen,
        needs_basis=chosen is not None and chosen.resource.sharing_type == SharingType.NOT_SHARED,
        typed=typed,
    )


@_page
def grant_detail(request: HttpRequest, grant_id: int) -> HttpResponse:
    """One request or grant, with the forms to answer it or revoke it where the user may."""
    actor = _data_manager(request)
    grant = selectors.grant_for_staff(actor=actor, grant_id=grant_id)
    status = 200
    typed: dict[str, Any] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        reason = request.POST.get("reason", "")
        typed = {"action": action, "reason": _echo(reason)}
        try:
            if action in ("grant", "refuse"):
                exchange_services.grant_decide(
                    actor=actor, grant_id=grant.pk, approve=action == "grant", reason=reason
                )
                done = (
                    _("Access is granted.")
                    if action == "grant"
                    else _("The request is refused; the requester is told why.")
                )
            elif action == "revoke":
                exchange_services.grant_revoke(actor=actor, grant_id=grant.pk, reason=reason)
                done = _("The grant is revoked: the next call is refused.")
            else:
                raise InvalidInput(_("Choose an action."))
        except TongbanError as exc:
            _report(request, exc)
            status = exc.http_status
            grant = selectors.grant_for_staff(actor=actor, grant_id=grant_id)
        else:
            messages.success(request, done)
            return redirect(reverse("workbench:exchange_grant", args=[grant.pk]))
    return _render(
        request,
        "grant.html",
        f"{grant.service.name} · {grant.system.code}",
        status=status,
        grant=grant,
        may=selectors.grant_actions(actor=actor, grant=grant),
        typed=typed,
    )


# --------------------------------------------------------------------------------------------
# Monitoring


def _reason_text(reason: str) -> str:
    found = REFUSALS.get(reason)
    return str(found[1]).replace("%(detail)s", "…") if found else reason


@_page
def monitoring(request: HttpRequest) -> HttpResponse:
    """Per service and consumer: calls, outcomes and latency percentiles over a period; the
    newest refusals and failures with their reasons."""
    actor = actor_of(request)
    if not any(actor.has_role(role) for role in MONITOR_ROLES):
        raise Forbidden()
    hours = _number(request.GET.get("hours")) or 24
    if hours not in PERIODS:
        hours = 24
    rows = selectors.traffic(actor=actor, hours=hours)
    refusals = [
        (message, _reason_text(message.reason))
        for message in selectors.refusals_recent(actor=actor)
    ]
    return _render(
        request,
        "monitoring.html",
        _("Exchange monitoring"),
        rows=rows,
        totals={
            "calls": sum(r.calls for r in rows),
            "served": sum(r.served for r in rows),
            "refused": sum(r.refused for r in rows),
            "failed": sum(r.failed for r in rows),
        },
        refusals=refusals,
        hours=hours,
        periods=PERIODS,
        outcome=ExchangeMessage.Outcome,
    )
