from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tongban.core.compiled import CompiledQuery
from tongban.core.datause import data_use_row
from tongban.core.models import DataUseRecord

pytestmark = pytest.mark.django_db


def _row(subject: str, department: str, served: bool = True) -> DataUseRecord:
    row = data_use_row(
        subject_kind="person",
        subject_index=subject,
        channel=DataUseRecord.Channel.EXCHANGE,
        department=department,
        service="核验",
        served=served,
    )
    row.save()
    return row


SERVED_DEPARTMENTS = CompiledQuery(
    lambda subject, channel: (
        DataUseRecord.objects.filter(subject_index=subject, channel=channel, served=True)
        .values_list("department", "service")
        .order_by("department")
    )
)


def test_a_compiled_query_answers_as_the_orm_does_for_every_value_and_counts_as_a_query():
    _row("a" * 64, "公安局")
    _row("a" * 64, "人社局")
    _row("a" * 64, "民政局", served=False)
    _row("b" * 64, "市场监管局")
    channel = DataUseRecord.Channel.EXCHANGE
    for subject in ("a" * 64, "b" * 64, "c" * 64, "x' OR '1'='1"):
        expected = list(
            DataUseRecord.objects.filter(subject_index=subject, channel=channel, served=True)
            .values_list("department", "service")
            .order_by("department")
        )
        with CaptureQueriesContext(connection) as queries:
            assert SERVED_DEPARTMENTS.rows(subject=subject, channel=channel) == expected
        assert len(queries) == 1
    assert SERVED_DEPARTMENTS.first(subject="a" * 64, channel=channel) == ("人社局", "核验")
    assert SERVED_DEPARTMENTS.first(subject="c" * 64, channel=channel) is None
    assert SERVED_DEPARTMENTS.rows(subject="a" * 64, channel="portal") == []


def test_a_compiled_query_takes_exactly_its_named_values():
    with pytest.raises(TypeError):
        SERVED_DEPARTMENTS.rows(subject="a")
    with pytest.raises(TypeError):
        SERVED_DEPARTMENTS.rows(subject="a", channel="exchange", extra="1")


def test_a_value_the_sql_does_not_carry_as_given_is_refused_when_compiled():
    # ``contains`` wraps the value in wildcards: substituting it later would be wrong
    wrapped = CompiledQuery(
        lambda text: DataUseRecord.objects.filter(purpose__contains=text).values_list("id")
    )
    with pytest.raises(ValueError, match="text"):
        wrapped.rows(text="社保")


def test_integer_values_and_converted_columns():
    first = _row("d" * 64, "公安局")
    _row("d" * 64, "人社局")
    by_id = CompiledQuery(
        lambda pk, subject: (
            DataUseRecord.objects.filter(pk=pk, subject_index=subject)
            .values_list("department", "at", "served")
            .order_by()
        ),
        ints=("pk",),
    )
    department, at, served = by_id.first(pk=first.pk, subject="d" * 64)
    # converted as the ORM converts them, on every database (SQLite stores text)
    assert (department, at, served) == ("公安局", first.at, True)
    assert by_id.first(pk=first.pk, subject="e" * 64) is None
    assert by_id.first(pk=first.pk + 1000, subject="d" * 64) is None
    with pytest.raises(TypeError):
        by_id.rows(pk=str(first.pk), subject="d" * 64)
    with pytest.raises(TypeError):
        by_id.rows(pk=True, subject="d" * 64)
    with pytest.raises(TypeError):
        CompiledQuery(lambda subject: DataUseRecord.objects.all(), ints=("pk",))
