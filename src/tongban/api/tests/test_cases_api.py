"""The cases API with real access tokens: a residence permit application from submission to
closing through the API alone, and every kind of bad input and forbidden move on the way."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from tongban.api.tests.test_identity_api import COMPANY, oidc_application, sign_in
from tongban.cases.models import Case, CaseMaterial, ClockPause
from tongban.catalog.models import ImplementationItem
from tongban.demo import people
from tongban.identity.tests.helpers import demo_person, force_staff_login, person_client

pytestmark = pytest.mark.django_db

ZHANG, LI = 0, 1  # indexes into people.PEOPLE: 张伟 (L1), 李娜 (L2)
REVIEWER, APPROVER = "review.linjiang", "approve.linjiang"  # 临江区 public security
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
ANSWERS = {"Q1": ["job"], "Q3": ["self"]}  # employed, applying in person
FORM = {"contact_name": "李娜", "contact_phone": "13800000002", "address": "江川市临江区滨江路8号"}
CONTACT_ONLY = {"contact_name": "李娜", "contact_phone": "13800000002"}
STAFF_NAMES = (REVIEWER, APPROVER, "clerk.qingshan")


# --------------------------------------------------------------------------------------------
# Tokens, calls and the application


@pytest.fixture(autouse=True)
def no_login_throttling(settings):
    settings.RATELIMIT_ENABLE = False


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Each test stores its files in its own folder, so a test can see exactly what is kept."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(root) -> list[str]:
    return sorted(str(p) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def staff_token(username: str) -> str:
    """An access token of the real authorization code flow for demo staff (logged in as if past
    the TOTP step, which staff need before the authorize page)."""
    app, secret = oidc_application()
    return sign_in(force_staff_login(Client(), username), app, secret)["access_token"]


def person_token(index: int) -> str:
    app, secret = oidc_application()
    return sign_in(person_client(people.PEOPLE[index][2]), app, secret)["access_token"]


@pytest.fixture
def tokens():
    """Access tokens by person index or staff user name, one sign-in each."""
    cache: dict[Any, str] = {}

    def get(who: int | str) -> str:
        if who not in cache:
            cache[who] = person_token(who) if isinstance(who, int) else staff_token(who)
        return cache[who]

    return get


def call(
    method: str,
    path: str,
    token: str | None = None,
    body: Any = None,
    *,
    raw: str | bytes | None = None,
    headers: dict[str, str] | None = None,
    files: dict[str, Any] | None = None,
    client: Client | None = None,
):
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in (headers or {}).items()}
    if token is not None:
        extra["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    client = client or Client()
    url = f"/api/v1{path}"
    if method == "get":
        return client.get(url, **extra)
    if files is not None:
        return client.post(url, data=files, **extra)
    data = raw if raw is not None else json.dumps(body if body is not None else {})
    return client.post(url, data=data, content_type="application/json", **extra)


def residence_permit() -> ImplementationItem:
    """居住证申领 of 临江区 (its public security branch is the competent department)."""
    return ImplementationItem.objects.get(current_version__name="居住证申领", region_id="990102")


def needed_codes(item_code: str) -> list[str]:
    """The materials the applicant uploads for these answers, as the catalog API lists them."""
    response = Client().post(
        f"/api/v1/catalog/items/{item_code}/materials",
        json.dumps({"answers": ANSWERS}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return [m["code"] for m in response.json()["materials"] if m["source"] == "applicant"]


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def application(**overrides: Any) -> dict[str, Any]:
    item = residence_permit().implementation_code
    materials = [
        {"material": code, "filename": f"{code}.pdf", "content_base64": b64(PDF)}
        for code in needed_codes(item)
    ]
    return {"item": item, "answers": ANSWERS, "form": FORM, "materials": materials} | overrides


def material_id(code: str) -> int:
    return residence_permit().current_version.materials.get(code=code).pk


def li_cases() -> int:
    return Case.objects.filter(applicant_person=demo_person(LI)).count()


def submitted(tokens, key: str | None = None) -> dict[str, Any]:
    headers = {"Idempotency-Key": key} if key else None
    response = call("post", "/cases", tokens(LI), application(), headers=headers)
    assert response.status_code == 201, response.content
    return response.json()


def accepted(tokens) -> tuple[str, int]:
    """李娜's case, accepted, with the review task claimed by the reviewer."""
    number = submitted(tokens)["number"]
    assert call("post", f"/cases/{number}/accept", tokens(REVIEWER)).status_code == 200
    task = task_for(tokens(REVIEWER), number)
    assert call("post", f"/tasks/{task}/claim", tokens(REVIEWER)).status_code == 200
    return number, task


def task_for(token: str, number: str, *, mine: bool = False) -> int:
    response = call("get", "/tasks?mine=true" if mine else "/tasks", token)
    assert response.status_code == 200, response.content
    [task] = [t for t in response.json() if t["case_number"] == number]
    return task["id"]


