"""Bounded API fuzzing of the OpenAPI document: no input may cause a server error.

The identity operations are fuzzed with a real access token of 李娜 (legal representative, L2)
and pointed at her company, so that the generated bodies reach the services instead of stopping
at authentication (401), at a random company to act for (403) or at an unknown company (404).

The case operations likewise: each runs with the token of who would call it (李娜 for her
applications, the 临江区 reviewer or approver for theirs, a window clerk for the hand-over) against
a world of her draft and her cases at each stage (waiting for acceptance, under review, waiting
for her correction, at the decision); well-formed case numbers, draft and task ids, items and
materials are pointed at that world, so the bodies reach the services and their transitions.
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
CERTIFICATE_STAFF = ("/api/v1/certificates/issued", "/api/v1/certificates/imports")
AUTHENTICATED = ("/api/v1/identity/", "/api/v1/cases", "/api/v1/tasks", *CERTIFICATE_STAFF)
_CREDIT_CODE = re.compile(r"[0-9A-Za-z]{18}")
_CASE_NUMBER = re.compile(r"[0-9]{22}[0-9Xx]")
# Who calls a case operation (by the end of its path); everything else is 李娜's.
_STAFF = {
    "/accept": "review.linjiang",
    "/refuse": "review.linjiang",
    "/notice": "review.linjiang",
    "/corrections": "review.linjiang",
    "/decisions": "approve.linjiang",
    "/close": "approve.linjiang",
    "/handover": "clerk.qingshan",
}


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


def _caller_of(path: str) -> str | None:
    """The staff user name calling a case or certificate operation (None: 李娜)."""
    if path.startswith("/api/v1/tasks"):
        return "review.linjiang"
    if path.startswith(CERTIFICATE_STAFF):
        return "approve.linjiang"
    return next((who for end, who in _STAFF.items() if path.endswith(end)), None)


@pytest.fixture
def staff_bearers():
    """Access tokens of demo staff by user name (one sign-in each per operation)."""
    from tongban.api.tests.test_cases_api import staff_token

    cache: dict[str, dict[str, str]] = {}

    def get(username: str) -> dict[str, str]:
        if username not in cache:
            with override_settings(RATELIMIT_ENABLE=False):
                cache[username] = {"Authorization": f"Bearer {staff_token(username)}"}
            _hold_the_connection()
        return cache[username]

    return get


@pytest.fixture
def world() -> dict[str, object]:
    """李娜's draft and cases at each stage: waiting for acceptance; accepted with the review
    claimed; waiting for her correction; at the decision, claimed by the approver."""
    from tongban.api.tests.test_cases_api import ANSWERS, APPROVER, FORM, REVIEWER, residence_permit
    from tongban.cases import services
    from tongban.cases.models import Task
    from tongban.cases.tests.test_lifecycle import pdf, person_actor, staff

    actor, _person = person_actor(LI)
    reviewer, approver = staff(REVIEWER), staff(APPROVER)
    item = residence_permit()

    def submitted():
        draft = services.case_draft_save(
            actor=actor,
            implementation_code=item.implementation_code,
            answers=ANSWERS,
            form_data=FORM,
        )
        for needed, state in services.completeness(draft):
            if state == "missing":
                services.case_material_add(
                    actor=actor, case_id=draft.pk, material_id=needed.pk, upload=pdf()
                )
        return services.case_submit(actor=actor, case_id=draft.pk)

    def claimed(by, *, decide: bool = False):
        case = submitted()
        services.case_accept(actor=reviewer, number=case.number)
        task = Task.objects.get(case=case)
        services.task_claim(actor=reviewer, task_id=task.pk)
        if decide:
            services.task_complete(actor=reviewer, task_id=task.pk)
            task = Task.objects.get(case=case, status=Task.Status.OPEN)
            services.task_claim(actor=by, task_id=task.pk)
        return case, task

    accepted, review = claimed(reviewer)
    correcting, correcting_task = claimed(reviewer)
    services.case_request_correction(
        actor=reviewer, task_id=correcting_task.pk, items=[{"what": "照片", "reason": "不清晰"}]
    )
    deciding, decide = claimed(approver, decide=True)
    draft = services.case_draft_save(actor=actor, implementation_code=item.implementation_code)
    return {
        "submitted": submitted().number,
        "accepted": accepted.number,
        "correcting": correcting.number,
        "deciding": deciding.number,
        "review": review.pk,
        "decide": decide.pk,
        "draft": draft.pk,
        "item": item.implementation_code,
        "material": item.current_version.materials.get(code="M03").pk,
    }


@pytest.fixture
def permit() -> str:
    """A residence permit of 临江区 (whose approver calls the certificate operations)."""
    from tongban.certificates.tests.factories import issue_residence_permit

    return issue_residence_permit(sequence=991).identifier


def _at_the_permit(case, identifier: str) -> None:
    """A well-formed certificate identifier becomes the permit's (any other is not found)."""
    params = case.path_parameters or {}
    if isinstance(params.get("identifier"), str) and params["identifier"].startswith("1.2.156."):
        params["identifier"] = identifier


def _case_for(path: str) -> str:
    """Which case of the world an operation works on."""
    if path.endswith(("/accept", "/refuse", "/notice", "/resubmit")):
        return "submitted"
    if path.endswith(("/corrections/answer", "/materials")):
        return "correcting"
    if path.endswith(("/decisions", "/close", "/handover")):
        return "deciding"
    return "accepted"


def _in_the_world(case, world: dict[str, object]) -> None:
    """Well-formed references become the world's; malformed ones are kept, to be refused."""
    params = case.path_parameters or {}
    path = case.path
    number = params.get("case_number")
    if isinstance(number, str) and _CASE_NUMBER.fullmatch(number):
        params["case_number"] = world[_case_for(path)]
    if isinstance(params.get("id"), int) and params["id"] > 0:
        params["id"] = world["draft" if path.startswith("/api/v1/cases/drafts") else "review"]
    body = case.body if isinstance(case.body, dict) else {}
    if isinstance(body.get("task"), int):
        body["task"] = world["decide" if path.endswith("/decisions") else "review"]
    if isinstance(body.get("item"), str):
        body["item"] = world["item"]
    if isinstance(body.get("material"), int):
        body["material"] = world["material"]


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
        staff_name = _caller_of(case.path)
        if staff_name is None:
            headers |= request.getfixturevalue("bearer")
            _at_her_company(case)
        else:
            headers |= request.getfixturevalue("staff_bearers")(staff_name)
        if case.path.startswith(CERTIFICATE_STAFF):
            _at_the_permit(case, request.getfixturevalue("permit"))
        elif not case.path.startswith("/api/v1/identity/"):
            _in_the_world(case, request.getfixturevalue("world"))
    case.call_and_validate(headers=headers, checks=[not_a_server_error])
