"""Case throughput over HTTP on PostgreSQL: submissions, whole lifecycles, and a bare insert.

Starts the server stack as it is deployed — gunicorn serving ``tongban.wsgi`` with DEBUG off,
persistent database connections and the database task queue — on a fresh PostgreSQL database
created through ``BENCH_PG_URL``, migrated and loaded with the demo city. Access tokens (scope
``api``) are obtained once, before any timing, through the real single sign-on flow over HTTP:
the log-in form (staff also pass the TOTP step, with the demo keys), the consent page and the
token exchange, for a client registered with ``manage.py oidc_client_create``.

Then, with concurrent clients in this process (one thread and one urllib3 connection each;
kept alive where the worker class allows it — gunicorn's sync workers close after each
response), for a warm-up and a timed window per phase, repeated for ``--rounds`` rounds, the
phases' order reversed every other round (``round_orders``):

- ``baseline_insert``: ``POST /bench/insert`` — the same server stack and the same bearer-token
  check as the API, then one INSERT (``tongban.core.bench_views``, routed only with
  ``TONGBAN_BENCH_ENDPOINTS=1``);
- ``submit``: ``POST /api/v1/cases`` — 李娜 (L2) applies for the residence permit (居住证申领)
  of 临江区 in one call, with the situation's answers, the form and her three materials (small
  PDFs, base64), a new ``Idempotency-Key`` each time;
- ``lifecycle``: submit → accept (review.linjiang) → claim → complete the review → claim
  (approve.linjiang) → decision (approve) → close, all through the API (each step's task id
  comes from the case's answer, which lists the open tasks); a case counts when its close
  answers.

Reports throughput (the median of the rounds; submissions against the baseline of the same
round), p50 / p99 per endpoint (client-side, queueing included, over all rounds), the CPU time
per request of the gunicorn workers, of the PostgreSQL backends serving them and of this load
generator, what those backends were doing (sampled: running, waiting for a lock, idle in a
transaction), and the SQL queries each endpoint makes (counted in-process after the timing,
through the same URLs and middleware). Prints one JSON line; exits non-zero when a request
fails, not when a target is missed. The database is dropped at the end.

    python bench/case_throughput.py [--workers 4] [--threads 1] [--clients 16]
        [--lifecycle-clients 16] [--warmup 3] [--duration 15] [--rounds 2] [--profile N]

``--profile N`` prints the top of a cProfile of N submissions to stderr; with
``BENCH_PROFILE_OUT=file`` set it also writes the whole profile there (``pstats``).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import requests
import urllib3

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
DATABASE = "tongban_bench_cases"
DEMO_PASSWORD = "Tongban-demo-2026"  # noqa: S105 - the demo accounts' (tongban.demo.loader)
REDIRECT = "https://bench.example/callback"
APPLICANT = 1  # index into tongban.demo.people.PEOPLE: 李娜, L2
REVIEWER, APPROVER = "review.linjiang", "approve.linjiang"  # 临江区 public security
ITEM_NAME, ITEM_REGION = "居住证申领", "990102"
ANSWERS = {"Q1": ["job"], "Q3": ["self"]}  # employed, applying in person
FORM = {"contact_name": "李娜", "contact_phone": "13800000002", "address": "江川市临江区滨江路8号"}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DECISION = {"outcome": "approve", "reason": "符合条件", "legal_basis": "《居住证暂行条例》第九条"}
TARGETS = {"submit_rps": 400, "submit_vs_baseline": 0.4, "lifecycle_cases_per_s": 100}
LIFECYCLE_ENDPOINTS = {
    "submit": "POST /cases",
    "accept": "POST /cases/{n}/accept",
    "claim": "POST /tasks/{id}/claim",
    "complete": "POST /tasks/{id}/complete",
    "decide": "POST /cases/{n}/decisions",
    "close": "POST /cases/{n}/close",
}
MAX_ERRORS = 50  # per phase: past this the phase stops (the server is down or refusing)
CLK_TCK = os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def pg_url(database: str) -> str:
    base = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    return base.rsplit("/", 1)[0] + "/" + database


def admin_execute(*statements: str) -> None:
    import psycopg

    base = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    with psycopg.connect(base, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------------------------
# CPU accounting from /proc: the gunicorn workers, the PostgreSQL backends, the whole machine


def proc_cpu_seconds(pid: int) -> float | None:
    """CPU seconds of a process so far, or None once it has exited."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime


