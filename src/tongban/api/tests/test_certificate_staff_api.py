"""The certificate library's staff API with real access tokens: an approver of the issuing
department issues, reads, suspends, resumes, renews and revokes a certificate and imports a CSV
file; verifiers see every change; other departments' staff, bad input and oversized files are
refused with the API's problem bodies."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tongban.api.cases.common import MULTIPART_OVERHEAD_BYTES
from tongban.api.tests.test_cases_api import call, staff_token
from tongban.certificates import services
from tongban.certificates.models import Certificate
from tongban.certificates.services.imports import MAX_BYTES
from tongban.certificates.tests.factories import (
    business_type,
    department,
    issue_residence_permit,
    residence_type,
)
from tongban.core.models import AuditRecord
from tongban.demo import people

pytestmark = pytest.mark.django_db

APPROVER, REVIEWER, OTHER = "approve.linjiang", "review.linjiang", "approve.amr"
IMPORT_HEADER = "type_code,issuer_code,holder_code,holder_name,sex,address\n"


@pytest.fixture(autouse=True)
def no_login_throttling(settings):
    settings.RATELIMIT_ENABLE = False


@pytest.fixture
def tokens():
    """Access tokens of demo staff by user name, one sign-in each."""
    cache: dict[str, str] = {}

    def get(username: str) -> str:
        if username not in cache:
            cache[username] = staff_token(username)
        return cache[username]

    return get


def _number(sequence: int) -> str:
    return people.citizen_id("990102", "19930405", sequence)


def _permit(sequence: int, **overrides: Any) -> dict[str, Any]:
    return {
        "type": residence_type(),
        "issuer": department("990102/psb").credit_code,
        "holder_code": _number(sequence),
        "holder_name": "冯十一",
        "fields": {"sex": "女", "address": "江川市临江区江滨路2号"},
    } | overrides


def _issued(identifier: str, action: str = "") -> str:
    return f"/certificates/issued/{identifier}" + (f"/{action}" if action else "")


def _verified(identifier: str) -> str:
    """What a verifier is told: the library's check and the public verification API."""
    checked = services.certificate_check(identifier=identifier)
    public = Client().get("/api/v1/certificates/verify", {"identifier": identifier})
    assert public.status_code == 200 and public.json()["status"] == checked.status
    return checked.status


def _problems(response) -> list[tuple[str, str]]:
    body = response.json()
    assert body["code"] == "invalid" and body["message"], body
    return [(p["location"], p["field"]) for p in body["problems"]]


def _csv(content: str | bytes, name: str = "certificates.csv") -> dict[str, Any]:
    data = content.encode() if isinstance(content, str) else content
    return {"file": SimpleUploadedFile(name, data, content_type="text/csv")}


def _import_row(sequence: int, *, issuer: str = "990102/psb") -> str:
    code = department(issuer).credit_code
    return f"{residence_type()},{code},{_number(sequence)},卫十二,男,江川市临江区{sequence}号\n"


# ---------------------------------------------------------------------------------------------
# The journey


