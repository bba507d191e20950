"""Statistics for PostgreSQL's planner on what the searches test row by row (core.statistics)."""

from django.db import migrations

from banyan.core.statistics import scan_statistics


class Migration(migrations.Migration):
    dependencies = [("agreements", "0008_customer_name")]

    operations = [
        scan_statistics(
            ("agreements_agreement", "number", True),
            ("agreements_agreement", "title", True),
            ("agreements_agreement", "customer_name", True),
        )
    ]
