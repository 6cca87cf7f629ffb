from __future__ import annotations

import pytest

from tongban.core.errors import Forbidden, InvalidInput
from tongban.core.types import Actor
from tongban.organizations.models import Department, Region
from tongban.organizations.services import organizations_import

pytestmark = pytest.mark.django_db


def test_demo_city_has_the_tree_departments_and_halls():
    assert Region.objects.filter(level="district").count() >= 3
    assert Department.objects.count() >= 15
    district = Region.objects.filter(level="district").first()
    assert district.parent.level == "city"
    assert district.code.startswith(district.parent.code[:4])


def test_import_is_all_or_nothing_and_reports_every_problem(system_actor):
    before = Region.objects.count()
    data = {
        "regions": [
            {"code": "880000", "name": "测试省", "level": "province", "parent": None},
            {"code": "880100", "name": "测试市", "level": "city", "parent": "880000"},
            {"code": "770101", "name": "错位区", "level": "district", "parent": "880100"},
            {"code": "88010", "name": "短码", "level": "district", "parent": "880100"},
        ],
        "departments": [
            {"credit_code": "91110000600037341M", "name": "错码局", "region": "880100"},
            {"credit_code": "91110000600037341L", "name": "", "region": "999999"},
        ],
    }
    with pytest.raises(InvalidInput) as info:
        organizations_import(actor=system_actor, data=data)
    problems = {(p.location, p.field) for p in info.value.problems}
    assert ("regions[3]", "code") in problems  # wrong prefix
    assert ("regions[4]", "code") in problems  # wrong length
    assert ("departments[1]", "credit_code") in problems
    assert ("departments[2]", "region") in problems
    assert ("departments[2]", "name") in problems
    assert Region.objects.count() == before


def test_only_administrators_import_organisations():
    with pytest.raises(Forbidden):
        organizations_import(actor=Actor.anonymous(), data={})
