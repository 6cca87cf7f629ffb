"""A bare endpoint for benchmarks: the gateway's population check without the gateway.

``bench/exchange_throughput.py`` measures it next to ``POST /exchange/r1/{provider}/
population-verify`` as the same-run baseline: the same server stack (gunicorn, the middleware,
the database and its connections) and the same provider function (``population.verify`` of
``tongban.exchange.providers``: the ID number's checks, its blind index, the registry
look-up), without what the gateway adds around it — the client assertion, the system, grant
and rate checks, the answer's signature, and the message and data-use records.

Routed at ``/bench/exchange/population-verify`` only when the environment sets
``TONGBAN_BENCH_ENDPOINTS=1`` (``tongban/urls.py``); it is off by default and must stay off in
a deployment: it answers anyone, and logs nothing.
"""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from tongban.exchange.providers import BUILT_IN, BadQuery

SERVICE = "population-verify"
HANDLER = "population.verify"
FIELDS = ("match",)  # what the demo grant of the service covers
MAX_BODY = 64 * 1024


def _problem(code: str, message: str = "") -> JsonResponse:
    return JsonResponse({"code": code, "message": message, "problems": []}, status=400)


@csrf_exempt
@require_POST
def bench_population_verify(request: HttpRequest) -> HttpResponse:
    """Read ``{"query": {"id_number", "name"}}`` as the gateway does, answer it with the
    provider function, 200 with ``{"service", "data"}``."""
    if len(request.body) > MAX_BODY:
        return _problem("bad_request")
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return _problem("bad_request")
    query = data.get("query") if isinstance(data, dict) else None
    if not isinstance(query, dict):
        return _problem("bad_request")
    try:
        answer = BUILT_IN[HANDLER](query, FIELDS)
    except BadQuery as exc:
        return _problem("bad_query", str(exc))
    body = json.dumps(
        {"service": SERVICE, "data": answer.data}, ensure_ascii=False, separators=(",", ":")
    ).encode()
    return HttpResponse(body, content_type="application/json")
