"""用证: a department looks a holder's certificates up with a stated purpose; each look-up is
verified, logged and audited, and the holder reads who used what and why."""

from __future__ import annotations

import pytest

from tongban.api.tests.test_cases_api import call, tokens  # noqa: F401 - a fixture
from tongban.certificates.models import Certificate, CertificateUse
from tongban.core.models import AuditRecord
from tongban.demo import people
from tongban.identity.tests.helpers import person_client

pytestmark = pytest.mark.django_db

ZHANG_ID = people.PEOPLE[0][1]
COMPANY_NAME, COMPANY_CODE = people.COMPANIES[0][0], people.COMPANIES[0][1]
PURPOSE = "办理企业变更登记，核验营业执照"


def test_a_department_looks_up_a_companys_licence_and_the_company_sees_it(tokens):  # noqa: F811
    reviewer = tokens("review.amr")
    body = {"holder_kind": "company", "holder_code": COMPANY_CODE, "purpose": PURPOSE}
    found = call("post", "/certificates/lookups", reviewer, body)
    assert found.status_code == 200, found.content
    [entry] = found.json()
    assert entry["certificate"]["type_name"] == "营业执照"
    assert entry["certificate"]["holder_name"] == COMPANY_NAME
    assert entry["verification"]["valid"] is True and "credential" not in entry["certificate"]
    licence = Certificate.objects.get(identifier=entry["certificate"]["identifier"])
    [use] = CertificateUse.objects.filter(certificate=licence, channel="lookup")
    assert use.purpose == PURPOSE and use.department.name.endswith("市场监督管理局")
    assert AuditRecord.objects.filter(action="certificate.lookup").exists()

    # The company's representative, acting for it, reads the use.
    li = tokens(people.COMPANIES[0][2])
    uses = call(
        "get",
        f"/certificates/mine/{licence.identifier}/uses",
        li,
        headers={"X-Acting-For": COMPANY_CODE},
    )
    assert uses.status_code == 200, uses.content
    assert [(u["channel"], u["purpose"]) for u in uses.json()] == [("lookup", PURPOSE)]
    # Not her own certificate when she acts for herself.
    assert call("get", f"/certificates/mine/{licence.identifier}/uses", li).status_code == 404


def test_a_person_sees_the_look_up_in_the_wallet(tokens):  # noqa: F811
    reviewer = tokens("review.linjiang")
    body = {"holder_kind": "person", "holder_code": ZHANG_ID, "purpose": "核验居住证，办理积分入学",
            "types": [], "case_number": ""}  # fmt: skip
    found = call("post", "/certificates/lookups", reviewer, body)
    assert found.status_code == 200 and len(found.json()) == 1
    identifier = found.json()[0]["certificate"]["identifier"]
    page = person_client(people.PEOPLE[0][2]).get(f"/certificates/mine/{identifier}/")
    html = page.content.decode()
    assert page.status_code == 200 and "核验居住证，办理积分入学" in html and "use-lookup" in html


def test_a_look_up_needs_staff_a_purpose_and_a_valid_code(tokens):  # noqa: F811
    reviewer = tokens("review.amr")
    base = {"holder_kind": "company", "holder_code": COMPANY_CODE, "purpose": PURPOSE}
    cases = [
        ({**base, "purpose": "看看"[:1]}, "purpose"),
        ({**base, "purpose": "   \t  "}, "purpose"),
        ({**base, "holder_code": "91990102MA0000000X"}, "holder_code"),
        ({**base, "holder_kind": "person", "holder_code": "110101199003071234"}, "holder_code"),
        ({**base, "case_number": "not a number!"}, "case_number"),
        ({**base, "types": ["x"] * 21}, ""),
        ({**base, "purpose": "x" * 201}, ""),
        ({**base, "extra": 1}, ""),
    ]
    before = CertificateUse.objects.count()
    for body, field in cases:
        response = call("post", "/certificates/lookups", reviewer, body)
        assert response.status_code == 422, (body, response.content)
        if field:
            assert field in response.content.decode(), (body, response.content)
    assert CertificateUse.objects.count() == before
    assert call("post", "/certificates/lookups", None, base).status_code == 401
    assert call("post", "/certificates/lookups", tokens(1), base).status_code == 403
    # Nothing held: an empty answer, and the look-up is still audited.
    audited = AuditRecord.objects.filter(action="certificate.lookup").count()
    nobody = {**base, "holder_kind": "person", "holder_code": people.PEOPLE[2][1]}
    assert call("post", "/certificates/lookups", reviewer, nobody).json() == []
    assert AuditRecord.objects.filter(action="certificate.lookup").count() == audited + 1
