"""The OpenID Connect provider with the Django test client; signatures checked with joserfc.
(The journey against a live server with authlib is in tests/e2e/test_oidc.py.)"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.conf import settings
from django.utils import translation
from joserfc import jwt
from joserfc.jwk import KeySet
from oauth2_provider.models import get_application_model

from tongban.core.models import AuditRecord
from tongban.demo import people
from tongban.identity.models import ClientPolicy
from tongban.identity.oidc import SCOPE_CLAIMS
from tongban.identity.tests.helpers import person_client

pytestmark = pytest.mark.django_db
REDIRECT = "https://dept.example/callback"


@pytest.fixture
def client_app():
    secret = secrets.token_urlsafe(24)
    app = get_application_model().objects.create(
        name="不动产登记系统",
        client_type="confidential",
        authorization_grant_type="authorization-code",
        redirect_uris=REDIRECT,
        post_logout_redirect_uris="https://dept.example/bye",
        algorithm="RS256",
        client_secret=secret,
        skip_authorization=False,
    )
    ClientPolicy.objects.create(
        application=app, allowed_scopes=list(settings.OAUTH2_PROVIDER["SCOPES"])
    )
    return app, secret


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    return verifier, challenge.decode()


def _authorize_params(app, scope: str, challenge: str | None, method: str = "S256") -> dict:
    params = {
        "response_type": "code",
        "client_id": app.client_id,
        "redirect_uri": REDIRECT,
        "scope": scope,
        "state": "st-1",
        "nonce": "n-1",
    }
    if challenge is not None:
        params.update(code_challenge=challenge, code_challenge_method=method)
    return params


def _sign_in(client, app, secret, scope: str):
    verifier, challenge = _pkce()
    params = _authorize_params(app, scope, challenge)
    page = client.get("/oauth/authorize/?" + urlencode(params))
    assert page.status_code == 200
    consent = page.content.decode()
    form = {k: v for k, v in params.items()}
    form["allow"] = "Authorize"
    response = client.post("/oauth/authorize/", form)
    assert response.status_code == 302
    query = parse_qs(urlsplit(response["Location"]).query)
    assert response["Location"].startswith(REDIRECT) and query["state"] == ["st-1"]
    basic = base64.b64encode(f"{app.client_id}:{secret}".encode()).decode()
    token = client.post(
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
    return consent, token.json()


def _claims(client, id_token: str) -> dict:
    keys = KeySet.import_key_set(client.get("/.well-known/jwks.json").json())
    decoded = jwt.decode(id_token, keys, algorithms=["RS256"])
    return decoded.claims


def test_discovery_publishes_the_provider():
    from django.test import Client

    doc = Client().get("/.well-known/openid-configuration").json()
    assert doc["issuer"] == "http://testserver"
    assert doc["authorization_endpoint"].endswith("/oauth/authorize/")
    assert doc["code_challenge_methods_supported"] == ["S256"]
    assert doc["response_types_supported"] == ["code"]
    assert "acr" in doc["claims_supported"] and "id_number" in doc["claims_supported"]


def test_profile_scope_gives_masked_number_and_id_number_scope_the_full_one(client_app):
    app, secret = client_app
    number = people.PEOPLE[1][1]
    client = person_client(people.PEOPLE[1][2])
    consent, tokens = _sign_in(client, app, secret, "openid profile")
    with translation.override("zh-hans"):
        listed = [str(c) for c in SCOPE_CLAIMS["openid"] + SCOPE_CLAIMS["profile"]]
        not_listed = [str(c) for c in SCOPE_CLAIMS["id_number"] + SCOPE_CLAIMS["phone"]]
    assert "不动产登记系统" in consent
    assert all(c in consent for c in listed) and not any(c in consent for c in not_listed)
    claims = _claims(client, tokens["id_token"])
    assert claims["iss"] == "http://testserver" and claims["aud"] == app.client_id
    assert claims["nonce"] == "n-1" and claims["acr"] == "urn:tongban:loa:2"
    assert claims["name"] == "李娜" and claims["id_number_masked"].startswith(number[:3])
    assert "id_number" not in claims and "phone_number" not in claims
    assert "acting_for" not in claims

    before = AuditRecord.objects.filter(action="identity.person.reveal").count()
    _consent, tokens = _sign_in(client, app, secret, "openid id_number phone")
    claims = _claims(client, tokens["id_token"])
    assert claims["id_number"] == number and claims["phone_number"] == "+86" + people.PEOPLE[1][2]
    assert "name" not in claims
    assert AuditRecord.objects.filter(action="identity.person.reveal").count() > before
    userinfo = client.get(
        "/oauth/userinfo/", HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}"
    ).json()
    assert userinfo["id_number"] == number


def test_company_scope_carries_the_company_acted_for(client_app):
    app, secret = client_app
    client = person_client(people.COMPANIES[0][1])  # logs in acting for the company
    client.post("/account/acting-for/", {"company": _company_pk()})
    _consent, tokens = _sign_in(client, app, secret, "openid company")
    claims = _claims(client, tokens["id_token"])
    assert claims["acting_for"] == {
        "credit_code": people.COMPANIES[0][1],
        "name": people.COMPANIES[0][0],
        "capacity": "representative",
        "items": "all",
    }


def _company_pk() -> int:
    from tongban.identity.models import Company

    return Company.objects.get(credit_code=people.COMPANIES[0][1]).pk


def test_refused_without_pkce_with_plain_pkce_and_with_an_unregistered_redirect(client_app):
    app, _secret = client_app
    client = person_client(people.PEOPLE[0][2])
    for challenge, method in [(None, ""), ("x" * 43, "plain")]:
        response = client.get(
            "/oauth/authorize/?" + urlencode(_authorize_params(app, "openid", challenge, method))
        )
        assert response.status_code == 302
        query = parse_qs(urlsplit(response["Location"]).query)
        assert response["Location"].startswith(REDIRECT)
        assert query["error"] == ["invalid_request"] and "code" not in query
    params = _authorize_params(app, "openid", _pkce()[1])
    params["redirect_uri"] = "https://evil.example/steal"
    response = client.get("/oauth/authorize/?" + urlencode(params))
    # Never redirected to an address the client did not register: an error page instead.
    assert response.status_code == 400
    assert "invalid_request" in response.content.decode() or "Mismatching redirect URI" in (
        response.content.decode()
    )


def test_consent_page_allows_posting_only_to_the_client(client_app):
    app, _secret = client_app
    client = person_client(people.PEOPLE[0][2])
    page = client.get(
        "/oauth/authorize/?" + urlencode(_authorize_params(app, "openid", _pkce()[1]))
    )
    csp = page["Content-Security-Policy"]
    assert "form-action 'self' https://dept.example" in csp


def test_rp_initiated_logout_ends_the_session(client_app):
    app, secret = client_app
    client = person_client(people.PEOPLE[0][2])
    _consent, tokens = _sign_in(client, app, secret, "openid")
    page = client.get(
        "/oauth/logout/?"
        + urlencode(
            {
                "id_token_hint": tokens["id_token"],
                "post_logout_redirect_uri": "https://dept.example/bye",
            }
        )
    )
    assert page.status_code == 200
    form = {
        k: v[0]
        for k, v in parse_qs(
            urlsplit(page.request["QUERY_STRING"] and "?" + page.request["QUERY_STRING"]).query
        ).items()
    }
    form.update(
        allow="Logout",
        id_token_hint=tokens["id_token"],
        post_logout_redirect_uri="https://dept.example/bye",
        client_id=app.client_id,
    )
    response = client.post("/oauth/logout/", form)
    assert response.status_code == 302 and response["Location"].startswith(
        "https://dept.example/bye"
    )
    assert client.get("/account/").status_code == 302


def test_jwks_publishes_current_and_rotated_keys(settings):
    from django.test import Client

    keys = Client().get("/.well-known/jwks.json").json()["keys"]
    assert len(keys) == 1 + len(settings.OAUTH2_PROVIDER["OIDC_RSA_PRIVATE_KEYS_INACTIVE"])
    assert all(k["kty"] == "RSA" and "d" not in k for k in keys)
    assert json.dumps(keys)


def test_key_rotation_keeps_the_old_key_in_the_jwks(settings, tmp_path):
    from django.test import Client
    from jwcrypto import jwk

    from tongban.signing_keys import load_keys, rotate

    first, inactive = load_keys(tmp_path)
    assert inactive == []
    rotate(tmp_path, stamp="20261122T000000")
    current, inactive = load_keys(tmp_path)
    assert current != first and inactive == [first]
    settings.OAUTH2_PROVIDER = {
        **settings.OAUTH2_PROVIDER,
        "OIDC_RSA_PRIVATE_KEY": current,
        "OIDC_RSA_PRIVATE_KEYS_INACTIVE": inactive,
    }
    kids = {k["kid"] for k in Client().get("/.well-known/jwks.json").json()["keys"]}
    expected = {jwk.JWK.from_pem(pem.encode()).thumbprint() for pem in (current, first)}
    assert kids == expected


def test_a_client_gets_only_the_scopes_it_was_allowed(client_app):
    app, _secret = client_app
    ClientPolicy.objects.filter(application=app).update(allowed_scopes=["openid", "profile"])
    client = person_client(people.PEOPLE[0][2])
    response = client.get(
        "/oauth/authorize/?" + urlencode(_authorize_params(app, "openid id_number", _pkce()[1]))
    )
    query = parse_qs(urlsplit(response["Location"]).query)
    assert response.status_code == 302 and query["error"] == ["invalid_scope"]


def test_prompt_none_answers_with_an_error_not_an_error_page(client_app):
    app, secret = client_app
    client = person_client(people.PEOPLE[0][2])
    _sign_in(client, app, secret, "openid")
    params = {**_authorize_params(app, "openid", _pkce()[1]), "prompt": "none"}
    response = client.get("/oauth/authorize/?" + urlencode(params))
    query = parse_qs(urlsplit(response["Location"]).query)
    assert response.status_code == 302 and response["Location"].startswith(REDIRECT)
    assert query.get("error") == ["consent_required"] and "code" not in query


def test_staff_cannot_sign_in_to_a_client_without_their_second_factor(client_app):
    from django.test import Client

    app, _secret = client_app
    staff = Client()
    staff.post("/account/login/", {"username": "clerk.city", "password": "Tongban-demo-2026"})
    response = staff.get(
        "/oauth/authorize/?" + urlencode(_authorize_params(app, "openid", _pkce()[1]))
    )
    assert response.status_code == 302 and "/account/second-factor/" in response["Location"]


def test_the_company_a_credit_code_log_in_acts_for_reaches_the_client(client_app):
    app, secret = client_app
    client = person_client(people.COMPANIES[0][1])  # no explicit switch
    _consent, tokens = _sign_in(client, app, secret, "openid company")
    claims = _claims(client, tokens["id_token"])
    assert claims["acting_for"]["credit_code"] == people.COMPANIES[0][1]
    assert claims["acting_for"]["items"] == "all"
