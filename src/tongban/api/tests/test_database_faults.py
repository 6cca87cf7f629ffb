"""The database goes away in the middle of a submission (a restart, a failover): the caller
gets a clear 503, nothing is half-written, and retrying with the same key gives one case."""

from __future__ import annotations

import pytest
from django.db import OperationalError

from tongban.api.tests.test_cases_api import (  # noqa: F401 - fixtures used by name
    LI,
    application,
    call,
    li_cases,
    media,
    no_login_throttling,
    stored_files,
    tokens,
)
from tongban.cases.models import Case, CaseMaterial, SubmissionKey

pytestmark = pytest.mark.django_db


def test_a_database_failure_mid_submission_saves_nothing_and_a_retry_works(
    tokens,  # noqa: F811
    media,  # noqa: F811
    monkeypatch,
):
    from tongban.cases.services import submission

    token = tokens(LI)
    before_cases, before_materials = li_cases(), CaseMaterial.objects.count()

    def connection_lost(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    # The connection drops inside the submit transaction, after the case, the key and the
    # files were written.
    real_record = submission.record
    monkeypatch.setattr(submission, "record", connection_lost)
    response = call("post", "/cases", token, application(), headers={"Idempotency-Key": "db-1"})
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert response.json()["code"] == "unavailable"
    assert li_cases() == before_cases and CaseMaterial.objects.count() == before_materials
    assert not SubmissionKey.objects.filter(key="db-1").exists()
    assert stored_files(media) == []
    assert not Case.objects.filter(
        status=Case.Status.DRAFT,
        submitted_by__person__isnull=False,
        form_data__contact_name="李娜",
        number__isnull=True,
    ).exists()

    monkeypatch.setattr(submission, "record", real_record)
    first = call("post", "/cases", token, application(), headers={"Idempotency-Key": "db-1"})
    again = call("post", "/cases", token, application(), headers={"Idempotency-Key": "db-1"})
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["number"] == again.json()["number"]
    assert li_cases() == before_cases + 1
