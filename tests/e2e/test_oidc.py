"""Single sign-on against the live server, as a department's system does it: an independent
OpenID Connect client (authlib) and JOSE library (joserfc), over real HTTP."""

from __future__ import annotations

import re
import subprocess
import sys
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.jwk import KeySet

from tests.e2e.accounts import DEMO_PASSWORD
from tongban.demo import people

pytestmark = pytest.mark.e2e
REDIRECT = "https://land-registry.example/callback"


class _Form(HTMLParser):
    """The fields of the first form with the given id (or the first form)."""

    def __init__(self, form_id: str | None = None) -> None:
        super().__init__()
        self.form_id, self.inside, self.done, self.fields = form_id, False, False, {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if (
            tag == "form"
            and not self.done
            and (self.form_id is None or attrs.get("id") == self.form_id)
        ):
            self.inside = True
        elif tag == "input" and self.inside and attrs.get("name"):
            self.fields.setdefault(attrs["name"], attrs.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside, self.done = False, True


def _fields(html: str, form_id: str | None = None) -> dict[str, str]:
    parser = _Form(form_id)
    parser.feed(html)
    return parser.fields


@pytest.fixture(scope="module")
def registered_client(live_url):
    """A confidential client registered by an administrator (the management command)."""
    from tests.e2e.conftest import ROOT, server_env

    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "oidc_client_create",
            "--name",
            "不动产登记系统",
            "--redirect-uri",
            REDIRECT,
            "--post-logout-uri",
            "https://land-registry.example/bye",
        ],
        env=server_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    values = dict(line.split(": ", 1) for line in result.stdout.splitlines() if ": " in line)
    return values["client_id"], values["client_secret"]


def _browser_login(live_url: str, identifier: str) -> requests.Session:
    browser = requests.Session()
    page = browser.get(f"{live_url}/account/login/")
    form = _fields(page.text)
    form.update(username=identifier, password=DEMO_PASSWORD)
    response = browser.post(
        f"{live_url}/account/login/",
        data=form,
        allow_redirects=False,
        headers={"Referer": f"{live_url}/account/login/"},
    )
    assert response.status_code == 302
    return browser


def _authorize(live_url, browser, client_id, client_secret, scope, *, pkce=True):
    oauth = OAuth2Session(
        client_id,
        client_secret,
        scope=scope,
        redirect_uri=REDIRECT,
        code_challenge_method="S256" if pkce else None,
    )
    verifier = generate_token(48)
    nonce = generate_token(16)
    extra = {"nonce": nonce}
    if pkce:
        extra["code_verifier"] = verifier
    url, state = oauth.create_authorization_url(f"{live_url}/oauth/authorize/", **extra)
    return oauth, url, state, verifier, nonce


def _consent(live_url, browser, url):
    page = browser.get(url, allow_redirects=False)
    assert page.status_code == 200, page.text[:300]
    form = _fields(page.text, "authorizationForm")
    form["allow"] = "Authorize"
    response = browser.post(
        f"{live_url}/oauth/authorize/", data=form, allow_redirects=False, headers={"Referer": url}
    )
    assert response.status_code == 302
    return page.text, response.headers["Location"]


def test_a_department_system_signs_a_person_in(live_url, registered_client):
    client_id, client_secret = registered_client
    discovery = requests.get(f"{live_url}/.well-known/openid-configuration", timeout=10).json()
    assert discovery["issuer"] == live_url
    assert discovery["code_challenge_methods_supported"] == ["S256"]
    browser = _browser_login(live_url, people.PEOPLE[1][2])  # 李娜, L2

    oauth, url, state, verifier, nonce = _authorize(
        live_url, browser, client_id, client_secret, "openid profile"
    )
    consent, location = _consent(live_url, browser, url)
    assert "不动产登记系统" in consent and "完整公民身份号码" not in consent
    assert location.startswith(REDIRECT)
    token = oauth.fetch_token(
        discovery["token_endpoint"],
        authorization_response=location,
        code_verifier=verifier,
        state=state,
    )
    keys = KeySet.import_key_set(requests.get(discovery["jwks_uri"], timeout=10).json())
    claims = jwt.decode(token["id_token"], keys, algorithms=["RS256"]).claims
    registry = jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": live_url},
        aud={"essential": True, "value": client_id},
        nonce={"essential": True, "value": nonce},
    )
    registry.validate(claims)
    assert claims["acr"] == "urn:tongban:loa:2" and claims["name"] == people.PEOPLE[1][0]
    assert "id_number" not in claims
    userinfo = oauth.get(discovery["userinfo_endpoint"]).json()
    assert userinfo["sub"] == claims["sub"] and "phone_number" not in userinfo

    # A forged token (signed by another key) does not verify against the JWKS.
    from joserfc.jwk import RSAKey

    forged = jwt.encode({"alg": "RS256"}, dict(claims, name="冒名"), RSAKey.generate_key(2048))
    with pytest.raises(Exception):  # noqa: B017 - any verification error
        jwt.decode(forged, keys, algorithms=["RS256"])

    # RP-initiated logout ends the Tongban session.
    logout_url = (
        f"{discovery['end_session_endpoint']}?id_token_hint={token['id_token']}"
        "&post_logout_redirect_uri=https://land-registry.example/bye"
    )
    page = browser.get(logout_url, allow_redirects=False)
    form = _fields(page.text, "authorizationForm")
    form["allow"] = "Logout"
    done = browser.post(
        discovery["end_session_endpoint"],
        data=form,
        allow_redirects=False,
        headers={"Referer": logout_url},
    )
    assert done.status_code == 302
    assert done.headers["Location"].startswith("https://land-registry.example/bye")
    assert browser.get(f"{live_url}/account/", allow_redirects=False).status_code == 302


def test_refusals_without_pkce_and_for_an_unregistered_redirect(live_url, registered_client):
    client_id, client_secret = registered_client
    browser = _browser_login(live_url, people.PEOPLE[0][2])
    _oauth, url, *_rest = _authorize(
        live_url, browser, client_id, client_secret, "openid", pkce=False
    )
    response = browser.get(url, allow_redirects=False)
    assert response.status_code == 302
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    assert query["error"] == ["invalid_request"] and "code" not in query

    oauth = OAuth2Session(
        client_id,
        client_secret,
        scope="openid",
        redirect_uri="https://attacker.example/cb",
        code_challenge_method="S256",
    )
    url, _state = oauth.create_authorization_url(
        f"{live_url}/oauth/authorize/", code_verifier=generate_token(48), nonce="n"
    )
    response = browser.get(url, allow_redirects=False)
    assert response.status_code == 400
    assert "attacker.example" not in response.headers.get("Location", "")
    assert re.search(r"invalid_request|redirect", response.text)
