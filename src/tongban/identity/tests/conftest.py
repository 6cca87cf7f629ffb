from __future__ import annotations

import itertools

import pytest

from tongban.demo import people
from tongban.identity.tests.helpers import demo_person, last_code

_sequence = itertools.count(100)


@pytest.fixture(autouse=True)
def sms_files(settings, tmp_path):
    settings.SMS_BACKEND = "tongban.core.messaging.FileSmsBackend"
    settings.SMS_FILE_PATH = tmp_path / "sms"
    settings.RATELIMIT_ENABLE = False
    return tmp_path / "sms"


@pytest.fixture
def new_identity():
    """A fresh valid (ID number, phone) pair for a new registration, unique per call."""

    def make(region: str = "990102", birth: str = "19880808") -> tuple[str, str]:
        n = next(_sequence)
        return people.citizen_id(region, birth, n % 1000), f"139{n:08d}"

    return make


@pytest.fixture
def register(new_identity):
    """Register a person through the real flow (code by SMS); returns the Person."""
    from tongban.identity import services

    def make(name: str = "测试人", **kwargs):
        id_number, phone = new_identity()
        services.code_send(purpose="register", channel="sms", destination=phone)
        return services.person_register(
            id_number=kwargs.get("id_number", id_number),
            name=name,
            phone=phone,
            password="A-good-passphrase-2026",
            code=last_code(phone),
        )

    return make


@pytest.fixture
def zhang():
    return demo_person(0)


@pytest.fixture
def li():
    return demo_person(1)


@pytest.fixture
def wang():
    return demo_person(2)
