"""Every write to the catalog: import, drafts, publishing, activation, the search index.

Each service checks the actor's permission (catalog manager of the item's department and
region, or an administrator), runs in one transaction and writes its audit record.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.catalog import search
from tongban.catalog.formats import catalog_validate, csv_archive_read
from tongban.catalog.models import (
    BaseItem,
    ImplementationItem,
    ItemVersion,
    Material,
    SearchEntry,
    Situation,
    SituationOption,
    Theme,
)
from tongban.core.audit import audit_log
from tongban.core.errors import Conflict, Forbidden, InvalidInput, Problem
from tongban.core.types import Actor
from tongban.organizations.models import Department, Region

VERSION_CONTENT_FIELDS = [
    "name",
    "name_en",
    "audience",
    "keywords",
    "legal_basis",
    "acceptance_conditions",
    "acceptance_conditions_en",
    "legal_time_limit",
    "legal_time_limit_unit",
    "promised_time_limit",
    "promised_time_limit_unit",
    "process",
    "process_en",
    "case_kind",
    "visits_needed",
    "fee_required",
    "fees",
    "fee_basis",
    "address",
    "office_hours",
    "phone",
    "complaint_channel",
    "online_depth",
    "handling_scope",
    "delivery_by_post",
    "online_payment",
    "appointment",
    "result_name",
    "result_name_en",
    "result_type",
    "special_procedures",
]
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
}
MATERIAL_FIELDS = [
    "code",
    "name",
    "name_en",
    "necessity",
    "form",
    "original_copy",
    "source",
    "source_detail",
    "paper_size",
    "copies",
    "notes",
    "notes_en",
]


# --------------------------------------------------------------------------------------------
# Authorisation


def catalog_may_manage(actor: Actor, item: ImplementationItem) -> bool:
    return actor.may(
        "catalog_manager", department_id=item.department_id, region_code=item.region_id
    )


def _require_manage(actor: Actor, item: ImplementationItem) -> None:
    if not catalog_may_manage(actor, item):
        raise Forbidden(_("You may only manage items of your own department and region."))


# --------------------------------------------------------------------------------------------
# Versions


def _copy_version_content(source: ItemVersion, target: ItemVersion) -> None:
    """Deep-copy themes, materials, situations and options from ``source`` into ``target``."""
    target.themes.set(source.themes.all())
    material_map: dict[int, Material] = {}
    for material in source.materials.all():
        old_id = material.pk
        material.pk = None
        material.version = target
        material.save()
        material_map[old_id] = material
    option_map: dict[int, SituationOption] = {}
    pending_depends: list[tuple[Situation, int]] = []
    for situation in source.situations.prefetch_related("options__materials"):
        depends_on_id = situation.depends_on_id
        options = list(situation.options.all())
        situation.pk = None
        situation.version = target
        situation.depends_on = None
        situation.save()
        if depends_on_id:
            pending_depends.append((situation, depends_on_id))
        for option in options:
            linked = [material_map[m.pk] for m in option.materials.all()]
            old_id = option.pk
            option.pk = None
            option.situation = situation
            option.save()
            option.materials.set(linked)
            option_map[old_id] = option
    for situation, old_option_id in pending_depends:
        situation.depends_on = option_map.get(old_option_id)
        situation.save(update_fields=["depends_on"])


def item_version_draft_create(*, actor: Actor, item_id: int) -> ItemVersion:
    """Start a draft from the latest version of an item (there is at most one draft)."""
    with transaction.atomic():
        item = ImplementationItem.objects.select_for_update().get(pk=item_id)
        _require_manage(actor, item)
        if item.versions.filter(status=ItemVersion.Status.DRAFT).exists():
            raise Conflict(_("This item already has a draft; edit that one."))
        latest = item.versions.order_by("-number").first()
        if latest is None:
            raise Conflict(_("This item has no version to start from."))
        source_id = latest.pk
        draft = ItemVersion.objects.get(pk=source_id)
        draft.pk = None
        draft.id = None
        draft.number = latest.number + 1
        draft.status = ItemVersion.Status.DRAFT
        draft.effective_from = None
        draft.published_at = None
        draft.published_by = ""
        draft.save()
        _copy_version_content(ItemVersion.objects.get(pk=source_id), draft)
        audit_log(
            actor=actor,
            action="catalog.version.draft_create",
            object_type="item_version",
            object_id=draft.pk,
            data={"item": item.implementation_code, "number": draft.number, "from": source_id},
        )
    return draft


def item_version_draft_update(
    *, actor: Actor, version: ItemVersion, changed_fields: list[str]
) -> ItemVersion:
    """Save edits to a draft (the workbench form). Published versions cannot change."""
    with transaction.atomic():
        current = ItemVersion.objects.select_for_update().select_related("item").get(pk=version.pk)
        _require_manage(actor, current.item)
        if not current.is_draft:
            raise Conflict(_("A published version cannot be changed; create a new draft."))
        version.status = ItemVersion.Status.DRAFT
        version.save()
        audit_log(
            actor=actor,
            action="catalog.version.draft_update",
            object_type="item_version",
            object_id=version.pk,
            data={"item": current.item.implementation_code, "fields": sorted(changed_fields)},
        )
    return version


def item_version_draft_discard(*, actor: Actor, version_id: int) -> None:
    with transaction.atomic():
        version = ItemVersion.objects.select_for_update().select_related("item").get(pk=version_id)
        _require_manage(actor, version.item)
        if not version.is_draft:
            raise Conflict(_("Only a draft can be discarded."))
        audit_log(
            actor=actor,
            action="catalog.version.draft_discard",
            object_type="item_version",
            object_id=version.pk,
            data={"item": version.item.implementation_code},
        )
        version.delete()


def _draft_problems(version: ItemVersion) -> list[Problem]:
    problems = []
    if not version.name.strip():
        problems.append(Problem(field="name", reason=_("Required.")))
    if not version.materials.exists():
        problems.append(
            Problem(field="materials", reason=_("An item needs at least one material."))
        )
    linked = set(
        SituationOption.materials.through.objects.filter(material__version=version).values_list(
            "material_id", flat=True
        )
    )
    for material in version.materials.filter(necessity=Material.Necessity.CONDITIONAL):
        if material.pk not in linked:
            problems.append(
                Problem(
                    field=f"materials.{material.code}",
                    reason=_("A conditional material must be required by a situation option."),
                )
            )
    for situation in version.situations.all():
        if not situation.options.exists():
            problems.append(
                Problem(field=f"situations.{situation.code}", reason=_("A question needs options."))
            )
    if (
        version.legal_time_limit is not None
        and version.promised_time_limit is not None
        and version.legal_time_limit_unit == version.promised_time_limit_unit
        and version.promised_time_limit > version.legal_time_limit
    ):
        problems.append(
            Problem(
                field="promised_time_limit",
                reason=_("The promised time limit cannot exceed the legal one."),
            )
        )
    return problems


def item_version_publish(
    *, actor: Actor, version_id: int, effective_from: dt.date | None = None
) -> ItemVersion:
    """Publish a draft: it becomes immutable and, from ``effective_from``, the public version.

    Guarantees: only a draft is published, only once (concurrent publishers: one wins, the
    other gets a conflict); a version effective today or earlier replaces the current one at
    once (and the search index with it); a later one is activated by ``catalog_activate_due``.
    """
    today = timezone.localdate()
    effective_from = effective_from or today
    with transaction.atomic():
        version = ItemVersion.objects.select_for_update().select_related("item").get(pk=version_id)
        item = ImplementationItem.objects.select_for_update().get(pk=version.item_id)
        _require_manage(actor, item)
        if not version.is_draft:
            raise Conflict(_("This version is already published."))
        if effective_from < today:
            raise InvalidInput(
                problems=[
                    Problem(
                        field="effective_from",
                        reason=_("The effective date cannot be in the past."),
                    )
                ]
            )
        problems = _draft_problems(version)
        if problems:
            raise InvalidInput(_("The draft is not ready to publish."), problems=problems)
        version.status = ItemVersion.Status.PUBLISHED
        version.effective_from = effective_from
        version.published_at = timezone.now()
        version.published_by = actor.label[:150]
        version.save(update_fields=["status", "effective_from", "published_at", "published_by"])
        audit_log(
            actor=actor,
            action="catalog.version.publish",
            object_type="item_version",
            object_id=version.pk,
            data={
                "item": item.implementation_code,
                "number": version.number,
                "effective_from": effective_from.isoformat(),
            },
        )
        if effective_from <= today:
            _make_current(item, version)
    return version


def _make_current(item: ImplementationItem, version: ItemVersion) -> None:
    item.current_version = version
    item.save(update_fields=["current_version"])
    search_index_items(item_ids=[item.pk])


def catalog_activate_due(*, today: dt.date | None = None) -> int:
    """Make current every published version whose effective date has come (run daily)."""
    today = today or timezone.localdate()
    activated = 0
    due = (
        ItemVersion.objects.filter(status=ItemVersion.Status.PUBLISHED, effective_from__lte=today)
        .values("item_id")
        .annotate(latest=Max("number"))
    )
    for row in due:
        with transaction.atomic():
            item = ImplementationItem.objects.select_for_update().get(pk=row["item_id"])
            version = item.versions.get(number=row["latest"])
            if item.current_version_id != version.pk:
                _make_current(item, version)
                audit_log(
                    actor=Actor.system("catalog_activate"),
                    action="catalog.version.activate",
                    object_type="item_version",
                    object_id=version.pk,
                    data={"item": item.implementation_code, "number": version.number},
                )
                activated += 1
    return activated


# --------------------------------------------------------------------------------------------
# Search index


def _entry_for(item: ImplementationItem) -> SearchEntry:
    version = item.current_version
    assert version is not None
    themes = list(version.themes.all())
    title = search.document_tokens(version.name, version.name_en)
    body = search.document_tokens(
        version.keywords,
        item.base_item.name,
        item.department.name,
        item.department.short_name,
        version.result_name,
        version.result_name_en,
        " ".join(t.name for t in themes),
        " ".join(t.name_en for t in themes),
        item.implementation_code,
        item.base_item.base_code,
    )
    return SearchEntry(
        item=item,
        title_tokens=title,
        body_tokens=body,
        implementation_code=item.implementation_code,
        base_code=item.base_item.base_code,
        name=version.name,
        name_en=version.name_en,
        department_name=item.department.name,
        department_name_en=item.department.name_en,
        online_depth=version.online_depth,
        visits_needed=version.visits_needed,
        audience=version.audience,
        department_id=item.department_id,
        region_code=item.region_id,
        item_type=item.base_item.item_type,
        theme_codes=" ".join(t.code for t in themes),
    )


def search_index_items(*, item_ids: list[int]) -> int:
    """(Re)index the current versions of these items; items without one leave the index."""
    items = list(
        ImplementationItem.objects.filter(pk__in=item_ids)
        .select_related("current_version", "base_item", "department")
        .prefetch_related("current_version__themes")
    )
    live = [i for i in items if i.current_version_id]
    gone = [i.pk for i in items if not i.current_version_id]
    SearchEntry.objects.filter(item_id__in=[i.pk for i in items]).delete()
    search.index_delete([i.pk for i in items])
    entries = [_entry_for(i) for i in live]
    SearchEntry.objects.bulk_create(entries, batch_size=1000)
    search.index_write([(e.item_id, e.title_tokens, e.body_tokens) for e in entries])
    search.index_delete(gone)
    return len(entries)


def search_rebuild(*, batch_size: int = 2000) -> int:
    """Rebuild the whole search index from the current versions."""
    SearchEntry.objects.all().delete()
    search.index_clear()
    ids = list(
        ImplementationItem.objects.filter(current_version__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    total = 0
    for start in range(0, len(ids), batch_size):
        with transaction.atomic():
            total += search_index_items(item_ids=ids[start : start + batch_size])
    return total


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
    context = _known_context()
    cleaned, problems = catalog_validate(document, locations=locations, **context)
    if isinstance(document, dict) and document.get("_from_csv"):
        cleaned["_from_csv"] = True
    return cleaned, problems


def _scope_problems(actor: Actor, document: dict[str, Any]) -> list[Problem]:
    problems = []
    departments = {
        code: (pk, region)
        for pk, code, region in Department.objects.values_list("pk", "credit_code", "region_id")
    }
    for i, item in enumerate(document.get("items", [])):
        pk, _region = departments[item["department"]]
        if not actor.may("catalog_manager", department_id=pk, region_code=item["region"]):
            problems.append(
                Problem(
                    location=f"items.{i}",
                    field="department",
                    reason=_("You may only import items of your own department and region."),
                )
            )
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
    if not problems:
        problems = _scope_problems(actor, document)
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
    """Import an already-built catalog document (the demo loader and the scale generator)."""
    import json

    content = json.dumps(document, ensure_ascii=False).encode()
    return catalog_import(
        actor=actor,
        content=content,
        filename="document.json",
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
        old_files: dict[tuple[int, str], tuple[str, str]] = {}
        for m in Material.objects.filter(version__item__in=existing.values()).order_by(
            "version__number"
        ):
            if m.blank_form or m.sample:
                old_files[(m.version.item_id, m.code)] = (m.blank_form.name, m.sample.name)
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
