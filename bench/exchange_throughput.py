"""Exchange gateway throughput over HTTP on PostgreSQL: signed, logged verification queries
against the same look-up served bare, and how fast the message log grows.

Starts the server stack of ``case_throughput.py`` — gunicorn serving ``tongban.wsgi`` with DEBUG
off and persistent database connections — on a fresh PostgreSQL database created through
``BENCH_PG_URL``, migrated and loaded with the demo city (the whole platform by default;
``--settings tongban.settings_gateway`` serves a gateway-only process, as ``docs/exchange.md``
deploys one), whose social-insurance system (``hrss-social-insurance``) holds a grant for
the population registry's ``population-verify``.
The gateway's per-system rate check stays on (``RATELIMIT_ENABLE=1``, the per-process cache);
only the system's limit (``InformationSystem.rate_per_minute``, 6,000 a minute by default) is
raised in the benchmark's database, so nothing is throttled.

Then, with concurrent clients in this process (``case_throughput.run_phase``: one thread and one
urllib3 connection each), for a warm-up and a timed window per phase, repeated for
``--rounds`` rounds, the phases' order reversed every other round (the speed of this shared
machine drifts within minutes; alternating makes the drift weigh on both phases alike):

- ``baseline``: ``POST /bench/exchange/population-verify`` — the same query answered by the same
  provider function (``population.verify``: ID number checks, blind index, registry look-up)
  with no client assertion, grant, signature or log (``tongban.exchange.bench_views``, routed
  only with ``TONGBAN_BENCH_ENDPOINTS=1``);
- ``signed``: ``POST /exchange/r1/{provider}/population-verify`` as a consuming system calls it
  (``tongban.exchange.client.call_headers``): an ES256 client assertion whose ``jti`` is a new
  message id, the ``Tongban-*`` headers and ``{"query": {"id_number", "name"}}`` of the demo
  people in turn; each answer must be 200 with ``{"match": true}``. Message ids and assertions
  are single-use, so every request's headers are signed before its round and the client's
  signing does not take the cores from the server during the window; how many is estimated
  from a short probe before the first round (``--probe`` seconds), capped by ``--max-pool``.

After the rounds the server is stopped; every 200 answer is checked to have been logged as one
served ``ExchangeMessage`` and one data-use record, and a few answers' signatures are verified
with the gateway's JWKS. The exchange chain is sealed (``MESSAGE_CHAIN.seal_all()``), then the
growth of the message table, its checkpoint table and the data-use table
(``pg_total_relation_size``: heap, TOAST and indexes; after the run less before it) is divided
by the messages written and extrapolated to a million messages (MB = 10^6 bytes), as written and
sealed (the sealer's updates leave dead row versions until a vacuum) and compacted (after
``VACUUM FULL``; what a vacuumed table holds).

Reports throughput (the median of the rounds; signed against the baseline of the same round),
p50 / p95 / p99 latency (client-side, queueing included, over all rounds), the CPU time per
request of the gunicorn workers, of the PostgreSQL backends serving them and of this load
generator, the cores they used, and the SQL queries per request (counted in-process after the
timing, through the same URLs and middleware). Prints one JSON line; exits non-zero when a
request fails or the log does not match the answers, not when a target is missed. The
database is dropped at the end.

    python bench/exchange_throughput.py [--workers 4] [--threads 1] [--clients 16]
        [--warmup 3] [--duration 12] [--rounds 4] [--probe 2] [--max-pool 60000] [--profile N]
"""

from __future__ import annotations

import argparse
import collections
import itertools
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
import case_throughput as stack  # noqa: E402 - the harness, next to this file

stack.DATABASE = "tongban_bench_exchange"
SERVICE = "population-verify"
BASELINE_PATH = "/bench/exchange/population-verify"
PURPOSE = "社会保险参保登记时核验参保人身份"  # the demo grant's purpose
RATE_PER_MINUTE = 1_000_000_000  # the demo system's limit on the benchmark's database
TARGETS = {"signed_rps": 500, "signed_vs_baseline": 0.5}
SIGNATURE_SAMPLES = 5
ASSERTION_LIFETIME = 120  # seconds: what client.call_headers signs


def latency(values: list[float]) -> dict[str, Any]:
    if not values:
        return {"n": 0, "p50_ms": None, "p95_ms": None, "p99_ms": None}
    return {
        "n": len(values),
        "p50_ms": round(statistics.median(values), 1),
        "p95_ms": round(stack.percentile(values, 95), 1),
        "p99_ms": round(stack.percentile(values, 99), 1),
    }


