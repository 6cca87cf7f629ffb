"""The search index: one entry per item with a current version, tokenised with jieba."""

from __future__ import annotations

from django.db import transaction

from tongban.catalog import search
from tongban.catalog.models import (
    ImplementationItem,
    SearchEntry,
)

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
