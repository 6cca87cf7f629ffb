"""A business licence from approval to reuse and revocation, in the browser.

李娜 applies online to found a limited company; the market regulation bureau has reviewed it
(set up through the services on the live server's database). In the browser: the approver
sees the licence's face prefilled from the application and approves — the company is founded
and its licence issued into its wallet; 李娜, acting for the new company on a phone, finds it
in 我的证照 and shows it with a one-time QR code that a verifier's phone page finds valid (and
refuses when scanned twice); a later application of the company attaches the licence with a
tick, without an upload; the licence is revoked, and the verification page, the API and the
offline verifier (JWKS and status list fetched over HTTP, no database) all say so.
"""

from __future__ import annotations

import base64
import json
import re
import subprocess
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from tests.e2e.accounts import person_login, staff_login
from tests.e2e.conftest import PYTHON, ROOT
from tests.e2e.test_case_journey import _manage, _scan, open_page  # noqa: F401 - a fixture
from tongban.demo import people

pytestmark = pytest.mark.e2e

COMPANY = "江川临江示范贸易有限公司"
LI_MOBILE = people.PEOPLE[1][2]

SETUP = r"""
import json
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from tongban.cases import selectors, services
from tongban.catalog.models import ImplementationItem
from tongban.identity.selectors import actor_for_user
from tongban.identity.tests.helpers import demo_person

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

def item(name):
    return ImplementationItem.objects.filter(current_version__name__contains=name).order_by(
        "implementation_code").first()

def first_answers(version):
    return {s.code: [s.options.all()[0].code] for s in version.situations.all()
            if s.depends_on_id is None}

li = demo_person(1)
actor = actor_for_user(li.user)
founding = item("有限责任公司设立登记")
draft = services.case_draft_save(
    actor=actor, implementation_code=founding.implementation_code,
    answers=first_answers(founding.current_version),
    form_data={"contact_name": li.name, "contact_phone": "__MOBILE__",
               "company_name": "__COMPANY__", "company_type": "有限责任公司（自然人独资）",
               "registered_capital": "伍拾万元整", "address": "江川市临江区人民路200号",
               "business_scope": "日用百货销售。"})
for material, state in services.completeness(draft):
    if state in ("missing", "deferrable_missing"):
        services.case_material_add(actor=actor, case_id=draft.pk, material_id=material.pk,
                                   upload=SimpleUploadedFile("scan.pdf", PDF))
case = services.case_submit(actor=actor, case_id=draft.pk)
reviewer = actor_for_user(get_user_model().objects.get(username="review.amr"))
services.case_accept(actor=reviewer, number=case.number)
review = selectors.worklist(actor=reviewer).get(case=case)
services.task_claim(actor=reviewer, task_id=review.pk)
services.task_complete(actor=reviewer, task_id=review.pk, note="材料齐全")
decide = case.tasks.get(status="open")
change = item("有限责任公司变更登记")
answers = first_answers(change.current_version)
print(json.dumps({"number": case.number, "task": decide.pk, "change": change.implementation_code,
                  "answers": "&".join(f"{k}={v[0]}" for k, v in answers.items())}))
""".replace("__MOBILE__", LI_MOBILE).replace("__COMPANY__", COMPANY)

REVOKE = r"""
from tongban.certificates.models import Certificate
from tongban.certificates.services import certificate_revoke
from tongban.core.types import Actor
c = Certificate.objects.get(identifier="__IDENTIFIER__")
certificate_revoke(actor=Actor.system("e2e"), certificate_id=c.pk, reason="虚假登记，依法吊销")
print(c.credential)
"""


