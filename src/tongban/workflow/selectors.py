"""Reads of the workflow app: the holiday calendar as the clock's ``Calendar`` snapshot."""

from __future__ import annotations

import threading
from typing import Any

from django.conf import settings
from django.db.models import Count, Max, QuerySet

from tongban.workflow.clock import Calendar
from tongban.workflow.models import CalendarDay

# The process's snapshot and the stamp it was built from. Each process keeps its own; a change
# anywhere (another process, a rolled-back transaction) shows in the stamp, so every process
# notices it at its next call without a shared cache.
_cached: tuple[tuple[Any, ...], Calendar] | None = None
_lock = threading.Lock()


def _stamp() -> tuple[Any, ...]:
    state = CalendarDay.objects.aggregate(rows=Count("id"), changed=Max("updated_at"))
    return (
        state["rows"],
        state["changed"],
        settings.TIME_ZONE,
        getattr(settings, "WORKDAY_CUTOFF_HOUR", 17),
    )


def calendar_current() -> Calendar:
    """The holiday calendar as an immutable snapshot, cached per process.

    One small aggregate query checks that the cached snapshot is current; the rows are read
    again only after a change. Worklists call this once and pass the calendar to every clock
    function instead of letting each call check.
    """
    global _cached
    stamp = _stamp()
    cached = _cached
    if cached is not None and cached[0] == stamp:
        return cached[1]
    calendar = Calendar.from_days(CalendarDay.objects.values_list("date", "kind"))
    with _lock:
        _cached = (stamp, calendar)
    return calendar


def calendar_invalidate() -> None:
    """Forget the process's snapshot (the services call it when the calendar changes)."""
    global _cached
    with _lock:
        _cached = None


def calendar_day_list(*, year: int | None = None) -> QuerySet[CalendarDay]:
    """The calendar's entries in date order, of one year or all."""
    days = CalendarDay.objects.select_related("created_by").order_by("date")
    if year is not None:
        days = days.filter(date__year=year)
    return days
