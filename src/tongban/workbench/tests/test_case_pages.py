"""Cases in the workbench: a walk-in's application at a window of another district, from the
counter to the hand-over, as the clerk, the reviewer and the approver see and do it; and who
may not see or touch it."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext

from tongban.cases import services
from tongban.cases.models import Case, CaseMaterial, Task
from tongban.catalog import services as catalog_services
from tongban.catalog.models import ImplementationItem, ItemVersion
from tongban.catalog.tests.factories import base_code, item_document
from tongban.certificates.models import Certificate
from tongban.demo import people
from tongban.identity.models import Company
from tongban.identity.selectors import actor_for_user
from tongban.identity.tests.helpers import demo_person, force_staff_login

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
LICENCE = "有限责任公司设立登记"
# 张伟's situation: rented premises (not from a park), applying himself, no prior licence.
ANSWERS = {"q_Q1": "rent", "q_Q2": "other", "q_Q3": "legal_rep", "q_Q4": "no"}


def _client(username: str) -> Client:
    return force_staff_login(Client(), username)


def _staff(username: str):
    return actor_for_user(get_user_model().objects.get(username=username))


def _pdf(name: str = "scan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _translated(text: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return gettext(text)


def _serve(clerk: Client, index: int) -> None:
    """The clerk looks the person up by ID number at the counter and serves them."""
    person = demo_person(index)
    clerk.post("/workbench/counter/", {"id_number": people.PEOPLE[index][1]})
    response = clerk.post(f"/workbench/counter/persons/{person.pk}/", {"action": "serve"})
    assert response.status_code == 200 and response.context["serving"] == person


def _window_case(item_finder, clerk: str = "clerk.city") -> Case:
    """A walk-in's business-licence application, accepted with 股东会决议 to follow."""
    actor = _staff(clerk)
    person = demo_person(0)
    case = services.case_window_create(
        actor=actor,
        implementation_code=item_finder(LICENCE).implementation_code,
        person_id=person.pk,
        answers={"Q1": ["own"], "Q3": ["legal_rep"], "Q4": ["no"]},
        form_data={"contact_name": person.name, "contact_phone": people.PEOPLE[0][2]},
        identity_checked=True,  # 张伟 is at L1; the clerk checks his ID card
    )
    deferred = []
    for material, state in services.completeness(case):
        if state == "missing":
            services.case_material_add(
                actor=actor, case_id=case.pk, material_id=material.pk, upload=_pdf()
            )
        elif state == "deferrable_missing":
            deferred.append(material.pk)
    services.case_accept(actor=actor, number=case.number, deferred_material_ids=deferred)
    case.refresh_from_db()
    return case


# ---------------------------------------------------------------------------------------------
# The journey