def test_an_approver_issues_suspends_resumes_renews_and_revokes_through_the_api(tokens):
    token = tokens(APPROVER)
    response = call("post", "/certificates/issued", token, _permit(801))
    assert response.status_code == 201, response.content
    issued = response.json()
    identifier = issued["identifier"]
    assert issued["status"] == "valid" and issued["version"] == 1
    assert issued["source"] == "manual" and issued["holder_kind"] == "person"
    assert issued["holder_code_masked"] != _number(801) and "*" in issued["holder_code_masked"]
    assert _number(801) not in response.content.decode()
    assert issued["fields"] == {"sex": "女", "address": "江川市临江区江滨路2号"}
    assert [e["kind"] for e in issued["events"]] == ["issued"]
    assert _verified(identifier) == "valid"

    read = call("get", _issued(identifier), token)
    assert read.status_code == 200 and read.json()["identifier"] == identifier
    assert AuditRecord.objects.filter(action="certificate.view", object_id=identifier).exists()

    # Suspend needs a reason; then verifiers see it suspended until it is resumed.
    for body in ({}, {"reason": ""}, {"reason": "   "}):
        refused = call("post", _issued(identifier, "suspend"), token, body)
        assert refused.status_code == 422 and ("body.body", "reason") in _problems(refused)
    suspended = call("post", _issued(identifier, "suspend"), token, {"reason": "核查中"})
    assert suspended.status_code == 200 and suspended.json()["status"] == "suspended"
    assert _verified(identifier) == "suspended"
    resumed = call("post", _issued(identifier, "resume"), token)
    assert resumed.status_code == 200 and resumed.json()["status"] == "valid"
    assert [e["kind"] for e in resumed.json()["events"]] == ["issued", "suspended", "resumed"]
    assert _verified(identifier) == "valid"

    # The next version: changed face fields and a renewal; the old one is superseded.
    version = {
        "reason": "居住地址变更",
        "fields": {"address": "江川市临江区新路3号"},
        "renew": True,
    }
    renewed = call("post", _issued(identifier, "versions"), token, version)
    assert renewed.status_code == 201, renewed.content
    new = renewed.json()
    assert new["version"] == 2 and new["previous"] == identifier
    assert new["fields"] == {"sex": "女", "address": "江川市临江区新路3号"}
    assert new["valid_until"] > issued["valid_until"]
    assert call("get", _issued(identifier), token).json()["status"] == "superseded"
    again = call("post", _issued(identifier, "versions"), token, version)
    assert again.status_code == 409 and again.json()["code"] == "conflict"

    # Revoke, for good.
    revoked = call("post", _issued(new["identifier"], "revoke"), token, {"reason": "骗取"})
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    assert revoked.json()["events"][-1]["reason"] == "骗取"
    assert _verified(new["identifier"]) == "revoked"
    refused = call("post", _issued(new["identifier"], "resume"), token, {"reason": "误操作"})
    assert refused.status_code == 409 and refused.json()["code"] == "conflict"
    assert Certificate.objects.get(identifier=new["identifier"]).status == "revoked"


# ---------------------------------------------------------------------------------------------
# Who may not


def test_other_departments_do_not_see_and_readers_do_not_change(tokens):
    permit = issue_residence_permit(sequence=803)
    other = tokens(OTHER)
    assert call("get", _issued(permit.identifier), other).status_code == 404
    for action, body in (
        ("suspend", {"reason": "x"}),
        ("resume", {}),
        ("revoke", {"reason": "x"}),
        ("versions", {"reason": "x"}),
    ):
        response = call("post", _issued(permit.identifier, action), other, body)
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    reviewer = tokens(REVIEWER)
    assert call("get", _issued(permit.identifier), reviewer).status_code == 200
    forbidden = call("post", _issued(permit.identifier, "revoke"), reviewer, {"reason": "x"})
    assert forbidden.status_code == 403 and forbidden.json()["code"] == "forbidden"
    assert call("post", _issued(permit.identifier, "revoke")).status_code == 401
    assert Certificate.objects.get(pk=permit.pk).status == Certificate.Status.VALID
    # Issuing for a department one does not work for, or a type it does not issue.
    assert call("post", "/certificates/issued", other, _permit(805)).status_code == 403
    assert call("post", "/certificates/issued", reviewer, _permit(805)).status_code == 403
    licence = _permit(805, type=business_type(), holder_code=people.COMPANIES[1][1])
    wrong_type = call("post", "/certificates/issued", tokens(APPROVER), licence)
    assert wrong_type.status_code == 422 and ("body.body", "issuer") in _problems(wrong_type)
    assert not Certificate.objects.filter(holder_name="冯十一").exists()
    # Unknown and malformed identifiers.
    unknown = permit.identifier.replace(permit.serial, "9" * len(permit.serial))
    assert call("get", _issued(unknown), tokens(APPROVER)).status_code == 404
    assert call("get", _issued("not-an-identifier"), tokens(APPROVER)).status_code == 422
    assert call("get", _issued("1.2.156." + "9" * 120), tokens(APPROVER)).status_code == 422


# ---------------------------------------------------------------------------------------------
# Strict input


