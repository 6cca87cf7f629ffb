"""Hooks for django-axes: what a lockout record keeps, and what a locked-out person sees."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tongban.identity.backends import identifier_digest


def lockout_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str:
    identifier = (credentials or {}).get("username")
    if identifier is None:
        identifier = request.POST.get("username", "") if request.method == "POST" else ""
    return identifier_digest(str(identifier))


def locked_out_response(
    request: HttpRequest, credentials: Any = None, *args: Any, **kw: Any
) -> HttpResponse:
    return render(request, "portal/account/locked_out.html", status=429)