def test_a_walk_in_business_licence_from_the_counter_to_the_hand_over(item_finder):
    zhang = demo_person(0)
    item = item_finder(LICENCE)
    clerk = _client("clerk.qingshan")  # a window of 青山区; the item is the city bureau's
    _serve(clerk, 0)

    # Find the item and answer the situation questions.
    page = clerk.get("/workbench/cases/new/", {"q": LICENCE})
    assert page.status_code == 200 and item.implementation_code in page.content.decode()
    url = f"/workbench/cases/new/{item.implementation_code}/"
    page = clerk.get(url)
    assert page.context["form"]["contact_name"].value() == zhang.name  # prefilled
    form = {"form-contact_name": zhang.name, "form-contact_phone": people.PEOPLE[0][2]}
    first = {k: v for k, v in ANSWERS.items() if k != "q_Q2"}
    page = clerk.post(url, {**first, **form, "action": "refresh"})
    assert "Q2" in [s.code for s, _chosen in page.context["asked"]]  # renting brings Q2
    page = clerk.post(url, {**first, **form, "action": "create"})  # Q2 not answered yet
    assert page.status_code == 200 and not Case.objects.filter(applicant_person=zhang).exists()
    page = clerk.post(url, {**ANSWERS, **form, "form-contact_phone": "12", "action": "create"})
    assert page.context["form"].errors["contact_phone"]  # checked against the schema
    # 张伟's account is at L1 and the item needs L2: not without the clerk's ID-card check.
    assert page.context["needs_identity_check"]
    page = clerk.post(url, {**ANSWERS, **form, "action": "create"})
    assert page.status_code == 200 and not Case.objects.filter(applicant_person=zhang).exists()
    assert any("L2" in m for m in _messages(page))
    response = clerk.post(url, {**ANSWERS, **form, "identity_checked": "1", "action": "create"})
    case = Case.objects.get(applicant_person=zhang)
    assert (
        response.status_code == 302 and response["Location"] == f"/workbench/cases/{case.number}/"
    )
    assert case.channel == Case.Channel.WINDOW and case.status == Case.Status.SUBMITTED
    assert case.answers == {"Q1": ["rent"], "Q2": ["other"], "Q3": ["legal_rep"], "Q4": ["no"]}

    # The completeness check: the key materials are missing, 股东会决议 may follow (容缺).
    case_url = f"/workbench/cases/{case.number}/"
    page = clerk.get(case_url)
    rows = page.context["materials"]
    missing = [r["material"] for r in rows if r["state"] == "missing"]
    deferrable = [r["material"] for r in rows if r["state"] == "deferrable_missing"]
    assert [m.name for m in deferrable] == ["股东会决议"]
    assert {r["state"] for r in rows} >= {"missing", "fetched"}
    assert "房屋租赁合同" in [m.name for m in missing]  # from the answer "rent"
    refused = clerk.post(f"{case_url}decide/", {"action": "accept"}, follow=True)
    assert any(missing[0].name in m for m in _messages(refused))
    clerk.post(f"{case_url}materials/", {f"file_{m.pk}": _pdf(f"{m.code}.pdf") for m in missing})
    assert {r["state"] for r in clerk.get(case_url).context["materials"]} == {
        "provided",
        "fetched",
        "deferrable_missing",
    }
    clerk.post(
        f"{case_url}decide/",
        {"action": "accept", "deferred": [deferrable[0].pk], "deferred_days": "5"},
    )
    case.refresh_from_db()
    assert case.status == Case.Status.IN_PROGRESS and case.deferred_due_at is not None
    assert case.materials.get(material=deferrable[0]).state == CaseMaterial.State.DEFERRED
    receipt = clerk.get(f"{case_url}receipt.pdf")
    assert receipt.status_code == 200 and receipt.content.startswith(b"%PDF")

    # A reviewer of another department neither sees nor moves it.
    linjiang = _client("review.linjiang")
    task = Task.objects.get(case=case)
    assert linjiang.get(case_url).status_code == 404
    assert linjiang.get(f"/workbench/cases/tasks/{task.pk}/").status_code == 404
    assert linjiang.post(f"{case_url}decide/", {"action": "refuse", "reason": "x"}).status_code in (
        403,
        404,
    )
    act = f"/workbench/cases/tasks/{task.pk}/act/"
    assert linjiang.post(act, {"action": "claim"}).status_code in (403, 404)
    assert (
        task.case.number not in linjiang.get("/workbench/cases/tasks/?scope=team").content.decode()
    )

    # The market regulation bureau reviews ...
    reviewer = _client("review.amr")
    assert case.number in reviewer.get("/workbench/cases/tasks/?scope=team").content.decode()
    page = reviewer.get(f"/workbench/cases/tasks/{task.pk}/")
    assert page.status_code == 200 and page.context["may_work"]
    assert [label for label, _value in page.context["form_rows"]][:2] == ["联系人", "联系电话"]
    reviewer.post(act, {"action": "claim"})
    assert case.number in reviewer.get("/workbench/cases/tasks/?scope=mine").content.decode()
    reviewer.post(act, {"action": "complete", "note": "材料齐全"})
    # ... and decides: a decision needs the reason and the legal basis.
    approver = _client("approve.amr")
    decide = Task.objects.get(case=case, stage=1)
    decide_act = f"/workbench/cases/tasks/{decide.pk}/act/"
    page = approver.get(f"/workbench/cases/tasks/{decide.pk}/")
    assert page.context["last_step"] and page.context["may_work"]
    response = approver.post(decide_act, {"action": "complete", "outcome": "approve"}, follow=True)
    assert _messages(response) and Case.objects.get(pk=case.pk).status == Case.Status.IN_PROGRESS
    # Approving founds the company and issues its licence: the face is prefilled from the
    # application, the approver completes it; a missing required field keeps what was typed.
    face = {r["key"]: r for r in page.context["certificate"]["rows"]}
    assert page.context["certificate"]["establishes"]
    assert face["legal_representative"]["value"] == zhang.name and face["address"]["required"]
    assert face["established_on"]["value"] == timezone.localdate().isoformat()
    decision = {
        "action": "complete",
        "outcome": "approve",
        "reason": "符合设立条件",
        "legal_basis": "《中华人民共和国公司法》第二十九条",
        "cert-holder_name": "江川青山示范科技有限公司",
        "cert-company_type": "有限责任公司（自然人独资）",
    }
    response = approver.post(decide_act, decision, follow=True)
    assert any("住所" in m for m in _messages(response))
    assert Case.objects.get(pk=case.pk).status == Case.Status.IN_PROGRESS
    assert not Company.objects.filter(name="江川青山示范科技有限公司").exists()
    face = {r["key"]: r["value"] for r in response.context["certificate"]["rows"]}
    assert face["holder_name"] == "江川青山示范科技有限公司"  # what was typed is kept
    approver.post(decide_act, {**decision, "cert-address": "江川市青山区建设大道1号"})
    case.refresh_from_db()
    assert case.status == Case.Status.APPROVED and case.outcome_basis.startswith("《中华")
    company = Company.objects.get(name="江川青山示范科技有限公司")
    assert company.representative_id == zhang.pk and case.applicant_company == company
    licence = Certificate.objects.get(case_number=case.number)
    assert licence.holder_company == company and licence.issuer == case.department
    assert licence.fields["address"] == "江川市青山区建设大道1号"
    assert case.events.filter(kind="certificate_issued").exists()
    html = approver.get(case_url).content.decode()
    assert licence.identifier in html
    pdf = approver.get(f"{case_url}certificates/{licence.pk}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert (
        _client("review.linjiang").get(f"{case_url}certificates/{licence.pk}.pdf").status_code
        == 404
    )
    approver.post(f"{case_url}close/")
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED

    # Staff see who acted; any clerk of the city hands the licence over.
    html = clerk.get(case_url).content.decode()
    assert "review.amr" in html and "approve.amr" in html and "clerk.qingshan" in html
    desk = _client("clerk.city")
    page = desk.get("/workbench/cases/handover/", {"number": case.number})
    assert page.context["case"] == case
    desk.post("/workbench/cases/handover/", {"number": case.number, "note": "本人领取"})
    case.refresh_from_db()
    assert case.handed_over_at is not None
    assert case.events.filter(kind="handed_over", actor_user__username="clerk.city").exists()


