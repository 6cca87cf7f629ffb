"""The legal clock (法定时限): when a case or a task falls due, in working or natural days.

The rules, all of them here and nowhere else:

1. **Working days (工作日).** Monday to Friday are working days and Saturday and Sunday rest
   days, except where the holiday calendar (``CalendarDay``, kept by an administrator) says
   otherwise: a ``holiday`` is a rest day (法定节假日 and the weekdays moved by 调休), a
   ``workday`` is a Saturday or Sunday worked instead (调休上班). Working hours play no part:
   the unit is the day. Days are local days in ``settings.TIME_ZONE`` (Asia/Shanghai).
2. **Receipt (受理时间).** An application received on a working day before the cut-off hour
   (``settings.WORKDAY_CUTOFF_HOUR``, 17:00) is received that day. One received at or after
   the cut-off, or on a rest day, is deemed received on the next working day (非工作时间提交的,
   视为下一个工作日受理).
3. **Counting (受理次日起算).** The day of receipt does not count: day 1 of a limit is the
   first working day after the (deemed) day of receipt, or for natural days the calendar day
   after it. So a case received on Monday at 10:00 with a limit of 1 working day is due at the
   end of Tuesday; received on Monday at 17:30 (deemed Tuesday), at the end of Wednesday;
   received on Sunday (deemed Monday), at the end of Tuesday. A limit of 0 (即办件) falls due at
   the end of the day of receipt.
4. **Due time.** The end of the last day of the limit, 23:59:59.999999 local time. For natural
   days (自然日) a last day that is a rest day moves to the next working day (民法典 第二百零三条:
   期间的最后一日是法定休假日的, 以法定休假日结束的次日为期间的最后一日).
5. **Pauses (补正 corrections, 特别程序 special procedures).** The days a pause covers do not
   count: the working (or natural) days after the day it began, up to and including the day it
   ended, where its end is treated like a receipt (at or after the cut-off, or on a rest day,
   it ends on the next working day). A pause from Monday to Thursday therefore moves the due
   time 3 working days later (Tuesday, Wednesday, Thursday); one that begins and ends on the
   same working day before the cut-off moves nothing. Overlapping pauses count once; a pause
   that begins after the limit has already run out changes nothing. **An open pause** (its end
   is ``None``) that began while the clock was running stops the clock: ``due_after`` then
   returns ``None``, meaning "no due time while stopped" (never a made-up far-future date).

Everything is computed on a ``Calendar``: an immutable snapshot of the holiday calendar. Every
function takes it as the keyword ``calendar``; without it, ``selectors.calendar_current()``
supplies the one cached for the process (one small query to check it is current). Worklists
load it once and pass it in. The arithmetic counts with weekday formulas and binary searches
over the sorted exceptions, so no computation walks the calendar day by day.

The calendar knows only the years an administrator entered (the State Council publishes each
year's arrangement in November); beyond them it is the plain week. ``Calendar.covers`` tells
whether a day's year is entered.

Inputs are timezone-aware datetimes; naive ones are refused (``ValueError``).
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

# The catalog's time-limit units (``catalog.models.ItemVersion.TimeUnit``); a test keeps them equal.
WORKING_DAY = "working_day"
NATURAL_DAY = "natural_day"
UNITS = (WORKING_DAY, NATURAL_DAY)

# A pause: when the clock stopped, and when it restarted (None: it is still stopped).
Pause = tuple[dt.datetime, dt.datetime | None]

_LAST_ORDINAL = dt.date.max.toordinal()


def _weekdays_before(ordinal: int) -> int:
    """How many Mondays to Fridays have an ordinal in [1, ordinal). Day 1 (0001-01-01) is a
    Monday."""
    weeks, rest = divmod(ordinal - 1, 7)
    return weeks * 5 + min(rest, 5)


@dataclass(frozen=True, eq=False)
class Calendar:
    """An immutable snapshot of the holiday calendar with the clock's arithmetic.

    ``holidays`` are rest days (a Saturday or Sunday among them changes nothing), ``workdays``
    are make-up workdays (a weekday among them changes nothing). ``time_zone`` and
    ``cutoff_hour`` default to ``settings.TIME_ZONE`` and ``settings.WORKDAY_CUTOFF_HOUR``.
    """

    holidays: frozenset[dt.date] = frozenset()
    workdays: frozenset[dt.date] = frozenset()
    time_zone: dt.tzinfo | None = None
    cutoff_hour: int | None = None
    # Derived: the ordinals of the exceptions that matter, sorted for bisection.
    _rest: tuple[int, ...] = field(init=False, repr=False)
    _work: tuple[int, ...] = field(init=False, repr=False)
    years: frozenset[int] = field(init=False)

    def __post_init__(self) -> None:
        holidays, workdays = frozenset(self.holidays), frozenset(self.workdays)
        if both := holidays & workdays:
            raise ValueError(f"days both rest day and workday: {sorted(both)}")
        if self.time_zone is None or self.cutoff_hour is None:
            from django.conf import settings

            if self.time_zone is None:
                object.__setattr__(self, "time_zone", ZoneInfo(settings.TIME_ZONE))
            if self.cutoff_hour is None:
                object.__setattr__(
                    self, "cutoff_hour", int(getattr(settings, "WORKDAY_CUTOFF_HOUR", 17))
                )
        if not 0 <= self.cutoff_hour <= 24:  # type: ignore[operator]
            raise ValueError("cutoff_hour must be between 0 and 24")
        object.__setattr__(self, "holidays", holidays)
        object.__setattr__(self, "workdays", workdays)
        rest = sorted(d.toordinal() for d in holidays if d.weekday() < 5)
        work = sorted(d.toordinal() for d in workdays if d.weekday() >= 5)
        object.__setattr__(self, "_rest", tuple(rest))
        object.__setattr__(self, "_work", tuple(work))
        object.__setattr__(self, "years", frozenset(d.year for d in holidays | workdays))

    @classmethod
    def from_days(
        cls,
        days: Iterable[tuple[dt.date, str]],
        *,
        time_zone: dt.tzinfo | None = None,
        cutoff_hour: int | None = None,
    ) -> Calendar:
        """A calendar from ``(date, kind)`` pairs, kind ``"holiday"`` or ``"workday"``."""
        holidays: set[dt.date] = set()
        workdays: set[dt.date] = set()
        for day, kind in days:
            if kind == "holiday":
                holidays.add(day)
            elif kind == "workday":
                workdays.add(day)
            else:
                raise ValueError(f"unknown calendar day kind: {kind!r}")
        return cls(
            frozenset(holidays), frozenset(workdays), time_zone=time_zone, cutoff_hour=cutoff_hour
        )

    # -- days -------------------------------------------------------------------------------

    def covers(self, day: dt.date) -> bool:
        """Whether an administrator entered the holiday arrangement of ``day``'s year."""
        return day.year in self.years

    def is_working_day(self, day: dt.date) -> bool:
        if isinstance(day, dt.datetime):
            day = self._local(day).date()
        if day.weekday() < 5:
            return day not in self.holidays
        return day in self.workdays

    def _working_before(self, ordinal: int) -> int:
        """How many working days have an ordinal below ``ordinal``. Non-decreasing."""
        return (
            _weekdays_before(ordinal)
            - bisect_left(self._rest, ordinal)
            + bisect_left(self._work, ordinal)
        )

    def _count(self, after: int, until: int) -> int:
        """Working days in (after, until], by ordinal; negative when ``until < after``."""
        return self._working_before(until + 1) - self._working_before(after + 1)

    def _nth_after(self, after: int, n: int) -> int:
        """The ordinal of the n-th working day after ``after`` (``after`` itself when n is 0)."""
        if n <= 0:
            return after
        target = self._working_before(after + 1) + n
        # The answer is the smallest ordinal o > after with _working_before(o + 1) >= target.
        # Gallop from a weekday estimate, then bisect; both move in O(log) steps.
        low, high = after + 1, after + n + n // 2 + 7
        step = high - low + 1
        while self._working_before(high + 1) < target:
            low, high, step = high + 1, high + step, step * 2
            if high >= _LAST_ORDINAL:
                raise OverflowError("the due date is beyond the last representable date")
        while low < high:
            middle = (low + high) // 2
            if self._working_before(middle + 1) >= target:
                high = middle
            else:
                low = middle + 1
        return low

    # -- instants ---------------------------------------------------------------------------

    def _local(self, instant: dt.datetime) -> dt.datetime:
        if instant.tzinfo is None or instant.utcoffset() is None:
            raise ValueError("the legal clock needs timezone-aware datetimes")
        return instant.astimezone(self.time_zone)

    def _end_of(self, ordinal: int) -> dt.datetime:
        day = dt.date.fromordinal(ordinal)
        return dt.datetime.combine(day, dt.time.max, tzinfo=self.time_zone)

    def receipt_day(self, instant: dt.datetime) -> dt.date:
        """The day an application received at ``instant`` counts as received (rule 2)."""
        local = self._local(instant)
        day = local.date()
        if self.is_working_day(day) and local.hour < self.cutoff_hour:  # type: ignore[operator]
            return day
        return dt.date.fromordinal(self._nth_after(day.toordinal(), 1))

    def add_working_days(self, start: dt.datetime, days: int) -> dt.datetime:
        """The due instant of a limit of ``days`` working days for a case received at
        ``start``."""
        _check_limit(days)
        return self._end_of(self._nth_after(self.receipt_day(start).toordinal(), days))

    def add_natural_days(self, start: dt.datetime, days: int) -> dt.datetime:
        """The due instant of a limit of ``days`` natural days for a case received at
        ``start`` (a last day on a rest day moves to the next working day)."""
        _check_limit(days)
        return self._end_of(self._last_natural(self.receipt_day(start).toordinal() + days))

    def _last_natural(self, ordinal: int) -> int:
        if self.is_working_day(dt.date.fromordinal(ordinal)):
            return ordinal
        return self._nth_after(ordinal, 1)

    def working_days_between(self, start: dt.datetime, end: dt.datetime) -> int:
        """The working days a clock started at ``start`` has begun by ``end``: those after the
        day of receipt up to and including ``end``'s day; 0 when ``end`` is not after it.

        ``working_days_between(s, add_working_days(s, n)) == n`` for every ``s`` and ``n``.
        """
        origin = self.receipt_day(start).toordinal()
        return max(0, self._count(origin, self._local(end).date().toordinal()))

    def remaining(self, due: dt.datetime, now: dt.datetime) -> int:
        """Whole working days left after today until ``due``: 0 on the due day itself;
        negative when overdue, by the working days since the due day (at least -1)."""
        today = self._local(now).date().toordinal()
        due_day = self._local(due).date().toordinal()
        if now <= due:
            return self._count(today, due_day)
        return -max(1, self._count(due_day, today))

    def due_after(
        self, start: dt.datetime, limit: int, unit: str, pauses: Iterable[Pause] = ()
    ) -> dt.datetime | None:
        """The due instant of ``limit`` days in ``unit`` received at ``start``, moved later by
        the days the ``pauses`` covered (rule 5); ``None`` while an open pause stops the
        clock."""
        _check_limit(limit)
        count: Callable[[int, int], int]
        nth: Callable[[int, int], int]
        if unit == WORKING_DAY:
            count, nth = self._count, self._nth_after
        elif unit == NATURAL_DAY:
            count, nth = (lambda after, until: until - after), (lambda after, n: after + n)
        else:
            raise ValueError(f"unknown time-limit unit {unit!r}; expected one of {UNITS}")
        origin = self.receipt_day(start).toordinal()
        left = limit
        for began, ended in self._merged(pauses):
            if ended is not None and ended <= origin:
                continue  # over before the clock (re)started counting
            ran = max(0, count(origin, began))
            if ran >= left:
                break  # the limit ran out on or before the day the pause began
            left -= ran
            if ended is None:
                return None
            origin = max(origin, ended)
        last = nth(origin, left)
        if unit == NATURAL_DAY:
            last = self._last_natural(last)
        return self._end_of(last)

    def _merged(self, pauses: Iterable[Pause]) -> list[tuple[int, int | None]]:
        """Pauses as (day began, day ended or None) ordinals, sorted, overlaps merged."""
        spans: list[tuple[int, int | None]] = []
        for began, ended in pauses:
            a = self._local(began).date().toordinal()
            if ended is None:
                spans.append((a, None))
                continue
            if ended < began:
                raise ValueError("a pause cannot end before it begins")
            spans.append((a, self.receipt_day(ended).toordinal()))
        spans.sort(key=lambda span: span[0])
        merged: list[tuple[int, int | None]] = []
        for a, b in spans:
            if merged:
                last_a, last_b = merged[-1]
                if last_b is None or a <= last_b:
                    merged[-1] = (last_a, None if last_b is None or b is None else max(last_b, b))
                    continue
            merged.append((a, b))
        return merged


