"""Applying online from a phone: a citizen finds the residence permit of her district, answers
the questionnaire, applies with her scanned documents, submits and follows her case."""

from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfWriter

from tests.e2e.accounts import person_login
from tongban.demo import people

pytestmark = pytest.mark.e2e

PHONE_WIDTH = 375


def _scan(title: str) -> bytes:
    """A small, valid one-page PDF (A4), like a phone's document scanner makes."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _no_horizontal_scrolling(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"{page.url} scrolls sideways ({width}px)"


def test_citizen_applies_for_a_residence_permit_on_a_phone(phone):
    _name, _id_number, mobile, _level = people.PEOPLE[1]  # 李娜, L2
    person_login(phone, mobile)

    phone.goto("/search/?q=居住证申领")
    result = (
        phone.locator("ol.items li")
        .filter(has_text="临江区")
        .filter(has=phone.locator("a.item-title", has_text="居住证申领"))
        .first
    )
    result.locator("a.item-title").click()
    expect(phone.locator("h1")).to_contain_text("居住证申领")
    expect(phone.locator(".guide .meta")).to_contain_text("临江区")

    # The questionnaire (htmx swaps the material list after each answer).
    phone.locator("#a-Q1-job").check()
    phone.wait_for_load_state("networkidle")
    expect(phone.locator("#materials")).to_contain_text("劳动合同")
    phone.locator("#a-Q3-self").check()
    phone.wait_for_load_state("networkidle")
    apply = phone.locator(".apply-online a")
    expect(apply).to_have_attribute("href", re.compile(r"/apply/\?.*Q1=job"))
    expect(apply).to_have_attribute("href", re.compile(r"Q3=self"))
    _no_horizontal_scrolling(phone)
    apply.click()

    # The application: answers carried over, the form prefilled, one upload per material.
    expect(phone).to_have_url(re.compile(r"/apply/\?"))
    expect(phone.locator(".situation")).to_contain_text("合法稳定就业")
    expect(phone.locator("#f-contact_name")).to_have_value("李娜")
    expect(phone.locator("#f-contact_phone")).to_have_value(mobile)
    expect(phone.locator(".state-fetched").first).to_be_visible()  # the department fetches it
    uploads = phone.locator("input[type=file]")
    assert uploads.count() >= 2
    _no_horizontal_scrolling(phone)
    phone.fill("#f-note", "工作日白天可联系")
    for index in range(uploads.count()):
        uploads.nth(index).set_input_files(
            files=[
                {
                    "name": f"scan-{index + 1}.pdf",
                    "mimeType": "application/pdf",
                    "buffer": _scan(f"scan {index + 1}"),
                }
            ]
        )
    phone.locator("button[name=action][value=submit]").click()

    # The case: its number, its status, the timeline, the receipt.
    expect(phone).to_have_url(re.compile(r"/cases/\d{22}[0-9X]/$"))
    number = phone.locator(".case-number").inner_text().strip()
    assert re.fullmatch(r"\d{22}[0-9X]", number)
    expect(phone.locator(".flash")).to_contain_text(number)
    expect(phone.locator(".timeline li.event-submitted")).to_be_visible()
    expect(phone.locator(".case-materials")).to_contain_text("scan-1.pdf")
    receipt = phone.locator(f"a[href='/cases/{number}/receipt.pdf']")
    expect(receipt).to_be_visible()
    _no_horizontal_scrolling(phone)

    # My applications lists it, with its status.
    phone.locator(".cases-link").click()
    expect(phone.locator("ul.cases")).to_contain_text(number)
    _no_horizontal_scrolling(phone)
