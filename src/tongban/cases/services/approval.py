"""Approving (后台审批): the item's steps as tasks; claim, reassign, return, complete, decide;
corrections (补正) and special procedures stop the legal clock; close (办结); hand the result
over at any window (一口发证). Every transition locks the case first, then its tasks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.cases.models import Case, ClockPause, Task
from tongban.cases.services.common import (
    case_target,
    clean_text,
    lock_case,
    recompute_due,
    record,
    task_target,
)
from tongban.cases.services.notify import notify_applicant
from tongban.cases.services.results import result_issue
from tongban.catalog import application
from tongban.core.authorization import Target, permits, permits_role
from tongban.core.errors import Conflict, Forbidden, InvalidInput, NotFound, Problem
from tongban.core.text import refuse_nul
from tongban.core.types import Actor
from tongban.organizations.models import Department
from tongban.workflow import clock
from tongban.workflow.selectors import calendar_current

RESPOND_DAYS_MAX = 60


def _department(case: Case, step: application.Step) -> Department:
    if step.department == "competent":
        return case.department
    department = Department.objects.filter(credit_code=step.department).first()
    return department or case.department


def open_stage(*, case: Case, stage: int, calendar: clock.Calendar | None = None) -> list[Task]:
    """Create the tasks of ``stage`` (parallel steps of one group are one stage)."""
    stages = application.stages(application.steps_of(case.version))
    now = timezone.now()
    calendar = calendar or calendar_current()
    tasks = []
    for step in stages[stage]:
        department = _department(case, step)
        tasks.append(
            Task.objects.create(
                case=case,
                stage=stage,
                key=step.key,
                name=step.name,
                role=step.role,
                department=department,
                due_at=clock.add_working_days(now, step.days, calendar=calendar),
            )
        )
    return tasks


def _stage_count(case: Case) -> int:
    return len(application.stages(application.steps_of(case.version)))


def _lock_task(actor: Actor, task_id: int, case_number: str | None = None) -> tuple[Case, Task]:
    """The task and its case, locked (case first: the same order everywhere, no deadlock).
    With ``case_number``, the task must be one of that case's."""
    found = (
        Task.objects.filter(pk=task_id)
        .values("role", "department_id", "department__region_id", "case__number")
        .first()
    )
    target = (
        Target(
            kind="task",
            id=task_id,
            department_id=found["department_id"],
            region_code=found["department__region_id"],
        )
        if found
        else None
    )
    if found is None or not permits_role(actor, found["role"], target):
        raise NotFound()
    if case_number is not None and found["case__number"] != case_number:
        raise InvalidInput(
            problems=[Problem(field="task", reason=str(_("Not a task of this case.")))]
        )
    case = lock_case(found["case__number"])
    task = Task.objects.select_for_update(of=("self",)).select_related("department").get(pk=task_id)
    task.case = case
    return case, task


def _require_worker(actor: Actor, task: Task) -> None:
    if task.status == Task.Status.CLAIMED and task.assignee_id != actor.user_id:
        raise Conflict(_("Someone else is working on this task."))
    if task.status not in (Task.Status.OPEN, Task.Status.CLAIMED):
        raise Conflict(_("This task is finished."))


def task_claim(*, actor: Actor, task_id: int) -> Task:
    with transaction.atomic():
        case, task = _lock_task(actor, task_id)
        if task.status != Task.Status.OPEN:
            raise Conflict(_("This task is already taken."))
        task.status = Task.Status.CLAIMED
        task.assignee_id = actor.user_id
        task.save()
        record(
            actor=actor,
            case=case,
            kind="task_claimed",
            data={"task": task.pk},
            department_id=task.department_id,
        )
    return task


def task_reassign(*, actor: Actor, task_id: int, user_id: int) -> Task:
    """Give a task to a colleague who holds the step's role in the department (or release
    it with ``user_id`` 0)."""
    from django.contrib.auth import get_user_model

    from tongban.identity.selectors import actor_for_user

    with transaction.atomic():
        case, task = _lock_task(actor, task_id)
        if task.status not in (Task.Status.OPEN, Task.Status.CLAIMED):
            raise Conflict(_("This task is finished."))
        if user_id:
            user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
            if user is None or not permits_role(actor_for_user(user), task.role, task_target(task)):
                raise InvalidInput(
                    problems=[
                        Problem(field="user", reason=str(_("This person cannot do this step.")))
                    ]
                )
            task.status, task.assignee_id = Task.Status.CLAIMED, user.pk
        else:
            task.status, task.assignee_id = Task.Status.OPEN, None
        task.save()
        record(
            actor=actor,
            case=case,
            kind="task_reassigned",
            data={"task": task.pk, "to": user_id},
            department_id=task.department_id,
        )
    return task


