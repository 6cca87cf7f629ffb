"""Workbench pages outside the admin: catalog import / export and publishing."""

from __future__ import annotations

import datetime as dt
import json

from django import forms
from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.catalog import selectors as catalog_selectors
from tongban.catalog import services as catalog_services
from tongban.catalog.formats import csv_archive_write
from tongban.catalog.models import ItemVersion
from tongban.core.errors import Forbidden, InvalidInput
from tongban.workbench.admin import actor_of, workbench_site


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Catalog file"), help_text=_("A .json file or a .zip of CSV files.")
    )
    publish = forms.BooleanField(label=_("Publish the imported versions"), required=False)
    effective_from = forms.DateField(
        label=_("Effective from"),
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )


@staff_member_required
def catalog_import(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    if not actor.has_role("catalog_manager"):
        raise Forbidden()
    problems, summary = [], None
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > settings.CATALOG_IMPORT_MAX_BYTES:
            form.add_error("file", _("The file is too large."))
        else:
            try:
                summary = catalog_services.catalog_import(
                    actor=actor,
                    content=upload.read(),
                    filename=upload.name,
                    publish=form.cleaned_data["publish"],
                    effective_from=form.cleaned_data["effective_from"],
                )
            except InvalidInput as exc:
                problems = exc.problems
                form.add_error(None, exc.message)
    context = {
        **workbench_site.each_context(request),
        "title": _("Import the catalog"),
        "form": form,
        "problems": problems,
        "summary": summary,
    }
    status = 422 if problems else 200
    return render(request, "workbench/import.html", context, status=status)


@staff_member_required
def catalog_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if not actor_of(request).has_role("catalog_manager"):
        raise Forbidden()
    if fmt not in ("json", "zip"):
        raise Http404
    document = catalog_selectors.catalog_export_document(include_files=fmt == "json")
    stamp = timezone.localdate().isoformat()
    if fmt == "zip":
        response = HttpResponse(csv_archive_write(document), content_type="application/zip")
    else:
        response = HttpResponse(
            json.dumps(document, ensure_ascii=False, indent=1, default=str),
            content_type="application/json; charset=utf-8",
        )
    response["Content-Disposition"] = f'attachment; filename="tongban-catalog-{stamp}.{fmt}"'
    return response


class PublishForm(forms.Form):
    effective_from = forms.DateField(
        label=_("Effective from"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )


@staff_member_required
def publish(request: HttpRequest, version_id: int) -> HttpResponse:
    version = get_object_or_404(ItemVersion.objects.select_related("item"), pk=version_id)
    actor = actor_of(request)
    if not catalog_services.catalog_may_manage(actor, version.item):
        raise Forbidden()
    form = PublishForm(request.POST or None, initial={"effective_from": timezone.localdate()})
    problems = []
    if request.method == "POST" and form.is_valid():
        try:
            catalog_services.item_version_publish(
                actor=actor,
                version_id=version.pk,
                effective_from=form.cleaned_data["effective_from"],
            )
        except InvalidInput as exc:
            problems = exc.problems
            form.add_error(None, exc.message)
        else:
            return redirect(
                reverse("admin:catalog_implementationitem_change", args=[version.item_id])
            )
    context = {
        **workbench_site.each_context(request),
        "title": _("Publish %(name)s v%(n)d") % {"name": version.name, "n": version.number},
        "version": version,
        "form": form,
        "problems": problems,
        "today": dt.date.today(),
    }
    return render(request, "workbench/publish.html", context)
