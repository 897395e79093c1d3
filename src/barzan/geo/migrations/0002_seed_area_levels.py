"""Seed the standard levels of Iran's divisions; a deployment may add its own."""

from django.db import migrations

LEVELS = [
    ("country", "کشور", "Country", 0),
    ("province", "استان", "Province", 10),
    ("county", "شهرستان", "County", 20),
    ("sector", "بخش", "Sector", 30),
    ("city", "شهر", "City", 40),
    ("district", "منطقه", "District", 50),
    ("neighborhood", "محله", "Neighborhood", 60),
]


def seed(apps, schema_editor):
    AreaLevel = apps.get_model("geo", "AreaLevel")
    for code, name_fa, name_en, rank in LEVELS:
        AreaLevel.objects.update_or_create(
            code=code, defaults={"name_fa": name_fa, "name_en": name_en, "rank": rank}
        )


class Migration(migrations.Migration):
    dependencies = [("geo", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
