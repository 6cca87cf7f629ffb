"""Reading cases: for the applicant (own and company cases), for staff (queues, worklists),
and the public timeline (the department acts, never a named staff member)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from tongban.cases.models import Case, CaseEvent, CaseMaterial, ClockPause, SubmissionKey, Task
from tongban.cases.services.common import case_visible
from tongban.core.errors import NotFound
from tongban.core.types import Actor, region_prefix

EVENT_LABELS = {
    "submitted": _("Submitted"),
    "resubmitted": _("Submitted again"),
    "accepted": _("Accepted"),
    "refused": _("Not accepted"),
    "notice": _("One-time notice of missing materials"),
    "task_claimed": _("Being handled"),
    "task_reassigned": _("Being handled"),
    "step_done": _("Step completed"),
    "step_returned": _("Sent back to the previous step"),
    "correction_requested": _("Correction requested"),
    "corrected": _("Correction received"),
    "suspended": _("Special procedure"),
    "resumed": _("Processing resumed"),
    "approved": _("Approved"),
    "rejected": _("Rejected"),
    "certificate_issued": _("Electronic certificate issued"),
    "closed": _("Closed"),
    "handed_over": _("Result handed over"),
}
# Steps the applicant does not need to see one by one.
INTERNAL_EVENTS = {"task_claimed", "task_reassigned"}


def case_get(*, actor: Actor, number: str) -> Case:
    """A case the actor may see (applicant, agent, or staff in scope); 404 otherwise."""
    case = (
        Case.objects.select_related(
            "item__base_item", "version", "department", "applicant_person", "applicant_company"
        )
        .filter(number=number)
        .first()
    )
    if case is None or not case_visible(actor, case):
        raise NotFound()
    return case


def cases_for_actor(*, actor: Actor) -> QuerySet[Case]:
    """The actor's own applications (or their company's, when acting for one)."""
    if actor.person_id is None:
        return Case.objects.none()
    query = Case.objects.select_related("version", "department").exclude(status=Case.Status.DRAFT)
    if actor.acting_for_company_id is not None:
        query = query.filter(applicant_company_id=actor.acting_for_company_id)
        if actor.mandate_item_codes is not None:
            query = query.filter(item__base_item__base_code__in=actor.mandate_item_codes)
        return query.order_by("-created_at")
    return query.filter(
        applicant_person_id=actor.person_id, applicant_company__isnull=True
    ).order_by("-created_at")


def drafts_for_actor(*, actor: Actor) -> QuerySet[Case]:
    if actor.person_id is None:
        return Case.objects.none()
    return Case.objects.select_related("version").filter(
        status=Case.Status.DRAFT, submitted_by_id=actor.user_id
    )


@dataclass(frozen=True)
class TimelineEntry:
    at: object
    label: str
    department: str
    note: str
    kind: str


def timeline(case: Case) -> list[TimelineEntry]:
    """The applicant's view of the history, like a parcel's tracking."""
    entries = []
    loaded = getattr(case, "_prefetched_objects_cache", {}).get("events")
    events = (
        loaded
        if loaded is not None
        else CaseEvent.objects.filter(case=case).select_related("department")
    )
    for event in events:
        if event.kind in INTERNAL_EVENTS:
            continue
        public_note = (
            event.note if event.kind in ("refused", "rejected", "approved", "suspended") else ""
        )
        entries.append(
            TimelineEntry(
                at=event.at,
                label=str(EVENT_LABELS.get(event.kind, event.kind)),
                department=event.department.display_name if event.department else "",
                note=public_note,
                kind=event.kind,
            )
        )
    return entries


def _scope(actor: Actor, roles: tuple[str, ...] | None = None) -> Q:
    """Objects with a ``department`` inside the actor's grants: of ``roles`` only, or (None)
    of each grant's own role, matched against the object's ``role`` (tasks)."""
    query = Q(pk__in=[])
    for grant in actor.grants:
        if roles is not None and grant.role not in (*roles, "administrator"):
            continue
        part = Q(role=grant.role) if roles is None and grant.role != "administrator" else Q()
        if grant.department_id is not None:
            part &= Q(department_id=grant.department_id)
        if grant.region_code is not None:
            part &= Q(department__region__code__startswith=region_prefix(grant.region_code))
        query |= part
    return query


def worklist(*, actor: Actor, mine: bool = False) -> QuerySet[Task]:
    """Open tasks of the actor's roles in their departments; ``mine``: claimed by the actor."""
    tasks = Task.objects.select_related("case__version", "department").filter(
        status__in=(Task.Status.OPEN, Task.Status.CLAIMED)
    )
    if mine:
        return tasks.filter(assignee_id=actor.user_id).order_by("due_at")
    if actor.is_superuser:
        return tasks.order_by("due_at")
    return tasks.filter(_scope(actor)).order_by("due_at")


def acceptance_queue(*, actor: Actor) -> QuerySet[Case]:
    """Online applications waiting for the competent department's pre-review."""
    # Window cases wait for the clerk who registered them, not for the department.
    cases = Case.objects.select_related("version", "department").filter(
        status=Case.Status.SUBMITTED, channel=Case.Channel.ONLINE
    )
    if actor.is_superuser:
        return cases.order_by("submitted_at")
    return cases.filter(_scope(actor, ("reviewer",))).order_by("submitted_at")


def open_correction(case: Case) -> ClockPause | None:
    """The correction request the applicant has still to answer (补正), while in correction."""
    if case.status != Case.Status.CORRECTION:
        return None
    return (
        ClockPause.objects.filter(case=case, kind=ClockPause.Kind.CORRECTION, ended_at__isnull=True)
        .order_by("-started_at")
        .first()
    )


def last_notice(case: Case) -> CaseEvent | None:
    """The latest one-time notice (一次性告知) of everything missing."""
    return CaseEvent.objects.filter(case=case, kind="notice").order_by("-at", "-id").first()


def submitted_with_key(*, actor: Actor, key: str) -> Case | None:
    """The case an earlier submission of this user with this idempotency key created."""
    if not key:
        return None
    previous = (
        SubmissionKey.objects.select_related("case")
        .filter(user_id=actor.user_id, key=key[:100])
        .first()
    )
    return previous.case if previous is not None else None


def window_cases_waiting(*, actor: Actor) -> QuerySet[Case]:
    """The walk-ins' applications this clerk registered that wait for a decision."""
    return (
        Case.objects.select_related("version", "applicant_person")
        .filter(
            channel=Case.Channel.WINDOW, status=Case.Status.SUBMITTED, submitted_by_id=actor.user_id
        )
        .order_by("-submitted_at")
    )


def staff_history(case: Case) -> QuerySet[CaseEvent]:
    """Every event of the case with who acted: for staff who may see the case, never the
    applicant (``timeline`` is the applicant's view)."""
    return CaseEvent.objects.filter(case=case).select_related("department", "actor_user")


def task_get(*, actor: Actor, task_id: int) -> Task:
    """A task of a case the actor may see (else NotFound, as for an unknown task)."""
    task = Task.objects.select_related("case", "department", "assignee").filter(pk=task_id).first()
    if task is None or not case_visible(actor, task.case):
        raise NotFound()
    return task


def case_file(case: Case, material_id: int) -> CaseMaterial | None:
    """A stored file of a case the caller was allowed to see (through ``case_get``)."""
    return CaseMaterial.objects.filter(case=case, pk=material_id).exclude(file="").first()
