"""The gateway's log rows are appended together: all or none, on both databases, inside a
caller's transaction or outside one (in autocommit, as the gateway runs), and a message id
replayed by many requests at once is logged as served once."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from tests.concurrency.test_concurrent_writes import _in_threads
from tongban.catalog.models import ImplementationItem
from tongban.core.append import append_rows
from tongban.core.datause import data_use_row
from tongban.core.models import DataUseRecord
from tongban.demo.loader import load_demo_city
from tongban.exchange.models import ExchangeMessage
from tongban.exchange.tests.helpers import make_system

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def demo_city():
    """The demo city (an earlier transactional test may have emptied the database)."""
    if not ImplementationItem.objects.exists():
        load_demo_city()


def _message(system, message_id: str) -> ExchangeMessage:
    return ExchangeMessage(
        message_id=message_id,
        system=system,
        client=system.code,
        provider="11990100MB0000000X",
        service="population-verify",
        fields=["match"],
        request_hash="a" * 64,
        record_hash="b" * 64,
        outcome=ExchangeMessage.Outcome.SERVED,
        http_status=200,
    )


def _use(reference: str) -> DataUseRecord:
    return data_use_row(
        subject_kind="person",
        subject_index="c" * 64,
        channel=DataUseRecord.Channel.EXCHANGE,
        department="测试部门",
        service="身份信息核验",
        purpose="测试",
        reference=reference,
    )


def test_rows_are_saved_together_with_their_keys_and_values():
    system = make_system().system
    message, use = _message(system, "append-1"), _use("append-1")
    append_rows(message, use)
    assert message.pk and use.pk and not message._state.adding
    stored = ExchangeMessage.objects.get(pk=message.pk)
    assert (stored.fields, stored.system_id, stored.message_id) == (
        ["match"],
        system.pk,
        "append-1",
    )
    assert DataUseRecord.objects.get(pk=use.pk).department == "测试部门"


def test_a_refused_row_leaves_none_and_the_callers_transaction_usable():
    system = make_system().system
    append_rows(_message(system, "append-2"))
    # A replay (the same message id again): neither row is written.
    with pytest.raises(IntegrityError):
        append_rows(_use("append-2-replay"), _message(system, "append-2"))
    assert not DataUseRecord.objects.filter(reference="append-2-replay").exists()
    # Inside a transaction, the refusal does not break the caller's transaction.
    with transaction.atomic():
        with pytest.raises(IntegrityError):
            append_rows(_message(system, "append-2"), _use("append-2-inner"))
        append_rows(_message(system, "append-3"), _use("append-3"))
    assert ExchangeMessage.objects.filter(message_id="append-3").count() == 1
    assert not DataUseRecord.objects.filter(reference="append-2-inner").exists()
    assert DataUseRecord.objects.filter(reference="append-3").count() == 1


def test_a_message_id_sent_by_many_at_once_is_served_once():
    system = make_system().system

    def append(i: int) -> str:
        try:
            append_rows(_message(system, "append-race"), _use(f"append-race-{i}"))
        except IntegrityError:
            return "replayed"
        return "served"

    results = _in_threads(8, append)
    assert sorted(results) == ["replayed"] * 7 + ["served"], results
    assert ExchangeMessage.objects.filter(message_id="append-race").count() == 1
    assert DataUseRecord.objects.filter(reference__startswith="append-race-").count() == 1


def test_a_guarded_append_writes_nothing_when_its_condition_fails_and_all_when_it_holds():
    from tongban.exchange import routing

    system = make_system().system
    routing.routing_changed()
    token = routing.refresh().token
    message, use = _message(system, "append-guard"), _use("append-guard")
    assert not append_rows(message, use, guard=routing.guard("another token"))
    assert message.pk is None and use.pk is None
    assert not ExchangeMessage.objects.filter(message_id="append-guard").exists()
    assert not DataUseRecord.objects.filter(reference="append-guard").exists()
    assert append_rows(message, use, guard=routing.guard(token))
    saved = ExchangeMessage.objects.get(message_id="append-guard")
    assert saved.pk == message.pk and saved.fields == ["match"] and saved.http_status == 200
    assert DataUseRecord.objects.get(reference="append-guard").pk == use.pk
    with transaction.atomic():  # inside a caller's transaction, which stays usable
        assert not append_rows(_message(system, "append-guard-2"), guard=routing.guard("x"))
        assert ExchangeMessage.objects.filter(message_id="append-guard").exists()


def _prepared_appends() -> list[tuple[str, int]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, generic_plans + custom_plans FROM pg_prepared_statements "
            "WHERE statement LIKE %s",
            ["WITH r0 AS (INSERT INTO %exchange_exchangemessage%"],
        )
        return cursor.fetchall()


@pytest.mark.parametrize("prepared", [True, False])
def test_the_log_write_is_prepared_once_per_connection_unless_turned_off(settings, prepared):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's; SQLite saves each row")
    settings.DB_PREPARE_LOG_WRITES = prepared
    connection.close()  # a new connection: no statement of an earlier test is prepared
    system = make_system().system
    for n in range(3):
        message, use = _message(system, f"append-prep-{prepared}-{n}"), _use(f"prep-{n}")
        assert append_rows(message, use)
        assert ExchangeMessage.objects.get(pk=message.pk).message_id == message.message_id
    statements = _prepared_appends()
    if prepared:
        # one statement, planned for each of the three writes and never parsed again
        assert len(statements) == 1 and statements[0][1] == 3, statements
    else:
        assert statements == []
    # a refused write (a replayed message id) leaves the prepared statement usable
    with pytest.raises(IntegrityError):
        append_rows(_message(system, f"append-prep-{prepared}-0"), _use("prep-replay"))
    assert append_rows(_message(system, f"append-prep-{prepared}-9"), _use("prep-9"))
    assert not DataUseRecord.objects.filter(reference="prep-replay").exists()
