"""What every case service shares: locking, history, numbering, targets, the clock."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum.iso7064 import mod_11_2

from tongban.cases.models import Case, CaseEvent, ClockPause, Task
from tongban.catalog.models import ItemVersion
from tongban.core.audit import audit_log
from tongban.core.authorization import Target, permits, permits_role
from tongban.core.errors import Conflict, InvalidInput, NotFound, Problem
from tongban.core.text import refuse_nul
from tongban.core.types import Actor
from tongban.workflow import clock


def case_target(case: Case) -> Target:
    return Target(
        kind="case",
        id=case.pk,
        owner_person_id=case.applicant_person_id if case.applicant_company_id is None else None,
        owner_company_id=case.applicant_company_id,
        department_id=case.department_id,
        region_code=case.region_code,
        item_code=case.item.base_item.base_code if case.item_id else None,
    )


def task_target(task: Task) -> Target:
    """A task belongs to its step's department (which may not be the case's)."""
    return Target(
        kind="task",
        id=task.pk,
        department_id=task.department_id,
        region_code=task.department.region_id,
    )


def case_visible(actor: Actor, case: Case) -> bool:
    """Whether the actor may see the case at all: the applicant (or the company's agent or
    representative), staff in scope, any window clerk, or staff of one of its steps'
    departments (a parallel step may be another department's)."""
    target = case_target(case)
    if permits(actor, "case.view", target) or permits(actor, "case.accept", target):
        return True
    if not actor.grants:
        return False
    return any(
        permits_role(actor, t.role, task_target(t)) for t in case.tasks.select_related("department")
    )


def lock_case(number: str, *, actor: Actor | None = None) -> Case:
    """The case, locked for this transaction: concurrent transitions queue here, and the
    second one sees the state the first one left (and usually fails its precondition).
    With ``actor``, a case the actor may not see is not found (its existence is not told)."""
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("item__base_item", "version", "department", "applicant_person")
        .filter(number=number)
        .first()
    )
    if case is None or (actor is not None and not case_visible(actor, case)):
        raise NotFound()
    return case


def require_status(case: Case, *allowed: str) -> None:
    if case.status not in allowed:
        raise Conflict()


def case_number_for(case: Case) -> str:
    """办件编号: the 6-digit region code, the submission date (YYYYMMDD), the case's 8-digit
    platform-wide serial and an ISO 7064 MOD 11-2 check character (as in ID numbers). Serials
    never repeat, so numbers are unique across regions and days (docs/case-numbers.md)."""
    local = timezone.localtime(case.submitted_at or timezone.now())
    body = f"{case.region_code[:6]:0<6}{local:%Y%m%d}{case.pk % 10**8:08d}"
    return body + mod_11_2.calc_check_digit(body)


def record(
    *,
    actor: Actor,
    case: Case,
    kind: str,
    note: str = "",
    data: dict[str, Any] | None = None,
    department_id: int | None = None,
) -> CaseEvent:
    """Append a history event and the audit record of a transition (same transaction)."""
    department_id = department_id or case.department_id
    event = CaseEvent.objects.create(
        case=case,
        kind=kind,
        status=case.status,
        department_id=department_id,
        actor_user_id=actor.user_id,
        note=note,
        data=data or {},
    )
    audit_log(
        actor=actor,
        action=f"cases.{kind}",
        object_type="case",
        object_id=case.number or case.pk,
        data={"status": case.status, **(data or {})},
    )
    if department_id == case.department_id and Case.department.is_cached(case):
        event.department = case.department  # the timeline shows it without a query
    return event


def remember(case: Case, **related: list[Any]) -> None:
    """Keep rows a service has just written as the case's loaded relations (``materials``,
    ``events``, ``tasks``), so that showing the case afterwards reads them without a query.
    The lists must be exactly what the database holds for the case."""
    cache = case.__dict__.setdefault("_prefetched_objects_cache", {})
    cache.update(related)


MAX_TEXT = 2000


def clean_text(value: str, field: str, *, required: bool = True, missing: Any = None) -> str:
    """A reason, note or legal basis: trimmed, at most 2,000 characters, no NUL; ``missing``
    is the message when a required text is empty."""
    refuse_nul(value, field=field)
    text = (value or "").strip()
    if required and not text:
        reason = missing or _("This is required.")
        raise InvalidInput(problems=[Problem(field=field, reason=str(reason))])
    if len(text) > MAX_TEXT:
        raise InvalidInput(problems=[Problem(field=field, reason=str(_("This is too long.")))])
    return text


def pauses_of(case: Case) -> list[tuple[dt.datetime, dt.datetime | None]]:
    return [(p.started_at, p.ended_at) for p in ClockPause.objects.filter(case=case)]


def recompute_due(
    case: Case,
    *,
    calendar: clock.Calendar | None = None,
    pauses: list[tuple[dt.datetime, dt.datetime | None]] | None = None,
) -> None:
    """The legal and promised due times from acceptance, with the pauses taken out (None
    while a pause is open: the clock stands still). ``pauses``: the case's, when the caller
    knows them (at acceptance there are none yet); read otherwise."""
    if case.accepted_at is None:
        return
    version: ItemVersion = case.version
    if pauses is None:
        pauses = pauses_of(case)
    for field, limit, unit in (
        ("legal_due_at", version.legal_time_limit, version.legal_time_limit_unit),
        ("promised_due_at", version.promised_time_limit, version.promised_time_limit_unit),
    ):
        due = None
        if limit:
            due = clock.due_after(
                case.accepted_at, limit, unit or "working_day", pauses, calendar=calendar
            )
        setattr(case, field, due)