def task_complete(
    *,
    actor: Actor,
    task_id: int,
    note: str = "",
    outcome: str = "pass",
    reason: str = "",
    legal_basis: str = "",
    case_number: str | None = None,
    certificate: Mapping[str, Any] | None = None,
) -> Case:
    """Finish a step. At the last stage the outcome is the decision: ``approve`` or ``reject``,
    with the reason and the legal basis (both required). With ``case_number``, the task must
    be one of that case's. Approving an item that produces a certificate issues it in the same
    transaction; ``certificate`` holds the approver's face fields (see ``results``)."""
    with transaction.atomic():
        case, task = _lock_task(actor, task_id, case_number)
        _require_worker(actor, task)
        if case.status != Case.Status.IN_PROGRESS:
            raise Conflict(_("The case is not being processed (stopped or decided)."))
        last = task.stage == _stage_count(case) - 1
        if last and outcome not in ("approve", "reject"):
            raise InvalidInput(
                problems=[Problem(field="outcome", reason=str(_("Approve or reject.")))]
            )
        if not last and outcome != "pass":
            raise InvalidInput(
                problems=[Problem(field="outcome", reason=str(_("Only the last step decides.")))]
            )
        if last:
            reason = clean_text(reason, "reason")
            legal_basis = clean_text(legal_basis, "legal_basis")
        now = timezone.now()
        task.status, task.assignee_id = Task.Status.DONE, task.assignee_id or actor.user_id
        task.completed_at, task.outcome, task.note = (
            now,
            outcome,
            clean_text(note, "note", required=False),
        )
        task.save()
        record(
            actor=actor,
            case=case,
            kind="step_done",
            data={"task": task.pk, "step": task.key, "outcome": outcome},
            department_id=task.department_id,
        )
        stages = application.stages(application.steps_of(case.version))
        parallel = len(stages[task.stage]) > 1
        if (
            parallel
            and Task.objects.filter(
                case=case, stage=task.stage, status__in=(Task.Status.OPEN, Task.Status.CLAIMED)
            ).exists()
        ):
            return case  # a parallel step of this stage is still running
        if not last:
            open_stage(case=case, stage=task.stage + 1)
            return case
        case.status = Case.Status.APPROVED if outcome == "approve" else Case.Status.REJECTED
        case.decided_at = now
        case.outcome_reason, case.outcome_basis = reason, legal_basis
        case.save()
        record(
            actor=actor,
            case=case,
            kind="approved" if outcome == "approve" else "rejected",
            note=reason,
            data={"legal_basis": legal_basis},
            department_id=task.department_id,
        )
        notify_applicant(case, "case.approved" if outcome == "approve" else "case.rejected")
        if outcome == "approve":
            issued = result_issue(actor=actor, case=case, entries=certificate)
            if issued is not None:
                record(
                    actor=actor,
                    case=case,
                    kind="certificate_issued",
                    note=issued.type.name,
                    data={"identifier": issued.identifier, "version": issued.version},
                    department_id=task.department_id,
                )
                notify_applicant(
                    case,
                    "case.certificate_issued",
                    link=reverse("portal:certificate", args=[issued.identifier]),
                )
    return case


def task_return(*, actor: Actor, task_id: int, reason: str) -> Case:
    """Send the case back to the previous step (its tasks open again)."""
    reason = clean_text(reason, "reason")
    with transaction.atomic():
        case, task = _lock_task(actor, task_id)
        _require_worker(actor, task)
        if task.stage == 0:
            raise Conflict(_("This is the first step; there is none to return to."))
        Task.objects.filter(
            case=case, stage=task.stage, status__in=(Task.Status.OPEN, Task.Status.CLAIMED)
        ).update(status=Task.Status.CANCELLED, completed_at=timezone.now())
        open_stage(case=case, stage=task.stage - 1)
        record(
            actor=actor,
            case=case,
            kind="step_returned",
            note=reason,
            data={"task": task.pk},
            department_id=task.department_id,
        )
    return case


def case_request_correction(
    *,
    actor: Actor,
    task_id: int,
    items: list[dict[str, str]],
    respond_days: int = 10,
    case_number: str | None = None,
) -> Case:
    """补正: ask the applicant to fix the listed things; the legal clock stops until they do."""
    if not isinstance(items, list) or not items or len(items) > 50:
        raise InvalidInput(
            problems=[Problem(field="items", reason=str(_("List what to correct and why.")))]
        )
    cleaned = []
    for entry in items:
        if not isinstance(entry, dict):
            raise InvalidInput(problems=[Problem(field="items", reason=str(_("Not a list item.")))])
        cleaned.append(
            {
                "what": clean_text(str(entry.get("what", "")), "items")[:200],
                "reason": clean_text(str(entry.get("reason", "")), "items"),
            }
        )
    if not 0 < respond_days <= RESPOND_DAYS_MAX:
        raise InvalidInput(
            problems=[Problem(field="respond_days", reason=str(_("1 to 60 working days.")))]
        )
    with transaction.atomic():
        case, task = _lock_task(actor, task_id, case_number)
        _require_worker(actor, task)
        if case.status != Case.Status.IN_PROGRESS:
            raise Conflict(_("The case is not being processed (stopped or decided)."))
        now = timezone.now()
        calendar = calendar_current()
        ClockPause.objects.create(
            case=case,
            kind=ClockPause.Kind.CORRECTION,
            reason=cleaned[0]["reason"],
            items=cleaned,
            started_at=now,
            respond_by=clock.add_working_days(now, respond_days, calendar=calendar),
        )
        case.status = Case.Status.CORRECTION
        recompute_due(case, calendar=calendar)
        case.save()
        record(
            actor=actor,
            case=case,
            kind="correction_requested",
            data={"items": cleaned},
            department_id=task.department_id,
        )
        notify_applicant(case, "case.correction_requested")
    return case


