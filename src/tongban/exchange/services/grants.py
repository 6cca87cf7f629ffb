"""Access requests and grants (共享申请 / 授权), on the platform's working-day clock.

An unconditional resource is granted on request; a conditional one goes to its provider, who
answers within ``ANSWER_WORKING_DAYS`` working days and gives a reason for a refusal; a
resource that is "not shared" can only be requested with a stated legal basis, and then goes
to the provider like a conditional one. Grants can expire and are revoked at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.core.audit import audit_log
from tongban.core.authorization import authorize
from tongban.core.errors import Conflict, InvalidInput, NotFound, Problem
from tongban.core.text import refuse_nul
from tongban.core.types import Actor
from tongban.exchange.models import ExchangeService, Grant, InformationSystem, SharingType
from tongban.notifications.services import notify
from tongban.organizations.selectors import department_target
from tongban.workflow import clock
from tongban.workflow.selectors import calendar_current

ANSWER_WORKING_DAYS = 10
WARN_WORKING_DAYS = 2
PURPOSE_MIN, PURPOSE_MAX = 4, 200
BASIS_MAX = 300
MAX_GRANT_DAYS = 3 * 366


def _text(value: object, *, field: str, low: int, high: int, message: Any) -> str:
    refuse_nul(value, field=field)
    text = " ".join(value.split()) if isinstance(value, str) else ""
    if not low <= len(text) <= high:
        raise InvalidInput(problems=[Problem(field=field, reason=str(message))])
    return text


def _clean_fields(service: ExchangeService, fields: object) -> list[str]:
    if service.kind == ExchangeService.Kind.VERIFICATION:
        return list(service.fields)  # a yes / no answer is all it gives
    if not isinstance(fields, (list, tuple)) or not fields:
        raise InvalidInput(
            problems=[Problem(field="fields", reason=str(_("Name the fields the system needs.")))]
        )
    unknown = [f for f in fields if not isinstance(f, str) or f not in service.fields]
    if unknown:
        raise InvalidInput(
            problems=[
                Problem(
                    field="fields",
                    reason=str(_("The service does not give these fields: %(fields)s"))
                    % {"fields": ", ".join(str(f)[:40] for f in unknown[:10])},
                )
            ]
        )
    return sorted(set(fields))  # type: ignore[arg-type]


def _data_managers(department_id: int) -> list[int]:
    from tongban.identity.selectors import staff_user_ids_with_role

    return staff_user_ids_with_role(role="data_manager", department_id=department_id)


def grant_request(
    *,
    actor: Actor,
    system_id: int,
    service_id: int,
    fields: Sequence[str] | None,
    purpose: str,
    legal_basis: str = "",
    expires_on: dt.date | None = None,
) -> Grant:
    """A consuming department's data manager asks for its system's access to a service."""
    system = InformationSystem.objects.select_related("department").filter(pk=system_id).first()
    service = (
        ExchangeService.objects.select_related("resource__provider")
        .filter(pk=service_id, enabled=True)
        .first()
    )
    if system is None or service is None:
        raise NotFound()
    authorize(actor, "exchange.grant.request", department_target(system.department))
    purpose = _text(
        purpose,
        field="purpose",
        low=PURPOSE_MIN,
        high=PURPOSE_MAX,
        message=_("State the purpose, %(min)d to %(max)d characters.")
        % {"min": PURPOSE_MIN, "max": PURPOSE_MAX},
    )
    resource = service.resource
    needs_basis = resource.sharing_type == SharingType.NOT_SHARED
    basis = _text(
        legal_basis or "",
        field="legal_basis",
        low=4 if needs_basis else 0,
        high=BASIS_MAX,
        message=_(
            "This resource is not shared: state the legal basis (法律依据) "
            "that entitles the system to it."
        ),
    )
    chosen = _clean_fields(service, fields)
    now = timezone.now()
    expires_at = None
    if expires_on is not None:
        today = timezone.localdate(now)
        if not today < expires_on <= today + dt.timedelta(days=MAX_GRANT_DAYS):
            raise InvalidInput(
                problems=[
                    Problem(
                        field="expires_on",
                        reason=str(_("A date after today, at most three years ahead.")),
                    )
                ]
            )
        expires_at = timezone.make_aware(dt.datetime.combine(expires_on, dt.time.max))
    immediate = resource.sharing_type == SharingType.UNCONDITIONAL
    try:
        with transaction.atomic():
            grant = Grant.objects.create(
                system=system,
                service=service,
                fields=chosen,
                purpose=purpose,
                legal_basis=basis,
                status=Grant.Status.GRANTED if immediate else Grant.Status.REQUESTED,
                requested_at=now,
                requested_by_id=actor.user_id,
                decided_at=now if immediate else None,
                due_at=None
                if immediate
                else clock.add_working_days(now, ANSWER_WORKING_DAYS, calendar=calendar_current()),
                expires_at=expires_at,
            )
            audit_log(
                actor=actor,
                action="exchange.grant.request",
                object_type="exchange_grant",
                object_id=grant.pk,
                data={
                    "system": system.code,
                    "service": service.code,
                    "fields": chosen,
                    "granted": immediate,
                },
            )
            if not immediate:
                for user_id in _data_managers(resource.provider_id):
                    notify(
                        user_id=user_id,
                        kind="exchange.grant.requested",
                        title=_("Access request for %(service)s"),
                        body=_("%(system)s asks for %(service)s: %(purpose)s. Answer by %(due)s."),
                        params={
                            "service": service.name,
                            "system": system.name,
                            "purpose": purpose,
                            "due": f"{grant.due_at:%Y-%m-%d}",
                        },
                        link="/workbench/exchange/grants/",
                        channels=("email",),
                    )
    except IntegrityError:
        raise Conflict(_("The system already has a request or a grant for this service.")) from None
    return grant


def _locked_grant(grant_id: int) -> Grant:
    grant = (
        Grant.objects.select_for_update(of=("self",))
        .select_related("service__resource__provider", "system__department")
        .filter(pk=grant_id)
        .first()
    )
    if grant is None:
        raise NotFound()
    return grant


def grant_decide(*, actor: Actor, grant_id: int, approve: bool, reason: str = "") -> Grant:
    """The provider's data manager grants or refuses a request (a refusal gives a reason)."""
    with transaction.atomic():
        grant = _locked_grant(grant_id)
        authorize(
            actor, "exchange.grant.decide", department_target(grant.service.resource.provider)
        )
        if grant.status != Grant.Status.REQUESTED:
            raise Conflict(_("This request has been answered already."))
        reason = _text(
            reason or "",
            field="reason",
            low=0 if approve else 4,
            high=300,
            message=_(
                "Give the reason for refusing (4 to 300 characters): the requester reads it."
            ),
        )
        grant.status = Grant.Status.GRANTED if approve else Grant.Status.REFUSED
        grant.reason = reason
        grant.decided_at = timezone.now()
        grant.decided_by_id = actor.user_id
        grant.save(update_fields=["status", "reason", "decided_at", "decided_by"])
        audit_log(
            actor=actor,
            action="exchange.grant.grant" if approve else "exchange.grant.refuse",
            object_type="exchange_grant",
            object_id=grant.pk,
            data={"reason": reason},
        )
        if grant.requested_by_id:
            notify(
                user_id=grant.requested_by_id,
                kind="exchange.grant.decided",
                title=_("Access granted: %(service)s")
                if approve
                else _("Access refused: %(service)s"),
                body=_("%(system)s: %(reason)s"),
                params={
                    "service": grant.service.name,
                    "system": grant.system.name,
                    "reason": reason or "—",
                },
                link="/workbench/exchange/grants/",
                channels=("email",),
            )
    return grant


