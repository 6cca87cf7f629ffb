"""Acceptance (受理): accept — possibly with a non-key material to follow (容缺受理) —, refuse
(不予受理) with the reason, or return with a one-time notice of everything missing (一次性告知).
The clerk at any window, or the competent department's reviewer for online applications."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.cases.models import Case, CaseMaterial
from tongban.cases.services.applying import _check_ready, completeness
from tongban.cases.services.approval import open_stage
from tongban.cases.services.common import (
    case_target,
    clean_text,
    lock_case,
    recompute_due,
    record,
    remember,
)
from tongban.cases.services.notify import notify_applicant
from tongban.cases.services.reuse import OFFERED
from tongban.catalog.models import Material
from tongban.core.authorization import permits
from tongban.core.errors import Conflict, Forbidden, InvalidInput, Problem
from tongban.core.types import Actor
from tongban.workflow import clock
from tongban.workflow.selectors import calendar_current

DEFERRED_DAYS_MAX = 30


def _may_accept(actor: Actor, case: Case) -> None:
    target = case_target(case)
    if not (permits(actor, "case.accept", target) or permits(actor, "case.prereview", target)):
        raise Forbidden()


def _reason(value: str, field: str = "reason") -> str:
    return clean_text(value, field, missing=_("Give the reason."))


def case_accept(
    *,
    actor: Actor,
    number: str,
    deferred_material_ids: list[int] | None = None,
    deferred_days: int = 5,
) -> Case:
    """Accept the case: the legal clock starts, the first approval step opens. Materials in
    ``deferred_material_ids`` may follow within ``deferred_days`` working days (容缺): only
    materials the catalog marks as deferrable."""
    deferred = set(deferred_material_ids or [])
    with transaction.atomic():
        case = lock_case(number, actor=actor)
        _may_accept(actor, case)
        if case.status != Case.Status.SUBMITTED:
            raise Conflict(_("Only a case waiting for acceptance can be accepted."))
        prefetch_related_objects([case], "materials")  # read once for every check below
        _check_ready_for_acceptance(case, deferred)
        if deferred and not 0 < deferred_days <= DEFERRED_DAYS_MAX:
            raise InvalidInput(
                problems=[Problem(field="deferred_days", reason=str(_("1 to 30 working days.")))]
            )
        now = timezone.now()
        calendar = calendar_current()
        materials = list(case.materials.all())
        have = {m.material_id for m in materials}
        to_follow = [
            CaseMaterial(case=case, material_id=m, state=CaseMaterial.State.DEFERRED)
            for m in sorted(deferred - have)
        ]
        CaseMaterial.objects.bulk_create(to_follow)
        case.status = Case.Status.IN_PROGRESS
        case.accepted_at = now
        case.deferred_due_at = (
            clock.add_working_days(now, deferred_days, calendar=calendar) if deferred else None
        )
        recompute_due(case, calendar=calendar, pauses=[])  # none before acceptance
        case.save()
        record(
            actor=actor,
            case=case,
            kind="accepted",
            data={"deferred": sorted(deferred)} if deferred else {},
        )
        tasks = open_stage(case=case, stage=0, calendar=calendar)
        remember(case, tasks=tasks, materials=materials + to_follow)  # no tasks before now
        notify_applicant(case, "case.accepted")
    return case


def _check_ready_for_acceptance(case: Case, deferred: set[int]) -> None:
    problems = []
    try:
        if case.channel == Case.Channel.ONLINE:
            _check_ready(case)
    except InvalidInput as exc:
        problems += [p for p in exc.problems if not p.field.startswith("material.")]
    for material, state in completeness(case):
        if state in ("missing", "deferrable_missing", OFFERED) and material.pk not in deferred:
            problems.append(
                Problem(field=f"material.{material.pk}", reason=str(_("This material is missing.")))
            )
        if material.pk in deferred and material.necessity != Material.Necessity.DEFERRABLE:
            problems.append(
                Problem(
                    field=f"material.{material.pk}",
                    reason=str(_("Only a material marked 容缺 may follow after acceptance.")),
                )
            )
    if problems:
        raise InvalidInput(problems=problems)


def case_refuse(*, actor: Actor, number: str, reason: str) -> Case:
    """不予受理: the item is not the department's, or the applicant is not entitled."""
    reason = _reason(reason)
    with transaction.atomic():
        case = lock_case(number, actor=actor)
        _may_accept(actor, case)
        if case.status != Case.Status.SUBMITTED:
            raise Conflict(_("Only a case waiting for acceptance can be refused."))
        case.status = Case.Status.REFUSED
        case.outcome_reason = reason
        case.closed_at = timezone.now()
        case.save()
        record(actor=actor, case=case, kind="refused", note=reason)
        notify_applicant(case, "case.refused")
    return case


def case_return_notice(
    *, actor: Actor, number: str, items: list[dict[str, Any]], note: str = ""
) -> Case:
    """一次性告知: everything missing or wrong, at once, each with why. The applicant supplies it
    and submits again; the notice is printable (PDF)."""
    if not items or not isinstance(items, list) or len(items) > 100:
        raise InvalidInput(
            problems=[Problem(field="items", reason=str(_("List what is missing and why.")))]
        )
    with transaction.atomic():
        case = lock_case(number, actor=actor)
        _may_accept(actor, case)
        if case.status != Case.Status.SUBMITTED:
            raise Conflict(_("Only a case waiting for acceptance can be returned."))
        known = {m.pk: m.name for m in case.version.materials.all()}
        listed = []
        for entry in items:
            material_id = entry.get("material") if isinstance(entry, dict) else None
            reason = _reason(str(entry.get("reason", "")) if isinstance(entry, dict) else "")
            if material_id is not None and material_id not in known:
                raise InvalidInput(
                    problems=[Problem(field="items", reason=str(_("Not a material of this item.")))]
                )
            listed.append(
                {"material": material_id, "name": known.get(material_id, ""), "reason": reason}
            )
        case.status = Case.Status.RETURNED
        case.save()
        record(
            actor=actor, case=case, kind="notice", note=(note or "")[:2000], data={"items": listed}
        )
        notify_applicant(case, "case.notice")
    return case


def case_resubmit(*, actor: Actor, number: str) -> Case:
    """After a one-time notice, the applicant submits the completed application again."""
    with transaction.atomic():
        case = lock_case(number, actor=actor)
        if not permits(actor, "case.apply", case_target(case)):
            from tongban.core.errors import NotFound

            raise NotFound()
        if case.status != Case.Status.RETURNED:
            raise Conflict()
        _check_ready(case)
        case.status = Case.Status.SUBMITTED
        case.submitted_at = timezone.now()
        case.save()
        record(actor=actor, case=case, kind="resubmitted")
    return case
