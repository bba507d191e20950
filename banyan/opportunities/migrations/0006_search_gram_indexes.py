"""On PostgreSQL, GIN indexes on the one- and two-character pieces of what the opportunity search
boxes look in (`banyan_grams`, created by customers' migration 0008), so a search word too short
for a trigram is found through an index (see banyan/core/lookups.py). SQLite has none."""

from django.db import migrations

CREATE = [
    "CREATE INDEX IF NOT EXISTS opp_name_upper_grams ON opportunities_opportunity "
    "USING gin (banyan_grams(UPPER(name::text)))",
]
DROP = [
    "DROP INDEX IF EXISTS opp_name_upper_grams",
]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE:
            schema_editor.execute(statement)


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("opportunities", "0005_search_trigram_indexes"),
        ("customers", "0008_search_gram_indexes"),
    ]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
