"""A bare endpoint for benchmarks: authenticate as the API does, insert one row, answer 201.

``bench/case_throughput.py`` measures it next to the cases API as the same-run baseline: the
same server stack (gunicorn, the middleware, the database and its connections) and the same
bearer-token check, with one INSERT in place of the cases services and no django-ninja.

Routed at ``/bench/insert`` only when the environment sets ``TONGBAN_BENCH_ENDPOINTS=1``
(``tongban/urls.py``); it is off by default and must stay off in a deployment. The token check
is handed in by the URL configuration (``auth``: the API's ``BearerToken``), because this
module is in ``tongban.core``, below the API in the import layers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from tongban.core.audit import audit_log
from tongban.core.errors import TongbanError


@csrf_exempt
@require_POST
def bench_insert(request: HttpRequest, auth: Callable[[HttpRequest], Any]) -> JsonResponse:
    """Check the bearer token through ``auth`` (the caller, or None without a token), then
    append one audit record (a single INSERT, in its own transaction) and answer 201."""
    try:
        caller = auth(request)
    except TongbanError as exc:  # an unknown, expired or revoked token, a missing scope
        return JsonResponse(exc.as_dict(), status=exc.http_status)
    if caller is None:
        return JsonResponse({"code": "unauthenticated", "message": "", "problems": []}, status=401)
    record = audit_log(actor=caller.actor, action="bench.insert", object_type="bench")
    return JsonResponse({"id": record.pk}, status=201)
