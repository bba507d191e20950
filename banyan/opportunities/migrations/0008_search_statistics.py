"""Statistics for PostgreSQL's planner on what the searches test row by row (core.statistics)."""

from django.db import migrations

from banyan.core.statistics import scan_statistics


class Migration(migrations.Migration):
    dependencies = [("opportunities", "0007_customer_name")]

    operations = [
        scan_statistics(
            ("opportunities_opportunity", "name", True),
            ("opportunities_opportunity", "customer_name", True),
        )
    ]
