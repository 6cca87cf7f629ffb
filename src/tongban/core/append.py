"""Appending new rows of append-only tables together, as one write.

The exchange never answers without its log rows, and it writes two a call: the message and
the subject's data-use record. On PostgreSQL, outside a transaction, the rows go in one
statement (``WITH a AS (INSERT … RETURNING id), b AS (INSERT … RETURNING id) SELECT …``): one
statement is atomic on its own, so there is one round trip instead of BEGIN, one INSERT a row
and COMMIT, and no ORM insert to compile; its values are bound by the server, not quoted into
the SQL text. Inside a transaction the statement runs under a savepoint, so a refused insert
(a replayed message id) leaves the caller's transaction usable.
Other databases (SQLite has no data-modifying WITH) save each row through the ORM in one atomic
block. Either way the rows are all written or none is, and the models' primary keys are set.

A *guard* (an SQL condition with its parameters) makes the write conditional: the rows go in
only when the condition holds when the statement runs, checked in that same statement on
PostgreSQL (``INSERT … SELECT … WHERE condition``, each value cast to its column's type) and
after the inserts, in the same atomic block, elsewhere. The gateway uses it to check that the
routing it decided under is still current without a query of its own.

Only for plain rows: no signals are sent, no ``save()`` override runs, and every field's value
must be set on the instance (defaults are applied when the instance is built, as for any
model; ``pre_save`` runs, so ``auto_now_add`` works).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from django.db import connections, models, router, transaction

# Field kinds whose plain Python values (str, int, float, bool, None) go to the driver as
# they are; any other field, or any other value, is prepared by the field itself.
_PLAIN_FIELDS = (
    models.CharField,
    models.TextField,
    models.BooleanField,
    models.IntegerField,
    models.FloatField,
)
_PLAIN_VALUES = (str, int, float, bool, type(None))


class _GuardFailed(Exception):
    """Rolls back the inserts of a guarded append whose condition did not hold."""


@functools.lru_cache(maxsize=64)
def _plan(
    model: type[models.Model], guarded: bool = False
) -> tuple[str, tuple[tuple[Any, bool], ...]]:
    """The INSERT … RETURNING of a model (without its CTE name) and its fields, each with
    whether its plain values need no preparing; built once per model. Guarded, the values
    are a SELECT with explicit casts and a ``{guard}`` placeholder for the condition."""
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not isinstance(f, models.AutoField)]
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    if guarded:
        casts = ", ".join(f"%s::{f.cast_db_type(connection)}" for f in fields)
        values = f"SELECT {casts} WHERE {{guard}}"
    else:
        values = f"VALUES ({', '.join(['%s'] * len(fields))})"
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    sql = f"INSERT INTO {table} ({columns}) {values} RETURNING {pk}"
    plain = tuple((f, isinstance(f, _PLAIN_FIELDS)) for f in fields)
    return sql, plain


def _insert_sql(
    obj: models.Model, connection: Any, name: str, guard: tuple[str, Sequence[Any]] | None
) -> tuple[str, list[Any]]:
    sql, fields = _plan(type(obj), guard is not None)
    params = []
    for field, plain in fields:
        value = getattr(obj, field.attname) if plain else field.pre_save(obj, True)
        if not (plain and isinstance(value, _PLAIN_VALUES)):
            value = field.get_db_prep_save(value, connection)
        params.append(value)
    if guard is not None:
        sql = sql.replace("{guard}", guard[0])
        params.extend(guard[1])
    return f"{name} AS ({sql})", params


@functools.cache
def _prepared_cursor_class() -> type:
    import psycopg

    class PreparedCursor(psycopg.Cursor):
        """Prepares each statement it runs on first use and reuses it on that connection.
        Django opens connections with psycopg's automatic preparing off
        (``prepare_threshold`` None, which also ignores ``prepare=True``): it is switched on
        for this cursor's statement only, with a threshold no other statement reaches, so
        psycopg keeps this one among the connection's prepared statements and nothing else
        is prepared."""

        def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
            connection = self.connection
            threshold = connection.prepare_threshold
            if threshold is None:
                connection.prepare_threshold = 1 << 62
            try:
                return super().execute(query, params, prepare=True, **kwargs)
            finally:
                connection.prepare_threshold = threshold

    return PreparedCursor


def _server_bound_cursor(connection: Any) -> Any:
    """A cursor of the connection that sends the values apart from the SQL (psycopg's
    server-side binding) instead of quoting each into the text, wrapped as Django wraps its
    own (counted, logged, database errors translated). The log write carries some forty
    values; quoting them in Python costs more than the database spends on them.

    The statement is also prepared once per connection (``settings.DB_PREPARE_LOG_WRITES``,
    on by default): parsing and planning the two-insert ``WITH`` of forty casts costs the
    database more than running it (about 0.34 of 0.56 ms of backend CPU, measured with four
    concurrent writers; ``docs/benchmarks.md``). Django's own statements stay unprepared, its
    default. Behind a pooler in transaction mode that does not carry prepared statements
    (PgBouncer before 1.21), set ``DB_PREPARE_LOG_WRITES=0``."""
    import psycopg
    from django.conf import settings

    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    cursor_class = (
        _prepared_cursor_class()
        if getattr(settings, "DB_PREPARE_LOG_WRITES", True)
        else psycopg.Cursor
    )
    with connection.wrap_database_errors:
        raw = cursor_class(connection.connection)
    if connection.queries_logged:
        return connection.make_debug_cursor(raw)
    return connection.make_cursor(raw)


def append_rows(*objects: models.Model, guard: tuple[str, Sequence[Any]] | None = None) -> bool:
    """Insert new, unsaved model instances all together (see the module's docstring);
    ``False`` when a guard did not hold and nothing was written."""
    if not objects:
        return True
    alias = router.db_for_write(type(objects[0]))
    connection = connections[alias]
    if connection.vendor != "postgresql":
        try:
            with transaction.atomic(using=alias):
                for obj in objects:
                    obj.save(force_insert=True, using=alias)
                if guard is not None:
                    # Checked after the inserts: they hold the database's write lock, so no
                    # change can commit between the check and the rows.
                    with connection.cursor() as cursor:
                        cursor.execute(f"SELECT 1 WHERE {guard[0]}", list(guard[1]))
                        if cursor.fetchone() is None:
                            raise _GuardFailed
        except _GuardFailed:
            for obj in objects:
                obj.pk = None
                obj._state.adding = True
            return False
        return True
    parts, params = [], []
    for index, obj in enumerate(objects):
        sql, values = _insert_sql(obj, connection, f"r{index}", guard)
        parts.append(sql)
        params.extend(values)
    selected = ", ".join(f"(SELECT * FROM r{index})" for index in range(len(objects)))
    statement = f"WITH {', '.join(parts)} SELECT {selected}"

    def run() -> tuple[Any, ...]:
        with _server_bound_cursor(connection) as cursor:
            cursor.execute(statement, params)
            return cursor.fetchone()

    if connection.in_atomic_block:
        with transaction.atomic(using=alias):
            ids = run()
    else:
        ids = run()
    if ids[0] is None:  # the guard did not hold: no row was inserted
        return False
    for obj, pk in zip(objects, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = alias
    return True
