"""Django's PostgreSQL backend, with a persistent connection's health check done without a
round trip while the connection is busy.

With ``CONN_HEALTH_CHECKS`` Django sends ``SELECT 1`` before the first query of every request
that reuses a connection: a round trip and about 0.15 ms of the worker's CPU a request, a
sixth of a bare endpoint's cost. Here a connection used less than ``HEALTH_CHECK_IDLE_SECONDS``
ago (a key of the database's settings, from ``DB_HEALTH_CHECK_IDLE_SECONDS``; 0.5 s by
default, 0 asks the server every time as Django does) is first looked at locally: if its
socket has nothing to read, it is taken as alive, as connection pools do within such a window
(HikariCP's ``aliveBypassWindowMs``, PgBouncer's ``server_check_delay``). A server that
restarts or terminates the backend sends a message and closes the socket, which makes it
readable, so such a connection is still asked (``SELECT 1``), found dead and replaced before
the request uses it. A connection idle for longer than the window is always asked. What the
local look cannot see — a server host gone without closing its sockets, within the window —
fails that one request as a request in flight would (the API answers 503 with Retry-After),
and Django closes the connection at the request's end, since an error occurred on it.
"""

from __future__ import annotations

import select
import time

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, settings_dict, alias="default"):
        super().__init__(settings_dict, alias)
        self.health_check_idle_seconds = float(settings_dict.get("HEALTH_CHECK_IDLE_SECONDS", 0.5))
        self._last_used = float("-inf")

    def _quiet(self) -> bool:
        """Whether the idle connection's socket is open with nothing to read (no message from
        the server: no termination notice, no end of file)."""
        conn = self.connection
        if conn is None or conn.closed or conn.broken or not hasattr(select, "poll"):
            return False
        try:
            poller = select.poll()
            poller.register(conn.fileno(), select.POLLIN | select.POLLPRI)
            return not poller.poll(0)
        except (OSError, ValueError, base.Database.Error):
            return False

    def close_if_health_check_failed(self) -> None:
        now = time.monotonic()
        if (
            self.connection is not None
            and not self.health_check_done
            and now - self._last_used < self.health_check_idle_seconds
            and self._quiet()
        ):
            self.health_check_done = True
        super().close_if_health_check_failed()
        self._last_used = now