def no_staff_member_in(response) -> None:
    text = response.content.decode()
    assert not any(name in text for name in STAFF_NAMES), text


# --------------------------------------------------------------------------------------------
# The journey


def test_a_residence_permit_from_application_to_handover_through_the_api(tokens):
    li, reviewer, approver = tokens(LI), tokens(REVIEWER), tokens(APPROVER)
    body = application(form=CONTACT_ONLY)  # not where she lives: the approver will ask

    # 李娜 applies in one call; repeating the call with the same key gives the same case.
    first = call("post", "/cases", li, body, headers={"Idempotency-Key": "journey-1"})
    assert first.status_code == 201, first.content
    case = first.json()
    number = case["number"]
    assert len(number) == 23 and case["status"] == "submitted"
    states = {m["code"]: m["state"] for m in case["materials"]}
    assert states == {"M01": "provided", "M02": "fetched", "M03": "provided",
                      "M04": "provided", "M05": "fetched"}, states  # fmt: skip
    again = call("post", "/cases", li, body, headers={"Idempotency-Key": "journey-1"})
    assert again.status_code == 200 and again.json()["number"] == number
    assert li_cases() == 1
    listed = call("get", "/cases", li).json()
    assert [c["number"] for c in listed] == [number]
    receipt = call("get", f"/cases/{number}/receipt.pdf", li)
    assert receipt.status_code == 200 and receipt["Content-Type"] == "application/pdf"
    assert number in PdfReader(io.BytesIO(receipt.content)).pages[0].extract_text()

    # The reviewer of 临江区 accepts it from the pre-review queue and claims the review.
    accept = call("post", f"/cases/{number}/accept", reviewer, {})
    assert accept.status_code == 200, accept.content
    assert accept.json()["status"] == "in_progress" and accept.json()["legal_due_at"]
    review = task_for(reviewer, number)
    claimed = call("post", f"/tasks/{review}/claim", reviewer)
    assert claimed.status_code == 200 and claimed.json()["claimed_by_me"] is True
    assert task_for(reviewer, number, mine=True) == review

    # A correction: the clock stops; 李娜 sees what to fix, uploads a new photo and answers.
    correction = {"task": review, "items": [{"what": "照片", "reason": "照片不清晰"}],
                  "respond_days": 5}  # fmt: skip
    asked = call("post", f"/cases/{number}/corrections", reviewer, correction)
    assert asked.status_code == 201, asked.content
    assert asked.json()["status"] == "correction" and asked.json()["legal_due_at"] is None
    seen = call("get", f"/cases/{number}", li).json()
    assert seen["correction"]["items"] == [{"what": "照片", "reason": "照片不清晰"}]
    assert seen["correction"]["respond_by"]
    photo = io.BytesIO(PNG)
    photo.name = "photo.png"
    upload = call("post", f"/cases/{number}/materials", li,
                  files={"material": material_id("M03"), "file": photo})  # fmt: skip
    assert upload.status_code == 201, upload.content
    assert upload.json()["content_type"] == "image/png"
    answer = call("post", f"/cases/{number}/corrections/answer", li,
                  {"form": {"note": "已换照片"}, "note": "已重新上传"})  # fmt: skip
    assert answer.status_code == 200, answer.content
    assert answer.json()["status"] == "in_progress" and answer.json()["legal_due_at"]
    assert answer.json()["form"]["note"] == "已换照片" and answer.json()["correction"] is None

    # The reviewer completes the review; the approver decides and closes.
    done = call("post", f"/tasks/{review}/complete", reviewer, {"note": "材料齐全"})
    assert done.status_code == 200, done.content
    decide = task_for(approver, number)
    assert call("post", f"/tasks/{decide}/claim", approver).status_code == 200
    decision = {"task": decide, "outcome": "approve", "reason": "符合条件",
                "legal_basis": "《居住证暂行条例》第九条"}  # fmt: skip
    # Approving issues the residence permit: the face says where she lives, which the
    # application did not; the approver is told, and nothing is decided until it is given.
    proposal = call("get", f"/cases/{number}/certificate-proposal", approver)
    assert proposal.status_code == 200, proposal.content
    face = {f["key"]: f for f in proposal.json()["fields"]}
    assert proposal.json()["type_name"] == "居住证" and not proposal.json()["establishes"]
    assert face["sex"]["value"] == "女" and face["address"] == {
        "key": "address", "label": "居住地址", "required": True, "value": ""}  # fmt: skip
    assert call("get", f"/cases/{number}/certificate-proposal", li).status_code == 403
    missing = call("post", f"/cases/{number}/decisions", approver, decision)
    assert missing.status_code == 422, missing.content
    assert [p["field"] for p in missing.json()["problems"]] == ["certificate.address"]
    assert call("get", f"/cases/{number}", li).json()["status"] == "in_progress"
    decision["certificate"] = {"address": "江川市临江区滨江路8号"}
    decided = call("post", f"/cases/{number}/decisions", approver, decision)
    assert decided.status_code == 201, decided.content
    assert decided.json()["status"] == "approved"
    [issued] = decided.json()["certificates"]
    assert (issued["type_name"], issued["version"], issued["status"]) == ("居住证", 1, "valid")
    wallet = call("get", "/certificates/mine", li)
    assert wallet.status_code == 200, wallet.content
    assert issued["identifier"] in wallet.content.decode()
    closed = call("post", f"/cases/{number}/close", approver)
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    late = call("post", f"/cases/{number}/decisions", approver, decision)
    assert late.status_code == 409 and late.json()["code"] == "conflict"
    handover = call("post", f"/cases/{number}/handover", tokens("clerk.qingshan"), {})
    assert handover.status_code == 200 and handover.json()["handed_over_at"]

    # 李娜 follows every step, with the department and never the staff member.
    detail = call("get", f"/cases/{number}", li)
    final = detail.json()
    kinds = [e["kind"] for e in final["timeline"]]
    assert kinds[:2] == ["submitted", "accepted"] and kinds[-1] == "handed_over"
    assert {"correction_requested", "corrected", "step_done", "approved", "closed"} <= set(kinds)
    assert "certificate_issued" in kinds and "task_claimed" not in kinds
    accepted_entry = final["timeline"][1]
    assert "临江" in accepted_entry["department"] and accepted_entry["label"]
    approved_entry = next(e for e in final["timeline"] if e["kind"] == "approved")
    assert approved_entry["note"] == "符合条件"
    assert final["outcome_reason"] == "符合条件" and final["legal_basis"]
    no_staff_member_in(detail)


