"""Bounded API fuzzing of the OpenAPI document: no input may cause a server error.

The identity operations are fuzzed with a real access token of 李娜 (legal representative, L2)
and pointed at her company, so that the generated bodies reach the services instead of stopping
at authentication (401), at a random company to act for (403) or at an unknown company (404).
"""

from __future__ import annotations

import re

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from tongban.api.tests.test_identity_api import COMPANY, LI, access_token_for
from tongban.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
AUTHENTICATED = "/api/v1/identity/"
_CREDIT_CODE = re.compile(r"[0-9A-Za-z]{18}")


def _hold_the_connection() -> None:
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)


@pytest.fixture(autouse=True)
def keep_the_test_transaction_open():
    """Like Django's test client: requests must not close the test's database connection."""
    _hold_the_connection()
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def bearer() -> dict[str, str]:
    """An access token of the real authorization code flow (one per operation)."""
    with override_settings(RATELIMIT_ENABLE=False):
        token = access_token_for(LI)
    _hold_the_connection()  # Django's test client reconnects the signals after each request
    return {"Authorization": f"Bearer {token}"}


def _at_her_company(case) -> None:
    """A well-formed credit code or company to act for becomes 李娜's company (any other would
    only be not found or refused); malformed codes are kept, to be refused as such."""
    if "X-Acting-For" in (case.headers or {}):
        case.headers["X-Acting-For"] = COMPANY
    code = (case.path_parameters or {}).get("credit_code")
    if isinstance(code, str) and _CREDIT_CODE.fullmatch(code):
        case.path_parameters["credit_code"] = COMPANY


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
    derandomize=True,
)
def test_no_input_causes_a_server_error(case, request):
    headers = {"Host": "localhost"}
    if case.path.startswith(AUTHENTICATED):
        headers |= request.getfixturevalue("bearer")
        _at_her_company(case)
    case.call_and_validate(headers=headers, checks=[not_a_server_error])
