"""Reads of the catalog: search, browse, the guide, the questionnaire, export."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils.safestring import SafeString

from tongban.catalog import search
from tongban.catalog.formats import (
    FORMAT_NAME,
    FORMAT_VERSION,
    MATERIAL_FIELD_NAMES,
    VERSION_CONTENT_FIELDS,
)
from tongban.catalog.models import (
    BaseItem,
    ImplementationItem,
    ItemType,
    ItemVersion,
    Material,
    SearchEntry,
    Situation,
    SituationOption,
    Theme,
    localised,
)
from tongban.core.errors import InvalidInput, NotFound, Problem
from tongban.core.types import region_prefix
from tongban.organizations.models import Department

# --------------------------------------------------------------------------------------------
# Search and browse


@dataclass
class SearchResult:
    """One line of a result list, read from the search index alone."""

    item_id: int
    implementation_code: str
    base_code: str
    name: str
    name_en: str
    department_id: int
    department_name: str
    department_name_en: str
    region_code: str
    item_type: str
    audience: str
    online_depth: int
    visits_needed: int
    rank: float
    title: SafeString = field(default_factory=lambda: SafeString(""))

    @property
    def display_name(self) -> str:
        return localised(self, "name")

    @property
    def department(self) -> str:
        return localised(self, "department_name")

    @property
    def item_type_label(self) -> str:
        return str(ItemType(self.item_type).label)


@dataclass
class SearchPage:
    query: str
    terms: list[str]
    results: list[SearchResult]
    total: int
    page: int
    page_size: int
    suggestion: str | None = None
    total_capped: bool = False  # more matches than ``total``; pages stop there

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def _published_items() -> QuerySet[ImplementationItem]:
    return ImplementationItem.objects.filter(current_version__isnull=False).select_related(
        "current_version", "department", "region", "base_item"
    )


def item_search(
    *,
    text: str,
    page: int = 1,
    page_size: int = 20,
    audience: str | None = None,
    department_id: int | None = None,
    theme: str | None = None,
    item_type: str | None = None,
    region_code: str | None = None,
) -> SearchPage:
    """Ranked, paginated search over the public catalog with highlighted titles.

    With no words, lists the items matching the filters (browse). When a search finds nothing,
    ``suggestion`` holds a "did you mean".
    """
    page = max(1, min(page, 1000))
    page_size = max(1, min(page_size, 100))
    query = search.parse_query(text)
    filters = {
        "audience": audience,
        "department_id": department_id,
        "theme": theme,
        "item_type": item_type,
        # Everything inside the region: its code without trailing zero pairs is the prefix.
        "region_code": region_prefix(region_code) if region_code else None,
    }
    capped = False
    if text.strip() and not query.groups:
        rows, total = [], 0  # only stop words or punctuation
    else:
        rows, total, capped = search.search_rows(
            query, filters=filters, limit=page_size, offset=(page - 1) * page_size
        )
    results = []
    for row in rows:
        result = SearchResult(**row)  # type: ignore[arg-type]
        result.title = search.highlight(result.display_name, query.terms)
        results.append(result)
    suggestion = None
    if text.strip() and total == 0:
        suggestion = search.suggest(query, _vocabulary(), _item_names())
    return SearchPage(
        total_capped=capped,
        query=query.text,
        terms=query.terms,
        results=results,
        total=total,
        page=page,
        page_size=page_size,
        suggestion=suggestion,
    )


def _index_generation() -> int:
    """Changes whenever the index changes size; cheap enough to key caches on."""
    return SearchEntry.objects.count()


def _vocabulary() -> list[str]:
    return _vocabulary_for(_index_generation())


@lru_cache(maxsize=2)
def _vocabulary_for(generation: int) -> list[str]:
    words: set[str] = set()
    for tokens in SearchEntry.objects.values_list("title_tokens", flat=True).distinct()[:20000]:
        words.update(t for t in tokens.split() if len(t) > 1)
    return sorted(words)


def _item_names() -> list[str]:
    return _item_names_for(_index_generation())


@lru_cache(maxsize=2)
def _item_names_for(generation: int) -> list[str]:
    return list(
        ItemVersion.objects.filter(status=ItemVersion.Status.PUBLISHED)
        .values_list("name", flat=True)
        .distinct()[:5000]
    )


def theme_list(*, kind: str | None = None, audience: str | None = None) -> list[Theme]:
    qs = Theme.objects.all()
    if kind:
        qs = qs.filter(kind=kind)
    if audience:
        qs = qs.filter(audience__in=[audience, "both"])
    return list(qs)


def theme_get(*, code: str) -> Theme:
    theme = Theme.objects.filter(code=code).first()
    if theme is None:
        raise NotFound()
    return theme


def department_list_with_item_counts() -> list[Department]:
    return list(
        Department.objects.select_related("region")
        .annotate(
            item_count=Count(
                "implementation_items",
                filter=Q(implementation_items__current_version__isnull=False),
            )
        )
        .filter(item_count__gt=0)
        .order_by("region_id", "name")
    )


# --------------------------------------------------------------------------------------------
# The guide


def item_guide_get(*, implementation_code: str, version_number: int | None = None) -> ItemVersion:
    """The public guide: the current published version (or a given published version)."""
    item = (
        ImplementationItem.objects.select_related("department", "region", "base_item")
        .filter(implementation_code=implementation_code)
        .first()
    )
    if item is None:
        raise NotFound()
    versions = ItemVersion.objects.filter(item=item, status=ItemVersion.Status.PUBLISHED)
    if version_number is None:
        if item.current_version_id is None:
            raise NotFound()
        versions = versions.filter(pk=item.current_version_id)
    else:
        versions = versions.filter(number=version_number)
    version = (
        versions.select_related("item__department__region", "item__region", "item__base_item")
        .prefetch_related(
            "themes",
            Prefetch("materials", queryset=Material.objects.order_by("position", "id")),
            Prefetch(
                "situations",
                queryset=Situation.objects.select_related("depends_on__situation").prefetch_related(
                    Prefetch(
                        "options",
                        queryset=SituationOption.objects.prefetch_related("materials"),
                    )
                ),
            ),
        )
        .first()
    )
    if version is None:
        raise NotFound()
    return version


def item_version_history(*, implementation_code: str) -> list[ItemVersion]:
    return list(
        ItemVersion.objects.filter(
            item__implementation_code=implementation_code, status=ItemVersion.Status.PUBLISHED
        ).order_by("-number")
    )


def situational_material_ids(version: ItemVersion) -> set[int]:
    """Materials that only some situations need (linked to an option); uses prefetched data."""
    return {
        m.pk for s in version.situations.all() for o in s.options.all() for m in o.materials.all()
    }


@dataclass
class MaterialList:
    """The questionnaire's outcome: the exact materials and extra conditions of a situation."""

    materials: list[Material]
    conditions: list[str] = field(default_factory=list)
    asked: list[Situation] = field(default_factory=list)
    answers: dict[str, list[str]] = field(default_factory=dict)
    unanswered: list[Situation] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.unanswered


