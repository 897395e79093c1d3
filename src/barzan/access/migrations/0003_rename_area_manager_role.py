"""Call the area manager «مدیر محدوده»: «منطقه» is an urban district, not a province or county."""

from django.db import migrations

OLD_NAME = "مدیر منطقه"
NEW_NAME = "مدیر محدوده"


def rename(apps, schema_editor):
    Role = apps.get_model("access", "Role")
    # A deployment that already chose its own name for the role keeps it.
    Role.objects.filter(code="area_manager", name_fa=OLD_NAME).update(name_fa=NEW_NAME)


def restore(apps, schema_editor):
    Role = apps.get_model("access", "Role")
    Role.objects.filter(code="area_manager", name_fa=NEW_NAME).update(name_fa=OLD_NAME)


class Migration(migrations.Migration):
    dependencies = [("access", "0002_seed_roles")]
    operations = [migrations.RunPython(rename, restore)]