def test_intake_needs_a_clerk_serving_a_person(item_finder):
    code = item_finder(LICENCE).implementation_code
    assert _client("review.amr").get("/workbench/cases/new/").status_code == 403
    clerk = _client("clerk.qingshan")
    response = clerk.get(f"/workbench/cases/new/{code}/")
    assert response.status_code == 302 and response["Location"] == "/workbench/counter/"
    assert Client().get("/workbench/cases/new/").status_code == 302  # to the log-in page


def test_a_one_time_notice_and_a_refusal_at_the_window(item_finder):
    clerk = _client("clerk.city")
    zhang = demo_person(0)
    _serve(clerk, 0)
    case = services.case_window_create(
        actor=_staff("clerk.city"),
        implementation_code=item_finder(LICENCE).implementation_code,
        person_id=zhang.pk,
        identity_checked=True,
    )
    missing = [m for m, state in services.completeness(case) if state == "missing"]
    url = f"/workbench/cases/{case.number}/"
    response = clerk.post(
        f"{url}decide/",
        {
            "action": "notice",
            "notice_material": [missing[0].pk, missing[1].pk],
            f"notice_reason_{missing[0].pk}": "未提供",
            f"notice_reason_{missing[1].pk}": "",  # a reason is required for each
        },
        follow=True,
    )
    assert Case.objects.get(pk=case.pk).status == Case.Status.SUBMITTED
    assert any(missing[1].name in m for m in _messages(response))
    clerk.post(
        f"{url}decide/",
        {
            "action": "notice",
            "notice_material": [missing[0].pk],
            f"notice_reason_{missing[0].pk}": "未提供",
            "notice_other": "申请表需法定代表人签字",
        },
    )
    case.refresh_from_db()
    assert case.status == Case.Status.RETURNED
    items = case.events.get(kind="notice").data["items"]
    assert [i["reason"] for i in items] == ["未提供", "申请表需法定代表人签字"]
    notice = clerk.get(f"{url}notice.pdf")
    assert notice.status_code == 200 and notice.content.startswith(b"%PDF")

    other = services.case_window_create(
        actor=_staff("clerk.city"),
        implementation_code=item_finder(LICENCE).implementation_code,
        person_id=zhang.pk,
        identity_checked=True,
    )
    clerk.post(f"/workbench/cases/{other.number}/decide/", {"action": "refuse", "reason": ""})
    assert Case.objects.get(pk=other.pk).status == Case.Status.SUBMITTED  # reason required
    clerk.post(
        f"/workbench/cases/{other.number}/decide/",
        {"action": "refuse", "reason": "申请人不具备股东资格"},
    )
    assert Case.objects.get(pk=other.pk).status == Case.Status.REFUSED


