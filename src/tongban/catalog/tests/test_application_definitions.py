"""An item's application form and approval steps in the exchange format (JSON and CSV)."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest

from tongban.catalog import selectors, services
from tongban.catalog.formats import csv_archive_write
from tongban.catalog.models import BaseItem, ImplementationItem, ItemVersion
from tongban.catalog.tests.factories import base_code, item_document
from tongban.core.errors import InvalidInput

pytestmark = pytest.mark.django_db

FORM = {
    "type": "object",
    "properties": {
        "contact_name": {"type": "string", "title": "联系人", "maxLength": 50},
        "shop_area": {"type": "number", "title": "经营面积（平方米）", "minimum": 0},
        "chain": {"type": "boolean", "title": "是否连锁经营"},
    },
    "required": ["contact_name", "shop_area"],
    "additionalProperties": False,
    "x-layout": {"order": ["shop_area", "contact_name", "chain"]},
    "x-prefill": {"contact_name": "person.name"},
}
STEPS = [
    {"key": "review", "name": "审查", "role": "reviewer", "department": "competent", "days": 3},
    {"key": "site", "name": "现场核查", "role": "reviewer", "days": 5, "group": "check"},
    {"key": "fire", "name": "消防核查", "role": "reviewer", "days": 5, "group": "check"},
    {"key": "decide", "name": "决定", "role": "approver", "days": 2},
]


def _json(document: dict) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode()


def _publish(actor, n: int, **overrides) -> ImplementationItem:
    services.catalog_import(
        actor=actor, content=_json(item_document(n, **overrides)), filename="c.json", publish=True
    )
    return ImplementationItem.objects.get(base_item__base_code=base_code(n))


def _exported(code: str) -> dict:
    document = selectors.catalog_export_document(include_files=False)
    document["items"] = [i for i in document["items"] if i["implementation_code"] == code]
    document["base_items"], document["themes"] = [], []
    return document


def _draft(item: ImplementationItem) -> ItemVersion:
    return item.versions.get(status=ItemVersion.Status.DRAFT)


def _csv_files(document: dict) -> dict[str, str]:
    archive = zipfile.ZipFile(io.BytesIO(csv_archive_write(document)))
    return {name: archive.read(name).decode() for name in archive.namelist()}


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def _table(rows: list[dict[str, str]]) -> str:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def test_form_and_steps_round_trip_through_json(system_actor):
    item = _publish(system_actor, 60, application_form=FORM, approval_steps=STEPS)
    assert item.current_version.application_form == FORM
    assert item.current_version.approval_steps == STEPS
    document = _exported(item.implementation_code)
    assert document["items"][0]["application_form"] == FORM
    assert document["items"][0]["approval_steps"] == STEPS
    services.catalog_import(actor=system_actor, content=_json(document), filename="c.json")
    draft = _draft(item)
    assert (draft.application_form, draft.approval_steps) == (FORM, STEPS)


def test_form_and_steps_round_trip_through_csv(system_actor):
    item = _publish(system_actor, 61, application_form=FORM, approval_steps=STEPS)
    files = _csv_files(_exported(item.implementation_code))
    row = _rows(files["items.csv"])[0]
    assert json.loads(row["application_form"]) == FORM  # a JSON-encoded cell
    assert json.loads(row["approval_steps"]) == STEPS
    services.catalog_import(actor=system_actor, content=_zip(files), filename="c.zip")
    draft = _draft(item)
    assert (draft.application_form, draft.approval_steps) == (FORM, STEPS)


def test_defaults_stay_empty_and_old_csv_files_still_import(system_actor):
    item = _publish(system_actor, 62)
    assert (item.current_version.application_form, item.current_version.approval_steps) == (
        {},
        [],
    )
    files = _csv_files(_exported(item.implementation_code))
    row = _rows(files["items.csv"])[0]
    assert row["application_form"] == "" and row["approval_steps"] == ""  # empty = default
    # A file written before the columns existed.
    files["items.csv"] = _table(
        [
            {k: v for k, v in r.items() if k not in ("application_form", "approval_steps")}
            for r in _rows(files["items.csv"])
        ]
    )
    services.catalog_import(actor=system_actor, content=_zip(files), filename="old.zip")
    draft = _draft(item)
    assert (draft.application_form, draft.approval_steps) == ({}, [])
    # null in JSON means the default too.
    document = item_document(63, application_form=None, approval_steps=None)
    services.catalog_import(actor=system_actor, content=_json(document), filename="c.json")
    draft = _draft(ImplementationItem.objects.get(base_item__base_code=base_code(63)))
    assert (draft.application_form, draft.approval_steps) == ({}, [])


@pytest.mark.parametrize(
    ("field", "bad"),
    [
        ("application_form", {"type": "array"}),
        ("application_form", {"type": "object", "properties": {"x": {"type": "array"}}}),
        ("application_form", {"type": "object", "properties": {"a-b": {"type": "string"}}}),
        ("application_form", {"type": "object", "properties": {"x": {"type": "stringy"}}}),
        ("application_form", ["not", "an", "object"]),
        ("application_form", "{not json"),
        ("approval_steps", {"key": "review"}),
        ("approval_steps", [{"key": "review", "name": "审查", "role": "janitor"}]),
        ("approval_steps", [{"key": "a", "name": "A", "role": "reviewer", "days": 0}]),
        ("approval_steps", [{"key": "a", "name": "A", "role": "reviewer"}] * 2),
        ("approval_steps", [{"key": "a", "name": "A", "role": "reviewer", "department": "X"}]),
    ],
)
def test_an_unusable_definition_is_refused_with_its_place(system_actor, field, bad):
    document = item_document(64, **{field: bad})
    before = (BaseItem.objects.count(), ImplementationItem.objects.count())
    with pytest.raises(InvalidInput) as info:
        services.catalog_import(actor=system_actor, content=_json(document), filename="c.json")
    problems = {(p.location, p.field) for p in info.value.problems}
    assert problems == {("items.0", field)}
    assert all(p.reason for p in info.value.problems)
    assert (BaseItem.objects.count(), ImplementationItem.objects.count()) == before


def test_a_bad_cell_in_csv_points_at_the_row(system_actor):
    item = _publish(system_actor, 65, approval_steps=STEPS)
    files = _csv_files(_exported(item.implementation_code))
    rows = _rows(files["items.csv"])
    rows[0]["approval_steps"] = '[{"key": "review", "name": "审查", "role": "reviewer"'  # cut
    rows[0]["application_form"] = '{"type": "object", "properties": {}}'
    files["items.csv"] = _table(rows)
    with pytest.raises(InvalidInput) as info:
        services.catalog_import(actor=system_actor, content=_zip(files), filename="bad.zip")
    assert sorted((p.location, p.field) for p in info.value.problems) == [
        ("items.csv line 2", "application_form"),
        ("items.csv line 2", "approval_steps"),
    ]
    assert item.versions.count() == 1  # no new draft


def test_a_new_draft_keeps_the_form_and_steps(system_actor):
    item = _publish(system_actor, 66, application_form=FORM, approval_steps=STEPS)
    draft = services.item_version_draft_create(actor=system_actor, item_id=item.pk)
    assert (draft.application_form, draft.approval_steps) == (FORM, STEPS)
