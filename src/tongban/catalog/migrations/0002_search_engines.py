"""The full-text index: an FTS5 table on SQLite, tsvector columns with GIN on PostgreSQL."""

from django.db import migrations

from tongban.core.migration_operations import VendorRunSQL


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [
        VendorRunSQL(
            "sqlite",
            sql="CREATE VIRTUAL TABLE catalog_fts USING fts5(title, body, tokenize='unicode61')",
            reverse_sql="DROP TABLE catalog_fts",
        ),
        VendorRunSQL(
            "postgresql",
            sql=[
                "ALTER TABLE catalog_searchentry ADD COLUMN tsv tsvector, "
                "ADD COLUMN title_tsv tsvector",
                "CREATE INDEX catalog_searchentry_tsv_gin ON catalog_searchentry USING GIN (tsv)",
                "CREATE INDEX catalog_searchentry_title_tsv_gin ON catalog_searchentry "
                "USING GIN (title_tsv)",
            ],
            reverse_sql=[
                "DROP INDEX catalog_searchentry_title_tsv_gin",
                "DROP INDEX catalog_searchentry_tsv_gin",
                "ALTER TABLE catalog_searchentry DROP COLUMN tsv, DROP COLUMN title_tsv",
            ],
        ),
    ]
