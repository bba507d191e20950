"""On PostgreSQL, trigram indexes under the contacts' search box (the contact's own search
text, and the customer's name it also looks in), so a rare word is found through an index
instead of by reading every contact. SQLite has no such index."""

from django.db import migrations

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS contact_search_text_trgm ON customers_contact "
    "USING gin (search_text gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS cust_name_upper_trgm ON customers_customer "
    "USING gin ((UPPER(name::text)) gin_trgm_ops)",
]
DROP = [
    "DROP INDEX IF EXISTS contact_search_text_trgm",
    "DROP INDEX IF EXISTS cust_name_upper_trgm",
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
    dependencies = [("customers", "0006_fill_contact_search_text")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
