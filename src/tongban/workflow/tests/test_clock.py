"""The legal clock on the official 2025-2026 calendar, without the database."""

from __future__ import annotations

import datetime as dt
import random
import time
from zoneinfo import ZoneInfo

import pytest

from tongban.catalog.models import ItemVersion
from tongban.workflow import clock
from tongban.workflow.clock import NATURAL_DAY, WORKING_DAY, Calendar
from tongban.workflow.services import DEFAULT_CALENDAR_FILE, calendar_csv_rows

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def cal() -> Calendar:
    rows = calendar_csv_rows(DEFAULT_CALENDAR_FILE.read_text(encoding="utf-8"))
    return Calendar.from_days(
        [(dt.date.fromisoformat(r["date"]), r["kind"]) for r in rows],
        time_zone=SHANGHAI,
        cutoff_hour=17,
    )


def at(day: str, clock_time: str = "10:00") -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{clock_time}").replace(tzinfo=SHANGHAI)


def end_of(day: str) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time.max, tzinfo=SHANGHAI)


def test_units_are_the_catalogs():
    assert set(clock.UNITS) == set(ItemVersion.TimeUnit.values)
    assert ItemVersion.TimeUnit.WORKING_DAY == WORKING_DAY
    assert ItemVersion.TimeUnit.NATURAL_DAY == NATURAL_DAY


def test_spring_festival_2026_with_its_make_up_saturdays(cal):
    # 2月15日 (Sun) to 23日 (Mon) rest; 2月14日 and 2月28日 (Saturdays) are worked.
    assert cal.is_working_day(dt.date(2026, 2, 14))
    assert not any(cal.is_working_day(dt.date(2026, 2, d)) for d in range(15, 24))
    assert cal.is_working_day(dt.date(2026, 2, 24))
    assert cal.is_working_day(dt.date(2026, 2, 28))
    assert not cal.is_working_day(dt.date(2026, 3, 1))  # a plain Sunday
    # Received Friday 13th: day 1 is Saturday the 14th (worked), day 2 the Tuesday after.
    assert cal.add_working_days(at("2026-02-13"), 1) == end_of("2026-02-14")
    assert cal.add_working_days(at("2026-02-13"), 2) == end_of("2026-02-24")
    # Received on the make-up Saturday itself, before the cut-off: that day is the receipt.
    assert cal.add_working_days(at("2026-02-14"), 1) == end_of("2026-02-24")
    # Received Friday the 27th: day 1 is the make-up Saturday the 28th.
    assert cal.add_working_days(at("2026-02-27"), 1) == end_of("2026-02-28")


def test_national_day_2026_with_its_make_up_days(cal):
    # 9月20日 (Sun) and 10月10日 (Sat) worked; 9月25-27日 中秋, 10月1-7日 国庆 rest.
    assert cal.is_working_day(dt.date(2026, 9, 20))
    assert not cal.is_working_day(dt.date(2026, 9, 25))
    assert not any(cal.is_working_day(dt.date(2026, 10, d)) for d in range(1, 8))
    assert cal.is_working_day(dt.date(2026, 10, 8))
    assert cal.is_working_day(dt.date(2026, 10, 10))


def test_twenty_working_days_across_national_day(cal):
    # Received Wednesday 16 September: counted are 17, 18, 20 (Sun, worked), 21-24, 28-30,
    # 8, 9, 10 (Sat, worked), 12-16 and 19-20 October: the 20th day is Tuesday 20 October.
    due = cal.due_after(at("2026-09-16"), 20, WORKING_DAY)
    assert due == end_of("2026-10-20")
    assert due.hour == 23 and due.minute == 59 and due.second == 59
    assert due.microsecond == 999999 and due.utcoffset() == dt.timedelta(hours=8)
    assert cal.working_days_between(at("2026-09-16"), due) == 20


def test_the_day_of_receipt_does_not_count(cal):
    # 受理次日起算: received Monday 2 March 2026 at 10:00, one working day: due Tuesday.
    assert cal.add_working_days(at("2026-03-02", "10:00"), 1) == end_of("2026-03-03")
    assert cal.add_working_days(at("2026-03-02", "16:59"), 1) == end_of("2026-03-03")
    # A limit of 0 (即办件) falls due the same day.
    assert cal.add_working_days(at("2026-03-02", "10:00"), 0) == end_of("2026-03-02")


