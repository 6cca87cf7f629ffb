"""Every write to the catalog: import, drafts, publishing, activation, the search index.

Each service checks the actor's permission (catalog manager of the item's department and
region, or an administrator), runs in one transaction and writes its audit record.
"""

from tongban.catalog.services.imports import (
    catalog_import,
    catalog_import_document,
    catalog_parse,
)
from tongban.catalog.services.index import search_index_items, search_rebuild
from tongban.catalog.services.versions import (
    catalog_activate_due,
    catalog_may_manage,
    item_version_draft_create,
    item_version_draft_discard,
    item_version_draft_update,
    item_version_publish,
)

__all__ = [
    "catalog_activate_due",
    "catalog_import",
    "catalog_import_document",
    "catalog_may_manage",
    "catalog_parse",
    "item_version_draft_create",
    "item_version_draft_discard",
    "item_version_draft_update",
    "item_version_publish",
    "search_index_items",
    "search_rebuild",
]
