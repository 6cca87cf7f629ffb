"""The REST API, version 1. The OpenAPI document is at /api/v1/openapi.json."""

from __future__ import annotations

from csp.decorators import csp_update
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import ValidationError as NinjaValidationError

from tongban.api.catalog import router as catalog_router
from tongban.api.identity import Unauthenticated
from tongban.api.identity import router as identity_router
from tongban.api.organizations import router as organizations_router
from tongban.core.errors import TongbanError

api = NinjaAPI(
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


@api.exception_handler(TongbanError)
def domain_error(request: HttpRequest, exc: TongbanError) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.http_status)


@api.exception_handler(Unauthenticated)
def unauthenticated(request: HttpRequest, exc: Unauthenticated) -> HttpResponse:
    response = domain_error(request, exc)
    response["WWW-Authenticate"] = exc.challenge
    return response


@api.exception_handler(NinjaValidationError)
def schema_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    problems = [
        {
            "location": ".".join(str(p) for p in e.get("loc", [])[:-1]),
            "field": str(e.get("loc", [""])[-1]),
            # Our own validators' messages come prefixed by pydantic; people need only ours.
            "reason": str(e.get("msg", "")).removeprefix("Value error, "),
        }
        for e in exc.errors
    ]
    body = {
        "code": "invalid",
        "message": _("Some of the information is not valid. Please correct it and try again."),
        "problems": problems,
    }
    return api.create_response(request, body, status=422)