# --------------------------------------------------------------------------------------------
# Setup: Django in this process (for the keys, the sealer and the sizes), the demo system


def setup_django(env: dict[str, str]) -> None:
    for name in ("TONGBAN_VAR_DIR", "DATABASE_URL", "DEBUG", "SMS_BACKEND", "SMS_FILE_PATH"):
        os.environ[name] = env[name]
    os.environ.update(
        DJANGO_SETTINGS_MODULE="tongban.settings",
        TONGBAN_BENCH_ENDPOINTS="1",
        RATELIMIT_ENABLE=env["RATELIMIT_ENABLE"],
        LOG_LEVEL="WARNING",
        ALLOWED_HOSTS="testserver",
        DB_CONN_MAX_AGE="60",  # as the server: one connection, kept
    )
    import django

    django.setup()


def exchange_setup() -> dict[str, Any]:
    """Raise the demo system's rate limit; the provider's code, the audience, the system's
    private key, the people to ask about and the tables to measure. Seals what the demo left
    unsealed, so the growth measured is the run's."""
    from django.conf import settings
    from django.db import connection

    from tongban.core.models import DataUseRecord
    from tongban.demo.exchange import DEMO_SYSTEM, demo_private_key
    from tongban.demo.people import PEOPLE
    from tongban.exchange.log import MESSAGE_CHAIN
    from tongban.exchange.models import (
        ExchangeCheckpoint,
        ExchangeMessage,
        ExchangeService,
        InformationSystem,
    )

    system = InformationSystem.objects.get(code=DEMO_SYSTEM)
    InformationSystem.objects.filter(pk=system.pk).update(rate_per_minute=RATE_PER_MINUTE)
    MESSAGE_CHAIN.seal_all()
    found = {
        "system": DEMO_SYSTEM,
        "system_name": system.name,
        "private_jwk": demo_private_key(DEMO_SYSTEM),
        "audience": settings.EXCHANGE_AUDIENCE,
        "provider": ExchangeService.objects.select_related("resource__provider")
        .get(code=SERVICE)
        .resource.provider.credit_code,
        "people": [(name, number) for name, number, *_rest in PEOPLE],
        "tables": {
            "exchange_messages": ExchangeMessage._meta.db_table,
            "exchange_checkpoints": ExchangeCheckpoint._meta.db_table,
            "data_use_records": DataUseRecord._meta.db_table,
        },
    }
    connection.close()
    return found


def signed_requests(setup: dict[str, Any], n: int, start: int) -> collections.deque:
    """``n`` ready requests: (headers with a fresh message id and client assertion, body)."""
    from tongban.exchange import client

    people = setup["people"]
    pool: collections.deque = collections.deque()
    for i in range(start, start + n):
        name, number = people[i % len(people)]
        headers = client.call_headers(
            system=setup["system"],
            private_jwk=setup["private_jwk"],
            audience=setup["audience"],
            user=f"clerk-{i % 40:04d}",
            purpose=PURPOSE,
        )
        pool.append((headers, {"query": {"id_number": number, "name": name}}))
    return pool


# --------------------------------------------------------------------------------------------
# The log: what was written, its size on disk


def table_figures(tables: dict[str, str]) -> dict[str, dict[str, int]]:
    """Rows and total size (heap, TOAST, indexes) of each table, by its label."""
    import psycopg

    with psycopg.connect(stack.pg_url(stack.DATABASE), autocommit=True) as conn:
        return {
            label: {
                "rows": int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]),
                "bytes": int(
                    conn.execute("SELECT pg_total_relation_size(%s)", (table,)).fetchone()[0]
                ),
            }
            for label, table in tables.items()
        }


def vacuum_full(tables: dict[str, str]) -> None:
    import psycopg

    with psycopg.connect(stack.pg_url(stack.DATABASE), autocommit=True) as conn:
        for table in tables.values():
            conn.execute(f"VACUUM FULL {table}")