@pytest.mark.parametrize(
    ("change", "location", "field"),
    [
        ({"colour": "red"}, "body.body", "colour"),  # unknown field
        ({"holder_name": "名" * 201}, "body.body", "holder_name"),
        ({"holder_name": ""}, "body.body", "holder_name"),
        ({"type": "1" * 22}, "body.body", "type"),
        ({"holder_code": "1" * 41}, "body.body", "holder_code"),
        ({"fields": {"Address!": "x"}}, "body.body.fields.Address!", "[key]"),
        ({"fields": {"address": "址" * 501}}, "body.body.fields", "address"),
        ({"fields": {"address": 12}}, "body.body.fields", "address"),
        ({"fields": {f"f{i}": "x" for i in range(41)}}, "body.body", "fields"),
        ({"fields": {"sex": "女"}}, "body.body.fields", "address"),  # a required face field
        ({"fields": {"sex": "女", "address": "x", "colour": "红"}}, "body.body.fields", "colour"),
        ({"holder_code": "110105194912310021"}, "body.body", "holder_code"),  # check digit
        ({"type": "11990000MB0009005300X"}, "body.body", "type"),  # no such type
        ({"issuer": "91110000600037341L"}, "body.body", "issuer"),  # no such department
    ],
)
def test_bad_issue_input_is_refused_with_its_place(tokens, change, location, field):
    before = Certificate.objects.count()
    response = call("post", "/certificates/issued", tokens(APPROVER), _permit(807) | change)
    assert response.status_code == 422, response.content
    assert (location, field) in _problems(response), response.json()
    assert Certificate.objects.count() == before


def test_bad_action_bodies_are_refused(tokens):
    permit = issue_residence_permit(sequence=809)
    token = tokens(APPROVER)
    cases = [
        ("suspend", {"reason": "x" * 501}),
        ("suspend", {"reason": "x", "force": True}),
        ("revoke", {"reason": None}),
        ("revoke", ["reason"]),
        ("resume", {"reason": "x" * 501}),
        ("versions", {"reason": "x", "renew": "perhaps"}),
        ("versions", {"reason": "x", "fields": {"sex": ["男"]}}),
        ("versions", {"reason": "x", "fields": {"address": ""}}),  # a required one removed
    ]
    for action, body in cases:
        response = call("post", _issued(permit.identifier, action), token, body)
        assert response.status_code == 422, (action, body, response.content)
        assert response.json()["problems"], (action, body)
    raw = call("post", _issued(permit.identifier, "revoke"), token, raw="{not json")
    assert raw.status_code in (400, 422) and raw.json()["code"] in ("bad_request", "invalid")
    huge = call("post", _issued(permit.identifier, "revoke"), token, raw="x" * 300_000)
    assert huge.status_code == 413 and huge.json()["code"] == "too_large"
    assert Certificate.objects.get(pk=permit.pk).status == Certificate.Status.VALID
    assert not Certificate.objects.filter(previous=permit).exists()


# ---------------------------------------------------------------------------------------------
# Import


def test_an_import_answers_the_count_or_every_problem(tokens):
    token = tokens(APPROVER)
    good = IMPORT_HEADER + _import_row(811) + _import_row(813)
    response = call("post", "/certificates/imports", token, files=_csv(good))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["certificates"] == 2 and len(body["identifiers"]) == 2
    assert all(_verified(i) == "valid" for i in body["identifiers"])

    before = Certificate.objects.count()
    bad = (
        IMPORT_HEADER
        + _import_row(815)
        + _import_row(817).replace("19930405", "19931305")  # no 13th month
        + _import_row(819, issuer="990103/psb")  # not a department the caller works for
    )
    response = call("post", "/certificates/imports", token, files=_csv(bad, "permits.csv"))
    assert response.status_code == 422
    locations = [location for location, _field in _problems(response)]
    assert locations == ["permits.csv line 3", "permits.csv line 4"]
    assert Certificate.objects.count() == before