def test_receipt_after_the_cut_off_counts_from_the_next_working_day(cal):
    # At or after 17:00 the application is received on Tuesday, so day 1 is Wednesday.
    assert cal.receipt_day(at("2026-03-02", "17:00")) == dt.date(2026, 3, 3)
    assert cal.add_working_days(at("2026-03-02", "17:30"), 1) == end_of("2026-03-04")
    # The cut-off is local time: 09:30 UTC is 17:30 in Shanghai.
    utc = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)
    assert cal.add_working_days(utc, 1) == end_of("2026-03-04")
    utc = dt.datetime(2026, 3, 2, 8, 30, tzinfo=dt.UTC)
    assert cal.add_working_days(utc, 1) == end_of("2026-03-03")
    # After the cut-off on the Friday before National Day: received on 8 October.
    assert cal.receipt_day(at("2026-09-30", "18:00")) == dt.date(2026, 10, 8)


def test_receipt_on_a_sunday_counts_from_the_next_working_day(cal):
    # Sunday 1 March: received Monday 2 March, day 1 is Tuesday.
    assert cal.receipt_day(at("2026-03-01")) == dt.date(2026, 3, 2)
    assert cal.add_working_days(at("2026-03-01"), 1) == end_of("2026-03-03")
    # During the Spring Festival: received Tuesday 24 February, day 1 is the 25th.
    assert cal.add_working_days(at("2026-02-18"), 1) == end_of("2026-02-25")


def test_natural_days(cal):
    assert cal.add_natural_days(at("2026-03-02"), 4) == end_of("2026-03-06")
    # The 5th day is Saturday 7 March: the last day moves to Monday.
    assert cal.add_natural_days(at("2026-03-02"), 5) == end_of("2026-03-09")
    # Received Monday 28 September, 5 days: 3 October is in National Day: moves to the 8th.
    assert cal.add_natural_days(at("2026-09-28"), 5) == end_of("2026-10-08")
    # 60 natural days over the Spring Festival; and the same through due_after.
    assert cal.add_natural_days(at("2026-01-05"), 60) == end_of("2026-03-06")
    assert cal.due_after(at("2026-01-05"), 60, NATURAL_DAY) == end_of("2026-03-06")


def test_a_correction_pause_of_three_working_days_extends_the_due_by_three(cal):
    start = at("2026-03-02")
    assert cal.due_after(start, 10, WORKING_DAY) == end_of("2026-03-16")
    # 补正 from Monday 9 March to Thursday 12 March: Tuesday, Wednesday, Thursday do not count.
    pause = (at("2026-03-09"), at("2026-03-12"))
    due = cal.due_after(start, 10, WORKING_DAY, [pause])
    assert due == end_of("2026-03-19") == cal.add_working_days(start, 13)
    assert cal.working_days_between(at("2026-03-16"), due) == 3
    # Materials handed in after the cut-off on Thursday: Friday does not count either.
    late = (at("2026-03-09"), at("2026-03-12", "17:45"))
    assert cal.due_after(start, 10, WORKING_DAY, [late]) == end_of("2026-03-20")
    # Answered the same morning: nothing moves.
    same_day = (at("2026-03-09", "09:00"), at("2026-03-09", "11:00"))
    assert cal.due_after(start, 10, WORKING_DAY, [same_day]) == end_of("2026-03-16")


def test_pauses_over_holidays_count_only_working_days(cal):
    # Paused from 30 September to 9 October: only 8 and 9 October were working days.
    start = at("2026-09-16")
    pause = (at("2026-09-30"), at("2026-10-09"))
    assert cal.due_after(start, 20, WORKING_DAY, [pause]) == cal.add_working_days(start, 22)


def test_overlapping_pauses_count_once_and_late_pauses_change_nothing(cal):
    start = at("2026-03-02")
    a = (at("2026-03-09"), at("2026-03-11"))
    b = (at("2026-03-10"), at("2026-03-12"))
    assert cal.due_after(start, 10, WORKING_DAY, [b, a]) == end_of("2026-03-19")
    # A pause before the clock started counting, and one after it ran out, move nothing.
    before = (at("2026-02-27"), at("2026-03-02", "09:00"))
    after = (at("2026-03-20"), at("2026-03-27"))
    assert cal.due_after(start, 10, WORKING_DAY, [before, after]) == end_of("2026-03-16")
    with pytest.raises(ValueError, match="end before"):
        cal.due_after(start, 10, WORKING_DAY, [(at("2026-03-10"), at("2026-03-09"))])


