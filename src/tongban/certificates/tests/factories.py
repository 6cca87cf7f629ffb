"""Certificates for tests, issued through the services with the demo city's types."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tongban.certificates import services
from tongban.certificates.models import Certificate
from tongban.core.types import Actor
from tongban.demo import city, people
from tongban.organizations.models import Department

SYSTEM = Actor.system("tests")


def business_type() -> str:
    return city.certificate_types()[0]["code"]


def residence_type() -> str:
    return city.certificate_types()[1]["code"]


def department(key: str) -> Department:
    return Department.objects.get(credit_code=city.department_codes()[key])


def issue_residence_permit(
    *, sequence: int = 501, birth: str = "19900101", **overrides: Any
) -> Certificate:
    number = people.citizen_id("990102", birth, sequence)
    arguments: dict[str, Any] = {
        "actor": SYSTEM,
        "type_code": residence_type(),
        "issuer_department_id": department("990102/psb").pk,
        "holder_code": number,
        "holder_name": "赵六",
        "fields": {"sex": "男", "address": "江川市临江区望江路1号"},
    }
    arguments.update(overrides)
    return services.certificate_issue(**arguments)


def issue_business_licence(**overrides: Any) -> Certificate:
    _name, code, _rep, _status = people.COMPANIES[1]
    arguments: dict[str, Any] = {
        "actor": SYSTEM,
        "type_code": business_type(),
        "issuer_department_id": department("amr").pk,
        "holder_code": code,
        "holder_name": "江川清风餐饮有限公司",
        "fields": {
            "company_type": "有限责任公司",
            "legal_representative": "张伟",
            "address": "江川市青山区松林路3号",
        },
        "valid_from": dt.date(2020, 1, 1),
    }
    arguments.update(overrides)
    return services.certificate_issue(**arguments)
