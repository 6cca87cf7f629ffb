"""The counter: a clerk identifies, confirms, registers and serves walk-ins; others may not."""

from __future__ import annotations

import pytest
from django.test import Client

from tongban.core.models import AuditRecord
from tongban.demo import people
from tongban.identity.models import AssuranceLevel, Person
from tongban.identity.tests.helpers import demo_person, force_staff_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk() -> Client:
    return force_staff_login(Client(), "clerk.city")


def test_clerk_finds_confirms_and_serves_a_person(clerk):
    zhang = demo_person(0)
    page = clerk.post("/workbench/counter/", {"id_number": people.PEOPLE[0][1]})
    html = page.content.decode()
    assert page.status_code == 200 and zhang.name in html
    assert zhang.id_number_masked in html and people.PEOPLE[0][1] not in html
    url = f"/workbench/counter/persons/{zhang.pk}/"
    revealed = clerk.post(url, {"action": "reveal"}).content.decode()
    assert people.PEOPLE[0][1] in revealed
    clerk.post(url, {"action": "confirm"})
    zhang.refresh_from_db()
    assert zhang.assurance_level == AssuranceLevel.L3
    clerk.post(url, {"action": "serve"})
    # While serving, the clerk's actions are recorded with the person.
    clerk.post(url, {"action": "reveal"})
    record = AuditRecord.objects.filter(action="identity.person.reveal").latest("id")
    assert record.data["serving_person"] == zhang.pk
    clerk.post(url, {"action": "stop"})
    clerk.post(url, {"action": "reveal"})
    record = AuditRecord.objects.filter(action="identity.person.reveal").latest("id")
    assert "serving_person" not in record.data


def test_clerk_registers_a_walk_in_at_l3(clerk):
    name, number, _phone, _level = people.PEOPLE[4]  # 欧阳·明 has no account
    page = clerk.post("/workbench/counter/", {"id_number": number})
    assert page.context["walk_in"] is not None
    clerk.post(
        "/workbench/counter/register/", {"id_number": number, "name": name, "phone": "13700000009"}
    )
    person = Person.objects.get(name=name)
    assert person.assurance_level == AssuranceLevel.L3 and person.assurance_method == "counter"
    assert not person.user.has_usable_password()


def test_counter_reports_bad_numbers_without_an_error_page(clerk):
    page = clerk.post("/workbench/counter/", {"id_number": "11010519491231002Y"})
    assert page.status_code == 200 and page.context["form"].errors["id_number"]
    page = clerk.post("/workbench/counter/", {"id_number": "<script>" * 10})
    assert page.status_code == 200 and "<script><script>" not in page.content.decode()


@pytest.mark.parametrize("username", ["catalog.city", "auditor", "data.city"])
def test_other_staff_cannot_use_the_counter(username):
    client = force_staff_login(Client(), username)
    assert client.post("/workbench/counter/", {"id_number": people.PEOPLE[0][1]}).status_code == 403
    zhang = demo_person(0)
    response = client.post(f"/workbench/counter/persons/{zhang.pk}/", {"action": "confirm"})
    assert response.status_code == 403
    zhang.refresh_from_db()
    assert zhang.assurance_level == AssuranceLevel.L1


def test_persons_are_listed_masked(clerk):
    page = clerk.get("/workbench/identity/person/", {"q": people.PEOPLE[1][0]})
    assert page.status_code == 200 and page.context["cl"].result_count == 1
    html = page.content.decode()
    assert demo_person(1).id_number_masked in html and people.PEOPLE[1][1] not in html


def test_an_administrator_registers_a_single_sign_on_client():
    from oauth2_provider.models import get_application_model

    admin = force_staff_login(Client(), "admin")
    response = admin.post(
        "/workbench/oauth2_provider/application/add/",
        {
            "name": "公积金系统",
            "redirect_uris": "https://fund.example/cb",
            "post_logout_redirect_uris": "",
            "confidential": "on",
            "scopes": ["openid", "profile"],
        },
    )
    assert response.status_code == 302
    client = get_application_model().objects.get(name="公积金系统")
    assert client.redirect_uris == "https://fund.example/cb" and client.algorithm == "RS256"
    assert client.policy.allowed_scopes == ["openid", "profile"]
    assert client.policy.allowed_scopes == ["openid", "profile"]
    assert AuditRecord.objects.filter(action="identity.oidc_client.create").exists()
    bad = admin.post(
        "/workbench/oauth2_provider/application/add/",
        {
            "name": "坏系统",
            "redirect_uris": "javascript:alert(1)",
            "confidential": "on",
            "scopes": ["openid"],
        },
    )
    # Refused with the reason on the form; nothing registered.
    assert bad.status_code == 200 and bad.context["adminform"].form.errors
    assert not get_application_model().objects.filter(name="坏系统").exists()
    # A catalog manager cannot register clients.
    manager = force_staff_login(Client(), "catalog.city")
    assert manager.get("/workbench/oauth2_provider/application/add/").status_code == 403


