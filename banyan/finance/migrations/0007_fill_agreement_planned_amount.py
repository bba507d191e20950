"""Store on each agreement the sum of its payment plans (kept exact by the finance services
from now on), so the agreements app reads it without querying the plans."""

from decimal import Decimal

from django.db import migrations
from django.db.models import DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Round


def fill(apps, schema_editor):
    Agreement = apps.get_model("agreements", "Agreement")
    PaymentPlan = apps.get_model("finance", "PaymentPlan")
    money = DecimalField(max_digits=14, decimal_places=2)
    planned = (
        PaymentPlan.objects.filter(agreement_id=OuterRef("pk"))
        .order_by()
        .values("agreement_id")
        .annotate(total=Sum("amount", output_field=money))
        .values("total")
    )
    Agreement.objects.update(
        # Round: SQLite adds decimals as floats.
        planned_amount=Round(
            Coalesce(Subquery(planned), Value(Decimal("0.00")), output_field=money), 2
        )
    )


def empty(apps, schema_editor):
    apps.get_model("agreements", "Agreement").objects.update(planned_amount=Decimal("0.00"))


class Migration(migrations.Migration):
    dependencies = [("finance", "0006_search_gram_indexes"), ("agreements", "0007_planned_amount")]

    operations = [migrations.RunPython(fill, empty)]
