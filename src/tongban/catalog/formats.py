"""The catalog exchange formats (docs/catalog-format.md): validate, parse CSV, export.

``catalog_validate`` checks a whole document (parsed from JSON, or assembled from the CSV files
by ``csv_archive_read``) and returns every problem with its location (file and line, or JSON
path), field and reason. Nothing here writes to the database.
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from tongban.core.errors import Problem
from tongban.core.ids import credit_code_problem, normalise_code

FORMAT_NAME = "tongban.catalog"
FORMAT_VERSION = 1
MAX_FILE_BYTES = 5 * 1024 * 1024
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
    kind: str = "text"  # text, int, bool, choice, list
    required: bool = False
    max_length: int | None = None
    choices: frozenset[str] | None = None
    minimum: int | None = None
    maximum: int | None = None


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
]
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


def catalog_validate(
    document: Any,
    *,
    known_departments: dict[str, tuple[int, str]],
    known_regions: set[str],
    known_base_codes: dict[str, str],
    known_themes: set[str] | None = None,
    locations: dict[tuple[Any, ...], str] | None = None,
) -> tuple[dict[str, Any], list[Problem]]:
    """Validate a whole catalog document; returns the cleaned document and every problem.

    ``known_departments`` maps credit code → (id, region code); ``known_base_codes`` maps
    base code → item type of base items already in the database. ``locations`` (from the CSV
    reader) maps a record key to "file line N" so problems point at the spreadsheet row.
    """
    problems: list[Problem] = []
    locations = locations or {}

    def where(*key: Any) -> str:
        if key in locations:
            return locations[key]
        return ".".join(str(k) for k in key)

    if not isinstance(document, dict):
        return {}, [Problem(location="", field="", reason=_("Expected a JSON object."))]
    if document.get("format", FORMAT_NAME) != FORMAT_NAME:
        problems.append(Problem(location="format", field="format", reason=_("Unknown format.")))
    if document.get("format_version", FORMAT_VERSION) != FORMAT_VERSION:
        problems.append(
            Problem(
                location="format_version",
                field="format_version",
                reason=_("Unsupported format version."),
            )
        )
    for key in ("themes", "base_items", "items"):
        if not isinstance(document.get(key, []), list):
            problems.append(Problem(location=key, field=key, reason=_("Expected a list.")))
            return {}, problems

    themes: list[dict[str, Any]] = []
    theme_codes: set[str] = set()
    for i, raw in enumerate(document.get("themes", [])):
        loc = where("themes", i)
        theme = clean_record(raw, THEME_FIELDS, loc, problems)
        code = theme.get("code")
        if code:
            if not THEME_CODE_RE.match(code):
                problems.append(Problem(location=loc, field="code", reason=_("Invalid code.")))
            elif code in theme_codes:
                problems.append(Problem(location=loc, field="code", reason=_("Duplicate code.")))
            theme_codes.add(code)
        themes.append(theme)

    base_items: list[dict[str, Any]] = []
    base_types = dict(known_base_codes)
    seen_base: set[str] = set()
    for i, raw in enumerate(document.get("base_items", [])):
        loc = where("base_items", i)
        base = clean_record(raw, BASE_ITEM_FIELDS, loc, problems)
        code = base.get("base_code")
        if code:
            if not BASE_CODE_RE.match(code):
                problems.append(
                    Problem(location=loc, field="base_code", reason=_("A base code has 12 digits."))
                )
            elif base.get("item_type") and code[:2] != base["item_type"]:
                problems.append(
                    Problem(
                        location=loc,
                        field="base_code",
                        reason=_("The first two digits must equal the item type."),
                    )
                )
            if code in seen_base:
                problems.append(
                    Problem(location=loc, field="base_code", reason=_("Duplicate code."))
                )
            seen_base.add(code)
            base_types[code] = base.get("item_type") or ""
        base_items.append(base)

    items: list[dict[str, Any]] = []
    seen_items: set[str] = set()
    for i, raw in enumerate(document.get("items", [])):
        loc = where("items", i)
        item = clean_record(raw, ITEM_FIELDS, loc, problems)
        if not item:
            continue
        impl = item.get("implementation_code") or ""
        dept = normalise_code(item.get("department") or "")
        item["department"] = dept
        if dept:
            if problem := credit_code_problem(dept):
                problems.append(Problem(location=loc, field="department", reason=problem))
            elif dept not in known_departments:
                problems.append(
                    Problem(location=loc, field="department", reason=_("Unknown department."))
                )
        if item.get("region") and item["region"] not in known_regions:
            problems.append(Problem(location=loc, field="region", reason=_("Unknown region.")))
        base_code = item.get("base_code") or ""
        if base_code and base_code not in base_types:
            problems.append(
                Problem(location=loc, field="base_code", reason=_("Unknown base item."))
            )
        if impl:
            if impl != f"{dept}{base_code}":
                problems.append(
                    Problem(
                        location=loc,
                        field="implementation_code",
                        reason=_(
                            "Must be the department's credit code followed by the base "
                            "code: %(code)s."
                        )
                        % {"code": f"{dept}{base_code}"},
                    )
                )
            if impl in seen_items:
                problems.append(
                    Problem(location=loc, field="implementation_code", reason=_("Duplicate code."))
                )
            seen_items.add(impl)
        for code in item.get("themes") or []:
            if code not in theme_codes and code not in (known_themes or set()):
                problems.append(
                    Problem(
                        location=loc,
                        field="themes",
                        reason=_("Unknown theme “%(code)s”.") % {"code": code[:40]},
                    )
                )
        if (
            item.get("legal_time_limit") is not None
            and item.get("promised_time_limit") is not None
            and item.get("legal_time_limit_unit") == item.get("promised_time_limit_unit")
            and item["promised_time_limit"] > item["legal_time_limit"]
        ):
            problems.append(
                Problem(
                    location=loc,
                    field="promised_time_limit",
                    reason=_("The promised time limit cannot exceed the legal one."),
                )
            )
        item["materials"] = _validate_materials(raw, impl, i, where, problems)
        item["situations"] = _validate_situations(raw, impl, i, item["materials"], where, problems)
        items.append(item)
    cleaned = {"themes": themes, "base_items": base_items, "items": items}
    return cleaned, problems


def _validate_materials(
    raw: dict[str, Any], impl: str, i: int, where: Callable[..., str], problems: list[Problem]
) -> list[dict[str, Any]]:
    materials_raw = raw.get("materials", [])
    if not isinstance(materials_raw, list):
        problems.append(
            Problem(location=where("items", i), field="materials", reason=_("Expected a list."))
        )
        return []
    materials: list[dict[str, Any]] = []
    codes: set[str] = set()
    for j, m_raw in enumerate(materials_raw):
        loc = where("items", i, "materials", j)
        material = clean_record(m_raw, MATERIAL_FIELDS, loc, problems)
        code = material.get("code")
        if code:
            if not CODE_RE.match(code):
                problems.append(Problem(location=loc, field="code", reason=_("Invalid code.")))
            if code in codes:
                problems.append(Problem(location=loc, field="code", reason=_("Duplicate code.")))
            codes.add(code)
        if material.get("copies") is None:
            material["copies"] = 1
        if material.get("paper_size") is None:
            material["paper_size"] = ""
        if isinstance(m_raw, dict):
            material["blank_form"] = _clean_file(
                m_raw.get("blank_form"), loc, "blank_form", problems
            )
            material["sample"] = _clean_file(m_raw.get("sample"), loc, "sample", problems)
        materials.append(material)
    return materials


def _validate_situations(
    raw: dict[str, Any],
    impl: str,
    i: int,
    materials: list[dict[str, Any]],
    where: Callable[..., str],
    problems: list[Problem],
) -> list[dict[str, Any]]:
    situations_raw = raw.get("situations", [])
    if not isinstance(situations_raw, list):
        problems.append(
            Problem(location=where("items", i), field="situations", reason=_("Expected a list."))
        )
        return []
    material_codes = {m.get("code") for m in materials}
    linked: set[str] = set()
    situations: list[dict[str, Any]] = []
    answered: set[str] = set()  # "Q1:yes" of earlier questions
    codes: set[str] = set()
    for j, s_raw in enumerate(situations_raw):
        loc = where("items", i, "situations", j)
        situation = clean_record(s_raw, SITUATION_FIELDS, loc, problems)
        code = situation.get("code")
        if code:
            if not CODE_RE.match(code):
                problems.append(Problem(location=loc, field="code", reason=_("Invalid code.")))
            if code in codes:
                problems.append(Problem(location=loc, field="code", reason=_("Duplicate code.")))
            codes.add(code)
        depends = situation.get("depends_on")
        if depends and depends not in answered:
            problems.append(
                Problem(
                    location=loc,
                    field="depends_on",
                    reason=_("Must name an option of an earlier question, as Q1:yes."),
                )
            )
        options_raw = s_raw.get("options", []) if isinstance(s_raw, dict) else []
        if not isinstance(options_raw, list) or not options_raw:
            problems.append(
                Problem(location=loc, field="options", reason=_("A question needs options."))
            )
            options_raw = []
        options = []
        option_codes: set[str] = set()
        for k, o_raw in enumerate(options_raw):
            o_loc = where("items", i, "situations", j, "options", k)
            option = clean_record(o_raw, OPTION_FIELDS, o_loc, problems)
            o_code = option.get("code")
            if o_code:
                if not CODE_RE.match(o_code):
                    problems.append(
                        Problem(location=o_loc, field="code", reason=_("Invalid code."))
                    )
                if o_code in option_codes:
                    problems.append(
                        Problem(location=o_loc, field="code", reason=_("Duplicate code."))
                    )
                option_codes.add(o_code)
                if code:
                    answered.add(f"{code}:{o_code}")
            for m_code in option.get("materials") or []:
                if m_code not in material_codes:
                    problems.append(
                        Problem(
                            location=o_loc,
                            field="materials",
                            reason=_("Unknown material “%(code)s”.") % {"code": m_code[:20]},
                        )
                    )
                linked.add(m_code)
            options.append(option)
        situation["options"] = options
        situations.append(situation)
    for j, material in enumerate(materials):
        if material.get("necessity") == "conditional" and material.get("code") not in linked:
            problems.append(
                Problem(
                    location=where("items", i, "materials", j),
                    field="necessity",
                    reason=_("A conditional material must be required by a situation option."),
                )
            )
    return situations


# ---------------------------------------------------------------------------------------------
# CSV (a ZIP of five CSV files)

CSV_FILES = {
    "themes.csv": [f.name for f in THEME_FIELDS],
    "base_items.csv": [f.name for f in BASE_ITEM_FIELDS],
    "items.csv": [f.name for f in ITEM_FIELDS],
    "materials.csv": ["implementation_code", *[f.name for f in MATERIAL_FIELDS]],
    "situations.csv": [
        "implementation_code",
        "situation_code",
        "question",
        "question_en",
        "multiple",
        "depends_on",
        "option_code",
        "label",
        "label_en",
        "materials",
        "conditions",
        "conditions_en",
    ],
}
MAX_ARCHIVE_MEMBER_BYTES = 50 * 1024 * 1024


def _read_csv(data: bytes, name: str, problems: list[Problem]) -> list[tuple[int, dict[str, str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        problems.append(Problem(location=name, field="", reason=_("The file is not UTF-8 text.")))
        return []
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    missing = [c for c in CSV_FILES[name] if c not in header]
    if missing:
        problems.append(
            Problem(
                location=f"{name} line 1", field=", ".join(missing), reason=_("Missing columns.")
            )
        )
        return []
    rows = []
    try:
        for row in reader:
            if None in row:
                problems.append(
                    Problem(
                        location=f"{name} line {reader.line_num}",
                        field="",
                        reason=_("More cells than columns."),
                    )
                )
                continue
            rows.append((reader.line_num, {k: (v or "") for k, v in row.items()}))
    except csv.Error as exc:
        problems.append(
            Problem(location=f"{name} line {reader.line_num}", field="", reason=str(exc))
        )
    return rows


def csv_archive_read(
    data: bytes,
) -> tuple[dict[str, Any], dict[tuple[Any, ...], str], list[Problem]]:
    """Assemble a catalog document from a ZIP of CSV files, remembering each row's line."""
    problems: list[Problem] = []
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return {}, {}, [Problem(location="", field="", reason=_("The file is not a ZIP archive."))]
    members = {}
    for info in archive.infolist():
        base = info.filename.rsplit("/", 1)[-1]
        if base in CSV_FILES:
            if info.file_size > MAX_ARCHIVE_MEMBER_BYTES:
                problems.append(
                    Problem(location=base, field="", reason=_("The file is too large."))
                )
                continue
            members[base] = archive.read(info)
    missing = [name for name in CSV_FILES if name not in members]
    if missing:
        problems.append(
            Problem(
                location="", field=", ".join(missing), reason=_("Missing files in the archive.")
            )
        )
    if problems:
        return {}, {}, problems
    tables = {name: _read_csv(members[name], name, problems) for name in CSV_FILES}
    locations: dict[tuple[Any, ...], str] = {}
    document: dict[str, Any] = {"themes": [], "base_items": [], "items": []}
    for name, key in (("themes.csv", "themes"), ("base_items.csv", "base_items")):
        for line, row in tables[name]:
            locations[(key, len(document[key]))] = f"{name} line {line}"
            document[key].append(row)
    item_index: dict[str, int] = {}
    for line, row in tables["items.csv"]:
        idx = len(document["items"])
        locations[("items", idx)] = f"items.csv line {line}"
        item = dict(row)
        item["materials"], item["situations"] = [], []
        item_index[row["implementation_code"].strip()] = idx
        document["items"].append(item)

    def owner(row: dict[str, str], line: int, name: str) -> int | None:
        code = row["implementation_code"].strip()
        if code not in item_index:
            problems.append(
                Problem(
                    location=f"{name} line {line}",
                    field="implementation_code",
                    reason=_("No such item in items.csv."),
                )
            )
            return None
        return item_index[code]

    for line, row in tables["materials.csv"]:
        idx = owner(row, line, "materials.csv")
        if idx is None:
            continue
        materials = document["items"][idx]["materials"]
        locations[("items", idx, "materials", len(materials))] = f"materials.csv line {line}"
        materials.append({k: v for k, v in row.items() if k != "implementation_code"})
    for line, row in tables["situations.csv"]:
        idx = owner(row, line, "situations.csv")
        if idx is None:
            continue
        situations = document["items"][idx]["situations"]
        code = row["situation_code"].strip()
        question = {
            "code": code,
            "question": row["question"],
            "question_en": row["question_en"],
            "multiple": row["multiple"],
            "depends_on": row["depends_on"],
        }
        current = situations[-1] if situations and situations[-1]["code"] == code else None
        if current is None:
            locations[("items", idx, "situations", len(situations))] = f"situations.csv line {line}"
            current = {**question, "options": []}
            situations.append(current)
        elif any(current[k] != v for k, v in question.items()):
            problems.append(
                Problem(
                    location=f"situations.csv line {line}",
                    field="question",
                    reason=_("The question columns differ from the question's first row."),
                )
            )
        j = len(situations) - 1
        locations[("items", idx, "situations", j, "options", len(current["options"]))] = (
            f"situations.csv line {line}"
        )
        current["options"].append(
            {
                "code": row["option_code"],
                "label": row["label"],
                "label_en": row["label_en"],
                "materials": row["materials"],
                "conditions": row["conditions"],
                "conditions_en": row["conditions_en"],
            }
        )
    document["_from_csv"] = True
    return document, locations, problems


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "|".join(value)
    return str(value)


