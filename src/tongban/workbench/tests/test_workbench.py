from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.test import Client

from tongban.catalog.models import ImplementationItem, ItemVersion
from tongban.catalog.tests.factories import base_code, item_document
from tongban.core.models import AuditRecord
from tongban.identity.tests.helpers import force_staff_login

pytestmark = pytest.mark.django_db


def _client(username: str) -> Client:
    return force_staff_login(Client(), username)


def test_amr_manager_sees_only_own_department_items():
    client = _client("catalog.amr")
    response = client.get("/workbench/catalog/implementationitem/")
    assert response.status_code == 200
    listed = response.context["cl"].result_count
    amr_items = ImplementationItem.objects.filter(
        department__name__contains="市场监督管理局", department__region__level="city"
    ).count()
    assert 0 < listed == amr_items < ImplementationItem.objects.count()


def test_a_manager_cannot_open_another_departments_draft(item_finder, system_actor):
    from tongban.catalog import services

    foreign = item_finder("居住证")
    draft = services.item_version_draft_create(actor=system_actor, item_id=foreign.pk)
    client = _client("catalog.amr")
    response = client.get(f"/workbench/catalog/itemversion/{draft.pk}/change/")
    assert response.status_code in (302, 404)
    response = client.post(
        f"/workbench/catalog/versions/{draft.pk}/publish/", {"effective_from": "2099-01-01"}
    )
    assert response.status_code == 403
    assert ItemVersion.objects.get(pk=draft.pk).is_draft


def test_publishing_through_the_workbench(item_finder):
    client = _client("catalog.city")
    item = item_finder("居住证")
    response = client.post(
        "/workbench/catalog/implementationitem/",
        {"action": "new_draft", "_selected_action": [item.pk], "index": 0},
    )
    assert response.status_code == 302
    draft = item.versions.get(status="draft")
    page = client.get(f"/workbench/catalog/itemversion/{draft.pk}/change/")
    assert page.status_code == 200 and "发布" in page.content.decode()
    response = client.post(
        f"/workbench/catalog/versions/{draft.pk}/publish/", {"effective_from": "2000-01-01"}
    )
    assert response.status_code == 200  # refused: in the past
    assert ItemVersion.objects.get(pk=draft.pk).is_draft
    from django.utils import timezone

    response = client.post(
        f"/workbench/catalog/versions/{draft.pk}/publish/",
        {"effective_from": timezone.localdate().isoformat()},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.current_version_id == draft.pk
    assert AuditRecord.objects.filter(
        action="catalog.version.publish", actor__startswith="user:"
    ).exists()


def test_published_versions_are_read_only_in_the_workbench(item_finder):
    client = _client("catalog.city")
    version = item_finder("居住证").current_version
    before = version.name
    client.post(f"/workbench/catalog/itemversion/{version.pk}/change/", {"name": "改"})
    version.refresh_from_db()
    assert version.name == before


def test_import_page_reports_problems_and_imports_nothing():
    client = _client("catalog.city")
    document = item_document(30)
    document["base_items"] = []
    document["items"][0]["online_depth"] = 7
    before = ImplementationItem.objects.count()
    upload = io.BytesIO(json.dumps(document).encode())
    upload.name = "bad.json"
    response = client.post("/workbench/catalog/import/", {"file": upload})
    assert response.status_code == 422
    html = response.content.decode()
    assert "online_depth" in html and "没有导入" in html
    assert ImplementationItem.objects.count() == before


def test_import_page_imports_a_good_file():
    client = _client("admin")
    upload = io.BytesIO(json.dumps(item_document(31)).encode())
    upload.name = "good.json"
    response = client.post("/workbench/catalog/import/", {"file": upload, "publish": "on"})
    assert response.status_code == 200
    assert ImplementationItem.objects.filter(
        base_item__base_code=base_code(31), current_version__isnull=False
    ).exists()


def test_export_downloads():
    client = _client("catalog.city")
    response = client.get("/workbench/catalog/export.zip")
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert set(archive.namelist()) == {
        "themes.csv",
        "base_items.csv",
        "items.csv",
        "materials.csv",
        "situations.csv",
    }
    document = json.loads(client.get("/workbench/catalog/export.json").content)
    assert document["format"] == "tongban.catalog" and len(document["items"]) >= 150


def test_people_without_a_catalog_role_cannot_import_or_export():
    client = _client("auditor")
    assert client.get("/workbench/catalog/export.json").status_code == 403
    assert client.get("/workbench/catalog/import/").status_code == 403
    assert Client().get("/workbench/catalog/export.json").status_code == 302  # to login


def test_auditor_reads_the_audit_log_but_cannot_change_it():
    client = _client("auditor")
    assert client.get("/workbench/core/auditrecord/").status_code == 200
    record = AuditRecord.objects.first()
    client.post(f"/workbench/core/auditrecord/{record.pk}/delete/", {"post": "yes"})
    assert AuditRecord.objects.filter(pk=record.pk).exists()
    assert _client("catalog.amr").get("/workbench/core/auditrecord/").status_code == 403


def test_item_page_lists_its_versions(item_finder):
    client = _client("catalog.city")
    item = item_finder("居住证")
    html = client.get(f"/workbench/catalog/implementationitem/{item.pk}/change/").content.decode()
    assert f"/workbench/catalog/itemversion/{item.current_version_id}/change/" in html


def test_oversized_import_is_refused_before_reading(settings):
    settings.CATALOG_IMPORT_MAX_BYTES = 1000
    client = _client("admin")
    upload = io.BytesIO(b"{" + b" " * 5000 + b"}")
    upload.name = "big.json"
    response = client.post("/workbench/catalog/import/", {"file": upload})
    assert response.status_code == 200
    assert "文件过大" in response.content.decode()
    assert not ImplementationItem.objects.filter(base_item__base_code=base_code(99)).exists()