def _payload(token: str) -> dict:
    part = token.split("~", 1)[0].split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def test_a_licence_is_issued_shown_reused_and_revoked(open_page, phone, tmp_path: Path):  # noqa: F811
    setup = json.loads(_manage("shell", "-c", SETUP).strip().splitlines()[-1])

    # The approver decides: the face comes from the application; approving founds the company.
    approver = open_page()
    staff_login(approver, "approve.amr", f"/workbench/cases/tasks/{setup['task']}/")
    approver.get_by_role("button", name=re.compile("^(认领|Claim this task)$")).click()
    decide = approver.locator("#task form").filter(
        has=approver.locator("input[name=action][value=complete]")
    )
    expect(decide.locator("#cert-holder_name")).to_have_value(COMPANY)
    expect(decide.locator("#cert-legal_representative")).to_have_value("李娜")
    expect(decide.locator("#cert-address")).to_have_value("江川市临江区人民路200号")
    decide.get_by_label(re.compile("^(原因|Reason)$")).fill("符合公司设立条件")
    decide.get_by_label(re.compile("决定的法律依据|Legal basis")).fill("《中华人民共和国公司法》")
    decide.get_by_role("button", name=re.compile("记录决定|Record the decision")).click()
    expect(approver.locator(".case-status")).to_have_text(re.compile("已批准|Approved"))
    issued = approver.locator(".case-certificate")
    expect(issued).to_contain_text("营业执照")
    identifier = issued.locator(".identifier").inner_text().strip()
    assert identifier.startswith("1.2.156.3005.2.")

    # 李娜 acts for the new company on her phone and finds the licence in its wallet.
    person_login(phone, LI_MOBILE)
    choice = phone.locator("#acting-select option").filter(has_text=COMPANY)
    phone.locator("#acting-select").select_option(value=choice.get_attribute("value"))
    phone.locator("#acting-h").locator("..").get_by_role(
        "button", name=re.compile("^(切换|Switch)$")
    ).click()
    expect(phone.locator(".acting")).to_contain_text(COMPANY)
    phone.locator(".certificates-link").click()
    phone.locator("ul.items li").filter(has_text="营业执照").locator("a.item-title").click()
    expect(phone.locator(".certificate-status")).to_have_text(re.compile("有效|Valid"))
    expect(phone.locator("dl.facts")).to_contain_text(identifier)

    # She shows it (亮证): a verifier's phone page finds it valid, once.
    phone.get_by_role("button", name=re.compile("生成亮证二维码|Show a QR code")).click()
    expect(phone.locator(".show-qr .qr svg")).to_be_visible()
    link = phone.locator(".show-link").get_attribute("href")
    verifier = open_page()
    verifier.set_viewport_size({"width": 375, "height": 740})
    verifier.goto(urlparse(link).path)
    expect(verifier.locator(".verdict")).to_contain_text(re.compile("有效|Valid"))
    expect(verifier.locator("dl.facts")).to_contain_text("营业执照")
    verifier.goto(urlparse(link).path)  # the same code again: refused
    expect(verifier.locator(".verdict")).to_contain_text(re.compile("无效|Not valid"))

    # A later application of the company: the licence is attached with a tick, no upload.
    phone.goto(f"/items/{setup['change']}/apply/?{setup['answers']}")
    consent = phone.locator("input[name^=use-certificate-]:not([type=hidden])")
    expect(consent).to_have_count(1)
    consent.check()
    uploads = phone.locator("li.material:not(:has(input[name^=use-certificate-])) input[type=file]")
    for index in range(uploads.count()):
        uploads.nth(index).set_input_files(files=_scan(f"change-{index + 1}.pdf"))
    phone.get_by_role("button", name=re.compile("^(提交|Submit)$")).click()
    expect(phone).to_have_url(re.compile(r"/cases/\d{22}[0-9X]/$"))
    expect(phone.locator(".case-materials")).to_contain_text("您的电子营业执照")

    # Revoked: the verification page, the API and the offline verifier all say so.
    revoked = _manage("shell", "-c", REVOKE.replace("__IDENTIFIER__", identifier))
    credential = revoked.strip().splitlines()[-1]
    verifier.goto(f"/certificates/verify/{identifier}")
    expect(verifier.locator(".verdict")).to_contain_text(re.compile("无效|Not valid"))
    api = verifier.request.get(f"/api/v1/certificates/verify?identifier={identifier}").json()
    assert (api["valid"], api["status"]) == (False, "revoked"), api
    status_uri = _payload(credential)["status"]["status_list"]["uri"]
    jwks = verifier.request.get("/certificates/jwks.json")
    status_list = verifier.request.get(urlparse(status_uri).path)
    assert jwks.ok and status_list.ok
    (tmp_path / "jwks.json").write_bytes(jwks.body())
    (tmp_path / "status.jwt").write_bytes(status_list.body())
    (tmp_path / "credential.txt").write_text(credential)
    offline = subprocess.run(
        [PYTHON, str(ROOT / "manage.py"), "certificate_verify", str(tmp_path / "credential.txt"),
         "--jwks", str(tmp_path / "jwks.json"), "--status-list", str(tmp_path / "status.jwt")],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={"DJANGO_SETTINGS_MODULE": "tongban.settings", "PATH": "/usr/bin:/bin",
             "TONGBAN_VAR_DIR": str(tmp_path)},
    )  # fmt: skip
    assert offline.returncode == 1, offline.stderr
    verdict = json.loads(offline.stdout)
    assert (verdict["valid"], verdict["reason"]) == (api["valid"], api["reason"])
    phone.goto("/certificates/")
    expect(phone.locator("ul.items li").filter(has_text="营业执照")).to_contain_text(
        re.compile("已撤销|Revoked")
    )
