"""The message log is tamper-evident: ``manage.py exchange_verify`` passes on an intact log
and fails on an edited, deleted or forged one."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from tongban.demo.people import COMPANIES, PEOPLE
from tongban.exchange.log import MESSAGE_CHAIN
from tongban.exchange.models import ExchangeCheckpoint, ExchangeMessage
from tongban.exchange.tests.helpers import make_system

pytestmark = pytest.mark.django_db


def _traffic(client) -> None:
    system = make_system()
    system.grant("population-verify")
    system.grant("company-status", fields=["status"])
    for person in PEOPLE[:3]:
        system.call(client, "population-verify", {"id_number": person[1], "name": person[0]})
    ok = system.call(client, "company-status", {"credit_code": COMPANIES[0][1]}, ["status"])
    assert ok.status_code == 200
    refused = system.call(
        client, "company-status", {"credit_code": COMPANIES[0][1]}, ["status", "legal_rep"]
    )
    assert refused.status_code == 403


def _verify() -> tuple[bool, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("exchange_verify", stdout=out, stderr=err)
    except CommandError:
        return False, err.getvalue()
    return True, out.getvalue()


def test_an_intact_log_verifies(client):
    _traffic(client)
    assert MESSAGE_CHAIN.seal_all() == ExchangeMessage.objects.count() >= 5
    ok, output = _verify()
    assert ok and "exchange message log OK" in output
    assert ExchangeMessage.objects.filter(outcome="refused").exists()


def test_one_edited_row_is_detected(client):
    _traffic(client)
    MESSAGE_CHAIN.seal_all()
    victim = ExchangeMessage.objects.filter(outcome="refused").first()
    # Someone with database access turns the refusal into a service for another purpose.
    ExchangeMessage.objects.filter(pk=victim.pk).update(outcome="served", purpose="别的用途")
    ok, problems = _verify()
    assert not ok and f"record {victim.pk}" in problems and "edited" in problems


def test_a_deleted_row_and_a_forged_checkpoint_are_detected(client):
    _traffic(client)
    MESSAGE_CHAIN.seal_all()
    middle = ExchangeMessage.objects.order_by("chain_position")[1]
    ExchangeMessage.objects.filter(pk=middle.pk).delete()
    ok, problems = _verify()
    assert not ok and "deleted" in problems
    ExchangeCheckpoint.objects.update(signature="0" * 64)
    ok, problems = _verify()
    assert not ok and "forged" in problems


def test_audit_seal_seals_the_exchange_chain_too(client):
    _traffic(client)
    out = io.StringIO()
    call_command("audit_seal", stdout=out)
    assert "exchange" in out.getvalue()
    assert not ExchangeMessage.objects.filter(chain_position__isnull=True).exists()
