"""What applying for an item means, as data kept with its catalog version.

- The **application form**: a JSON Schema (draft 2020-12) object whose properties are the
  fields, plus layout hints under ``x-layout`` (field order, sections, which fields are long
  text) and ``x-prefill`` (which fields the platform fills from what it knows: the person's
  name or mobile, the company's name or credit code). The same schema renders the HTML form and
  validates the answers on the server.
- The **approval steps**: ordered steps ``{key, name, role, department, days, group}``; steps
  that share a ``group`` run in parallel (e.g. several departments' reviews) and join before the
  next step. ``department`` is ``"competent"`` (the item's implementing department) or a
  department's credit code.

Empty definitions mean the defaults below. Definitions are checked when a version is saved or
imported (``form_problems``, ``steps_problems``), so a published version is always usable.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from tongban.core.ids import credit_code_problem
from tongban.core.types import ROLES

# What a form may be prefilled from (the applicant's account and company record).
PREFILL_SOURCES = {
    "person.name": _("your name"),
    "person.phone": _("your mobile number"),
    "person.email": _("your e-mail address"),
    "company.name": _("the company's name"),
    "company.credit_code": _("the company's credit code"),
}
FIELD_TYPES = {"string", "integer", "number", "boolean"}
MAX_FIELDS = 60

DEFAULT_FORM: dict[str, Any] = {
    "type": "object",
    "properties": {
        "contact_name": {"type": "string", "title": "联系人", "maxLength": 50},
        "contact_phone": {
            "type": "string",
            "title": "联系电话",
            "pattern": "^1[3-9][0-9]{9}$",
            "maxLength": 11,
        },
        "note": {"type": "string", "title": "补充说明", "maxLength": 1000},
    },
    "required": ["contact_name", "contact_phone"],
    "additionalProperties": False,
    "x-layout": {"order": ["contact_name", "contact_phone", "note"], "long": ["note"]},
    "x-prefill": {"contact_name": "person.name", "contact_phone": "person.phone"},
}

DEFAULT_STEPS: list[dict[str, Any]] = [
    {"key": "review", "name": "审查", "role": "reviewer", "department": "competent", "days": 3},
    {"key": "decide", "name": "决定", "role": "approver", "department": "competent", "days": 2},
]


@dataclass(frozen=True)
class Step:
    key: str
    name: str
    role: str
    department: str  # "competent" or a credit code
    days: int
    group: str | None = None


def form_of(version: Any) -> dict[str, Any]:
    """The application form of a version (the default when it defines none)."""
    return copy.deepcopy(version.application_form or DEFAULT_FORM)


def steps_of(version: Any) -> list[Step]:
    return [
        Step(
            key=s["key"],
            name=s["name"],
            role=s["role"],
            department=s.get("department", "competent"),
            days=int(s.get("days", 1)),
            group=s.get("group"),
        )
        for s in (version.approval_steps or DEFAULT_STEPS)
    ]


def stages(steps: list[Step]) -> list[list[Step]]:
    """Steps grouped into stages: consecutive steps of one ``group`` form one parallel stage."""
    result: list[list[Step]] = []
    for step in steps:
        if result and step.group is not None and result[-1][0].group == step.group:
            result[-1].append(step)
        else:
            result.append([step])
    return result


def field_order(form: dict[str, Any]) -> list[str]:
    properties = form.get("properties", {})
    order = [k for k in form.get("x-layout", {}).get("order", []) if k in properties]
    return order + [k for k in properties if k not in order]


def form_problems(form: dict[str, Any]) -> list[str]:
    """Why a form definition is unusable (empty list: it is fine)."""
    if not form:
        return []
    if not isinstance(form, dict):
        return [str(_("The form must be a JSON object."))]
    try:
        Draft202012Validator.check_schema(form)
    except SchemaError as exc:
        return [str(_("Not a valid JSON Schema: %(error)s") % {"error": exc.message[:200]})]
    problems = []
    properties = form.get("properties")
    if form.get("type") != "object" or not isinstance(properties, dict) or not properties:
        return [str(_("The form must be an object with at least one property."))]
    if len(properties) > MAX_FIELDS:
        problems.append(str(_("A form has at most 60 fields.")))
    for name, field in properties.items():
        if not name.isidentifier():
            problems.append(
                str(_("Field names are letters, digits and _: %(name)s") % {"name": name[:40]})
            )
        if not isinstance(field, dict) or field.get("type") not in FIELD_TYPES:
            problems.append(
                str(
                    _("Field %(name)s: the type must be string, integer, number or boolean.")
                    % {"name": name[:40]}
                )
            )
    for name, source in (form.get("x-prefill") or {}).items():
        if name not in properties or source not in PREFILL_SOURCES:
            problems.append(
                str(_("Prefill %(name)s: unknown field or source.") % {"name": name[:40]})
            )
    return problems


def steps_problems(steps: list[dict[str, Any]]) -> list[str]:
    if not steps:
        return []
    if not isinstance(steps, list):
        return [str(_("The approval steps must be a list."))]
    problems = []
    keys = set()
    for i, step in enumerate(steps, 1):
        if not isinstance(step, dict):
            problems.append(str(_("Step %(n)s is not an object.") % {"n": i}))
            continue
        key, role = step.get("key"), step.get("role")
        if not isinstance(key, str) or not key.isidentifier() or key in keys:
            problems.append(str(_("Step %(n)s needs a unique key.") % {"n": i}))
        keys.add(key)
        if not isinstance(step.get("name"), str) or not step["name"].strip():
            problems.append(str(_("Step %(n)s needs a name.") % {"n": i}))
        if role not in ROLES:
            problems.append(str(_("Step %(n)s: unknown role.") % {"n": i}))
        department = step.get("department", "competent")
        if department != "competent" and credit_code_problem(str(department)):
            problems.append(str(_("Step %(n)s: the department is not a credit code.") % {"n": i}))
        days = step.get("days", 1)
        if not isinstance(days, int) or not 0 < days <= 365:
            problems.append(str(_("Step %(n)s: days must be 1 to 365.") % {"n": i}))
    return problems


def form_validator(version: Any) -> Draft202012Validator:
    """The compiled validator of a version's form, kept on the version object (a published
    version is loaded once per process, so its form is compiled once too)."""
    cached = getattr(version, "_form_validator", None)
    if cached is None:
        cached = Draft202012Validator(version.application_form or DEFAULT_FORM)
        version._form_validator = cached
    return cached


def validate_answers(
    form: dict[str, Any], data: Any, *, validator: Draft202012Validator | None = None
) -> dict[str, str]:
    """Field → reason for every problem of ``data`` against the form (empty: valid).
    ``validator``: the form's compiled validator, when the caller has it (``form_validator``)."""
    if not isinstance(data, dict):
        return {"form": str(_("The answers must be a JSON object."))}
    problems: dict[str, str] = {}
    for error in (validator or Draft202012Validator(form)).iter_errors(data):
        field = error.path[0] if error.path else ""
        if error.validator == "required":
            field = error.message.split("'")[1] if "'" in error.message else ""
            problems[str(field)] = str(_("This field is required."))
        elif error.validator == "additionalProperties":
            problems["form"] = str(_("The form has fields it does not ask for."))
        elif error.validator == "maxLength":
            problems[str(field)] = str(_("This is too long."))
        elif error.validator == "pattern":
            problems[str(field)] = str(_("This is not in the expected format."))
        elif error.validator == "type":
            problems[str(field)] = str(_("This has the wrong type."))
        elif error.validator == "enum":
            problems[str(field)] = str(_("Choose one of the options."))
        else:
            problems[str(field) or "form"] = str(_("This value is not accepted."))
    return problems
