"""A case from counter or portal to its end, in the browser, each person in their own context.

1. 容缺 at the window: a clerk in 青山区 identifies a walk-in (张伟) by his ID number, serves
   him, registers his application for a limited company's business licence (a city-level item
   of the market regulation bureau), scans every missing material but the shareholders'
   resolution and accepts with it to follow (容缺); the applicant sees the case accepted.
2. Correction online: 李娜 applies for her residence permit in 临江区; the district's reviewer
   accepts it from the pre-review queue, claims the review and asks for a correction; she
   sees it (case page, inbox, text message), corrects, the clock runs again; the reviewer
   completes the step, the approver approves with the reason and the legal basis and closes;
   her timeline shows every step with the acting department and no staff member's name.

The e2e server runs no task worker (``make demo`` starts one): notifications stay pending in
the database until a worker runs, so the journey checks the pending SMS delivery, then runs one
batch of the worker on the server's database, as the demo's worker would, and reads the text
messages the server's file SMS gateway wrote.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.accounts import person_login, staff_login
from tests.e2e.conftest import PYTHON, ROOT, server_env
from tongban.demo import people

pytestmark = pytest.mark.e2e

BUSINESS_LICENCE = "有限责任公司设立登记（营业执照）"
DEFERRED = "股东会决议"
AMR = "江川市市场监督管理局"
RESIDENCE_PERMIT = "居住证申领"
PSB_LINJIANG = "江川市公安局临江区分局"
CASE_URL = re.compile(r"/cases/(\d{22}[0-9X])/$")
ONLINE_ADDRESS = "江川市临江区滨江街道望江路18号"
STAFF_NAMES = ("review.linjiang", "approve.linjiang", "clerk.qingshan")


# ---------------------------------------------------------------------------------------------
# Helpers


def _pdf(title: str) -> bytes:
    """A small, valid one-page PDF (A4), as a scanner at the window or on a phone makes."""
    safe = re.sub(r"[^A-Za-z0-9 .-]", "", title)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << >> >>",
        b"<< /Title (" + safe.encode("ascii") + b") /Producer (tongban e2e) >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 4 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _scan(name: str) -> list[dict[str, object]]:
    return [{"name": name, "mimeType": "application/pdf", "buffer": _pdf(name)}]


@pytest.fixture
def open_page(browser, live_url):
    """A new browser context (one per person) and its page; all closed at the end."""
    contexts = []

    def open_() -> object:
        context = browser.new_context(base_url=live_url, locale="zh-CN")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        return page

    yield open_
    for context in contexts:
        context.close()


def _workbench_flash(page) -> object:
    return page.locator("ul.messagelist")


def _manage(*args: str) -> str:
    """A management command on the live server's database."""
    env = server_env()
    assert env.get("DATABASE_URL"), "the live server is not running"
    result = subprocess.run(
        [PYTHON, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout


def _sms_deliveries(number: str) -> list[dict[str, str]]:
    """The SMS deliveries of the notifications about a case, from the server's database."""
    code = (
        "import json\n"
        "from tongban.notifications.models import Delivery\n"
        "rows = Delivery.objects.filter(channel='sms', notification__object_type='case', "
        f"notification__object_id={number!r}).order_by('pk')\n"
        "print('DELIVERIES=' + json.dumps([{'kind': d.notification.kind, 'status': d.status} "
        "for d in rows]))\n"
    )
    out = _manage("shell", "-v", "0", "-c", code)
    line = next(x for x in out.splitlines() if x.startswith("DELIVERIES="))
    return json.loads(line.removeprefix("DELIVERIES="))


def _deliver(number: str) -> list[dict[str, str]]:
    """Run the queued deliveries of a case as the demo's worker does (one batch of
    ``db_worker`` on the server's database: every task waiting, then stop); the e2e server
    starts no worker. Returns the deliveries afterwards."""
    if any(d["status"] == "pending" for d in _sms_deliveries(number)):
        _manage("db_worker", "--batch", "--no-reload", "--no-startup-delay")
    return _sms_deliveries(number)


def _sms_about(var_dir: Path, phone: str, number: str) -> list[str]:
    directory = var_dir / "sms"
    if not directory.exists():
        return []
    messages = [json.loads(p.read_text("utf-8")) for p in sorted(directory.iterdir())]
    return [m["text"] for m in messages if m["to"] == phone and number in m["text"]]


def _case_number(page) -> str:
    match = CASE_URL.search(page.url)
    assert match, page.url
    return match.group(1)


def _open_team_task(page, number: str, step: str) -> None:
    """From the workbench's home, the team's worklist, then the case's open task."""
    page.goto("/workbench/")
    page.get_by_role("link", name=re.compile("部门待办|Team tasks")).click()
    row = page.locator("tr").filter(has_text=number).filter(has_text=step)
    expect(row).to_have_count(1)
    row.get_by_role("link", name=number).click()
    expect(page.locator("#task h2")).to_contain_text(step)


# ---------------------------------------------------------------------------------------------
# 1. At the window: accepted with a material to follow (容缺受理)


def test_window_clerk_accepts_a_business_licence_with_a_deferred_material(open_page):
    name, id_number, mobile, _level = people.PEOPLE[0]  # 张伟, a walk-in
    clerk = open_page()
    staff_login(clerk, "clerk.qingshan", "/workbench/")

    # The counter: identify by the ID card, then serve him on record.
    clerk.get_by_role("link", name=re.compile("在窗口为办事人办理|Serve a person")).click()
    clerk.get_by_label(re.compile("公民身份号码|Citizen ID number")).fill(id_number)
    clerk.get_by_role("button", name=re.compile("^(查询|Look up)$")).click()
    expect(clerk.locator(".person h2")).to_have_text(name)
    clerk.get_by_role("button", name=re.compile("开始为其办理|Serve this person")).click()
    expect(clerk.locator(".serving")).to_contain_text(name)
    clerk.get_by_role("link", name=re.compile("为该办事人发起申请|New application for")).click()

    # Any item of the city (无差别受理): find the business licence.
    expect(clerk.locator(".serving")).to_contain_text(name)
    search = clerk.get_by_role("search")
    search.get_by_label(re.compile("事项名称或关键词|Item name")).fill("有限责任公司设立登记")
    search.get_by_role("button", name=re.compile("^(搜索|Search)$")).click()
    result = clerk.locator("tr").filter(
        has=clerk.get_by_role("cell", name=BUSINESS_LICENCE, exact=True)
    )
    expect(result).to_contain_text(AMR)
    result.get_by_role("link", name=re.compile("申请此事项|Apply for this item")).click()
    expect(clerk.locator("#content h1")).to_contain_text(BUSINESS_LICENCE)

    # His situation decides the materials; the form is prefilled from his record.
    answers = {
        "住所（经营场所）的使用情况": "自有房产",
        "是否委托代理人（经办人）办理？": "法定代表人本人办理",
        "经营范围是否涉及前置许可？": "不涉及",
    }
    for question, option in answers.items():
        clerk.get_by_role("group", name=question).get_by_label(option).check()
    clerk.get_by_role("button", name=re.compile("更新材料清单|Update the material list")).click()
    for question, option in answers.items():
        expect(clerk.get_by_role("group", name=question).get_by_label(option)).to_be_checked()
    expect(clerk.locator(".errornote")).to_have_count(0)  # every question answered
    expect(clerk.locator("#content-main")).to_contain_text(DEFERRED)
    expect(clerk.locator("#id_form-contact_name")).to_have_value(name)
    expect(clerk.locator("#id_form-contact_phone")).to_have_value(mobile)
    clerk.fill("#id_form-note", "拟设立江川青山示范贸易有限公司，注册资本100万元")
    # His account is at L1 and the item needs L2: the clerk checks his ID card in person.
    clerk.get_by_label(re.compile("已当面核验|I have checked the applicant's ID card")).check()
    clerk.get_by_role("button", name=re.compile("登记申请|Register the application")).click()

    expect(clerk).to_have_url(re.compile(r"/workbench/cases/\d{22}[0-9X]/$"))
    number = _case_number(clerk)
    expect(_workbench_flash(clerk)).to_contain_text(number)
    expect(clerk.locator(".case-status")).to_have_text(re.compile("待受理|Waiting for acceptance"))

    # Completeness: scan every missing material except the shareholders' resolution (容缺).
    materials = clerk.locator("section.materials tbody tr")
    deferred_row = materials.filter(has_text=DEFERRED)
    expect(deferred_row.locator("td.state-deferrable_missing")).to_be_visible()
    missing = materials.filter(has=clerk.locator("td.state-missing"))
    count = missing.count()
    assert count >= 3, "the item asks the applicant for several materials"
    for index in range(count):
        row = missing.nth(index)
        row.locator("input[type=file]").set_input_files(files=_scan(f"window-scan-{index + 1}.pdf"))
    clerk.get_by_role("button", name=re.compile("添加扫描件|Add the scans")).click()
    expect(_workbench_flash(clerk)).to_contain_text(
        re.compile(rf"已添加 {count} 个文件|{count} file")
    )
    expect(materials.filter(has=clerk.locator("td.state-missing"))).to_have_count(0)
    expect(materials.filter(has=clerk.locator("td.state-provided"))).to_have_count(count)
    expect(deferred_row.locator("td.state-deferrable_missing")).to_be_visible()
    expect(materials.filter(has=clerk.locator("td.state-fetched")).first).to_be_visible()

    # Accept with the resolution to follow within five working days.
    accept = clerk.locator("#decide form").filter(
        has=clerk.locator("input[name=action][value=accept]")
    )
    accept.get_by_label(DEFERRED).check()
    accept.get_by_label(re.compile("补交期限|Working days to supply")).fill("5")
    accept.get_by_role("button", name=re.compile("^(受理|Accept)$")).click()

    expect(_workbench_flash(clerk)).to_contain_text(re.compile("已受理|Accepted"))
    expect(clerk.locator(".case-status")).to_have_text(re.compile("已受理，办理中|being processed"))
    head = clerk.locator(".case-head")
    expect(head).to_contain_text(re.compile("容缺材料补交期限|容缺 materials due"))
    expect(head).to_contain_text(AMR)
    expect(deferred_row.locator("td.state-deferred")).to_have_text(re.compile("容缺后补|To follow"))
    expect(clerk.locator("#decide")).to_have_count(0)  # decided once
    accepted = clerk.locator(".timeline tbody tr").filter(
        has=clerk.get_by_role("cell", name=re.compile("^(已受理|Accepted)$"))
    )
    expect(accepted).to_contain_text(DEFERRED)
    receipt = clerk.get_by_role("link", name=re.compile("打印受理回执|acceptance receipt"))
    response = clerk.request.get(receipt.get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")

    # The applicant sees it among his applications: accepted, the resolution to follow.
    applicant = open_page()
    person_login(applicant, mobile)
    applicant.locator(".cases-link").click()
    listed = applicant.locator("ul.cases li").filter(has_text=number)
    expect(listed.locator(".case-status")).to_have_text("已受理，办理中")
    listed.get_by_role("link", name=BUSINESS_LICENCE).click()
    expect(applicant.locator(".case-status")).to_have_text(re.compile("已受理，办理中"))
    expect(applicant.locator("dl.facts")).to_contain_text("容缺材料补交期限")
    resolution = applicant.locator(".case-materials li").filter(has_text=DEFERRED)
    expect(resolution).to_contain_text("容缺后补")
    expect(applicant.locator(".timeline li.event-accepted")).to_contain_text(AMR)


# ---------------------------------------------------------------------------------------------
# 2. Online: accepted from the queue, a correction, approved and closed


def _apply_for_a_residence_permit(page, mobile: str) -> str:
    page.goto("/search/?q=居住证申领")
    result = (
        page.locator("ol.items li")
        .filter(has_text="临江区")
        .filter(has=page.locator("a.item-title", has_text=RESIDENCE_PERMIT))
        .first
    )
    result.locator("a.item-title").click()
    expect(page.locator(".guide .meta")).to_contain_text("临江区")
    page.locator("#a-Q1-job").check()
    page.wait_for_load_state("networkidle")
    expect(page.locator("#materials")).to_contain_text("劳动合同")
    page.locator("#a-Q3-self").check()
    page.wait_for_load_state("networkidle")
    # htmx swaps the list after each answer; follow the link only once it carries both.
    apply = page.locator(".apply-online a")
    expect(apply).to_have_attribute("href", re.compile(r"Q3=self"))
    expect(apply).to_have_attribute("href", re.compile(r"Q1=job"))
    apply.click()

    expect(page.locator("#f-contact_phone")).to_have_value(mobile)
    page.fill("#f-address", ONLINE_ADDRESS)  # goes on the face of the permit
    uploads = page.locator("li.material input[type=file]")
    for index in range(uploads.count()):
        uploads.nth(index).set_input_files(files=_scan(f"online-scan-{index + 1}.pdf"))
    page.get_by_role("button", name=re.compile("^(提交|Submit)$")).click()
    expect(page).to_have_url(CASE_URL)
    expect(page.locator(".case-status")).to_have_text("待受理")
    return _case_number(page)


def test_a_correction_online_then_approved_and_closed(open_page, live_var_dir):
    name, _id_number, mobile, _level = people.PEOPLE[1]  # 李娜, L2
    citizen = open_page()
    person_login(citizen, mobile)
    number = _apply_for_a_residence_permit(citizen, mobile)

    # The reviewer of 临江区 public security: the pre-review queue, accept.
    reviewer = open_page()
    staff_login(reviewer, "review.linjiang", "/workbench/")
    reviewer.get_by_role("link", name=re.compile("^(待受理|Acceptance queue)$")).click()
    queued = reviewer.locator("tr").filter(has_text=number)
    expect(queued).to_contain_text(name)
    expect(queued).to_contain_text(RESIDENCE_PERMIT)
    queued.get_by_role("link", name=number).click()
    accept = reviewer.locator("#decide form").filter(
        has=reviewer.locator("input[name=action][value=accept]")
    )
    accept.get_by_role("button", name=re.compile("^(受理|Accept)$")).click()
    expect(reviewer.locator(".case-status")).to_have_text(re.compile("已受理，办理中"))

    # The review step from the team's worklist: claim it, ask for a correction (what + why).
    _open_team_task(reviewer, number, "审查")
    reviewer.get_by_role("button", name=re.compile("^(认领|Claim this task)$")).click()
    expect(_workbench_flash(reviewer)).to_contain_text(re.compile("认领|yours"))
    correction = reviewer.locator("#task form").filter(
        has=reviewer.locator("input[name=action][value=correction]")
    )
    correction.get_by_label(re.compile("^(补正内容|What) 1$")).fill("劳动合同")
    correction.get_by_label(re.compile("^(原因|Why) 1$")).fill("劳动合同缺少用人单位盖章页")
    correction.get_by_role("button", name=re.compile("发出补正通知|Request the correction")).click()
    expect(_workbench_flash(reviewer)).to_contain_text(
        re.compile("已要求补正|Correction requested")
    )
    expect(reviewer.locator(".case-status")).to_have_text(re.compile("待补正"))
    expect(reviewer.locator(".pause")).to_contain_text("劳动合同缺少用人单位盖章页")

    # The citizen: her case asks for the correction; the clock stands still.
    citizen.reload()
    expect(citizen.locator(".case-status")).to_have_text("待补正")
    expect(citizen.locator("dl.facts")).to_contain_text("此环节结束前暂停计时")
    asked = citizen.locator("section.correction")
    expect(asked.locator("h2")).to_have_text("部门要求您补正申请")
    expect(asked.locator(".correction-items")).to_contain_text("劳动合同缺少用人单位盖章页")

    # …and in her inbox, which links back to the case.
    citizen.goto("/account/messages/")
    unread = citizen.locator("ul.items li.unread")
    expect(unread.first).to_be_visible()
    assert unread.count() >= 2  # accepted, then the correction (newest first)
    expect(unread.first.locator(".meta")).to_contain_text("需要补正")
    expect(unread.nth(1).locator(".meta")).to_contain_text("申请已受理")
    unread.locator("a.item-title").first.click()
    opened = citizen.locator("#message")
    expect(opened).to_contain_text(number)
    expect(opened.get_by_role("link", name=re.compile("查看详情"))).to_have_attribute(
        "href", f"/cases/{number}/"
    )

    # The text messages: pending until a worker runs, then written by the SMS gateway.
    deliveries = _sms_deliveries(number)
    assert [d["kind"] for d in deliveries] == ["case.accepted", "case.correction_requested"]
    pending = [d for d in deliveries if d["status"] == "pending"]
    assert len(_sms_about(live_var_dir, mobile, number)) == len(deliveries) - len(pending)
    assert [d["status"] for d in _deliver(number)] == ["sent", "sent"]
    assert len(_sms_about(live_var_dir, mobile, number)) == 2

    # She corrects: a new scan of the contract and a note; the clock runs again.
    citizen.goto(f"/cases/{number}/")
    contract = citizen.locator("section.correction li.material").filter(has_text="劳动合同")
    contract.locator("input[type=file]").set_input_files(files=_scan("contract-stamped.pdf"))
    citizen.get_by_label(re.compile("给部门的说明")).fill("已补充盖章页")
    citizen.get_by_role("button", name=re.compile("^(提交补正|Send the correction)$")).click()
    expect(citizen.locator(".flash")).to_contain_text("补正材料已提交")
    expect(citizen.locator(".case-status")).to_have_text("已受理，办理中")
    expect(citizen.locator("dl.facts")).not_to_contain_text("此环节结束前暂停计时")
    expect(citizen.locator("dl.facts")).to_contain_text("法定办结时限截止")
    expect(citizen.locator(".case-materials")).to_contain_text("contract-stamped.pdf")

    # The reviewer sees the new file and completes the review.
    reviewer.reload()
    expect(reviewer.locator(".case-status")).to_have_text(re.compile("已受理，办理中"))
    expect(reviewer.locator("section.materials")).to_contain_text("contract-stamped.pdf")
    complete = reviewer.locator("#task form").filter(
        has=reviewer.locator("input[name=action][value=complete]")
    )
    complete.get_by_role("button", name=re.compile("完成环节|Complete the step")).click()
    expect(_workbench_flash(reviewer)).to_contain_text(
        re.compile("本环节已办理完成|Step completed")
    )

    # The approver decides (reason and legal basis) and closes.
    approver = open_page()
    staff_login(approver, "approve.linjiang", "/workbench/")
    _open_team_task(approver, number, "决定")
    approver.get_by_role("button", name=re.compile("^(认领|Claim this task)$")).click()
    decide = approver.locator("#task form").filter(
        has=approver.locator("input[name=action][value=complete]")
    )
    expect(decide.get_by_role("radio", name=re.compile(r"^\s*(批准|Approve)$"))).to_be_checked()
    decide.get_by_label(re.compile("^(原因|Reason)$")).fill("符合居住证申领条件，材料齐全")
    decide.get_by_label(re.compile("决定的法律依据|Legal basis")).fill(
        "《居住证暂行条例》第二条、第九条"
    )
    # The permit's face is prefilled from the application and her ID number.
    expect(decide.locator("#cert-address")).to_have_value(ONLINE_ADDRESS)
    expect(decide.locator("#cert-sex")).to_have_value("女")
    decide.get_by_role("button", name=re.compile("记录决定|Record the decision")).click()
    expect(approver.locator(".case-status")).to_have_text(re.compile("已批准|Approved"))
    expect(approver.locator(".case-certificate")).to_contain_text("居住证")
    expect(approver.locator(".case-head")).to_contain_text("《居住证暂行条例》第二条、第九条")
    approver.get_by_role("button", name=re.compile("^(办结|Close the case)$")).click()
    expect(approver.locator(".case-status")).to_have_text(re.compile("已办结|Closed"))

    # The citizen follows every step, like a parcel: the department, never a staff member.
    citizen.reload()
    expect(citizen.locator(".case-status")).to_have_text("已办结")
    expect(citizen.locator("dl.facts")).to_contain_text("符合居住证申领条件，材料齐全")
    timeline = citizen.locator("ol.timeline li")
    kinds = [
        (cls or "").removeprefix("event-")
        for cls in timeline.evaluate_all("els => els.map(e => e.className)")
    ]
    journey = [
        "submitted",
        "accepted",
        "correction_requested",
        "corrected",
        "approved",
        "closed",
    ]
    assert [k for k in kinds if k in journey] == journey, kinds
    labels = {
        "submitted": "已提交",
        "accepted": "已受理",
        "correction_requested": "待补正",
        "corrected": "已收到补正材料",
        "approved": "已批准",
        "closed": "已办结",
    }
    for kind, label in labels.items():
        entry = citizen.locator(f"ol.timeline li.event-{kind}")
        expect(entry.locator("strong")).to_have_text(label)
        if kind != "submitted":
            expect(entry).to_contain_text(PSB_LINJIANG)
    text = citizen.locator("ol.timeline").inner_text()
    for staff in STAFF_NAMES:
        assert staff not in text

    # Every notification she cares about is in her inbox and sent as a text message.
    deliveries = _deliver(number)
    assert [d["kind"] for d in deliveries] == [
        "case.accepted",
        "case.correction_requested",
        "case.approved",
        "case.certificate_issued",
        "case.ready_for_pickup",
    ]
    assert {d["status"] for d in deliveries} == {"sent"}
    assert len(_sms_about(live_var_dir, mobile, number)) == 5
    citizen.goto("/account/messages/")
    inbox = citizen.locator("ul.items li")
    expect(inbox.nth(0).locator(".meta")).to_contain_text("结果待领取")
    expect(inbox.nth(1).locator(".meta")).to_contain_text("电子证照已签发")
    expect(inbox.nth(2).locator(".meta")).to_contain_text("申请已获批准")
    inbox.nth(0).locator("a.item-title").click()
    expect(citizen.locator("#message")).to_contain_text(number)
    # The permit is in her wallet (我的证照), its face as she applied.
    citizen.goto("/account/messages/")
    citizen.locator("ul.items li").nth(1).locator("a.item-title").click()
    citizen.locator("#message .actions a").first.click()
    expect(citizen.locator("main")).to_contain_text(ONLINE_ADDRESS)
    expect(citizen.locator(".certificate-status")).to_contain_text("有效")
