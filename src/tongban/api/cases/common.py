"""The cases API's plumbing: its router, body-size limits refused before reading, and the
POST decorator that applies them."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import Router
from ninja.decorators import decorate_view

from tongban.api.identity import (
    BearerToken,
    ErrorOut,
    PortalSession,
)
from tongban.cases import services
from tongban.core.errors import TongbanError

router = Router(tags=["cases"], auth=[BearerToken(), PortalSession()])

MAX_ID = 2**31 - 1
KEY_MAX_LENGTH = 100  # as the submission keys are stored
SMALL_BODY_BYTES = 256 * 1024
MULTIPART_OVERHEAD_BYTES = 64 * 1024
# Where problems in a JSON body are reported, as for the schema's own checks ("body" twice:
# django-ninja's location of the body, then the parameter's name).
BODY = "body.body"


# --------------------------------------------------------------------------------------------
# Request size: refused from Content-Length, before the body is read or parsed


class PayloadTooLarge(TongbanError):
    http_status = 413
    code = "too_large"


def application_body_limit() -> int:
    """The largest ``POST /cases`` body: Django's own limit unless set lower."""
    django_limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 20 * 1024 * 1024
    return min(int(getattr(settings, "CASE_API_MAX_BODY_BYTES", django_limit)), django_limit)


def upload_body_limit() -> int:
    return services.applying.max_upload_bytes() + MULTIPART_OVERHEAD_BYTES


def _body_limit(limit: Callable[[], int]) -> Callable[[Any], Any]:
    def decorator(run: Any) -> Any:
        @functools.wraps(run)
        def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            allowed = limit()
            if length > allowed:
                error = PayloadTooLarge(
                    _("The request is larger than %(mb).1f MB.") % {"mb": allowed / 2**20}
                )
                return JsonResponse(
                    error.as_dict(), status=413, json_dumps_params={"ensure_ascii": False}
                )
            return run(request, *args, **kwargs)

        return checked

    return decorator


def post(path: str, *, limit: Callable[[], int] = lambda: SMALL_BODY_BYTES, **kwargs: Any) -> Any:
    """A POST operation whose body is refused above ``limit()`` bytes (413) unread."""

    def register(func: Any) -> Any:
        decorate_view(_body_limit(limit))(func)
        kwargs["response"] = kwargs["response"] | {413: ErrorOut}
        return router.post(path, **kwargs)(func)

    return register
