"""Validation of a whole catalog document: every problem, with where and why."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from tongban.catalog.formats.fields import (
    BASE_CODE_RE,
    BASE_ITEM_FIELDS,
    CODE_RE,
    FORMAT_NAME,
    FORMAT_VERSION,
    ITEM_FIELDS,
    MATERIAL_FIELDS,
    OPTION_FIELDS,
    SITUATION_FIELDS,
    THEME_CODE_RE,
    THEME_FIELDS,
    _clean_file,
    clean_record,
)
from tongban.core.errors import Problem
from tongban.core.ids import credit_code_problem, normalise_code


def _check_code(
    code: str | None,
    pattern: re.Pattern[str],
    seen: set[str],
    location: str,
    problems: list[Problem],
) -> None:
    """A code must have the right form and be unique among its siblings."""
    if not code:
        return
    if not pattern.match(code):
        problems.append(Problem(location=location, field="code", reason=_("Invalid code.")))
    elif code in seen:
        problems.append(Problem(location=location, field="code", reason=_("Duplicate code.")))
    seen.add(code)


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
        _check_code(theme.get("code"), THEME_CODE_RE, theme_codes, loc, problems)
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
        _check_code(material.get("code"), CODE_RE, codes, loc, problems)
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
        _check_code(code, CODE_RE, codes, loc, problems)
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
            _check_code(o_code, CODE_RE, option_codes, o_loc, problems)
            if code and o_code:
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
