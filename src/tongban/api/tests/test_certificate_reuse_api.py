"""证照免带 through the API: consent on the one-call application and on a draft."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tongban.api.tests.test_cases_api import call, tokens  # noqa: F401 - a fixture
from tongban.demo import people

pytestmark = pytest.mark.django_db

ENDORSEMENT = "居住证签注"


def _permit_material(item):
    return item.current_version.materials.get(certificate_type__endswith="002")


def test_the_api_takes_the_consent_with_the_application(tokens, item_finder):  # noqa: F811
    zhang = tokens(0)
    item = item_finder(ENDORSEMENT)
    material = _permit_material(item)
    body = {
        "item": item.implementation_code,
        "form": {"contact_name": people.PEOPLE[0][0], "contact_phone": "13800000001"},
    }
    missing = call("post", "/cases", zhang, body)
    assert missing.status_code == 422
    assert [p["field"] for p in missing.json()["problems"]] == [f"material.{material.pk}"]
    hostile = call("post", "/cases", zhang, body | {"use_certificates": ["M99", "x" * 41]})
    assert hostile.status_code == 422
    unknown = call("post", "/cases", zhang, body | {"use_certificates": ["M99"]})
    assert unknown.status_code == 422
    assert "use_certificates.0" in json.dumps(unknown.json()["problems"])
    created = call("post", "/cases", zhang, body | {"use_certificates": [material.code]})
    assert created.status_code == 201, created.content
    [row] = [m for m in created.json()["materials"] if m["code"] == material.code]
    assert row["state"] == "certificate" and row["certificate"]["verified_at"]
    assert row["certificate"]["type_name"] == "居住证"
    # A draft through the API: offered, then used by consent.
    draft = call("post", "/cases/drafts", zhang, {"item": item.implementation_code})
    assert draft.status_code == 201, draft.content
    [offered] = [m for m in draft.json()["materials"] if m["code"] == material.code]
    assert offered["state"] == "certificate_offered" and offered["certificate"]["identifier"]
    used = call(
        "post",
        f"/cases/drafts/{draft.json()['id']}/certificates",
        zhang,
        {"material": material.pk},
    )
    assert used.status_code == 200, used.content
    [now] = [m for m in used.json()["materials"] if m["code"] == material.code]
    assert now["state"] == "certificate"
    extra = call(
        "post",
        f"/cases/drafts/{draft.json()['id']}/certificates",
        zhang,
        {"material": material.pk, "sneaky": 1},
    )
    assert extra.status_code == 422
    assert Client().post(f"/api/v1/cases/drafts/{draft.json()['id']}/certificates").status_code in (
        401,
        403,
    )
