"""The data-sharing exchange's done-when journey, over real HTTP and in the browser.

The demo's social insurance system (江川市人力资源和社会保障局), with its grants, verifies 张伟's
name and ID number and reads 江川示范科技有限公司's licence status through the live server's
gateway (``manage.py exchange_call``: a signed client assertion, the gateway's signature on
the answer checked); a read of a field outside its grant is refused. On his phone 张伟 opens
我的数据用在哪 and finds the verification, filters it and exports it as CSV; 李娜, acting for
the company, finds both the served read and the refused one. The message log then verifies.
"""

from __future__ import annotations

import json
import re
import secrets
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.accounts import person_login, staff_login
from tests.e2e.test_case_journey import _manage, open_page  # noqa: F401 - a fixture
from tongban.demo import people
from tongban.demo.city import department_codes
from tongban.exchange import client

pytestmark = pytest.mark.e2e

ZHANG, LI = people.PEOPLE[0], people.PEOPLE[1]
COMPANY = people.COMPANIES[0]
PURPOSE = "社会保险参保登记核验"


def _call(live_url: str, *args: str) -> str:
    out = _manage("exchange_call", *args, "--url", live_url, "--purpose", PURPOSE)
    assert "signature OK" in out, out
    return re.search(r"message id ([0-9a-f]+)", out).group(1)


def test_a_department_system_uses_the_gateway_and_the_people_see_it(live_url, phone, open_page):  # noqa: F811
    verified = _call(live_url, "population-verify", f"id_number={ZHANG[1]}", f"name={ZHANG[0]}")
    status = _call(live_url, "company-status", f"credit_code={COMPANY[1]}", "--fields", "status")
    refused = _call(
        live_url,
        "company-status",
        f"credit_code={COMPANY[1]}",
        "--fields",
        "status,representative_name",
    )

    # 张伟 on his phone: the verification, with who, what for, newest first.
    person_login(phone, ZHANG[2])
    phone.locator(".data-use-link").click()
    expect(phone.locator("h1")).to_have_text(re.compile("我的数据用在哪|Where my data is used"))
    row = phone.locator("tr.data-use").filter(has_text=verified)
    expect(row).to_contain_text("人力资源和社会保障局")
    expect(row).to_contain_text(PURPOSE)
    expect(phone.locator("tr.data-use").filter(has_text=status)).to_have_count(0)
    # Filtered to staff accesses only, it is not there; the CSV export has it.
    phone.select_option("select[name=channel]", value="staff")
    phone.get_by_role("button", name=re.compile("^(筛选|Filter)$")).click()
    expect(phone.locator("tr.data-use").filter(has_text=verified)).to_have_count(0)
    phone.goto("/account/data-use/")
    with phone.expect_download() as download:
        phone.locator(".csv-link").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert verified in text and PURPOSE in text

    # 李娜, acting for the company, sees the read and the refusal.
    li = open_page()
    person_login(li, LI[2])
    choice = li.locator("#acting-select option").filter(has_text=COMPANY[0])
    li.locator("#acting-select").select_option(value=choice.get_attribute("value"))
    li.locator("#acting-h").locator("..").get_by_role(
        "button", name=re.compile("^(切换|Switch)$")
    ).click()
    li.locator(".data-use-link").click()
    expect(li.locator("tr.data-use").filter(has_text=status)).to_contain_text(
        re.compile("市场主体登记信息查询")
    )
    expect(li.locator("tr.data-use.refused").filter(has_text=refused)).to_have_count(1)

    # Every call is in the message log, which verifies once sealed.
    _manage("audit_seal")
    assert "exchange message log OK" in _manage("exchange_verify")


def test_data_managers_register_a_system_and_grant_it_in_the_workbench(live_url, open_page):  # noqa: F811
    """人社局's data manager registers a system and asks for the population verification;
    公安局's data manager answers; the system's first call is served; monitoring shows it."""
    code = f"e2e-{secrets.token_hex(3)}"
    private, jwks = client.new_key(f"{code}-k1")
    hrss = open_page()
    staff_login(hrss, "data.hrss", "/workbench/exchange/systems/")
    hrss.locator("#system-department").select_option(label="江川市人力资源和社会保障局")
    hrss.fill("#system-code", code)
    hrss.fill("#system-name", "就业服务系统")
    hrss.fill("#system-jwks", json.dumps(jwks))
    hrss.get_by_role("button", name=re.compile("^(注册|Register)$")).click()
    expect(hrss.locator(".kids")).to_have_text(f"{code}-k1")
    request_link = re.compile("^(申请使用服务|Request access to a service)$")
    hrss.get_by_role("link", name=request_link).click()
    option = hrss.locator("#grant-service option").filter(has_text="身份信息核验")
    hrss.locator("#grant-service").select_option(value=option.get_attribute("value"))
    hrss.get_by_role("button", name=re.compile("^(选择|Choose)$")).click()
    expect(hrss.locator("#grant-system")).to_have_value(code)
    hrss.fill("#grant-purpose", "办理就业登记时核验身份")
    hrss.get_by_role("button", name=re.compile("^(提交申请|Request access)$")).click()
    expect(hrss.locator(".grant-status")).to_have_text(re.compile("已申请|Requested"))

    psb = open_page()
    staff_login(psb, "data.psb", "/workbench/exchange/grants/")
    psb.locator("#to-answer tr").filter(has_text=code).get_by_role("link").click()
    psb.get_by_role("button", name=re.compile("^(同意授权|Grant access)$")).click()
    expect(psb.locator(".grant-status")).to_have_text(re.compile("已授权|Granted"))

    provider = department_codes()["psb"]
    headers = client.call_headers(
        system=code, private_jwk=private, audience="tongban-exchange", user="clerk-0007",
        purpose="办理就业登记时核验身份",
    )  # fmt: skip
    reply = client.post(
        f"{live_url}/exchange/r1/{provider}/population-verify",
        client.call_body({"id_number": ZHANG[1], "name": ZHANG[0]}),
        headers,
    )
    assert reply.status == 200 and reply.json()["data"] == {"match": True}, reply.body

    psb.goto("/workbench/exchange/monitoring/?hours=1")
    row = psb.locator("table.traffic tr").filter(has_text=code)
    expect(row).to_contain_text("population-verify")