def test_a_walk_in_is_registered_and_accepted_with_a_deferred_material_through_the_api(
    tokens, item_finder
):
    clerk = tokens("clerk.qingshan")  # a window of 青山区; the item is the city bureau's
    name, id_number, mobile, _level = people.PEOPLE[0]  # 张伟, at L1
    found = call("post", "/window/persons", clerk, {"id_number": id_number})
    assert found.status_code == 200, found.content
    person = found.json()
    assert person["name"] == name and person["assurance_level"] == 1
    assert id_number not in found.content.decode()  # masked
    item = item_finder("有限责任公司设立登记")
    answers = {"Q1": ["own"], "Q3": ["legal_rep"], "Q4": ["no"]}
    body = {
        "item": item.implementation_code,
        "person": person["id"],
        "answers": answers,
        "form": {"contact_name": name, "contact_phone": mobile},
    }
    # The item needs L2: not without the clerk's check of the ID card.
    refused = call("post", "/window/cases", clerk, body)
    assert refused.status_code == 422
    assert [p["field"] for p in refused.json()["problems"]] == ["identity_checked"]
    assert not Case.objects.filter(applicant_person_id=person["id"]).exists()
    created = call("post", "/window/cases", clerk, body | {"identity_checked": True})
    assert created.status_code == 201, created.content
    case = created.json()
    assert (case["channel"], case["status"]) == ("window", "submitted")
    assert demo_person(0).assurance_level == 3

    # Scan every material he brings; 股东会决议 follows later (容缺).
    listed = Client().post(
        f"/api/v1/catalog/items/{item.implementation_code}/materials",
        json.dumps({"answers": answers}),
        content_type="application/json",
    )
    to_scan = [m for m in listed.json()["materials"] if m["source"] == "applicant"]
    deferrable = [m for m in to_scan if m["necessity"] == "deferrable"]
    assert [m["name"] for m in deferrable] == ["股东会决议"]
    version = item.current_version
    number = case["number"]
    early = call("post", f"/cases/{number}/accept", clerk)
    assert early.status_code == 422  # nothing scanned yet
    for material in to_scan:
        if material not in deferrable:
            upload = call(
                "post",
                f"/cases/{number}/materials",
                clerk,
                files={
                    "material": version.materials.get(code=material["code"]).pk,
                    "file": SimpleUploadedFile("scan.pdf", PDF, "application/pdf"),
                },
            )
            assert upload.status_code == 201, upload.content
    deferred = version.materials.get(code=deferrable[0]["code"]).pk
    accepted = call("post", f"/cases/{number}/accept", clerk, {"deferred_materials": [deferred]})
    assert accepted.status_code == 200, accepted.content
    out = accepted.json()
    assert out["status"] == "in_progress" and out["deferred_due_at"]
    assert {m["state"] for m in out["materials"]} >= {"deferred"}


