"""Field tables of the catalog exchange format and the coercion of one record."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from tongban.catalog.application import form_problems, steps_problems
from tongban.core.errors import Problem

FORMAT_NAME = "tongban.catalog"
FORMAT_VERSION = 1
MAX_FILE_BYTES = 5 * 1024 * 1024
# A JSON-valued field (the application form, the approval steps) as text, e.g. a CSV cell.
MAX_JSON_CHARS = 100_000
CODE_RE = re.compile(r"^[A-Za-z0-9_-]{1,20}$")
THEME_CODE_RE = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
BASE_CODE_RE = re.compile(r"^\d{12}$")
ITEM_TYPES = {"01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "20"}
ALLOWED_UPLOAD_SUFFIXES = {".pdf", ".png", ".jpg", ".jpeg", ".docx", ".xlsx"}
# Magic bytes of the allowed attachment types (DOCX and XLSX are ZIP containers).
MAGIC = {
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
}


@dataclass(frozen=True)
class Field:
    name: str
    kind: str = "text"  # text, int, bool, choice, list, json
    required: bool = False
    max_length: int | None = None
    choices: frozenset[str] | None = None
    minimum: int | None = None
    maximum: int | None = None
    # For ``json``: the value's type (dict or list; empty means the platform's default) and
    # the check that lists why a value is unusable.
    json_type: type | None = None
    check: Callable[[Any], list[str]] | None = None


def _choices(*values: str) -> frozenset[str]:
    return frozenset(values)


THEME_FIELDS = [
    Field("code", required=True, max_length=40),
    Field("name", required=True, max_length=60),
    Field("name_en", max_length=120),
    Field("kind", "choice", True, choices=_choices("topic", "life_event")),
    Field("audience", "choice", True, choices=_choices("person", "company", "both")),
    Field("order", "int", minimum=0, maximum=100000),
]
BASE_ITEM_FIELDS = [
    Field("base_code", required=True, max_length=12),
    Field("name", required=True, max_length=200),
    Field("name_en", max_length=300),
    Field("item_type", "choice", True, choices=frozenset(ITEM_TYPES)),
    Field("legal_basis", max_length=5000),
    Field(
        "exercising_level",
        "choice",
        True,
        choices=_choices("national", "province", "city", "district", "street"),
    ),
]
UNITS = _choices("working_day", "natural_day")
ITEM_FIELDS = [
    Field("implementation_code", required=True, max_length=30),
    Field("base_code", required=True, max_length=12),
    Field("department", required=True, max_length=18),
    Field("region", required=True, max_length=12),
    Field("name", max_length=200),
    Field("name_en", max_length=300),
    Field("audience", "choice", True, choices=_choices("person", "company", "both")),
    Field("themes", "list"),
    Field("keywords", max_length=300),
    Field("legal_basis", max_length=5000),
    Field("acceptance_conditions", max_length=5000),
    Field("acceptance_conditions_en", max_length=8000),
    Field("legal_time_limit", "int", minimum=0, maximum=3650),
    Field("legal_time_limit_unit", "choice", choices=UNITS),
    Field("promised_time_limit", "int", minimum=0, maximum=3650),
    Field("promised_time_limit_unit", "choice", choices=UNITS),
    Field("process", max_length=5000),
    Field("process_en", max_length=8000),
    Field("case_kind", "choice", True, choices=_choices("on_the_spot", "promised")),
    Field("visits_needed", "int", minimum=0, maximum=10),
    Field("fee_required", "bool"),
    Field("fees", max_length=2000),
    Field("fee_basis", max_length=2000),
    Field("address", max_length=300),
    Field("office_hours", max_length=300),
    Field("phone", max_length=60),
    Field("complaint_channel", max_length=300),
    Field("online_depth", "int", minimum=1, maximum=4),
    Field(
        "handling_scope",
        "choice",
        choices=_choices("district", "city_wide", "province_wide", "cross_province"),
    ),
    Field("delivery_by_post", "bool"),
    Field("online_payment", "bool"),
    Field("appointment", "bool"),
    Field("result_name", max_length=200),
    Field("result_name_en", max_length=300),
    Field(
        "result_type",
        "choice",
        choices=_choices("certificate", "approval_document", "other", "none"),
    ),
    Field("special_procedures", max_length=5000),
    # Added after the first release: optional (1 when absent), last so that older CSV
    # columns keep their places.
    Field("min_assurance_level", "int", minimum=1, maximum=3),
    # The application form (a JSON Schema) and the approval steps (catalog.application): JSON
    # values, a JSON-encoded cell in CSV; optional (empty: the platform's defaults).
    Field("application_form", "json", json_type=dict, check=form_problems),
    Field("approval_steps", "json", json_type=list, check=steps_problems),
]
# Columns an older file may lack; a missing one takes the import default.
OPTIONAL_ITEM_FIELDS = frozenset({"min_assurance_level", "application_form", "approval_steps"})
MATERIAL_FIELDS = [
    Field("code", required=True, max_length=20),
    Field("name", required=True, max_length=200),
    Field("name_en", max_length=300),
    Field("necessity", "choice", True, choices=_choices("required", "conditional", "deferrable")),
    Field("form", "choice", True, choices=_choices("paper", "electronic", "paper_or_electronic")),
    Field(
        "original_copy", "choice", True, choices=_choices("original", "copy", "original_and_copy")
    ),
    Field(
        "source",
        "choice",
        True,
        choices=_choices("applicant", "department", "certificate_library", "data_sharing"),
    ),
    Field("source_detail", max_length=200),
    Field("certificate_type", max_length=21),
    Field("sharing_service", max_length=60),
    Field("paper_size", "choice", choices=_choices("", "A4", "A3", "other")),
    Field("copies", "int", minimum=0, maximum=99),
    Field("notes", max_length=2000),
    Field("notes_en", max_length=3000),
]
SITUATION_FIELDS = [
    Field("code", required=True, max_length=20),
    Field("question", required=True, max_length=300),
    Field("question_en", max_length=500),
    Field("multiple", "bool"),
    Field("depends_on", max_length=41),
]
OPTION_FIELDS = [
    Field("code", required=True, max_length=20),
    Field("label", required=True, max_length=200),
    Field("label_en", max_length=300),
    Field("materials", "list"),
    Field("conditions", max_length=2000),
    Field("conditions_en", max_length=3000),
]

TRUE_WORDS = {"true", "1", "yes", "是", "y"}
FALSE_WORDS = {"false", "0", "no", "否", "n", ""}


_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _has_control_chars(text: str) -> bool:
    return _CONTROL_CHARS.search(text) is not None


def clean_record(
    record: Any, fields: list[Field], location: str, problems: list[Problem]
) -> dict[str, Any]:
    """Coerce one record to the declared field types, appending a problem for each bad field."""
    if not isinstance(record, dict):
        problems.append(Problem(location=location, field="", reason=_("Expected an object.")))
        return {}
    cleaned: dict[str, Any] = {}
    for f in fields:
        raw = record.get(f.name)
        if raw is None or (isinstance(raw, str) and not raw.strip() and f.kind != "choice"):
            if f.required:
                problems.append(Problem(location=location, field=f.name, reason=_("Required.")))
            if f.kind == "json" and f.json_type is not None:
                cleaned[f.name] = f.json_type()
            else:
                cleaned[f.name] = [] if f.kind == "list" else None
            continue
        value: Any = raw
        if f.kind in {"text", "choice"}:
            if isinstance(raw, bool) or not isinstance(raw, str | int):
                problems.append(
                    Problem(location=location, field=f.name, reason=_("Expected text."))
                )
                continue
            value = str(raw).strip()
            if _has_control_chars(value):
                problems.append(
                    Problem(
                        location=location, field=f.name, reason=_("Contains control characters.")
                    )
                )
                continue
            if f.max_length and len(value) > f.max_length:
                problems.append(
                    Problem(
                        location=location,
                        field=f.name,
                        reason=_("Too long: at most %(n)d characters.") % {"n": f.max_length},
                    )
                )
                continue
            if f.kind == "choice" and f.choices is not None and value not in f.choices:
                if not value and f.required:
                    problems.append(Problem(location=location, field=f.name, reason=_("Required.")))
                else:
                    problems.append(
                        Problem(
                            location=location,
                            field=f.name,
                            reason=_("“%(value)s” is not one of: %(allowed)s.")
                            % {"value": value[:40], "allowed": ", ".join(sorted(f.choices))},
                        )
                    )
                continue
        elif f.kind == "int":
            if isinstance(raw, bool):
                value = None
            elif isinstance(raw, int):
                value = raw
            else:
                text = str(raw).strip()
                value = int(text) if re.fullmatch(r"-?\d{1,9}", text) else None
            if value is None:
                problems.append(
                    Problem(location=location, field=f.name, reason=_("Expected a whole number."))
                )
                continue
            if (f.minimum is not None and value < f.minimum) or (
                f.maximum is not None and value > f.maximum
            ):
                problems.append(
                    Problem(
                        location=location,
                        field=f.name,
                        reason=_("Must be between %(min)s and %(max)s.")
                        % {"min": f.minimum, "max": f.maximum},
                    )
                )
                continue
        elif f.kind == "bool":
            if isinstance(raw, bool):
                value = raw
            elif str(raw).strip().lower() in TRUE_WORDS:
                value = True
            elif str(raw).strip().lower() in FALSE_WORDS:
                value = False
            else:
                problems.append(
                    Problem(location=location, field=f.name, reason=_("Expected true or false."))
                )
                continue
        elif f.kind == "json":
            value = _clean_json(raw, f, location, problems)
            if value is None:
                continue
        elif f.kind == "list":
            if isinstance(raw, str):
                value = [v.strip() for v in raw.split("|") if v.strip()]
            elif isinstance(raw, list) and all(isinstance(v, str) for v in raw):
                value = [v.strip() for v in raw]
            else:
                problems.append(
                    Problem(location=location, field=f.name, reason=_("Expected a list of codes."))
                )
                continue
        cleaned[f.name] = value
    return cleaned


def _clean_json(raw: Any, f: Field, location: str, problems: list[Problem]) -> Any:
    """A JSON value given as such (JSON format) or as JSON text (a CSV cell), checked."""
    value = raw
    if isinstance(raw, str):
        if len(raw) > MAX_JSON_CHARS:
            problems.append(
                Problem(
                    location=location,
                    field=f.name,
                    reason=_("Too long: at most %(n)d characters.") % {"n": MAX_JSON_CHARS},
                )
            )
            return None
        try:
            value = json.loads(raw)
        except ValueError as exc:
            problems.append(
                Problem(
                    location=location,
                    field=f.name,
                    reason=_("Not valid JSON: %(error)s") % {"error": str(exc)[:200]},
                )
            )
            return None
    if f.json_type is not None and not isinstance(value, f.json_type):
        reason = _("Expected a JSON object.") if f.json_type is dict else _("Expected a JSON list.")
        problems.append(Problem(location=location, field=f.name, reason=reason))
        return None
    reasons = f.check(value) if f.check is not None else []
    for reason in reasons:
        problems.append(Problem(location=location, field=f.name, reason=reason))
    return None if reasons else value


def _clean_file(raw: Any, location: str, field: str, problems: list[Problem]) -> Any:
    if raw in (None, ""):
        return None
    if not isinstance(raw, dict) or not isinstance(raw.get("filename"), str):
        problems.append(
            Problem(
                location=location, field=field, reason=_("Expected {filename, content_base64}.")
            )
        )
        return None
    name = raw["filename"].strip()
    suffix = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if suffix not in ALLOWED_UPLOAD_SUFFIXES or "/" in name or "\\" in name or len(name) > 100:
        problems.append(
            Problem(
                location=location,
                field=field,
                reason=_("Only PDF, PNG, JPEG, DOCX or XLSX files are accepted."),
            )
        )
        return None
    encoded = raw.get("content_base64") or ""
    if not isinstance(encoded, str) or len(encoded) > MAX_FILE_BYTES * 4 // 3 + 8:
        problems.append(
            Problem(location=location, field=field, reason=_("The file is larger than 5 MB."))
        )
        return None
    try:
        content = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        problems.append(
            Problem(location=location, field=field, reason=_("The file content is not base64."))
        )
        return None
    if not content.startswith(MAGIC[suffix]):
        problems.append(
            Problem(
                location=location,
                field=field,
                reason=_("The file content does not match its type."),
            )
        )
        return None
    return {"filename": name, "content": content}


# Names of the scalar guide fields an item version carries (everything but the codes).
VERSION_CONTENT_FIELDS = [
    f.name
    for f in ITEM_FIELDS
    if f.name not in {"implementation_code", "base_code", "department", "region", "themes"}
]
MATERIAL_FIELD_NAMES = [f.name for f in MATERIAL_FIELDS]
