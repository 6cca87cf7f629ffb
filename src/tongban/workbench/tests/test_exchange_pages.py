"""The exchange in the workbench: a consuming department's data manager registers a system,
requests access, the provider's data manager answers, the system calls the real gateway, a
revocation or a disabled system stops the next call, keys rotate; monitoring shows the
traffic and the refusals; nobody reads or changes another department's systems or grants."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from tongban.core.models import AuditRecord
from tongban.demo.people import PEOPLE
from tongban.exchange import client as xclient
from tongban.exchange.models import ExchangeMessage, ExchangeService, Grant, InformationSystem
from tongban.exchange.tests.helpers import TestSystem as Caller
from tongban.exchange.tests.helpers import make_system
from tongban.identity.tests.helpers import force_staff_login
from tongban.notifications.models import Notification

pytestmark = pytest.mark.django_db

CONSUMER, PROVIDER = "data.hrss", "data.psb"  # human resources asks; public security answers
SYSTEMS, GRANTS = "/workbench/exchange/systems/", "/workbench/exchange/grants/"
NEW_GRANT, MONITORING = "/workbench/exchange/grants/new/", "/workbench/exchange/monitoring/"
NAME, ID_NUMBER = PEOPLE[0][0], PEOPLE[0][1]


def _client(username: str) -> Client:
    return force_staff_login(Client(), username)


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _translated(text: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return gettext(text)


def _hrss_department_id() -> int:
    from tongban.demo.city import department_codes
    from tongban.organizations.models import Department

    return Department.objects.get(credit_code=department_codes()["hrss"]).pk


def _register(browser: Client, system_code: str, *, kid: str = "k1", **overrides):
    private, jwks = xclient.new_key(f"{system_code}-{kid}")
    data = {
        "department": str(_hrss_department_id()),
        "code": system_code,
        "name": "社会保险经办系统（测试）",
        "public_jwks": json.dumps(jwks),
        **overrides,
    }
    return browser.post(SYSTEMS, data), private


def _verify(system: Caller, browser: Client):
    return system.call(browser, "population-verify", {"id_number": ID_NUMBER, "name": NAME})


def _service(code: str) -> ExchangeService:
    return ExchangeService.objects.get(code=code)


def test_register_request_answer_call_revoke_and_watch():
    hrss, psb = _client(CONSUMER), _client(PROVIDER)
    # The consumer registers its system on the page.
    registered, private = _register(hrss, "hrss-pages-test")
    system = InformationSystem.objects.get(code="hrss-pages-test")
    assert registered.status_code == 302 and registered["Location"] == f"{SYSTEMS}{system.code}/"
    page = hrss.get(registered["Location"])
    assert page.status_code == 200 and "hrss-pages-test-k1" in page.content.decode()
    assert "hrss-pages-test" in hrss.get(SYSTEMS).content.decode()
    assert AuditRecord.objects.filter(action="exchange.system.register", object_id=system.pk)

    # It asks for the population verification (conditional: it goes to the provider).
    service = _service("population-verify")
    form = hrss.get(NEW_GRANT, {"service": service.pk, "system": system.code})
    assert form.status_code == 200 and form.context["chosen"] == service
    asked = hrss.post(
        NEW_GRANT,
        {"service": service.pk, "system": system.code, "purpose": "办理社保登记时核验身份"},
    )
    grant = Grant.objects.get(system=system, service=service)
    assert asked.status_code == 302 and grant.status == Grant.Status.REQUESTED
    assert asked["Location"] == f"{GRANTS}{grant.pk}/"
    # Before the answer, a call is refused and logged.
    caller = Caller(system=system, private=private)
    assert _verify(caller, Client()).status_code == 403

    # The provider finds it among the requests awaiting its answer, with the due date.
    listed = psb.get(GRANTS)
    assert grant in listed.context["to_answer"]
    assert f"{grant.due_at:%Y-%m-%d}" in listed.content.decode()
    # The consumer cannot answer its own request: the page offers it no answer form.
    mine = hrss.get(f"{GRANTS}{grant.pk}/")
    assert not mine.context["may"].decide and mine.context["may"].revoke
    assert hrss.post(f"{GRANTS}{grant.pk}/", {"action": "grant"}).status_code == 403

    # A refusal needs its reason; what was typed is kept.
    refused = psb.post(f"{GRANTS}{grant.pk}/", {"action": "refuse", "reason": "不"})
    assert refused.status_code == 422
    assert any(_translated("Reason") in m for m in _messages(refused))
    grant.refresh_from_db()
    assert grant.status == Grant.Status.REQUESTED
    granted = psb.post(f"{GRANTS}{grant.pk}/", {"action": "grant", "reason": ""})
    assert granted.status_code == 302
    grant.refresh_from_db()
    assert grant.status == Grant.Status.GRANTED
    assert Notification.objects.filter(kind="exchange.grant.decided").exists()
    # Answering twice is refused as answered already.
    again = psb.post(f"{GRANTS}{grant.pk}/", {"action": "refuse", "reason": "已经处理过了"})
    assert again.status_code == 409 and grant.status == Grant.Status.GRANTED

    # The system now verifies a person through the real gateway.
    served = _verify(caller, Client())
    assert served.status_code == 200 and served.json()["data"] == {"match": True}

    # The consumer revokes: the next call is refused, and monitoring shows both.
    revoked = hrss.post(f"{GRANTS}{grant.pk}/", {"action": "revoke", "reason": "系统停用"})
    assert revoked.status_code == 302
    refused_call = _verify(caller, Client())
    assert refused_call.status_code == 403 and refused_call.json()["code"] == "no_grant"
    watch = _client("auditor").get(MONITORING, {"hours": "1"})
    assert watch.status_code == 200
    row = next(r for r in watch.context["rows"] if r.client == system.code)
    assert (row.service, row.calls, row.served, row.refused) == ("population-verify", 3, 1, 2)
    text = watch.content.decode()
    assert "no_grant" in text and _translated("The system holds no grant for this service.") in text


def test_disable_enable_and_rotate_keys_from_the_page():
    hrss = _client(CONSUMER)
    _register(hrss, "hrss-keys-test")
    system = InformationSystem.objects.get(code="hrss-keys-test")
    page = f"{SYSTEMS}{system.code}/"
    # Rotation: publish the new key alone; a call signed with the old one is refused.
    new_private, new_jwks = xclient.new_key("hrss-keys-test-k2")
    replaced = hrss.post(page, {"action": "keys", "public_jwks": json.dumps(new_jwks)})
    assert replaced.status_code == 302
    system.refresh_from_db()
    assert [k["kid"] for k in system.public_jwks["keys"]] == ["hrss-keys-test-k2"]
    caller = Caller(system=system, private=new_private)
    caller.grant("company-good-standing")
    assert _good_standing(caller).status_code == 200
    old_private, _old = xclient.new_key("hrss-keys-test-k1")  # same kid, not the key
    assert _good_standing(Caller(system=system, private=old_private)).status_code == 401
    # Disabled: refused at once; enabled: served again.
    assert hrss.post(page, {"action": "disable"}).status_code == 302
    disabled = _good_standing(caller)
    assert disabled.status_code == 403 and disabled.json()["code"] == "system_disabled"
    assert _translated("disabled") in hrss.get(SYSTEMS).content.decode()
    assert hrss.post(page, {"action": "enable"}).status_code == 302
    assert _good_standing(caller).status_code == 200
    actions = set(AuditRecord.objects.filter(object_id=system.pk).values_list("action", flat=True))
    assert {"exchange.system.keys", "exchange.system.disable", "exchange.system.enable"} <= actions


def _good_standing(caller: Caller):
    from tongban.demo.people import COMPANIES

    return caller.call(Client(), "company-good-standing", {"credit_code": COMPANIES[0][1]})


def test_bad_input_is_refused_with_the_typed_values_kept_and_nothing_saved():
    hrss = _client(CONSUMER)
    before = InformationSystem.objects.count()
    cases = {
        "not json": {"public_jwks": "{not json"},
        "private key": {"public_jwks": json.dumps({"keys": [{**_private_jwk(), "kid": "x"}]})},
        "bad code": {"code": "X"},
        "no name": {"name": "   "},
        "nul": {"name": "系统\x00"},
        "huge": {"public_jwks": "x" * 100_000},
        "other department": {"department": "999999"},
        "no department": {"department": "abc"},
    }
    for label, overrides in cases.items():
        response, _private = _register(hrss, "hrss-bad-test", **overrides)
        assert response.status_code in (400, 422), label
        assert _messages(response), label
        typed = response.context["typed"]
        assert typed["code"] == overrides.get("code", "hrss-bad-test"), label
        assert len(typed["public_jwks"]) <= 16 * 1024, label
    assert InformationSystem.objects.count() == before
    # A code taken already.
    _register(hrss, "hrss-taken-test")
    taken, _private = _register(hrss, "hrss-taken-test", kid="k9")
    assert taken.status_code == 422
    assert any(_translated("This system code is taken.") in m for m in _messages(taken))
    # A grant request: no fields for a query, no legal basis for a resource not shared, a bad
    # date, an unknown service, a system not the user's; nothing is requested.
    system = InformationSystem.objects.get(code="hrss-taken-test")
    query = _service("company-status")
    no_fields = hrss.post(
        NEW_GRANT, {"service": query.pk, "system": system.code, "purpose": "核对企业登记状态"}
    )
    assert (
        no_fields.status_code == 422 and no_fields.context["typed"]["purpose"] == "核对企业登记状态"
    )
    bad_date = hrss.post(NEW_GRANT, {"service": query.pk, "system": system.code,
                                     "purpose": "核对企业登记状态", "fields": ["status"],
                                     "expires_on": "2026-13-40"})  # fmt: skip
    assert bad_date.status_code == 422
    not_mine = make_system("psb").system
    foreign_form = {"service": query.pk, "system": not_mine.code, "purpose": "核对企业登记状态",
               "fields": ["status"]}  # fmt: skip
    foreign = hrss.post(NEW_GRANT, foreign_form)
    assert foreign.status_code == 422
    unknown = hrss.get(NEW_GRANT, {"service": "987654"})
    assert unknown.status_code == 200 and unknown.context["chosen"] is None
    assert _messages(unknown)
    health = _health_service()
    no_basis = hrss.post(
        NEW_GRANT, {"service": health.pk, "system": system.code, "purpose": "核对参保人健康状况",
                    "fields": ["records"]},
    )  # fmt: skip
    assert no_basis.status_code == 422 and no_basis.context["needs_basis"]
    assert not Grant.objects.filter(system=system).exists()
    # With the legal basis it goes to the provider.
    with_basis = hrss.post(
        NEW_GRANT, {"service": health.pk, "system": system.code, "purpose": "核对参保人健康状况",
                    "fields": ["records"], "legal_basis": "《社会保险法》第二十九条（测试）"},
    )  # fmt: skip
    assert with_basis.status_code == 302
    assert Grant.objects.get(system=system).status == Grant.Status.REQUESTED
    # An unknown action.
    grant = Grant.objects.get(system=system)
    assert hrss.post(f"{GRANTS}{grant.pk}/", {"action": "explode"}).status_code == 422


def _private_jwk() -> dict:
    private, _public = xclient.new_key("private")
    return dict(private)


def _health_service() -> ExchangeService:
    from tongban.exchange.models import Resource

    resource = Resource.objects.get(code="990100-WJ-0001")
    return ExchangeService.objects.create(
        resource=resource,
        code="health-records-test",
        name="健康档案查询（测试）",
        kind=ExchangeService.Kind.QUERY,
        handler="",
        inputs=["id_number"],
        fields=["records"],
    )


def test_no_one_reads_or_changes_another_departments_systems_and_grants():
    consumer = make_system("hrss")
    grant = consumer.grant("company-good-standing")  # provided by market regulation
    psb = _client(PROVIDER)
    assert psb.get(f"{SYSTEMS}{consumer.system.code}/").status_code == 404
    assert psb.post(f"{SYSTEMS}{consumer.system.code}/", {"action": "disable"}).status_code == 404
    assert psb.get(f"{GRANTS}{grant.pk}/").status_code == 404
    revoke = {"action": "revoke", "reason": "不是我的"}
    assert psb.post(f"{GRANTS}{grant.pk}/", revoke).status_code == 404
    assert consumer.system not in psb.get(SYSTEMS).context["systems"]
    consumer.system.refresh_from_db()
    grant.refresh_from_db()
    assert consumer.system.enabled and grant.status == Grant.Status.GRANTED
    # Staff who are not data managers: no exchange pages but monitoring for auditors.
    reviewer = _client("review.linjiang")
    for url in (SYSTEMS, GRANTS, NEW_GRANT, MONITORING, f"{GRANTS}{grant.pk}/"):
        assert reviewer.get(url).status_code == 403, url
    auditor = _client("auditor")
    assert auditor.get(SYSTEMS).status_code == 403
    assert auditor.get(MONITORING).status_code == 200
    # Anonymous: to the login page.
    assert Client().get(SYSTEMS).status_code == 302
    # The city's data manager (no department named) sees every department's.
    city = _client("data.city")
    assert consumer.system in city.get(SYSTEMS).context["systems"]


def test_the_workbench_home_links_the_exchange_pages_by_role():
    manager = _client(CONSUMER).get("/workbench/").content.decode()
    assert SYSTEMS in manager and GRANTS in manager and MONITORING in manager
    auditor = _client("auditor").get("/workbench/").content.decode()
    assert MONITORING in auditor and SYSTEMS not in auditor
    reviewer = _client("review.linjiang").get("/workbench/").content.decode()
    assert MONITORING not in reviewer


def test_monitoring_period_is_bounded_and_refusals_are_listed():
    auditor = _client("auditor")
    caller = make_system("hrss")
    caller.call(Client(), "population-verify", {"id_number": ID_NUMBER, "name": NAME})
    for hours in ("0", "-5", "abc", "99999999999", "720"):
        page = auditor.get(MONITORING, {"hours": hours})
        assert page.status_code == 200 and page.context["hours"] in (24, 720), hours
    listed = auditor.get(MONITORING)
    assert any(m.client == caller.system.code for m, _text in listed.context["refusals"])
    assert ExchangeMessage.objects.filter(client=caller.system.code, outcome="refused").exists()