def materials_for_answers(
    *, version: ItemVersion, answers: Mapping[str, list[str]], strict: bool = False
) -> MaterialList:
    """Evaluate the questionnaire: which questions apply, which materials and conditions.

    ``answers`` maps a question code to the chosen option codes. A question is asked only when
    the option it depends on was chosen. A material linked to options applies only when one of
    them is chosen; other materials always apply. Unknown codes are refused; with ``strict``,
    an unanswered question or several answers to a single-choice question are refused too.
    """
    situations = list(version.situations.all())
    known = {s.code: s for s in situations}
    problems = []
    for code, chosen in answers.items():
        situation = known.get(code)
        if situation is None:
            problems.append(Problem(field=code[:40], reason="unknown question"))
            continue
        option_codes = {o.code for o in situation.options.all()}
        for option in chosen:
            if option not in option_codes:
                problems.append(Problem(field=code, reason=f"unknown option {option[:20]}"))
        if len(chosen) > 1 and not situation.multiple:
            problems.append(Problem(field=code, reason="only one answer is allowed"))
    if problems:
        raise InvalidInput(problems=problems)
    chosen_options: set[int] = set()
    asked, unanswered, effective = [], [], {}
    for situation in situations:
        if situation.depends_on_id and situation.depends_on_id not in chosen_options:
            continue
        asked.append(situation)
        picked = answers.get(situation.code) or []
        if not picked:
            unanswered.append(situation)
            continue
        effective[situation.code] = list(picked)
        for option in situation.options.all():
            if option.code in picked:
                chosen_options.add(option.pk)
    if strict and unanswered:
        raise InvalidInput(
            problems=[
                Problem(field=s.code, reason="this question needs an answer") for s in unanswered
            ]
        )
    linked_to: dict[int, set[int]] = {}
    conditions = []
    for situation in situations:
        for option in situation.options.all():
            for material in option.materials.all():
                linked_to.setdefault(material.pk, set()).add(option.pk)
            if option.pk in chosen_options and localised(option, "conditions"):
                conditions.append(localised(option, "conditions"))
    materials = [
        m
        for m in version.materials.all()
        if m.pk not in linked_to or linked_to[m.pk] & chosen_options
    ]
    return MaterialList(
        materials=materials,
        conditions=conditions,
        asked=asked,
        answers=effective,
        unanswered=unanswered,
    )


