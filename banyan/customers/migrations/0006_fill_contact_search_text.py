"""Fill the contacts' search text: name, title, phones and e-mail, lower case."""

from django.db import migrations
from django.db.models import TextField, Value
from django.db.models.functions import Concat, Lower


def fill(apps, schema_editor):
    Contact = apps.get_model("customers", "Contact")
    space = Value(" ")
    Contact.objects.update(
        search_text=Lower(
            Concat(
                "name",
                space,
                "title",
                space,
                "mobile",
                space,
                "phone",
                space,
                "email",
                output_field=TextField(),
            )
        )
    )


class Migration(migrations.Migration):
    dependencies = [("customers", "0005_contact_search_text")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
