"""One journey per feature, as a person would do it in a browser."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from playwright.sync_api import expect

from tests.e2e.accounts import staff_login

pytestmark = pytest.mark.e2e

DEMO_PASSWORD = "Tongban-demo-2026"


def _questionnaire_changes_materials(page) -> None:
    materials = page.locator("#materials li.material")
    before = materials.count()
    page.locator("#questionnaire fieldset").first.locator("input").first.check()
    page.wait_for_load_state("networkidle")
    expect(page.locator("#materials")).to_be_visible()
    after = materials.count()
    assert after >= before


def test_citizen_finds_residence_permit_and_gets_materials(page):
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    page.get_by_role("searchbox").fill("居住证")
    page.get_by_role("button", name="搜索").click()
    results = page.locator("ol.items li a.item-title")
    expect(results.first).to_contain_text("居住证")
    results.filter(has_text="居住证申领").first.click()
    expect(page.locator("h1")).to_contain_text("居住证")
    _questionnaire_changes_materials(page)
    # Answers survive a reload (they are in the address bar) and work without htmx too.
    page.reload()
    expect(page.locator("#questionnaire input:checked")).to_have_count(1)
    # English
    page.locator("#lang-select").select_option("en")
    page.get_by_role("button", name=re.compile("Switch|切换")).click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Which materials do I need?")).to_be_visible()


def test_business_licence_on_a_phone(phone):
    phone.goto("/search/?q=营业执照")
    results = phone.locator("ol.items li a.item-title")
    expect(results.first).to_contain_text("营业执照")
    results.filter(has_text="有限责任公司").first.click()
    _questionnaire_changes_materials(phone)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, "no horizontal scrolling on a phone"


def test_search_suggests_when_nothing_matches(page):
    page.goto("/search/?q=居住正")
    expect(page.locator(".suggestion a")).to_contain_text("居住")


def test_keyboard_only_search(page):
    page.goto("/")
    page.keyboard.press("Tab")
    expect(page.locator("a.skip")).to_be_focused()
    page.get_by_role("searchbox").focus()
    page.keyboard.type("公积金")
    page.keyboard.press("Enter")
    expect(page.locator("ol.items li").first).to_be_visible()


def _login(page, username: str) -> None:
    staff_login(page, username)
    expect(page.locator("#user-tools")).to_contain_text(username)


def test_catalog_manager_edits_and_publishes_a_new_version(page):
    _login(page, "catalog.city")
    page.goto("/workbench/catalog/implementationitem/?q=居住证申领")
    page.locator("#result_list tbody tr").first.locator("a").first.click()
    code = page.locator(".field-implementation_code .readonly").inner_text().strip()
    page.goto(f"/workbench/catalog/implementationitem/?q={code}")
    page.locator("#result_list tbody input.action-select").first.check()
    page.select_option("select[name=action]", "new_draft")
    page.locator("button[name=index]").click()
    expect(page.locator(".messagelist")).to_contain_text(code)
    page.goto(f"/workbench/catalog/itemversion/?q={code}&status__exact=draft")
    page.locator("#result_list tbody tr").first.locator("a").first.click()
    page.fill("#id_name", "居住证申领（新版指南）")
    page.locator("input[name=_continue]").click()
    page.get_by_role("link", name="发布…").click()
    page.locator("input[name=publish]").click()
    page.goto(f"/items/{code}/")
    expect(page.locator("h1")).to_have_text("居住证申领（新版指南）")
    page.goto(f"/items/{code}/versions/")
    expect(page.locator("table tbody tr")).to_have_count(2)


def test_a_csv_with_errors_is_refused_with_a_report(page, live_url):
    _login(page, "admin")
    export = page.request.get(f"{live_url}/workbench/catalog/export.zip")
    archive = zipfile.ZipFile(io.BytesIO(export.body()))
    files = {n: archive.read(n).decode() for n in archive.namelist()}
    lines = files["materials.csv"].splitlines()
    bad = next(i for i, line in enumerate(lines) if ",required," in line)
    lines[bad] = lines[bad].replace(",required,", ",sometimes,", 1)
    files["materials.csv"] = "\r\n".join(lines) + "\r\n"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        for name, text in files.items():
            out.writestr(name, text)
    page.goto("/workbench/catalog/import/")
    page.set_input_files(
        "#id_file",
        files=[{"name": "bad.zip", "mimeType": "application/zip", "buffer": buffer.getvalue()}],
    )
    page.locator("input[type=submit]").click()
    expect(page.locator("#problems")).to_contain_text(f"materials.csv line {bad + 1}")
    expect(page.locator("#problems")).to_contain_text("necessity")
    expect(page.locator(".errornote")).to_contain_text("没有导入")
