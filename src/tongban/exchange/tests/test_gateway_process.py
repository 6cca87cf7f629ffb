"""The gateway-only process (``tongban.settings_gateway``): the exchange served with its own
URLs and middleware, checked, signed and logged as in the platform; nothing else is there."""

from __future__ import annotations

import pytest
from django.test import override_settings

from tongban import settings_gateway
from tongban.demo.people import PEOPLE
from tongban.exchange.models import ExchangeMessage
from tongban.exchange.tests.helpers import make_system

pytestmark = pytest.mark.django_db

GATEWAY_ONLY = override_settings(
    ROOT_URLCONF=settings_gateway.ROOT_URLCONF, MIDDLEWARE=settings_gateway.MIDDLEWARE
)


@GATEWAY_ONLY
def test_a_gateway_only_process_serves_and_logs_calls_and_nothing_else(client):
    system = make_system()
    system.grant("population-verify")
    query = {"id_number": PEOPLE[0][1], "name": PEOPLE[0][0]}
    served = system.call(client, "population-verify", query)
    assert served.status_code == 200 and served.json()["data"] == {"match": True}
    assert served["X-Request-ID"] and served["X-Frame-Options"] == "DENY"
    refused = system.call(client, "company-good-standing", {"credit_code": "x"})
    assert refused.status_code == 403 and refused.json()["code"] == "no_grant"
    logged = ExchangeMessage.objects.filter(
        message_id__in=[served["Tongban-Id"], refused["Tongban-Id"]]
    )
    assert sorted(logged.values_list("outcome", flat=True)) == ["refused", "served"]
    assert client.get("/exchange/jwks").json()["keys"]
    assert client.get("/healthz").status_code == 200
    for elsewhere in ("/workbench/", "/api/v1/cases", "/account/login/", "/"):
        answer = client.get(elsewhere)
        assert answer.status_code == 404 and answer.json()["code"] == "not_found"


def test_the_gateway_processs_error_answers_are_json(rf):
    import json

    from django.urls import get_resolver

    server_error = get_resolver(settings_gateway.ROOT_URLCONF).resolve_error_handler(500)
    answer = server_error(rf.get("/exchange/r1/x/y"))
    body = json.loads(answer.content)
    assert answer.status_code == 500 and body["code"] == "error" and body["message"]
