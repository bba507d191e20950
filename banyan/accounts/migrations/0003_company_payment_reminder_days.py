import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_company_allow_invoice_ahead_and_more"),
    ]

    operations = [
        migrations.AddField(
            model_name="company",
            name="payment_reminder_days",
            field=models.PositiveSmallIntegerField(
                default=30,
                help_text="Payment plans due within this many days remind their owner once.",
                validators=[
                    django.core.validators.MinValueValidator(1),
                    django.core.validators.MaxValueValidator(365),
                ],
                verbose_name="payment reminder days",
            ),
        ),
        migrations.AddField(
            model_name="historicalcompany",
            name="payment_reminder_days",
            field=models.PositiveSmallIntegerField(
                default=30,
                help_text="Payment plans due within this many days remind their owner once.",
                validators=[
                    django.core.validators.MinValueValidator(1),
                    django.core.validators.MaxValueValidator(365),
                ],
                verbose_name="payment reminder days",
            ),
        ),
    ]
