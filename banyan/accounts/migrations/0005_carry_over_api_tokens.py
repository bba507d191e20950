"""Carry the keys of DRF's authtoken table (one never-expiring token per user, kept in plain
text) over to ApiToken, hashed, so programs already logged in keep working; then empty the
old table, so no key stays readable in the database.

The authtoken app is no longer installed, so its table is read with SQL where it exists (a
new install has none). Carried-over tokens expire API_TOKEN_DAYS after the migration runs.
Reversing keeps the carried-over tokens until 0004 is reversed and drops them: the plain
keys cannot be recovered from their hashes, so after a rollback those programs log in again.
"""

import datetime
import hashlib

from django.conf import settings
from django.db import migrations
from django.utils import timezone
from django.utils.dateparse import parse_datetime

OLD_TABLE = "authtoken_token"
LABEL = "carried over"


def _aware(value):
    """A raw SELECT may give SQLite's text or a naive time: both are UTC."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is None:
        return timezone.now()
    if timezone.is_naive(value):
        value = timezone.make_aware(value, datetime.UTC)
    return value


def carry_over_authtoken_keys(apps, schema_editor):
    connection = schema_editor.connection
    if OLD_TABLE not in connection.introspection.table_names():
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote('key')}, {quote('user_id')}, {quote('created')} FROM {quote(OLD_TABLE)}"
        )
        rows = cursor.fetchall()
    if rows:
        ApiToken = apps.get_model("accounts", "ApiToken")
        User = apps.get_model("accounts", "User")
        companies = dict(
            User.objects.filter(pk__in=[user_id for _key, user_id, _created in rows]).values_list(
                "pk", "company_id"
            )
        )
        expires_at = timezone.now() + datetime.timedelta(
            days=getattr(settings, "API_TOKEN_DAYS", 30)
        )
        ApiToken.objects.bulk_create(
            [
                ApiToken(
                    company_id=companies[user_id],
                    user_id=user_id,
                    key_hash=hashlib.sha256(key.encode()).hexdigest(),
                    prefix=key[:8],
                    label=LABEL,
                    created_at=_aware(created),
                    expires_at=expires_at,
                )
                for key, user_id, created in rows
                if user_id in companies
            ],
            ignore_conflicts=True,
        )
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {quote(OLD_TABLE)}")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_apitoken"),
    ]

    operations = [
        migrations.RunPython(carry_over_authtoken_keys, migrations.RunPython.noop),
    ]