def test_only_window_clerks_identify_walk_ins_and_register_for_them(tokens):
    id_number = people.PEOPLE[0][1]
    assert call("post", "/window/persons", tokens(LI), {"id_number": id_number}).status_code == 403
    bad = call("post", "/window/persons", tokens("clerk.city"), {"id_number": "110101X"})
    assert bad.status_code == 422 and bad.json()["problems"]
    unknown = people.PEOPLE[3][1]  # 陈静 has no account
    missing = call("post", "/window/persons", tokens("clerk.city"), {"id_number": unknown})
    assert missing.status_code == 404
    body = {"item": residence_permit().implementation_code, "person": demo_person(0).pk}
    assert call("post", "/window/cases", tokens(LI), body).status_code == 403
    extra = call("post", "/window/cases", tokens("clerk.city"), body | {"who": "me"})
    assert extra.status_code == 422
    nobody = call("post", "/window/cases", tokens("clerk.city"), body | {"person": 2**31 - 1})
    assert nobody.status_code == 404


def test_the_step_by_step_variant(tokens):
    li = tokens(LI)
    item = residence_permit().implementation_code
    draft = call("post", "/cases/drafts", li, {"item": item, "answers": ANSWERS, "form": FORM})
    assert draft.status_code == 201, draft.content
    draft_id = draft.json()["id"]
    assert draft.json()["form_schema"]["properties"]["contact_phone"]
    missing = [m for m in draft.json()["materials"] if m["state"] == "missing"]
    assert {m["code"] for m in missing} == {"M01", "M03", "M04"}
    early = call("post", f"/cases/drafts/{draft_id}/submit", li)
    assert early.status_code == 422
    assert {p["field"] for p in early.json()["problems"]} == {
        f"material.{m['material']}" for m in missing
    }
    for entry in missing:
        upload = io.BytesIO(PDF)
        upload.name = "scan.pdf"
        response = call("post", f"/cases/drafts/{draft_id}/materials", li,
                        files={"material": entry["material"], "file": upload})  # fmt: skip
        assert response.status_code == 201, response.content
        assert response.json()["sha256"] and response.json()["state"] == "provided"
    got = call("get", f"/cases/drafts/{draft_id}", li).json()
    assert not [m for m in got["materials"] if m["state"] == "missing"]
    first = call("post", f"/cases/drafts/{draft_id}/submit", li, headers={"Idempotency-Key": "s"})
    assert first.status_code == 201, first.content
    again = call("post", f"/cases/drafts/{draft_id}/submit", li, headers={"Idempotency-Key": "s"})
    assert again.status_code == 200 and again.json()["number"] == first.json()["number"]
    assert li_cases() == 1
    # The same key on the one-call endpoint also answers with that case.
    repeat = call("post", "/cases", li, application(), headers={"Idempotency-Key": "s"})
    assert repeat.status_code == 200 and repeat.json()["number"] == first.json()["number"]
    assert li_cases() == 1
    assert call("get", f"/cases/drafts/{draft_id}", li).status_code == 404  # no longer a draft


def test_a_notice_the_applicant_resubmits_then_a_refusal(tokens):
    li, reviewer = tokens(LI), tokens(REVIEWER)
    number = submitted(tokens)["number"]
    notice = {"items": [{"material": material_id("M03"), "reason": "照片不合格"},
                        {"material": None, "reason": "申请表未签字"}]}  # fmt: skip
    returned = call("post", f"/cases/{number}/notice", reviewer, notice)
    assert returned.status_code == 200, returned.content
    seen = call("get", f"/cases/{number}", li).json()
    assert seen["status"] == "returned"
    assert [i["reason"] for i in seen["notice"]["items"]] == ["照片不合格", "申请表未签字"]
    pdf = call("get", f"/cases/{number}/notice.pdf", li)
    assert (
        pdf.status_code == 200
        and "申请表未签字" in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    )
    assert call("post", f"/cases/{number}/resubmit", li).json()["status"] == "submitted"
    assert call("get", f"/cases/{number}/notice.pdf", li).status_code == 404
    refused = call("post", f"/cases/{number}/refuse", reviewer, {"reason": "不属于本部门"})
    assert refused.status_code == 200 and refused.json()["status"] == "refused"
    assert call("post", f"/cases/{number}/accept", reviewer).status_code == 409


def test_special_procedures_reassignment_and_return_to_the_previous_step(tokens):
    reviewer, approver = tokens(REVIEWER), tokens(APPROVER)
    number, review = accepted(tokens)
    suspended = call("post", f"/tasks/{review}/suspend", reviewer,
                     {"kind": "inspection", "reason": "实地核查住所"})  # fmt: skip
    assert suspended.status_code == 200 and suspended.json()["status"] == "suspended"
    assert suspended.json()["legal_due_at"] is None
    assert call("post", f"/tasks/{review}/complete", reviewer).status_code == 409
    resumed = call("post", f"/tasks/{review}/resume", reviewer)
    assert resumed.status_code == 200 and resumed.json()["legal_due_at"]
    # The approver may not take a reviewer's step; releasing the task opens it again.
    refused = call("post", f"/tasks/{review}/reassign", reviewer, {"user": APPROVER})
    assert refused.status_code == 422 and refused.json()["problems"][0]["field"] == "user"
    unknown = call("post", f"/tasks/{review}/reassign", reviewer, {"user": "nobody"})
    assert unknown.status_code == 422 and unknown.json() == refused.json()
    released = call("post", f"/tasks/{review}/reassign", reviewer, {"user": None})
    assert released.status_code == 200 and released.json()["status"] == "open"
    assert call("post", f"/tasks/{review}/reassign", reviewer, {"user": REVIEWER}).json()[
        "claimed_by_me"
    ]
    assert call("post", f"/tasks/{review}/complete", reviewer, {}).status_code == 200
    decide = task_for(approver, number)
    assert call("post", f"/tasks/{decide}/claim", approver).status_code == 200
    # The last step decides: completing it without a decision is refused.
    assert call("post", f"/tasks/{decide}/complete", approver, {}).status_code == 422
    back = call("post", f"/tasks/{decide}/return", approver, {"reason": "请补充核查意见"})
    assert back.status_code == 200, back.content
    assert task_for(reviewer, number) != review  # the review step opened again


