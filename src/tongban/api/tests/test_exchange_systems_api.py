"""The information systems through the exchange API, with real access tokens: a department's
data manager registers a system, lists it, rotates its keys and disables it, and the real
gateway follows at once; other departments' managers, citizens and anonymous callers are
refused without learning of it; malformed key sets and bodies are refused with their field."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from tongban.api.tests.test_cases_api import person_token, staff_token
from tongban.core.models import AuditRecord
from tongban.demo.city import department_codes
from tongban.demo.people import COMPANIES
from tongban.exchange import client as xclient
from tongban.exchange.models import InformationSystem
from tongban.exchange.services.systems import MAX_JWKS_BYTES, MAX_KEYS
from tongban.exchange.tests.helpers import TestSystem as Caller
from tongban.exchange.tests.helpers import make_system
from tongban.identity.tests.helpers import force_staff_login

pytestmark = pytest.mark.django_db

HRSS, PSB, CITY = "data.hrss", "data.psb", "data.city"  # data managers (the city's: all)
SYSTEMS = "/api/v1/exchange/systems"
ZHANG = 0  # a citizen (index into people.PEOPLE)


@pytest.fixture(autouse=True)
def no_login_throttling(settings):
    settings.RATELIMIT_ENABLE = False


@pytest.fixture
def tokens():
    """Access tokens by staff user name or person index, one sign-in each."""
    cache: dict[Any, str] = {}

    def get(who: int | str) -> str:
        if who not in cache:
            cache[who] = person_token(who) if isinstance(who, int) else staff_token(who)
        return cache[who]

    return get


def api(method: str, path: str, token: str | None = None, body: Any = None, *,
        raw: str | None = None):  # fmt: skip
    extra = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token is not None else {}
    client = Client()
    if method == "get":
        return client.get(path, **extra)
    data = raw if raw is not None else json.dumps(body if body is not None else {})
    send = client.put if method == "put" else client.post
    return send(path, data=data, content_type="application/json", **extra)


def _translated(text: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return gettext(text)


def _hrss() -> str:
    return department_codes()["hrss"]


def _registration(code: str, kid: str = "k1", **overrides: Any) -> tuple[dict, dict]:
    private, jwks = xclient.new_key(f"{code}-{kid}")
    body = {"department": _hrss(), "code": code, "name": "社会保险经办系统（接口测试）",
            "public_jwks": jwks} | overrides  # fmt: skip
    return body, private


def _register(token: str, code: str, **overrides: Any) -> tuple[Any, dict]:
    body, private = _registration(code, **overrides)
    return api("post", SYSTEMS, token, body), private


def _problem_fields(response) -> set[str]:
    body = response.json()
    assert response.status_code == 422, (response.status_code, body)
    assert body["code"] == "invalid" and body["message"], body
    assert all(p["reason"] for p in body["problems"]), body
    return {p["field"] for p in body["problems"]}


def _good_standing(caller: Caller):
    return caller.call(Client(), "company-good-standing", {"credit_code": COMPANIES[0][1]})


def _jwks_of(*keys: dict) -> dict:
    return {"keys": [k for jwks in keys for k in jwks["keys"]]}


# ---------------------------------------------------------------------------------------------
# Registering and listing


def test_a_data_manager_registers_a_system_and_lists_it(tokens):
    response, _private = _register(tokens(HRSS), "hrss-api-test")
    assert response.status_code == 201, response.content
    out = response.json()
    system = InformationSystem.objects.get(code="hrss-api-test")
    assert out["code"] == "hrss-api-test" and out["name"] == "社会保险经办系统（接口测试）"
    assert out["department"] == _hrss() and out["department_name"] == system.department.name
    assert out["enabled"] is True and out["rate_per_minute"] == system.rate_per_minute
    assert out["kids"] == ["hrss-api-test-k1"] and out["created_at"]
    (key,) = out["public_jwks"]["keys"]
    assert key["kid"] == "hrss-api-test-k1" and key["crv"] == "P-256" and "d" not in key
    assert out["public_jwks"] == system.public_jwks
    audit = AuditRecord.objects.get(action="exchange.system.register", object_id=system.pk)
    assert audit.data["kids"] == ["hrss-api-test-k1"]

    listed = api("get", SYSTEMS, tokens(HRSS))
    assert listed.status_code == 200
    by_code = {s["code"]: s for s in listed.json()}
    assert by_code["hrss-api-test"] == out
    assert all(s["department"] == _hrss() for s in by_code.values())
    # The city's data manager (no department named) sees it; another department's does not.
    assert "hrss-api-test" in {s["code"] for s in api("get", SYSTEMS, tokens(CITY)).json()}
    assert "hrss-api-test" not in {s["code"] for s in api("get", SYSTEMS, tokens(PSB)).json()}
    # The workbench's session works as well as a token (reading needs no CSRF token).
    session = force_staff_login(Client(), HRSS).get(SYSTEMS)
    assert session.status_code == 200 and "hrss-api-test" in {s["code"] for s in session.json()}


def test_a_lower_case_credit_code_and_a_code_in_capitals_are_normalised(tokens):
    response, _private = _register(tokens(HRSS), " HRSS-Upper-Test ", department=_hrss().lower())
    assert response.status_code == 201, response.content
    assert response.json()["code"] == "hrss-upper-test"
    assert InformationSystem.objects.get(code="hrss-upper-test").department.credit_code == _hrss()


def test_a_taken_code_is_refused_and_nothing_changes(tokens):
    first, _private = _register(tokens(HRSS), "hrss-taken-api")
    assert first.status_code == 201
    before = InformationSystem.objects.get(code="hrss-taken-api").public_jwks
    again, _private = _register(tokens(HRSS), "hrss-taken-api", kid="k2")
    assert _problem_fields(again) == {"code"}
    assert again.json()["problems"][0]["reason"] == _translated("This system code is taken.")
    assert InformationSystem.objects.filter(code="hrss-taken-api").count() == 1
    assert InformationSystem.objects.get(code="hrss-taken-api").public_jwks == before


def test_an_unknown_department_is_not_found_and_anothers_is_forbidden(tokens):
    before = InformationSystem.objects.count()
    unknown, _private = _register(tokens(HRSS), "hrss-nowhere-test", department="9" * 18)
    assert unknown.status_code == 404 and unknown.json()["code"] == "not_found"
    # The public security bureau's data manager may not register human resources' systems.
    foreign, _private = _register(tokens(PSB), "psb-for-hrss-test")
    assert foreign.status_code == 403 and foreign.json()["code"] == "forbidden"
    # Nor may staff who are not data managers.
    reviewer, _private = _register(tokens("review.linjiang"), "reviewer-test")
    assert reviewer.status_code == 403 and reviewer.json()["code"] == "forbidden"
    assert InformationSystem.objects.count() == before


def test_citizens_and_anonymous_callers_are_refused(tokens):
    system = make_system("hrss").system
    citizen = tokens(ZHANG)
    registered, _private = _register(citizen, "citizen-test")
    assert registered.status_code == 403 and registered.json()["code"] == "forbidden"
    listed = api("get", SYSTEMS, citizen)
    assert listed.status_code == 200 and listed.json() == []
    _private, jwks = xclient.new_key("citizen-k1")
    keys = api("put", f"{SYSTEMS}/{system.code}/keys", citizen, {"public_jwks": jwks})
    assert keys.status_code == 404 and keys.json()["code"] == "not_found"
    off = api("post", f"{SYSTEMS}/{system.code}/enabled", citizen, {"enabled": False})
    assert off.status_code == 404
    # Without a token: 401 with the challenge, and nothing said about the system.
    body, _private = _registration("anonymous-test")
    for method, path, payload in [
        ("get", SYSTEMS, None),
        ("post", SYSTEMS, body),
        ("put", f"{SYSTEMS}/{system.code}/keys", {"public_jwks": jwks}),
        ("post", f"{SYSTEMS}/{system.code}/enabled", {"enabled": False}),
    ]:
        response = api(method, path, None, payload)
        assert response.status_code == 401, (method, path)
        assert "WWW-Authenticate" in response and system.code not in response.content.decode()
    system.refresh_from_db()
    assert system.enabled and [k["kid"] for k in system.public_jwks["keys"]] == [
        f"{system.code}-k1"
    ]
    assert not InformationSystem.objects.filter(code__in=["citizen-test", "anonymous-test"])


def test_another_departments_system_is_not_found_for_keys_and_enabled(tokens):
    system = make_system("hrss").system
    kids = [k["kid"] for k in system.public_jwks["keys"]]
    psb = tokens(PSB)
    _private, jwks = xclient.new_key("psb-intruder-k1")
    keys = api("put", f"{SYSTEMS}/{system.code}/keys", psb, {"public_jwks": jwks})
    off = api("post", f"{SYSTEMS}/{system.code}/enabled", psb, {"enabled": False})
    unknown = api("post", f"{SYSTEMS}/no-such-system/enabled", psb, {"enabled": False})
    for response in (keys, off, unknown):
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    # The same answer as for a system that does not exist: nothing tells it apart.
    assert off.json() == unknown.json()
    system.refresh_from_db()
    assert system.enabled and [k["kid"] for k in system.public_jwks["keys"]] == kids
    assert not AuditRecord.objects.filter(
        object_type="exchange_system", object_id=system.pk, action__startswith="exchange.system."
    ).exclude(action="exchange.system.register")


# ---------------------------------------------------------------------------------------------
# Bad input


def _bad_key_sets() -> dict[str, Any]:
    private, jwks = xclient.new_key("bad-k1")
    (public,) = jwks["keys"]
    many = _jwks_of(*(xclient.new_key(f"bad-k{i}")[1] for i in range(MAX_KEYS + 1)))
    return {
        "private key": {"keys": [private]},
        "wrong curve": {"keys": [{**public, "crv": "P-384"}]},
        "not an EC key": {"keys": [{"kty": "RSA", "kid": "bad-rsa", "n": "AQAB", "e": "AQAB"}]},
        "no kid": {"keys": [{k: v for k, v in public.items() if k != "kid"}]},
        "no keys": {"keys": []},
        "too many keys": many,
        "the same kid twice": {"keys": [public, {**xclient.new_key("bad-k1")[1]["keys"][0]}]},
        "not a point": {"keys": [{**public, "x": "AAAA"}]},
    }


def test_malformed_key_sets_are_refused_with_the_field(tokens):
    token = tokens(HRSS)
    before = InformationSystem.objects.count()
    for label, jwks in _bad_key_sets().items():
        response, _private = _register(token, "hrss-bad-jwks", public_jwks=jwks)
        assert _problem_fields(response) == {"public_jwks"}, label
        assert response.json()["problems"][0]["reason"] == _translated(
            "Give a JWKS with one to five public EC P-256 keys (ES256), each with a kid."
        ), label
    assert InformationSystem.objects.count() == before
    # Replacing the keys with any of them is refused the same way and changes nothing.
    system = make_system("hrss").system
    kept = system.public_jwks
    for label, jwks in _bad_key_sets().items():
        response = api("put", f"{SYSTEMS}/{system.code}/keys", token, {"public_jwks": jwks})
        assert _problem_fields(response) == {"public_jwks"}, label
    system.refresh_from_db()
    assert system.public_jwks == kept


def test_key_sets_that_are_not_objects_or_too_large_are_refused(tokens):
    token = tokens(HRSS)
    _private, jwks = xclient.new_key("big-k1")
    oversized = {**jwks, "padding": "x" * MAX_JWKS_BYTES}
    not_objects = [json.dumps(jwks), [jwks], None, 42, "{not json"]
    for value in [*not_objects, oversized]:
        response, _private = _register(token, "hrss-big-jwks", public_jwks=value)
        assert _problem_fields(response) == {"public_jwks"}, value
    too_long = _register(token, "hrss-big-jwks", public_jwks=oversized)[0].json()["problems"][0]
    assert too_long["reason"] == _translated("This is too long.")
    system = make_system("hrss").system
    replaced = api("put", f"{SYSTEMS}/{system.code}/keys", token, {"public_jwks": oversized})
    assert _problem_fields(replaced) == {"public_jwks"}
    assert not InformationSystem.objects.filter(code="hrss-big-jwks").exists()


def test_bad_bodies_and_fields_are_refused_with_their_field(tokens):
    token = tokens(HRSS)
    body, _private = _registration("hrss-body-test")
    cases = {
        "extra field": (body | {"enabled": False}, {"enabled"}),
        "missing keys": ({k: v for k, v in body.items() if k != "public_jwks"}, {"public_jwks"}),
        "short credit code": (body | {"department": "123"}, {"department"}),
        "bad code": (body | {"code": "X"}, {"code"}),
        "long code": (body | {"code": "a" * 61}, {"code"}),
        "no name": (body | {"name": "   "}, {"name"}),
        "long name": (body | {"name": "名" * 301}, {"name"}),
        "name not text": (body | {"name": ["系统"]}, {"name"}),
    }
    for label, (payload, fields) in cases.items():
        assert _problem_fields(api("post", SYSTEMS, token, payload)) == fields, label
    extra = api("post", SYSTEMS, token, body | {"private": True}).json()["problems"]
    assert extra == [{"location": "body.body", "field": "private",
                      "reason": _translated("This field is not expected.")}]  # fmt: skip
    assert api("post", SYSTEMS, token, raw="[1, 2]").status_code == 422
    nul = api("post", SYSTEMS, token, body | {"name": "系统\x00"})  # the platform's refusal
    assert nul.status_code == 400 and nul.json()["code"] == "bad_request"
    assert not InformationSystem.objects.filter(code="hrss-body-test").exists()
    # The keys and enabled bodies are strict too.
    system = make_system("hrss").system
    _private, jwks = xclient.new_key("extra-k1")
    keys_extra = {"public_jwks": jwks, "kid": "x"}
    assert _problem_fields(api("put", f"{SYSTEMS}/{system.code}/keys", token, keys_extra)) == {
        "kid"
    }
    enabled = f"{SYSTEMS}/{system.code}/enabled"
    assert _problem_fields(api("post", enabled, token, {})) == {"enabled"}
    assert _problem_fields(api("post", enabled, token, {"enabled": "maybe"})) == {"enabled"}
    assert _problem_fields(api("post", enabled, token, {"enabled": False, "why": "x"})) == {"why"}
    system.refresh_from_db()
    assert system.enabled


# ---------------------------------------------------------------------------------------------
# Key rotation and disabling, followed by the gateway


def test_key_rotation_is_followed_by_the_gateway(tokens):
    token = tokens(HRSS)
    registered, old_private = _register(token, "hrss-rotate-api")
    assert registered.status_code == 201
    system = InformationSystem.objects.get(code="hrss-rotate-api")
    old = Caller(system=system, private=old_private)
    old.grant("company-good-standing")
    assert _good_standing(old).status_code == 200
    keys = f"{SYSTEMS}/{system.code}/keys"
    old_jwks = {"keys": registered.json()["public_jwks"]["keys"]}
    new_private, new_jwks = xclient.new_key("hrss-rotate-api-k2")
    new = Caller(system=system, private=new_private)
    # First both keys are published: either signs.
    both = api("put", keys, token, {"public_jwks": _jwks_of(old_jwks, new_jwks)})
    assert both.status_code == 200 and both.json()["kids"] == [
        "hrss-rotate-api-k1",
        "hrss-rotate-api-k2",
    ]
    assert _good_standing(old).status_code == 200 and _good_standing(new).status_code == 200
    # Then the new one alone: a call signed with the old key is refused, the new one served.
    alone = api("put", keys, token, {"public_jwks": new_jwks})
    assert alone.status_code == 200 and alone.json()["kids"] == ["hrss-rotate-api-k2"]
    refused = _good_standing(old)
    assert refused.status_code == 401 and refused.json()["code"] == "bad_assertion"
    served = _good_standing(new)
    assert served.status_code == 200 and served.json()["data"]
    listed = {s["code"]: s for s in api("get", SYSTEMS, token).json()}
    assert listed["hrss-rotate-api"]["kids"] == ["hrss-rotate-api-k2"]
    audits = AuditRecord.objects.filter(action="exchange.system.keys", object_id=system.pk)
    assert [a.data["kids"] for a in audits.order_by("id")] == [
        ["hrss-rotate-api-k1", "hrss-rotate-api-k2"],
        ["hrss-rotate-api-k2"],
    ]


def test_a_disabled_system_is_refused_at_the_gateway_until_enabled(tokens):
    token = tokens(HRSS)
    caller = make_system("hrss")
    caller.grant("company-good-standing")
    assert _good_standing(caller).status_code == 200
    enabled = f"{SYSTEMS}/{caller.system.code}/enabled"
    off = api("post", enabled, token, {"enabled": False})
    assert off.status_code == 200 and off.json()["enabled"] is False
    refused = _good_standing(caller)
    assert refused.status_code == 403 and refused.json()["code"] == "system_disabled"
    listed = {s["code"]: s for s in api("get", SYSTEMS, token).json()}
    assert listed[caller.system.code]["enabled"] is False
    on = api("post", enabled, token, {"enabled": True})
    assert on.status_code == 200 and on.json()["enabled"] is True
    assert _good_standing(caller).status_code == 200
    actions = list(
        AuditRecord.objects.filter(object_type="exchange_system", object_id=caller.system.pk)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions[-2:] == ["exchange.system.disable", "exchange.system.enable"]


# ---------------------------------------------------------------------------------------------
# The OpenAPI document


def test_openapi_document_lists_the_system_operations(client):
    doc = client.get("/api/v1/openapi.json").json()
    expected = {
        (SYSTEMS, "get"): "200",
        (SYSTEMS, "post"): "201",
        (f"{SYSTEMS}/{{code}}/keys", "put"): "200",
        (f"{SYSTEMS}/{{code}}/enabled", "post"): "200",
    }
    for (path, method), ok in expected.items():
        operation = doc["paths"][path][method]
        assert {"BearerToken": []} in operation["security"], path
        assert {ok, "401", "403"} <= set(operation["responses"]), path
        assert operation["summary"] and operation["tags"] == ["exchange"], path
        if method != "get":
            assert {"404", "422"} <= set(operation["responses"]), path
    schemas = doc["components"]["schemas"]
    register = schemas["SystemRegisterIn"]
    assert register["additionalProperties"] is False
    assert register["properties"]["department"]["minLength"] == 18
    assert register["properties"]["department"]["maxLength"] == 18
    assert register["properties"]["code"]["maxLength"] == 60
    assert register["properties"]["name"]["maxLength"] == 300
    assert register["properties"]["public_jwks"]["type"] == "object"
    assert set(register["required"]) == {"department", "code", "name", "public_jwks"}
    assert schemas["JwksIn"]["additionalProperties"] is False
    assert schemas["EnabledIn"]["additionalProperties"] is False
    assert {"kids", "public_jwks", "enabled", "department"} <= set(
        schemas["SystemOut"]["properties"]
    )
