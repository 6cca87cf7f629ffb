"""The data tracker (我的数据用在哪), end to end: a department's system verifies a person and
reads a company's status through the real gateway, one call outside its grant is refused; the
person and the company's representative see both on their portal page, through the API and in
the CSV export; nobody else does. Staff look-ups at the window appear too."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from tongban.core.models import DataUseRecord
from tongban.demo.people import COMPANIES, PEOPLE
from tongban.exchange.tests.helpers import make_system
from tongban.exchange.tests.test_grants import staff
from tongban.identity.models import Company
from tongban.identity.services import person_find_by_id_number
from tongban.identity.tests.helpers import person_client

pytestmark = pytest.mark.django_db

ZHANG, LI = PEOPLE[0], PEOPLE[1]  # 李娜 represents COMPANIES[0]
COMPANY = COMPANIES[0]


def _journey(client: Client):
    system = make_system()
    system.grant("population-verify")
    system.grant("company-status", fields=["name", "status"])
    verified = system.call(client, "population-verify", {"id_number": ZHANG[1], "name": ZHANG[0]})
    assert verified.status_code == 200 and verified.json()["data"] == {"match": True}
    status = system.call(client, "company-status", {"credit_code": COMPANY[1]}, ["status"])
    assert status.status_code == 200 and status.json()["data"] == {
        "found": True,
        "status": "active",
    }
    outside = system.call(
        client, "company-status", {"credit_code": COMPANY[1]}, ["status", "representative_name"]
    )
    assert outside.status_code == 403 and outside.json()["code"] == "field_not_granted"
    return system, verified["Tongban-Id"], status["Tongban-Id"], outside["Tongban-Id"]


def test_the_person_and_the_company_see_every_access_and_nobody_else_does(client):
    system, verified_id, status_id, outside_id = _journey(client)
    department = system.system.department.name
    zhang = person_client(ZHANG[2])
    page = zhang.get("/account/data-use/").content.decode()
    assert "居民身份核验" in page or "核验" in page
    assert department in page and verified_id in page and "参保登记核验身份" in page
    assert status_id not in page  # the company's data is the company's
    li = person_client(LI[2])
    assert verified_id not in li.get("/account/data-use/").content.decode()
    company = Company.objects.get(credit_code=COMPANY[1])
    li.post("/account/acting-for/", {"company": company.pk})
    company_page = li.get("/account/data-use/").content.decode()
    assert status_id in company_page and outside_id in company_page
    assert "refused" in company_page or "拒绝" in company_page
    # Through the API, with the portal session, the same.
    api = li.get("/api/v1/exchange/data-uses").json()
    by_reference = {row["reference"]: row for row in api}
    assert by_reference[status_id]["answered"] and not by_reference[outside_id]["answered"]
    assert by_reference[status_id]["service"] == "市场主体登记信息查询"
    assert Client().get("/api/v1/exchange/data-uses").status_code == 401
    assert Client().get("/account/data-use/").status_code == 302


def test_filters_and_the_csv_export(client):
    system, verified_id, *_ = _journey(client)
    system.call(client, "population-verify", {"id_number": ZHANG[1], "name": ZHANG[0]},
                headers=system.headers(purpose="=HYPERLINK(\"http://evil\")"))  # fmt: skip
    zhang = person_client(ZHANG[2])
    export = zhang.get("/account/data-use/?format=csv")
    assert export["Content-Type"].startswith("text/csv")
    assert "attachment" in export["Content-Disposition"]
    text = export.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert len(rows) >= 3 and any(verified_id in row for row in rows)
    assert any(cell.startswith("'=HYPERLINK") for row in rows for cell in row)
    assert not any(cell.startswith("=") for row in rows for cell in row)
    # Filters: by channel, by department, by dates; bad values are ignored, not errors.
    staff_only = zhang.get("/account/data-use/?channel=staff").content.decode()
    assert verified_id not in staff_only
    other_dept = zhang.get("/account/data-use/?department=不存在的部门").content.decode()
    assert verified_id not in other_dept
    hostile = zhang.get(
        "/account/data-use/?since=garbage&until=2999-99-99&channel=<script>&department=%00x"
    )
    assert hostile.status_code == 200 and "<script>" not in hostile.content.decode()
    assert zhang.get("/api/v1/exchange/data-uses?channel=nope").status_code == 422
    assert zhang.get("/api/v1/exchange/data-uses?limit=100000").status_code == 422


def test_a_clerks_look_up_at_the_window_is_in_the_tracker():
    before = DataUseRecord.objects.filter(channel="staff").count()
    person_find_by_id_number(actor=staff("clerk.city"), id_number=ZHANG[1])
    assert DataUseRecord.objects.filter(channel="staff").count() == before + 1
    page = person_client(ZHANG[2]).get("/account/data-use/?channel=staff").content.decode()
    assert "窗口" in page or "window" in page


def test_the_public_resource_catalog_page_and_api():
    page = Client().get("/data/resources/").content.decode()
    assert "990100-GA-0001" in page and "人口" in page
    detail = Client().get("/data/resources/990100-WJ-0001/").content.decode()
    assert "个人信息保护法" in detail  # the legal basis of not sharing
    assert Client().get("/data/resources/nope/").status_code == 404
    assert "990100-SC-0001" not in Client().get("/data/resources/?q=健康").content.decode()
    listing = Client().get("/api/v1/exchange/resources").json()
    codes = {r["code"]: r for r in listing}
    assert codes["990100-SC-0001"]["sharing_type"] == "unconditional"
    assert {s["code"] for s in codes["990100-SC-0001"]["services"]} >= {"company-status"}
    assert Client().get("/api/v1/exchange/resources/nope").status_code == 404


def test_a_departments_certificate_look_up_is_in_the_companys_tracker():
    from tongban.certificates.services import certificates_lookup

    found = certificates_lookup(
        actor=staff("review.amr"),
        holder_kind="company",
        holder_code=COMPANY[1],
        purpose="核查营业执照状态",
    )
    assert found
    records = DataUseRecord.objects.filter(
        channel="certificate", subject_kind="company", subject_index=COMPANY[1]
    )
    assert records.filter(purpose="核查营业执照状态").count() == len(found)
    li = person_client(LI[2])
    li.post("/account/acting-for/", {"company": Company.objects.get(credit_code=COMPANY[1]).pk})
    page = li.get("/account/data-use/?channel=certificate").content.decode()
    assert "核查营业执照状态" in page and "营业执照" in page