def test_an_open_suspension_stops_the_clock(cal):
    start = at("2026-03-02")
    # 特别程序 (an expert review) begun on 9 March and not ended: no due time.
    assert cal.due_after(start, 10, WORKING_DAY, [(at("2026-03-09"), None)]) is None
    assert cal.due_after(start, 10, NATURAL_DAY, [(at("2026-03-09"), None)]) is None
    # Begun after the limit ran out: the case was overdue already and stays so.
    assert cal.due_after(start, 10, WORKING_DAY, [(at("2026-03-18"), None)]) == end_of("2026-03-16")
    # Ended: the clock runs again with the covered days added.
    ended = (at("2026-03-09"), at("2026-03-12"))
    assert cal.due_after(start, 10, WORKING_DAY, [ended]) == end_of("2026-03-19")


def test_remaining_counts_down_and_goes_negative_when_overdue(cal):
    due = end_of("2026-03-16")
    assert cal.remaining(due, at("2026-03-12")) == 2  # Friday 13 and Monday 16 left
    assert cal.remaining(due, at("2026-03-14")) == 1  # a Saturday
    assert cal.remaining(due, at("2026-03-16", "09:00")) == 0  # due today
    assert cal.remaining(due, at("2026-03-17", "00:01")) == -1
    assert cal.remaining(due, at("2026-03-21")) == -4  # a Saturday: 17-20 March overdue
    # Over the Spring Festival the rest days do not count.
    assert cal.remaining(end_of("2026-02-24"), at("2026-02-13")) == 2  # 14 and 24 February


def test_bad_input_is_refused(cal):
    with pytest.raises(ValueError, match="timezone-aware"):
        cal.add_working_days(dt.datetime(2026, 3, 2, 10), 1)
    with pytest.raises(ValueError, match="unit"):
        cal.due_after(at("2026-03-02"), 1, "hours")
    for bad in (-1, 1.5, None, True):
        with pytest.raises(ValueError, match="whole number"):
            cal.due_after(at("2026-03-02"), bad, WORKING_DAY)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="both"):
        Calendar.from_days([(dt.date(2026, 1, 3), "holiday"), (dt.date(2026, 1, 3), "workday")])


def test_the_calendar_knows_which_years_it_covers(cal):
    assert cal.covers(dt.date(2026, 12, 31)) and cal.covers(dt.date(2025, 10, 8))
    assert not cal.covers(dt.date(2027, 1, 1))
    # Beyond the entered years it is the plain week.
    assert cal.add_working_days(at("2027-03-05"), 1) == end_of("2027-03-08")


def _oracle_add_working_days(cal: Calendar, start: dt.datetime, n: int) -> dt.date:
    """Day by day, the obvious way."""
    local = start.astimezone(SHANGHAI)
    day = local.date()
    if not cal.is_working_day(day) or local.hour >= 17:
        day += dt.timedelta(days=1)
        while not cal.is_working_day(day):
            day += dt.timedelta(days=1)
    while n > 0:
        day += dt.timedelta(days=1)
        if cal.is_working_day(day):
            n -= 1
    return day


def test_property_working_days_between_inverts_add_working_days(cal):
    rng = random.Random(20261001)  # fixed: a failure reproduces
    first = dt.datetime(2024, 10, 1, tzinfo=SHANGHAI)
    for _ in range(3000):
        start = first + dt.timedelta(minutes=rng.randrange(0, 3 * 366 * 24 * 60))
        n = rng.choice([0, 1, 2, 3, 5, 10, 15, 20, 30, 60, rng.randrange(0, 400)])
        due = cal.add_working_days(start, n)
        assert cal.working_days_between(start, due) == n, (start, n)
        assert due.date() == _oracle_add_working_days(cal, start, n), (start, n)
        assert cal.is_working_day(due.date())
        assert cal.remaining(due, due) == 0


def test_many_due_times_are_cheap(cal):
    starts = [at("2026-01-05") + dt.timedelta(hours=7 * i) for i in range(20000)]
    began = time.perf_counter()
    for start in starts:
        cal.due_after(start, 20, WORKING_DAY, [(start + dt.timedelta(days=3), None)])
        cal.due_after(start, 60, NATURAL_DAY)
    # Well under a millisecond each; the bound only catches a day-by-day walk over years.
    assert time.perf_counter() - began < 10
    # A limit of decades needs no more work than a limit of days.
    far = cal.add_working_days(at("2026-01-05"), 250_000)
    assert cal.working_days_between(at("2026-01-05"), far) == 250_000
