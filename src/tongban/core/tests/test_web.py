from __future__ import annotations

import json

import pytest
from django.test import Client


@pytest.mark.django_db
def test_healthz_checks_the_database(client: Client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["status"] == "ok"
    assert body["database"] in ("sqlite", "postgresql")


@pytest.mark.django_db
def test_request_id_is_kept_when_well_formed_and_replaced_otherwise(client: Client):
    assert client.get("/healthz", HTTP_X_REQUEST_ID="abc-123")["X-Request-ID"] == "abc-123"
    replaced = client.get("/healthz", HTTP_X_REQUEST_ID="bad id\n<script>")["X-Request-ID"]
    assert replaced != "bad id\n<script>" and len(replaced) == 32


@pytest.mark.django_db
def test_security_headers(client: Client):
    response = client.get("/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_log_lines_never_carry_full_id_or_mobile_numbers():
    from tongban.core.logging import mask_text

    line = "lookup 11010519491231002X by 13812345678 for 91110000600037341L"
    assert mask_text(line) == "lookup 110***********002X by 138****5678 for 91110000600037341L"
    assert "13812345678" not in mask_text("claim +8613812345678 and １３８１２３４５６７８")
    assert "5678" in mask_text("+8613812345678")


def test_nested_values_and_tracebacks_are_masked_in_log_output():
    import io
    import logging
    import logging.config

    from tongban.core.logging import configure, mask_personal_numbers

    event = mask_personal_numbers(None, "info", {"data": {"ids": ["11010519491231002X"]}})
    assert "11010519491231002X" not in str(event)
    configure({"level": "INFO", "format": "json"})
    handler = logging.getLogger().handlers[0]
    stream = io.StringIO()
    handler.setStream(stream)
    try:
        raise ValueError("bad number 11010519491231002X")
    except ValueError:
        logging.getLogger("tongban.test").exception("failed for 13812345678")
    output = stream.getvalue()
    from django.conf import settings

    configure(settings.LOGGING)  # back to the suite's logging
    assert "failed for" in output and "bad number" in output
    assert "11010519491231002X" not in output and "13812345678" not in output


def test_forwarded_for_is_used_only_behind_trusted_proxies(settings):
    from django.http import HttpResponse
    from django.test import RequestFactory

    from tongban.core.middleware import ForwardedForMiddleware

    seen = {}

    def view(request):
        seen["ip"] = request.META["REMOTE_ADDR"]
        return HttpResponse()

    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    settings.TRUSTED_PROXY_COUNT = 0
    ForwardedForMiddleware(view)(request)
    assert seen["ip"] == "127.0.0.1"  # the header is ignored: it could be forged
    settings.TRUSTED_PROXY_COUNT = 1
    ForwardedForMiddleware(view)(request)
    assert seen["ip"] == "203.0.113.9"  # what the one trusted proxy saw; 6.6.6.6 was forged


def test_the_cached_policy_is_what_django_csp_would_write(settings):
    """The policy built once is django-csp's, for a plain response, a decorated one, one that
    used a nonce, an exempt one and an excluded path; a changed setting is picked up."""
    from csp.middleware import CSPMiddleware as DjangoCSP
    from django.http import HttpResponse
    from django.test import RequestFactory

    from tongban.core.middleware import CSPMiddleware

    def written(middleware_class, path="/", tweak=None, nonce=False):
        request = RequestFactory().get(path)
        middleware = middleware_class(lambda r: HttpResponse("ok"))
        middleware.process_request(request)
        if nonce:
            str(request.csp_nonce)
        response = HttpResponse("ok")
        if tweak:
            tweak(response)
        middleware.process_response(request, response)
        return {k: v for k, v in response.items() if k.startswith("Content-Security-Policy")}

    def update(response):
        response._csp_update = {"form-action": ["https://rp.example"]}

    def exempt(response):
        response._csp_exempt = True

    cases = [{}, {"tweak": update}, {"nonce": True}, {"tweak": exempt}]
    for kwargs in cases:
        assert written(CSPMiddleware, **kwargs) == written(DjangoCSP, **kwargs), kwargs
    assert "default-src 'self'" in written(CSPMiddleware)["Content-Security-Policy"]
    assert "rp.example" in written(CSPMiddleware, tweak=update)["Content-Security-Policy"]
    assert written(CSPMiddleware, tweak=exempt) == {}

    settings.CONTENT_SECURITY_POLICY = {
        "EXCLUDE_URL_PREFIXES": ["/excluded"],
        "DIRECTIVES": {"default-src": ["'none'"]},
    }
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": {"img-src": ["'self'"]}}
    for kwargs in [{}, {"path": "/excluded/x"}, {"nonce": True}]:
        assert written(CSPMiddleware, **kwargs) == written(DjangoCSP, **kwargs), kwargs
    changed = written(CSPMiddleware)
    assert changed["Content-Security-Policy"] == "default-src 'none'"
    assert "img-src 'self'" in changed["Content-Security-Policy-Report-Only"]
    assert list(written(CSPMiddleware, path="/excluded/x")) == [
        "Content-Security-Policy-Report-Only"
    ]
