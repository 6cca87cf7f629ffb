"""The rest of the identity operations over the API: registration, sessions, reveal,
acting-for, e-mail."""

from __future__ import annotations

import re

import pytest

from tongban.api.tests.test_identity_api import COMPANY, LI, WANG, ZHANG, call
from tongban.core.messaging import sms_outbox
from tongban.core.models import AuditRecord
from tongban.demo import people

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def sms_files(settings, tmp_path):
    settings.SMS_BACKEND = "tongban.core.messaging.FileSmsBackend"
    settings.SMS_FILE_PATH = tmp_path / "sms"
    settings.RATELIMIT_ENABLE = False


@pytest.fixture
def tokens():
    from tongban.api.tests.test_identity_api import access_token_for

    cache: dict[int, str] = {}

    def get(index: int) -> str:
        if index not in cache:
            cache[index] = access_token_for(index)
        return cache[index]

    return get


def put(path: str, token: str, body: dict) -> object:
    import json

    from django.test import Client

    return Client().put(
        f"/api/v1/identity{path}",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def _code(phone: str) -> str:
    return re.search(r"(?<!\d)(\d{6})(?!\d)", sms_outbox(phone)[-1]["text"]).group(1)


def test_register_through_the_api():
    name, number, phone, _level = people.PEOPLE[3]  # 陈静: no account yet
    assert call("post", "/register/code", None, {"phone": phone}).status_code == 200
    body = {
        "name": name,
        "id_number": number,
        "phone": phone,
        "password": "Chen-Jing-passphrase-1",
        "code": _code(phone),
    }
    response = call("post", "/register", None, body)
    assert response.status_code == 201, response.content
    assert response.json()["id_number_masked"] == number[:3] + "*" * 11 + number[-4:]
    bad = call("post", "/register", None, {**body, "id_number": number[:-1] + "0"})
    assert bad.status_code == 422


def test_sessions_reveal_and_acting_for(tokens):
    token = tokens(WANG)
    assert call("get", "/me/sessions", token).status_code == 200
    before = AuditRecord.objects.filter(action="identity.person.reveal").count()
    revealed = call("post", "/me/id-number", token).json()
    assert revealed["id_number"] == people.PEOPLE[WANG][1]
    assert AuditRecord.objects.filter(action="identity.person.reveal").count() == before + 1
    switched = put("/me/acting-for", token, {"credit_code": COMPANY})
    assert switched.status_code == 200 and switched.json()["acting_for"]["credit_code"] == COMPANY
    back = put("/me/acting-for", token, {"credit_code": None})
    assert back.status_code == 200 and back.json()["acting_for"] is None
    # Someone with no mandate cannot switch to the company.
    refused = put("/me/acting-for", tokens(ZHANG), {"credit_code": COMPANY})
    assert refused.status_code == 403


def test_email_is_set_with_a_code(tokens, mailoutbox):
    token = tokens(LI)
    assert call("post", "/me/email/code", token, {"email": "li.na@example.com"}).status_code == 200
    code = re.search(r"(?<!\d)(\d{6})(?!\d)", mailoutbox[-1].body).group(1)
    wrong = call("post", "/me/email", token, {"email": "li.na@example.com", "code": "000000"})
    assert wrong.status_code in (422, 429) or code == "000000"
    done = call("post", "/me/email", token, {"email": "li.na@example.com", "code": code})
    assert done.status_code == 200 and done.json()["email"] == "li.na@example.com"


def test_validation_messages_are_translated():
    response = call("post", "/register", None, {"name": "x", "phone": "1" * 40})
    reasons = " ".join(p["reason"] for p in response.json()["problems"])
    assert response.status_code == 422
    assert "Field required" not in reasons and "String should" not in reasons


def _staff_token(username: str) -> str:
    from django.test import Client

    from tongban.api.tests.test_identity_api import oidc_application, sign_in
    from tongban.identity.tests.helpers import force_staff_login

    app, secret = oidc_application()
    return sign_in(force_staff_login(Client(), username), app, secret, "openid api")["access_token"]


def test_staff_administration_through_the_api(tokens):
    from django.contrib.auth import get_user_model

    admin = _staff_token("admin")
    created = call(
        "post",
        "/staff",
        admin,
        {
            "username": "clerk.new",
            "password": "A-good-passphrase-2026",
            "full_name": "新窗口",
            "roles": [{"role": "window_clerk", "region": "990103"}],
        },
    )
    assert created.status_code == 201, created.content
    user_id = created.json()["id"]
    listed = {s["id"]: s for s in call("get", "/staff", admin).json()}
    assert listed[user_id]["roles"] == [
        {"role": "window_clerk", "department": None, "region": "990103"}
    ]
    changed = put(
        f"/staff/{user_id}/roles", admin, {"roles": [{"role": "reviewer", "department": 1}]}
    )
    assert changed.status_code == 200 and changed.json()["roles"][0]["role"] == "reviewer"
    bad = put(f"/staff/{user_id}/roles", admin, {"roles": [{"role": "emperor"}]})
    assert bad.status_code == 422
    off = call("post", f"/staff/{user_id}/deactivate", admin)
    assert off.status_code == 200 and off.json()["is_active"] is False
    assert not get_user_model().objects.get(pk=user_id).is_active
    # Persons and non-administrators are refused; a person's account is not staff.
    assert call("get", "/staff", tokens(LI)).status_code == 403
    assert call("get", "/staff", _staff_token("catalog.city")).status_code == 403


def test_nul_characters_are_refused_before_they_reach_the_database(tokens):
    response = call("post", "/mandates/1/revoke", tokens(LI), {"reason": "bad\u0000reason"})
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request" and "NUL" in response.json()["message"]
    garbage = call("post", "/mandates/1/revoke", tokens(LI), raw="{not json")
    assert garbage.status_code == 400 and garbage.json()["code"] == "bad_request"
