from __future__ import annotations

import json

import pytest
from django.test import Client


@pytest.mark.django_db
def test_healthz_checks_the_database(client: Client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["status"] == "ok"
    assert body["database"] in ("sqlite", "postgresql")


@pytest.mark.django_db
def test_request_id_is_kept_when_well_formed_and_replaced_otherwise(client: Client):
    assert client.get("/healthz", HTTP_X_REQUEST_ID="abc-123")["X-Request-ID"] == "abc-123"
    replaced = client.get("/healthz", HTTP_X_REQUEST_ID="bad id\n<script>")["X-Request-ID"]
    assert replaced != "bad id\n<script>" and len(replaced) == 32


@pytest.mark.django_db
def test_security_headers(client: Client):
    response = client.get("/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_log_lines_never_carry_full_id_or_mobile_numbers():
    from tongban.core.logging import mask_text

    line = "lookup 11010519491231002X by 13812345678 for 91110000600037341L"
    assert mask_text(line) == "lookup 110***********002X by 138****5678 for 91110000600037341L"
