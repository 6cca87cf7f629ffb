"""The identity API with real access tokens: the authorization code flow with PKCE S256 runs
against Tongban's own OpenID Connect provider, then the API is called with the bearer token."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import secrets
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from oauth2_provider.models import (
    get_access_token_model,
    get_application_model,
    get_refresh_token_model,
)

from tongban.demo import people
from tongban.identity import services
from tongban.identity.models import Company, Mandate
from tongban.identity.selectors import actor_for_user
from tongban.identity.tests.helpers import demo_person, force_staff_login, in_days, person_client

pytestmark = pytest.mark.django_db

REDIRECT = "https://dept.example/callback"
ZHANG, LI, WANG = 0, 1, 2  # indexes into people.PEOPLE
COMPANY = people.COMPANIES[0][1]  # 李娜 represents it, 王芳 holds an all-items mandate


# --------------------------------------------------------------------------------------------
# Getting real tokens (also used by the fuzz test)


def oidc_application() -> tuple[Any, str]:
    """A confidential relying party using the authorization code flow, signing with RS256."""
    secret = secrets.token_urlsafe(24)
    app = get_application_model().objects.create(
        name="部门办事系统",
        client_type="confidential",
        authorization_grant_type="authorization-code",
        redirect_uris=REDIRECT,
        algorithm="RS256",
        client_secret=secret,
        skip_authorization=False,
    )
    return app, secret


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    return verifier, challenge.decode()


def sign_in(browser: Client, app: Any, secret: str, scope: str = "openid api") -> dict[str, Any]:
    """Run the authorization code flow with PKCE S256 in ``browser`` (a logged-in client):
    consent, code, token. Returns the token response."""
    verifier, challenge = _pkce()
    params = {
        "response_type": "code",
        "client_id": app.client_id,
        "redirect_uri": REDIRECT,
        "scope": scope,
        "state": "st-api",
        "nonce": "n-api",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    assert browser.get("/oauth/authorize/?" + urlencode(params)).status_code == 200
    response = browser.post("/oauth/authorize/", {**params, "allow": "Authorize"})
    assert response.status_code == 302, response.content[:300]
    query = parse_qs(urlsplit(response["Location"]).query)
    basic = base64.b64encode(f"{app.client_id}:{secret}".encode()).decode()
    token = browser.post(
        "/oauth/token/",
        {
            "grant_type": "authorization_code",
            "code": query["code"][0],
            "redirect_uri": REDIRECT,
            "code_verifier": verifier,
        },
        HTTP_AUTHORIZATION=f"Basic {basic}",
    )
    assert token.status_code == 200, token.content
    return token.json()


def access_token_for(index: int, scope: str = "openid api") -> str:
    """Log demo person ``index`` in and get an access token for ``scope``."""
    app, secret = oidc_application()
    return sign_in(person_client(people.PEOPLE[index][2]), app, secret, scope)["access_token"]


# --------------------------------------------------------------------------------------------
# Calling the API


@pytest.fixture(autouse=True)
def no_login_throttling(settings):
    settings.RATELIMIT_ENABLE = False


def call(
    method: str,
    path: str,
    token: str | None = None,
    body: Any = None,
    *,
    raw: str | None = None,
    acting_for: str | None = None,
    client: Client | None = None,
):
    headers: dict[str, str] = {}
    if token is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    if acting_for is not None:
        headers["HTTP_X_ACTING_FOR"] = acting_for
    client = client or Client()
    url = f"/api/v1/identity{path}"
    if method == "get":
        return client.get(url, **headers)
    data = raw if raw is not None else json.dumps(body if body is not None else {})
    return client.post(url, data=data, content_type="application/json", **headers)


@pytest.fixture
def tokens():
    """Access tokens by person index, one sign-in each."""
    cache: dict[int, str] = {}

    def get(index: int) -> str:
        if index not in cache:
            cache[index] = access_token_for(index)
        return cache[index]

    return get


def _grant_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "agent_name": people.PEOPLE[ZHANG][0],
        "agent_id_number": people.PEOPLE[ZHANG][1],
        "valid_from": in_days(0).isoformat(),
        "valid_until": in_days(30).isoformat(),
    }
    return body | overrides


def _wang_mandate() -> Mandate:
    return Mandate.objects.get(company__credit_code=COMPANY, agent=demo_person(WANG))


def _no_full_id_numbers(response) -> None:
    text = response.content.decode()
    assert not any(number in text for _name, number, _phone, _level in people.PEOPLE)


# --------------------------------------------------------------------------------------------
# The OpenAPI document


def test_openapi_document_lists_the_identity_operations_with_the_bearer_scheme(client):
    doc = client.get("/api/v1/openapi.json").json()
    schemes = doc["components"]["securitySchemes"]
    assert schemes["BearerToken"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schemes["BearerToken"]["description"],
    }
    assert "api" in schemes["BearerToken"]["description"]
    expected = {
        "/api/v1/identity/me": "get",
        "/api/v1/identity/me/verify": "post",
        "/api/v1/identity/me/companies": "get",
        "/api/v1/identity/companies": "post",
        "/api/v1/identity/companies/{credit_code}/mandates": "post",
        "/api/v1/identity/mandates/{id}/revoke": "post",
        "/api/v1/identity/me/sessions/end-all": "post",
    }
    for path, method in expected.items():
        operation = doc["paths"][path][method]
        assert {"BearerToken": []} in operation["security"], path
        assert "X-Acting-For" in [p["name"] for p in operation["parameters"]], path
        assert "401" in operation["responses"], path
    assert "get" in doc["paths"]["/api/v1/identity/companies/{credit_code}/mandates"]


# --------------------------------------------------------------------------------------------
# Authentication


def test_without_credentials_the_answer_is_401_with_a_message():
    response = call("get", "/me")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated" and response.json()["message"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_garbage_token_is_refused():
    for token in ("garbage", "", "x" * 5000):
        response = call("get", "/me", token)
        assert response.status_code == 401, token
        assert 'error="invalid_token"' in response["WWW-Authenticate"]
        assert response.json()["code"] == "unauthenticated"


def test_a_token_without_the_api_scope_is_refused():
    token = access_token_for(LI, scope="openid profile")
    response = call("get", "/me", token)
    assert response.status_code == 401
    assert "api" in response.json()["message"]
    assert 'error="insufficient_scope"' in response["WWW-Authenticate"]


def test_an_expired_token_is_refused_with_its_own_message():
    token = access_token_for(LI)
    assert call("get", "/me", token).status_code == 200
    get_access_token_model().objects.filter(user=demo_person(LI).user).update(
        expires=timezone.now() - dt.timedelta(seconds=1)
    )
    response = call("get", "/me", token, client=Client(HTTP_ACCEPT_LANGUAGE="en"))
    assert response.status_code == 401
    assert "expired" in response.json()["message"]


def test_a_token_in_the_address_is_refused():
    token = access_token_for(LI)
    response = call("get", f"/me?access_token={token}", token)
    assert response.status_code == 401
    assert 'error="invalid_request"' in response["WWW-Authenticate"]


def test_log_out_everywhere_ends_sessions_and_revokes_tokens():
    browser = person_client(people.PEOPLE[LI][2])
    app, secret = oidc_application()
    issued = sign_in(browser, app, secret)
    token = issued["access_token"]
    other_browser = person_client(people.PEOPLE[LI][2])

    response = call("post", "/me/sessions/end-all", token)
    assert response.status_code == 200
    assert response.json()["ended_sessions"] >= 2
    refused = call("get", "/me", token)
    assert refused.status_code == 401
    assert 'error="invalid_token"' in refused["WWW-Authenticate"]
    user = demo_person(LI).user
    assert not get_refresh_token_model().objects.filter(user=user, revoked__isnull=True).exists()
    for logged_out in (browser, other_browser):
        assert logged_out.get("/account/").status_code == 302
    refresh = Client().post(
        "/oauth/token/",
        {"grant_type": "refresh_token", "refresh_token": issued["refresh_token"]},
        HTTP_AUTHORIZATION="Basic "
        + base64.b64encode(f"{app.client_id}:{secret}".encode()).decode(),
    )
    assert refresh.status_code == 400


def test_the_portal_session_works_and_keeps_itself_when_ending_the_others():
    browser = person_client(people.PEOPLE[LI][2])
    other = person_client(people.PEOPLE[LI][2])
    assert call("get", "/me", client=browser).json()["name"] == "李娜"
    response = call("post", "/me/sessions/end-all", client=browser)
    assert response.status_code == 200 and response.json()["ended_sessions"] >= 1
    assert call("get", "/me", client=browser).status_code == 200
    assert call("get", "/me", client=other).status_code == 401


def test_the_portal_session_needs_the_csrf_token_for_writes():
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(demo_person(ZHANG).user)
    assert call("get", "/me", client=browser).status_code == 200
    response = call("post", "/me/verify", client=browser)
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert demo_person(ZHANG).assurance_level == 1


def test_staff_need_the_second_factor_and_a_person_account():
    half_signed_in = Client()
    half_signed_in.force_login(get_user_model().objects.get(username="auditor"))
    assert call("get", "/me", client=half_signed_in).status_code == 401
    staff = force_staff_login(Client(), "auditor")
    response = call("get", "/me", client=staff)
    assert response.status_code == 403 and response.json()["code"] == "forbidden"


# --------------------------------------------------------------------------------------------
# Profile and assurance


def test_me_gives_the_profile_with_masked_numbers(tokens):
    response = call("get", "/me", tokens(LI))
    assert response.status_code == 200
    body = response.json()
    li = demo_person(LI)
    assert body["name"] == "李娜" and body["id_number_masked"] == li.id_number_masked
    assert body["id_number_masked"] != people.PEOPLE[LI][1] and "*" in body["id_number_masked"]
    assert body["phone_masked"] == li.phone_masked and people.PEOPLE[LI][2] not in str(body)
    assert body["sex"] == li.sex and body["birth_date"] == "1990-07-08"
    assert body["assurance_level"] == 2
    assert body["next_level"]["level"] == 3 and body["next_level"]["how"]
    assert body["acting_for"] is None
    _no_full_id_numbers(response)


def test_acting_for_a_company_as_representative_and_as_agent(tokens):
    body = call("get", "/me", tokens(LI), acting_for=COMPANY).json()
    assert body["acting_for"] == {
        "credit_code": COMPANY,
        "name": people.COMPANIES[0][0],
        "capacity": "representative",
    }
    body = call("get", "/me", tokens(WANG), acting_for=COMPANY.lower()).json()
    assert body["acting_for"]["capacity"] == "agent"


def test_acting_for_a_company_without_a_mandate_is_refused(tokens):
    for code in (COMPANY, people.COMPANIES[1][1], "91990102MA00000000", "x" * 500):
        response = call("get", "/me", tokens(ZHANG), acting_for=code)
        assert response.status_code == 403, code
        assert response.json()["code"] == "forbidden"


def test_verify_raises_the_person_to_level_2(tokens):
    response = call("post", "/me/verify", tokens(ZHANG))
    assert response.status_code == 200
    body = response.json()
    assert body["assurance_level"] == 2 and body["next_level"]["level"] == 3
    assert demo_person(ZHANG).assurance_level == 2


# --------------------------------------------------------------------------------------------
# Companies


def test_my_companies_with_capacity_and_scope(tokens):
    li = call("get", "/me/companies", tokens(LI)).json()
    assert [(c["credit_code"], c["capacity"]) for c in li] == [(COMPANY, "representative")]
    wang = call("get", "/me/companies", tokens(WANG)).json()
    assert len(wang) == 1 and wang[0]["capacity"] == "agent"
    mandate = _wang_mandate()
    assert wang[0]["all_items"] is True and wang[0]["item_codes"] == []
    assert wang[0]["valid_until"] == mandate.valid_until.isoformat()
    assert call("get", "/me/companies", tokens(ZHANG)).json() == []


def test_linking_a_company_needs_level_2_and_the_registry(tokens):
    code = people.COMPANIES[1][1]  # 张伟 is its legal representative
    token = tokens(ZHANG)
    response = call("post", "/companies", token, {"credit_code": code})
    assert response.status_code == 403  # L1
    assert call("post", "/me/verify", token).status_code == 200
    response = call("post", "/companies", token, {"credit_code": code})
    assert response.status_code == 200, response.content
    assert response.json()["capacity"] == "representative"
    assert Company.objects.get(credit_code=code).representative == demo_person(ZHANG)
    refused = call("post", "/companies", tokens(LI), {"credit_code": people.COMPANIES[1][1]})
    assert refused.status_code == 422 and refused.json()["problems"][0]["field"] == "credit_code"


@pytest.mark.parametrize("code", ["", "123", "9199010" + "2" * 11, "x" * 41])
def test_linking_a_malformed_credit_code_is_refused(tokens, code):
    before = Company.objects.count()
    response = call("post", "/companies", tokens(LI), {"credit_code": code})
    assert response.status_code == 422
    assert response.json()["problems"]
    assert Company.objects.count() == before


# --------------------------------------------------------------------------------------------
# Mandates


def test_the_representative_lists_the_mandates(tokens):
    response = call("get", f"/companies/{COMPANY}/mandates", tokens(LI))
    assert response.status_code == 200
    [mandate] = response.json()
    assert mandate["agent_name"] == "王芳" and mandate["in_force"] is True
    assert mandate["agent_id_number_masked"] == demo_person(WANG).id_number_masked
    _no_full_id_numbers(response)


def test_nobody_else_learns_that_the_company_exists(tokens):
    unknown = call("get", "/companies/91990102MA0000000X/mandates", tokens(ZHANG))
    assert unknown.status_code == 404
    for index in (ZHANG, WANG):
        response = call("get", f"/companies/{COMPANY}/mandates", tokens(index))
        assert response.status_code == 404, index
        assert response.json() == unknown.json()
    response = call("get", f"/companies/{COMPANY}/mandates", tokens(WANG), acting_for=COMPANY)
    assert response.status_code == 404


def test_the_representative_grants_a_mandate(tokens):
    response = call(
        "post",
        f"/companies/{COMPANY}/mandates",
        tokens(LI),
        _grant_body(item_codes=["ab0101", "CD0202"]),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["agent_name"] == "张伟" and body["all_items"] is False
    assert body["item_codes"] == ["AB0101", "CD0202"]
    _no_full_id_numbers(response)
    mandate = Mandate.objects.get(pk=body["id"])
    assert mandate.agent == demo_person(ZHANG) and mandate.granted_by == demo_person(LI)
    everything = call("post", f"/companies/{COMPANY}/mandates", tokens(LI), _grant_body())
    assert everything.status_code == 201 and everything.json()["all_items"] is True
    companies = call("get", "/me/companies", tokens(ZHANG)).json()
    assert [c["credit_code"] for c in companies] == [COMPANY]


def test_an_agent_cannot_grant_mandates(tokens):
    before = Mandate.objects.count()
    for acting_for in (None, COMPANY):
        response = call(
            "post",
            f"/companies/{COMPANY}/mandates",
            tokens(WANG),
            _grant_body(),
            acting_for=acting_for,
        )
        assert response.status_code == 403, acting_for
    stranger = call("post", f"/companies/{COMPANY}/mandates", tokens(ZHANG), _grant_body())
    assert stranger.status_code == 404
    assert Mandate.objects.count() == before


_WRONG_CHECK = people.PEOPLE[ZHANG][1][:17] + ("0" if people.PEOPLE[ZHANG][1][17] != "0" else "1")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (json.dumps(_grant_body(valid_from="2026-02-30")), "valid_from"),
        (json.dumps(_grant_body(valid_until="tomorrow")), "valid_until"),
        (json.dumps(_grant_body(valid_from="01/03/2026")), "valid_from"),
        (json.dumps(_grant_body(agent_name="张" * 10_000)), "agent_name"),
        (json.dumps(_grant_body(agent_id_number=_WRONG_CHECK)), "agent_id_number"),
        (json.dumps(_grant_body(agent_name="<script>alert(1)</script>")), "agent_name"),
        (json.dumps(_grant_body(agent_name="<b>张伟</b>")), "agent_name"),
        (json.dumps(_grant_body(item_codes=["<img src=x>"])), "item_codes"),
        (json.dumps(_grant_body(item_codes=[])), "item_codes"),
        (json.dumps(_grant_body(valid_from=in_days(-1).isoformat())), "valid_from"),
        (json.dumps(_grant_body(valid_until=in_days(-1).isoformat())), "valid_until"),
        (json.dumps([_grant_body()]), None),
        (json.dumps("agent"), None),
        (json.dumps(42), None),
        ("null", None),
        (json.dumps({}), "agent_name"),
    ],
)
def test_bad_mandate_input_is_refused_and_nothing_is_saved(tokens, payload, field):
    before = Mandate.objects.count()
    response = call("post", f"/companies/{COMPANY}/mandates", tokens(LI), raw=payload)
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "invalid" and body["message"] and body["problems"]
    fields = [p["field"] for p in body["problems"]]
    if field is not None:
        assert field in fields, body
    else:
        assert fields == ["body"] and "JSON" in body["problems"][0]["reason"], body
    assert Mandate.objects.count() == before
    assert "<script>" not in response.content.decode()


def test_the_representative_revokes_a_mandate(tokens):
    mandate = _wang_mandate()
    assert call("get", "/me", tokens(WANG), acting_for=COMPANY).status_code == 200
    response = call("post", f"/mandates/{mandate.pk}/revoke", tokens(LI), {"reason": "离职"})
    assert response.status_code == 200
    assert response.json()["in_force"] is False and response.json()["revoke_reason"] == "离职"
    mandate.refresh_from_db()
    assert mandate.revoked_at is not None
    # The agent's very next request no longer acts for the company.
    assert call("get", "/me", tokens(WANG), acting_for=COMPANY).status_code == 403
    assert call("get", "/me/companies", tokens(WANG)).json() == []


def test_others_cannot_revoke_the_companys_mandates(tokens):
    mandate = _wang_mandate()
    for index in (ZHANG, WANG):
        response = call("post", f"/mandates/{mandate.pk}/revoke", tokens(index), {"reason": "x"})
        assert response.status_code in (403, 404), index
    mandate.refresh_from_db()
    assert mandate.revoked_at is None
    missing = call("post", "/mandates/2147483647/revoke", tokens(LI), {"reason": "x"})
    assert missing.status_code == 404


@pytest.mark.parametrize(
    ("path", "payload"),
    [
        ("/mandates/{pk}/revoke", json.dumps({"reason": ""})),
        ("/mandates/{pk}/revoke", json.dumps({"reason": "   "})),
        ("/mandates/{pk}/revoke", json.dumps({"reason": "x" * 201})),
        ("/mandates/{pk}/revoke", json.dumps(["reason"])),
        ("/mandates/0/revoke", json.dumps({"reason": "x"})),
        ("/mandates/99999999999999999999/revoke", json.dumps({"reason": "x"})),
        ("/companies/not-a-code/mandates", json.dumps(_grant_body())),
    ],
)
def test_bad_revocation_input_is_refused(tokens, path, payload):
    mandate = _wang_mandate()
    response = call("post", path.format(pk=mandate.pk), tokens(LI), raw=payload)
    assert response.status_code == 422, response.content
    assert response.json()["problems"]
    mandate.refresh_from_db()
    assert mandate.revoked_at is None


def test_listing_mandates_takes_the_same_queries_for_many(tokens):
    token = tokens(LI)
    with CaptureQueriesContext(connection) as few:
        assert call("get", f"/companies/{COMPANY}/mandates", token).status_code == 200
    li = demo_person(LI)
    actor = actor_for_user(li.user)
    company = Company.objects.get(credit_code=COMPANY)
    for days in range(5):
        services.mandate_grant(
            actor=actor,
            company_id=company.pk,
            agent_id_number=people.PEOPLE[ZHANG][1],
            agent_name=people.PEOPLE[ZHANG][0],
            valid_from=in_days(days),
            valid_until=in_days(days + 10),
        )
    with CaptureQueriesContext(connection) as many:
        response = call("get", f"/companies/{COMPANY}/mandates", token)
    assert len(response.json()) == 6
    assert len(many) == len(few)
