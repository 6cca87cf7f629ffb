"""Hooks for django-axes: what a lockout record keeps, and what a locked-out person sees."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tongban.core.crypto import blind_index
from tongban.identity.backends import identifier_digest, user_for_identifier


def lockout_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str:
    """One lockout per account, whichever identifier names it (ID number, mobile, credit
    code): failures with each add up. Unknown identifiers are counted by their digest."""
    identifier = (credentials or {}).get("username")
    if identifier is None:
        identifier = request.POST.get("username", "") if request.method == "POST" else ""
    user, _company = user_for_identifier(str(identifier)[:100])
    if user is not None:
        return blind_index(f"user:{user.pk}", context="login")[:40]
    return identifier_digest(str(identifier)[:100])


def locked_out_response(
    request: HttpRequest, credentials: Any = None, *args: Any, **kw: Any
) -> HttpResponse:
    return render(request, "portal/account/locked_out.html", status=429)