def log_counts(setup: dict[str, Any]) -> dict[str, int]:
    """The demo system's messages by outcome and the data-use records of the exchange."""
    import psycopg

    tables = setup["tables"]
    with psycopg.connect(stack.pg_url(stack.DATABASE), autocommit=True) as conn:
        outcomes = dict(
            conn.execute(
                f"SELECT outcome, count(*) FROM {tables['exchange_messages']} "
                "WHERE client = %s AND service = %s GROUP BY outcome",
                (setup["system"], SERVICE),
            ).fetchall()
        )
        uses = conn.execute(
            f"SELECT count(*) FROM {tables['data_use_records']} "
            "WHERE channel = 'exchange' AND system = %s AND served",
            (setup["system_name"],),
        ).fetchone()[0]
    return {
        "served": int(outcomes.pop("served", 0)),
        "other": int(sum(outcomes.values())),
        "data_use": int(uses),
    }


def growth(
    before: dict[str, dict[str, int]], after: dict[str, dict[str, int]], messages: int
) -> dict[str, Any]:
    per_message = {
        label: (after[label]["bytes"] - before[label]["bytes"]) / max(messages, 1)
        for label in before
    }
    out: dict[str, Any] = {
        f"{label}_mb_per_million": round(value, 1) for label, value in per_message.items()
    }  # bytes per message × 10^6 / 10^6
    out["total_mb_per_million"] = round(sum(per_message.values()), 1)
    out["bytes_per_message"] = {label: round(value, 1) for label, value in per_message.items()}
    out["rows_added"] = {label: after[label]["rows"] - before[label]["rows"] for label in before}
    return out


def signatures_verified(url: str, setup: dict[str, Any], n: int) -> int:
    """Call ``n`` times outside the timing and verify each answer's signature with the
    gateway's published keys; returns how many verified (each must)."""
    from tongban.exchange import client
    from tongban.exchange.services import request_hash

    path = f"/exchange/r1/{setup['provider']}/{SERVICE}"
    with stack.urllib3.PoolManager() as http:
        jwks = json.loads(http.request("GET", f"{url}/exchange/jwks").data)
    verified = 0
    for headers, body in signed_requests(setup, n, start=10**6):
        data = client.call_body(body["query"])
        reply = client.post(url + path, data, headers)
        if reply.status != 200:
            raise stack.Failed(f"signature sample: {reply.status} {reply.body[:200]!r}")
        client.check_answer(
            jwks=jwks,
            body=reply.body,
            headers=reply.headers,
            request_hash=request_hash("POST", path, data),
            message_id=headers["Tongban-Id"],
        )
        verified += 1
    return verified


# --------------------------------------------------------------------------------------------
# In process, after the timing: queries per request, and a profile of the gateway


def _in_process_call(setup: dict[str, Any], signed: bool, i: int) -> Any:
    from django.test import Client as DjangoClient

    headers, body = signed_requests(setup, 1, start=2 * 10**6 + i)[0]
    data = json.dumps(body, ensure_ascii=False)
    if not signed:
        return DjangoClient().post(BASELINE_PATH, data, content_type="application/json")
    return DjangoClient().post(
        f"/exchange/r1/{setup['provider']}/{SERVICE}",
        data,
        content_type="application/json",
        headers={k: v for k, v in headers.items() if k != "Content-Type"},
    )


