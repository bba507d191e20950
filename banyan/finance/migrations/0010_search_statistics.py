"""Statistics for PostgreSQL's planner on what the searches test row by row (core.statistics)."""

from django.db import migrations

from banyan.core.statistics import scan_statistics


class Migration(migrations.Migration):
    dependencies = [("finance", "0009_uncovered_plans_index")]

    operations = [
        scan_statistics(
            ("finance_invoice", "number", True),
            ("finance_invoice", "title", True),
            ("finance_invoice", "customer_name", True),
            ("finance_payment", "note", True),
            ("finance_payment", "customer_name", True),
            ("finance_paymentplan", "customer_name", True),
        )
    ]
