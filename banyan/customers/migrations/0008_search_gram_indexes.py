"""On PostgreSQL, `banyan_grams(text)`: the one- and two-character pieces of a text, and GIN
indexes on them for the contacts' search text and the customers' names, so a search word of one
or two characters (王伟, 北京), which has no trigram, is still found through an index (see
banyan/core/lookups.py). SQLite has none."""

from django.db import migrations

CREATE = [
    """
    CREATE OR REPLACE FUNCTION banyan_grams(t text) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
      SELECT ARRAY(
        SELECT substr(t, i, n)
        FROM generate_series(1, char_length(t)) AS i, (VALUES (1), (2)) AS v(n)
        WHERE i + n - 1 <= char_length(t) AND substr(t, i, n) !~ '\\s'
      )
    $$
    """,
    "CREATE INDEX IF NOT EXISTS contact_search_text_grams ON customers_contact "
    "USING gin (banyan_grams(search_text::text))",
    "CREATE INDEX IF NOT EXISTS cust_name_upper_grams ON customers_customer "
    "USING gin (banyan_grams(UPPER(name::text)))",
]
DROP = [
    "DROP INDEX IF EXISTS contact_search_text_grams",
    "DROP INDEX IF EXISTS cust_name_upper_grams",
    "DROP FUNCTION IF EXISTS banyan_grams(text)",
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
    dependencies = [("customers", "0007_search_trigram_indexes")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
