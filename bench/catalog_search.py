"""Catalog search latency over 100,000 implementation items, on SQLite and PostgreSQL.

Builds the scale catalog with ``tongban.demo.generator``, imports it through the catalog
services (published, indexed), then times a fixed list of realistic queries through
``item_search`` (the same call the portal and the API make): p50 and p95 per database.
The baseline, measured in the same run on the same database, is a primary-key fetch of one
search entry: it shows how noisy the machine was. Prints one JSON line.

    python bench/catalog_search.py [--items 100000] [--databases sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUERIES = [
    "营业执照",
    "居住证",
    "公积金提取",
    "社保",
    "社会保障卡",
    "出生登记",
    "食品经营许可",
    "建筑工程施工许可",
    "驾驶证",
    "结婚登记",
    "最低生活保障",
    "个体工商户",
    "医保报销",
    "户口迁移",
    "道路运输",
    "business licence",
    "residence permit",
    "怎么办理居住证",
    "有限责任公司设立",
    "退休",
]
ROUNDS = 15


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def child(database: str, items: int) -> dict[str, object]:
    var_dir = Path(tempfile.mkdtemp(prefix="tongban-bench-"))
    os.environ["TONGBAN_VAR_DIR"] = str(var_dir)
    os.environ["LOG_LEVEL"] = "WARNING"
    if database == "postgresql":
        import psycopg

        base = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS tongban_bench")
            conn.execute("CREATE DATABASE tongban_bench")
        os.environ["DATABASE_URL"] = base.rsplit("/", 1)[0] + "/tongban_bench"
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{var_dir / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from tongban.catalog import selectors
    from tongban.catalog.services import catalog_import_document, search_rebuild
    from tongban.core.types import Actor
    from tongban.demo.generator import scale_catalog
    from tongban.organizations.services import organizations_import

    call_command("migrate", verbosity=0)
    actor = Actor.system("bench")
    started = time.perf_counter()
    organizations, catalog = scale_catalog(items)
    organizations_import(actor=actor, data=organizations)
    batch = 10000
    all_items = catalog["items"]
    for start in range(0, len(all_items), batch):
        part = {**catalog, "items": all_items[start : start + batch]}
        if start:
            part["themes"], part["base_items"] = [], []
        catalog_import_document(actor=actor, document=part, publish=True, reindex=False)
    indexed = search_rebuild()
    if connection.vendor == "postgresql":
        # The steady state autovacuum keeps: GIN pending lists merged, statistics fresh.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    load_seconds = time.perf_counter() - started

    for q in QUERIES:  # warm caches, jieba and the planner
        selectors.item_search(text=q)
    samples: list[float] = []
    per_query: dict[str, list[float]] = {q: [] for q in QUERIES}
    hits: dict[str, int] = {}
    for _ in range(ROUNDS):
        for q in QUERIES:
            t0 = time.perf_counter()
            page = selectors.item_search(text=q)
            elapsed = (time.perf_counter() - t0) * 1000
            samples.append(elapsed)
            per_query[q].append(elapsed)
            hits[q] = page.total
    ids = (
        [
            i
            for (i,) in connection.cursor()
            .execute("SELECT item_id FROM catalog_searchentry ORDER BY item_id LIMIT 300")
            .fetchall()
        ]
        if connection.vendor == "sqlite"
        else None
    )
    if ids is None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT item_id FROM catalog_searchentry ORDER BY item_id LIMIT 300")
            ids = [r[0] for r in cursor.fetchall()]
    baseline: list[float] = []
    from tongban.catalog.models import SearchEntry

    for _ in range(ROUNDS):
        for i in ids[: len(QUERIES)]:
            t0 = time.perf_counter()
            SearchEntry.objects.filter(pk=i).values_list("title_tokens", flat=True).first()
            baseline.append((time.perf_counter() - t0) * 1000)
    result = {
        "database": connection.vendor,
        "items": indexed,
        "load_seconds": round(load_seconds, 1),
        "queries": len(QUERIES),
        "samples": len(samples),
        "p50_ms": round(statistics.median(samples), 2),
        "p95_ms": round(percentile(samples, 95), 2),
        "max_ms": round(max(samples), 2),
        "baseline_pk_fetch_p50_ms": round(statistics.median(baseline), 3),
        "baseline_pk_fetch_p95_ms": round(percentile(baseline, 95), 3),
        "slowest_query": max(per_query, key=lambda q: statistics.median(per_query[q])),
        "zero_hit_queries": [q for q, n in hits.items() if n == 0],
        "target_p95_ms": 15,
    }
    result["meets_target"] = result["p95_ms"] <= 15
    connection.close()
    if database == "postgresql":
        import psycopg

        with psycopg.connect(
            os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
            autocommit=True,
        ) as conn:
            conn.execute("DROP DATABASE IF EXISTS tongban_bench WITH (FORCE)")
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.items)))
        return
    results = []
    for database in args.databases.split(","):
        proc = subprocess.run(
            [sys.executable, __file__, "--child", database, "--items", str(args.items)],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            results.append({"database": database, "error": proc.stderr.strip()[-500:]})
            continue
        results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    print(
        json.dumps(
            {"benchmark": "catalog_search", "items": args.items, "results": results},
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