def test_an_import_never_tells_whether_another_departments_serial_exists(tokens):
    """A row for a department the caller may not issue for is refused for that, whether or not
    the serial it names is taken there, so the report cannot be used to probe serials."""
    taken = issue_residence_permit(sequence=823, issuer_department_id=department("990103/psb").pk)
    header = "type_code,issuer_code,holder_code,holder_name,serial,sex,address\n"
    other = department("990103/psb").credit_code

    def row(serial: str) -> str:
        return f"{residence_type()},{other},{_number(825)},卫十二,{serial},男,江川市临江区1号\n"

    answers = []
    for serial in (taken.serial, "UNUSED000001"):
        response = call(
            "post", "/certificates/imports", tokens(APPROVER), files=_csv(header + row(serial))
        )
        assert response.status_code == 422
        answers.append([(p["field"], p["reason"]) for p in response.json()["problems"]])
    assert answers[0] == answers[1]
    assert [field for field, _reason in answers[0]] == ["issuer_code"]


@pytest.mark.parametrize(
    "content",
    [
        b"\xff\xfe\x00\x00binary",  # not UTF-8
        b"type_code,holder_code\n1,2\n",  # wrong columns
        IMPORT_HEADER.encode(),  # no rows
        (IMPORT_HEADER + "x" * MAX_BYTES).encode(),  # just over the limit: read, then refused
        (IMPORT_HEADER + '"unterminated,' + "a" * 10 + "\n").encode(),
        (IMPORT_HEADER + "a,b,c,d,e,\x00\n").encode(),  # a NUL character
    ],
    ids=["binary", "columns", "empty", "large", "unterminated", "nul"],
)
def test_malformed_imports_are_refused_with_a_report(tokens, content):
    before = Certificate.objects.count()
    response = call("post", "/certificates/imports", tokens(APPROVER), files=_csv(content))
    assert response.status_code == 422, response.content
    assert response.json()["problems"]
    assert Certificate.objects.count() == before


def test_a_huge_import_is_refused_unread_and_imports_need_an_approver(tokens):
    huge = IMPORT_HEADER + "x" * (MAX_BYTES + MULTIPART_OVERHEAD_BYTES)
    response = call("post", "/certificates/imports", tokens(APPROVER), files=_csv(huge))
    assert response.status_code == 413 and response.json()["code"] == "too_large"
    missing = call("post", "/certificates/imports", tokens(APPROVER), files={})
    assert missing.status_code == 422
    good = _csv(IMPORT_HEADER + _import_row(821))
    assert call("post", "/certificates/imports", tokens(REVIEWER), files=good).status_code == 403
    assert call("post", "/certificates/imports", files=good).status_code == 401
    assert not Certificate.objects.filter(holder_code_index=_index(821)).exists()


def _index(sequence: int) -> str:
    return services.holder_index(holder_kind="person", code=_number(sequence))


# ---------------------------------------------------------------------------------------------
# The OpenAPI document


def test_openapi_document_lists_the_staff_certificate_operations(client):
    doc = client.get("/api/v1/openapi.json").json()
    expected = {
        ("/api/v1/certificates/issued", "post"): "201",
        ("/api/v1/certificates/issued/{identifier}", "get"): "200",
        ("/api/v1/certificates/issued/{identifier}/suspend", "post"): "200",
        ("/api/v1/certificates/issued/{identifier}/resume", "post"): "200",
        ("/api/v1/certificates/issued/{identifier}/revoke", "post"): "200",
        ("/api/v1/certificates/issued/{identifier}/versions", "post"): "201",
        ("/api/v1/certificates/imports", "post"): "201",
    }
    for (path, method), ok in expected.items():
        operation = doc["paths"][path][method]
        assert {"BearerToken": []} in operation["security"], path
        assert {ok, "401", "403", "422"} <= set(operation["responses"]), path
        assert operation["summary"], path
    assert "/api/v1/certificates/verify" in doc["paths"]  # the public router is still there
    imports = doc["paths"]["/api/v1/certificates/imports"]["post"]
    assert "multipart/form-data" in imports["requestBody"]["content"]
    assert "413" in imports["responses"]
    issue = doc["components"]["schemas"]["CertificateIssueIn"]
    assert issue["additionalProperties"] is False
    assert issue["properties"]["holder_name"]["maxLength"] == 200
