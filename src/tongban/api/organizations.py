from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from tongban.organizations import selectors

router = Router(tags=["organizations"])


class RegionOut(Schema):
    code: str
    name: str
    name_en: str
    level: str
    parent: str | None


class DepartmentOut(Schema):
    id: int
    credit_code: str
    name: str
    name_en: str
    region: str
    phone: str
    address: str


@router.get("/regions", response=list[RegionOut], summary="List regions (GB/T 2260 tree)")
def regions(request: HttpRequest, level: str | None = None) -> list[RegionOut]:
    return [
        RegionOut(code=r.code, name=r.name, name_en=r.name_en, level=r.level, parent=r.parent_id)
        for r in selectors.region_list(level=level)
    ]


@router.get("/departments", response=list[DepartmentOut], summary="List departments")
def departments(request: HttpRequest) -> list[DepartmentOut]:
    return [
        DepartmentOut(
            id=d.pk,
            credit_code=d.credit_code,
            name=d.name,
            name_en=d.name_en,
            region=d.region_id,
            phone=d.phone,
            address=d.address,
        )
        for d in selectors.department_list()
    ]
