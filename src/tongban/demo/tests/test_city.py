"""The demo city and the scale generator produce documents the import services accept.

Plain pytest: no database, no Django.
"""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from stdnum.cn import uscc

from tongban.demo import city, generator

ITEM_TYPES = {"01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "20"}
CODE_RE = re.compile(r"^[A-Za-z0-9_-]{1,20}$")
ENUMS: dict[str, set[Any]] = {
    "audience": {"person", "company", "both"},
    "legal_time_limit_unit": {"working_day", "natural_day"},
    "promised_time_limit_unit": {"working_day", "natural_day"},
    "case_kind": {"on_the_spot", "promised"},
    "online_depth": {1, 2, 3, 4},
    "handling_scope": {"district", "city_wide", "province_wide", "cross_province"},
    "result_type": {"certificate", "approval_document", "other", "none"},
}
MATERIAL_ENUMS: dict[str, set[Any]] = {
    "necessity": {"required", "conditional", "deferrable"},
    "form": {"paper", "electronic", "paper_or_electronic"},
    "original_copy": {"original", "copy", "original_and_copy"},
    "source": {"applicant", "department", "certificate_library", "data_sharing"},
    "paper_size": {"A4", "A3", "other", ""},
}
ITEM_FIELDS = [
    "implementation_code",
    "base_code",
    "department",
    "region",
    "name",
    "name_en",
    "audience",
    "themes",
    "keywords",
    "legal_basis",
    "acceptance_conditions",
    "acceptance_conditions_en",
    "legal_time_limit",
    "legal_time_limit_unit",
    "promised_time_limit",
    "promised_time_limit_unit",
    "process",
    "process_en",
    "case_kind",
    "visits_needed",
    "fee_required",
    "fees",
    "fee_basis",
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
    "result_name_en",
    "result_type",
    "special_procedures",
    "materials",
    "situations",
]
MATERIAL_FIELDS = [
    "code",
    "name",
    "name_en",
    "necessity",
    "form",
    "original_copy",
    "source",
    "source_detail",
    "certificate_type",
    "paper_size",
    "copies",
    "notes",
    "notes_en",
    "blank_form",
    "sample",
]


def region_prefix(code: str) -> str:
    while len(code) > 2 and code.endswith("00"):
        code = code[:-2]
    return code


def check_organizations(orgs: dict[str, Any]) -> None:
    lengths = {"province": 6, "city": 6, "district": 6, "street": 9, "community": 12}
    seen: set[str] = set()
    for region in orgs["regions"]:
        code = region["code"]
        assert code not in seen, code
        assert len(code) == lengths[region["level"]], code
        assert region["name"].strip()
        if region["parent"]:
            assert region["parent"] in seen, code  # parents first
            assert code.startswith(region_prefix(region["parent"])), code
            assert code != region["parent"]
        seen.add(code)
    credit_codes: set[str] = set()
    for dept in orgs["departments"]:
        code = dept["credit_code"]
        assert uscc.is_valid(code), code
        assert code[16] == city.org_code_check(code[8:16]), code
        assert not re.search(r"[IOZSV]", code), code
        assert code not in credit_codes, code
        assert code[2:8] == dept["region"], code
        assert dept["region"] in seen
        if dept["parent"]:
            assert dept["parent"] in credit_codes  # parents first
        credit_codes.add(code)
    for hall in orgs["halls"]:
        assert hall["region"] in seen
        numbers = [w["number"] for w in hall["windows"]]
        assert len(numbers) == len(set(numbers))
        assert {w["kind"] for w in hall["windows"]} <= {"comprehensive", "specialised"}


def check_catalog(orgs: dict[str, Any], document: dict[str, Any]) -> None:
    assert document["format"] == "tongban.catalog"
    assert document["format_version"] == 1
    regions = {r["code"] for r in orgs["regions"]}
    departments = {d["credit_code"] for d in orgs["departments"]}
    themes = {t["code"] for t in document["themes"]}
    assert len(themes) == len(document["themes"])
    for theme in document["themes"]:
        assert theme["kind"] in {"topic", "life_event"}
        assert theme["audience"] in ENUMS["audience"]
    base_types: dict[str, str] = {}
    for base in document["base_items"]:
        code = base["base_code"]
        assert re.fullmatch(r"\d{12}", code), code
        assert code[:2] == base["item_type"] and base["item_type"] in ITEM_TYPES
        assert code not in base_types, code
        assert base["exercising_level"] in {"national", "province", "city", "district", "street"}
        base_types[code] = base["item_type"]
    seen: set[str] = set()
    for item in document["items"]:
        impl = item["implementation_code"]
        assert set(ITEM_FIELDS) <= set(item), impl
        assert impl == item["department"] + item["base_code"], impl
        assert len(impl) == 30
        assert impl not in seen, impl
        seen.add(impl)
        assert item["department"] in departments, impl
        assert item["region"] in regions, impl
        assert item["base_code"] in base_types, impl
        assert set(item["themes"]) <= themes, impl
        for field, allowed in ENUMS.items():
            assert item[field] in allowed, (impl, field, item[field])
        if item["legal_time_limit_unit"] == item["promised_time_limit_unit"]:
            assert item["promised_time_limit"] <= item["legal_time_limit"], impl
        assert 0 <= item["visits_needed"] <= 10
        assert len(item["name"]) <= 200 and len(item["keywords"]) <= 300
        materials = {m["code"]: m for m in item["materials"]}
        assert len(materials) == len(item["materials"]), impl
        for material in item["materials"]:
            assert set(MATERIAL_FIELDS) <= set(material), impl
            assert CODE_RE.match(material["code"])
            assert material["name"].strip()
            for field, allowed in MATERIAL_ENUMS.items():
                assert material[field] in allowed, (impl, field, material[field])
        linked: set[str] = set()
        answered: set[str] = set()
        questions: set[str] = set()
        for situation in item["situations"]:
            assert CODE_RE.match(situation["code"]) and situation["code"] not in questions
            questions.add(situation["code"])
            if situation["depends_on"]:
                assert situation["depends_on"] in answered, (impl, situation["depends_on"])
            assert situation["options"], impl
            option_codes = [o["code"] for o in situation["options"]]
            assert len(option_codes) == len(set(option_codes)), impl
            for option in situation["options"]:
                assert CODE_RE.match(option["code"])
                assert option["label"].strip()
                for code in option["materials"]:
                    assert code in materials, (impl, code)
                    linked.add(code)
                answered.add(f"{situation['code']}:{option['code']}")
        for material in item["materials"]:
            if material["necessity"] == "conditional":
                assert material["code"] in linked, (impl, material["code"])


@pytest.fixture(scope="module")
def orgs() -> dict[str, Any]:
    return city.organizations()


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return city.catalog()


def test_organizations_structure(orgs):
    check_organizations(orgs)
    regions = orgs["regions"]
    assert regions[0]["code"] == "990000" and regions[0]["parent"] is None
    assert regions[0]["level"] == "province"
    assert regions[1]["code"] == "990100" and regions[1]["level"] == "city"
    assert regions[1]["name"] == "江川市" and regions[1]["parent"] == "990000"
    levels = [r["level"] for r in regions]
    assert levels.count("district") == 4
    assert levels.count("street") >= 8 and levels.count("community") >= 4


def test_departments(orgs):
    city_departments = [d for d in orgs["departments"] if d["region"] == "990100"]
    assert len(city_departments) >= 20
    assert any("市场监督管理局" in d["name"] for d in city_departments)
    assert any(d["name"] == "国家税务总局江川市税务局" for d in city_departments)
    for district in ("990102", "990103", "990104", "990105"):
        names = [d["name"] for d in orgs["departments"] if d["region"] == district]
        assert any("公安" in n and "分局" in n for n in names), district
        assert any("行政审批服务局" in n for n in names), district


def test_credit_code_helpers():
    assert city.uscc_check("91110000600037341") == "L"
    assert city.uscc_check("91110108551385082") == "Q"
    assert city.org_code_check("60003734") == "1"
    assert city.org_code_check("55138508") == "2"
    assert uscc.is_valid(city.credit_code("990100", 1))


def test_halls(orgs):
    halls = orgs["halls"]
    assert halls[0]["region"] == "990100" and len(halls[0]["windows"]) >= 10
    assert len(halls) == 5
    assert all(4 <= len(h["windows"]) <= 6 for h in halls[1:])


def test_catalog_structure(orgs, document):
    check_catalog(orgs, document)


def test_catalog_coverage(document):
    items = document["items"]
    assert len(items) >= 150
    assert {i["base_code"][:2] for i in items} == ITEM_TYPES
    audiences = {i["audience"] for i in items}
    assert {"person", "company"} <= audiences
    sources = {m["source"] for i in items for m in i["materials"]}
    assert sources == MATERIAL_ENUMS["source"]
    assert sum(1 for i in items if i["situations"]) >= 60
    dependent = [s for i in items for s in i["situations"] if s["depends_on"]]
    assert (
        len({i["implementation_code"] for i in items for s in i["situations"] if s["depends_on"]})
        >= 5
    )
    assert dependent
    assert any(s["multiple"] for i in items for s in i["situations"])
    assert any(
        m["necessity"] == "deferrable"
        for i in items
        if i["audience"] == "company"
        for m in i["materials"]
    )
    kinds = {t["kind"] for t in document["themes"]}
    assert kinds == {"topic", "life_event"}


def _names(items, text):
    return [i for i in items if text in i["name"]]


def test_required_items(document):
    items = document["items"]
    residence = _names(items, "居住证申领")
    assert len(residence) == 4
    assert len({i["base_code"] for i in residence}) == 1
    assert len({i["department"] for i in residence}) == 4
    first = residence[0]["situations"][0]
    option_materials = [tuple(o["materials"]) for o in first["options"]]
    assert len(option_materials) == 3 and all(option_materials)
    assert len(set(option_materials)) == 3
    licence = [i for i in _names(items, "营业执照") if i["audience"] == "company"]
    assert licence and "有限责任公司" in licence[0]["name"]
    questions = " ".join(s["question"] for s in licence[0]["situations"])
    assert "住所" in questions and "代理" in questions
    for text in (
        "社会保障卡",
        "住房公积金提取",
        "出生登记",
        "户口迁入",
        "户口迁出",
        "出生医学证明",
        "个体工商户",
        "食品经营许可",
        "施工许可",
        "道路",
        "驾驶证换证",
        "结婚登记",
        "最低生活保障",
        "医保报销",
        "职业资格",
        "残疾人证",
    ):
        assert _names(items, text), text
    assert any("社会保险" in i["name"] for i in items)
    assert any("社保" in i["keywords"] or "社保" in i["name"] for i in items)
    withdrawal = _names(items, "住房公积金提取")[0]
    labels = " ".join(o["label"] for o in withdrawal["situations"][0]["options"])
    for word in ("购", "租", "退休", "离职"):
        assert word in labels


def test_english_texts(document):
    for item in document["items"]:
        assert item["name_en"] and item["acceptance_conditions_en"] and item["process_en"]
        assert item["result_name_en"]
        assert item["phone"].startswith("0999-")
        assert "江川市" in item["address"]
        assert "12345" in item["complaint_channel"]
        assert 2 <= item["online_depth"] <= 4
        assert 0 <= item["visits_needed"] <= 2
        if item["case_kind"] == "on_the_spot":
            assert item["promised_time_limit"] <= 1
        for material in item["materials"]:
            assert material["name_en"] and material["notes_en"]
        for situation in item["situations"]:
            assert situation["question_en"]
            for option in situation["options"]:
                assert option["label_en"]


def test_deterministic():
    assert city.catalog() == city.catalog()
    assert city.organizations() == city.organizations()


def test_scale_catalog():
    started = time.perf_counter()
    orgs, document = generator.scale_catalog(3000)
    assert time.perf_counter() - started < 10
    assert len(document["items"]) == 3000
    check_organizations(orgs)
    check_catalog(orgs, document)
    assert all(2 <= len(item["materials"]) <= 4 for item in document["items"])
    assert {i["base_code"][:2] for i in document["items"]} == ITEM_TYPES
    assert any(i["situations"] for i in document["items"])
    again = generator.scale_catalog(3000)
    assert again == (orgs, document)
    assert generator.scale_catalog(3000, seed=8)[1] != document


def test_scale_catalog_small():
    orgs, document = generator.scale_catalog(50)
    assert len(document["items"]) == 50
    check_organizations(orgs)
    check_catalog(orgs, document)
