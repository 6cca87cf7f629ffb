"""Small catalog documents for tests, built in the import format (docs/catalog-format.md)."""

from __future__ import annotations

import copy
from typing import Any

from tongban.organizations.models import Department


def department() -> Department:
    return Department.objects.select_related("region").order_by("pk").first()


def base_code(n: int, item_type: str = "01") -> str:
    return f"{item_type}{90000 + n:05d}00000"


def item_document(n: int = 1, *, dept: Department | None = None, **overrides: Any) -> dict:
    """A valid one-item catalog document with two questions."""
    dept = dept or department()
    code = base_code(n)
    item = {
        "implementation_code": f"{dept.credit_code}{code}",
        "base_code": code,
        "department": dept.credit_code,
        "region": dept.region_id,
        "name": f"测试事项{n}",
        "name_en": f"Test item {n}",
        "audience": "person",
        "themes": [],
        "acceptance_conditions": "年满十八周岁",
        "legal_time_limit": 20,
        "legal_time_limit_unit": "working_day",
        "promised_time_limit": 5,
        "promised_time_limit_unit": "working_day",
        "case_kind": "promised",
        "online_depth": 4,
        "materials": [
            {
                "code": "M1",
                "name": "居民身份证",
                "name_en": "Resident ID card",
                "necessity": "required",
                "form": "paper_or_electronic",
                "original_copy": "original",
                "source": "certificate_library",
                "copies": 1,
            },
            {
                "code": "M2",
                "name": "租赁合同",
                "name_en": "Lease",
                "necessity": "conditional",
                "form": "paper",
                "original_copy": "copy",
                "source": "applicant",
                "copies": 1,
            },
            {
                "code": "M3",
                "name": "房产证明",
                "name_en": "Property deed",
                "necessity": "conditional",
                "form": "paper",
                "original_copy": "copy",
                "source": "data_sharing",
                "copies": 1,
            },
            {
                "code": "M4",
                "name": "授权委托书",
                "name_en": "Power of attorney",
                "necessity": "conditional",
                "form": "paper",
                "original_copy": "original",
                "source": "applicant",
                "copies": 1,
            },
        ],
        "situations": [
            {
                "code": "Q1",
                "question": "住所是自有还是租赁？",
                "question_en": "Own or rent?",
                "multiple": False,
                "depends_on": None,
                "options": [
                    {"code": "own", "label": "自有", "label_en": "Own", "materials": ["M3"]},
                    {
                        "code": "rent",
                        "label": "租赁",
                        "label_en": "Rent",
                        "materials": ["M2"],
                        "conditions": "租期一年以上",
                        "conditions_en": "Lease of a year or more",
                    },
                ],
            },
            {
                "code": "Q2",
                "question": "是否委托他人？",
                "question_en": "Through an agent?",
                "multiple": False,
                "depends_on": "Q1:rent",
                "options": [
                    {"code": "yes", "label": "是", "label_en": "Yes", "materials": ["M4"]},
                    {"code": "no", "label": "否", "label_en": "No", "materials": []},
                ],
            },
        ],
    }
    item.update(overrides)
    return {
        "format": "tongban.catalog",
        "format_version": 1,
        "themes": [],
        "base_items": [
            {
                "base_code": code,
                "name": f"测试事项{n}",
                "name_en": f"Test item {n}",
                "item_type": "01",
                "legal_basis": "《测试条例》",
                "exercising_level": "city",
            }
        ],
        "items": [item],
    }


def with_item(document: dict, **overrides: Any) -> dict:
    document = copy.deepcopy(document)
    document["items"][0].update(overrides)
    return document
