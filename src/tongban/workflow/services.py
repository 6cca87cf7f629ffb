"""Writes of the workflow app: the holiday calendar (节假日安排) the legal clock reads.

Only administrators change the calendar (``calendar.manage``). Every change is validated,
written and audited in one transaction, and the cached ``Calendar`` of the process is dropped
so the next due computation sees it (other processes notice the change by its stamp).
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tongban.core.audit import audit_log
from tongban.core.authorization import Target, authorize, permits
from tongban.core.errors import Conflict, InvalidInput, NotFound, Problem
from tongban.core.types import Actor
from tongban.workflow.models import CalendarDay
from tongban.workflow.selectors import calendar_invalidate

# The official arrangement shipped with Tongban (the State Council notices; see the file).
DEFAULT_CALENDAR_FILE = Path(__file__).resolve().parent / "data" / "calendar_2026.csv"
FIRST_DATE = dt.date(2000, 1, 1)
LAST_DATE = dt.date(2099, 12, 31)
NAME_MAX_LENGTH = 100
IMPORT_MAX_ROWS = 5000
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TARGET = Target(kind="calendar")


@dataclass(frozen=True)
class CalendarDayInput:
    """A validated calendar entry."""

    date: dt.date
    kind: str
    name: str


def calendar_may_manage(actor: Actor) -> bool:
    """Whether ``actor`` may change the holiday calendar (for views deciding what to show)."""
    return permits(actor, "calendar.manage", _TARGET)


def _parse_date(value: Any) -> tuple[dt.date | None, str | None]:
    if isinstance(value, dt.datetime):
        return None, _("A date without a time of day is expected.")
    if isinstance(value, dt.date):
        day = value
    else:
        text = str(value if value is not None else "").strip()
        if not text:
            return None, _("Required.")
        try:
            if not _ISO_DATE.match(text):
                raise ValueError(text)
            day = dt.date.fromisoformat(text)
        except ValueError:
            return None, _("Not a date. Write it as YYYY-MM-DD, for example 2026-10-01.")
    if not FIRST_DATE <= day <= LAST_DATE:
        return None, _("The date must be between %(first)s and %(last)s.") % {
            "first": FIRST_DATE.isoformat(),
            "last": LAST_DATE.isoformat(),
        }
    return day, None


def _problems(
    *, date: Any, kind: Any, name: Any, location: str = ""
) -> tuple[CalendarDayInput | None, list[Problem]]:
    problems: list[Problem] = []
    day, reason = _parse_date(date)
    if reason:
        problems.append(Problem(location=location, field="date", reason=reason))
    kind = str(kind if kind is not None else "").strip()
    if kind not in CalendarDay.Kind.values:
        problems.append(
            Problem(
                location=location,
                field="kind",
                reason=_(
                    'Unknown kind "%(kind)s". Use "holiday" (a rest day) or "workday" '
                    "(a Saturday or Sunday worked instead, 调休上班)."
                )
                % {"kind": kind[:20]},
            )
        )
    elif kind == CalendarDay.Kind.WORKDAY and day is not None and day.weekday() < 5:
        problems.append(
            Problem(
                location=location,
                field="kind",
                reason=_(
                    "Only a Saturday or Sunday can be a make-up workday: %(date)s is a "
                    "working day already."
                )
                % {"date": day.isoformat()},
            )
        )
    name = str(name if name is not None else "").strip()
    if not name:
        problems.append(Problem(location=location, field="name", reason=_("Required.")))
    elif len(name) > NAME_MAX_LENGTH:
        problems.append(
            Problem(
                location=location,
                field="name",
                reason=_("At most %(max)d characters (this one has %(length)d).")
                % {"max": NAME_MAX_LENGTH, "length": len(name)},
            )
        )
    if problems or day is None:
        return None, problems
    return CalendarDayInput(date=day, kind=kind, name=name), []


def calendar_day_validate(*, date: dt.date | str, kind: str, name: str) -> CalendarDayInput:
    """Check one calendar entry without writing it; raises ``InvalidInput`` with every
    problem. ``date`` is a date or ``YYYY-MM-DD``; a make-up workday must be a weekend day."""
    data, problems = _problems(date=date, kind=kind, name=name)
    if data is None:
        raise InvalidInput(problems=problems)
    return data


def _changed() -> None:
    calendar_invalidate()
    transaction.on_commit(calendar_invalidate)


def calendar_day_set(*, actor: Actor, date: dt.date | str, kind: str, name: str) -> CalendarDay:
    """Make ``date`` a rest day (``holiday``) or a make-up workday (``workday``).

    Creates the entry or replaces the kind and name of the existing one; administrators only
    (``Forbidden`` otherwise); ``InvalidInput`` lists every problem. Audited with the previous
    value; due times computed afterwards see the change.
    """
    authorize(actor, "calendar.manage", _TARGET)
    data = calendar_day_validate(date=date, kind=kind, name=name)
    try:
        with transaction.atomic():
            day = CalendarDay.objects.select_for_update().filter(date=data.date).first()
            previous = None
            if day is None:
                day = CalendarDay.objects.create(
                    date=data.date, kind=data.kind, name=data.name, created_by_id=actor.user_id
                )
            else:
                previous = {"kind": day.kind, "name": day.name}
                day.kind, day.name = data.kind, data.name
                day.save(update_fields=["kind", "name", "updated_at"])
            audit_log(
                actor=actor,
                action="workflow.calendar.set",
                object_type="calendar_day",
                object_id=data.date.isoformat(),
                data={"kind": data.kind, "name": data.name, "previous": previous},
            )
            _changed()
    except IntegrityError as exc:  # another administrator added the same date at this moment
        raise Conflict() from exc
    return day


def calendar_day_delete(*, actor: Actor, date: dt.date | str) -> None:
    """Remove the entry of ``date``: the day becomes a plain weekday or weekend day again.

    Administrators only; ``NotFound`` when the calendar has no entry for the date. Audited.
    """
    authorize(actor, "calendar.manage", _TARGET)
    day_date, reason = _parse_date(date)
    if day_date is None:
        raise InvalidInput(problems=[Problem(field="date", reason=reason or "")])
    with transaction.atomic():
        day = CalendarDay.objects.select_for_update().filter(date=day_date).first()
        if day is None:
            raise NotFound(
                _("The holiday calendar has no entry for %(date)s.")
                % {"date": day_date.isoformat()}
            )
        audit_log(
            actor=actor,
            action="workflow.calendar.delete",
            object_type="calendar_day",
            object_id=day_date.isoformat(),
            data={"kind": day.kind, "name": day.name},
        )
        day.delete()
        _changed()


def calendar_import(*, actor: Actor, rows: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """Create or update many entries at once (a year's arrangement); all or nothing.

    Each row has ``date``, ``kind`` and ``name`` (and optionally ``line``, its line in a file,
    used in problem locations). Every problem of every row is reported and nothing is written
    if there is any; a date may appear once. Entries not in ``rows`` are left alone. Returns
    how many entries were created, updated and already as given. One audit record.
    """
    authorize(actor, "calendar.manage", _TARGET)
    rows = list(rows)
    if len(rows) > IMPORT_MAX_ROWS:
        raise InvalidInput(
            problems=[
                Problem(
                    field="rows",
                    reason=_("At most %(max)d rows in one import.") % {"max": IMPORT_MAX_ROWS},
                )
            ]
        )
    problems: list[Problem] = []
    entries: dict[dt.date, CalendarDayInput] = {}
    where_seen: dict[dt.date, str] = {}
    for index, row in enumerate(rows, start=1):
        where = _("line %(line)s") % {"line": row["line"]} if row.get("line") else f"rows[{index}]"
        data, row_problems = _problems(
            date=row.get("date"), kind=row.get("kind"), name=row.get("name"), location=where
        )
        problems.extend(row_problems)
        if data is None:
            continue
        if data.date in entries:
            problems.append(
                Problem(
                    location=where,
                    field="date",
                    reason=_("%(date)s appears twice (also at %(other)s).")
                    % {"date": data.date.isoformat(), "other": where_seen[data.date]},
                )
            )
            continue
        entries[data.date] = data
        where_seen[data.date] = where
    if problems:
        raise InvalidInput(problems=problems)
    summary = {"created": 0, "updated": 0, "unchanged": 0}
    with transaction.atomic():
        existing = {
            day.date: day
            for day in CalendarDay.objects.select_for_update().filter(date__in=list(entries))
        }
        new: list[CalendarDay] = []
        for data in entries.values():
            day = existing.get(data.date)
            if day is None:
                new.append(
                    CalendarDay(
                        date=data.date,
                        kind=data.kind,
                        name=data.name,
                        created_by_id=actor.user_id,
                    )
                )
                summary["created"] += 1
            elif (day.kind, day.name) == (data.kind, data.name):
                summary["unchanged"] += 1
            else:
                day.kind, day.name = data.kind, data.name
                day.save(update_fields=["kind", "name", "updated_at"])
                summary["updated"] += 1
        CalendarDay.objects.bulk_create(new)
        dates = sorted(entries)
        audit_log(
            actor=actor,
            action="workflow.calendar.import",
            object_type="calendar",
            data={
                **summary,
                "first": dates[0].isoformat() if dates else None,
                "last": dates[-1].isoformat() if dates else None,
            },
        )
        _changed()
    return summary


def calendar_csv_rows(text: str) -> list[dict[str, str]]:
    """Rows for ``calendar_import`` from CSV text with the header ``date,kind,name``.

    Lines starting with ``#`` and blank lines are skipped; each row carries its ``line``.
    """
    lines = [
        (number, line)
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not lines:
        raise InvalidInput(problems=[Problem(field="file", reason=_("The file has no rows."))])
    # One record per line: the format has no quoted line breaks, so line numbers stay true.
    parsed = [next(csv.reader([line])) for _number, line in lines]
    header = [cell.strip().lower() for cell in parsed[0]]
    if header[:3] != ["date", "kind", "name"]:
        raise InvalidInput(
            problems=[
                Problem(
                    location=_("line %(line)s") % {"line": lines[0][0]},
                    field="header",
                    reason=_('The first row must be the header "date,kind,name".'),
                )
            ]
        )
    rows = []
    for (number, _line), cells in zip(lines[1:], parsed[1:], strict=True):
        cells = [cell.strip() for cell in cells] + ["", "", ""]
        rows.append({"line": str(number), "date": cells[0], "kind": cells[1], "name": cells[2]})
    return rows


def calendar_load_file(*, actor: Actor, path: str | Path | None = None) -> dict[str, int]:
    """Import a calendar CSV file (default: the official arrangement shipped in
    ``workflow/data``) through ``calendar_import``; administrators only."""
    authorize(actor, "calendar.manage", _TARGET)
    file = Path(path) if path is not None else DEFAULT_CALENDAR_FILE
    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(
            problems=[
                Problem(
                    location=str(file),
                    field="file",
                    reason=_("The file cannot be read as UTF-8 text: %(error)s")
                    % {"error": exc.__class__.__name__},
                )
            ]
        ) from exc
    return calendar_import(actor=actor, rows=calendar_csv_rows(text))
