"""The wallet (我的证照), showing a certificate (亮证) with a one-time QR code, and the public
verification pages, through the portal's real URLs."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from tongban.certificates import services
from tongban.certificates.models import Certificate, CertificateShow
from tongban.core.types import Actor
from tongban.demo import people
from tongban.identity.models import Company
from tongban.identity.tests.helpers import demo_person, person_client

pytestmark = pytest.mark.django_db


def _permit() -> Certificate:
    """张伟's residence permit (居住证), issued by the demo loader."""
    return Certificate.objects.get(type__name="居住证", holder_person=demo_person(0))


def _zhang() -> Client:
    return person_client(people.PEOPLE[0][2])


def test_a_holder_sees_the_wallet_downloads_the_face_and_shows_a_chosen_claim():
    client, permit = _zhang(), _permit()
    page = client.get("/certificates/")
    assert page.status_code == 200 and permit.identifier in page.content.decode()
    detail = client.get(f"/certificates/mine/{permit.identifier}/")
    assert detail.status_code == 200
    assert "望江路12号" in detail.content.decode()  # the holder sees the whole face
    pdf = client.get(f"/certificates/mine/{permit.identifier}/face.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert "居住证" in "".join(p.extract_text() for p in PdfReader(_bytes(pdf.content)).pages)

    shown = client.post(
        f"/certificates/mine/{permit.identifier}/show/", {"reveal": ["age_over_18"]}
    )
    assert shown.status_code == 200 and "<svg" in shown.content.decode()
    link = re.search(r'href="(http[^"]+/certificates/show/[^"]+)"', shown.content.decode())
    assert link
    path = "/" + link.group(1).split("/", 3)[3]

    verifier = Client()  # anyone, not logged in: a phone's camera
    first = verifier.get(path)
    text = first.content.decode()
    assert first.status_code == 200 and "verification valid" in text
    assert "张伟" not in text and "望江路" not in text  # not chosen: hidden
    assert re.search(r"(年满18周岁|Aged 18 or over)", text)
    replay = verifier.get(path)
    assert "verification invalid" in replay.content.decode()
    assert re.search(r"(已被扫描|already scanned)", replay.content.decode())


def test_a_late_scan_an_unknown_code_and_an_invalid_choice_are_refused():
    client, permit = _zhang(), _permit()
    shown = client.post(f"/certificates/mine/{permit.identifier}/show/", {})
    path = re.search(r'href="http[^"]+(/certificates/show/[^"]+)"', shown.content.decode()).group(1)
    CertificateShow.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    late = Client().get(path)
    assert re.search(r"(已过期|expired)", late.content.decode())
    assert "verification invalid" in Client().get("/certificates/show/nonsense/").content.decode()
    long = Client().get("/certificates/show/" + "x" * 500 + "/")
    assert long.status_code in (200, 404) and b"verification valid" not in long.content
    bad = client.post(f"/certificates/mine/{permit.identifier}/show/", {"reveal": ["holderCodeX"]})
    assert bad.status_code == 422 and not CertificateShow.objects.filter(disclosed=["holderCodeX"])


def test_nobody_else_sees_a_holders_certificate():
    permit = _permit()
    other = person_client(people.PEOPLE[1][2])  # 李娜
    assert other.get(f"/certificates/mine/{permit.identifier}/").status_code == 404
    assert other.get(f"/certificates/mine/{permit.identifier}/face.pdf").status_code == 404
    assert other.post(f"/certificates/mine/{permit.identifier}/show/", {}).status_code == 404
    assert Client().get("/certificates/").status_code == 302  # to the log-in page


def test_a_company_representative_sees_the_companys_licence():
    li = person_client(people.PEOPLE[1][2])  # 李娜 represents 江川示范科技有限公司
    company = Company.objects.get(credit_code=people.COMPANIES[0][1])
    li.post("/account/acting-for/", {"company": company.pk})
    page = li.get("/certificates/")
    assert "营业执照" in page.content.decode()


def test_the_printed_qr_verifies_until_the_certificate_is_revoked():
    permit = _permit()
    page = Client().get(f"/certificates/verify/{permit.identifier}")
    assert page.status_code == 200 and "verification valid" in page.content.decode()
    services.certificate_revoke(
        actor=Actor.system("test"), certificate_id=permit.pk, reason="居住地变更"
    )
    page = Client().get(f"/certificates/verify/{permit.identifier}")
    assert "verification invalid" in page.content.decode()
    assert re.search(r"(注销|revoked)", page.content.decode())
    unknown = Client().get("/certificates/verify/1.2.156.3005.2.nothing")
    assert "verification invalid" in unknown.content.decode()


def test_keys_and_status_lists_are_published():
    permit = _permit()
    keys = Client().get("/certificates/jwks.json")
    assert keys.status_code == 200 and keys.json()["keys"]
    assert all("d" not in key for key in keys.json()["keys"])  # never a private part
    issuer = permit.issuer.credit_code
    listed = Client().get(f"/certificates/status/{issuer}/{permit.status_list.number}")
    assert listed.status_code == 200 and listed["Content-Type"] == "application/statuslist+jwt"
    assert Client().get(f"/certificates/status/{issuer}/999").status_code == 404


def _bytes(content: bytes):
    import io

    return io.BytesIO(content)
