"""A hot read-only look-up whose SQL the ORM compiles once, run again with new values.

Compiling a queryset (resolving lookups, joins, the select list, quoting) costs several times
what the database spends answering a one-row look-up by an indexed key. The exchange gateway's
verification services run one such look-up a call, at hundreds of calls a second, so the
query is written once with the ORM and its SQL kept: ``CompiledQuery`` builds the queryset
with a marker for each named value, compiles it for the database it reads from, remembers
where each marker's parameter sits, and afterwards only substitutes the values and runs the
SQL through Django's cursor (so it is counted, logged and wrapped like any query).

Only for ``values_list`` querysets whose named values are strings (or integers, named in
``ints``) passed as they are to ``exact`` lookups; a marker the compiled SQL does not carry
unchanged is refused when it is compiled. The rows' values are converted as the ORM converts
them (the database backend's and the fields' converters: datetimes on SQLite, JSON, …).
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


class _Slot:
    """A parameter of the compiled SQL taken from the named value of the call."""

    __slots__ = ("name", "wrap")

    def __init__(self, name: str, wrap: type | None) -> None:
        self.name = name
        self.wrap = wrap


class CompiledQuery:
    """``CompiledQuery(lambda index: Model.objects.filter(key=index).values_list("name")[:1])``
    then ``.rows(index=value)`` / ``.first(index=value)``."""

    def __init__(self, build: Callable[..., QuerySet], *, ints: tuple[str, ...] = ()) -> None:
        self.build = build
        self.names = tuple(inspect.signature(build).parameters)
        self.ints = frozenset(ints)
        if not self.ints <= set(self.names):
            raise TypeError(f"ints must name parameters of the build: {sorted(self.ints)}")
        # by the alias asked for (None: the queryset's own, its router's read database)
        self._plans: dict[str | None, tuple[str, str, tuple[_Slot | _Fixed, ...], tuple]] = {}

    def _plan(self, using: str | None) -> tuple[str, str, tuple[_Slot | _Fixed, ...], tuple]:
        plan = self._plans.get(using)
        if plan is None:
            # an integer marker: an unlikely value inside the range of an integer column
            # (Django answers a value outside a field's range with an empty query, no SQL)
            markers: dict[str, Any] = {
                name: 2_147_483_000 + index if name in self.ints else f"\x1ecompiled:{name}\x1e"
                for index, name in enumerate(self.names)
            }
            queryset = self.build(**markers)
            alias = using or queryset.db
            compiler = queryset.query.get_compiler(using=alias)
            sql, params = compiler.as_sql()  # also sets the compiler's select list
            texts = {m: name for name, m in markers.items() if isinstance(m, str)}
            numbers = {m: name for name, m in markers.items() if not isinstance(m, str)}

            def slot(param: Any) -> _Slot | _Fixed:
                # an integer may come wrapped for the driver (psycopg's Int4 / Int8): the
                # wrapper is kept and applied to the value given
                if type(param) is str and param in texts:
                    return _Slot(texts[param], None)
                if isinstance(param, int) and not isinstance(param, bool) and param in numbers:
                    return _Slot(numbers[param], None if type(param) is int else type(param))
                return _Fixed(param)

            slots = tuple(slot(p) for p in params)
            columns = tuple(s[0] for s in compiler.select[: compiler.col_count])
            missing = set(self.names) - {s.name for s in slots if isinstance(s, _Slot)}
            if missing:
                raise ValueError(f"the compiled SQL does not carry {sorted(missing)} as given")
            plan = self._plans[using] = (alias, sql, slots, columns)
        return plan

    def rows(self, *, using: str | None = None, **values: Any) -> list[tuple[Any, ...]]:
        """The rows of the query with these values (by the build's names: strings, and
        integers for those named in ``ints``)."""
        if values.keys() != set(self.names):
            raise TypeError(f"give exactly {self.names}")
        for name, value in values.items():
            wanted = int if name in self.ints else str
            if not isinstance(value, wanted) or isinstance(value, bool):
                raise TypeError(f"{name}: {wanted.__name__} expected")
        alias, sql, slots, columns = self._plan(using)
        params = [
            s.value
            if isinstance(s, _Fixed)
            else (s.wrap(values[s.name]) if s.wrap else values[s.name])
            for s in slots
        ]
        connection = connections[alias]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            fetched = cursor.fetchall()
        # the converters of this thread's connection, as the ORM's compiler applies them
        converters = []
        for index, column in enumerate(columns):
            found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
            if found:
                converters.append((index, found, column))
        if not converters:
            return [tuple(row) for row in fetched]
        converted = []
        for row in fetched:
            values_ = list(row)
            for index, functions, column in converters:
                for function in functions:
                    values_[index] = function(values_[index], column, connection)
            converted.append(tuple(values_))
        return converted

    def first(self, *, using: str | None = None, **values: Any) -> tuple[Any, ...] | None:
        found = self.rows(using=using, **values)
        return found[0] if found else None