def test_a_rejection_is_shown_with_its_reason(tokens):
    reviewer, approver = tokens(REVIEWER), tokens(APPROVER)
    number, review = accepted(tokens)
    assert call("post", f"/tasks/{review}/complete", reviewer, {}).status_code == 200
    decide = task_for(approver, number)
    assert call("post", f"/tasks/{decide}/claim", approver).status_code == 200
    decision = {"task": decide, "outcome": "reject", "reason": "不符合居住条件",
                "legal_basis": "《居住证暂行条例》第二条"}  # fmt: skip
    rejected = call("post", f"/cases/{number}/decisions", approver, decision)
    assert rejected.status_code == 201 and rejected.json()["status"] == "rejected"
    timeline = call("get", f"/cases/{number}", tokens(LI)).json()["timeline"]
    last = timeline[-1]
    assert last["kind"] == "rejected" and last["note"] == "不符合居住条件"
    assert last["label"] != "rejected"  # a label people read, not the code
    closed = call("post", f"/cases/{number}/close", approver)
    assert closed.status_code == 200 and closed.json()["status"] == "closed"


# --------------------------------------------------------------------------------------------
# Bad input: clear errors, nothing half-written


@pytest.mark.parametrize(
    ("change", "location", "field"),
    [
        ({"form": {"contact_name": "李娜"}}, "", "form.contact_phone"),
        ({"form": FORM | {"shoe_size": 42}}, "", "form.form"),
        ({"form": FORM | {"contact_phone": 13800000002}}, "", "form.contact_phone"),
        ({"form": ["李娜"]}, "body.body", "form"),
        ({"answers": {"Q1": "job"}}, "body.body.answers", "Q1"),
        ({"answers": {"Q1": ["unknown"]}}, "", "Q1"),
        ({"answers": {"Q3": ["self"]}}, "", "answers.Q1"),
        ({"item": "no-such-item"}, "", "item"),
        ({"item": 42}, "body.body", "item"),
        ({"deadline": "tomorrow"}, "body.body", "deadline"),
    ],
)
def test_bad_applications_are_refused_and_nothing_is_kept(tokens, media, change, location, field):
    response = call("post", "/cases", tokens(LI), application(**change))
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "invalid" and body["message"]
    assert (location, field) in {(p["location"], p["field"]) for p in body["problems"]}, body
    assert li_cases() == 0 and not CaseMaterial.objects.exists()
    assert stored_files(media) == []


def test_a_missing_material_fails_the_submit_and_the_uploaded_ones_are_removed(tokens, media):
    body = application()
    body["materials"] = [m for m in body["materials"] if m["material"] != "M04"]
    response = call("post", "/cases", tokens(LI), body, headers={"Idempotency-Key": "k"})
    assert response.status_code == 422, response.content
    assert [p["field"] for p in response.json()["problems"]] == [f"material.{material_id('M04')}"]
    assert li_cases() == 0 and not CaseMaterial.objects.exists()
    assert stored_files(media) == []
    # The key was not used up: the corrected application goes through with it.
    fixed = call("post", "/cases", tokens(LI), application(), headers={"Idempotency-Key": "k"})
    assert fixed.status_code == 201
    assert len(stored_files(media)) == 3


@pytest.mark.parametrize(
    ("content", "filename", "field"),
    [
        (b64(b"MZ\x90\x00" + b"\x00" * 200), "virus.pdf", "file"),
        (b64(b"PK\x03\x04" + b"\x00" * 200), "bomb.png", "file"),
        (b64(PNG), "photo.pdf", "file"),
        (b64(b""), "empty.pdf", "content_base64"),
        ("not base64 at all!", "scan.pdf", "content_base64"),
        ("JVBERi0xLjQ=" + "é", "scan.pdf", "content_base64"),
        ("JVBERi0xLjQ", "scan.pdf", "content_base64"),  # padding missing
    ],
)
def test_bad_files_are_refused_and_nothing_is_kept(tokens, media, content, filename, field):
    body = application()
    body["materials"][1] = body["materials"][1] | {"content_base64": content, "filename": filename}
    response = call("post", "/cases", tokens(LI), body)
    assert response.status_code == 422, response.content
    [problem] = response.json()["problems"]
    assert (problem["location"], problem["field"]) == ("body.body.materials.1", field), problem
    assert li_cases() == 0 and stored_files(media) == []


