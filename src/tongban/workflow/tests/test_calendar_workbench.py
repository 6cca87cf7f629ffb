"""The holiday calendar in the workbench: administrators only, saves through the services."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from tongban.core.models import AuditRecord
from tongban.identity.tests.helpers import force_staff_login
from tongban.workflow import clock
from tongban.workflow.models import CalendarDay

pytestmark = pytest.mark.django_db

LIST = "/workbench/workflow/calendarday/"
ADD = "/workbench/workflow/calendarday/add/"


def _client(username: str) -> Client:
    return force_staff_login(Client(), username)


def test_the_administrator_keeps_the_calendar_and_due_dates_follow():
    client = _client("admin")
    page = client.get(LIST)
    assert page.status_code == 200
    assert "国庆节" in page.content.decode()

    start = dt.datetime(2026, 11, 23, 10, tzinfo=ZoneInfo("Asia/Shanghai"))  # a Monday
    assert clock.add_working_days(start, 3).date() == dt.date(2026, 11, 26)
    response = client.post(ADD, {"date": "2026-11-25", "kind": "holiday", "name": "江川市停工日"})
    assert response.status_code == 302, response.content[:2000]
    day = CalendarDay.objects.get(date=dt.date(2026, 11, 25))
    assert clock.add_working_days(start, 3).date() == dt.date(2026, 11, 27)
    record = AuditRecord.objects.get(action="workflow.calendar.set", object_id="2026-11-25")
    assert record.actor.startswith("user:")

    # Change the name (the date is the entry: read-only once created).
    response = client.post(
        f"{LIST}{day.pk}/change/", {"date": "2030-01-01", "kind": "holiday", "name": "改名"}
    )
    assert response.status_code == 302
    day.refresh_from_db()
    assert (day.date, day.name) == (dt.date(2026, 11, 25), "改名")

    response = client.post(f"{LIST}{day.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not CalendarDay.objects.filter(date=dt.date(2026, 11, 25)).exists()
    assert AuditRecord.objects.filter(action="workflow.calendar.delete").exists()
    assert clock.add_working_days(start, 3).date() == dt.date(2026, 11, 26)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"date": "2026-12-02", "kind": "workday", "name": "x"}, "Only a Saturday or Sunday"),
        ({"date": "2026-02-30", "kind": "holiday", "name": "x"}, "date"),
        ({"date": "2026-12-02", "kind": "vacation", "name": "x"}, "vacation"),
        ({"date": "2026-12-02", "kind": "holiday", "name": "节" * 10_000}, "100"),
    ],
)
def test_bad_input_is_shown_on_the_form(data, message):
    client = _client("admin")
    client.cookies.load({"django_language": "en"})
    response = client.post(ADD, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert message in response.content.decode()
    assert not CalendarDay.objects.filter(date=dt.date(2026, 12, 2)).exists()


@pytest.mark.parametrize("username", ["catalog.city", "clerk.city", "auditor"])
def test_other_staff_are_refused(username):
    client = _client(username)
    assert client.get(LIST).status_code == 403
    assert client.get(ADD).status_code == 403
    response = client.post(ADD, {"date": "2026-12-02", "kind": "holiday", "name": "x"})
    assert response.status_code == 403
    day = CalendarDay.objects.get(date=dt.date(2026, 10, 1))
    assert client.post(f"{LIST}{day.pk}/delete/", {"post": "yes"}).status_code == 403
    assert CalendarDay.objects.filter(pk=day.pk).exists()
    assert not CalendarDay.objects.filter(date=dt.date(2026, 12, 2)).exists()
