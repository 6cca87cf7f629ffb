"""Logging in as demo people and staff in the browser (TOTP codes from the demo keys)."""

from __future__ import annotations

import re
import time

from playwright.sync_api import expect

DEMO_PASSWORD = "Tongban-demo-2026"


def totp_now(username: str) -> str:
    from django_otp.oath import totp

    from tongban.demo.people import totp_key

    return f"{totp(bytes.fromhex(totp_key(username)), step=30, t0=0, digits=6):06d}"


def staff_login(page, username: str, next_url: str = "/workbench/") -> None:
    """Identifier and password, then the TOTP step. A code is accepted once: when the same
    account logged in moments ago, wait for the next code."""
    page.goto(f"/account/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("form.stack button[type=submit]").click()
    expect(page.locator("#id_token")).to_be_visible()
    for attempt in range(2):
        page.fill("#id_token", totp_now(username))
        page.locator("form.stack button[type=submit]").click()
        page.wait_for_load_state()
        if "/account/second-factor/" not in page.url:
            return
        if attempt == 0:
            time.sleep(31 - time.time() % 30)
    raise AssertionError("the TOTP code was refused twice")


def person_login(page, identifier: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/account/login/")
    page.fill("#id_username", identifier)
    page.fill("#id_password", password)
    page.locator("form.stack button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/account/$"))