def test_a_file_over_the_limit_is_refused_before_it_is_decoded(tokens, settings, media):
    settings.CASE_UPLOAD_MAX_BYTES = 1000
    body = application()
    body["materials"][0]["content_base64"] = b64(PDF + b"0" * 2000)
    response = call("post", "/cases", tokens(LI), body)
    assert response.status_code == 422
    assert response.json()["problems"][0]["field"] == "content_base64"
    assert li_cases() == 0 and stored_files(media) == []


def test_a_huge_body_is_refused_unread(tokens, media):
    body = application()
    body["materials"][0]["content_base64"] = "A" * (21 * 1024 * 1024)
    response = call("post", "/cases", tokens(LI), body)
    assert response.status_code == 413, response.content[:300]
    assert response.json()["code"] == "too_large" and response.json()["message"]
    assert li_cases() == 0 and stored_files(media) == []


def test_a_huge_upload_and_a_huge_action_body_are_refused(tokens, settings):
    settings.CASE_UPLOAD_MAX_BYTES = 1024
    li = tokens(LI)
    item = residence_permit().implementation_code
    draft = call("post", "/cases/drafts", li, {"item": item}).json()["id"]
    upload = io.BytesIO(PDF + b"0" * 200_000)
    upload.name = "big.pdf"
    response = call("post", f"/cases/drafts/{draft}/materials", li,
                    files={"material": material_id("M01"), "file": upload})  # fmt: skip
    assert response.status_code == 413 and response.json()["code"] == "too_large"
    number = submitted(tokens)["number"]
    huge = call("post", f"/cases/{number}/refuse", tokens(REVIEWER), {"reason": "x" * 300_000})
    assert huge.status_code == 413
    assert call("get", f"/cases/{number}", li).json()["status"] == "submitted"


def test_bad_uploads_to_a_draft(tokens, media):
    li = tokens(LI)
    item = residence_permit().implementation_code
    draft = call("post", "/cases/drafts", li, {"item": item}).json()["id"]
    disguised = io.BytesIO(b"MZ\x90\x00" + b"\x00" * 200)
    disguised.name = "invoice.pdf"
    response = call("post", f"/cases/drafts/{draft}/materials", li,
                    files={"material": material_id("M01"), "file": disguised})  # fmt: skip
    assert response.status_code == 422 and response.json()["problems"][0]["field"] == "file"
    other_item = ImplementationItem.objects.exclude(pk=residence_permit().pk).first()
    foreign = other_item.current_version.materials.first()
    scan = io.BytesIO(PDF)
    scan.name = "scan.pdf"
    response = call("post", f"/cases/drafts/{draft}/materials", li,
                    files={"material": foreign.pk, "file": scan})  # fmt: skip
    assert response.status_code == 422 and response.json()["problems"][0]["field"] == "material"
    for path, who in ((f"/cases/drafts/{draft}/materials", tokens(ZHANG)),
                      ("/cases/drafts/2147483647/materials", li)):  # fmt: skip
        scan.seek(0)
        response = call("post", path, who, files={"material": material_id("M01"), "file": scan})
        assert response.status_code == 404, (path, response.content)
    missing_file = call("post", f"/cases/drafts/{draft}/materials", li,
                        files={"material": material_id("M01")})  # fmt: skip
    assert missing_file.status_code == 422
    assert not CaseMaterial.objects.exists() and stored_files(media) == []


@pytest.mark.parametrize(
    ("path", "payload"),
    [
        ("/accept", {"deferred_days": 0}),
        ("/accept", {"deferred_materials": ["M01"]}),
        ("/accept", {"deferred_materials": [1], "deferred_days": 5}),  # not a 容缺 material
        ("/refuse", {"reason": "   "}),
        ("/refuse", {}),
        ("/notice", {"items": []}),
        ("/notice", {"items": [{"material": 2147483647, "reason": "x"}]}),
        ("/refuse", ["reason"]),
    ],
)
def test_bad_acceptance_input(tokens, path, payload):
    number = submitted(tokens)["number"]
    response = call("post", f"/cases/{number}{path}", tokens(REVIEWER), payload)
    assert response.status_code == 422, response.content
    assert response.json()["problems"]
    assert call("get", f"/cases/{number}", tokens(LI)).json()["status"] == "submitted"


