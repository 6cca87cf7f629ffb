"""The certificate library in the workbench: an approver of the issuing department finds,
issues, suspends, resumes, renews and revokes certificates and imports a CSV file; verifiers
see every change; staff of other departments neither see nor change them."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext

from tongban.certificates import services
from tongban.certificates.models import Certificate
from tongban.certificates.services.imports import MAX_BYTES
from tongban.certificates.tests.factories import (
    business_type,
    department,
    issue_business_licence,
    issue_residence_permit,
    residence_type,
)
from tongban.core.models import AuditRecord
from tongban.demo import people
from tongban.identity.tests.helpers import force_staff_login

pytestmark = pytest.mark.django_db

APPROVER, REVIEWER = "approve.linjiang", "review.linjiang"  # 临江区 public security: 居住证
OTHER = "approve.amr"  # city market regulation: 营业执照
URL = "/workbench/certificates/"
IMPORT_HEADER = "type_code,issuer_code,holder_code,holder_name,sex,address\n"


def _client(username: str) -> Client:
    return force_staff_login(Client(), username)


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _translated(text: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return gettext(text)


def _page(identifier: str) -> str:
    return f"{URL}{identifier}/"


def _number(sequence: int) -> str:
    return people.citizen_id("990102", "19910203", sequence)


def _verified(certificate: Certificate) -> str:
    """What a verifier is told: the library's check and the public verification API."""
    checked = services.certificate_check(identifier=certificate.identifier)
    public = Client().get("/api/v1/certificates/verify", {"identifier": certificate.identifier})
    assert public.status_code == 200 and public.json()["status"] == checked.status
    return checked.status


def _import_row(sequence: int, *, issuer: str = "990102/psb") -> str:
    code = department(issuer).credit_code
    return f"{residence_type()},{code},{_number(sequence)},周八,女,江川市临江区滨江路{sequence}号\n"


def _csv(text: str | bytes, name: str = "certificates.csv") -> SimpleUploadedFile:
    content = text.encode() if isinstance(text, str) else text
    return SimpleUploadedFile(name, content, content_type="text/csv")


# ---------------------------------------------------------------------------------------------
# The journey


