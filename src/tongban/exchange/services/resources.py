"""The resource catalog (政务信息资源目录): publishing resources and their services.

A provider's data managers publish a resource with its metadata (classification, code,
summary, format, data items and types, sharing type with its condition or legal basis, open
type, update cycle) and the services on it. ``resource_publish`` takes one resource as a
document (a dict, as the workbench form and the API send it) and creates or updates it.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tongban.core.audit import audit_log
from tongban.core.authorization import authorize
from tongban.core.errors import InvalidInput, Problem
from tongban.core.text import has_nul
from tongban.core.types import Actor
from tongban.exchange.models import ExchangeService, Resource, SharingType
from tongban.exchange.providers import BUILT_IN
from tongban.organizations.selectors import department_by_code, department_target

_CODE = re.compile(r"^[0-9A-Z][0-9A-Z-]{2,39}$")
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_SERVICE = re.compile(r"^[a-z0-9][a-z0-9-]{2,59}$")
ITEM_TYPES = {"string", "integer", "number", "boolean", "date"}
MAX_ITEMS = 100
MAX_SERVICES = 20


def _text(
    doc: dict[str, Any],
    key: str,
    problems: list[Problem],
    *,
    limit: int,
    required: bool = True,
    field: str | None = None,
) -> str:
    value = doc.get(key, "")
    text = " ".join(value.split()) if isinstance(value, str) else None
    if text is None or len(text) > limit or (required and not text):
        problems.append(
            Problem(
                field=field or key,
                reason=str(_("Give text of at most %(n)d characters.")) % {"n": limit},
            )
        )
        return ""
    return text


def _items(value: Any, problems: list[Problem]) -> list[dict[str, str]]:
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_ITEMS:
        problems.append(Problem(field="data_items", reason=str(_("List 1 to 100 data items."))))
        return []
    items, keys = [], set()
    for i, entry in enumerate(value):
        ok = (
            isinstance(entry, dict)
            and isinstance(entry.get("key"), str)
            and _KEY.match(entry["key"])
            and entry["key"] not in keys
            and isinstance(entry.get("name"), str)
            and 1 <= len(entry["name"].strip()) <= 60
            and entry.get("type", "string") in ITEM_TYPES
        )
        if not ok:
            problems.append(
                Problem(
                    field=f"data_items.{i}",
                    reason=str(
                        _(
                            "Each data item needs a unique key (a-z, 0-9, _), a name and a "
                            "type (string, integer, number, boolean, date)."
                        )
                    ),
                )
            )
            continue
        keys.add(entry["key"])
        items.append(
            {
                "key": entry["key"],
                "name": entry["name"].strip(),
                "type": entry.get("type", "string"),
            }
        )
    return items


def _services(value: Any, item_keys: set[str], problems: list[Problem]) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > MAX_SERVICES:
        problems.append(Problem(field="services", reason=str(_("At most 20 services."))))
        return []
    services = []
    for i, entry in enumerate(value):
        where = f"services.{i}"
        if not isinstance(entry, dict):
            problems.append(Problem(field=where, reason=str(_("Describe the service."))))
            continue
        code = entry.get("code")
        kind = entry.get("kind")
        handler = entry.get("handler", "") or ""
        url = entry.get("endpoint_url", "") or ""
        fields = entry.get("fields", [])
        inputs = entry.get("inputs", [])
        reasons = []
        if not isinstance(code, str) or not _SERVICE.match(code):
            reasons.append(_("The code: 3 to 60 lower-case letters, digits or dashes."))
        if kind not in ExchangeService.Kind.values:
            reasons.append(_("The kind: query or verification."))
        if bool(handler) == bool(url) or (handler and handler not in BUILT_IN):
            reasons.append(_("Name one built-in provider or one external endpoint (https)."))
        if url and (
            not isinstance(url, str)
            or not url.startswith(("https://", "http://"))
            or len(url) > 200
        ):
            reasons.append(_("The endpoint must be an http(s) URL."))
        if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
            reasons.append(_("The fields returned: a list of field keys."))
        elif kind == ExchangeService.Kind.QUERY and not set(fields) <= item_keys:
            reasons.append(_("A query returns only the resource's data items."))
        if not isinstance(inputs, list) or not all(
            isinstance(f, str) and _KEY.match(f) for f in inputs
        ):
            reasons.append(_("The inputs: a list of keys."))
        name = entry.get("name")
        if not isinstance(name, str) or not 1 <= len(name.strip()) <= 150:
            reasons.append(_("Give the service's name."))
        timeout = entry.get("timeout_seconds", 3.0)
        if not isinstance(timeout, (int, float)) or not 0.1 <= timeout <= 30:
            reasons.append(_("The timeout: 0.1 to 30 seconds."))
        if reasons:
            problems.extend(Problem(field=where, reason=str(r)) for r in reasons)
            continue
        services.append(
            {
                "code": code,
                "name": name.strip(),
                "kind": kind,
                "handler": handler,
                "endpoint_url": url,
                "fields": list(fields),
                "inputs": list(inputs),
                "timeout_seconds": float(timeout),
            }
        )
    return services


def resource_publish(*, actor: Actor, document: dict[str, Any]) -> Resource:
    """Create or update one resource of the catalog and its services (by code)."""
    if not isinstance(document, dict) or has_nul(document):
        raise InvalidInput(problems=[Problem(field="", reason=str(_("Give a JSON object.")))])
    problems: list[Problem] = []
    provider = department_by_code(credit_code=str(document.get("provider", ""))[:18])
    if provider is None:
        problems.append(Problem(field="provider", reason=str(_("No such department."))))
    else:
        authorize(
            actor,
            "exchange.grant.decide",
            department_target(provider),
        )
    code = document.get("code")
    if not isinstance(code, str) or not _CODE.match(code):
        problems.append(
            Problem(field="code", reason=str(_("3 to 40 capital letters, digits or dashes.")))
        )
    name = _text(document, "name", problems, limit=150)
    summary = _text(document, "summary", problems, limit=2000, required=False)
    fmt = _text(document, "format", problems, limit=40, required=False) or "JSON"
    cycle = _text(document, "update_cycle", problems, limit=40, required=False)
    condition = _text(document, "sharing_condition", problems, limit=300, required=False)
    basis = _text(document, "legal_basis", problems, limit=300, required=False)
    classification = document.get("classification")
    if classification not in Resource.Classification.values:
        problems.append(
            Problem(field="classification", reason=str(_("base, theme or department.")))
        )
    sharing = document.get("sharing_type")
    if sharing not in SharingType.values:
        problems.append(
            Problem(
                field="sharing_type",
                reason=str(_("unconditional, conditional or not_shared.")),
            )
        )
    elif sharing == SharingType.CONDITIONAL and not condition:
        problems.append(
            Problem(field="sharing_condition", reason=str(_("State the condition of sharing.")))
        )
    elif sharing == SharingType.NOT_SHARED and not basis:
        problems.append(
            Problem(
                field="legal_basis",
                reason=str(_("State the legal basis for not sharing (不予共享).")),
            )
        )
    open_type = document.get("open_type", Resource.OpenType.CLOSED)
    if open_type not in Resource.OpenType.values:
        problems.append(Problem(field="open_type", reason=str(_("open, conditional or closed."))))
    items = _items(document.get("data_items"), problems)
    services = _services(document.get("services"), {i["key"] for i in items}, problems)
    if problems:
        raise InvalidInput(problems=problems)
    assert provider is not None
    with transaction.atomic():
        resource, created = Resource.objects.select_for_update().update_or_create(
            code=code,
            defaults={
                "name": name,
                "classification": classification,
                "provider": provider,
                "summary": summary,
                "format": fmt,
                "data_items": items,
                "sharing_type": sharing,
                "sharing_condition": condition,
                "legal_basis": basis,
                "open_type": open_type,
                "update_cycle": cycle,
            },
        )
        for service in services:
            ExchangeService.objects.update_or_create(
                resource=resource, code=service.pop("code"), defaults=service
            )
        audit_log(
            actor=actor,
            action="exchange.resource.publish",
            object_type="exchange_resource",
            object_id=resource.pk,
            data={"code": code, "created": created, "services": [s["name"] for s in services]},
        )
    return resource
