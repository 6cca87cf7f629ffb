"""Certificates under concurrency, through the workbench and the API: a revoke and a suspend of
one certificate at once end as some serial order would (never a lost update: the certificate,
its history and its status list agree, and verifiers say revoked); two changes that exclude each
other (a revoke and a new version, or two revokes) at once, one wins and the other is told."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tests.concurrency.test_concurrent_writes import _in_threads
from tongban.api.tests.test_cases_api import staff_token
from tongban.catalog.models import ImplementationItem
from tongban.certificates import services
from tongban.certificates.models import Certificate
from tongban.certificates.tests.factories import issue_residence_permit
from tongban.demo.loader import load_demo_city
from tongban.identity.tests.helpers import force_staff_login

pytestmark = pytest.mark.django_db(transaction=True)

APPROVER = "approve.linjiang"  # 临江区 public security, which issues 居住证


@pytest.fixture(autouse=True)
def demo_city(settings):
    """The demo city (an earlier transactional test may have emptied the database), and no
    log-in throttling."""
    if not ImplementationItem.objects.exists():
        load_demo_city()
    settings.RATELIMIT_ENABLE = False


def _api(path: str, token: str, body: dict):
    return Client().post(
        f"/api/v1/certificates/issued/{path}",
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def _kinds(certificate: Certificate) -> list[str]:
    return [e.kind for e in certificate.events.order_by("occurred_at", "id")]


def test_a_revoke_in_the_workbench_and_a_suspend_through_the_api_at_once():
    token = staff_token(APPROVER)
    page = force_staff_login(Client(), APPROVER)
    for sequence in (901, 903, 905):
        permit = issue_residence_permit(sequence=sequence)
        url = f"/workbench/certificates/{permit.identifier}/"

        def change(i: int, permit: Certificate = permit, url: str = url):
            if i == 0:
                return page.post(url, {"action": "revoke", "reason": "吊销"})
            return _api(f"{permit.identifier}/suspend", token, {"reason": "暂停"})

        revoked, suspended = _in_threads(2, change)

        assert revoked.status_code == 302, getattr(revoked, "content", revoked)  # always allowed
        permit.refresh_from_db()
        assert permit.status == Certificate.Status.REVOKED
        if suspended.status_code == 200:  # the suspend came first; a suspended one is revoked
            assert _kinds(permit) == ["issued", "suspended", "revoked"]
        else:  # the revoke came first; a revoked one is not suspended
            assert suspended.status_code == 409, suspended.content
            assert _kinds(permit) == ["issued", "revoked"]
        checked = services.certificate_check(identifier=permit.identifier)
        assert not checked.valid and checked.status == "revoked"


def test_a_revoke_and_a_new_version_at_once_one_wins():
    token = staff_token(APPROVER)
    page = force_staff_login(Client(), APPROVER)
    permit = issue_residence_permit(sequence=907)

    def change(i: int):
        if i == 0:
            return _api(f"{permit.identifier}/revoke", token, {"reason": "吊销"})
        return page.post(
            f"/workbench/certificates/{permit.identifier}/",
            {"action": "new_version", "face-address": "江川市临江区新址8号", "reason": "变更"},
        )

    revoke, version = _in_threads(2, change)

    permit.refresh_from_db()
    if revoke.status_code == 200:
        assert version.status_code == 409 and permit.status == Certificate.Status.REVOKED
        assert not Certificate.objects.filter(previous=permit).exists()
    else:
        assert revoke.status_code == 409 and version.status_code == 302
        assert permit.status == Certificate.Status.SUPERSEDED
        assert Certificate.objects.get(previous=permit).status == Certificate.Status.VALID


def test_the_same_revoke_sent_twice_at_once_works_once():
    token = staff_token(APPROVER)
    permit = issue_residence_permit(sequence=909)

    results = _in_threads(2, lambda _i: _api(f"{permit.identifier}/revoke", token, {"reason": "x"}))

    assert sorted(r.status_code for r in results) == [200, 409], [r.content for r in results]
    permit.refresh_from_db()
    assert _kinds(permit) == ["issued", "revoked"]