# ---------------------------------------------------------------------------------------------
# Concurrency and the clock


def test_two_claims_at_once_one_wins_and_the_other_is_told(item_finder):
    case = _window_case(item_finder)
    task = Task.objects.get(case=case)
    first, second = _client("review.amr"), _client("admin")
    url = f"/workbench/cases/tasks/{task.pk}/"
    assert first.get(url).context["task"].status == second.get(url).context["task"].status == "open"
    won = first.post(f"{url}act/", {"action": "claim"}, follow=True)
    lost = second.post(f"{url}act/", {"action": "claim"}, follow=True)
    assert _translated("The task is yours.") in _messages(won)
    assert _translated("This task is already taken.") in _messages(lost)
    task.refresh_from_db()
    assert task.status == Task.Status.CLAIMED and task.assignee.username == "review.amr"
    # The loser cannot complete the step either.
    second.post(f"{url}act/", {"action": "complete", "note": "x"})
    assert Task.objects.get(pk=task.pk).status == Task.Status.CLAIMED


def test_correction_suspension_return_and_reassignment_from_the_task_page(item_finder):
    case = _window_case(item_finder)
    reviewer = _client("review.amr")
    task = Task.objects.get(case=case)
    act = f"/workbench/cases/tasks/{task.pk}/act/"
    page = reviewer.get(f"/workbench/cases/tasks/{task.pk}/")
    assert [u.username for u in page.context["colleagues"]] == ["review.amr"]
    reviewer.post(
        act, {"action": "reassign", "user": get_user_model().objects.get(username="review.amr").pk}
    )
    assert Task.objects.get(pk=task.pk).assignee.username == "review.amr"
    reviewer.post(
        act, {"action": "reassign", "user": get_user_model().objects.get(username="approve.amr").pk}
    )
    assert Task.objects.get(pk=task.pk).assignee.username == "review.amr"  # not a reviewer
    reviewer.post(act, {"action": "suspend", "kind": "inspection", "reason": "需现场核查经营场所"})
    case.refresh_from_db()
    assert case.status == Case.Status.SUSPENDED and case.legal_due_at is None
    reviewer.post(act, {"action": "resume"})
    reviewer.post(
        act,
        {
            "action": "correction",
            "what_0": "公司章程",
            "why_0": "缺少股东签字",
            "respond_days": "5",
        },
    )
    case.refresh_from_db()
    assert case.status == Case.Status.CORRECTION
    assert case.pauses.get(ended_at__isnull=True).items == [
        {"what": "公司章程", "reason": "缺少股东签字"}
    ]
    html = reviewer.get(f"/workbench/cases/{case.number}/").content.decode()
    assert "缺少股东签字" in html
    # The first step has none before it.
    response = reviewer.post(act, {"action": "return", "reason": "退回"}, follow=True)
    assert _messages(response)


def test_the_worklist_shows_remaining_working_days_and_overdue_tasks(item_finder):
    import datetime as dt

    case = _window_case(item_finder)
    task = Task.objects.get(case=case)
    Task.objects.filter(pk=task.pk).update(due_at=task.due_at - dt.timedelta(days=30))
    page = _client("review.amr").get("/workbench/cases/tasks/?scope=team")
    row = next(r for r in page.context["rows"] if r["task"].pk == task.pk)
    assert row["remaining"] < 0 and 'class="overdue"' in page.content.decode()


