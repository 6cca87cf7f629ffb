"""Request context (request id, structured access log), domain-error pages, and the content
security policy built once."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable

import structlog
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.db import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from tongban.core.errors import TongbanError, Unavailable
from tongban.core.request_context import reset_request_id, set_request_id

logger = structlog.get_logger("tongban.request")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestContextMiddleware:
    """Gives every request an id (kept from ``X-Request-ID`` when well formed) and logs it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        token = set_request_id(request_id)
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
        finally:
            structlog.contextvars.clear_contextvars()
            reset_request_id(token)
        response["X-Request-ID"] = request_id
        if not request.path.startswith("/static/"):
            logger.info(
                "request",
                request_id=request_id,
                method=request.method,
                path=request.path,
                status=response.status_code,
                duration_ms=round((time.perf_counter() - started) * 1000, 1),
            )
        return response


class DomainErrorMiddleware:
    """Renders a domain error raised by a page view as a translated error page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, (OperationalError, InterfaceError)):
            logger.warning("database.unavailable", error=type(exception).__name__)
            exception = Unavailable()
        if not isinstance(exception, TongbanError):
            return None
        if request.path.startswith("/api/"):
            return JsonResponse(exception.as_dict(), status=exception.http_status)
        return render(
            request,
            "error.html",
            {"error": exception, "problems": exception.problems},
            status=exception.http_status,
        )


class ForwardedForMiddleware:
    """Behind ``TRUSTED_PROXY_COUNT`` proxies, the client's address is the one the outermost
    trusted proxy saw (from ``X-Forwarded-For``): throttling, lockout and session lists then
    count people, not the proxy. With no trusted proxy (the default) the header is ignored, so
    it cannot be forged."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.count = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.count > 0:
            hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
            hops = [h for h in hops if h]
            if hops:
                request.META["REMOTE_ADDR"] = hops[max(0, len(hops) - self.count)]
        return self.get_response(request)


_PER_RESPONSE_POLICY = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
)
# (report only, header, the setting naming excluded prefixes, the response's exemption flag)
_POLICY_HEADERS = (
    (False, "Content-Security-Policy", "CONTENT_SECURITY_POLICY", "_csp_exempt"),
    (
        True,
        "Content-Security-Policy-Report-Only",
        "CONTENT_SECURITY_POLICY_REPORT_ONLY",
        "_csp_exempt_ro",
    ),
)
_built_policies: dict[bool, str] = {}


@receiver(setting_changed)
def _forget_built_policies(*, setting: str, **_kwargs: object) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _built_policies.clear()


class CSPMiddleware(BaseCSPMiddleware):
    """django-csp's middleware, with the policy of the settings built once: a response that
    neither changes its policy (django-csp's decorators) nor used a nonce gets the same
    headers, under the same exemptions, without building them again (about 60 µs a
    response); any other response is django-csp's own."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if getattr(request, "_csp_nonce", None) is not None or any(
            getattr(response, name, None) is not None for name in _PER_RESPONSE_POLICY
        ):
            return super().process_response(request, response)
        if settings.DEBUG and response.status_code in (404, 500):
            return response
        for report_only, header, setting, exempt in _POLICY_HEADERS:
            policy = _built_policies.get(report_only)
            if policy is None:
                policy = _built_policies[report_only] = build_policy(report_only=report_only)
            if not policy or header in response or getattr(response, exempt, False):
                continue
            prefixes = (getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES") or ()
            if not request.path_info.startswith(tuple(prefixes)):
                response[header] = policy
        # As django-csp does: a nonce asked for after the header is written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