def test_bad_correction_and_decision_input(tokens):
    number, review = accepted(tokens)
    reviewer = tokens(REVIEWER)
    other_number, other_task = accepted(tokens)
    cases = [
        ("/corrections", {"task": review, "items": []}),
        ("/corrections", {"task": review, "items": [{"what": "照片"}]}),
        ("/corrections", {"task": review, "items": [{"what": "x", "reason": "y"}],
                          "respond_days": 61}),
        ("/corrections", {"task": other_task, "items": [{"what": "x", "reason": "y"}]}),
        ("/decisions", {"task": review, "outcome": "approve", "reason": "x",
                        "legal_basis": "y"}),  # not the last step
        ("/decisions", {"task": review, "outcome": "maybe", "reason": "x", "legal_basis": "y"}),
        ("/decisions", {"task": review, "outcome": "approve", "reason": "x"}),
    ]  # fmt: skip
    for path, payload in cases:
        response = call("post", f"/cases/{number}{path}", reviewer, payload)
        assert response.status_code == 422, (path, payload, response.content)
    for n in (number, other_number):
        assert call("get", f"/cases/{n}", tokens(LI)).json()["status"] == "in_progress"


def test_a_correction_answered_after_its_deadline_is_refused(tokens):
    number, review = accepted(tokens)
    asked = call("post", f"/cases/{number}/corrections", tokens(REVIEWER),
                 {"task": review, "items": [{"what": "表", "reason": "缺签名"}],
                  "respond_days": 1})  # fmt: skip
    assert asked.status_code == 201
    pause = ClockPause.objects.get(case__number=number)
    pause.respond_by = pause.started_at - dt.timedelta(seconds=1)
    pause.save()
    response = call("post", f"/cases/{number}/corrections/answer", tokens(LI), {"note": "晚了"})
    assert response.status_code == 409 and response.json()["code"] == "conflict"
    assert call("get", f"/cases/{number}", tokens(LI)).json()["status"] == "correction"
    # Answering when nothing is asked is a conflict too; invalid form changes are refused.
    other, task = accepted(tokens)
    nothing = call("post", f"/cases/{other}/corrections/answer", tokens(LI), {})
    assert nothing.status_code == 409
    call("post", f"/cases/{other}/corrections", tokens(REVIEWER),
         {"task": task, "items": [{"what": "电话", "reason": "号码有误"}]})  # fmt: skip
    bad = call("post", f"/cases/{other}/corrections/answer", tokens(LI),
               {"form": {"contact_phone": "12"}})  # fmt: skip
    assert bad.status_code == 422 and bad.json()["problems"][0]["field"] == "form.contact_phone"


def test_idempotency_keys_are_per_user_and_bounded(tokens):
    response = call("post", "/cases", tokens(LI), application(),
                    headers={"Idempotency-Key": "k" * 101})  # fmt: skip
    assert response.status_code == 422, response.content
    assert li_cases() == 0
    mine = submitted(tokens, key="shared")
    # 张伟 reaches L2 and uses the same key: his own, new case.
    assert call("post", "/identity/me/verify", tokens(ZHANG)).status_code == 200
    body = application(form={"contact_name": "张伟", "contact_phone": "13800000001"})
    his = call("post", "/cases", tokens(ZHANG), body, headers={"Idempotency-Key": "shared"})
    assert his.status_code == 201 and his.json()["number"] != mine["number"]
    assert li_cases() == 1


# --------------------------------------------------------------------------------------------
# Who may see and do what


def test_nobody_else_sees_a_case_and_unknown_cases_look_the_same(tokens):
    number = submitted(tokens)["number"]
    unknown = call("get", "/cases/99010220260101999999990", tokens(ZHANG))
    assert unknown.status_code == 404
    for who in (ZHANG, "review.amr", "approve.amr"):
        for method, suffix, body in (
            ("get", "", None),
            ("get", "/receipt.pdf", None),
            ("post", "/accept", {}),
            ("post", "/refuse", {"reason": "x"}),
            ("post", "/corrections/answer", {}),
            ("post", "/close", None),
        ):
            response = call(method, f"/cases/{number}{suffix}", tokens(who), body)
            assert response.status_code == 404, (who, suffix, response.content)
            assert response.json() == unknown.json()
    assert call("get", "/cases", tokens(ZHANG)).json() == []
    assert call("get", "/cases/bad-number", tokens(LI)).status_code == 422
    assert call("get", "/cases", tokens(LI), client=Client()).status_code == 200


def test_actions_the_caller_may_not_take_are_forbidden(tokens):
    number, review = accepted(tokens)
    li, approver = tokens(LI), tokens(APPROVER)
    # The applicant and the approver see the case but may not accept or decide for others.
    second = submitted(tokens)["number"]
    for who in (li, approver):
        response = call("post", f"/cases/{second}/accept", who, {})
        assert response.status_code == 403, response.content
        assert response.json()["code"] == "forbidden"
    assert call("post", f"/cases/{number}/close", li).status_code == 403
    # Tasks of other roles or departments do not exist for the caller.
    for who in (approver, tokens("review.amr"), li):
        assert call("post", f"/tasks/{review}/claim", who).status_code == 404
    assert call("get", "/tasks", li).json() == []
    assert task_for(tokens(REVIEWER), number) == review
    assert call("get", "/tasks", tokens("review.amr")).json() == []
    # Someone else's claimed task.
    assert call("post", f"/tasks/{review}/claim", tokens(REVIEWER)).status_code == 409


