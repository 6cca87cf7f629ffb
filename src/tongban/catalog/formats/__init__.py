"""The catalog exchange formats (docs/catalog-format.md): validate, read CSV, write CSV.

``catalog_validate`` checks a whole document (parsed from JSON, or assembled from the CSV files
by ``csv_archive_read``) and returns every problem with its location (file and line, or JSON
path), field and reason. Nothing here writes to the database.
"""

from tongban.catalog.formats.csv_archive import CSV_FILES, csv_archive_read, csv_archive_write
from tongban.catalog.formats.fields import (
    FORMAT_NAME,
    FORMAT_VERSION,
    MATERIAL_FIELD_NAMES,
    VERSION_CONTENT_FIELDS,
)
from tongban.catalog.formats.validation import catalog_validate

__all__ = [
    "CSV_FILES",
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "MATERIAL_FIELD_NAMES",
    "VERSION_CONTENT_FIELDS",
    "catalog_validate",
    "csv_archive_read",
    "csv_archive_write",
]