def test_an_administrator_manages_staff_but_not_persons_or_superusers(system_actor):
    from django.contrib.auth import get_user_model

    from tongban.identity.services import staff_user_create

    staff_user_create(
        actor=system_actor,
        username="it.admin",
        password="A-good-passphrase-2026",
        roles=[("administrator", None, None)],
    )
    staff_user_create(
        actor=system_actor,
        username="dept.admin",
        password="A-good-passphrase-2026",
        roles=[("administrator", None, "990102")],
    )
    # An administrator of one district cannot manage staff (nor make themselves the city's).
    scoped = force_staff_login(Client(), "dept.admin")
    assert scoped.get("/workbench/auth/user/").status_code == 403
    client = force_staff_login(Client(), "it.admin")
    listing = client.get("/workbench/auth/user/")
    names = [u.username for u in listing.context["cl"].result_list]
    assert "clerk.city" in names and not any(n.startswith("p-") for n in names)
    superuser = get_user_model().objects.get(username="admin")
    # A superuser's account is read-only to an administrator.
    response = client.post(
        f"/workbench/auth/user/{superuser.pk}/change/", {"username": "taken", "is_active": ""}
    )
    assert response.status_code == 403
    superuser.refresh_from_db()
    assert superuser.username == "admin" and superuser.is_active
    clerk = get_user_model().objects.get(username="clerk.city")
    page = client.get(f"/workbench/auth/user/{clerk.pk}/change/")
    assert page.status_code == 200 and "is_superuser" not in page.content.decode()
    assert "staff_roles-TOTAL_FORMS" in page.content.decode()  # roles are editable here
    response = client.post(
        f"/workbench/auth/user/{clerk.pk}/password/",
        {"password1": "Another-passphrase-88", "password2": "Another-passphrase-88"},
    )
    assert response.status_code == 302
    assert AuditRecord.objects.filter(
        action="workbench.auth.user.password", object_id=str(clerk.pk)
    ).exists()
    assert "staff_roles-TOTAL_FORMS" in page.content.decode()  # roles are editable here
    response = client.post(
        f"/workbench/auth/user/{clerk.pk}/password/",
        {"password1": "Another-passphrase-88", "password2": "Another-passphrase-88"},
    )
    assert response.status_code == 302
    assert AuditRecord.objects.filter(
        action="workbench.auth.user.password", object_id=str(clerk.pk)
    ).exists()


def test_the_counter_acts_only_on_people_identified_there(clerk):
    zhang = demo_person(0)
    # Without a look-up by ID number in this session, the id in the address is not enough.
    response = clerk.post(f"/workbench/counter/persons/{zhang.pk}/", {"action": "reveal"})
    assert response.status_code == 404
    clerk.post("/workbench/counter/", {"id_number": people.PEOPLE[0][1]})
    response = clerk.post(f"/workbench/counter/persons/{zhang.pk}/", {"action": "reveal"})
    assert response.status_code == 200 and people.PEOPLE[0][1] in response.content.decode()


def test_a_walk_ins_mobile_is_verified_at_the_counter_before_it_can_reset_a_password(
    clerk, settings, tmp_path
):
    import re

    from tongban.core.messaging import sms_outbox

    settings.SMS_BACKEND = "tongban.core.messaging.FileSmsBackend"
    settings.SMS_FILE_PATH = tmp_path / "sms"
    name, number, _phone, _level = people.PEOPLE[4]
    clerk.post("/workbench/counter/", {"id_number": number})
    clerk.post(
        "/workbench/counter/register/", {"id_number": number, "name": name, "phone": "13700000019"}
    )
    person = Person.objects.get(name=name)
    assert person.phone_verified_at is None
    # Password reset does not use an unverified number.
    Client().post("/account/password-reset/", {"phone": "13700000019", "action": "send_code"})
    assert sms_outbox("13700000019") == []
    url = f"/workbench/counter/persons/{person.pk}/"
    clerk.post(url, {"action": "send_code"})
    code = re.search(r"(?<!\d)(\d{6})(?!\d)", sms_outbox("13700000019")[-1]["text"]).group(1)
    clerk.post(url, {"action": "verify_phone", "code": code})
    person.refresh_from_db()
    assert person.phone_verified_at is not None


def test_staff_reading_a_person_is_recorded(clerk):
    zhang = demo_person(0)
    clerk.get(f"/workbench/identity/person/{zhang.pk}/change/")
    assert AuditRecord.objects.filter(
        action="identity.person.view", object_id=str(zhang.pk)
    ).exists()
