"""Applying online and following a case through the portal's pages, as the applicant does it
(the Django test client; no JavaScript)."""

from __future__ import annotations

import io
import re
from html import unescape

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import QueryDict
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from tongban.cases import services
from tongban.cases.models import Case, CaseMaterial, Task
from tongban.demo import people
from tongban.identity.selectors import actor_for_user
from tongban.identity.tests.helpers import demo_person, person_client
from tongban.portal.case_forms import form_fields, form_values

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
LI_NA = people.PEOPLE[1][2]  # L2
ZHANG_WEI = people.PEOPLE[0][2]  # L1
WANG_FANG = people.PEOPLE[2][2]  # L1


def pdf(name: str = "scan.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def staff(username: str):
    return actor_for_user(get_user_model().objects.get(username=username))


def residence_permit(item_finder):
    return item_finder("居住证申领")  # the 临江区 one (first by implementation code)


def apply_url(item) -> str:
    return reverse("portal:apply", args=[item.implementation_code])


def english(client: Client) -> Client:
    client.cookies["django_language"] = "en"
    return client


def hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', html)
    assert match, f"no hidden field {name}"
    return unescape(match.group(1))


def material_inputs(html: str) -> list[str]:
    return re.findall(r'type="file" id="m-\d+" name="(material\.\d+)"', html)


def answer_fields(html: str) -> dict[str, str]:
    return {
        name: unescape(value)
        for name, value in re.findall(r'name="(answer\.[^"]+)" value="([^"]*)"', html)
    }


def typed_fields(html: str) -> dict[str, str]:
    """The form's text inputs and text areas as the page shows them."""
    found = re.findall(r'<input type="text" id="[^"]*" name="(form\.[^"]+)" value="([^"]*)"', html)
    found += re.findall(r'<textarea id="[^"]*" name="(form\.[^"]+)"[^>]*>([^<]*)</textarea>', html)
    return {name: unescape(value) for name, value in found}


def apply_form(html: str, **fields) -> dict:
    """What the browser would post from the page: the hidden fields, what the page shows in the
    form, and the given values."""
    data = {"key": hidden(html, "key"), **answer_fields(html), **typed_fields(html)}
    if 'name="draft"' in html:
        data["draft"] = hidden(html, "draft")
    data.update(fields)
    return data


def submit_complete(client: Client, item, *, query: str = "Q1=job&Q3=self") -> Case:
    html = client.get(f"{apply_url(item)}?{query}").content.decode()
    data = apply_form(
        html,
        **{"form.contact_name": "李娜", "form.contact_phone": LI_NA, "action": "submit"},
    )
    for name in material_inputs(html):
        data[name] = pdf(f"{name}.pdf")
    response = client.post(apply_url(item), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return Case.objects.get(number=response["Location"].rstrip("/").rsplit("/", 1)[-1])


def test_the_guide_carries_the_answers_into_the_application(item_finder):
    item = residence_permit(item_finder)
    client = person_client(LI_NA)
    guide = client.get(reverse("portal:guide", args=[item.implementation_code]) + "?Q1=job")
    assert f"{apply_url(item)}?Q1=job" in guide.content.decode()

    page = client.get(f"{apply_url(item)}?Q1=job&Q3=self")
    html = page.content.decode()
    assert page.status_code == 200
    assert answer_fields(html) == {"answer.Q1": "job", "answer.Q3": "self"}
    assert "合法稳定就业" in html and "本人办理" in html  # the answers, shown
    assert "Q1=job" in re.search(r'class="change-answers" href="([^"]+)"', html).group(1)
    # Prefilled from the account, and editable.
    assert re.search(r'name="form\.contact_name" value="李娜"', html)
    assert re.search(rf'name="form\.contact_phone" value="{LI_NA}"', html)
    # The social insurance record comes through data sharing, the ID card from the certificate
    # library: nothing to upload for them; the employment contract is asked for.
    assert "社会保险参保缴费记录" in html and "劳动合同" in html
    version = item.current_version
    fetched = version.materials.filter(source__in=["data_sharing", "certificate_library"])
    for material in fetched.filter(name__in=["社会保险参保缴费记录", "居民身份证"]):
        assert f'name="material.{material.pk}"' not in html
    contract = version.materials.get(name="劳动合同")
    assert f'name="material.{contract.pk}"' in html
    lease = version.materials.get(name="房屋租赁合同")  # another situation's material
    assert f'name="material.{lease.pk}"' not in html

    response = client.post(apply_url(item), apply_form(html, action="save"))
    assert response.status_code == 302 and "?draft=" in response["Location"]
    draft = Case.objects.get(pk=response["Location"].rsplit("=", 1)[1])
    assert draft.status == Case.Status.DRAFT
    assert draft.answers == {"Q1": ["job"], "Q3": ["self"]}
    assert draft.form_data["contact_name"] == "李娜"
    # The draft, continued: the list links to it, and changing the answers keeps it.
    listing = client.get(reverse("portal:cases")).content.decode()
    assert f"?draft={draft.pk}" in listing
    again = client.get(response["Location"]).content.decode()
    change = unescape(re.search(r'class="change-answers" href="([^"]+)"', again).group(1))
    assert f"draft={draft.pk}" in change
    guide = client.get(change.split("#")[0]).content.decode()
    assert f'name="draft" value="{draft.pk}"' in guide  # kept through the questionnaire
    assert f"draft={draft.pk}" in unescape(guide)


def test_a_citizen_applies_online_through_the_pages(item_finder):
    item = residence_permit(item_finder)
    client = person_client(LI_NA)
    html = client.get(f"{apply_url(item)}?Q1=job&Q3=self").content.decode()
    inputs = material_inputs(html)
    assert len(inputs) >= 2
    data = apply_form(html, **{"form.note": "请尽快办理", "action": "save"})
    data[inputs[0]] = pdf("劳动合同扫描件.pdf")
    response = client.post(apply_url(item), data)
    assert response.status_code == 302
    page = english(client).get(response["Location"]).content.decode()
    assert "Your draft is saved." in page or "草稿已保存" in page  # written in the POST language
    # The file already there: its name and size, and a field to replace it.
    uploaded = re.search(r'<p class="uploaded">.*?</p>', page, re.S).group(0)
    assert "劳动合同扫描件.pdf" in uploaded and f"({len(PDF)}\xa0bytes)" in uploaded
    assert f'<label for="m-{inputs[0].split(".")[1]}">Replace the file</label>' in page
    assert "请尽快办理" in page

    data = apply_form(page, action="submit")
    data["form.note"] = "请尽快办理"
    for name in material_inputs(page)[1:]:
        data[name] = pdf()
    response = client.post(apply_url(item), data)
    assert response.status_code == 302
    case = Case.objects.get(number=response["Location"].rstrip("/").rsplit("/", 1)[-1])
    assert case.status == Case.Status.SUBMITTED
    assert case.form_data == {
        "contact_name": "李娜",
        "contact_phone": LI_NA,
        "note": "请尽快办理",
    }
    assert CaseMaterial.objects.filter(case=case, state="fetched").exists()

    detail = client.get(response["Location"])
    text = detail.content.decode()
    assert case.number in text and "Submitted" in text  # the message, the timeline
    assert 'class="timeline"' in text and "event-submitted" in text
    assert reverse("portal:case_receipt", args=[case.number]) in text

    receipt = client.get(reverse("portal:case_receipt", args=[case.number]))
    assert receipt.status_code == 200 and receipt["Content-Type"] == "application/pdf"
    assert case.number in PdfReader(io.BytesIO(receipt.content)).pages[0].extract_text()
    assert client.get(reverse("portal:case_notice", args=[case.number])).status_code == 404

    listing = client.get(reverse("portal:cases")).content.decode()
    assert case.number in listing and f"?draft={case.pk}" not in listing


def test_a_double_submit_with_the_same_key_gives_one_case(item_finder):
    item = residence_permit(item_finder)
    client = person_client(LI_NA)
    before = Case.objects.exclude(status=Case.Status.DRAFT).count()
    html = client.get(f"{apply_url(item)}?Q1=job&Q3=self").content.decode()
    data = apply_form(html, action="submit")
    first = dict(data)
    for name in material_inputs(html):
        first[name] = pdf()
    one = client.post(apply_url(item), first)
    again = dict(data)  # the second click of a double click: the same page, the same key
    for name in material_inputs(html):
        again[name] = pdf()
    two = client.post(apply_url(item), again)
    assert one.status_code == two.status_code == 302
    assert one["Location"] == two["Location"]
    assert Case.objects.exclude(status=Case.Status.DRAFT).count() == before + 1
    # A refresh of the saved page (its draft is gone now) returns the same case too.
    case = Case.objects.get(number=one["Location"].rstrip("/").rsplit("/", 1)[-1])
    three = client.post(apply_url(item), {**data, "draft": str(case.pk), "key": "other"})
    assert three.status_code == 302 and three["Location"] == one["Location"]
    assert Case.objects.exclude(status=Case.Status.DRAFT).count() == before + 1


def test_invalid_input_keeps_what_was_typed_and_says_why(item_finder):
    item = residence_permit(item_finder)
    client = english(person_client(LI_NA))
    html = client.get(f"{apply_url(item)}?Q1=job&Q3=self").content.decode()
    data = apply_form(
        html, **{"form.contact_name": "", "form.contact_phone": "12abc", "action": "submit"}
    )
    response = client.post(apply_url(item), data)
    assert response.status_code == 422
    page = response.content.decode()
    assert re.search(r'name="form\.contact_phone" value="12abc"', page)
    phone = re.search(r'<input[^>]*name="form\.contact_phone"[^>]*>', page).group(0)
    assert 'aria-describedby="f-contact_phone-error"' in phone and 'aria-invalid="true"' in phone
    assert (
        '<p class="error" id="f-contact_phone-error">This is not in the expected format.</p>'
        in page
    )
    assert '<p class="error" id="f-contact_name-error">This field is required.</p>' in page
    assert "Upload this material." in page  # the materials are missing too
    draft = Case.objects.get(pk=hidden(page, "draft"))
    assert draft.status == Case.Status.DRAFT and draft.form_data["contact_phone"] == "12abc"
    # In Chinese the same page is translated (the field errors come from the catalog's
    # validator, whose messages are in the Chinese catalog).
    client.cookies["django_language"] = "zh-hans"
    page = client.post(apply_url(item), {**data, "draft": str(draft.pk)}).content.decode()
    assert "This field is required." not in page and 'lang="zh-CN"' in page


def test_a_disguised_or_oversized_file_is_refused_and_the_draft_kept(item_finder, settings):
    item = residence_permit(item_finder)
    client = english(person_client(LI_NA))
    html = client.get(f"{apply_url(item)}?Q1=job&Q3=self").content.decode()
    target = material_inputs(html)[0]
    data = apply_form(html, **{"form.note": "附件见上传", "action": "save"})
    data[target] = SimpleUploadedFile("contract.pdf", b"MZ\x90\x00" + b"\x00" * 500)
    response = client.post(apply_url(item), data)
    assert response.status_code == 422
    page = response.content.decode()
    assert "Only PDF, JPEG and PNG files are accepted." in page
    assert "Some files were refused." in page
    assert re.search(r'name="form\.note"[^>]*>附件见上传</textarea>', page)
    draft = Case.objects.get(pk=hidden(page, "draft"))
    assert draft.form_data["note"] == "附件见上传"
    assert not CaseMaterial.objects.filter(case=draft).exists()
    # Submitting with it: not submitted, and the form's own problems are listed at once.
    data = apply_form(page, **{"form.contact_phone": "12", "action": "submit"})
    data[target] = SimpleUploadedFile("contract.pdf", b"MZ\x90\x00" + b"\x00" * 500)
    page = client.post(apply_url(item), data).content.decode()
    assert "Only PDF, JPEG and PNG files are accepted." in page
    assert 'id="f-contact_phone-error">This is not in the expected format.' in page
    draft.refresh_from_db()
    assert draft.status == Case.Status.DRAFT and draft.form_data["contact_phone"] == "12"

    settings.CASE_UPLOAD_MAX_BYTES = 100
    data = apply_form(page, action="save")
    data[target] = pdf("big.pdf", PDF + b"0" * 500)
    response = client.post(apply_url(item), data)
    assert response.status_code == 422
    assert "The file is larger than 100" in response.content.decode()
    assert not CaseMaterial.objects.filter(case=draft).exists()


def test_a_body_far_too_large_is_refused_before_it_is_read(item_finder, settings):
    settings.CASE_UPLOAD_MAX_BYTES = 10
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    item = residence_permit(item_finder)
    client = person_client(LI_NA)
    response = client.post(
        apply_url(item), {"action": "save", "form.note": "x" * 2000}, follow=False
    )
    assert response.status_code == 413


def test_someone_elses_draft_or_case_is_not_found(item_finder):
    item = residence_permit(item_finder)
    owner = person_client(LI_NA)
    case = submit_complete(owner, item)
    html = owner.get(f"{apply_url(item)}?Q1=job").content.decode()
    response = owner.post(apply_url(item), apply_form(html, action="save"))
    draft_url = response["Location"]
    draft_id = draft_url.rsplit("=", 1)[1]

    stranger = demo_person(0)
    type(stranger).objects.filter(pk=stranger.pk).update(assurance_level=2)
    other = person_client(ZHANG_WEI)
    assert other.get(draft_url).status_code == 404
    for action in ("save", "submit"):
        response = other.post(apply_url(item), {"draft": draft_id, "action": action, "key": "k"})
        assert response.status_code == 404
    for name in ("portal:case", "portal:case_receipt", "portal:case_notice"):
        assert other.get(reverse(name, args=[case.number])).status_code == 404
    response = other.post(reverse("portal:case", args=[case.number]), {"action": "resubmit"})
    assert response.status_code == 404
    assert Case.objects.get(pk=draft_id).status == Case.Status.DRAFT


def test_below_the_items_level_the_page_explains_instead_of_the_form(item_finder):
    item = residence_permit(item_finder)
    client = english(person_client(WANG_FANG))  # L1; the residence permit needs L2
    response = client.get(f"{apply_url(item)}?Q1=job")
    page = response.content.decode()
    assert response.status_code == 403
    assert 'href="/account/"' in page and "L2" in page
    assert 'name="action"' not in page
    response = client.post(apply_url(item), {"action": "submit", "key": "k"})
    assert response.status_code == 403
    assert not Case.objects.filter(applicant_person=demo_person(2)).exists()


def test_applying_needs_a_login_and_a_csrf_token(item_finder):
    item = residence_permit(item_finder)
    response = Client().get(apply_url(item))
    assert response.status_code == 302 and "/account/login/" in response["Location"]
    client = Client(enforce_csrf_checks=True)
    client.force_login(demo_person(1).user)
    assert client.post(apply_url(item), {"action": "save"}).status_code == 403


def test_a_correction_through_the_case_page(item_finder):
    item = residence_permit(item_finder)
    client = english(person_client(LI_NA))
    case = submit_complete(client, item)
    reviewer = staff("review.linjiang")
    services.case_accept(actor=reviewer, number=case.number)
    task = Task.objects.get(case=case)
    services.task_claim(actor=reviewer, task_id=task.pk)
    services.case_request_correction(
        actor=reviewer,
        task_id=task.pk,
        items=[{"what": "劳动合同", "reason": "缺少用人单位盖章"}],
        respond_days=5,
    )
    url = reverse("portal:case", args=[case.number])
    page = client.get(url).content.decode()
    assert "缺少用人单位盖章" in page and "Respond by" in page
    assert "Send the correction" in page
    assert re.search(r'name="form\.contact_name" value="李娜"', page)  # the current answers
    contract = case.version.materials.get(name="劳动合同")

    # A bad phone number: nothing is lost, the reason is shown, the clock stays stopped.
    bad = {
        "action": "correct",
        "form.contact_name": "李娜",
        "form.contact_phone": "123",
        f"material.{contract.pk}": pdf("盖章合同.pdf"),
    }
    response = client.post(url, bad)
    assert response.status_code == 422
    assert "This is not in the expected format." in response.content.decode()
    case.refresh_from_db()
    assert case.status == Case.Status.CORRECTION

    response = client.post(
        url,
        {
            "action": "correct",
            "form.contact_name": "李娜",
            "form.contact_phone": "13900000002",
            "note": "已补盖公章",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.IN_PROGRESS and case.legal_due_at is not None
    assert case.form_data["contact_phone"] == "13900000002"
    assert case.materials.get(material=contract).original_name == "盖章合同.pdf"
    page = client.get(url).content.decode()
    assert "Correction received" in page and "Send the correction" not in page


def test_a_one_time_notice_and_submitting_again(item_finder):
    item = residence_permit(item_finder)
    client = english(person_client(LI_NA))
    case = submit_complete(client, item)
    contract = case.version.materials.get(name="劳动合同")
    services.case_return_notice(
        actor=staff("review.linjiang"),
        number=case.number,
        items=[{"material": contract.pk, "reason": "合同已过期"}],
    )
    url = reverse("portal:case", args=[case.number])
    page = client.get(url).content.decode()
    assert "合同已过期" in page and "Submit again" in page
    notice = client.get(reverse("portal:case_notice", args=[case.number]))
    assert notice.status_code == 200 and notice["Content-Type"] == "application/pdf"
    assert "合同已过期" in PdfReader(io.BytesIO(notice.content)).pages[0].extract_text()

    bad = {"action": "resubmit", f"material.{contract.pk}": pdf("new.png")}  # a PDF named .png
    response = client.post(url, bad)
    assert response.status_code == 422
    assert "does not match its name" in response.content.decode()
    response = client.post(
        url, {"action": "resubmit", f"material.{contract.pk}": pdf("新合同.pdf")}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.SUBMITTED
    assert case.materials.get(material=contract).original_name == "新合同.pdf"
    assert "Submitted again" in client.get(url).content.decode()


def test_my_applications_are_linked_from_the_header_and_the_account_page(item_finder):
    client = english(person_client(LI_NA))
    cases = reverse("portal:cases")
    for page in (reverse("portal:home"), reverse("portal:account")):
        assert f'href="{cases}"' in client.get(page).content.decode()
    assert f'href="{cases}"' not in english(Client()).get(reverse("portal:home")).content.decode()


def test_the_form_is_drawn_from_its_json_schema():
    form = {
        "type": "object",
        "properties": {
            "kind": {"type": "string", "title": "类别", "enum": ["甲", "乙"]},
            "count": {"type": "integer", "title": "人数", "description": "含本人"},
            "area": {"type": "number", "title": "面积"},
            "agree": {"type": "boolean", "title": "同意"},
            "story": {"type": "string", "title": "说明", "maxLength": 500},
            "code": {"type": "string", "title": "编号", "pattern": "^[0-9]{6}$"},
        },
        "required": ["kind", "count"],
        "x-layout": {"order": ["story", "kind"], "long": ["story"]},
    }
    post = {
        "form.kind": "乙",
        "form.count": "3",
        "form.area": "abc",
        "form.agree": "true",
        "form.story": "  很长的说明  ",
    }
    query = QueryDict(mutable=True)
    query.update(post)
    values = form_values(form, query)
    assert values == {"kind": "乙", "count": 3, "area": "abc", "agree": True, "story": "很长的说明"}
    fields = form_fields(form, values, {"area": "This has the wrong type."})
    assert [f.name for f in fields] == ["story", "kind", "count", "area", "agree", "code"]
    html = render_to_string("portal/cases/_fields.html", {"fields": fields})
    assert re.search(r'<textarea id="f-story" name="form\.story" rows="4" maxlength="500"', html)
    assert re.search(r'<select id="f-kind" name="form\.kind" required', html)
    assert '<option value="乙" selected>乙</option>' in html
    assert re.search(r'name="form\.count" value="3" inputmode="numeric"[^>]*required', html)
    assert 'aria-describedby="f-count-hint"' in html and 'id="f-count-hint">含本人<' in html
    assert re.search(r'name="form\.area" value="abc" inputmode="decimal"', html)
    assert 'aria-describedby="f-area-error"' in html
    assert re.search(r'type="checkbox" id="f-agree" name="form\.agree" value="true" checked', html)
    assert 'pattern="^[0-9]{6}$"' in html


def test_my_applications_costs_the_same_queries_for_more_cases(item_finder):
    item = residence_permit(item_finder)
    client = person_client(LI_NA)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("portal:cases")).status_code == 200
        return len(captured)

    submit_complete(client, item)
    html = client.get(f"{apply_url(item)}?Q1=job").content.decode()
    client.post(apply_url(item), apply_form(html, action="save"))
    few = queries()
    for _ in range(2):
        submit_complete(client, item)
        html = client.get(f"{apply_url(item)}?Q1=home").content.decode()
        client.post(apply_url(item), apply_form(html, action="save"))
    assert queries() == few


def test_a_certificate_the_applicant_holds_is_used_with_a_tick_instead_of_an_upload(item_finder):
    item = item_finder("居住证签注")  # needs the residence permit 张伟 holds (demo)
    material = item.current_version.materials.get(certificate_type__endswith="002")
    client = person_client(ZHANG_WEI)
    html = client.get(apply_url(item)).content.decode()
    consent, shown = f"use-certificate-{material.pk}", f"use-certificate-shown-{material.pk}"
    assert f'name="{consent}"' in html and "居住证" in html
    assert f'name="{shown}"' in html
    base = {"form.contact_name": "张伟", "form.contact_phone": "13800000001", shown: "1"}
    # Neither ticked nor uploaded: not submitted, and the page says what to do.
    refused = client.post(apply_url(item), apply_form(html, **base, action="submit"))
    assert refused.status_code == 422
    assert "使用您的电子证照" in refused.content.decode() or "electronic certificate" in (
        refused.content.decode()
    )
    page = refused.content.decode()
    response = client.post(apply_url(item), apply_form(page, **base, **{consent: "1"},
                                                       action="submit"))  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    case = Case.objects.get(number=response["Location"].rstrip("/").rsplit("/", 1)[-1])
    row = CaseMaterial.objects.get(case=case, material=material)
    assert row.state == CaseMaterial.State.CERTIFICATE and row.verified_at and not row.file
    detail = client.get(response["Location"]).content.decode()
    assert "电子居住证" in detail or "electronic 居住证" in detail
