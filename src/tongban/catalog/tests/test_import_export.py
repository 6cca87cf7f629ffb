from __future__ import annotations

import io
import json
import zipfile

import pytest

from tongban.catalog import selectors, services
from tongban.catalog.formats import csv_archive_write
from tongban.catalog.models import BaseItem, ImplementationItem, ItemVersion
from tongban.catalog.tests.factories import base_code, department, item_document, with_item
from tongban.core.errors import Forbidden, InvalidInput
from tongban.core.types import Actor, RoleGrant

pytestmark = pytest.mark.django_db


def _json(document: dict) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode()


def test_json_import_creates_a_draft(system_actor):
    summary = services.catalog_import(
        actor=system_actor, content=_json(item_document(1)), filename="c.json"
    )
    assert summary["items"] == 1 and summary["new_items"] == 1
    item = ImplementationItem.objects.get(base_item__base_code=base_code(1))
    version = item.versions.get()
    assert version.status == ItemVersion.Status.DRAFT
    assert item.current_version is None  # a draft is not public
    assert version.materials.count() == 4
    q2 = version.situations.get(code="Q2")
    assert q2.depends_on.code == "rent"


def test_import_with_publish_makes_it_public_and_searchable(system_actor):
    services.catalog_import(
        actor=system_actor, content=_json(item_document(2)), filename="c.json", publish=True
    )
    page = selectors.item_search(text="测试事项2")
    assert [r.base_code for r in page.results] == [base_code(2)]


def test_a_file_with_errors_imports_nothing_and_reports_every_problem(system_actor):
    document = item_document(3)
    document["items"][0]["case_kind"] = "sometimes"
    document["items"][0]["materials"][0]["necessity"] = "maybe"
    document["items"][0]["department"] = "91110000600037341M"
    before = (BaseItem.objects.count(), ImplementationItem.objects.count())
    with pytest.raises(InvalidInput) as info:
        services.catalog_import(actor=system_actor, content=_json(document), filename="c.json")
    fields = {(p.location, p.field) for p in info.value.problems}
    assert ("items.0", "case_kind") in fields
    assert ("items.0.materials.0", "necessity") in fields
    assert ("items.0", "department") in fields
    assert (BaseItem.objects.count(), ImplementationItem.objects.count()) == before


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda d: d["items"][0].update(implementation_code="X" * 30), "implementation_code"),
        (lambda d: d["items"][0].update(name="名" * 5000), "name"),
        (lambda d: d["items"][0].update(online_depth=9), "online_depth"),
        (lambda d: d["items"][0].update(visits_needed="two"), "visits_needed"),
        (lambda d: d["items"][0].update(promised_time_limit=99), "promised_time_limit"),
        (lambda d: d["items"][0].update(region="000000"), "region"),
        (lambda d: d["items"][0].update(themes=["no-such-theme"]), "themes"),
        (lambda d: d["items"][0].update(keywords="bad\x00byte"), "keywords"),
        (lambda d: d["items"][0]["materials"][1].update(code="M1"), "code"),
        (
            lambda d: d["items"][0]["situations"][0]["options"][0].update(materials=["M9"]),
            "materials",
        ),
        (lambda d: d["items"][0]["situations"][1].update(depends_on="Q9:x"), "depends_on"),
        (lambda d: d["items"][0]["situations"][0].update(options=[]), "options"),
        (lambda d: d["items"][0]["situations"][1]["options"][0].update(materials=[]), "necessity"),
        (lambda d: d["base_items"][0].update(item_type="02"), "base_code"),
        (
            lambda d: d["items"][0]["materials"][0].update(
                blank_form={"filename": "x.pdf", "content_base64": "PHNjcmlwdD4="}
            ),
            "blank_form",
        ),
    ],
)
def test_each_kind_of_bad_field_is_reported(system_actor, mutate, field):
    document = item_document(4)
    mutate(document)
    with pytest.raises(InvalidInput) as info:
        services.catalog_import(actor=system_actor, content=_json(document), filename="c.json")
    assert field in {p.field for p in info.value.problems}


def test_not_json_and_wrong_type_files_are_refused(system_actor):
    with pytest.raises(InvalidInput) as info:
        services.catalog_import(actor=system_actor, content=b"{not json", filename="c.json")
    assert "line 1" in info.value.problems[0].location
    with pytest.raises(InvalidInput):
        services.catalog_import(actor=system_actor, content=b"\x00\x01", filename="c.exe")
    with pytest.raises(InvalidInput):
        services.catalog_import(actor=system_actor, content=b"[1, 2]", filename="c.json")