def test_applying_needs_level_2(tokens):
    response = call("post", "/cases", tokens(ZHANG), application())
    assert response.status_code == 403 and "L2" in response.json()["message"]
    assert not Case.objects.filter(applicant_person=demo_person(ZHANG)).exists()


def test_without_credentials_and_with_a_session():
    response = call("post", "/cases", None, application())
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Bearer")
    assert call("get", "/tasks").status_code == 401
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(demo_person(LI).user)
    assert call("get", "/cases", client=browser).status_code == 200
    refused = call("post", "/cases", body=application(), client=browser)
    assert refused.status_code == 403 and li_cases() == 0
    session = person_client(people.PEOPLE[LI][2])
    assert call("post", "/cases", body=application(), client=session).status_code == 201


def test_acting_for_a_company_shows_the_companys_cases(tokens):
    submitted(tokens)
    assert len(call("get", "/cases", tokens(LI)).json()) == 1
    company = call("get", "/cases", tokens(LI), headers={"X-Acting-For": COMPANY})
    assert company.status_code == 200 and company.json() == []
    stranger = call("get", "/cases", tokens(ZHANG), headers={"X-Acting-For": COMPANY})
    assert stranger.status_code == 403


# --------------------------------------------------------------------------------------------
# Lists and the OpenAPI document


def test_lists_take_the_same_queries_for_many(tokens):
    li, reviewer = tokens(LI), tokens(REVIEWER)
    submitted(tokens)
    number, _task = accepted(tokens)
    with CaptureQueriesContext(connection) as few_cases:
        assert len(call("get", "/cases", li).json()) == 2
    with CaptureQueriesContext(connection) as few_tasks:
        assert len(call("get", "/tasks", reviewer).json()) == 1
    for _ in range(3):
        accepted(tokens)
    with CaptureQueriesContext(connection) as many_cases:
        assert len(call("get", "/cases", li).json()) == 5
    with CaptureQueriesContext(connection) as many_tasks:
        assert len(call("get", "/tasks", reviewer).json()) == 4
    assert len(many_cases) == len(few_cases)
    assert len(many_tasks) == len(few_tasks)
    assert len(call("get", "/cases?limit=2&offset=1", li).json()) == 2
    assert call("get", "/cases?limit=500", li).status_code == 422
    assert number


def test_openapi_document_lists_the_case_operations(client):
    doc = client.get("/api/v1/openapi.json").json()
    expected = {
        ("/api/v1/cases", "post"): 201,
        ("/api/v1/cases", "get"): 200,
        ("/api/v1/cases/drafts", "post"): 201,
        ("/api/v1/cases/drafts/{id}/materials", "post"): 201,
        ("/api/v1/cases/drafts/{id}/submit", "post"): 201,
        ("/api/v1/cases/{case_number}", "get"): 200,
        ("/api/v1/cases/{case_number}/receipt.pdf", "get"): 200,
        ("/api/v1/cases/{case_number}/accept", "post"): 200,
        ("/api/v1/cases/{case_number}/refuse", "post"): 200,
        ("/api/v1/cases/{case_number}/notice", "post"): 200,
        ("/api/v1/cases/{case_number}/corrections", "post"): 201,
        ("/api/v1/cases/{case_number}/corrections/answer", "post"): 200,
        ("/api/v1/cases/{case_number}/decisions", "post"): 201,
        ("/api/v1/cases/{case_number}/close", "post"): 200,
        ("/api/v1/cases/{case_number}/handover", "post"): 200,
        ("/api/v1/tasks", "get"): 200,
        ("/api/v1/tasks/{id}/claim", "post"): 200,
        ("/api/v1/tasks/{id}/return", "post"): 200,
        ("/api/v1/tasks/{id}/complete", "post"): 200,
        ("/api/v1/tasks/{id}/suspend", "post"): 200,
        ("/api/v1/tasks/{id}/resume", "post"): 200,
        ("/api/v1/tasks/{id}/reassign", "post"): 200,
    }
    for (path, method), ok in expected.items():
        operation = doc["paths"][path][method]
        assert {"BearerToken": []} in operation["security"], path
        assert {"PortalSession": []} in operation["security"], path
        assert {str(ok), "401", "403", "422"} <= set(operation["responses"]), path
    apply = doc["paths"]["/api/v1/cases"]["post"]
    assert {"Idempotency-Key", "X-Acting-For"} <= {p["name"] for p in apply["parameters"]}
    assert {"200", "413"} <= set(apply["responses"])
    assert "CaseOut" in json.dumps(apply["responses"]["201"])
    decision = doc["components"]["schemas"]["CaseDecisionIn"]
    assert decision["properties"]["outcome"]["enum"] == ["approve", "reject"]
