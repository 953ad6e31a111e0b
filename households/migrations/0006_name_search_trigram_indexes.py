"""Name search at province scale: trigram indexes for the accent-free name keys.

`household_search` matches `LIKE '%key%'` on the head's and the members' name keys; without an
index that reads every household and member of the province (a million households, three and a
half million members). PostgreSQL's `pg_trgm` GIN indexes serve such a LIKE. On SQLite (the
demo) nothing is done: a commune's few thousand rows need no index.

`pg_trgm` is a trusted extension (PostgreSQL 13 and later): the database's owner may create it.
"""

from django.db import migrations

INDEXES = (
    ("household_head_name_trgm", "households_household", "head_name_key"),
    ("member_name_trgm", "households_member", "name_key"),
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({column} gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("households", "0005_member_deceased_citizen_id_index")]

    operations = [migrations.RunPython(create, drop)]