def cpu_of(pids: list[int]) -> dict[int, float]:
    """CPU seconds of each process still running."""
    seconds = {pid: proc_cpu_seconds(pid) for pid in pids}
    return {pid: value for pid, value in seconds.items() if value is not None}


def cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU used between two readings by the processes alive at both (a backend that exits in
    between is left out rather than counted negative)."""
    return sum(after[pid] - before[pid] for pid in before.keys() & after.keys())


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def machine_cpu() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    return sum(values) - idle, sum(values)


@dataclass
class CpuSnapshot:
    workers: list[int]
    backends: list[int]
    app: dict[int, float]
    db: dict[int, float]
    loadgen: float
    machine: tuple[float, float]


class Meter:
    """CPU seconds of the server's workers and of the database backends serving them, and
    samples of what those backends are doing (running a statement, waiting for a lock, idle
    inside a transaction)."""

    SESSIONS = """
        SELECT pid, state, wait_event_type FROM pg_stat_activity
        WHERE datname = %s AND pid <> pg_backend_pid() AND backend_type = 'client backend'
    """

    def __init__(self, server_pid: int) -> None:
        import psycopg

        self.server_pid = server_pid
        self.conn = psycopg.connect(pg_url("postgres"), autocommit=True)

    def close(self) -> None:
        self.conn.close()

    def sessions(self) -> list[tuple[int, str, str | None]]:
        return self.conn.execute(self.SESSIONS, (DATABASE,)).fetchall()

    def snapshot(self, like: CpuSnapshot | None = None) -> CpuSnapshot:
        """Now; with ``like``, for the same processes (so the difference is theirs)."""
        workers = like.workers if like else children_of(self.server_pid)
        backends = like.backends if like else [pid for pid, _s, _w in self.sessions()]
        return CpuSnapshot(
            workers=workers,
            backends=backends,
            app=cpu_of(workers),
            db=cpu_of(backends),
            loadgen=time.process_time(),
            machine=machine_cpu(),
        )

    def sample_until(self, deadline: float, every: float = 0.2) -> dict[str, float]:
        """Mean number of the database's sessions in each state until ``deadline``."""
        counts = {"active": 0, "waiting_for_lock": 0, "idle_in_transaction": 0}
        samples = 0
        while time.perf_counter() < deadline:
            for _pid, state, wait in self.sessions():
                if state == "active" and wait == "Lock":
                    counts["waiting_for_lock"] += 1
                elif state == "active":
                    counts["active"] += 1
                elif state and state.startswith("idle in transaction"):
                    counts["idle_in_transaction"] += 1
            samples += 1
            time.sleep(max(0.0, min(every, deadline - time.perf_counter())))
        return {key: value / max(samples, 1) for key, value in counts.items()}


# --------------------------------------------------------------------------------------------
# Setup: the database, the server, the tokens


def server_environment(var_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tongban.settings",
        "PYTHONPATH": str(ROOT / "src"),
        "TONGBAN_VAR_DIR": str(var_dir),
        "DATABASE_URL": pg_url(DATABASE),
        "DB_CONN_MAX_AGE": "60",
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
        "RATELIMIT_ENABLE": "0",
        "TONGBAN_BENCH_ENDPOINTS": "1",
        "SMS_BACKEND": "tongban.core.messaging.FileSmsBackend",
        "SMS_FILE_PATH": str(var_dir / "sms"),
        # The database task backend (the default): notifications are task rows written in
        # the transaction of each transition, as in production. No worker runs them here.
        "TASKS_BACKEND": "",
    }


def prepare_database(env: dict[str, str]) -> str:
    """Create, migrate and load the demo city; register the benchmark's SSO client."""
    admin_execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)", f"CREATE DATABASE {DATABASE}")
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--no-input", "-v", "0"], env=env, check=True)
    subprocess.run([*manage, "load_demo"], env=env, check=True, stdout=subprocess.DEVNULL)
    created = subprocess.run(
        [*manage, "oidc_client_create", "--name", "压测客户端", "--redirect-uri", REDIRECT],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    values = dict(line.split(": ", 1) for line in created.stdout.splitlines() if ": " in line)
    return values["client_id"] + ":" + values["client_secret"]


def start_server(env: dict[str, str], args: argparse.Namespace) -> tuple[subprocess.Popen, str]:
    port = free_port()
    worker_class = "sync" if args.threads == 1 else "gthread"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "tongban.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--threads",
            str(args.threads),
            "--worker-class",
            worker_class,
            "--backlog",
            "2048",
            "--keep-alive",
            "5",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1) as response:
                if response.status == 200:
                    return server, url
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise RuntimeError("the server did not start")


