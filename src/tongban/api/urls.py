"""The REST API, version 1. The OpenAPI document is at /api/v1/openapi.json."""

from __future__ import annotations

from typing import Any

from csp.decorators import csp_update
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from ninja import NinjaAPI
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser

from tongban.api.cases import router as cases_router
from tongban.api.catalog import router as catalog_router
from tongban.api.certificate_staff import router as certificate_staff_router
from tongban.api.certificates import router as certificates_router
from tongban.api.exchange import router as exchange_router
from tongban.api.identity import Unauthenticated
from tongban.api.identity import router as identity_router
from tongban.api.organizations import router as organizations_router
from tongban.core.errors import TongbanError, Unavailable
from tongban.core.text import has_nul


class TextSafeParser(Parser):
    """JSON bodies and query values with NUL characters are refused with 422 (the database
    cannot store them; see tongban.core.text)."""

    def parse_body(self, request: HttpRequest) -> Any:
        data = super().parse_body(request)
        if has_nul(data):
            raise NinjaValidationError(
                [
                    {
                        "type": "value_error",
                        "loc": ("body",),
                        "msg": str(_("The text contains a NUL character.")),
                    }
                ]
            )
        return data

    def parse_querydict(self, data: Any, list_fields: list[str], request: HttpRequest) -> Any:
        result = super().parse_querydict(data, list_fields, request)
        if has_nul(result):
            raise NinjaValidationError(
                [
                    {
                        "type": "value_error",
                        "loc": ("query",),
                        "msg": str(_("The text contains a NUL character.")),
                    }
                ]
            )
        return result


api = NinjaAPI(
    parser=TextSafeParser(),
    title="Tongban API",
    version="1.0.0",
    description=(
        "The API of Tongban (通办), the integrated online government services platform. "
        "Every operation of the portal and the workbench is available here. Answers are in "
        "Simplified Chinese by default; send `Accept-Language: en` for English. Errors have "
        "the shape `{code, message, problems: [{location, field, reason}]}`."
    ),
    urls_namespace="api",
    docs_url="/docs",
    # Swagger UI (served from our own static files) sets inline styles on its elements.
    docs_decorator=csp_update({"style-src": ["'unsafe-inline'"]}),
    openapi_url="/openapi.json",
)
api.add_router("/catalog", catalog_router)
api.add_router("/organizations", organizations_router)
api.add_router("/identity", identity_router)
api.add_router("/certificates", certificates_router)
api.add_router("/certificates", certificate_staff_router)
api.add_router("/exchange", exchange_router)
api.add_router("/", cases_router)


@api.exception_handler(TongbanError)
def domain_error(request: HttpRequest, exc: TongbanError) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.http_status)


@api.exception_handler(Unauthenticated)
def unauthenticated(request: HttpRequest, exc: Unauthenticated) -> HttpResponse:
    response = domain_error(request, exc)
    response["WWW-Authenticate"] = exc.challenge
    return response


# pydantic's error types → messages in the reader's language (pydantic writes English).
PYDANTIC_REASONS = {
    "missing": _lazy("This field is required."),
    "extra_forbidden": _lazy("This field is not expected."),
    "string_too_long": _lazy("This is too long."),
    "string_too_short": _lazy("This is too short."),
    "string_type": _lazy("Enter text."),
    "string_pattern_mismatch": _lazy("This is not in the expected format."),
    "int_parsing": _lazy("Enter a whole number."),
    "int_type": _lazy("Enter a whole number."),
    "float_parsing": _lazy("Enter a number."),
    "bool_parsing": _lazy("Enter true or false."),
    "date_parsing": _lazy("Enter a date as YYYY-MM-DD."),
    "date_from_datetime_parsing": _lazy("Enter a date as YYYY-MM-DD."),
    "date_type": _lazy("Enter a date as YYYY-MM-DD."),
    "datetime_parsing": _lazy("Enter a date and time (ISO 8601)."),
    "list_type": _lazy("Enter a list."),
    "dict_type": _lazy("Enter an object."),
    "model_type": _lazy("Enter an object."),
    "too_long": _lazy("Too many entries."),
    "greater_than_equal": _lazy("This number is too small."),
    "less_than_equal": _lazy("This number is too large."),
    "literal_error": _lazy("Choose one of the allowed values."),
    "enum": _lazy("Choose one of the allowed values."),
    "json_invalid": _lazy("This is not valid JSON."),
}


def _reason(error: dict[str, Any]) -> str:
    if error.get("type") == "value_error":
        # Our own validators' messages (already translated), minus pydantic's prefix.
        return str(error.get("msg", "")).removeprefix("Value error, ")
    return str(PYDANTIC_REASONS.get(error.get("type", ""), _lazy("This value is not valid.")))


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def database_unavailable(request: HttpRequest, exc: Exception) -> HttpResponse:
    """The database went away mid-request: nothing was saved; say so, and that a retry is safe."""
    response = domain_error(request, Unavailable())
    response["Retry-After"] = "5"
    return response


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """django-ninja's own refusals (an unreadable body) in the API's error format."""
    if exc.status_code == 400:
        message = _("The request body cannot be read: send JSON (UTF-8) without NUL characters.")
    else:
        message = str(exc)
    body = {"code": "bad_request" if exc.status_code == 400 else "error", "message": message}
    return api.create_response(request, body, status=exc.status_code)


@api.exception_handler(NinjaValidationError)
def schema_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    problems = [
        {
            "location": ".".join(str(p) for p in e.get("loc", [])[:-1]),
            "field": str(e.get("loc", [""])[-1]),
            "reason": _reason(e),
        }
        for e in exc.errors
    ]
    body = {
        "code": "invalid",
        "message": _("Some of the information is not valid. Please correct it and try again."),
        "problems": problems,
    }
    return api.create_response(request, body, status=422)
