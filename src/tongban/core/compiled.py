"""A hot read-only look-up whose SQL the ORM compiles once, run again with new values.

Compiling a queryset (resolving lookups, joins, the select list, quoting) costs several times
what the database spends answering a one-row look-up by an indexed key. The exchange gateway's
verification services run one such look-up a call, at hundreds of calls a second, so the
query is written once with the ORM and its SQL kept: ``CompiledQuery`` builds the queryset
with a marker for each named value, compiles it for the database it reads from, remembers
where each marker's parameter sits, and afterwards only substitutes the values and runs the
SQL through Django's cursor (so it is counted, logged and wrapped like any query).

Only for ``values_list`` querysets of plain columns (the rows are the driver's values, no
``from_db_value`` conversion) whose named values are strings passed as they are to ``exact``
lookups; a marker the compiled SQL does not carry unchanged is refused when it is compiled.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from django.db import connections
from django.db.models import QuerySet


class _Fixed:
    """A parameter of the compiled SQL that does not depend on the call."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


class CompiledQuery:
    """``CompiledQuery(lambda index: Model.objects.filter(key=index).values_list("name")[:1])``
    then ``.rows(index=value)`` / ``.first(index=value)``."""

    def __init__(self, build: Callable[..., QuerySet]) -> None:
        self.build = build
        self.names = tuple(inspect.signature(build).parameters)
        # by the alias asked for (None: the queryset's own, its router's read database)
        self._plans: dict[str | None, tuple[str, str, tuple[str | _Fixed, ...]]] = {}

    def _plan(self, using: str | None) -> tuple[str, str, tuple[str | _Fixed, ...]]:
        plan = self._plans.get(using)
        if plan is None:
            markers = {name: f"\x1ecompiled:{name}\x1e" for name in self.names}
            queryset = self.build(**markers)
            alias = using or queryset.db
            sql, params = queryset.query.get_compiler(using=alias).as_sql()
            by_marker = {marker: name for name, marker in markers.items()}
            slots = tuple(
                by_marker[p] if isinstance(p, str) and p in by_marker else _Fixed(p) for p in params
            )
            missing = set(self.names) - {s for s in slots if isinstance(s, str)}
            if missing:
                raise ValueError(f"the compiled SQL does not carry {sorted(missing)} as given")
            plan = self._plans[using] = (alias, sql, slots)
        return plan

    def rows(self, *, using: str | None = None, **values: str) -> list[tuple[Any, ...]]:
        """The rows of the query with these values (each a string, by the build's names)."""
        if values.keys() != set(self.names):
            raise TypeError(f"give exactly {self.names}")
        alias, sql, slots = self._plan(using)
        params = [values[s] if isinstance(s, str) else s.value for s in slots]
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def first(self, *, using: str | None = None, **values: str) -> tuple[Any, ...] | None:
        found = self.rows(using=using, **values)
        return found[0] if found else None
