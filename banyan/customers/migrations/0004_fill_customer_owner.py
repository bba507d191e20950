"""Copy each row's customer's owner onto it (the column the visibility rule reads)."""

from django.db import migrations
from django.db.models import OuterRef, Subquery

MODELS = ['Contact']


def fill(apps, schema_editor):
    Customer = apps.get_model("customers", "Customer")
    owner = Subquery(Customer.objects.filter(pk=OuterRef("customer_id")).values("owner_id")[:1])
    for name in MODELS:
        apps.get_model("customers", name).objects.filter(customer__isnull=False).update(
            customer_owner_id=owner
        )


def empty(apps, schema_editor):
    for name in MODELS:
        apps.get_model("customers", name).objects.update(customer_owner_id=None)


class Migration(migrations.Migration):
    dependencies = [("customers", "0003_customer_owner")]

    operations = [migrations.RunPython(fill, empty)]