def _check_limit(limit: int) -> None:
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        raise ValueError(f"a time limit is a whole number of days, 0 or more; got {limit!r}")


def _calendar(calendar: Calendar | None) -> Calendar:
    if calendar is not None:
        return calendar
    from tongban.workflow.selectors import calendar_current

    return calendar_current()


# -- the public functions: the Calendar methods, on the process's calendar by default ---------


def is_working_day(day: dt.date, *, calendar: Calendar | None = None) -> bool:
    """Whether ``day`` (a local date; a datetime is taken in local time) is a working day."""
    return _calendar(calendar).is_working_day(day)


def receipt_day(start: dt.datetime, *, calendar: Calendar | None = None) -> dt.date:
    """The day an application received at ``start`` counts as received (next working day
    when received at or after the cut-off hour or on a rest day)."""
    return _calendar(calendar).receipt_day(start)


def add_working_days(
    start: dt.datetime, days: int, *, calendar: Calendar | None = None
) -> dt.datetime:
    """The end of the ``days``-th working day after the day of receipt of ``start``."""
    return _calendar(calendar).add_working_days(start, days)


def add_natural_days(
    start: dt.datetime, days: int, *, calendar: Calendar | None = None
) -> dt.datetime:
    """The end of the ``days``-th day after the day of receipt of ``start``, moved to the next
    working day when it is a rest day."""
    return _calendar(calendar).add_natural_days(start, days)


def working_days_between(
    start: dt.datetime, end: dt.datetime, *, calendar: Calendar | None = None
) -> int:
    """Working days counted from the receipt at ``start`` up to and including ``end``'s day."""
    return _calendar(calendar).working_days_between(start, end)


def due_after(
    start: dt.datetime,
    limit: int,
    unit: str,
    pauses: Sequence[Pause] = (),
    *,
    calendar: Calendar | None = None,
) -> dt.datetime | None:
    """The due instant of a limit (``unit``: ``"working_day"`` or ``"natural_day"``) for a case
    received at ``start``, extended by the pauses; ``None`` while an open pause stops it."""
    return _calendar(calendar).due_after(start, limit, unit, pauses)


def remaining(
    due: dt.datetime, now: dt.datetime | None = None, *, calendar: Calendar | None = None
) -> int:
    """Working days left after today until ``due`` (0 on the due day, negative when
    overdue). ``now`` defaults to the current time."""
    if now is None:
        from django.utils import timezone

        now = timezone.now()
    return _calendar(calendar).remaining(due, now)
