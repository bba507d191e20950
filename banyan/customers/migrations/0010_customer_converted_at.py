"""When a customer moved from the potential type to the regular one (the customers report)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('customers', '0009_search_statistics'),
    ]

    operations = [
        migrations.AddField(
            model_name='customer',
            name='converted_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='converted to a regular customer'),
        ),
        migrations.AddField(
            model_name='historicalcustomer',
            name='converted_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='converted to a regular customer'),
        ),
        migrations.AddIndex(
            model_name='customer',
            index=models.Index(fields=['company', 'converted_at'], name='cust_company_converted'),
        ),
    ]
