"""Identity under concurrency: the same ID number or phone registered twice at once, the same
one-time code used twice at once, a mandate revoked twice at once."""

from __future__ import annotations

import re

import pytest

from tests.concurrency.test_concurrent_writes import _in_threads
from tongban.core.errors import Conflict, InvalidInput
from tongban.core.messaging import sms_outbox
from tongban.demo.people import citizen_id
from tongban.identity import services
from tongban.identity.models import OneTimeCode, Person

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def sms_files(settings, tmp_path):
    settings.SMS_BACKEND = "tongban.core.messaging.FileSmsBackend"
    settings.SMS_FILE_PATH = tmp_path / "sms"


def _code(phone: str) -> str:
    return re.search(r"(?<!\d)(\d{6})(?!\d)", sms_outbox(phone)[-1]["text"]).group(1)


def test_one_id_number_registered_by_four_at_once_gives_one_account():
    number = citizen_id("110105", "19800101", 31)
    phones = [f"1370000{i:04d}" for i in range(4)]
    for phone in phones:
        services.code_send(purpose="register", channel="sms", destination=phone)

    def register(i: int) -> Person:
        return services.person_register(
            id_number=number,
            name="并发",
            phone=phones[i],
            password="A-good-passphrase-2026",
            code=_code(phones[i]),
        )

    results = _in_threads(4, register)
    people = [r for r in results if isinstance(r, Person)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(people) == 1 and len(refused) == 3, results
    assert Person.objects.filter(id_number_index=services.id_number_index(number)).count() == 1


def test_a_code_used_twice_at_once_works_once():
    phone = "13600000001"
    services.code_send(purpose="reset", channel="sms", destination=phone)
    code = _code(phone)

    def use(_i: int) -> bool:
        services.code_check(
            purpose="reset", channel="sms", destination=phone, code=code, field="code"
        )
        return True

    results = _in_threads(3, use)
    assert results.count(True) == 1
    assert all(isinstance(r, InvalidInput) for r in results if r is not True), results
    assert OneTimeCode.objects.filter(used_at__isnull=False).count() == 1
