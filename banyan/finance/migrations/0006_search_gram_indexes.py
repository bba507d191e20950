"""On PostgreSQL, GIN indexes on the one- and two-character pieces of what the payment and invoice search
boxes look in (`banyan_grams`, created by customers' migration 0008), so a search word too short
for a trigram is found through an index (see banyan/core/lookups.py). SQLite has none."""

from django.db import migrations

CREATE = [
    "CREATE INDEX IF NOT EXISTS pay_note_upper_grams ON finance_payment "
    "USING gin (banyan_grams(UPPER(note::text)))",
    "CREATE INDEX IF NOT EXISTS inv_number_upper_grams ON finance_invoice "
    "USING gin (banyan_grams(UPPER(number::text)))",
    "CREATE INDEX IF NOT EXISTS inv_title_upper_grams ON finance_invoice "
    "USING gin (banyan_grams(UPPER(title::text)))",
]
DROP = [
    "DROP INDEX IF EXISTS pay_note_upper_grams",
    "DROP INDEX IF EXISTS inv_number_upper_grams",
    "DROP INDEX IF EXISTS inv_title_upper_grams",
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
        ("finance", "0005_search_trigram_indexes"),
        ("customers", "0008_search_gram_indexes"),
    ]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
