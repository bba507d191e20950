"""Fill `converted_at` from the customers' history: the time of the latest change from the
potential type to the regular one, unless the customer was typed potential again after it
(as `customer_update` clears it then). Customers without such a change keep None."""

from django.db import migrations
from django.db.models import Exists, OuterRef, Subquery


def fill(apps, schema_editor):
    Customer = apps.get_model("customers", "Customer")
    History = apps.get_model("customers", "HistoricalCustomer")
    Option = apps.get_model("accounts", "DictionaryOption")
    types = Option.objects.filter(kind="customer_type")
    potential = types.filter(code="potential").values("pk")
    regular = types.filter(code="regular").values("pk")
    previous_type = Subquery(
        History.objects.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id"))
        .order_by("-history_id")
        .values("type_id")[:1]
    )
    conversions = (
        History.objects.filter(type_id__in=regular)
        .annotate(previous_type=previous_type)
        .filter(previous_type__in=potential)
        .exclude(
            Exists(
                History.objects.filter(
                    id=OuterRef("id"), history_id__gt=OuterRef("history_id"), type_id__in=potential
                )
            )
        )
    )
    latest = conversions.filter(id=OuterRef("pk")).order_by("-history_id")
    Customer.objects.filter(Exists(latest)).update(
        converted_at=Subquery(latest.values("history_date")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("customers", "0010_customer_converted_at"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
