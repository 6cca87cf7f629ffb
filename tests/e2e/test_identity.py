"""Unified identity in the browser: register, reach L2, link a company, authorise an agent,
and the agent acts for the company; a clerk confirms a person at the counter."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.accounts import DEMO_PASSWORD, person_login
from tongban.demo import people

pytestmark = pytest.mark.e2e


def _last_code(var_dir: Path, phone: str) -> str:
    messages = [json.loads(p.read_text("utf-8")) for p in sorted((var_dir / "sms").iterdir())]
    text = [m for m in messages if m["to"] == phone][-1]["text"]
    return re.search(r"(?<!\d)(\d{6})(?!\d)", text).group(1)


def test_register_verify_link_company_authorise_agent_and_act(browser, live_url, live_var_dir):
    name, number, phone, _level = people.PEOPLE[3]  # 陈静: in the registries, no account yet
    company_name, credit_code, _rep, _status = people.COMPANIES[3]
    context = browser.new_context(base_url=live_url, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)

    page.goto("/account/register/")
    page.fill("#id_name", name)
    page.fill("#id_id_number", number.lower())  # a lower-case x or digits: normalised
    page.fill("#id_phone", phone)
    page.fill("#id_password", "Chen-Jing-passphrase-1")
    page.get_by_role("button", name="发送手机验证码").click()
    expect(page.locator(".flash-inline")).to_be_visible()
    page.fill("#id_code", _last_code(live_var_dir, phone))
    page.fill("#id_password", "Chen-Jing-passphrase-1")
    page.get_by_role("button", name="注册").click()
    expect(page.locator("h1")).to_have_text("我的账号")
    expect(page.locator(".level")).to_contain_text("L1")
    expect(page.locator(".pii")).to_have_text(number[:3] + "*" * 11 + number[-4:])

    page.get_by_role("button", name=re.compile("L2")).click()
    expect(page.locator(".level")).to_contain_text("L2")

    page.get_by_role("link", name="我的企业和经办人").click()
    page.fill("#id_credit_code", credit_code)
    page.get_by_role("button", name="关联企业").click()
    expect(page.locator("table")).to_contain_text(company_name)
    page.get_by_role("link", name="经办人").click()

    agent_name, agent_number, agent_phone, _ = people.PEOPLE[0]  # 张伟
    page.fill("#id_agent_name", agent_name)
    page.fill("#id_agent_id_number", agent_number)
    page.get_by_role("button", name="授权").click()
    expect(page.locator("table")).to_contain_text(agent_name)
    expect(page.locator("table")).to_contain_text("有效")
    context.close()

    agent = browser.new_context(base_url=live_url, locale="zh-CN")
    agent_page = agent.new_page()
    agent_page.set_default_timeout(15000)
    person_login(agent_page, agent_phone, DEMO_PASSWORD)
    agent_page.select_option("#acting-select", label=f"{company_name} · 经办人")
    agent_page.get_by_role("button", name="切换").last.click()
    expect(agent_page.locator(".flash")).to_contain_text(company_name)
    expect(agent_page.locator("#acting-select option:checked")).to_contain_text(company_name)
    agent.close()


def test_a_clerk_confirms_a_person_at_the_counter(page):
    from tests.e2e.accounts import staff_login

    name, number, _phone, _level = people.PEOPLE[2]  # 王芳
    staff_login(page, "clerk.city", next_url="/workbench/counter/")
    page.fill("#id_id_number", number)
    page.get_by_role("button", name=re.compile("查询|Look up")).click()
    expect(page.locator(".person h2")).to_have_text(name)
    expect(page.locator(".person .pii")).to_have_text(number[:3] + "*" * 11 + number[-4:])
    page.get_by_role("button", name=re.compile("L3")).click()
    expect(page.locator(".person .level")).to_contain_text("L3")
    page.get_by_role("button", name=re.compile("完整|full ID")).click()
    expect(page.locator(".person .pii")).to_have_text(number)


def test_account_pages_fit_a_phone(phone):
    person_login(phone, people.COMPANIES[0][1])
    for path in ("/account/", "/account/companies/"):
        phone.goto(path)
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"{path} scrolls sideways on a phone ({width}px)"