def test_the_worklist_and_the_queue_read_a_fixed_number_of_rows(
    item_finder, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    reviewer = _client("review.amr")
    _window_case(item_finder)
    with CaptureQueriesContext(connection) as one:
        reviewer.get("/workbench/cases/tasks/?scope=team")
    _window_case(item_finder)
    _window_case(item_finder)
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = reviewer.get("/workbench/cases/tasks/?scope=team")
    assert len(page.context["rows"]) >= 3


def test_online_applications_are_in_the_departments_queue_window_ones_are_not(item_finder):
    window = services.case_window_create(
        actor=_staff("clerk.city"),
        implementation_code=item_finder(LICENCE).implementation_code,
        person_id=demo_person(0).pk,
        identity_checked=True,
    )
    li = demo_person(1)
    actor = actor_for_user(li.user)
    item = item_finder("居住证申领")
    draft = services.case_draft_save(
        actor=actor,
        implementation_code=item.implementation_code,
        answers={"Q1": ["job"], "Q3": ["self"]},
        form_data={"contact_name": li.name, "contact_phone": people.PEOPLE[1][2]},
    )
    for material, state in services.completeness(draft):
        if state == "missing":
            services.case_material_add(
                actor=actor, case_id=draft.pk, material_id=material.pk, upload=_pdf()
            )
    online = services.case_submit(actor=actor, case_id=draft.pk)
    reviewer = _client("review.linjiang")
    queue = reviewer.get("/workbench/cases/queue/").content.decode()
    assert online.number in queue and window.number not in queue
    page = reviewer.get(f"/workbench/cases/{online.number}/")
    assert page.context["may_decide"] and not page.context["may_upload"]
    assert any(r["file"] for r in page.context["materials"])
    assert reviewer.get(f"/workbench/cases/{window.number}/").status_code == 404
    reviewer.post(f"/workbench/cases/{online.number}/decide/", {"action": "accept"})
    assert Case.objects.get(pk=online.pk).status == Case.Status.IN_PROGRESS


# ---------------------------------------------------------------------------------------------
# Material files


def test_material_files_reach_only_staff_in_scope(item_finder):
    case = _window_case(item_finder)
    scan = case.materials.exclude(file="").first()
    url = f"/workbench/cases/{case.number}/materials/{scan.pk}/"
    response = _client("review.amr").get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert _client("review.linjiang").get(url).status_code == 404
    assert _client("catalog.city").get(url).status_code == 404
    stranger = Client()
    stranger.force_login(demo_person(1).user)  # 李娜, a person who is not the applicant
    assert stranger.get(url).status_code == 302  # to the log-in page, never the file
    assert Client().get(url).status_code == 302
    assert Client().get(f"{settings.MEDIA_URL}{scan.file.name}").status_code == 404
    other = Case.objects.exclude(pk=case.pk).filter(materials__isnull=False).first()
    if other is not None:  # another case's number with this file's id
        assert (
            _client("review.amr")
            .get(f"/workbench/cases/{other.number}/materials/{scan.pk}/")
            .status_code
            == 404
        )


# ---------------------------------------------------------------------------------------------
# Process and form editing


def _post_data(form: forms.BaseForm) -> dict:
    """What a browser would post for ``form`` as rendered (unchanged)."""
    data: dict = {}
    for name, field in form.fields.items():
        key, value = form.add_prefix(name), form[name].value()
        if isinstance(field, forms.BooleanField):
            if value:
                data[key] = "on"
        elif isinstance(field, forms.FileField):
            continue
        elif isinstance(value, list | tuple):
            data[key] = [str(v) for v in value]
        else:
            data[key] = "" if value is None else str(value)
    return data


def _change_form_data(page) -> dict:
    data = _post_data(page.context["adminform"].form)
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(_post_data(formset.management_form))
        for form in formset.forms:
            data.update(_post_data(form))
    return data


def test_the_version_admin_refuses_unusable_forms_and_steps(item_finder, system_actor):
    item = item_finder(LICENCE)
    draft = catalog_services.item_version_draft_create(actor=system_actor, item_id=item.pk)
    before = (draft.application_form, draft.approval_steps)
    client = _client("catalog.city")
    url = f"/workbench/catalog/itemversion/{draft.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200 and "application_form" in page.context["adminform"].form.fields
    data = _change_form_data(page)
    bad = {
        "application_form": ('{"type": "array"}', "object"),
        "approval_steps": ('[{"key": "review", "name": "审查", "role": "janitor"}]', "role"),
    }
    for field, (value, _word) in bad.items():
        response = client.post(url, {**data, field: value})
        assert response.status_code == 200
        errors = response.context["adminform"].form.errors[field]
        assert errors and all(errors)
    response = client.post(url, {**data, "application_form": "{not json"})
    assert response.context["adminform"].form.errors["application_form"]
    draft.refresh_from_db()
    assert (draft.application_form, draft.approval_steps) == before
    steps = [
        {"key": "review", "name": "审查", "role": "reviewer", "days": 3},
        {"key": "decide", "name": "决定", "role": "approver", "days": 2},
    ]
    response = client.post(
        url,
        {**data, "approval_steps": json.dumps(steps, ensure_ascii=False), "application_form": ""},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    draft.refresh_from_db()
    assert (draft.application_form, draft.approval_steps) == ({}, steps)
    # A published version stays read-only.
    published = item.current_version
    page = client.get(f"/workbench/catalog/itemversion/{published.pk}/change/")
    assert (
        page.status_code == 200 and "application_form" in page.context["adminform"].readonly_fields
    )
    client.post(
        f"/workbench/catalog/itemversion/{published.pk}/change/", {**data, "approval_steps": "[]"}
    )
    assert ItemVersion.objects.get(pk=published.pk).approval_steps == published.approval_steps


def test_export_and_import_in_the_workbench_keep_form_and_steps(system_actor):
    form = {
        "type": "object",
        "properties": {"shop_name": {"type": "string", "title": "店铺名称", "maxLength": 40}},
        "required": ["shop_name"],
    }
    steps = [{"key": "decide", "name": "决定", "role": "approver", "days": 2}]
    document = item_document(70, application_form=form, approval_steps=steps)
    catalog_services.catalog_import_document(actor=system_actor, document=document, publish=True)
    code = document["items"][0]["implementation_code"]
    client = _client("admin")
    exported = json.loads(client.get("/workbench/catalog/export.json").content)
    item = next(i for i in exported["items"] if i["implementation_code"] == code)
    assert (item["application_form"], item["approval_steps"]) == (form, steps)
    archive = zipfile.ZipFile(io.BytesIO(client.get("/workbench/catalog/export.zip").content))
    rows = csv.DictReader(io.StringIO(archive.read("items.csv").decode(), newline=""))
    row = next(r for r in rows if r["implementation_code"] == code)
    assert json.loads(row["approval_steps"]) == steps  # a JSON-encoded cell
    upload = io.BytesIO(client.get("/workbench/catalog/export.zip").content)
    upload.name = "catalog.zip"
    response = client.post("/workbench/catalog/import/", {"file": upload})
    assert response.status_code == 200 and not response.context.get("problems")
    draft = ImplementationItem.objects.get(base_item__base_code=base_code(70)).versions.get(
        status=ItemVersion.Status.DRAFT
    )
    assert (draft.application_form, draft.approval_steps) == (form, steps)


def test_the_clerk_attaches_a_walk_ins_certificate_with_their_consent(item_finder):
    clerk = _client("clerk.qingshan")
    zhang = demo_person(0)  # holds a residence permit (demo)
    item = item_finder("居住证签注")
    material = item.current_version.materials.get(certificate_type__endswith="002")
    case = services.case_window_create(
        actor=_staff("clerk.qingshan"),
        implementation_code=item.implementation_code,
        person_id=zhang.pk,
        form_data={"contact_name": zhang.name, "contact_phone": people.PEOPLE[0][2]},
    )
    case_url = f"/workbench/cases/{case.number}/"
    page = clerk.get(case_url)
    [row] = [r for r in page.context["materials"] if r["material"] == material]
    assert row["state"] == "certificate_offered" and row["offer"] is not None
    assert 'form="consent-form"' in page.content.decode()
    response = clerk.post(
        f"{case_url}certificates/use/", {"material": str(material.pk)}, follow=True
    )
    assert _messages(response)
    [row] = [r for r in response.context["materials"] if r["material"] == material]
    assert row["state"] == "certificate" and row["file"].verified_at
    permit = row["certificate"]
    html = response.content.decode()
    assert permit.identifier in html and "attached-certificate" in html
    face = clerk.get(f"{case_url}certificates/{permit.pk}.pdf")
    assert face.status_code == 200 and face.content.startswith(b"%PDF")
    # A reviewer elsewhere sees it verified but cannot record a consent.
    again = _client("review.amr").post(f"{case_url}certificates/use/", {"material": "x"})
    assert again.status_code in (403, 404)
