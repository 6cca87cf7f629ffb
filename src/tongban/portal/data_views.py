"""The data tracker (我的数据用在哪) and the public resource catalog (政务信息资源目录).

The tracker lists every access to the signed-in person's data (or the company's they act
for): through the exchange by a department's system, by the platform's staff, and every use
of their certificates; newest first, filterable, exportable as CSV. The catalog shows what
each department shares, on what terms, and through which services.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tongban.core.errors import NotFound
from tongban.core.models import DataUseRecord
from tongban.exchange import selectors
from tongban.identity.selectors import request_actor

PAGE_SIZE = 50
CSV_MAX_ROWS = 20_000
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value.strip()[:10]) if value else None
    except ValueError:
        return None


def _filters(request: HttpRequest) -> tuple[selectors.TrackerFilter, dict[str, str]]:
    raw = {
        key: request.GET.get(key, "").replace("\x00", "")[:60]
        for key in ("since", "until", "department", "channel")
    }
    filters = selectors.TrackerFilter(
        since=_date(raw["since"]),
        until=_date(raw["until"]),
        department=" ".join(raw["department"].split()),
        channel=raw["channel"] if raw["channel"] in DataUseRecord.Channel.values else "",
    )
    return filters, raw


def _cell(value: object) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = str(value)
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def _csv(records) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            _("When"),
            _("Channel"),
            _("Department"),
            _("System"),
            _("Service"),
            _("Purpose"),
            _("Case number"),
            _("Reference"),
            _("Answered"),
        ]
    )
    for r in records[:CSV_MAX_ROWS]:
        writer.writerow(
            [
                _cell(f"{timezone.localtime(r.at):%Y-%m-%d %H:%M:%S}"),
                _cell(r.get_channel_display()),
                _cell(r.department),
                _cell(_(r.system) if r.system else ""),
                _cell(_(r.service)),
                _cell(_(r.purpose) if r.purpose else ""),
                _cell(r.case_number),
                _cell(r.reference),
                _("yes") if r.served else _("no"),
            ]
        )
    response = HttpResponse(
        "\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8"
    )  # the BOM makes spreadsheet programs read UTF-8
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="data-use-{stamp}.csv"'
    return response


@login_required
@require_GET
def data_uses(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    filters, raw = _filters(request)
    subject = selectors.tracker_subject(actor=actor)
    records = selectors.my_data_uses(actor=actor, filters=filters)
    if request.GET.get("format") == "csv":
        return _csv(records)
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "portal/data/uses.html",
        {
            "subject": subject,
            "page": page,
            "filters": raw,
            "channels": DataUseRecord.Channel.choices,
            "query": query.urlencode(),
        },
    )


@require_GET
def resources(request: HttpRequest) -> HttpResponse:
    q = " ".join(request.GET.get("q", "").replace("\x00", "").split())[:60]
    rows = selectors.resources_published(query=q)
    return render(
        request,
        "portal/data/resources.html",
        {"resources": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")), "q": q},
    )


@require_GET
def resource(request: HttpRequest, code: str) -> HttpResponse:
    try:
        row = selectors.resource_get(code=code[:40])
    except NotFound as exc:
        raise Http404 from exc
    return render(
        request,
        "portal/data/resource.html",
        {"resource": row, "services": [s for s in row.services.all() if s.enabled]},
    )
