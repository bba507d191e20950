"""On PostgreSQL, trigram indexes on what the activity and task search boxes look in besides
the customer (`UPPER(subject)`, the expression Django's case-insensitive match uses), so a
rare word is found through an index instead of by reading every row. SQLite has none."""

from django.db import migrations

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS act_subject_upper_trgm ON activities_activity "
    "USING gin ((UPPER(subject::text)) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS task_subject_upper_trgm ON activities_task "
    "USING gin ((UPPER(subject::text)) gin_trgm_ops)",
]
DROP = [
    "DROP INDEX IF EXISTS act_subject_upper_trgm",
    "DROP INDEX IF EXISTS task_subject_upper_trgm",
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
    dependencies = [("activities", "0003_fill_customer_owner")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
