"""Give every API token a scope and an expiry.

Existing tokens could write, so they keep read-and-write; those without an expiry, or with one
past the new maximum, expire BARZAN_API_TOKEN_DAYS after this migration runs (their owners see
the date on the account page and can create a read-only token instead).
"""

from datetime import timedelta

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def give_existing_tokens_an_expiry(apps, schema_editor):
    ApiToken = apps.get_model("accounts", "ApiToken")
    now = timezone.now()
    default = now + timedelta(days=settings.BARZAN_API_TOKEN_DAYS)
    latest = now + timedelta(days=settings.BARZAN_API_TOKEN_MAX_DAYS)
    ApiToken.objects.filter(expires_at__isnull=True).update(expires_at=default)
    ApiToken.objects.filter(expires_at__gt=latest).update(expires_at=latest)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="scope",
            field=models.CharField(
                choices=[("read", "read only"), ("read_write", "read and write")],
                default="read_write",
                max_length=16,
                verbose_name="scope",
            ),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="apitoken",
            name="scope",
            field=models.CharField(
                choices=[("read", "read only"), ("read_write", "read and write")],
                default="read",
                max_length=16,
                verbose_name="scope",
            ),
        ),
        migrations.RunPython(give_existing_tokens_an_expiry, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(verbose_name="expires at"),
        ),
    ]
