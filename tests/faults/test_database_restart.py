"""The database restarts in the middle of a submission: a clear error, no half-written case,
no duplicate case.

A throwaway PostgreSQL cluster of its own (``initdb`` / ``pg_ctl`` of the system PostgreSQL,
run as ``postgres`` when this runs as root; never the shared server), migrated and loaded with
the demo city, served by gunicorn with persistent database connections — the server stack of
``bench/case_throughput.py``, whose setup, single sign-on flow and application body are reused.

李娜 applies in one call (``POST /api/v1/cases``) with an ``Idempotency-Key`` while another
session holds ``cases_submissionkey`` locked (EXCLUSIVE: reads pass, inserts wait), so the
request has written its case and waits to record the key, inside its transaction, when the
cluster is restarted (``pg_ctl restart -m fast``). That request answers 503 with Retry-After
and the API's JSON error, and nothing of it is in the database. The same request again
answers 201, once more 200 with the same case, and the database holds exactly one case for
the key. Then every worker's persistent connection (dead since the restart) is used again:
each request must answer, none may fail on a stale connection.
"""

from __future__ import annotations

import argparse
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from bench.case_throughput import (
    DATABASE,
    Credential,
    _applicant_phone,
    application_body,
    prepare_database,
    server_environment,
    start_server,
)

WORKERS = 2  # gunicorn sync workers, each with its own persistent connection


def _pg_bin() -> Path | None:
    """The newest PostgreSQL server binaries installed (Debian's layout)."""
    found = [
        Path(d)
        for d in glob.glob("/usr/lib/postgresql/*/bin")
        if Path(d, "initdb").exists() and Path(d, "pg_ctl").exists()
    ]
    found.sort(key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0)
    return found[-1] if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Cluster:
    pg_ctl: list[str]
    data: Path
    log: Path
    port: int

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def ctl(self, *args: str) -> None:
        subprocess.run(
            [*self.pg_ctl, *args, "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60"],
            check=True,
            stdout=subprocess.DEVNULL,
        )


