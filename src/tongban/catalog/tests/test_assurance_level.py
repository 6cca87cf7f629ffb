"""The minimum identity assurance level of an item: format, versions, guide page and API."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from tongban.catalog import selectors, services
from tongban.catalog.formats import csv_archive_write
from tongban.catalog.models import AssuranceLevel, BaseItem, ImplementationItem, ItemVersion
from tongban.catalog.tests.factories import base_code, item_document
from tongban.core.errors import InvalidInput
from tongban.demo import people
from tongban.demo.loader import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def _json(document: dict) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode()


def _publish(actor, n: int, **overrides) -> ImplementationItem:
    services.catalog_import(
        actor=actor, content=_json(item_document(n, **overrides)), filename="c.json", publish=True
    )
    return ImplementationItem.objects.get(base_item__base_code=base_code(n))


def _exported(code: str) -> dict:
    """The export document reduced to one item (its base item and themes already exist)."""
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


# ---------------------------------------------------------------------------------------------
# Exchange format


def test_level_round_trips_through_json(system_actor):
    item = _publish(system_actor, 40, min_assurance_level=2)
    assert item.current_version.min_assurance_level == 2
    document = _exported(item.implementation_code)
    assert document["items"][0]["min_assurance_level"] == 2
    services.catalog_import(actor=system_actor, content=_json(document), filename="c.json")
    assert _draft(item).min_assurance_level == 2


def test_level_round_trips_through_csv(system_actor):
    item = _publish(system_actor, 41, min_assurance_level=3)
    files = _csv_files(_exported(item.implementation_code))
    assert _rows(files["items.csv"])[0]["min_assurance_level"] == "3"
    services.catalog_import(actor=system_actor, content=_zip(files), filename="c.zip")
    assert _draft(item).min_assurance_level == 3


def test_level_is_optional_and_defaults_to_one(system_actor):
    document = item_document(42)
    assert "min_assurance_level" not in document["items"][0]
    services.catalog_import(actor=system_actor, content=_json(document), filename="c.json")
    item = ImplementationItem.objects.get(base_item__base_code=base_code(42))
    assert _draft(item).min_assurance_level == 1
    # A CSV file written before the column existed still imports; its items need L1.
    item = _publish(system_actor, 43, min_assurance_level=2)
    files = _csv_files(_exported(item.implementation_code))
    files["items.csv"] = _table(
        [
            {k: v for k, v in row.items() if k != "min_assurance_level"}
            for row in _rows(files["items.csv"])
        ]
    )
    assert "min_assurance_level" not in files["items.csv"]
    services.catalog_import(actor=system_actor, content=_zip(files), filename="old.zip")
    assert _draft(item).min_assurance_level == 1


@pytest.mark.parametrize("bad", [0, 4, -1, "L2", "two", 2.5, True, [2]])
def test_a_bad_level_is_refused_with_its_place_and_nothing_is_imported(system_actor, bad):
    document = item_document(44, min_assurance_level=bad)
    before = (BaseItem.objects.count(), ImplementationItem.objects.count())
    with pytest.raises(InvalidInput) as info:
        services.catalog_import(actor=system_actor, content=_json(document), filename="c.json")
    problems = [(p.location, p.field) for p in info.value.problems]
    assert problems == [("items.0", "min_assurance_level")]
    assert all(p.reason for p in info.value.problems)
    assert (BaseItem.objects.count(), ImplementationItem.objects.count()) == before


def test_a_bad_level_in_csv_points_at_the_row(system_actor):
    item = _publish(system_actor, 45, min_assurance_level=2)
    files = _csv_files(_exported(item.implementation_code))
    rows = _rows(files["items.csv"])
    rows[0]["min_assurance_level"] = "4"
    files["items.csv"] = _table(rows)
    with pytest.raises(InvalidInput) as info:
        services.catalog_import(actor=system_actor, content=_zip(files), filename="bad.zip")
    assert [(p.location, p.field) for p in info.value.problems] == [
        ("items.csv line 2", "min_assurance_level")
    ]
    assert item.versions.count() == 1  # no new draft


# ---------------------------------------------------------------------------------------------
# Drafts and publishing


def test_drafts_and_publishing_keep_the_level(system_actor):
    services.catalog_import(
        actor=system_actor,
        content=_json(item_document(46, min_assurance_level=2)),
        filename="c.json",
    )
    item = ImplementationItem.objects.get(base_item__base_code=base_code(46))
    services.item_version_publish(actor=system_actor, version_id=_draft(item).pk)
    item.refresh_from_db()
    assert item.current_version.min_assurance_level == 2
    draft = services.item_version_draft_create(actor=system_actor, item_id=item.pk)
    assert draft.min_assurance_level == 2  # a new draft starts from the published level
    draft.min_assurance_level = AssuranceLevel.L3
    services.item_version_draft_update(
        actor=system_actor, version=draft, changed_fields=["min_assurance_level"]
    )
    services.item_version_publish(actor=system_actor, version_id=draft.pk)
    guide = selectors.item_guide_get(implementation_code=item.implementation_code)
    assert (guide.number, guide.min_assurance_level) == (2, 3)
    old = selectors.item_guide_get(implementation_code=item.implementation_code, version_number=1)
    assert old.min_assurance_level == 2  # published versions never change


# ---------------------------------------------------------------------------------------------
# Guide page and API


@pytest.fixture
def no_login_throttle(settings):
    settings.RATELIMIT_ENABLE = False


def _logged_in(index: int) -> Client:
    """A client logged in as demo person ``index`` (by mobile number), as a citizen would."""
    client = Client()
    response = client.post(
        "/account/login/", {"username": people.PEOPLE[index][2], "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302, response.content[:500]
    return client


def _notice(html: str) -> str:
    """The guide's identity-level notice, or "" when the page has none."""
    found = re.search(r'<section class="assurance[ "].*?</section>', html, re.S)
    return found.group(0) if found else ""


