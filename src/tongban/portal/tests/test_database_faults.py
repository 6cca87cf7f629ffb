"""A page whose database goes away mid-request answers with a translated 503, not a crash."""

from __future__ import annotations

import pytest
from django.db import OperationalError

pytestmark = pytest.mark.django_db


def test_pages_answer_a_database_failure_with_a_translated_503(monkeypatch, client):
    from tongban.portal import views

    def broken(*args, **kwargs):
        raise OperationalError("the database system is shutting down")

    monkeypatch.setattr(views.selectors, "item_search", broken)
    response = client.get("/search/?q=居住证")
    assert response.status_code == 503
    assert "请稍后重试" in response.content.decode() or "try again" in response.content.decode()
