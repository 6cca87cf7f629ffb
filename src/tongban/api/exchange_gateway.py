"""The exchange gateway's HTTP face: ``/exchange/r1/{provider}/{service}`` and the gateway's
JWKS. A plain Django view (no API framework in the path): the protocol, the checks and the
log are ``tongban.exchange.services.gateway``; this only moves bytes."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from tongban.core.errors import NotFound, TongbanError
from tongban.exchange.services import MAX_BODY, gateway_call, gateway_jwks


@csrf_exempt
def gateway(request: HttpRequest, provider: str, service: str) -> HttpResponse:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    # An oversized body is refused as malformed without being read.
    body = b"\xff" * (MAX_BODY + 1) if length > MAX_BODY else request.body
    reply = gateway_call(
        method=request.method or "",
        path=request.path,
        headers=request.headers,
        body=body,
        provider=provider,
        service=service,
    )
    response = HttpResponse(reply.body, status=reply.status, content_type="application/json")
    for name, value in reply.headers.items():
        response[name] = value
    return response


@require_GET
def jwks(request: HttpRequest) -> JsonResponse:
    response = JsonResponse(gateway_jwks())
    response["Cache-Control"] = "public, max-age=300"
    return response


def not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    """A gateway-only process answers a path it does not serve in JSON (there is no portal)."""
    return JsonResponse(NotFound().as_dict(), status=404)


def server_error(request: HttpRequest) -> JsonResponse:
    return JsonResponse(TongbanError().as_dict(), status=500)
