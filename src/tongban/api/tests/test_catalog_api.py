from __future__ import annotations

import json

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_openapi_document_lists_the_catalog_operations(client: Client):
    doc = client.get("/api/v1/openapi.json").json()
    paths = doc["paths"]
    assert "/api/v1/catalog/items" in paths
    assert "/api/v1/catalog/items/{implementation_code}" in paths
    assert "post" in paths["/api/v1/catalog/items/{implementation_code}/materials"]
    assert client.get("/api/v1/docs").status_code == 200


def test_search_is_paginated_and_highlighted(client: Client):
    body = client.get("/api/v1/catalog/items", {"q": "居住证", "page_size": 2}).json()
    assert body["count"] >= 1 and body["page"] == 1 and len(body["results"]) <= 2
    assert "<mark>" in body["results"][0]["name_highlighted"]
    assert body["results"][0]["url"].startswith("/items/")


def test_search_parameters_are_validated(client: Client):
    for params in (
        {"page": 0},
        {"page_size": 1000},
        {"audience": "martians"},
        {"q": "x" * 101},
        {"item_type": "99"},
    ):
        response = client.get("/api/v1/catalog/items", params)
        assert response.status_code == 422, params
        assert response.json()["code"] == "invalid"


def test_guide_has_every_field_and_materials(client: Client, item_finder):
    item = item_finder("居住证")
    body = client.get(f"/api/v1/catalog/items/{item.implementation_code}").json()
    for field in (
        "legal_basis",
        "acceptance_conditions",
        "legal_time_limit",
        "promised_time_limit",
        "case_kind",
        "visits_needed",
        "fees",
        "address",
        "office_hours",
        "phone",
        "complaint_channel",
        "online_depth",
        "handling_scope",
        "delivery_by_post",
        "online_payment",
        "appointment",
        "result_name",
        "result_type",
        "special_procedures",
        "materials",
        "situations",
    ):
        assert field in body
    material = body["materials"][0]
    for attr in ("necessity", "form", "original_copy", "source", "copies", "paper_size"):
        assert attr in material


def test_guide_in_english(client: Client, item_finder):
    item = item_finder("居住证")
    body = client.get(
        f"/api/v1/catalog/items/{item.implementation_code}", HTTP_ACCEPT_LANGUAGE="en"
    ).json()
    assert body["name"] == item.current_version.name_en


def test_unknown_item_is_404_with_a_message(client: Client):
    response = client.get("/api/v1/catalog/items/NOPE")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_materials_for_answers(client: Client, item_finder):
    item = item_finder("居住证")
    guide = client.get(f"/api/v1/catalog/items/{item.implementation_code}").json()
    situation = guide["situations"][0]
    option = situation["options"][0]
    response = client.post(
        f"/api/v1/catalog/items/{item.implementation_code}/materials",
        data=json.dumps({"answers": {situation["code"]: [option["code"]]}}),
        content_type="application/json",
    )
    assert response.status_code == 200
    codes = {m["code"] for m in response.json()["materials"]}
    assert set(option["materials"]) <= codes


@pytest.mark.parametrize(
    "payload",
    [
        "{not json",
        json.dumps({"answers": {"Q1": "yes"}}),
        json.dumps({"answers": {"nope": ["x"]}}),
        json.dumps({"answers": {"Q1": ["x" * 500]}}),
    ],
)
def test_bad_answers_are_refused_clearly(client: Client, item_finder, payload):
    item = item_finder("居住证")
    response = client.post(
        f"/api/v1/catalog/items/{item.implementation_code}/materials",
        data=payload,
        content_type="application/json",
    )
    assert response.status_code in (400, 422)
    assert "message" in response.json() or "detail" in response.json()


def test_error_messages_are_translated(client: Client):
    zh = client.get("/api/v1/catalog/items/NOPE").json()["message"]
    en = client.get("/api/v1/catalog/items/NOPE", HTTP_ACCEPT_LANGUAGE="en").json()["message"]
    assert zh != en and en == "What you asked for does not exist."


def test_export_requires_staff(client: Client):
    assert client.get("/api/v1/catalog/export").status_code == 401


def test_themes_and_departments(client: Client):
    assert len(client.get("/api/v1/catalog/themes").json()) >= 10
    assert len(client.get("/api/v1/organizations/departments").json()) >= 15
    regions = client.get("/api/v1/organizations/regions", {"level": "district"}).json()
    assert len(regions) >= 3


def test_list_query_counts_do_not_grow_with_the_page(client: Client, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        client.get("/api/v1/catalog/items", {"q": "证", "page_size": 5})
    with django_assert_max_num_queries(4):
        client.get("/api/v1/catalog/items", {"q": "证", "page_size": 50})
    with django_assert_max_num_queries(4):
        client.get("/api/v1/catalog/items", {"page_size": 100})
    with django_assert_max_num_queries(6):
        client.get("/search/", {"q": "证"})