class _Forms(HTMLParser):
    """The input fields of every form of a page, with the form's attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[dict[str, str], dict[str, str]]] = []
        self.inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append((values, {}))
            self.inside = True
        elif tag == "input" and self.inside and values.get("name"):
            self.forms[-1][1].setdefault(values["name"], values.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False


def form_fields(html: str, match: Callable[[dict[str, str]], bool]) -> dict[str, str]:
    parser = _Forms()
    parser.feed(html)
    for attrs, fields in parser.forms:
        if match(attrs):
            return dict(fields)
    raise RuntimeError("the page has no such form")


def totp_now(username: str) -> str:
    from django_otp.oath import totp

    from tongban.demo.people import totp_key

    return f"{totp(bytes.fromhex(totp_key(username)), step=30, t0=0, digits=6):06d}"


def obtain_tokens(base: str, client: str, identifier: str, *, staff: bool) -> dict[str, Any]:
    """Log in through the form (and the TOTP step for staff), consent, exchange the code."""
    client_id, client_secret = client.split(":", 1)
    browser = requests.Session()
    login = f"{base}/account/login/"
    fields = form_fields(
        browser.get(login, timeout=30).text, lambda a: "stack" in a.get("class", "")
    )
    fields.update(username=identifier, password=DEMO_PASSWORD)
    response = browser.post(
        login, data=fields, allow_redirects=False, headers={"Referer": login}, timeout=30
    )
    if response.status_code != 302:
        raise RuntimeError(f"log-in of {identifier} refused ({response.status_code})")
    if staff:
        step = f"{base}/account/second-factor/"
        page = browser.get(step, timeout=30)
        fields = form_fields(page.text, lambda a: "stack" in a.get("class", ""))
        fields["token"] = totp_now(identifier)
        response = browser.post(
            step, data=fields, allow_redirects=False, headers={"Referer": step}, timeout=30
        )
        if response.status_code != 302:
            raise RuntimeError(f"the TOTP step of {identifier} failed ({response.status_code})")
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": REDIRECT,
        "scope": "openid api",
        "state": secrets.token_urlsafe(8),
        "nonce": secrets.token_urlsafe(8),
        "code_challenge": challenge.decode(),
        "code_challenge_method": "S256",
    }
    authorize = f"{base}/oauth/authorize/?{urlencode(params)}"
    response = browser.get(authorize, allow_redirects=False, timeout=30)
    if response.status_code == 200:  # the consent page
        fields = form_fields(response.text, lambda a: a.get("id") == "authorizationForm")
        fields["allow"] = "Authorize"
        response = browser.post(
            f"{base}/oauth/authorize/",
            data=fields,
            allow_redirects=False,
            headers={"Referer": authorize},
            timeout=30,
        )
    location = response.headers.get("Location", "")
    if response.status_code != 302 or not location.startswith(REDIRECT):
        raise RuntimeError(f"no authorization code for {identifier} ({response.status_code})")
    code = parse_qs(urlsplit(location).query)["code"][0]
    token = requests.post(
        f"{base}/oauth/token/",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "code_verifier": verifier,
        },
        auth=(client_id, client_secret),
        timeout=30,
    )
    if token.status_code != 200:
        raise RuntimeError(f"token exchange for {identifier} failed: {token.text[:200]}")
    return dict(token.json())


def application_body(base: str) -> dict[str, Any]:
    """The one-call application, from the public catalog API: the item and its materials."""
    found = requests.get(
        f"{base}/api/v1/catalog/items",
        params={"q": ITEM_NAME, "region": ITEM_REGION, "page_size": 100},
        timeout=30,
    ).json()
    [code] = [
        r["implementation_code"]
        for r in found["results"]
        if r["name"] == ITEM_NAME and r["region"] == ITEM_REGION
    ]
    listed = requests.post(
        f"{base}/api/v1/catalog/items/{code}/materials", json={"answers": ANSWERS}, timeout=30
    ).json()
    encoded = base64.b64encode(PDF).decode()
    materials = [
        {"material": m["code"], "filename": f"{m['code']}.pdf", "content_base64": encoded}
        for m in listed["materials"]
        if m["source"] == "applicant"
    ]
    return {"item": code, "answers": ANSWERS, "form": FORM, "materials": materials}


# --------------------------------------------------------------------------------------------
# Load: one thread and one keep-alive connection per client


class Failed(Exception):
    pass


@dataclass
class Recorder:
    """One client's samples: (end time, latency in ms) per endpoint, units completed."""

    samples: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    units: list[tuple[float, float]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class Client:
    def __init__(self, url: str, recorder: Recorder) -> None:
        parts = urlsplit(url)
        self.pool = urllib3.HTTPConnectionPool(
            parts.hostname,
            parts.port,
            maxsize=1,
            block=True,
            timeout=urllib3.Timeout(connect=10, read=60),
            # Only connecting is retried: a request that reached the server is never repeated.
            retries=urllib3.Retry(total=2, connect=2, read=0, status=0, other=0, redirect=0),
        )
        self.recorder = recorder

    def call(
        self,
        label: str,
        method: str,
        path: str,
        token: str,
        body: Any = None,
        *,
        expect: tuple[int, ...] = (200,),
        headers: dict[str, str] | None = None,
    ) -> Any:
        sent = {"Authorization": f"Bearer {token}", **(headers or {})}
        data = None
        if method == "POST":
            data = json.dumps(body if body is not None else {}, ensure_ascii=False).encode()
            sent["Content-Type"] = "application/json"
        started = time.perf_counter()
        try:
            response = self.pool.request(method, path, body=data, headers=sent)
        except urllib3.exceptions.HTTPError as exc:
            raise Failed(f"{label}: {type(exc).__name__}") from None
        ended = time.perf_counter()
        if response.status not in expect:
            raise Failed(f"{label}: {response.status} {response.data[:200]!r}")
        self.recorder.samples.setdefault(label, []).append((ended, (ended - started) * 1000))
        return json.loads(response.data) if response.data else None


class Credential:
    """An access token of one demo account, renewed with its refresh token when it would
    expire during the next phase (access tokens live 600 s)."""

    LIFETIME = 600

    def __init__(self, base: str, client: str, identifier: str, *, staff: bool) -> None:
        self.base, self.client = base, client
        self._store(obtain_tokens(base, client, identifier, staff=staff))

    def _store(self, answer: dict[str, Any]) -> None:
        self.access = str(answer["access_token"])
        self.refresh = str(answer["refresh_token"])
        self.obtained = time.monotonic()

    def valid_for(self, seconds: float) -> None:
        if time.monotonic() - self.obtained + seconds < self.LIFETIME - 30:
            return
        client_id, client_secret = self.client.split(":", 1)
        answer = requests.post(
            f"{self.base}/oauth/token/",
            data={"grant_type": "refresh_token", "refresh_token": self.refresh},
            auth=(client_id, client_secret),
            timeout=30,
        )
        if answer.status_code != 200:
            raise RuntimeError(f"token refresh failed: {answer.text[:200]}")
        self._store(answer.json())


@dataclass
class Tokens:
    applicant_credential: Credential
    reviewer_credential: Credential
    approver_credential: Credential

    @property
    def applicant(self) -> str:
        return self.applicant_credential.access

    @property
    def reviewer(self) -> str:
        return self.reviewer_credential.access

    @property
    def approver(self) -> str:
        return self.approver_credential.access

    def valid_for(self, seconds: float) -> None:
        for credential in (
            self.applicant_credential,
            self.reviewer_credential,
            self.approver_credential,
        ):
            credential.valid_for(seconds)


def submit(client: Client, tokens: Tokens, body: dict[str, Any], key: str) -> str:
    case = client.call(
        "submit",
        "POST",
        "/api/v1/cases",
        tokens.applicant,
        body,
        expect=(201,),
        headers={"Idempotency-Key": key},
    )
    return str(case["number"])


def open_task(case: dict[str, Any], step: str) -> int:
    """The id of the case's open task of ``step``, as the case's answer lists it."""
    found = [t["id"] for t in case["tasks"] if t["step"] == step and t["status"] == "open"]
    if len(found) != 1:
        raise Failed(f"{step}: {len(found)} open tasks in the case's answer")
    return int(found[0])


def lifecycle(client: Client, tokens: Tokens, body: dict[str, Any], key: str) -> None:
    number = submit(client, tokens, body, key)
    accepted = client.call("accept", "POST", f"/api/v1/cases/{number}/accept", tokens.reviewer, {})
    review = open_task(accepted, "review")
    client.call("claim", "POST", f"/api/v1/tasks/{review}/claim", tokens.reviewer)
    reviewed = client.call(
        "complete", "POST", f"/api/v1/tasks/{review}/complete", tokens.reviewer, {"note": "齐全"}
    )
    decide = open_task(reviewed, "decide")
    client.call("claim", "POST", f"/api/v1/tasks/{decide}/claim", tokens.approver)
    decided = client.call(
        "decide",
        "POST",
        f"/api/v1/cases/{number}/decisions",
        tokens.approver,
        {"task": decide, **DECISION},
        expect=(201,),
    )
    if decided["status"] != "approved":
        raise Failed(f"decide: status {decided['status']}")
    closed = client.call("close", "POST", f"/api/v1/cases/{number}/close", tokens.approver)
    if closed["status"] != "closed":
        raise Failed(f"close: status {closed['status']}")


@dataclass
class PhaseRun:
    """One timed window of one phase: what completed inside it, and the CPU it took."""

    seconds: float
    units: list[float]  # ms per completed unit (a request, or a whole lifecycle)
    endpoints: dict[str, list[float]]  # ms per request, by endpoint
    cpu: dict[str, float]  # seconds: app, db, loadgen; machine_busy: fraction
    sessions: dict[str, float]  # mean database sessions: active, waiting for a lock, idle in tx
    errors: list[str]


def run_phase(
    name: str,
    url: str,
    clients: int,
    warmup: float,
    duration: float,
    unit: Callable[[Client, str], None],
    meter: Meter,
) -> PhaseRun:
    """Run ``unit`` in a loop on ``clients`` threads; measure the window after the warm-up.
    A unit or request counts when it completes inside the window."""
    recorders = [Recorder() for _ in range(clients)]
    too_many_errors = threading.Event()
    lock = threading.Lock()
    error_count = [0]
    window_start = time.perf_counter() + warmup
    window_end = window_start + duration

    def loop(i: int) -> None:
        recorder = recorders[i]
        client = Client(url, recorder)
        n = 0
        while time.perf_counter() < window_end and not too_many_errors.is_set():
            n += 1
            started = time.perf_counter()
            try:
                unit(client, f"{name}-{i}-{n}-{secrets.token_hex(4)}")
            except Failed as exc:
                recorder.errors.append(str(exc))
                with lock:
                    error_count[0] += 1
                    if error_count[0] >= MAX_ERRORS:
                        too_many_errors.set()
                continue
            ended = time.perf_counter()
            recorder.units.append((ended, (ended - started) * 1000))

    threads = [threading.Thread(target=loop, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    time.sleep(max(0.0, window_start - time.perf_counter()))
    before = meter.snapshot()
    sessions = meter.sample_until(window_end)
    after = meter.snapshot(like=before)
    for t in threads:
        t.join(timeout=120)

    def within(samples: list[tuple[float, float]]) -> list[float]:
        return [ms for end, ms in samples if window_start <= end <= window_end]

    endpoints: dict[str, list[float]] = {}
    for r in recorders:
        for label, samples in r.samples.items():
            endpoints.setdefault(label, []).extend(within(samples))
    busy = after.machine[0] - before.machine[0]
    total = after.machine[1] - before.machine[1]
    return PhaseRun(
        seconds=duration,
        units=[ms for r in recorders for ms in within(r.units)],
        endpoints=endpoints,
        cpu={
            "app": cpu_used(before.app, after.app),
            "db": cpu_used(before.db, after.db),
            "loadgen": after.loadgen - before.loadgen,
            "machine_busy": busy / total if total else 0.0,
        },
        sessions=sessions,
        errors=[e for r in recorders for e in r.errors],
    )


def latency(values: list[float]) -> dict[str, Any]:
    if not values:
        return {"n": 0, "p50_ms": None, "p99_ms": None}
    return {
        "n": len(values),
        "p50_ms": round(statistics.median(values), 1),
        "p99_ms": round(percentile(values, 99), 1),
    }


def summary(runs: list[PhaseRun], clients: int) -> dict[str, Any]:
    """A phase over all rounds: the median rate of the rounds, latencies over every measured
    unit and request, and CPU per unit (ms) of the server's workers, the database backends
    serving them and this load generator, with the cores the server and database used."""
    rates = [len(r.units) / r.seconds for r in runs]
    units = sum(len(r.units) for r in runs) or 1
    seconds = sum(r.seconds for r in runs)
    endpoints: dict[str, list[float]] = {}
    for r in runs:
        for label, values in r.endpoints.items():
            endpoints.setdefault(label, []).extend(values)
    cpu = {key: sum(r.cpu[key] for r in runs) for key in ("app", "db", "loadgen")}
    errors = [e for r in runs for e in r.errors]
    return {
        "clients": clients,
        "rate": round(statistics.median(rates), 1),
        "rate_per_round": [round(v, 1) for v in rates],
        "unit": latency([ms for r in runs for ms in r.units]),
        "requests_per_s": round(sum(len(v) for v in endpoints.values()) / seconds, 1),
        "endpoints": {label: latency(values) for label, values in endpoints.items() if values},
        "cpu_ms_per_unit": {key: round(value * 1000 / units, 2) for key, value in cpu.items()},
        "cores_used": {
            "app": round(cpu["app"] / seconds, 2),
            "db": round(cpu["db"] / seconds, 2),
            "machine_busy": round(statistics.mean(r.cpu["machine_busy"] for r in runs), 2),
        },
        "db_sessions": {
            key: round(statistics.mean(r.sessions[key] for r in runs), 2)
            for key in runs[0].sessions
        },
        "errors": len(errors),
        "first_errors": sorted(set(errors))[:5],
    }


# --------------------------------------------------------------------------------------------
# Queries per endpoint: one lifecycle in-process, through the same URLs and middleware


def round_orders(names: list[str], rounds: int) -> list[list[str]]:
    """The phases' order in each round: as given, then reversed, and so on. The speed of a
    shared machine drifts within minutes; alternating makes the drift weigh on each phase
    alike instead of always on the later one, and keeps the baseline next to the phase
    compared with it."""
    return [list(names) if index % 2 == 0 else names[::-1] for index in range(rounds)]


def queries_per_endpoint(env: dict[str, str], tokens: Tokens, body: dict[str, Any]) -> dict:
    for name in ("TONGBAN_VAR_DIR", "DATABASE_URL", "DEBUG", "RATELIMIT_ENABLE", "SMS_BACKEND"):
        os.environ[name] = env[name]
    os.environ.update(
        DJANGO_SETTINGS_MODULE="tongban.settings",
        TONGBAN_BENCH_ENDPOINTS="1",
        SMS_FILE_PATH=env["SMS_FILE_PATH"],
        LOG_LEVEL="WARNING",
        ALLOWED_HOSTS="testserver",
        DB_CONN_MAX_AGE="0",
    )
    import django

    django.setup()
    from django.db import connection
    from django.test import Client as DjangoClient
    from django.test.utils import CaptureQueriesContext

    counts: dict[str, int] = {}

    def call(label: str, method: str, path: str, token: str, data: Any = None, **headers: str):
        extra = {f"HTTP_{k.upper()}": v for k, v in headers.items()}
        extra["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        with CaptureQueriesContext(connection) as queries:
            if method == "GET":
                response = DjangoClient().get(path, **extra)
            else:
                response = DjangoClient().post(
                    path, json.dumps(data or {}), content_type="application/json", **extra
                )
        if response.status_code >= 300:
            raise RuntimeError(f"{label}: {response.status_code} {response.content[:200]!r}")
        counts.setdefault(label, len(queries))
        return response.json()

    call("baseline_insert", "POST", "/bench/insert", tokens.applicant)
    headers = {"IDEMPOTENCY_KEY": "queries-" + secrets.token_hex(4)}
    number = call("submit", "POST", "/api/v1/cases", tokens.applicant, body, **headers)["number"]
    accepted = call("accept", "POST", f"/api/v1/cases/{number}/accept", tokens.reviewer)
    review = open_task(accepted, "review")
    call("claim", "POST", f"/api/v1/tasks/{review}/claim", tokens.reviewer)
    reviewed = call(
        "complete", "POST", f"/api/v1/tasks/{review}/complete", tokens.reviewer, {"note": "齐全"}
    )
    decide = open_task(reviewed, "decide")
    call("claim", "POST", f"/api/v1/tasks/{decide}/claim", tokens.approver)
    call(
        "decide",
        "POST",
        f"/api/v1/cases/{number}/decisions",
        tokens.approver,
        {"task": decide, **DECISION},
    )
    call("close", "POST", f"/api/v1/cases/{number}/close", tokens.approver)
    connection.close()
    return counts


def profile_submit(tokens: Tokens, body: dict[str, Any], n: int) -> None:
    """cProfile of ``n`` one-call submissions in-process (after queries_per_endpoint set
    Django up); the top functions by cumulative time go to stderr."""
    import cProfile
    import pstats

    from django.db import connection
    from django.test import Client as DjangoClient

    extra = {"HTTP_AUTHORIZATION": f"Bearer {tokens.applicant}"}
    data = json.dumps(body)
    profiler = cProfile.Profile()
    profiler.enable()
    for i in range(n):
        response = DjangoClient().post(
            "/api/v1/cases",
            data,
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=f"profile-{i}-{secrets.token_hex(4)}",
            **extra,
        )
        assert response.status_code == 201, response.content[:200]
    profiler.disable()
    connection.close()
    if os.environ.get("BENCH_PROFILE_OUT"):  # the whole profile, for pstats / snakeviz
        profiler.dump_stats(os.environ["BENCH_PROFILE_OUT"])
    stats = pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative")
    stats.print_stats(45)
    stats.sort_stats("tottime").print_stats(25)


# --------------------------------------------------------------------------------------------


def postgres_version() -> str:
    import psycopg

    with psycopg.connect(pg_url("postgres"), autocommit=True) as conn:
        return str(conn.execute("SHOW server_version").fetchone()[0])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (gthread)")
    parser.add_argument("--clients", type=int, default=16, help="clients for insert and submit")
    parser.add_argument("--lifecycle-clients", type=int, default=16)
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds, per phase")
    parser.add_argument("--duration", type=float, default=15.0, help="seconds, per phase")
    parser.add_argument("--rounds", type=int, default=2, help="baseline, submit, lifecycle × N")
    parser.add_argument("--profile", type=int, default=0, help="cProfile N submits (stderr)")
    args = parser.parse_args()
    if args.warmup + args.duration > 500:
        parser.error("a phase must fit in an access token's life (600 s)")

    var_dir = Path(tempfile.mkdtemp(prefix="tongban-bench-cases-"))
    env = server_environment(var_dir)
    server = None
    result: dict[str, Any] = {"benchmark": "case_throughput", "database": "postgresql"}
    failed = False
    try:
        started = time.perf_counter()
        client = prepare_database(env)
        setup_seconds = time.perf_counter() - started
        server, url = start_server(env, args)
        import gunicorn

        result["server"] = {
            "wsgi": f"gunicorn {gunicorn.__version__} tongban.wsgi:application",
            "workers": args.workers,
            "threads": args.threads,
            "worker_class": "sync" if args.threads == 1 else "gthread",
            "cpus": os.cpu_count(),
            "postgresql": postgres_version(),
            "debug": False,
            "db_conn_max_age": 60,
            "tasks_backend": "database (rows written with each transition; no worker running)",
            "load_average_at_start": [round(v, 2) for v in os.getloadavg()],
        }
        result["setup_seconds"] = round(setup_seconds, 1)
        tokens = Tokens(
            Credential(url, client, _applicant_phone(), staff=False),
            Credential(url, client, REVIEWER, staff=True),
            Credential(url, client, APPROVER, staff=True),
        )
        result["tokens"] = (
            "obtained over HTTP before timing: log-in form (staff: TOTP step), consent, "
            "authorization code with PKCE S256, token exchange"
        )
        body = application_body(url)
        meter = Meter(server.pid)

        def insert_unit(c: Client, key: str) -> None:
            c.call("insert", "POST", "/bench/insert", tokens.applicant, expect=(201,))

        def submit_unit(c: Client, key: str) -> None:
            submit(c, tokens, body, key)

        def lifecycle_unit(c: Client, key: str) -> None:
            lifecycle(c, tokens, body, key)

        phases: dict[str, tuple[int, Callable[[Client, str], None]]] = {
            "baseline_insert": (args.clients, insert_unit),
            "submit": (args.clients, submit_unit),
            "lifecycle": (args.lifecycle_clients, lifecycle_unit),
        }
        runs: dict[str, list[PhaseRun]] = {name: [] for name in phases}
        orders = round_orders(list(phases), args.rounds)
        for order in orders:
            for name in order:
                clients, unit = phases[name]
                tokens.valid_for(args.warmup + args.duration + 60)
                runs[name].append(
                    run_phase(name, url, clients, args.warmup, args.duration, unit, meter)
                )
        meter.close()
        baseline = summary(runs["baseline_insert"], args.clients)
        sub = summary(runs["submit"], args.clients)
        life = summary(runs["lifecycle"], args.lifecycle_clients)
        ratios = [
            len(s.units) / len(b.units) if b.units else 0.0
            for s, b in zip(runs["submit"], runs["baseline_insert"], strict=True)
        ]
        result["phases"] = {
            "rounds": args.rounds,
            "warmup_s": args.warmup,
            "measured_s": args.duration,
            "order": orders,
        }
        result["baseline_insert"] = {
            "rps": baseline["rate"],
            **{k: baseline["unit"][k] for k in ("p50_ms", "p99_ms")},
            "rps_per_round": baseline["rate_per_round"],
            "clients": args.clients,
            "cpu_ms_per_request": baseline["cpu_ms_per_unit"],
            "cores_used": baseline["cores_used"],
            "db_sessions": baseline["db_sessions"],
        }
        result["submit"] = {
            "rps": sub["rate"],
            **{k: sub["unit"][k] for k in ("p50_ms", "p99_ms")},
            "rps_per_round": sub["rate_per_round"],
            "clients": args.clients,
            "cpu_ms_per_request": sub["cpu_ms_per_unit"],
            "cores_used": sub["cores_used"],
            "db_sessions": sub["db_sessions"],
        }
        result["lifecycle"] = {
            "cases_per_s": life["rate"],
            "case_p50_ms": life["unit"]["p50_ms"],
            "case_p99_ms": life["unit"]["p99_ms"],
            "cases_per_s_per_round": life["rate_per_round"],
            "requests_per_s": life["requests_per_s"],
            "clients": args.lifecycle_clients,
            "endpoints": {
                f"{label} {LIFECYCLE_ENDPOINTS[label]}": figures
                for label, figures in life["endpoints"].items()
            },
            "cpu_ms_per_case": life["cpu_ms_per_unit"],
            "cores_used": life["cores_used"],
            "db_sessions": life["db_sessions"],
        }
        ratio = statistics.median(ratios)
        result["submit_vs_baseline"] = round(ratio, 3)
        result["submit_vs_baseline_per_round"] = [round(r, 3) for r in ratios]
        tokens.valid_for(120)
        result["queries_per_request"] = queries_per_endpoint(env, tokens, body)
        if args.profile:
            profile_submit(tokens, body, args.profile)
        result["targets"] = TARGETS
        result["meets_targets"] = {
            "submit_rps": sub["rate"] >= TARGETS["submit_rps"],
            "submit_vs_baseline": ratio >= TARGETS["submit_vs_baseline"],
            "lifecycle_cases_per_s": life["rate"] >= TARGETS["lifecycle_cases_per_s"],
        }
        errors = {name: [e for run in r for e in run.errors] for name, r in runs.items()}
        result["errors"] = sum(len(e) for e in errors.values())
        if result["errors"]:
            result["first_errors"] = {n: sorted(set(e))[:5] for n, e in errors.items() if e}
            failed = True
    except Exception as exc:
        result["error"] = f"{type(exc).__name__}: {exc}"[:1000]
        failed = True
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        try:
            admin_execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        except Exception as exc:  # the result is still worth printing
            result["drop_error"] = str(exc)[:200]
        shutil.rmtree(var_dir, ignore_errors=True)
    print(json.dumps(result, ensure_ascii=False))
    return 1 if failed else 0


def _applicant_phone() -> str:
    from tongban.demo.people import PEOPLE

    return PEOPLE[APPLICANT][2]


if __name__ == "__main__":
    sys.exit(main())
