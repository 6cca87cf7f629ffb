"""The certificates API: verification by identifier and by credential (with the attacks it
must refuse), the published keys, and the holder's wallet with a real access token; the
offline verifier, fed only what the platform publishes, agrees with the server."""

from __future__ import annotations

import base64
import json

import pytest
from django.test import Client

from tongban.api.tests.test_cases_api import call, person_token
from tongban.certificates import services
from tongban.certificates.models import Certificate
from tongban.certificates.verification import verify_credential
from tongban.core.types import Actor
from tongban.identity.tests.helpers import demo_person

pytestmark = pytest.mark.django_db


def _permit() -> Certificate:
    return Certificate.objects.get(type__name="居住证", holder_person=demo_person(0))


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_verify_by_identifier_and_by_credential():
    permit = _permit()
    by_id = Client().get("/api/v1/certificates/verify", {"identifier": permit.identifier})
    assert by_id.status_code == 200 and by_id.json()["valid"] is True
    assert by_id.json()["identifier"] == permit.identifier
    posted = call("post", "/certificates/verify", body={"credential": permit.credential})
    assert posted.status_code == 200 and posted.json()["valid"] is True
    assert posted.json()["claims"]["credentialSubject"]["holderName"] == "张伟"
    neither = Client().get("/api/v1/certificates/verify")
    both = Client().get(
        "/api/v1/certificates/verify", {"identifier": permit.identifier, "credential": "x"}
    )
    assert neither.status_code == both.status_code == 422


def test_attacks_are_refused_with_the_reason():
    permit = _permit()
    jws, _sep, disclosures = permit.credential.partition("~")
    header, payload, signature = jws.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["credentialSubject"]["holderName"] = "李四"
    tampered = ".".join([header, _b64(claims), signature]) + "~" + disclosures
    unsigned = ".".join([_b64({"alg": "none", "typ": "vc+sd-jwt"}), payload, ""]) + "~"
    cases = {
        tampered: "bad_signature",
        unsigned: "unsupported_algorithm",
        "not-a-token": "malformed",
    }
    for token, reason in cases.items():
        answer = call("post", "/certificates/verify", body={"credential": token})
        assert answer.status_code == 200 and answer.json()["valid"] is False
        assert answer.json()["reason"] == reason, (reason, answer.json())
    huge = call("post", "/certificates/verify", body={"credential": "a" * 70_000})
    assert huge.status_code == 422
    extra = call("post", "/certificates/verify", body={"credential": "x", "alg": "none"})
    assert extra.status_code == 422


def test_a_revoked_certificate_is_refused_online_and_offline():
    permit = _permit()
    services.certificate_revoke(actor=Actor.system("test"), certificate_id=permit.pk, reason="x")
    answer = call("post", "/certificates/verify", body={"credential": permit.credential})
    assert answer.json()["valid"] is False and answer.json()["reason"] == "revoked"


def test_the_wallet_through_the_api_and_the_offline_verifier_agrees():
    token = person_token(0)  # 张伟
    mine = call("get", "/certificates/mine", token)
    assert mine.status_code == 200
    [permit] = [c for c in mine.json() if c["type_name"] == "居住证"]
    assert call("get", "/certificates/mine").status_code == 401
    # Only what the platform publishes: the JWKS and the issuer's status list.
    jwks = Client().get("/api/v1/certificates/jwks").json()
    stored = Certificate.objects.get(identifier=permit["identifier"])
    status_list = (
        Client()
        .get(f"/certificates/status/{stored.issuer.credit_code}/{stored.status_list.number}")
        .content.decode()
    )
    offline = verify_credential(permit["credential"], jwks=jwks, status_list_token=status_list)
    online = call("post", "/certificates/verify", body={"credential": permit["credential"]})
    assert offline.valid is True and online.json()["valid"] is True
    assert offline.status == online.json()["status"] == "valid"
