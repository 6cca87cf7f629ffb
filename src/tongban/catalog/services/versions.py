"""Drafts, publishing and activation of item versions (and who may do them)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.catalog.models import (
    ImplementationItem,
    ItemVersion,
    Material,
    Situation,
    SituationOption,
)
from tongban.catalog.services.index import search_index_items
from tongban.core.audit import audit_log
from tongban.core.authorization import Target, permits
from tongban.core.errors import Conflict, Forbidden, InvalidInput, Problem
from tongban.core.types import Actor

# --------------------------------------------------------------------------------------------
# Authorisation


def item_target(item: ImplementationItem) -> Target:
    """An implementation item as the authorisation module sees it: its department and region."""
    return Target(
        kind="item",
        id=item.pk,
        department_id=item.department_id,
        region_code=item.region_id,
    )


def catalog_may_manage(actor: Actor, item: ImplementationItem) -> bool:
    """Whether ``actor`` may edit the drafts of ``item`` (for views deciding what to show)."""
    return permits(actor, "catalog.item.edit", item_target(item))


def _require(actor: Actor, action: str, item: ImplementationItem) -> None:
    if not permits(actor, action, item_target(item)):
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
        _require(actor, "catalog.item.edit", item)
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
        _require(actor, "catalog.item.edit", current.item)
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
        _require(actor, "catalog.item.edit", version.item)
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
        _require(actor, "catalog.item.publish", item)
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
