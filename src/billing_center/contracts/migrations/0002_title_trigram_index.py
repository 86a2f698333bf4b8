"""On PostgreSQL, a trigram index serves the title search (``title__icontains``).

Other databases skip it (SQLite scans the holder's rows through the account index). If the role
may not create the pg_trgm extension, the migration carries on without the index and says so:
search still works, only slower on very large accounts (docs/contracts.md).
"""

import sys

from django.db import DatabaseError, migrations, transaction

INDEX = "contract_title_trgm"


def create_trigram_index(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        if cursor.fetchone() is None:
            try:
                with transaction.atomic(using=connection.alias):
                    cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            except DatabaseError as exc:
                sys.stderr.write(f"contracts: pg_trgm not available ({exc}); title search runs without its index\n")
                return
        # UPPER(...) is the expression Django's icontains compares on PostgreSQL.
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON contracts_contract USING gin (UPPER(title) gin_trgm_ops)"
        )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("contracts", "0001_initial")]

    operations = [migrations.RunPython(create_trigram_index, drop_trigram_index, elidable=False)]
