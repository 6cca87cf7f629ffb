"""Reads of the exchange: the resource catalog, grants, the data tracker, monitoring."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from tongban.core.authorization import Target, authorize, permits
from tongban.core.datause import COMPANY, PERSON
from tongban.core.errors import NotFound
from tongban.core.models import DataUseRecord
from tongban.core.types import Actor
from tongban.exchange.models import (
    ExchangeMessage,
    ExchangeService,
    Grant,
    InformationSystem,
    Resource,
)
from tongban.organizations.models import Department
from tongban.organizations.selectors import department_target


def resources_published(*, query: str = "") -> QuerySet[Resource]:
    """The resource catalog (public: what is shared, by whom, how)."""
    resources = Resource.objects.select_related("provider").prefetch_related("services")
    if query:
        resources = resources.filter(
            Q(name__icontains=query) | Q(code__icontains=query) | Q(summary__icontains=query)
        )
    return resources.order_by("code")


def resource_get(*, code: str) -> Resource:
    resource = resources_published().filter(code=code).first()
    if resource is None:
        raise NotFound()
    return resource


def service_list() -> QuerySet[ExchangeService]:
    return ExchangeService.objects.select_related("resource__provider").filter(enabled=True)


def _managed_departments(actor: Actor) -> set[int] | None:
    """The departments whose exchange business the actor manages as a data manager; None:
    every department (a grant naming none)."""
    if actor.is_superuser:
        return None
    ids: set[int] = set()
    for g in actor.grants:
        if g.role in ("data_manager", "administrator"):
            if g.department_id is None:
                return None
            ids.add(g.department_id)
    return ids


def departments_managed(*, actor: Actor) -> QuerySet[Department]:
    """The departments whose systems the actor may register and whose grants they handle."""
    if not actor.has_role("data_manager"):
        return Department.objects.none()
    ids = _managed_departments(actor)
    departments = Department.objects.order_by("region_id", "name")
    return departments if ids is None else departments.filter(pk__in=ids)


def system_for_staff(*, actor: Actor, code: str) -> InformationSystem:
    """One system the actor manages, by its code (anyone else's is not found)."""
    system = systems_for_staff(actor=actor).filter(code=code).first()
    if system is None:
        raise NotFound()
    return system


def systems_for_staff(*, actor: Actor) -> QuerySet[InformationSystem]:
    systems = InformationSystem.objects.select_related("department")
    if not actor.has_role("data_manager"):
        return systems.none()
    ids = _managed_departments(actor)
    return systems if ids is None else systems.filter(department_id__in=ids)


def grants_for_staff(*, actor: Actor) -> QuerySet[Grant]:
    """Grants the actor's departments asked for (consumer) or answer (provider)."""
    grants = Grant.objects.select_related(
        "system__department", "service__resource__provider"
    ).order_by("-requested_at", "-id")
    if not actor.has_role("data_manager"):
        return grants.none()
    ids = _managed_departments(actor)
    if ids is not None:
        grants = grants.filter(
            Q(system__department_id__in=ids) | Q(service__resource__provider_id__in=ids)
        )
    return grants


def grant_for_staff(*, actor: Actor, grant_id: int) -> Grant:
    grant = grants_for_staff(actor=actor).filter(pk=grant_id).first()
    if grant is None:
        raise NotFound()
    return grant


@dataclass(frozen=True)
class GrantActions:
    """What the actor may do with a grant: answer the request (the provider's data manager)
    and revoke it (the provider's or the consumer's)."""

    decide: bool
    revoke: bool
    provider_side: bool
    consumer_side: bool


def grant_actions(*, actor: Actor, grant: Grant) -> GrantActions:
    provider = permits(
        actor, "exchange.grant.decide", department_target(grant.service.resource.provider)
    )
    consumer = permits(actor, "exchange.grant.request", department_target(grant.system.department))
    open_ = grant.status in (Grant.Status.REQUESTED, Grant.Status.GRANTED)
    return GrantActions(
        decide=provider and grant.status == Grant.Status.REQUESTED,
        revoke=(provider or consumer) and open_,
        provider_side=provider,
        consumer_side=consumer,
    )


@dataclass(frozen=True)
class TrackerFilter:
    since: dt.date | None = None
    until: dt.date | None = None
    department: str = ""
    channel: str = ""


def tracker_records(
    *, actor: Actor, subject_kind: str, subject_index: str, owner: Target, filters: TrackerFilter
) -> QuerySet[DataUseRecord]:
    """我的数据用在哪: every access to the subject's data, newest first. ``owner`` describes
    the subject (the person, or the company) so only they, or the company's representative
    and agents, read it."""
    authorize(actor, "exchange.tracker.view", owner)
    if subject_kind not in (PERSON, COMPANY) or not subject_index:
        return DataUseRecord.objects.none()
    records = DataUseRecord.objects.filter(subject_kind=subject_kind, subject_index=subject_index)
    tz = timezone.get_current_timezone()
    if filters.since:
        records = records.filter(at__gte=dt.datetime.combine(filters.since, dt.time.min, tz))
    if filters.until:
        records = records.filter(at__lte=dt.datetime.combine(filters.until, dt.time.max, tz))
    if filters.department:
        records = records.filter(department__icontains=filters.department)
    if filters.channel in DataUseRecord.Channel.values:
        records = records.filter(channel=filters.channel)
    return records.order_by("-at", "-id")


@dataclass(frozen=True)
class TrackerSubject:
    """Whose data the tracker shows: the person's own, or the company's when acting for it."""

    kind: str
    index: str
    name: str
    owner: Target


def tracker_subject(*, actor: Actor) -> TrackerSubject | None:
    from tongban.identity.models import Company, Person

    if actor.acting_for_company_id is not None:
        company = Company.objects.filter(pk=actor.acting_for_company_id).first()
        if company is not None:
            return TrackerSubject(
                kind=COMPANY,
                index=company.credit_code,
                name=company.name,
                owner=Target(kind="company", id=company.pk, owner_company_id=company.pk),
            )
        return None
    if actor.person_id is not None:
        person = Person.objects.filter(pk=actor.person_id).first()
        if person is not None:
            return TrackerSubject(
                kind=PERSON,
                index=person.id_number_index,
                name=person.name,
                owner=Target(kind="person", id=person.pk, owner_person_id=person.pk),
            )
    return None


def my_data_uses(*, actor: Actor, filters: TrackerFilter) -> QuerySet[DataUseRecord]:
    """我的数据用在哪 for the signed-in person (or the company they act for), newest first."""
    subject = tracker_subject(actor=actor)
    if subject is None:
        return DataUseRecord.objects.none()
    return tracker_records(
        actor=actor,
        subject_kind=subject.kind,
        subject_index=subject.index,
        owner=subject.owner,
        filters=filters,
    )


@dataclass(frozen=True)
class ServiceTraffic:
    service: str
    client: str
    calls: int
    served: int
    refused: int
    failed: int
    p50_ms: float
    p95_ms: float
    p99_ms: float


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 1)