def case_correct(
    *, actor: Actor, number: str, form_data: dict | None = None, note: str = ""
) -> Case:
    """The applicant answers a correction request (new files are added beforehand); the clock
    runs again with the paused time taken out. Too late once the deadline has passed."""
    with transaction.atomic():
        case = lock_case(number, actor=actor)
        if not permits(actor, "case.apply", case_target(case)):
            raise NotFound()
        if case.status != Case.Status.CORRECTION:
            raise Conflict(_("No correction is asked for on this case."))
        pause = (
            ClockPause.objects.select_for_update()
            .filter(case=case, kind=ClockPause.Kind.CORRECTION, ended_at__isnull=True)
            .first()
        )
        now = timezone.now()
        if pause is None:
            raise Conflict()
        if pause.respond_by and now > pause.respond_by:
            raise Conflict(
                _("The deadline for this correction has passed. Contact the department.")
            )
        if form_data is not None:
            if not isinstance(form_data, dict):
                raise InvalidInput(problems=[Problem(field="form", reason=str(_("Not a form.")))])
            refuse_nul(form_data, field="form")
            merged = {**case.form_data, **form_data}
            problems = application.validate_answers(application.form_of(case.version), merged)
            if problems:
                raise InvalidInput(
                    problems=[Problem(field=f"form.{k}", reason=v) for k, v in problems.items()]
                )
            case.form_data = merged
        pause.ended_at = now
        pause.save(update_fields=["ended_at"])
        case.status = Case.Status.IN_PROGRESS
        recompute_due(case)
        case.save()
        record(
            actor=actor, case=case, kind="corrected", note=clean_text(note, "note", required=False)
        )
    return case


def case_suspend(*, actor: Actor, task_id: int, kind: str, reason: str) -> Case:
    """特别程序 (hearing, expert review, on-site inspection): the clock stops, with the reason."""
    if kind not in {k for k, _l in ClockPause.Kind.choices} - {ClockPause.Kind.CORRECTION}:
        raise InvalidInput(problems=[Problem(field="kind", reason=str(_("Unknown procedure.")))])
    reason = clean_text(reason, "reason")
    with transaction.atomic():
        case, task = _lock_task(actor, task_id)
        _require_worker(actor, task)
        if case.status != Case.Status.IN_PROGRESS:
            raise Conflict(_("The case is not being processed (stopped or decided)."))
        ClockPause.objects.create(case=case, kind=kind, reason=reason)
        case.status = Case.Status.SUSPENDED
        recompute_due(case)
        case.save()
        record(
            actor=actor,
            case=case,
            kind="suspended",
            note=reason,
            data={"procedure": kind},
            department_id=task.department_id,
        )
    return case


def case_resume(*, actor: Actor, task_id: int) -> Case:
    with transaction.atomic():
        case, task = _lock_task(actor, task_id)
        if case.status != Case.Status.SUSPENDED:
            raise Conflict()
        ClockPause.objects.filter(case=case, ended_at__isnull=True).exclude(
            kind=ClockPause.Kind.CORRECTION
        ).update(ended_at=timezone.now())
        case.status = Case.Status.IN_PROGRESS
        recompute_due(case)
        case.save()
        record(actor=actor, case=case, kind="resumed", department_id=task.department_id)
    return case


def case_close(*, actor: Actor, number: str) -> Case:
    """办结: a decided case is closed; an approved one is ready for pickup at any window."""
    with transaction.atomic():
        case = lock_case(number, actor=actor)
        target = case_target(case)
        if not (permits_role(actor, "approver", target) or permits(actor, "case.handover", target)):
            raise Forbidden()
        if case.status not in (Case.Status.APPROVED, Case.Status.REJECTED):
            raise Conflict(_("Only a decided case can be closed."))
        approved = case.status == Case.Status.APPROVED
        case.status = Case.Status.CLOSED
        case.closed_at = timezone.now()
        case.save()
        record(actor=actor, case=case, kind="closed")
        if approved and case.version.result_type != "none":
            notify_applicant(case, "case.ready_for_pickup")
    return case


def case_handover(*, actor: Actor, number: str, note: str = "") -> Case:
    """一口发证: the result handed to the applicant at any window, recorded."""
    with transaction.atomic():
        case = lock_case(number, actor=actor)
        if not permits(actor, "case.handover", case_target(case)):
            raise Forbidden()
        if case.status != Case.Status.CLOSED or case.decided_at is None or case.handed_over_at:
            raise Conflict(_("There is no result waiting to be handed over."))
        case.handed_over_at = timezone.now()
        case.save(update_fields=["handed_over_at", "updated_at"])
        record(
            actor=actor,
            case=case,
            kind="handed_over",
            note=clean_text(note, "note", required=False),
        )
    return case
