"""Import of whole catalog files (JSON or a ZIP of CSV files): all or nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.catalog.formats import MATERIAL_FIELD_NAMES as MATERIAL_FIELDS
from tongban.catalog.formats import VERSION_CONTENT_FIELDS, catalog_validate, csv_archive_read
from tongban.catalog.models import (
    BaseItem,
    ImplementationItem,
    ItemVersion,
    Material,
    Situation,
    SituationOption,
    Theme,
)
from tongban.catalog.services.index import search_index_items
from tongban.core.audit import audit_log
from tongban.core.authorization import Target, permits
from tongban.core.errors import InvalidInput, Problem
from tongban.core.types import Actor
from tongban.organizations.models import Department, Region

VERSION_DEFAULTS: dict[str, Any] = {
    "legal_time_limit_unit": "working_day",
    "promised_time_limit_unit": "working_day",
    "visits_needed": 0,
    "fee_required": False,
    "online_depth": 1,
    "handling_scope": "district",
    "delivery_by_post": False,
    "online_payment": False,
    "appointment": False,
    "result_type": "none",
    "min_assurance_level": 1,
}


# --------------------------------------------------------------------------------------------
# Import


def _known_context() -> dict[str, Any]:
    return {
        "known_departments": {
            code: (pk, region)
            for pk, code, region in Department.objects.values_list("pk", "credit_code", "region_id")
        },
        "known_regions": set(Region.objects.values_list("code", flat=True)),
        "known_base_codes": dict(BaseItem.objects.values_list("base_code", "item_type")),
        "known_themes": set(Theme.objects.values_list("code", flat=True)),
    }


def catalog_parse(*, content: bytes, filename: str) -> tuple[dict[str, Any], list[Problem]]:
    """Parse and validate an uploaded catalog file (``.json``, or ``.zip`` of CSV files)."""
    import json

    lower = filename.lower()
    locations: dict[tuple[Any, ...], str] = {}
    if lower.endswith(".zip"):
        document, locations, problems = csv_archive_read(content)
        if problems:
            return {}, problems
    elif lower.endswith(".json"):
        try:
            document = json.loads(content.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            line = getattr(exc, "lineno", "")
            return {}, [
                Problem(
                    location=f"{filename} line {line}".strip(),
                    field="",
                    reason=_("The file is not valid JSON: %(error)s") % {"error": str(exc)[:200]},
                )
            ]
    else:
        return {}, [
            Problem(
                location=filename[:100],
                field="",
                reason=_("Upload a .json file or a .zip of CSV files."),
            )
        ]
    return _validate_document(document, locations)


def _validate_document(
    document: Any, locations: dict[tuple[Any, ...], str] | None = None
) -> tuple[dict[str, Any], list[Problem]]:
    cleaned, problems = catalog_validate(document, locations=locations, **_known_context())
    if isinstance(document, dict) and document.get("_from_csv"):
        cleaned["_from_csv"] = True
    return cleaned, problems


def _scope_problems(actor: Actor, document: dict[str, Any], *, publish: bool) -> list[Problem]:
    """Every item the actor may not import, as a problem (the file is refused as a whole)."""
    problems = []
    departments = {
        code: (pk, region)
        for pk, code, region in Department.objects.values_list("pk", "credit_code", "region_id")
    }
    actions = ("catalog.item.edit", "catalog.item.publish") if publish else ("catalog.item.edit",)
    for i, item in enumerate(document.get("items", [])):
        pk, _region = departments[item["department"]]
        target = Target(kind="item", department_id=pk, region_code=item["region"])
        if not all(permits(actor, action, target) for action in actions):
            problems.append(
                Problem(
                    location=f"items.{i}",
                    field="department",
                    reason=_("You may only import items of your own department and region."),
                )
            )
    # Not the "catalog.base.edit" rule: that one admits any unscoped catalog manager, while
    # base items and themes have always been (and in the workbench still are) administrators'.
    if (document.get("base_items") or document.get("themes")) and not actor.has_role(
        "administrator"
    ):
        problems.append(
            Problem(
                location="base_items",
                field="",
                reason=_("Only an administrator may change base items and themes."),
            )
        )
    return problems


def catalog_import(
    *,
    actor: Actor,
    content: bytes,
    filename: str,
    publish: bool = False,
    effective_from: dt.date | None = None,
    reindex: bool = True,
) -> dict[str, int]:
    """Import a whole catalog file. All or nothing: any problem and nothing is written.

    Each implementation item gets a new version — a draft, or with ``publish`` a published
    version effective from ``effective_from`` (today by default). An existing draft of an item
    is replaced by the imported one.
    """
    document, problems = catalog_parse(content=content, filename=filename)
    return _import_checked(
        actor=actor,
        document=document,
        problems=problems,
        filename=filename,
        publish=publish,
        effective_from=effective_from,
        reindex=reindex,
    )


def _import_checked(
    *,
    actor: Actor,
    document: dict[str, Any],
    problems: list[Problem],
    filename: str,
    publish: bool,
    effective_from: dt.date | None,
    reindex: bool,
) -> dict[str, int]:
    if not problems:
        problems = _scope_problems(actor, document, publish=publish)
    if problems:
        raise InvalidInput(
            _("The file has %(n)d problems; nothing was imported.") % {"n": len(problems)},
            problems=problems,
        )
    return _catalog_write(
        actor=actor,
        document=document,
        publish=publish,
        effective_from=effective_from or timezone.localdate(),
        reindex=reindex,
        filename=filename,
    )


def catalog_import_document(
    *,
    actor: Actor,
    document: dict[str, Any],
    publish: bool = False,
    effective_from: dt.date | None = None,
    reindex: bool = True,
) -> dict[str, int]:
    """Import an already-built catalog document (the demo loader and the scale generator).

    The same validation and the same all-or-nothing write as a file, without serialising it.
    """
    cleaned, problems = _validate_document(document)
    return _import_checked(
        actor=actor,
        document=cleaned,
        problems=problems,
        filename="document",
        publish=publish,
        effective_from=effective_from,
        reindex=reindex,
    )


CATALOG_IMPORT_LOCK = 727_001


def _lock_catalog_imports() -> None:
    """Imports run one at a time (they are rare and large); SQLite already serialises writers."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CATALOG_IMPORT_LOCK])


