"""The account pages as people use them: register, log in, TOTP, lockout, sessions, reset."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.test import Client

from tongban.demo import people
from tongban.identity.models import Mandate, UserSession
from tongban.identity.tests.helpers import (
    last_code,
    people_password,
    person_client,
    staff_client,
)

pytestmark = pytest.mark.django_db


def test_register_on_the_page_with_an_sms_code(new_identity):
    id_number, phone = new_identity()
    client = Client()
    form = {
        "name": "周八",
        "id_number": id_number,
        "phone": phone,
        "email": "",
        "password": "A-good-passphrase-2026",
        "action": "send_code",
    }
    response = client.post("/account/register/", form)
    assert response.status_code == 200 and response.context["code_sent"]
    response = client.post(
        "/account/register/", {**form, "action": "register", "code": last_code(phone)}
    )
    assert response.status_code == 302 and response["Location"] == "/account/"
    page = client.get("/account/").content.decode()
    assert id_number[:3] + "*" * 11 + id_number[-4:] in page and id_number not in page


def test_register_page_shows_translated_errors_and_keeps_input(new_identity):
    _id, phone = new_identity()
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    response = client.post(
        "/account/register/",
        {
            "name": "周八",
            "id_number": "110105194912310021",
            "phone": phone,
            "password": "A-good-passphrase-2026",
            "code": "123456",
            "action": "register",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "校验" in html  # the check character message, in Chinese
    assert 'value="周八"' in html


@pytest.mark.parametrize("index", [0, 1])
def test_persons_log_in_with_id_number_or_phone(index):
    name, number, phone, _level = people.PEOPLE[index]
    for identifier in (number.lower(), phone):
        client = person_client(identifier)
        assert name in client.get("/account/").content.decode()


def test_company_log_in_by_credit_code_acts_for_the_company():
    client = person_client(people.COMPANIES[0][1])
    html = client.get("/account/").content.decode()
    assert "selected>江川示范科技有限公司" in html


def test_staff_need_totp_before_the_workbench():
    client = Client()
    response = client.post(
        "/account/login/",
        {"username": "catalog.city", "password": people_password(), "next": "/workbench/"},
    )
    assert response.status_code == 302 and "/account/second-factor/" in response["Location"]
    assert client.get("/workbench/").status_code == 302  # not yet
    response = client.post("/account/second-factor/", {"token": "000000", "next": "/workbench/"})
    assert response.status_code == 200 and response.context["form"].errors
    assert client.get("/workbench/").status_code == 302
    staff = staff_client("catalog.amr")
    assert staff.get("/workbench/").status_code == 200


def test_new_staff_enrol_a_totp_device_with_a_qr_code(system_actor):
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tongban.identity.services import staff_user_create

    staff_user_create(
        actor=system_actor,
        username="new.clerk",
        password="A-good-passphrase-2026",
        roles=[("window_clerk", None, "990100")],
    )
    client = Client()
    client.post("/account/login/", {"username": "new.clerk", "password": "A-good-passphrase-2026"})
    page = client.get("/account/second-factor/")
    assert page.context["enrolling"] and page.context["qr"].startswith("data:image/svg+xml")
    device = TOTPDevice.objects.get(user__username="new.clerk")
    code = totp(device.bin_key, step=30, t0=0, digits=6)
    response = client.post("/account/second-factor/", {"token": f"{code:06d}"})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed


def test_five_wrong_passwords_lock_the_account_whatever_identifier_is_used(settings):
    _name, number, phone, _level = people.PEOPLE[2]
    client = Client()
    spellings = [number.lower(), phone, f"+86 {phone}", number, "\uff11" + phone[1:]]
    for spelling in spellings[: settings.AXES_FAILURE_LIMIT]:
        response = client.post("/account/login/", {"username": spelling, "password": "wrong-pass"})
    response = client.post("/account/login/", {"username": number, "password": people_password()})
    assert response.status_code == 429
    stored = " ".join(AccessAttempt.objects.values_list("username", flat=True))
    assert number not in stored and people.PEOPLE[2][2] not in stored
    # Another identifier from the same address still works (a hall shares one address).
    assert person_client(people.PEOPLE[0][2]).get("/account/").status_code == 200


def test_log_out_everywhere_ends_the_other_sessions():
    phone = people.PEOPLE[1][2]
    first, second = person_client(phone), person_client(phone)
    assert UserSession.objects.filter(ended_at__isnull=True).count() >= 2
    assert second.get("/account/").status_code == 200
    first.post("/account/sessions/end/")
    assert second.get("/account/").status_code == 302  # logged out
    assert first.get("/account/").status_code == 200  # this session stays


def test_password_reset_by_sms_code():
    phone = people.PEOPLE[0][2]
    client = Client()
    response = client.post("/account/password-reset/", {"phone": phone, "action": "send_code"})
    assert response.context["code_sent"]
    response = client.post(
        "/account/password-reset/",
        {
            "phone": phone,
            "code": last_code(phone),
            "password": "Another-passphrase-77",
            "action": "reset",
        },
    )
    assert response.status_code == 302
    login = Client().post(
        "/account/login/", {"username": phone, "password": "Another-passphrase-77"}
    )
    assert login.status_code == 302


def test_reset_for_an_unknown_number_looks_the_same_and_sends_nothing(sms_files):
    from tongban.core.messaging import sms_outbox

    response = Client().post(
        "/account/password-reset/", {"phone": "13999999999", "action": "send_code"}
    )
    assert response.status_code == 200 and response.context["code_sent"]
    assert sms_outbox("13999999999") == []


def test_mandate_pages_grant_and_revoke(register):
    agent = register(name="吴九")
    client = person_client(people.COMPANIES[0][1])
    from tongban.identity.models import Company

    company = Company.objects.get(credit_code=people.COMPANIES[0][1])
    url = f"/account/companies/{company.pk}/mandates/"
    response = client.post(
        url,
        {
            "action": "grant",
            "agent_name": "吴九",
            "agent_id_number": agent.id_number,
            "valid_from": "2099-01-01",
            "valid_until": "2099-06-30",
            "scope": "all",
        },
    )
    assert response.status_code == 302
    mandate = Mandate.objects.get(agent=agent)
    client.post(url, {"action": "revoke", "mandate": mandate.pk, "reason": "done"})
    mandate.refresh_from_db()
    assert mandate.revoked_at is not None
    # The agent and strangers cannot open the company's mandate page.
    assert person_client(people.PEOPLE[2][2]).get(url).status_code == 404


def test_oversized_and_hostile_log_in_input_is_refused_cleanly():
    client = Client()
    response = client.post("/account/login/", {"username": "x" * 5000, "password": "y" * 5000})
    assert response.status_code == 200 and response.context["form"].errors
    response = client.post("/account/login/", {"username": "' OR 1=1 --", "password": "<script>"})
    assert response.status_code == 200
    assert "<script>" not in response.content.decode()


def test_an_email_address_is_verified_with_a_code(mailoutbox):
    import re

    client = person_client(people.PEOPLE[0][2])
    client.post("/account/", {"action": "email_code", "email": " Zhang.Wei@Example.COM "})
    assert mailoutbox and mailoutbox[-1].to == ["Zhang.Wei@example.com"]
    code = re.search(r"(?<!\d)(\d{6})(?!\d)", mailoutbox[-1].body).group(1)
    wrong = client.post("/account/", {"action": "email_verify", "code": "x"}, follow=True)
    assert "error" in wrong.content.decode()
    client.post("/account/", {"action": "email_verify", "code": code})
    from tongban.identity.tests.helpers import demo_person

    person = demo_person(0)
    assert person.email == "Zhang.Wei@example.com" and person.email_verified_at is not None


def test_log_in_with_an_sms_code_only_for_verified_numbers():
    phone = people.PEOPLE[0][2]
    client = Client()
    response = client.post("/account/login/code/", {"phone": phone, "action": "send_code"})
    assert response.context["code_sent"]
    response = client.post(
        "/account/login/code/", {"phone": phone, "code": last_code(phone), "action": "login"}
    )
    assert response.status_code == 302 and client.get("/account/").status_code == 200
    # An unknown number gets the same page and no message is sent.
    from tongban.core.messaging import sms_outbox

    Client().post("/account/login/code/", {"phone": "13911110000", "action": "send_code"})
    assert sms_outbox("13911110000") == []


@pytest.mark.parametrize(
    "path",
    ["/workbench/", "/workbench/counter/", "/workbench/catalog/import/", "/api/v1/catalog/export"],
)
def test_a_password_alone_opens_nothing_for_staff(path):
    client = Client()
    client.post("/account/login/", {"username": "clerk.city", "password": people_password()})
    response = client.get(path)
    if path.startswith("/api/"):
        assert response.status_code == 401
    else:
        assert response.status_code == 302 and "/account/second-factor/" in response["Location"]


def test_registration_says_nothing_about_existing_accounts_without_the_code():
    response = Client().post(
        "/account/register/",
        {
            "name": "张伟",
            "id_number": people.PEOPLE[0][1],
            "phone": people.PEOPLE[1][2],
            "password": "A-good-passphrase-2026",
            "code": "000000",
            "action": "register",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    errors = str(response.context["form"].errors)
    assert "code" in response.context["form"].errors
    assert "已注册" not in errors and "其他账号" not in errors and "exists" not in html


def test_a_password_built_from_the_own_id_number_is_refused(new_identity):
    from tongban.core.errors import InvalidInput
    from tongban.identity import services

    id_number, phone = new_identity()
    services.code_send(purpose="register", channel="sms", destination=phone)
    with pytest.raises(InvalidInput) as info:
        services.person_register(
            id_number=id_number, name="钱十一", phone=phone, password=id_number, code="1"
        )
    assert [p.field for p in info.value.problems] == ["password"]


def test_password_reset_ends_the_other_sessions_and_tokens():
    phone = people.PEOPLE[2][2]
    other = person_client(phone)
    assert other.get("/account/").status_code == 200
    client = Client()
    client.post("/account/password-reset/", {"phone": phone, "action": "send_code"})
    client.post(
        "/account/password-reset/",
        {
            "phone": phone,
            "code": last_code(phone),
            "password": "Brand-new-passphrase-9",
            "action": "reset",
        },
    )
    assert other.get("/account/").status_code == 302


def test_a_person_changes_their_mobile_with_a_code_to_the_new_number():
    client = person_client(people.PEOPLE[0][2])
    client.post("/account/", {"action": "phone_code", "phone": "13912345678"})
    client.post("/account/", {"action": "phone_verify", "code": last_code("13912345678")})
    from tongban.identity.tests.helpers import demo_person

    person = demo_person(0)
    assert person.phone == "13912345678" and person.phone_masked == "139****5678"
    # Someone else's number cannot be taken.
    client.post("/account/", {"action": "phone_code", "phone": people.PEOPLE[1][2]})
    client.post("/account/", {"action": "phone_verify", "code": last_code(people.PEOPLE[1][2])})
    assert demo_person(0).phone == "13912345678"
