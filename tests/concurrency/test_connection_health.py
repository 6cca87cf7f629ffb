"""A persistent PostgreSQL connection reused by the next request (``tongban.core.postgresql``):
one idle for longer than the window is asked (``SELECT 1``) and, dead since a restart or a
failover, replaced; a busy one is asked only when its socket has something to read, which a
terminated backend's notice makes it have, so it too is replaced before the request fails."""

from __future__ import annotations

import time

import psycopg
import pytest
from django.db import connection, connections

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def pg():
    if connection.vendor != "postgresql":
        pytest.skip("the health check of persistent connections is PostgreSQL's here")
    saved = connection.health_check_idle_seconds, connection.settings_dict["CONN_MAX_AGE"]
    connection.close()
    connection.settings_dict["CONN_MAX_AGE"] = None  # persistent, as the servers run
    yield connection
    connection.health_check_idle_seconds, connection.settings_dict["CONN_MAX_AGE"] = saved
    connection.close()


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _kill(pid: int) -> None:
    """Terminate a backend from outside, as a restart does, and wait until it is gone."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        for _ in range(100):
            gone = admin.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE pid = %s", (pid,)
            ).fetchone()
            if gone == (0,):
                return
            time.sleep(0.02)
    raise AssertionError(f"backend {pid} still there")


def _next_request() -> None:
    """What Django does between two requests on a persistent connection."""
    connection.close_if_unusable_or_obsolete()


def test_a_connection_that_died_while_idle_is_replaced_before_the_next_request(pg):
    pg.health_check_idle_seconds = 0.2
    first = _backend_pid()
    _kill(first)
    _next_request()
    assert connection.connection is not None  # kept: nothing has told it the backend is gone
    time.sleep(0.3)  # idle for longer than the window: checked, found dead, reconnected
    second = _backend_pid()
    assert second != first


@pytest.fixture
def asked(pg, monkeypatch):
    """How many times the server is asked (``SELECT 1``) whether a connection is alive."""
    calls = []
    wrapper = type(connections["default"])  # tongban.core.postgresql.base.DatabaseWrapper
    real = wrapper.is_usable

    def counted(self):
        calls.append(1)
        return real(self)

    monkeypatch.setattr(wrapper, "is_usable", counted)
    return calls


def _served_by_one_backend(*, requests: int) -> int:
    """Run ``requests`` requests on the persistent connection; all on the same backend."""
    first = _backend_pid()
    for _ in range(requests):
        _next_request()
        assert _backend_pid() == first
    return first


def test_a_busy_quiet_connection_is_not_asked_but_a_terminated_one_is_noticed(pg, asked):
    pg.health_check_idle_seconds = 60
    first = _served_by_one_backend(requests=5)
    assert asked == []  # used within the window, nothing on its socket: no round trip
    _kill(first)
    _next_request()
    assert connection.connection is not None  # kept: nothing has told it the backend is gone
    # the server's termination notice is on the socket: asked, found dead, replaced
    assert _backend_pid() != first
    assert len(asked) == 1


def test_with_no_window_every_request_asks_the_server_as_django_does(pg, asked):
    pg.health_check_idle_seconds = 0
    first = _served_by_one_backend(requests=3)
    assert len(asked) == 3
    _kill(first)
    _next_request()
    assert _backend_pid() != first