def test_an_approver_issues_finds_suspends_resumes_renews_and_revokes_a_certificate():
    approver = _client(APPROVER)
    index = approver.get("/workbench/").content.decode()
    assert URL in index and f"{URL}new/" in index and f"{URL}import/" in index

    # Issue: the types this approver may issue, for the departments they work for.
    page = approver.get(f"{URL}new/")
    [choice] = page.context["choices"]
    assert choice.certificate_type.code == residence_type()
    assert choice.departments == (department("990102/psb"),)
    page = approver.get(f"{URL}new/", {"type": residence_type()})
    assert [r["key"] for r in page.context["face_inputs"]] == ["sex", "address"]
    number = _number(701)
    form = {
        "type": residence_type(),
        "issuer": department("990102/psb").pk,
        "holder_code": number,
        "holder_name": "吴九",
        "face-sex": "男",
    }
    refused = approver.post(f"{URL}new/", form)  # the address is required
    assert refused.status_code == 422 and any("居住地址" in m for m in _messages(refused))
    assert refused.context["typed"]["holder_name"] == "吴九"  # what was typed is kept
    assert {r["key"]: r["value"] for r in refused.context["face_inputs"]}["sex"] == "男"
    assert not Certificate.objects.filter(holder_name="吴九").exists()
    response = approver.post(f"{URL}new/", {**form, "face-address": "江川市临江区望江路9号"})
    permit = Certificate.objects.get(holder_name="吴九")
    assert response.status_code == 302 and response["Location"] == _page(permit.identifier)
    assert permit.source == Certificate.Source.MANUAL and permit.fields["address"].endswith("9号")
    assert _verified(permit) == "valid"

    # Find it by the holder's ID number (through the blind index) or by its identifier.
    found = approver.post(URL, {"q": number.lower()})
    assert [c.pk for c in found.context["certificates"]] == [permit.pk]
    html = found.content.decode()
    assert permit.holder_code_masked in html and number not in html.replace(
        f'value="{number.lower()}"', ""
    )
    assert AuditRecord.objects.filter(action="certificate.search").exists()
    by_id = approver.post(URL, {"q": permit.identifier})
    assert [c.pk for c in by_id.context["certificates"]] == [permit.pk]
    assert permit in approver.get(URL).context["certificates"]  # newest first, unfiltered
    assert approver.get(URL).context["certificates"][0] == permit

    # Its page: face, status, validity, history and the face PDF.
    page = approver.get(_page(permit.identifier))
    assert page.status_code == 200 and ("居住地址", "江川市临江区望江路9号") in page.context["face"]
    assert [e.kind for e in page.context["events"]] == ["issued"]
    assert page.context["may_suspend"] and page.context["may_revoke"]
    assert not page.context["may_resume"]
    pdf = approver.get(f"{_page(permit.identifier)}face.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    # Suspend: the reason is required, and what was typed stays when it is refused.
    refused = approver.post(_page(permit.identifier), {"action": "suspend", "reason": "  "})
    assert refused.status_code == 422
    assert any(_translated("Give a reason.") in m for m in _messages(refused))
    assert Certificate.objects.get(pk=permit.pk).status == Certificate.Status.VALID
    approver.post(_page(permit.identifier), {"action": "suspend", "reason": "涉嫌冒领，核查中"})
    assert Certificate.objects.get(pk=permit.pk).status == Certificate.Status.SUSPENDED
    assert _verified(permit) == "suspended"
    response = approver.post(_page(permit.identifier), {"action": "resume"}, follow=True)
    assert _translated("The certificate is valid again.") in _messages(response)
    assert _verified(permit) == "valid"

    # A new version (加注 with a renewal): the face changes, the old version is superseded.
    refused = approver.post(
        _page(permit.identifier),
        {"action": "new_version", "face-address": "江川市临江区新址1号", "renew": "1"},
    )
    assert refused.status_code == 422  # no reason
    assert {r["key"]: r["value"] for r in refused.context["face_inputs"]}["address"] == (
        "江川市临江区新址1号"
    )
    assert refused.context["typed"]["renew"]
    response = approver.post(
        _page(permit.identifier),
        {
            "action": "new_version",
            "face-sex": "男",
            "face-address": "江川市临江区新址1号",
            "renew": "1",
            "reason": "居住地址变更",
        },
    )
    renewed = Certificate.objects.get(previous=permit)
    assert response["Location"] == _page(renewed.identifier)
    assert renewed.version == 2 and renewed.fields["address"] == "江川市临江区新址1号"
    assert renewed.valid_until > permit.valid_until
    assert Certificate.objects.get(pk=permit.pk).status == Certificate.Status.SUPERSEDED
    page = approver.get(_page(permit.identifier))
    assert not (page.context["may_suspend"] or page.context["may_new_version"])
    assert [v.version for v in page.context["versions"]] == [1, 2]

    # Revoke, for good: the verifiers say revoked, and it cannot be resumed.
    approver.post(_page(renewed.identifier), {"action": "revoke", "reason": "以欺骗手段取得"})
    assert Certificate.objects.get(pk=renewed.pk).status == Certificate.Status.REVOKED
    assert _verified(renewed) == "revoked"
    refused = approver.post(_page(renewed.identifier), {"action": "resume", "reason": "误操作"})
    assert refused.status_code == 409 and _messages(refused)
    assert refused.context["typed"]["reason"] == "误操作"
    assert Certificate.objects.get(pk=renewed.pk).status == Certificate.Status.REVOKED
    page = approver.get(_page(renewed.identifier))
    assert [e.kind for e in page.context["events"]] == ["issued", "revoked"]
    assert "以欺骗手段取得" in page.content.decode()


def test_a_business_licence_is_found_by_its_credit_code():
    licence = issue_business_licence()
    approver = _client(OTHER)
    found = approver.post(URL, {"q": licence.holder_code})
    assert licence in found.context["certificates"]
    assert all(c.type.code == business_type() for c in found.context["certificates"])


# ---------------------------------------------------------------------------------------------
# Who may not


def test_staff_of_another_department_neither_see_nor_change_a_certificate():
    permit = issue_residence_permit(sequence=703)
    page = _page(permit.identifier)
    other = _client(OTHER)
    assert other.get(page).status_code == 404
    assert other.get(f"{page}face.pdf").status_code == 404
    for action in ("suspend", "revoke", "resume", "new_version"):
        assert other.post(page, {"action": action, "reason": "x"}).status_code == 404
    assert permit not in other.get(URL).context["certificates"]
    assert not other.post(URL, {"q": permit.holder_code}).context["certificates"]
    assert not other.post(URL, {"q": permit.identifier}).context["certificates"]
    # 营业执照 only; a crafted post for 居住证 or for another department issues nothing.
    assert [c.certificate_type.code for c in other.get(f"{URL}new/").context["choices"]] == [
        business_type()
    ]
    crafted = {
        "type": residence_type(),
        "issuer": department("990102/psb").pk,
        "holder_code": _number(705),
        "holder_name": "郑十",
        "face-sex": "男",
        "face-address": "江川市临江区1号",
    }
    assert other.post(f"{URL}new/", crafted).context["chosen"] is None
    crafted |= {"type": business_type(), "holder_code": people.COMPANIES[1][1]}
    assert other.post(f"{URL}new/", crafted).status_code == 403
    assert not Certificate.objects.filter(holder_name="郑十").exists()
    # A reviewer of the issuing department reads it but changes nothing.
    reviewer = _client(REVIEWER)
    seen = reviewer.get(page)
    assert seen.status_code == 200 and not seen.context["may_revoke"]
    assert not seen.context["may_new_version"]
    assert reviewer.post(page, {"action": "revoke", "reason": "x"}).status_code == 403
    assert reviewer.get(f"{URL}new/").status_code == 403
    assert reviewer.get(f"{URL}import/").status_code == 403
    assert f"{URL}new/" not in reviewer.get("/workbench/").content.decode()
    assert Certificate.objects.get(pk=permit.pk).status == Certificate.Status.VALID
    # No certificate role at all; not logged in.
    assert _client("clerk.city").get(URL).status_code == 403
    assert URL not in _client("clerk.city").get("/workbench/").content.decode()
    assert Client().get(page).status_code == 302
    assert _client(APPROVER).get(f"{URL}1.2.156.3005.2.NOPE/").status_code == 404


# ---------------------------------------------------------------------------------------------
# Import


def test_an_import_is_counted_or_refused_with_every_problem():
    approver = _client(APPROVER)
    good = IMPORT_HEADER + _import_row(711) + _import_row(713)
    response = approver.post(f"{URL}import/", {"file": _csv(good)})
    assert response.status_code == 200, _messages(response)
    assert response.context["summary"]["certificates"] == 2
    imported = Certificate.objects.filter(identifier__in=response.context["shown"])
    assert {c.source for c in imported} == {"import"} and imported.count() == 2

    before = Certificate.objects.count()
    bad = IMPORT_HEADER + _import_row(715) + _import_row(717).replace("19910203", "19911303")
    response = approver.post(f"{URL}import/", {"file": _csv(bad)})
    assert response.status_code == 422 and response.context["summary"] is None
    assert [p.location for p in response.context["problems"]] == ["certificates.csv line 3"]
    assert "certificates.csv line 3" in response.content.decode()
    # Another department's certificates are refused on their line, nothing imported.
    other = IMPORT_HEADER + _import_row(719) + _import_row(721, issuer="990103/psb")
    response = approver.post(f"{URL}import/", {"file": _csv(other)})
    assert response.status_code == 422
    assert [p.location for p in response.context["problems"]] == ["certificates.csv line 3"]
    assert Certificate.objects.count() == before


@pytest.mark.parametrize(
    "content",
    [
        b"\xff\xfe\x00\x00binary",  # not UTF-8
        b"type_code,holder_code\n1,2\n",  # wrong columns
        IMPORT_HEADER.encode(),  # no rows
        (IMPORT_HEADER + "x" * (MAX_BYTES + 10)).encode(),  # too large
        (IMPORT_HEADER + '"unterminated,' + "a" * 10 + "\n").encode(),
    ],
    ids=["binary", "columns", "empty", "huge", "unterminated"],
)
def test_malformed_imports_are_refused_with_a_report(content):
    before = Certificate.objects.count()
    response = _client(APPROVER).post(f"{URL}import/", {"file": _csv(content)})
    assert response.status_code == 422 and response.context["problems"]
    assert Certificate.objects.count() == before


def test_an_import_needs_a_file():
    response = _client(APPROVER).post(f"{URL}import/", {})
    assert response.status_code == 422 and _messages(response)


# ---------------------------------------------------------------------------------------------
# Queries


def test_the_list_reads_a_fixed_number_of_rows(django_assert_max_num_queries):
    approver = _client(APPROVER)
    issue_residence_permit(sequence=731)
    with CaptureQueriesContext(connection) as few:
        approver.get(URL)
    for sequence in (733, 735, 737):
        issue_residence_permit(sequence=sequence)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = approver.get(URL)
    assert len(page.context["certificates"]) >= 4
