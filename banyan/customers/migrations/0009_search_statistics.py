"""Statistics for PostgreSQL's planner on what the searches test row by row (core.statistics)."""

from django.db import migrations

from banyan.core.statistics import scan_statistics


class Migration(migrations.Migration):
    dependencies = [("customers", "0008_search_gram_indexes")]

    operations = [
        scan_statistics(
            ("customers_customer", "name", True),
            ("customers_customer", "search_text", False),
            ("customers_contact", "search_text", False),
        )
    ]