def _catalog_write(
    *,
    actor: Actor,
    document: dict[str, Any],
    publish: bool,
    effective_from: dt.date,
    reindex: bool,
    filename: str,
) -> dict[str, int]:
    today = timezone.localdate()
    from_csv = bool(document.get("_from_csv"))
    with transaction.atomic():
        _lock_catalog_imports()
        for theme in document["themes"]:
            Theme.objects.update_or_create(
                code=theme["code"],
                defaults={
                    "name": theme["name"],
                    "name_en": theme.get("name_en") or "",
                    "kind": theme["kind"],
                    "audience": theme["audience"],
                    "order": theme.get("order") or 0,
                },
            )
        for base in document["base_items"]:
            BaseItem.objects.update_or_create(
                base_code=base["base_code"],
                defaults={
                    "name": base["name"],
                    "name_en": base.get("name_en") or "",
                    "item_type": base["item_type"],
                    "legal_basis": base.get("legal_basis") or "",
                    "exercising_level": base["exercising_level"],
                },
            )
        bases = {b.base_code: b for b in BaseItem.objects.all()}
        departments = dict(Department.objects.values_list("credit_code", "pk"))
        themes = {t.code: t for t in Theme.objects.all()}
        existing = {
            i.implementation_code: i
            for i in ImplementationItem.objects.filter(
                implementation_code__in=[d["implementation_code"] for d in document["items"]]
            )
        }
        new_items = [
            ImplementationItem(
                implementation_code=d["implementation_code"],
                base_item=bases[d["base_code"]],
                department_id=departments[d["department"]],
                region_id=d["region"],
            )
            for d in document["items"]
            if d["implementation_code"] not in existing
        ]
        ImplementationItem.objects.bulk_create(new_items, batch_size=1000)
        if new_items:
            existing.update(
                (i.implementation_code, i)
                for i in ImplementationItem.objects.filter(
                    implementation_code__in=[i.implementation_code for i in new_items]
                )
            )
        # Replace existing drafts (keep their files for CSV imports, which carry none).
        # A CSV import carries no files: keep the ones the item's versions already have.
        old_files: dict[tuple[int, str], tuple[str, str]] = {}
        if from_csv:
            for item_id, code, form, sample in (
                Material.objects.filter(version__item__in=existing.values())
                .exclude(blank_form="", sample="")
                .order_by("version__number")
                .values_list("version__item_id", "code", "blank_form", "sample")
            ):
                old_files[(item_id, code)] = (form, sample)
        ItemVersion.objects.filter(
            item__in=existing.values(), status=ItemVersion.Status.DRAFT
        ).delete()
        latest_numbers = dict(
            ItemVersion.objects.filter(item__in=existing.values())
            .values("item_id")
            .annotate(n=Max("number"))
            .values_list("item_id", "n")
        )
        versions: list[ItemVersion] = []
        for d in document["items"]:
            item = existing[d["implementation_code"]]
            base = bases[d["base_code"]]
            fields = {f: d.get(f) for f in VERSION_CONTENT_FIELDS}
            for key, default in VERSION_DEFAULTS.items():
                if fields.get(key) is None:
                    fields[key] = default
            for key in VERSION_CONTENT_FIELDS:
                if fields[key] is None and key not in ("legal_time_limit", "promised_time_limit"):
                    fields[key] = ""
            fields["name"] = fields["name"] or base.name
            fields["name_en"] = fields["name_en"] or base.name_en
            fields["legal_basis"] = fields["legal_basis"] or base.legal_basis
            versions.append(
                ItemVersion(
                    item=item,
                    number=latest_numbers.get(item.pk, 0) + 1,
                    status=ItemVersion.Status.PUBLISHED if publish else ItemVersion.Status.DRAFT,
                    effective_from=effective_from if publish else None,
                    published_at=timezone.now() if publish else None,
                    published_by=actor.label[:150] if publish else "",
                    **fields,
                )
            )
        ItemVersion.objects.bulk_create(versions, batch_size=500)
        versions = list(
            ItemVersion.objects.filter(
                item__in=existing.values(),
                number__in={v.number for v in versions},
            ).select_related("item")
        )
        by_item = {
            v.item_id: v for v in versions if v.number == latest_numbers.get(v.item_id, 0) + 1
        }
        theme_links = []
        materials: list[Material] = []
        for d in document["items"]:
            version = by_item[existing[d["implementation_code"]].pk]
            for code in d.get("themes") or []:
                theme_links.append(
                    ItemVersion.themes.through(itemversion_id=version.pk, theme_id=themes[code].pk)
                )
            for position, m in enumerate(d["materials"]):
                material = Material(
                    version=version,
                    position=position,
                    **{f: (m.get(f) if m.get(f) is not None else "") for f in MATERIAL_FIELDS},
                )
                material.copies = m.get("copies") or 0
                for attr in ("blank_form", "sample"):
                    upload = m.get(attr)
                    if upload:
                        getattr(material, attr).save(
                            upload["filename"], ContentFile(upload["content"]), save=False
                        )
                    elif from_csv:
                        previous = old_files.get((version.item_id, m["code"]))
                        if previous:
                            setattr(material, attr, previous[0 if attr == "blank_form" else 1])
                materials.append(material)
        ItemVersion.themes.through.objects.bulk_create(theme_links, batch_size=2000)
        Material.objects.bulk_create(materials, batch_size=1000)
        material_ids = {
            (vid, code): pk
            for pk, vid, code in Material.objects.filter(version__in=versions).values_list(
                "pk", "version_id", "code"
            )
        }
        situations: list[tuple[int, dict[str, Any], Situation]] = []
        for d in document["items"]:
            version = by_item[existing[d["implementation_code"]].pk]
            for position, sd in enumerate(d["situations"]):
                situation = Situation(
                    version=version,
                    code=sd["code"],
                    position=position,
                    question=sd["question"],
                    question_en=sd.get("question_en") or "",
                    multiple=bool(sd.get("multiple")),
                )
                situations.append((version.pk, sd, situation))
        Situation.objects.bulk_create([x[2] for x in situations], batch_size=1000)
        options: list[tuple[int, str, dict[str, Any], SituationOption]] = []
        for version_id, sd, situation in situations:
            for position, od in enumerate(sd["options"]):
                option = SituationOption(
                    situation=situation,
                    code=od["code"],
                    position=position,
                    label=od["label"],
                    label_en=od.get("label_en") or "",
                    conditions=od.get("conditions") or "",
                    conditions_en=od.get("conditions_en") or "",
                )
                options.append((version_id, f"{sd['code']}:{od['code']}", od, option))
        SituationOption.objects.bulk_create([x[3] for x in options], batch_size=1000)
        option_by_key = {(vid, key): option for vid, key, _od, option in options}
        option_links = [
            SituationOption.materials.through(
                situationoption_id=option.pk, material_id=material_ids[(vid, m_code)]
            )
            for vid, _key, od, option in options
            for m_code in od.get("materials") or []
        ]
        dependent = []
        for version_id, sd, situation in situations:
            if sd.get("depends_on"):
                situation.depends_on = option_by_key[(version_id, sd["depends_on"])]
                dependent.append(situation)
        Situation.objects.bulk_update(dependent, ["depends_on"], batch_size=1000)
        SituationOption.materials.through.objects.bulk_create(option_links, batch_size=2000)
        activated: list[int] = []
        if publish and effective_from <= today:
            for version in by_item.values():
                item = version.item
                item.current_version = version
                activated.append(item.pk)
            ImplementationItem.objects.bulk_update(
                [v.item for v in by_item.values()], ["current_version"], batch_size=1000
            )
        summary = {
            "themes": len(document["themes"]),
            "base_items": len(document["base_items"]),
            "items": len(document["items"]),
            "new_items": len(new_items),
            "materials": len(materials),
            "published": len(document["items"]) if publish else 0,
        }
        audit_log(
            actor=actor,
            action="catalog.import",
            object_type="catalog",
            object_id=filename[:80],
            data={**summary, "publish": publish, "effective_from": effective_from.isoformat()},
        )
        if reindex and activated:
            for start in range(0, len(activated), 2000):
                search_index_items(item_ids=activated[start : start + 2000])
    return summary
