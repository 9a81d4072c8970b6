from django.db import migrations, models


def backfill(apps, schema_editor):
    """Members who confirmed an address before the date was kept: their join date."""
    User = apps.get_model("accounts", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    confirmed = EmailAddress.objects.filter(verified=True).values("user_id")
    for user in User.objects.filter(pk__in=confirmed, email_confirmed_at__isnull=True):
        user.email_confirmed_at = user.date_joined
        user.save(update_fields=["email_confirmed_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_user_avatar"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="email_confirmed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="email confirmed"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