def _authorize_monitoring(actor: Actor) -> None:
    """Data managers, supervisors and auditors watch the exchange (whichever department)."""
    if not any(actor.has_role(role) for role in ("data_manager", "supervisor", "auditor")):
        authorize(actor, "exchange.monitor.view", Target(kind="exchange"))


def traffic(*, actor: Actor, hours: int = 24, limit: int = 50_000) -> list[ServiceTraffic]:
    """Per service and consumer over the last ``hours``: calls, outcomes, latency
    percentiles (of the most recent ``limit`` messages)."""
    _authorize_monitoring(actor)
    since = timezone.now() - dt.timedelta(hours=hours)
    rows = (
        ExchangeMessage.objects.filter(occurred_at__gte=since)
        .order_by("-id")
        .values_list("service", "client", "outcome", "duration_ms")[:limit]
    )
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for service, client, outcome, duration in rows:
        group = groups.setdefault(
            (service, client), {"durations": [], "served": 0, "refused": 0, "failed": 0}
        )
        group[outcome] = group.get(outcome, 0) + 1
        group["durations"].append(duration)
    return [
        ServiceTraffic(
            service=service,
            client=client,
            calls=len(g["durations"]),
            served=g["served"],
            refused=g["refused"],
            failed=g["failed"],
            p50_ms=_percentile(g["durations"], 0.50),
            p95_ms=_percentile(g["durations"], 0.95),
            p99_ms=_percentile(g["durations"], 0.99),
        )
        for (service, client), g in sorted(groups.items())
    ]


def refusals_recent(*, actor: Actor, limit: int = 50) -> QuerySet[ExchangeMessage]:
    _authorize_monitoring(actor)
    return ExchangeMessage.objects.exclude(outcome=ExchangeMessage.Outcome.SERVED).order_by("-id")[
        :limit
    ]
