"""The holiday calendar through its services, selectors and the management command."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import translation

from tongban.core.errors import Forbidden, InvalidInput, NotFound
from tongban.core.models import AuditRecord
from tongban.core.types import Actor, RoleGrant
from tongban.workflow import clock, services
from tongban.workflow.models import CalendarDay
from tongban.workflow.selectors import calendar_current

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def administrator() -> Actor:
    user = get_user_model().objects.get(username="admin")
    return Actor(kind="user", user_id=user.pk, label="admin", grants=(RoleGrant("administrator"),))


def at(day: str, clock_time: str = "10:00") -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{clock_time}").replace(tzinfo=SHANGHAI)


def test_the_demo_city_has_the_official_calendar():
    calendar = calendar_current()
    assert not calendar.is_working_day(dt.date(2026, 10, 1))
    assert calendar.is_working_day(dt.date(2026, 10, 10))
    assert CalendarDay.objects.get(date=dt.date(2026, 2, 14)).kind == "workday"
    # The module functions use the same calendar when none is given.
    assert clock.add_working_days(at("2026-09-16"), 20) == calendar.add_working_days(
        at("2026-09-16"), 20
    )


def test_an_administrator_adds_a_holiday_and_the_due_date_moves(administrator):
    start = at("2026-11-23")  # a Monday
    before = clock.due_after(start, 3, clock.WORKING_DAY)
    assert before is not None and before.date() == dt.date(2026, 11, 26)
    day = services.calendar_day_set(
        actor=administrator, date="2026-11-25", kind="holiday", name="  江川市防汛停工日  "
    )
    assert day.name == "江川市防汛停工日" and day.created_by_id == administrator.user_id
    after = clock.due_after(start, 3, clock.WORKING_DAY)
    assert after is not None and after.date() == dt.date(2026, 11, 27)
    record = AuditRecord.objects.get(action="workflow.calendar.set", object_id="2026-11-25")
    assert record.actor == f"user:{administrator.user_id}"
    assert record.data["kind"] == "holiday" and record.data["previous"] is None

    # Changing it into a plain entry again, then removing it, moves the date back.
    services.calendar_day_delete(actor=administrator, date=dt.date(2026, 11, 25))
    assert clock.due_after(start, 3, clock.WORKING_DAY) == before
    assert AuditRecord.objects.filter(action="workflow.calendar.delete").exists()
    with pytest.raises(NotFound):
        services.calendar_day_delete(actor=administrator, date="2026-11-25")


def test_a_make_up_saturday_moves_the_due_date_earlier(administrator):
    start = at("2026-11-27")  # a Friday; day 1 is normally Monday 30 November
    assert clock.add_working_days(start, 1).date() == dt.date(2026, 11, 30)
    services.calendar_day_set(
        actor=administrator, date=dt.date(2026, 11, 28), kind="workday", name="调休上班"
    )
    assert clock.add_working_days(start, 1).date() == dt.date(2026, 11, 28)
    # Setting the same date again replaces it, and the audit keeps the previous value.
    services.calendar_day_set(
        actor=administrator, date="2026-11-28", kind="holiday", name="改为休息"
    )
    assert CalendarDay.objects.get(date=dt.date(2026, 11, 28)).kind == "holiday"
    record = AuditRecord.objects.filter(action="workflow.calendar.set").latest("id")
    assert record.data["previous"] == {"kind": "workday", "name": "调休上班"}


def test_a_change_made_elsewhere_is_noticed():
    calendar_current()  # cached
    # Another process's write (no invalidation in this one): the stamp shows it.
    CalendarDay.objects.create(date=dt.date(2026, 12, 1), kind="holiday", name="elsewhere")
    assert not calendar_current().is_working_day(dt.date(2026, 12, 1))


def test_only_administrators_manage_the_calendar():
    outsiders = [
        Actor.anonymous(),
        Actor(kind="user", user_id=1, label="m", grants=(RoleGrant("catalog_manager"),)),
        Actor(kind="user", user_id=2, label="c", grants=(RoleGrant("window_clerk"),)),
        # The calendar is national: an administrator of one region does not keep it.
        Actor(
            kind="user", user_id=3, label="r", grants=(RoleGrant("administrator", None, "990100"),)
        ),
    ]
    for actor in outsiders:
        assert not services.calendar_may_manage(actor)
        with pytest.raises(Forbidden):
            services.calendar_day_set(actor=actor, date="2026-12-02", kind="holiday", name="x")
        with pytest.raises(Forbidden):
            services.calendar_day_delete(actor=actor, date="2026-10-01")
        with pytest.raises(Forbidden):
            services.calendar_import(actor=actor, rows=[])
        with pytest.raises(Forbidden):
            services.calendar_load_file(actor=actor)
    assert not CalendarDay.objects.filter(date=dt.date(2026, 12, 2)).exists()
    assert CalendarDay.objects.filter(date=dt.date(2026, 10, 1)).exists()


@pytest.mark.parametrize(
    ("date", "kind", "name", "field", "message"),
    [
        ("not a date", "holiday", "x", "date", "Write it as YYYY-MM-DD"),
        ("2026-02-30", "holiday", "x", "date", "Write it as YYYY-MM-DD"),
        ("20261001", "holiday", "x", "date", "Write it as YYYY-MM-DD"),
        ("1899-01-01", "holiday", "x", "date", "between 2000-01-01 and 2099-12-31"),
        (dt.datetime(2026, 10, 1, 9, tzinfo=SHANGHAI), "holiday", "x", "date", "without a time"),
        ("2026-12-02", "vacation", "x", "kind", 'Unknown kind "vacation"'),
        ("2026-12-02", "workday", "x", "kind", "Only a Saturday or Sunday"),
        ("2026-12-02", "holiday", "   ", "name", "Required"),
        ("2026-12-02", "holiday", "节" * 10_000, "name", "At most 100 characters"),
    ],
)
def test_bad_input_is_refused_with_clear_messages(administrator, date, kind, name, field, message):
    with translation.override("en"), pytest.raises(InvalidInput) as info:
        services.calendar_day_set(actor=administrator, date=date, kind=kind, name=name)
    assert [p.field for p in info.value.problems] == [field]
    assert message in info.value.problems[0].reason
    assert not AuditRecord.objects.filter(action="workflow.calendar.set").exists()


def test_every_problem_is_reported_at_once(administrator):
    with pytest.raises(InvalidInput) as info:
        services.calendar_day_set(actor=administrator, date="x", kind="y", name="")
    assert {p.field for p in info.value.problems} == {"date", "kind", "name"}


def test_import_is_all_or_nothing_with_line_numbers(administrator):
    text = (
        "# a comment\n"
        "date,kind,name\n"
        "2027-01-01,holiday,元旦\n"
        "2027-01-02,vacation,元旦\n"
        "2027-01-01,holiday,元旦\n"
        "2027-13-01,holiday,x\n"
    )
    from django.utils import translation

    with pytest.raises(InvalidInput) as info, translation.override("en"):
        services.calendar_import(actor=administrator, rows=services.calendar_csv_rows(text))
    problems = {(p.location, p.field) for p in info.value.problems}
    assert problems == {("line 4", "kind"), ("line 5", "date"), ("line 6", "date")}
    assert "appears twice (also at line 3)" in next(
        p.reason for p in info.value.problems if p.location == "line 5"
    )
    assert not CalendarDay.objects.filter(date__year=2027).exists()

    good = "date,kind,name\n2027-01-01,holiday,元旦\n2026-10-01,holiday,国庆节\n"
    summary = services.calendar_import(actor=administrator, rows=services.calendar_csv_rows(good))
    assert summary == {"created": 1, "updated": 0, "unchanged": 1}
    assert not calendar_current().is_working_day(dt.date(2027, 1, 1))
    record = AuditRecord.objects.filter(action="workflow.calendar.import").latest("id")
    assert record.data["created"] == 1 and record.data["last"] == "2027-01-01"


def test_a_file_without_the_header_is_refused():
    with pytest.raises(InvalidInput) as info:
        services.calendar_csv_rows("2027-01-01,holiday,元旦\n")
    assert info.value.problems[0].field == "header"


def test_the_management_command_loads_the_official_file(tmp_path):
    rows = services.calendar_csv_rows(services.DEFAULT_CALENDAR_FILE.read_text(encoding="utf-8"))
    call_command("calendar_load")  # the demo loaded it already: all unchanged
    assert CalendarDay.objects.count() >= len(rows)

    extra = tmp_path / "calendar_2027.csv"
    extra.write_text("date,kind,name\n2027-02-06,workday,春节调休上班\n", encoding="utf-8")
    call_command("calendar_load", str(extra))
    assert CalendarDay.objects.get(date=dt.date(2027, 2, 6)).kind == "workday"

    bad = tmp_path / "bad.csv"
    bad.write_text("date,kind,name\n2027-02-08,workday,周一不能调休上班\n", encoding="utf-8")
    with pytest.raises(CommandError, match="1 problems"):
        call_command("calendar_load", str(bad))
    with pytest.raises(CommandError):
        call_command("calendar_load", str(tmp_path / "missing.csv"))


def test_the_official_file_matches_the_state_council_notice():
    rows = services.calendar_csv_rows(services.DEFAULT_CALENDAR_FILE.read_text(encoding="utf-8"))
    days = {r["date"]: r["kind"] for r in rows}
    workdays_2026 = sorted(d for d, k in days.items() if k == "workday" and d.startswith("2026"))
    assert workdays_2026 == [
        "2026-01-04",
        "2026-02-14",
        "2026-02-28",
        "2026-05-09",
        "2026-09-20",
        "2026-10-10",
    ]
    holidays_2026 = [d for d, k in days.items() if k == "holiday" and d.startswith("2026")]
    assert len(holidays_2026) == 3 + 9 + 3 + 5 + 3 + 3 + 7
    assert all(dt.date.fromisoformat(d).weekday() >= 5 for d in workdays_2026)