def grant_revoke(*, actor: Actor, grant_id: int, reason: str) -> Grant:
    """Revoke a grant at once (the provider or the consumer may): the next call is refused."""
    with transaction.atomic():
        grant = _locked_grant(grant_id)
        from tongban.core.authorization import permits

        if not (
            permits(
                actor, "exchange.grant.decide", department_target(grant.service.resource.provider)
            )
            or permits(actor, "exchange.grant.request", department_target(grant.system.department))
        ):
            authorize(
                actor, "exchange.grant.decide", department_target(grant.service.resource.provider)
            )
        if grant.status not in (Grant.Status.GRANTED, Grant.Status.REQUESTED):
            raise Conflict(_("Only a live grant or an open request can be revoked."))
        reason = _text(
            reason,
            field="reason",
            low=4,
            high=300,
            message=_("Give the reason (4 to 300 characters)."),
        )
        grant.status = Grant.Status.REVOKED
        grant.reason = reason
        grant.decided_at = timezone.now()
        grant.decided_by_id = actor.user_id
        grant.save(update_fields=["status", "reason", "decided_at", "decided_by"])
        audit_log(
            actor=actor,
            action="exchange.grant.revoke",
            object_type="exchange_grant",
            object_id=grant.pk,
            data={"reason": reason},
        )
    return grant


def grants_sweep(*, now: dt.datetime | None = None) -> tuple[int, int]:
    """Warn the provider's data managers when a request's answer is due within two working
    days, and escalate (to the supervisors as well) once it is overdue. Returns (warned,
    escalated); each request is warned and escalated once."""
    moment = now or timezone.now()
    calendar = calendar_current()
    warned = escalated = 0
    open_requests = Grant.objects.filter(status=Grant.Status.REQUESTED, due_at__isnull=False)
    for grant in open_requests.filter(escalated_at__isnull=True).select_related(
        "service__resource__provider", "system"
    ):
        with transaction.atomic():
            locked = Grant.objects.select_for_update().get(pk=grant.pk)
            if locked.status != Grant.Status.REQUESTED or locked.escalated_at is not None:
                continue
            provider_id = grant.service.resource.provider_id
            params = {
                "service": grant.service.name,
                "system": grant.system.name,
                "due": f"{timezone.localtime(locked.due_at):%Y-%m-%d}",
            }
            if locked.due_at <= moment:
                from tongban.identity.selectors import staff_user_ids_with_role

                users = set(_data_managers(provider_id)) | set(
                    staff_user_ids_with_role(role="supervisor", department_id=None)
                )
                for user_id in sorted(users):
                    notify(
                        user_id=user_id,
                        kind="exchange.grant.overdue",
                        title=_("Overdue access request: %(service)s"),
                        body=_("%(system)s asked for %(service)s; the answer was due on %(due)s."),
                        params=params,
                        link="/workbench/exchange/grants/",
                        channels=("email",),
                    )
                locked.escalated_at = moment
                locked.save(update_fields=["escalated_at"])
                audit_log(
                    actor=Actor.system("exchange_sweep"),
                    action="exchange.grant.escalate",
                    object_type="exchange_grant",
                    object_id=locked.pk,
                )
                escalated += 1
            elif locked.warned_at is None and (
                clock.working_days_between(moment, locked.due_at, calendar=calendar)
                <= WARN_WORKING_DAYS
            ):
                for user_id in _data_managers(provider_id):
                    notify(
                        user_id=user_id,
                        kind="exchange.grant.due_soon",
                        title=_("Access request due soon: %(service)s"),
                        body=_("%(system)s asked for %(service)s; answer by %(due)s."),
                        params=params,
                        link="/workbench/exchange/grants/",
                        channels=("email",),
                    )
                locked.warned_at = moment
                locked.save(update_fields=["warned_at"])
                warned += 1
    return warned, escalated
