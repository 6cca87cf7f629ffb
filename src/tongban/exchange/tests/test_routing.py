"""The gateway's per-process routing look-ups: kept between calls, dropped by any change."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tongban.demo.people import COMPANIES, PEOPLE
from tongban.exchange import routing
from tongban.exchange import services as exchange_services
from tongban.exchange.models import ExchangeService, Grant, InformationSystem
from tongban.exchange.tests.helpers import SYSTEM, make_system, provider_of

pytestmark = pytest.mark.django_db

CREDIT_CODE = COMPANIES[0][1]


def _queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = call()
    assert response.status_code == 200, response.content
    return len(captured)


def test_a_second_call_reads_no_system_or_grant_and_a_revocation_applies_to_the_next(client):
    system = make_system()
    grant = system.grant("company-good-standing")
    query = {"credit_code": CREDIT_CODE}
    first = _queries(lambda: system.call(client, "company-good-standing", query))
    second = _queries(lambda: system.call(client, "company-good-standing", query))
    assert second <= first - 2  # the system and the grant come from the process's look-ups
    exchange_services.grant_revoke(actor=SYSTEM, grant_id=grant.pk, reason="合作协议终止")
    assert system.call(client, "company-good-standing", query).json()["code"] == "no_grant"


def test_disabling_the_system_or_the_service_or_renaming_the_department_applies_at_once(client):
    system = make_system()
    system.grant("population-verify")
    query = {"id_number": PEOPLE[0][1], "name": PEOPLE[0][0]}
    assert system.call(client, "population-verify", query).json()["data"] == {"match": True}
    exchange_services.system_set_enabled(actor=SYSTEM, system_id=system.system.pk, enabled=False)
    assert system.call(client, "population-verify", query).json()["code"] == "system_disabled"
    exchange_services.system_set_enabled(actor=SYSTEM, system_id=system.system.pk, enabled=True)
    assert system.call(client, "population-verify", query).status_code == 200

    department = system.system.department
    department.name = "改名后的社会保险局"
    department.save()
    system.call(client, "population-verify", query)
    from tongban.exchange.models import ExchangeMessage

    assert ExchangeMessage.objects.order_by("-id").first().consumer_department == department.name

    service = ExchangeService.objects.get(code="population-verify")
    service.enabled = False
    service.save()
    answer = system.call(client, "population-verify", query).json()
    assert answer["code"] == "unknown_service"


def test_an_entry_read_under_an_old_token_is_never_served_under_the_new_one():
    system = make_system()
    system.grant("company-good-standing")
    provider = provider_of("company-good-standing")
    before = routing.snapshot()
    assert before.grant(system.system, provider, "company-good-standing") is not None
    # A look-up that raced a change: read under the old token after the change committed.
    Grant.objects.filter(system=system.system).update(status=Grant.Status.REVOKED)
    routing.routing_changed()  # what every save does; a queryset update must call it itself
    assert routing.snapshot().token == before.token  # the process has not read it yet
    after = routing.refresh()
    assert after.token != before.token
    before._get(("grant", system.system.pk, provider, "company-good-standing"), lambda: "stale")
    assert after.grant(system.system, provider, "company-good-standing") is None
    assert routing.snapshot().system(system.system.code) == InformationSystem.objects.get(
        code=system.system.code
    )


def test_a_call_decided_under_a_token_another_process_changed_is_decided_again(client):
    """Another process revokes the grant (this process's token is left stale): the next call
    is not served, and only its refusal is logged, under the new token."""
    from tongban.exchange.models import ExchangeMessage

    system = make_system()
    system.grant("company-good-standing")
    query = {"credit_code": CREDIT_CODE}
    assert system.call(client, "company-good-standing", query).status_code == 200
    stale = routing.snapshot().token
    Grant.objects.filter(system=system.system).update(status=Grant.Status.REVOKED)
    routing.routing_changed()
    reply = system.call(client, "company-good-standing", query)
    assert reply.json()["code"] == "no_grant"
    assert routing.snapshot().token != stale
    logged = ExchangeMessage.objects.filter(message_id=reply.headers["Tongban-Id"])
    assert list(logged.values_list("outcome", "reason")) == [
        (ExchangeMessage.Outcome.REFUSED, "no_grant")
    ]
    # and a grant made elsewhere is served at once, though this process cached "no grant"
    Grant.objects.filter(system=system.system).update(status=Grant.Status.GRANTED)
    routing.routing_changed()
    assert system.call(client, "company-good-standing", query).status_code == 200


def test_region_codes_are_kept_and_forgotten_when_a_region_changes():
    from tongban.identity.services import known_regions
    from tongban.organizations.models import Region

    first = known_regions()
    with CaptureQueriesContext(connection) as captured:
        assert known_regions() is first
    assert len(captured) == 0
    parent = Region.objects.filter(level="city").first()
    code = parent.code[:4] + "99"
    Region.objects.create(code=code, name="新区", level="district", parent=parent)
    assert code in known_regions()
