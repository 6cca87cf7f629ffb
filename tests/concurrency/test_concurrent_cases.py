"""Cases under concurrency, through the API: the same application with the same idempotency key
sent four times at once gives one case (and no stray draft or file); two decisions on the same
case at once (approve and reject), one wins."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tests.concurrency.test_concurrent_writes import _in_threads
from tongban.api.tests.test_cases_api import (
    APPROVER,
    LI,
    REVIEWER,
    application,
    person_token,
    staff_token,
    stored_files,
)
from tongban.cases import services
from tongban.cases.models import Case, CaseMaterial, Task
from tongban.cases.tests.test_lifecycle import staff
from tongban.catalog.models import ImplementationItem
from tongban.demo.loader import load_demo_city
from tongban.identity.tests.helpers import demo_person

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def demo_city(settings, tmp_path):
    """The demo city (an earlier transactional test may have emptied the database), files in a
    folder of this test's own, and no log-in throttling."""
    if not ImplementationItem.objects.exists():
        load_demo_city()
    settings.RATELIMIT_ENABLE = False
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _post(path: str, token: str, body: dict, key: str | None = None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if key:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return Client().post(
        f"/api/v1{path}", json.dumps(body), content_type="application/json", **headers
    )


def test_one_application_sent_four_times_at_once_with_one_key_is_one_case(demo_city):
    token = person_token(LI)
    body = application()

    results = _in_threads(4, lambda _i: _post("/cases", token, body, key="same-key"))

    statuses = sorted(r.status_code for r in results)
    assert statuses == [200, 200, 200, 201], [getattr(r, "content", r) for r in results]
    assert len({r.json()["number"] for r in results}) == 1
    [case] = Case.objects.filter(applicant_person=demo_person(LI))  # no draft left over
    assert case.number == results[0].json()["number"]
    kept = CaseMaterial.objects.filter(case=case).exclude(file="")
    assert kept.count() == 3
    assert len(stored_files(demo_city)) == 3  # the losers' uploads were removed


def test_two_decisions_on_one_case_at_once_one_wins():
    token = person_token(LI)
    number = _post("/cases", token, application()).json()["number"]
    reviewer = staff(REVIEWER)
    services.case_accept(actor=reviewer, number=number)
    review = Task.objects.get(case__number=number)
    services.task_claim(actor=reviewer, task_id=review.pk)
    services.task_complete(actor=reviewer, task_id=review.pk)
    decide = Task.objects.get(case__number=number, status=Task.Status.OPEN)
    approver = staff_token(APPROVER)
    assert _post(f"/tasks/{decide.pk}/claim", approver, {}).status_code == 200
    decisions = [
        {"task": decide.pk, "outcome": outcome, "reason": "理由", "legal_basis": "依据"}
        for outcome in ("approve", "reject")
    ]

    results = _in_threads(2, lambda i: _post(f"/cases/{number}/decisions", approver, decisions[i]))

    assert sorted(r.status_code for r in results) == [201, 409], [r.content for r in results]
    winner = next(r for r in results if r.status_code == 201).json()["status"]
    case = Case.objects.get(number=number)
    assert case.status == winner
    assert [e.kind for e in case.events.filter(kind__in=("approved", "rejected"))] == [winner]