def _label(level: int) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return str(AssuranceLevel(level).label)


def test_a_person_below_the_level_is_told_how_to_reach_it(system_actor, no_login_throttle):
    item = _publish(system_actor, 47, min_assurance_level=2)
    url = f"/items/{item.implementation_code}/"
    zhang = people.PEOPLE[0]
    assert zhang[3] == 1  # 张伟 is L1 on the demo
    html = _logged_in(0).get(url).content.decode()
    assert _label(2) in html  # the facts list names the level
    notice = _notice(html)
    assert notice and 'href="/account/"' in notice
    assert "L1" in notice and "L2" in notice
    # 李娜 (L2) meets it: the level is listed, no explanation.
    assert people.PEOPLE[1][3] == 2
    html = _logged_in(1).get(url).content.decode()
    assert _label(2) in html
    assert _notice(html) == ""


def test_an_l3_item_tells_an_l2_person_to_visit_a_window(system_actor, no_login_throttle):
    item = _publish(system_actor, 48, min_assurance_level=3)
    html = _logged_in(1).get(f"/items/{item.implementation_code}/").content.decode()
    notice = _notice(html)
    assert "L3" in notice and 'href="/account/"' in notice


def test_anonymous_visitors_see_the_level_and_are_asked_to_log_in(system_actor):
    item = _publish(system_actor, 49, min_assurance_level=2)
    url = f"/items/{item.implementation_code}/"
    response = Client().get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert _label(2) in html
    notice = _notice(html)
    assert f'href="/account/login/?next={url}"' in notice
    assert 'href="/account/"' not in notice


def test_the_api_guide_gives_the_level(system_actor):
    item = _publish(system_actor, 50, min_assurance_level=3)
    body = Client().get(f"/api/v1/catalog/items/{item.implementation_code}").json()
    assert body["min_assurance_level"] == 3
    assert body["min_assurance_level_label"] == _label(3)


def test_the_demo_city_asks_more_of_status_and_money_items(item_finder):
    assert item_finder("住房公积金提取").current_version.min_assurance_level == 2
    assert item_finder("户口迁入").current_version.min_assurance_level == 2
    assert item_finder("有限责任公司设立登记").current_version.min_assurance_level == 2
    assert item_finder("结婚登记").current_version.min_assurance_level == 3
    assert item_finder("公共图书馆借阅证").current_version.min_assurance_level == 1
    levels = list(
        ImplementationItem.objects.values_list("current_version__min_assurance_level", flat=True)
    )
    assert levels.count(1) > len(levels) / 2