def queries_per_request(setup: dict[str, Any]) -> dict[str, int]:
    """SQL queries of one request of each kind, once the process's caches are warm."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for label, signed in (("baseline", False), ("signed", True)):
        for i in range(2):  # the second: the gateway key and the system's keys are cached
            with CaptureQueriesContext(connection) as queries:
                response = _in_process_call(setup, signed, i)
            if response.status_code != 200:
                raise RuntimeError(f"{label}: {response.status_code} {response.content[:200]!r}")
        counts[label] = len(queries)
    connection.close()
    return counts


def profile_signed(setup: dict[str, Any], n: int) -> None:
    """cProfile of ``n`` signed calls in-process; the top functions go to stderr."""
    import cProfile
    import pstats

    from django.db import connection

    _in_process_call(setup, True, -1)
    profiler = cProfile.Profile()
    profiler.enable()
    for i in range(n):
        response = _in_process_call(setup, True, 100 + i)
        assert response.status_code == 200, response.content[:200]
    profiler.disable()
    connection.close()
    stats = pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative")
    stats.print_stats(45)
    stats.sort_stats("tottime").print_stats(25)


# --------------------------------------------------------------------------------------------


def phase_summary(runs: list[stack.PhaseRun], clients: int, endpoint: str) -> dict[str, Any]:
    figures = stack.summary(runs, clients)
    return {
        "endpoint": endpoint,
        "rps": figures["rate"],
        **{k: v for k, v in latency([ms for r in runs for ms in r.units]).items() if k != "n"},
        "rps_per_round": figures["rate_per_round"],
        "requests": sum(len(r.units) for r in runs),
        "cpu_ms_per_request": figures["cpu_ms_per_unit"],
        "cores_used": figures["cores_used"],
        "db_sessions": figures["db_sessions"],
        "errors": figures["errors"],
        **({"first_errors": figures["first_errors"]} if figures["errors"] else {}),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (gthread)")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds, per phase")
    parser.add_argument("--duration", type=float, default=12.0, help="seconds, per phase")
    parser.add_argument(
        "--rounds", type=int, default=4, help="baseline, signed × N (the order alternating)"
    )
    parser.add_argument("--probe", type=float, default=2.0, help="seconds: sizes the pools")
    parser.add_argument("--max-pool", type=int, default=60000, help="signed requests per round")
    parser.add_argument("--profile", type=int, default=0, help="cProfile N signed calls (stderr)")
    parser.add_argument(
        "--settings",
        default="tongban.settings",
        help="the server's settings: the platform (default) or tongban.settings_gateway",
    )
    args = parser.parse_args()
    if args.warmup + args.duration > ASSERTION_LIFETIME - 20:
        parser.error(f"a phase must fit in a client assertion's life ({ASSERTION_LIFETIME} s)")

    var_dir = Path(tempfile.mkdtemp(prefix="tongban-bench-exchange-"))
    env = stack.server_environment(var_dir)
    env["RATELIMIT_ENABLE"] = "1"  # the gateway's rate check runs (the limit is raised)
    env["DJANGO_SETTINGS_MODULE"] = args.settings
    server = None
    result: dict[str, Any] = {"benchmark": "exchange_throughput", "database": "postgresql"}
    failed = False
    try:
        started = time.perf_counter()
        stack.prepare_database(env)
        setup_django(env)
        setup = exchange_setup()
        tables = setup["tables"]
        vacuum_full(tables)
        result["setup_seconds"] = round(time.perf_counter() - started, 1)
        before_sizes = table_figures(tables)
        before_log = log_counts(setup)
        server, url = stack.start_server(env, args)
        import gunicorn

        result["server"] = {
            "wsgi": f"gunicorn {gunicorn.__version__} tongban.wsgi:application",
            "settings": args.settings,
            "workers": args.workers,
            "threads": args.threads,
            "worker_class": "sync" if args.threads == 1 else "gthread",
            "cpus": os.cpu_count(),
            "postgresql": stack.postgres_version(),
            "debug": False,
            "db_conn_max_age": 60,
            "rate_check": f"on (per-process cache), limit raised to {RATE_PER_MINUTE}/min",
            "load_average_at_start": [round(v, 2) for v in os.getloadavg()],
        }
        signed_path = f"/exchange/r1/{setup['provider']}/{SERVICE}"
        meter = stack.Meter(server.pid)
        pool: collections.deque = collections.deque()
        answered = itertools.count()
        sequence = [0]

        def baseline_unit(c: stack.Client, _key: str) -> None:
            name, number = setup["people"][len(c.recorder.units) % len(setup["people"])]
            body = {"query": {"id_number": number, "name": name}}
            if c.call("baseline", "POST", BASELINE_PATH, "", body)["data"] != {"match": True}:
                raise stack.Failed("baseline: no match")

        def signed_unit(c: stack.Client, _key: str) -> None:
            try:
                headers, body = pool.popleft()
            except IndexError:
                raise stack.Failed("signed: the pre-signed requests ran out") from None
            answer = c.call("signed", "POST", signed_path, "", body, headers=headers)
            next(answered)
            if answer["data"] != {"match": True} or answer["id"] != headers["Tongban-Id"]:
                raise stack.Failed(f"signed: unexpected answer {answer!r:.200}")

        def refill(n: int) -> float:
            """Replace the pool with ``n`` fresh requests; returns the seconds it took."""
            began = time.perf_counter()
            pool.clear()
            pool.extend(signed_requests(setup, n, start=sequence[0]))
            sequence[0] += n
            return time.perf_counter() - began

        sign_seconds = refill(min(args.max_pool, 5000))
        probe = stack.run_phase("probe", url, args.clients, 0.0, args.probe, signed_unit, meter)
        probe_rps = len(probe.units) / probe.seconds
        per_round = min(
            args.max_pool, int(probe_rps * (args.warmup + args.duration) * 1.5) + 50 * args.clients
        )
        result["probe"] = {"seconds": args.probe, "signed_rps": round(probe_rps, 1)}
        result["presigned"] = {
            "per_round": per_round,
            "ms_each": round(sign_seconds * 1000 / min(args.max_pool, 5000), 3),
        }
        phases = {"baseline": baseline_unit, "signed": signed_unit}
        runs: dict[str, list[stack.PhaseRun]] = {name: [] for name in phases}
        orders = stack.round_orders(list(phases), args.rounds)
        for order in orders:
            for name in order:
                if name == "signed":
                    refill(per_round)
                runs[name].append(
                    stack.run_phase(
                        name, url, args.clients, args.warmup, args.duration, phases[name], meter
                    )
                )
        meter.close()
        pool.clear()
        verified = signatures_verified(url, setup, SIGNATURE_SAMPLES)
        answered_200 = next(answered) + verified
        server.terminate()
        server.wait(timeout=30)
        server = None

        baseline = phase_summary(runs["baseline"], args.clients, f"POST {BASELINE_PATH}")
        signed = phase_summary(
            runs["signed"], args.clients, "POST /exchange/r1/{provider}/population-verify"
        )
        ratios = [
            len(s.units) / len(b.units) if b.units else 0.0
            for s, b in zip(runs["signed"], runs["baseline"], strict=True)
        ]
        ratio = statistics.median(ratios)
        result["phases"] = {
            "rounds": args.rounds,
            "warmup_s": args.warmup,
            "measured_s": args.duration,
            "clients": args.clients,
            "order": orders,
        }
        result["baseline"] = baseline
        result["signed"] = signed
        result["signed_vs_baseline"] = round(ratio, 3)
        result["signed_vs_baseline_per_round"] = [round(r, 3) for r in ratios]

        # The log against the answers, then its size.
        after_log = log_counts(setup)
        logged = {key: after_log[key] - before_log[key] for key in after_log}
        result["log_check"] = {
            "answered_200": answered_200,
            "served_messages": logged["served"],
            "data_use_records": logged["data_use"],
            "refused_or_failed_messages": logged["other"],
            "signatures_verified": verified,
            "ok": logged["served"] == logged["data_use"] == answered_200 and not logged["other"],
        }
        from tongban.exchange.log import MESSAGE_CHAIN

        began = time.perf_counter()
        sealed = MESSAGE_CHAIN.seal_all()
        seal_seconds = time.perf_counter() - began
        result["seal"] = {
            "records": sealed,
            "seconds": round(seal_seconds, 2),
            "records_per_s": round(sealed / seal_seconds) if seal_seconds else None,
        }
        messages = table_figures(tables)["exchange_messages"]["rows"]
        messages -= before_sizes["exchange_messages"]["rows"]
        as_sealed = growth(before_sizes, table_figures(tables), messages)
        vacuum_full(tables)
        compacted = growth(before_sizes, table_figures(tables), messages)
        result["log_growth"] = {
            "messages": messages,
            "messages_per_checkpoint": round(
                messages / max(as_sealed["rows_added"]["exchange_checkpoints"], 1)
            ),
            "sealed": as_sealed,
            "compacted": compacted,
        }
        result["queries_per_request"] = queries_per_request(setup)
        if args.profile:
            profile_signed(setup, args.profile)
        result["targets"] = TARGETS
        result["meets_target"] = {
            "signed_rps": signed["rps"] >= TARGETS["signed_rps"],
            "signed_vs_baseline": ratio >= TARGETS["signed_vs_baseline"],
        }
        errors = [e for r in [probe, *runs["baseline"], *runs["signed"]] for e in r.errors]
        result["errors"] = len(errors)
        if errors:
            result["first_errors"] = sorted(set(errors))[:5]
        failed = bool(errors) or not result["log_check"]["ok"]
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
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: S110 - Django may not be set up; nothing to close then
            pass
        try:
            stack.admin_execute(f"DROP DATABASE IF EXISTS {stack.DATABASE} WITH (FORCE)")
        except Exception as exc:  # the result is still worth printing
            result["drop_error"] = str(exc)[:200]
        shutil.rmtree(var_dir, ignore_errors=True)
    print(json.dumps(result, ensure_ascii=False))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
