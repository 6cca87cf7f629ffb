"""What the workbench's own pages (cases, certificates, the exchange) share: the staff gate,
rendering inside the admin site's frame, and a refused action reported as messages."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from tongban.core.errors import Forbidden, InvalidInput, NotFound, TongbanError
from tongban.workbench.admin import workbench_site

# What is typed is shown again after a refusal, up to this many characters a field.
ECHO_MAX = 2000


def staff_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A workbench page: active staff who passed the second factor, as the admin site checks."""
    return workbench_site.admin_view(view)


def render_page(
    request: HttpRequest, template: str, title: Any, *, status: int = 200, **extra: Any
) -> HttpResponse:
    """``workbench/{template}`` inside the workbench's frame (its navigation and title)."""
    context = {**workbench_site.each_context(request), "title": title, **extra}
    return TemplateResponse(request, f"workbench/{template}", context, status=status)


def report_refusal(request: HttpRequest, exc: TongbanError, labels: Mapping[str, Any]) -> None:
    """Show a refused action as messages, each problem under its field's label (a dotted field
    under its first part's); "not yours" errors become 403 / 404 pages instead."""
    if isinstance(exc, Forbidden | NotFound):
        raise exc
    if not exc.problems or not isinstance(exc, InvalidInput):
        messages.error(request, str(exc.message))
    for problem in exc.problems:
        label = labels.get(problem.field) or labels.get(problem.field.split(".")[0], "")
        messages.error(request, f"{label}: {problem.reason}" if label else str(problem.reason))


def echo(value: Any) -> str:
    """A typed value to show again in its field, bounded."""
    return str(value or "")[:ECHO_MAX]
