"""The CSV form of the catalog: a ZIP archive of five CSV files."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from tongban.catalog.formats.fields import (
    BASE_ITEM_FIELDS,
    ITEM_FIELDS,
    MATERIAL_FIELDS,
    OPTIONAL_ITEM_FIELDS,
    THEME_FIELDS,
)
from tongban.core.errors import Problem

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
# Columns a file may lack (added to the format later); their cells count as empty.
OPTIONAL_COLUMNS: dict[str, frozenset[str]] = {
    "items.csv": OPTIONAL_ITEM_FIELDS,
    # added later: older archives lack them
    "materials.csv": frozenset({"certificate_type", "sharing_service"}),
}
# Columns holding a JSON value, written as JSON text (empty when it is the default).
JSON_COLUMNS = frozenset(f.name for f in ITEM_FIELDS if f.kind == "json")
MAX_ARCHIVE_MEMBER_BYTES = 50 * 1024 * 1024


def _read_csv(data: bytes, name: str, problems: list[Problem]) -> list[tuple[int, dict[str, str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        problems.append(Problem(location=name, field="", reason=_("The file is not UTF-8 text.")))
        return []
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    optional = OPTIONAL_COLUMNS.get(name, frozenset())
    missing = [c for c in CSV_FILES[name] if c not in header and c not in optional]
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


def _cell(value: Any, *, as_json: bool = False) -> str:
    if as_json:
        return json.dumps(value, ensure_ascii=False) if value else ""
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
            writer.writerow(
                {k: _cell(row.get(k), as_json=k in JSON_COLUMNS) for k in CSV_FILES[name]}
            )
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
