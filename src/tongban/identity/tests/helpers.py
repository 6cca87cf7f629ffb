"""Test helpers shared by every app's tests: demo people, logged-in clients, SMS codes."""

from __future__ import annotations

import datetime as dt
import re

from django.test import Client

from tongban.core.messaging import sms_outbox
from tongban.demo import people


def last_code(phone: str) -> str:
    """The code in the last text message sent to ``phone`` (the file SMS backend)."""
    return re.search(r"(?<!\d)(\d{6})(?!\d)", sms_outbox(phone)[-1]["text"]).group(1)


def demo_person(index: int):
    from tongban.identity.models import Person
    from tongban.identity.services import id_number_index

    return Person.objects.get(id_number_index=id_number_index(people.PEOPLE[index][1]))


def staff_client(username: str) -> Client:
    """A client logged in as demo staff who passed the TOTP second factor."""
    from django.contrib.auth import get_user_model
    from django_otp.oath import totp

    client = Client()
    response = client.post(
        "/account/login/",
        {"username": username, "password": people_password(), "next": "/workbench/"},
    )
    assert response.status_code == 302, response.content[:500]
    code = totp(bytes.fromhex(people.totp_key(username)), step=30, t0=0, digits=6)
    response = client.post(
        "/account/second-factor/", {"token": f"{code:06d}", "next": "/workbench/"}
    )
    assert response.status_code == 302 and response["Location"] == "/workbench/"
    assert get_user_model().objects.filter(username=username).exists()
    return client


def person_client(identifier: str) -> Client:
    client = Client()
    response = client.post(
        "/account/login/", {"username": identifier, "password": people_password()}
    )
    assert response.status_code == 302, response.content[:500]
    return client


def people_password() -> str:
    from tongban.demo.loader import DEMO_PASSWORD

    return DEMO_PASSWORD


def in_days(days: int) -> dt.date:
    from django.utils import timezone

    return timezone.localdate() + dt.timedelta(days=days)


def force_staff_login(client: Client, username: str) -> Client:
    """Log a staff user in as if they had passed the TOTP step (django-otp's session key)."""
    from django.contrib.auth import get_user_model
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = get_user_model().objects.get(username=username)
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client