def test_hostile_text_is_stored_as_text(system_actor):
    document = with_item(item_document(5), name="<script>alert('x')</script>营业执照")
    services.catalog_import(
        actor=system_actor, content=_json(document), filename="c.json", publish=True
    )
    version = ImplementationItem.objects.get(base_item__base_code=base_code(5)).current_version
    assert version.name == "<script>alert('x')</script>营业执照"


def test_csv_round_trip_keeps_everything(system_actor):
    services.catalog_import(
        actor=system_actor, content=_json(item_document(6)), filename="c.json", publish=True
    )
    document = selectors.catalog_export_document(include_files=False)
    archive = csv_archive_write(document)
    summary = services.catalog_import(actor=system_actor, content=archive, filename="c.zip")
    assert summary["items"] == len(document["items"])
    item = ImplementationItem.objects.get(base_item__base_code=base_code(6))
    draft = item.versions.get(status=ItemVersion.Status.DRAFT)
    assert draft.number == 2
    assert sorted(draft.materials.values_list("code", flat=True)) == ["M1", "M2", "M3", "M4"]
    assert draft.situations.get(code="Q2").depends_on.code == "rent"
    original = item.current_version
    for field in ("name", "acceptance_conditions", "promised_time_limit", "online_depth"):
        assert getattr(draft, field) == getattr(original, field)


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def test_csv_errors_point_at_file_line_and_field(system_actor):
    document = item_document(7)
    archive = zipfile.ZipFile(io.BytesIO(csv_archive_write(document)))
    files = {name: archive.read(name).decode() for name in archive.namelist()}
    lines = files["materials.csv"].splitlines()
    lines[2] = lines[2].replace("conditional", "sometimes")
    files["materials.csv"] = "\r\n".join(lines) + "\r\n"
    items = files["items.csv"].splitlines()
    items[1] = items[1].replace("promised", "whenever", 1)
    files["items.csv"] = "\r\n".join(items) + "\r\n"
    before = ImplementationItem.objects.count()
    with pytest.raises(InvalidInput) as info:
        services.catalog_import(actor=system_actor, content=_zip(files), filename="bad.zip")
    found = {(p.location, p.field) for p in info.value.problems}
    assert ("materials.csv line 3", "necessity") in found
    assert ("items.csv line 2", "case_kind") in found
    assert ImplementationItem.objects.count() == before


def test_csv_with_missing_files_or_columns_is_refused(system_actor):
    with pytest.raises(InvalidInput):
        services.catalog_import(
            actor=system_actor, content=_zip({"items.csv": "a,b\n1,2\n"}), filename="x.zip"
        )
    with pytest.raises(InvalidInput):
        services.catalog_import(actor=system_actor, content=b"PK not a zip", filename="x.zip")


def test_managers_import_only_for_their_own_department(system_actor):
    dept = department()
    other = type(dept).objects.exclude(pk=dept.pk).order_by("pk").first()
    manager = Actor(
        kind="user",
        user_id=999,
        label="m",
        grants=(RoleGrant("catalog_manager", department_id=other.pk),),
    )
    document = item_document(8)
    document["base_items"] = []
    BaseItem.objects.create(
        base_code=base_code(8), name="x", item_type="01", exercising_level="city"
    )
    with pytest.raises(InvalidInput) as info:
        services.catalog_import(actor=manager, content=_json(document), filename="c.json")
    assert "department" in {p.field for p in info.value.problems}


def test_anonymous_cannot_publish(system_actor):
    services.catalog_import(actor=system_actor, content=_json(item_document(9)), filename="c.json")
    draft = ItemVersion.objects.get(item__base_item__base_code=base_code(9))
    with pytest.raises(Forbidden):
        services.item_version_publish(actor=Actor.anonymous(), version_id=draft.pk)


def test_demo_catalog_exports_and_validates_again(system_actor):
    document = selectors.catalog_export_document(include_files=False)
    assert len(document["items"]) >= 150
    summary = services.catalog_import(
        actor=system_actor, content=csv_archive_write(document), filename="all.zip"
    )
    assert summary["items"] == len(document["items"])
