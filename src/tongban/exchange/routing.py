"""The gateway's per-process look-ups of calling systems and their grants.

A call needs the calling system (with its department) and its grant for the service (with
the service): two joins that cost more than everything else the gateway does but the log
write. They change rarely, and a change must apply to the very next call (a revoked grant,
a disabled system), so each process keeps what it looked up under the routing token it read
first (``RoutingVersion``); any save or delete of a system, department, resource, service or
grant changes the token in its own transaction (``post_save`` / ``post_delete`` below, so the
admin site and the shell are covered too).

A call does not read the token first: it decides under the token the process last saw
(``snapshot()``) and writes its log rows only if that token is still the current one, checked
in the log write's own statement (``guard()``, ``core.append``). When the routing changed in
between, nothing is written, the call reads the new token (``refresh()``) and is decided again
— so a revoked grant or a disabled system applies to every call whose log write follows the
change, as before, without a query of its own on each call.

What is cached is read-only: model instances whose state (enabled, status, expiry) the
gateway checks on every call against the current time.
"""

from __future__ import annotations

import secrets
import threading
from typing import Any

from django.db import connection
from django.db.models.signals import post_delete, post_save

from tongban.exchange.models import (
    ExchangeService,
    Grant,
    InformationSystem,
    Resource,
    RoutingVersion,
)

MAX_ENTRIES = 5000
_TOKEN_SQL = f"SELECT token FROM {RoutingVersion._meta.db_table} WHERE singleton = 1"
_GUARD_SQL = (
    f"COALESCE((SELECT token FROM {RoutingVersion._meta.db_table} WHERE singleton = 1), '') = %s"
)
_MISSING = object()

_lock = threading.Lock()
_token: str | None = None
_entries: dict[tuple[Any, ...], Any] = {}


def routing_changed() -> None:
    """Give the routing a new token (in the caller's transaction)."""
    token = secrets.token_hex(8)
    if not RoutingVersion.objects.filter(singleton=1).update(token=token):
        RoutingVersion.objects.update_or_create(singleton=1, defaults={"token": token})


def _on_change(sender: Any, **kwargs: Any) -> None:
    routing_changed()


def connect_signals() -> None:
    from tongban.organizations.models import Department

    for model in (InformationSystem, Department, Resource, ExchangeService, Grant):
        post_save.connect(_on_change, sender=model, dispatch_uid=f"exchange-routing-{model}")
        post_delete.connect(_on_change, sender=model, dispatch_uid=f"exchange-routing-d-{model}")


def reset() -> None:
    """Forget everything cached (tests; the next call reads the token again)."""
    global _token
    with _lock:
        _token = None
        _entries.clear()


class Snapshot:
    """The look-ups of one call, under the token read when the call began. An entry is
    used only under the token it was read under: a look-up that raced a change is stored
    under the old token and never served under the new one."""

    def __init__(self, token: str) -> None:
        self.token = token

    def _get(self, key: tuple[Any, ...], load: Any) -> Any:
        full = (self.token, *key)
        found = _entries.get(full, _MISSING)
        if found is _MISSING:
            found = load()
            _entries[full] = found
        return found

    def system(self, code: str) -> InformationSystem | None:
        return self._get(
            ("system", code),
            lambda: (
                InformationSystem.objects.select_related("department").filter(code=code).first()
            ),
        )

    def grant(self, system: InformationSystem, provider: str, service_code: str) -> Grant | None:
        """The system's granted (not necessarily still live) grant for an enabled service."""
        return self._get(
            ("grant", system.pk, provider, service_code),
            lambda: (
                Grant.objects.select_related("service")
                .filter(
                    system=system,
                    status=Grant.Status.GRANTED,
                    service__code=service_code,
                    service__resource__provider__credit_code=provider,
                    service__enabled=True,
                )
                .first()
            ),
        )

    def service_name(self, provider: str, service_code: str) -> str:
        """The name of an enabled service, "" when the provider offers none by that code."""
        return self._get(
            ("service", provider, service_code),
            lambda: (
                ExchangeService.objects.filter(
                    code=service_code, resource__provider__credit_code=provider, enabled=True
                )
                .values_list("name", flat=True)
                .first()
                or ""
            ),
        )


class Changed(Exception):
    """The routing changed after a call was decided: decide it again under ``refresh()``."""


def snapshot() -> Snapshot:
    """The look-ups under the token this process last read (no query once it has read one);
    the call's log write must then be guarded by ``guard(snapshot.token)``."""
    token = _token
    if token is None or len(_entries) > MAX_ENTRIES:
        return refresh()
    return Snapshot(token)


def refresh() -> Snapshot:
    """Read the current routing token (one primary-key read); what was cached under another
    token is dropped."""
    global _token
    with connection.cursor() as cursor:  # no query compiling
        cursor.execute(_TOKEN_SQL)
        row = cursor.fetchone()
    token = row[0] if row else ""
    if token != _token or len(_entries) > MAX_ENTRIES:
        with _lock:
            _entries.clear()
            _token = token
    return Snapshot(token)


def guard(token: str) -> tuple[str, list[str]]:
    """The SQL condition (with its parameters) that the routing token is still ``token``."""
    return _GUARD_SQL, [token]
