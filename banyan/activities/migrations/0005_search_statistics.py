"""Statistics for PostgreSQL's planner on what the searches test row by row (core.statistics)."""

from django.db import migrations

from banyan.core.statistics import scan_statistics


class Migration(migrations.Migration):
    dependencies = [("activities", "0004_search_trigram_indexes")]

    operations = [
        scan_statistics(
            ("activities_activity", "subject", True),
            ("activities_task", "subject", True),
        )
    ]
