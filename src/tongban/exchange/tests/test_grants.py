"""Access requests and grants on the working-day clock, through the services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from tongban.core.errors import Conflict, Forbidden, InvalidInput
from tongban.core.models import AuditRecord
from tongban.exchange import services
from tongban.exchange.models import ExchangeService, Grant, Resource
from tongban.exchange.tests.helpers import make_system
from tongban.identity.selectors import actor_for_user
from tongban.notifications.models import Notification
from tongban.workflow import clock
from tongban.workflow.selectors import calendar_current

pytestmark = pytest.mark.django_db


def staff(username: str):
    return actor_for_user(get_user_model().objects.get(username=username))


def _request(system, service_code, *, actor=None, **extra):
    service = ExchangeService.objects.get(code=service_code)
    return services.grant_request(
        actor=actor or staff("data.hrss"),
        system_id=system.system.pk,
        service_id=service.pk,
        fields=extra.pop("fields", None),
        purpose=extra.pop("purpose", "办理社保登记时核验身份"),
        **extra,
    )


def test_unconditional_is_granted_at_once_conditional_goes_to_the_provider():
    system = make_system()
    at_once = _request(system, "company-good-standing")
    assert at_once.status == Grant.Status.GRANTED and at_once.due_at is None
    asked = _request(system, "population-verify")
    assert asked.status == Grant.Status.REQUESTED
    expected = clock.add_working_days(asked.requested_at, 10, calendar=calendar_current())
    assert asked.due_at == expected
    # The provider's data managers are told, with the due date.
    psb_manager = get_user_model().objects.get(username="data.psb")
    note = Notification.objects.filter(recipient=psb_manager, kind="exchange.grant.requested")
    assert note.exists()
    # A second open request for the same service is a conflict, not a duplicate.
    with pytest.raises(Conflict):
        _request(system, "population-verify")
    # The consumer may not answer its own request; the provider may.
    with pytest.raises(Forbidden):
        services.grant_decide(actor=staff("data.hrss"), grant_id=asked.pk, approve=True)
    decided = services.grant_decide(actor=staff("data.psb"), grant_id=asked.pk, approve=True)
    assert decided.status == Grant.Status.GRANTED
    assert AuditRecord.objects.filter(
        action="exchange.grant.grant", object_id=str(asked.pk)
    ).exists()
    with pytest.raises(Conflict):
        services.grant_decide(actor=staff("data.psb"), grant_id=asked.pk, approve=False,
                              reason="重复处理测试")  # fmt: skip


def test_a_refusal_needs_a_reason_and_the_requester_reads_it():
    system = make_system()
    asked = _request(system, "population-verify")
    with pytest.raises(InvalidInput) as problem:
        services.grant_decide(actor=staff("data.psb"), grant_id=asked.pk, approve=False)
    assert problem.value.problems[0].field == "reason"
    assert Grant.objects.get(pk=asked.pk).status == Grant.Status.REQUESTED  # nothing lost
    refused = services.grant_decide(
        actor=staff("data.psb"), grant_id=asked.pk, approve=False, reason="用途与共享条件不符"
    )
    assert refused.status == Grant.Status.REFUSED and refused.reason == "用途与共享条件不符"
    requester = get_user_model().objects.get(username="data.hrss")
    [note] = Notification.objects.filter(recipient=requester, kind="exchange.grant.decided")
    assert "用途与共享条件不符" in str(note.body)
    # After a refusal the system may ask again (a new request, with a better purpose).
    again = _request(system, "population-verify", purpose="依据社会保险法办理参保登记核验身份")
    assert again.status == Grant.Status.REQUESTED


def test_not_shared_needs_a_legal_basis_and_query_fields_must_exist():
    system = make_system()
    health = ExchangeService.objects.create(
        resource=Resource.objects.get(code="990100-WJ-0001"),
        code="health-records-test",
        name="健康记录查询",
        kind=ExchangeService.Kind.QUERY,
        endpoint_url="http://127.0.0.1:9/never-called",
        inputs=["id_number"],
        fields=["records"],
    )
    with pytest.raises(InvalidInput) as problem:
        _request(system, health.code, fields=["records"])
    assert problem.value.problems[0].field == "legal_basis"
    grant = _request(system, health.code, legal_basis="《社会保险法》第五十八条",
                     fields=["records"])  # fmt: skip
    assert grant.status == Grant.Status.REQUESTED and grant.legal_basis
    for bad in ("", "ab", "x" * 201, "用途\x00"):
        with pytest.raises(InvalidInput):
            _request(system, "company-status", purpose=bad)
    with pytest.raises(InvalidInput) as problem:
        _request(system, "company-status", fields=["credit_code", "password"])
    assert "password" in problem.value.problems[0].reason
    with pytest.raises(InvalidInput):
        _request(system, "company-status", fields=[])
    assert not Grant.objects.filter(system=system.system, service__code="company-status").exists()
    with pytest.raises(InvalidInput):
        _request(system, "company-good-standing", expires_on=timezone.localdate())


def test_another_department_may_not_request_for_a_system_it_does_not_run():
    system = make_system("hrss")
    with pytest.raises(Forbidden):
        _request(system, "company-status", actor=staff("data.psb"), fields=["status"])


def test_revocation_is_immediate_and_needs_a_reason():
    system = make_system()
    grant = _request(system, "company-good-standing")
    with pytest.raises(InvalidInput):
        services.grant_revoke(actor=staff("data.hrss"), grant_id=grant.pk, reason="")
    revoked = services.grant_revoke(actor=staff("data.hrss"), grant_id=grant.pk, reason="系统下线")
    assert revoked.status == Grant.Status.REVOKED
    with pytest.raises(Conflict):
        services.grant_revoke(actor=staff("data.hrss"), grant_id=grant.pk, reason="系统下线")


def test_the_sweep_warns_near_the_deadline_and_escalates_once_overdue():
    system = make_system()
    asked = _request(system, "population-verify")
    psb_manager = get_user_model().objects.get(username="data.psb")
    kinds = lambda: list(  # noqa: E731
        Notification.objects.filter(recipient=psb_manager, kind__startswith="exchange.grant.")
        .exclude(kind="exchange.grant.requested")
        .values_list("kind", flat=True)
    )
    before = kinds()
    # Early on: nothing.
    services.grants_sweep(now=asked.requested_at + dt.timedelta(hours=1))
    assert kinds() == before
    # One working day before the deadline: a warning, once.
    eve = asked.due_at - dt.timedelta(days=1)
    while clock.working_days_between(eve, asked.due_at, calendar=calendar_current()) > 2:
        eve += dt.timedelta(days=1)
    services.grants_sweep(now=eve)
    services.grants_sweep(now=eve)
    assert kinds().count("exchange.grant.due_soon") == before.count("exchange.grant.due_soon") + 1
    # Past it: an escalation, once, and audited.
    late = asked.due_at + dt.timedelta(hours=1)
    _warned, escalated = services.grants_sweep(now=late)
    assert escalated >= 1
    services.grants_sweep(now=late)
    assert kinds().count("exchange.grant.overdue") == before.count("exchange.grant.overdue") + 1
    assert (
        AuditRecord.objects.filter(
            action="exchange.grant.escalate", object_id=str(asked.pk)
        ).count()
        == 1
    )
    # The command runs the same round.
    call_command("exchange_sweep")