def csv_archive_write(document: dict[str, Any]) -> bytes:
    """Write a catalog document as a ZIP of the five CSV files."""

    def table(name: str, rows: Iterable[dict[str, Any]]) -> bytes:
        out = io.StringIO(newline="")
        writer = csv.DictWriter(out, fieldnames=CSV_FILES[name], lineterminator="\r\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _cell(row.get(k)) for k in CSV_FILES[name]})
        return out.getvalue().encode("utf-8")

    def material_rows() -> Iterable[dict[str, Any]]:
        for item in document["items"]:
            for m in item.get("materials", []):
                yield {"implementation_code": item["implementation_code"], **m}

    def situation_rows() -> Iterable[dict[str, Any]]:
        for item in document["items"]:
            for s in item.get("situations", []):
                for o in s["options"]:
                    yield {
                        "implementation_code": item["implementation_code"],
                        "situation_code": s["code"],
                        "question": s["question"],
                        "question_en": s.get("question_en"),
                        "multiple": s.get("multiple"),
                        "depends_on": s.get("depends_on"),
                        "option_code": o["code"],
                        "label": o["label"],
                        "label_en": o.get("label_en"),
                        "materials": o.get("materials"),
                        "conditions": o.get("conditions"),
                        "conditions_en": o.get("conditions_en"),
                    }

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("themes.csv", table("themes.csv", document["themes"]))
        archive.writestr("base_items.csv", table("base_items.csv", document["base_items"]))
        archive.writestr("items.csv", table("items.csv", document["items"]))
        archive.writestr("materials.csv", table("materials.csv", material_rows()))
        archive.writestr("situations.csv", table("situations.csv", situation_rows()))
    return buffer.getvalue()
