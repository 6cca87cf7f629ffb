"""Two people (or processes) doing the same thing at the same moment: one wins, nothing breaks.

These tests commit for real (threads need their own connections), so they run in their own
pytest invocation and build their own organisations.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from tongban.catalog import services
from tongban.catalog.models import ImplementationItem, ItemVersion
from tongban.catalog.tests.factories import base_code, item_document
from tongban.core.audit import audit_log, audit_seal_all, audit_verify
from tongban.core.errors import Conflict
from tongban.core.models import AuditRecord
from tongban.core.types import Actor
from tongban.organizations.models import Department
from tongban.organizations.services import organizations_import

pytestmark = pytest.mark.django_db(transaction=True)
ACTOR = Actor.system("concurrency")


def _in_threads(count: int, work: Callable[[int], Any]) -> list[Any]:
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:  # collected and asserted on below
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.fixture
def dept() -> Department:
    organizations_import(
        actor=ACTOR,
        data={
            "regions": [
                {"code": "980000", "name": "并发省", "level": "province", "parent": None},
                {"code": "980100", "name": "并发市", "level": "city", "parent": "980000"},
            ],
            "departments": [
                {"credit_code": "91110000600037341L", "name": "并发局", "region": "980100"}
            ],
        },
    )
    return Department.objects.get(credit_code="91110000600037341L")


def test_concurrent_publish_of_one_draft_one_wins(dept):
    services.catalog_import(
        actor=ACTOR, content=json.dumps(item_document(1, dept=dept)).encode(), filename="a.json"
    )
    draft = ItemVersion.objects.get(item__base_item__base_code=base_code(1))
    results = _in_threads(
        4, lambda i: services.item_version_publish(actor=ACTOR, version_id=draft.pk)
    )
    wins = [r for r in results if isinstance(r, ItemVersion)]
    losses = [r for r in results if isinstance(r, Conflict)]
    assert len(wins) == 1 and len(losses) == 3, results
    assert AuditRecord.objects.filter(action="catalog.version.publish").count() == 1


def test_concurrent_new_drafts_of_one_item_one_wins(dept):
    services.catalog_import(
        actor=ACTOR,
        content=json.dumps(item_document(2, dept=dept)).encode(),
        filename="a.json",
        publish=True,
    )
    item = ImplementationItem.objects.get(base_item__base_code=base_code(2))
    results = _in_threads(
        3, lambda i: services.item_version_draft_create(actor=ACTOR, item_id=item.pk)
    )
    assert sum(isinstance(r, ItemVersion) for r in results) == 1, results
    assert sum(isinstance(r, Conflict) for r in results) == 2
    assert item.versions.filter(status="draft").count() == 1


def test_concurrent_imports_of_the_same_file_both_land_as_versions(dept):
    content = json.dumps(item_document(3, dept=dept)).encode()
    results = _in_threads(
        2,
        lambda i: services.catalog_import(
            actor=ACTOR, content=content, filename="a.json", publish=True
        ),
    )
    assert all(isinstance(r, dict) for r in results), results
    item = ImplementationItem.objects.get(base_item__base_code=base_code(3))
    assert sorted(item.versions.values_list("number", flat=True)) == [1, 2]
    assert item.current_version.number == 2


def test_concurrent_audit_writers_and_sealers_keep_a_valid_chain():
    def work(i: int) -> int:
        for n in range(20):
            audit_log(actor=ACTOR, action="test.parallel", object_id=f"{i}-{n}")
        return audit_seal_all()

    results = _in_threads(4, work)
    assert all(isinstance(r, int) for r in results), results
    audit_seal_all()
    report = audit_verify()
    assert report.ok, report.problems
    assert report.records_checked == AuditRecord.objects.count()
