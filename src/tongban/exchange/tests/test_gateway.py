"""The gateway end to end through the real view: authenticated, authorised to the field,
answered with the minimum, signed, logged, visible to the subject."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from django.conf import settings
from joserfc.jwk import ECKey

from tongban.core.crypto import blind_index
from tongban.core.models import DataUseRecord
from tongban.demo.people import COMPANIES, PEOPLE
from tongban.exchange import client as xclient
from tongban.exchange.models import ExchangeMessage
from tongban.exchange.services import gateway_jwks, request_hash
from tongban.exchange.tests.helpers import make_system, provider_of

pytestmark = pytest.mark.django_db

NAME, ID_NUMBER = PEOPLE[0][0], PEOPLE[0][1]
COMPANY_NAME, CREDIT_CODE = COMPANIES[0][0], COMPANIES[0][1]


def _index(number: str) -> str:
    return blind_index(number, context="id_number")


def test_a_granted_system_verifies_a_person_and_the_answer_is_signed_and_logged(client):
    system = make_system()
    system.grant("population-verify")
    headers = system.headers(case_number="")
    reply = system.call(client, "population-verify", {"id_number": ID_NUMBER, "name": NAME},
                        headers=headers)  # fmt: skip
    assert reply.status_code == 200, reply.content
    assert reply.json()["data"] == {"match": True}
    # The answer is signed by the gateway and bound to this question.
    path = f"/exchange/r1/{provider_of('population-verify')}/population-verify"
    body = client_body = json.dumps({"query": {"id_number": ID_NUMBER, "name": NAME}},
                                    ensure_ascii=False).encode()  # fmt: skip
    expected_hash = request_hash("POST", path, client_body)
    assert reply["Tongban-Request-Hash"] == expected_hash
    statement = client_module_check(reply, expected_hash, headers["Tongban-Id"])
    assert statement["service"].endswith("/population-verify")
    # A wrong name: no, and nothing more.
    wrong = system.call(client, "population-verify", {"id_number": ID_NUMBER, "name": "张三"})
    assert wrong.json()["data"] == {"match": False}
    # Logged, with hashes only (no body), and visible to the person.
    message = ExchangeMessage.objects.get(message_id=headers["Tongban-Id"])
    assert message.outcome == "served" and message.system_id == system.system.pk
    assert message.response_hash == hashlib.sha256(reply.content).hexdigest()
    assert message.subject_index == _index(ID_NUMBER)
    assert NAME not in json.dumps(list(ExchangeMessage.objects.values()), default=str)
    use = DataUseRecord.objects.get(reference=headers["Tongban-Id"])
    assert use.subject_index == _index(ID_NUMBER) and use.served
    assert use.department == system.system.department.name and use.purpose == "参保登记核验身份"
    del body


def client_module_check(reply, expected_hash, message_id):
    return xclient.check_answer(
        jwks=gateway_jwks(), body=reply.content, headers=reply,
        request_hash=expected_hash, message_id=message_id,
    )  # fmt: skip


def test_a_query_returns_only_the_granted_fields_and_a_wider_one_is_refused_and_logged(client):
    system = make_system()
    system.grant("company-status", ["name", "status"])
    reply = system.call(client, "company-status", {"credit_code": CREDIT_CODE})
    assert reply.status_code == 200
    assert reply.json()["data"] == {"found": True, "name": COMPANY_NAME, "status": "active"}
    narrow = system.call(client, "company-status", {"credit_code": CREDIT_CODE}, ["status"])
    assert narrow.json()["data"] == {"found": True, "status": "active"}
    headers = system.headers()
    wide = system.call(client, "company-status", {"credit_code": CREDIT_CODE},
                       ["name", "representative_name"], headers=headers)  # fmt: skip
    assert wide.status_code == 403
    assert wide.json()["code"] == "field_not_granted"
    assert "representative_name" in wide.json()["message"]
    assert "representative_name" not in json.dumps(wide.json()["problems"])
    refused = ExchangeMessage.objects.get(message_id=headers["Tongban-Id"])
    assert refused.outcome == "refused" and refused.reason == "field_not_granted"
    # The company sees the refused attempt too.
    use = DataUseRecord.objects.get(reference=headers["Tongban-Id"])
    assert use.subject_kind == "company" and use.subject_index == CREDIT_CODE and not use.served


def test_without_a_grant_or_registration_the_gateway_refuses_and_logs(client):
    system = make_system()
    reply = system.call(client, "population-verify", {"id_number": ID_NUMBER, "name": NAME})
    assert reply.status_code == 403 and reply.json()["code"] == "no_grant"
    unknown = system.call(client, "no-such-service", {}, provider=provider_of("population-verify"))
    assert unknown.status_code == 404 and unknown.json()["code"] == "unknown_service"
    headers = system.headers()
    headers["Tongban-Client"] = "someone-else"
    stranger = system.call(client, "population-verify", {"id_number": ID_NUMBER, "name": NAME},
                           headers=headers)  # fmt: skip
    assert stranger.status_code == 401 and stranger.json()["code"] == "unknown_system"
    logged = ExchangeMessage.objects.get(message_id=headers["Tongban-Id"])
    assert logged.system is None and logged.client == "someone-else"
    assert logged.outcome == "refused"


def test_forged_expired_replayed_and_wrongly_addressed_assertions_are_refused(client):
    system = make_system()
    system.grant("company-good-standing")
    other = make_system()
    query = {"credit_code": CREDIT_CODE}

    def call(assertion, message_id, **extra):
        headers = system.headers(message_id=message_id)
        headers["Authorization"] = f"Bearer {assertion}"
        headers.update(extra)
        return system.call(client, "company-good-standing", query, headers=headers)

    def signed(message_id, *, private=None, **claims):
        now = int(time.time())
        token = xclient.client_assertion(system=system.system.code,
                                        private_jwk=private or system.private,
                                        message_id=message_id,
                                        audience=claims.pop("audience", settings.EXCHANGE_AUDIENCE),
                                        now=claims.pop("now", now),
                                        lifetime=claims.pop("lifetime", 120))  # fmt: skip
        return token

    ok = xclient.new_message_id()
    assert call(signed(ok), ok).status_code == 200
    # The same message again (a replay): refused, and the first answer stays the only one.
    replay = call(signed(ok), ok)
    assert replay.status_code == 409 and replay.json()["code"] == "replayed"
    assert ExchangeMessage.objects.filter(message_id=ok, outcome="served").count() == 1
    # Signed by another system's key (its kid unknown here).
    forged = xclient.new_message_id()
    assert call(signed(forged, private=other.private), forged).json()["code"] == "bad_assertion"
    # Same kid, another key (a forged signature).
    impostor, _jwks = xclient.new_key(system.private["kid"])
    forged2 = xclient.new_message_id()
    assert call(signed(forged2, private=impostor), forged2).json()["code"] == "bad_assertion"
    # Expired, too long-lived, for another audience, for another message id.
    for claims in ({"now": int(time.time()) - 3600}, {"lifetime": 3600},
                   {"audience": "someone-else"}):  # fmt: skip
        mid = xclient.new_message_id()
        assert call(signed(mid, **claims), mid).json()["code"] == "bad_assertion", claims
    mid = xclient.new_message_id()
    assert call(signed(xclient.new_message_id()), mid).json()["code"] == "bad_assertion"
    # alg none, HS256 with the public key as secret, garbage, nothing.
    header = xclient.client_assertion(
        system=system.system.code,
        private_jwk=system.private,
        message_id=mid,
        audience=settings.EXCHANGE_AUDIENCE,
    )
    parts = header.split(".")
    none_token = ".".join(["eyJhbGciOiJub25lIn0", parts[1], ""])
    hs_token = ".".join(["eyJhbGciOiJIUzI1NiJ9", parts[1], parts[2]])
    for bad in (none_token, hs_token, "garbage", "a.b.c", "x" * 5000):
        mid = xclient.new_message_id()
        assert call(bad, mid).json()["code"] == "bad_assertion"
    mid = xclient.new_message_id()
    headers = system.headers(message_id=mid)
    del headers["Authorization"]
    reply = system.call(client, "company-good-standing", query, headers=headers)
    assert reply.status_code == 401
    served = ExchangeMessage.objects.filter(system=system.system, outcome="served").count()
    assert served == 1


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_only_an_es256_signature_by_the_systems_key_is_accepted_whatever_the_header_says(
    client,
):
    """Each token below carries claims that are right for its message: only the header and
    the signature decide. ``none``, HMAC with the public key as secret, an algorithm the
    exchange does not accept, an unknown kid, a critical extension and a foreign type are
    refused; a JWT without ``typ`` (as many libraries write it) is accepted."""
    system = make_system()
    system.grant("company-good-standing")
    kid = system.private["kid"]
    private_key = ECKey.import_key(system.private).raw_value

    def claims(message_id):
        now = int(time.time())
        return _b64(json.dumps({"iss": system.system.code, "sub": system.system.code,
                                "aud": settings.EXCHANGE_AUDIENCE, "iat": now,
                                "exp": now + 60, "jti": message_id}).encode())  # fmt: skip

    def es256(header, message_id):
        signing_input = f"{_b64(json.dumps(header).encode())}.{claims(message_id)}"
        der = private_key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        return f"{signing_input}.{_b64(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"

    def hs256(message_id):
        signing_input = f"{_b64(json.dumps({'alg': 'HS256', 'kid': kid}).encode())}." + claims(
            message_id
        )
        secret = json.dumps(system.system.public_jwks["keys"][0]).encode()
        mac = hmac.new(secret, signing_input.encode(), "sha256").digest()
        return f"{signing_input}.{_b64(mac)}"

    def call(make):
        message_id = xclient.new_message_id()
        headers = system.headers(message_id=message_id)
        headers["Authorization"] = f"Bearer {make(message_id)}"
        return system.call(client, "company-good-standing", {"credit_code": CREDIT_CODE},
                           headers=headers)  # fmt: skip

    assert call(lambda m: es256({"alg": "ES256", "kid": kid, "typ": "JWT"}, m)).status_code == 200
    assert call(lambda m: es256({"alg": "ES256", "kid": kid}, m)).status_code == 200
    refused = {
        "none": lambda m: f"{_b64(json.dumps({'alg': 'none', 'kid': kid}).encode())}.{claims(m)}.",
        "hs256": hs256,
        "es384 named": lambda m: es256({"alg": "ES384", "kid": kid}, m),
        "unknown kid": lambda m: es256({"alg": "ES256", "kid": "nobody-k9"}, m),
        "no kid": lambda m: es256({"alg": "ES256"}, m),
        "critical": lambda m: es256({"alg": "ES256", "kid": kid, "crit": ["exp"]}, m),
        "foreign type": lambda m: es256({"alg": "ES256", "kid": kid, "typ": "vc+jwt"}, m),
        "header not an object": lambda m: f"{_b64(b'[1]')}.{claims(m)}.{_b64(b'x' * 64)}",
    }
    for label, make in refused.items():
        reply = call(make)
        assert reply.status_code == 401 and reply.json()["code"] == "bad_assertion", label
    assert ExchangeMessage.objects.filter(system=system.system, outcome="served").count() == 2


def test_purpose_user_and_malformed_bodies_are_refused_with_a_translated_reason(client):
    system = make_system()
    system.grant("population-verify")
    headers = system.headers(purpose="")
    reply = system.call(client, "population-verify", {"id_number": ID_NUMBER, "name": NAME},
                        headers=headers)  # fmt: skip
    assert reply.status_code == 400 and reply.json()["code"] == "no_purpose"
    assert "用途" in reply.json()["message"] or "目的" in reply.json()["message"]
    english = system.headers(purpose="")
    english["Accept-Language"] = "en"
    reply = system.call(client, "population-verify", {}, headers=english)
    assert "purpose" in reply.json()["message"]
    with_case = system.headers(purpose="", case_number="2026990102000001")
    reply = system.call(client, "population-verify", {"id_number": ID_NUMBER, "name": NAME},
                        headers=with_case)  # fmt: skip
    assert reply.status_code == 200
    no_user = system.headers(user="")
    assert system.call(client, "population-verify", {"id_number": ID_NUMBER, "name": NAME},
                       headers=no_user).json()["code"] == "no_user"  # fmt: skip
    for body in (b"not json", b"[]", b'{"query": "x"}', b'{"query": {}, "extra": 1}',
                 b'{"query": {}, "fields": "name"}', b"\xff\xfe",
                 b'{"query": {"name": "a\\u0000b"}}', b"{" * 100_000):  # fmt: skip
        reply = system.call(client, "population-verify", {}, body=body)
        assert reply.status_code == 400 and reply.json()["code"] == "bad_request", body[:30]
    for query in ({}, {"id_number": "123", "name": NAME}, {"id_number": ID_NUMBER},
                  {"id_number": ID_NUMBER, "name": ["x"]}):  # fmt: skip
        reply = system.call(client, "population-verify", query)
        assert reply.status_code == 400 and reply.json()["code"] == "bad_query", query
    bad_id = system.headers(message_id="short")
    assert system.call(client, "population-verify", {}, headers=bad_id).status_code == 400
    # Every one of these was logged.
    assert ExchangeMessage.objects.filter(system=system.system).count() >= 14


def test_a_disabled_system_and_a_revoked_or_expired_grant_are_refused_at_once(client):
    import datetime as dt

    from django.utils import timezone

    from tongban.exchange import services as exchange_services
    from tongban.exchange.models import Grant
    from tongban.exchange.tests.helpers import SYSTEM

    system = make_system()
    grant = system.grant("company-good-standing")
    query = {"credit_code": CREDIT_CODE}
    assert system.call(client, "company-good-standing", query).status_code == 200
    exchange_services.system_set_enabled(actor=SYSTEM, system_id=system.system.pk, enabled=False)
    assert system.call(client, "company-good-standing", query).json()["code"] == "system_disabled"
    exchange_services.system_set_enabled(actor=SYSTEM, system_id=system.system.pk, enabled=True)
    Grant.objects.filter(pk=grant.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert system.call(client, "company-good-standing", query).json()["code"] == "grant_expired"
    Grant.objects.filter(pk=grant.pk).update(expires_at=None)
    exchange_services.grant_revoke(actor=SYSTEM, grant_id=grant.pk, reason="合作协议终止")
    assert system.call(client, "company-good-standing", query).json()["code"] == "no_grant"


def test_the_rate_limit_per_system_answers_429_and_logs(client, settings):
    from tongban.exchange.models import InformationSystem

    settings.RATELIMIT_ENABLE = True
    system = make_system()
    system.grant("company-good-standing")
    InformationSystem.objects.filter(pk=system.system.pk).update(rate_per_minute=2)
    query = {"credit_code": CREDIT_CODE}
    codes = [system.call(client, "company-good-standing", query).status_code for _ in range(4)]
    assert codes[:2] == [200, 200] and codes[2:] == [429, 429]
    assert ExchangeMessage.objects.filter(system=system.system, reason="rate_limited").count() == 2
    other = make_system()
    other.grant("company-good-standing")
    assert other.call(client, "company-good-standing", query).status_code == 200


def test_when_the_log_cannot_be_written_no_answer_is_given(client, monkeypatch):
    from django.db import DatabaseError

    from tongban.exchange.services import gateway

    system = make_system()
    system.grant("population-verify")

    def broken(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(gateway, "_record", broken)
    headers = system.headers()
    reply = system.call(client, "population-verify", {"id_number": ID_NUMBER, "name": NAME},
                        headers=headers)  # fmt: skip
    assert reply.status_code == 503
    assert "match" not in reply.content.decode()
    assert not ExchangeMessage.objects.filter(message_id=headers["Tongban-Id"]).exists()
