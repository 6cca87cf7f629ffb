from __future__ import annotations

import re

import pytest
from django.core.management import call_command

from tongban.identity.tests.helpers import demo_person


@pytest.fixture(autouse=True)
def sms_files(settings, tmp_path):
    settings.SMS_BACKEND = "tongban.core.messaging.FileSmsBackend"
    settings.SMS_FILE_PATH = tmp_path / "sms"
    settings.RATELIMIT_ENABLE = False
    return tmp_path / "sms"


@pytest.fixture
def run_worker(monkeypatch):
    """Run the database worker in this process until the queue has nothing due, then return.

    The worker closes stale connections between tasks; inside a test's transaction that would
    close the test's own connection, so that step is left out here, and so are its signal
    handlers (they would outlive the test).
    """
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    monkeypatch.setattr(db_worker.Worker, "configure_signals", lambda self: None)

    def run() -> None:
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    return run


@pytest.fixture
def zhang():
    return demo_person(0)


@pytest.fixture
def li():
    return demo_person(1)


@pytest.fixture
def with_email():
    """Give a person a verified e-mail address through the identity services."""
    from django.core import mail

    from tongban.core.types import Actor
    from tongban.identity import services

    def give(person, address: str):
        services.code_send(purpose="verify", channel="email", destination=address)
        code = re.search(r"(?<!\d)(\d{6})(?!\d)", mail.outbox[-1].body).group(1)
        actor = Actor(kind="user", user_id=person.user_id, person_id=person.pk)
        person = services.person_email_set(
            actor=actor, person_id=person.pk, email=address, code=code
        )
        mail.outbox.clear()
        return person

    return give