# --------------------------------------------------------------------------------------------
# Export


def _file_payload(f: Any) -> dict[str, str] | None:
    if not f:
        return None
    try:
        with f.open("rb") as handle:
            content = handle.read()
    except OSError:
        return None
    return {
        "filename": f.name.rsplit("/", 1)[-1],
        "content_base64": base64.b64encode(content).decode(),
    }


def catalog_export_document(*, include_files: bool = True) -> dict[str, Any]:
    """The whole public catalog (each item's current version) as a format document."""
    document: dict[str, Any] = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "themes": [
            {
                "code": t.code,
                "name": t.name,
                "name_en": t.name_en,
                "kind": t.kind,
                "audience": t.audience,
                "order": t.order,
            }
            for t in Theme.objects.all()
        ],
        "base_items": [
            {
                "base_code": b.base_code,
                "name": b.name,
                "name_en": b.name_en,
                "item_type": b.item_type,
                "legal_basis": b.legal_basis,
                "exercising_level": b.exercising_level,
            }
            for b in BaseItem.objects.all()
        ],
        "items": [],
    }
    versions = (
        ItemVersion.objects.filter(item__current_version=F("pk"))
        .select_related("item__department", "item__base_item")
        .prefetch_related(
            "themes",
            "materials",
            Prefetch(
                "situations",
                queryset=Situation.objects.select_related("depends_on__situation").prefetch_related(
                    "options__materials"
                ),
            ),
        )
        .order_by("item__implementation_code")
    )
    for v in versions.iterator(chunk_size=500):
        item: dict[str, Any] = {
            "implementation_code": v.item.implementation_code,
            "base_code": v.item.base_item.base_code,
            "department": v.item.department.credit_code,
            "region": v.item.region_id,
        }
        item.update({f: getattr(v, f) for f in VERSION_CONTENT_FIELDS})
        item["themes"] = [t.code for t in v.themes.all()]
        item["materials"] = []
        for m in v.materials.all():
            entry = {f: getattr(m, f) for f in MATERIAL_FIELD_NAMES}
            if include_files:
                entry["blank_form"] = _file_payload(m.blank_form)
                entry["sample"] = _file_payload(m.sample)
            item["materials"].append(entry)
        item["situations"] = [
            {
                "code": s.code,
                "question": s.question,
                "question_en": s.question_en,
                "multiple": s.multiple,
                "depends_on": (
                    f"{s.depends_on.situation.code}:{s.depends_on.code}" if s.depends_on else None
                ),
                "options": [
                    {
                        "code": o.code,
                        "label": o.label,
                        "label_en": o.label_en,
                        "materials": [m.code for m in o.materials.all()],
                        "conditions": o.conditions,
                        "conditions_en": o.conditions_en,
                    }
                    for o in s.options.all()
                ],
            }
            for s in v.situations.all()
        ]
        document["items"].append(item)
    return document


def base_codes_unknown(codes: list[str]) -> list[str]:
    """The codes among ``codes`` that are not base items of the catalog (for mandates)."""
    from tongban.catalog.models import BaseItem

    known = set(BaseItem.objects.filter(base_code__in=codes).values_list("base_code", flat=True))
    return [c for c in codes if c not in known]