@pytest.fixture(scope="session")
def cluster() -> Iterator[Cluster]:
    """A PostgreSQL cluster of this session on a free port, removed at the end."""
    bin_dir = _pg_bin()
    if bin_dir is None:
        pytest.skip("no PostgreSQL server binaries (initdb, pg_ctl) in /usr/lib/postgresql/*/bin")
    as_postgres: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        if shutil.which("runuser") is None:
            pytest.skip("running as root without runuser: cannot start PostgreSQL as postgres")
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no user postgres to run PostgreSQL")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    root = Path(tempfile.mkdtemp(prefix="tongban-faults-pg-"))
    if as_postgres:
        shutil.chown(root, user="postgres", group="postgres")
    port = _free_port()
    data, log = root / "data", root / "server.log"
    initdb = [str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust"]
    subprocess.run(
        [*as_postgres, *initdb, "-E", "UTF8", "--locale=C.UTF-8"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
    found = Cluster([*as_postgres, str(bin_dir / "pg_ctl")], data, log, port)
    found.ctl("start", "-o", options)
    try:
        yield found
    finally:
        subprocess.run(
            [*found.pg_ctl, "stop", "-D", str(data), "-m", "immediate", "-w"],
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        shutil.rmtree(root, ignore_errors=True)


@dataclass
class Server:
    url: str
    token: str
    body: dict[str, Any]
    database_url: str


@pytest.fixture(scope="session")
def server(cluster: Cluster) -> Iterator[Server]:
    """The demo city on the cluster, served by gunicorn (persistent connections, DEBUG off),
    with an access token of 李娜 and her application, as in the case throughput bench."""
    var_dir = Path(tempfile.mkdtemp(prefix="tongban-faults-"))
    process = None
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BENCH_PG_URL", cluster.url("postgres"))  # the bench's database server
        env = server_environment(var_dir)
        env.pop("TONGBAN_BENCH_ENDPOINTS")
        assert env["DB_CONN_MAX_AGE"] == "60"
        try:
            client = prepare_database(env)
            process, url = start_server(env, argparse.Namespace(workers=WORKERS, threads=1))
            token = Credential(url, client, _applicant_phone(), staff=False).access
            yield Server(url, token, application_body(url), cluster.url(DATABASE))
        finally:
            if process is not None:
                process.terminate()
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
            shutil.rmtree(var_dir, ignore_errors=True)


def _connect(url: str, **kwargs: Any) -> Any:
    import psycopg

    return psycopg.connect(url, connect_timeout=10, **kwargs)


def _app_backends(conn: Any) -> list[tuple[Any, ...]]:
    """The server's sessions: pid, state, wait event type, query, whether it has written."""
    return conn.execute(
        """SELECT pid, state, wait_event_type, query, backend_xid IS NOT NULL
           FROM pg_stat_activity
           WHERE datname = %s AND pid <> pg_backend_pid() AND backend_type = 'client backend'
             AND application_name = ''""",
        (DATABASE,),
    ).fetchall()


def _rows(conn: Any) -> dict[str, int]:
    tables = ("cases_case", "cases_casematerial", "cases_submissionkey", "cases_caseevent")
    return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}


def _wait_for(condition: Any, what: str, timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _apply(server: Server, key: str) -> requests.Response:
    return requests.post(
        f"{server.url}/api/v1/cases",
        json=server.body,
        headers={"Authorization": f"Bearer {server.token}", "Idempotency-Key": key},
        timeout=60,
    )


def _my_cases(server: Server) -> requests.Response:
    return requests.get(
        f"{server.url}/api/v1/cases",
        headers={"Authorization": f"Bearer {server.token}"},
        timeout=30,
    )


def test_restart_mid_submission(cluster: Cluster, server: Server) -> None:
    key = f"restart-{uuid.uuid4()}"
    monitor = _connect(server.database_url, autocommit=True, application_name="faults-monitor")

    # Every worker holds a persistent connection before the restart (requests at once, so
    # that both workers serve some).
    def warmed() -> bool:
        answers: list[int] = []
        calls = [
            threading.Thread(target=lambda: answers.append(_my_cases(server).status_code))
            for _ in range(2 * WORKERS)
        ]
        for call in calls:
            call.start()
        for call in calls:
            call.join()
        assert answers == [200] * len(calls), answers
        return len(_app_backends(monitor)) >= WORKERS

    _wait_for(warmed, f"{WORKERS} persistent connections of the server")
    before = _rows(monitor)

    # Reads pass, inserts wait: the request writes its case, then waits to record its key.
    locker = _connect(server.database_url, application_name="faults-locker")
    locker.execute("LOCK TABLE cases_submissionkey IN EXCLUSIVE MODE")
    first: dict[str, requests.Response | BaseException] = {}

    def send() -> None:
        try:
            first["response"] = _apply(server, key)
        except BaseException as exc:  # reported by the assertion below
            first["response"] = exc

    sender = threading.Thread(target=send)
    sender.start()
    [(_pid, _state, _wait, query, wrote)] = _wait_for(
        lambda: [b for b in _app_backends(monitor) if b[2] == "Lock"],
        "the submission to wait for the lock",
    )
    assert 'INSERT INTO "cases_submissionkey"' in query, query
    assert wrote, "the waiting submission has not written its case yet"
    monitor.close()

    cluster.ctl("restart", "-m", "fast")
    sender.join(timeout=60)
    locker.close()
    response = first.get("response")
    assert isinstance(response, requests.Response), f"the interrupted request: {response!r}"
    assert response.status_code == 503, (response.status_code, response.text[:500])
    assert int(response.headers["Retry-After"]) > 0
    assert response.headers["Content-Type"].startswith("application/json")
    error = response.json()
    assert error["code"] == "unavailable", error
    assert error["message"], error

    with _connect(server.database_url, autocommit=True) as conn:
        assert _rows(conn) == before, "the interrupted submission left rows behind"
        assert conn.execute(
            "SELECT count(*) FROM cases_submissionkey WHERE key = %s", (key,)
        ).fetchone() == (0,)

    # The same request again: the case, once; and once more: the same case.
    retried = _apply(server, key)
    assert retried.status_code == 201, (retried.status_code, retried.text[:500])
    number = retried.json()["number"]
    repeated = _apply(server, key)
    assert repeated.status_code == 200, (repeated.status_code, repeated.text[:500])
    assert repeated.json()["number"] == number

    with _connect(server.database_url, autocommit=True) as conn:
        assert conn.execute(
            """SELECT c.number FROM cases_submissionkey k JOIN cases_case c ON c.id = k.case_id
               WHERE k.key = %s""",
            (key,),
        ).fetchall() == [(number,)]
        assert conn.execute(
            "SELECT count(*) FROM cases_case WHERE number = %s", (number,)
        ).fetchone() == (1,)
        after = _rows(conn)
        assert after["cases_case"] == before["cases_case"] + 1
        assert after["cases_submissionkey"] == before["cases_submissionkey"] + 1

        # Every worker's connection died with the restart: each worker must reconnect on its
        # next request rather than fail on the stale connection.
        def reconnected() -> bool:
            answer = _my_cases(server)
            assert answer.status_code == 200, (answer.status_code, answer.text[:500])
            assert number in answer.text
            return len(_app_backends(conn)) >= WORKERS

        _wait_for(reconnected, "every worker to reconnect", timeout=30)
